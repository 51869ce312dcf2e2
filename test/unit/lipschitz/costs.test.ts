import { afterEach, describe, expect, it } from 'vitest';
import {
  AXPY_SLOWDOWN,
  ascentRoundFlops,
  denseLpFlops,
  exactChunkFlops,
  intervalFlops,
  jacobianFlops,
  lineSweepFlops,
  mipRootFlops,
  patternRealiseFlops,
  pieceMapsFlops,
  regionLpFlops,
  SAFETY,
  sdpSetupFlops,
  secondsFor,
  shallowRegionCount,
  secondsPerFlop,
  spectralProofFlops,
  svdFlops,
  weightCount,
  witnessCheckFlops,
  zonotopeIterationFlops,
} from '../../../src/lipschitz/costs.js';
import type { Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { box, randomNet, tickingClock } from '../../support/lipschitzUnits.js';

const s = createStream(5, 'test/unit/costs');
/** Shapes only matter here: d inputs, hidden widths, k outputs. */
const shape = (d: number, widths: number[], k = 1): Network => randomNet(s, d, widths, k);
const global = { norm: '2', box: null } as const;

let clock: ReturnType<typeof tickingClock> | null = null;
afterEach(() => {
  clock?.restore();
  clock = null;
});

describe('the measured rate (a clock that advances a fixed step at every read)', () => {
  // measureRate times 50 dot products of length 2048 per trial: one trial reads the clock twice,
  // so on this clock it lasts exactly one step; the rate is step / (50 · 2048) per multiply-add.
  const rateFor = (ms: number) => ms / 1000 / (50 * 2048);
  it('is the fastest trial per multiply-add, at least 1e-11 s, and secondsFor is SAFETY times flops times it', () => {
    clock = tickingClock(1);
    expect(secondsPerFlop()).toBeCloseTo(rateFor(1), 20);
    expect(secondsPerFlop() / rateFor(1)).toBeCloseTo(1, 12);
    expect(SAFETY).toBe(2);
    expect(secondsFor(1e6) / (2 * 1e6 * rateFor(1))).toBeCloseTo(1, 12);
    expect(secondsFor(0)).toBe(0);
    clock.restore();
    // A clock too fast to resolve the loop: the floor of 1e-11 s per multiply-add.
    clock = tickingClock(1e-6);
    expect(secondsPerFlop()).toBe(1e-11);
  });
  it('runs 8 trials at least, stops once 15 ms have passed, and 40 trials at most', () => {
    // Reads: one for "now" in secondsPerFlop, one for the deadline, two per trial, and one per
    // deadline check from the ninth trial on.
    clock = tickingClock(1); // 1 ms per read: the deadline has passed after 8 trials (17 reads)
    secondsPerFlop();
    expect(clock.reads()).toBe(1 + 1 + 2 * 8 + 1);
    clock.restore();
    clock = tickingClock(0.01); // 0.01 ms per read: 40 trials take 1.1 ms, well before the deadline
    secondsPerFlop();
    expect(clock.reads()).toBe(1 + 1 + 2 * 40 + 32);
    clock.restore();
    clock = tickingClock(0.25); // 0.25 ms per read: the deadline is 15.5 ms after the start
    secondsPerFlop();
    // After 8 trials 18 reads; trial 8 + m starts only if the check at read 19 + 3m sees less than
    // the deadline: 0.25·(19 + 3m) < 15.5 up to m = 14, so the check of m = 15 ends it.
    expect(clock.reads()).toBe(1 + 1 + 2 * 8 + 3 * 15 + 1);
    clock.restore();
    clock = tickingClock(0.75); // the deadline, 16.5 ms on, is read exactly at the check of m = 1: it ends the loop
    secondsPerFlop();
    expect(clock.reads()).toBe(1 + 1 + 2 * 8 + 3 * 1 + 1);
  });
  it('is kept for 10 s, then measured again (the load of the moment counts)', () => {
    clock = tickingClock(1);
    const first = secondsPerFlop();
    const afterFirst = clock.reads();
    clock.advance(9.9);
    expect(secondsPerFlop()).toBe(first);
    expect(clock.reads()).toBe(afterFirst + 1); // only "now": no new measurement
    clock.advance(0.2);
    secondsPerFlop();
    expect(clock.reads()).toBeGreaterThan(afterFirst + 10);
  });
});

describe('cost estimates from the sizes (worked out by hand from each doc comment)', () => {
  const shallow = shape(2, [3]); // 2 → 3 → 1: weights 6 + 3 = 9, H = 3
  const deep = shape(2, [3, 2]); // 2 → 3 → 2 → 1: weights 6 + 6 + 2 = 14, H = 5
  it('weights, Jacobians and piece maps', () => {
    expect(weightCount(shallow)).toBe(9);
    expect(weightCount(deep)).toBe(14);
    expect(weightCount(shape(3, [], 2))).toBe(6);
    expect(jacobianFlops(shallow)).toBe(2 * 9); // k + 1 passes
    expect(jacobianFlops(shape(2, [3], 3))).toBe(4 * (6 + 9));
    expect(pieceMapsFlops(shallow)).toBe(2 * 6); // d × hidden weights (the output layer left out)
    expect(pieceMapsFlops(deep)).toBe(2 * 12);
    expect(pieceMapsFlops(shape(3, [], 2))).toBe(0);
    expect(witnessCheckFlops(deep)).toBe(AXPY_SLOWDOWN * 4 * 14 + 2 * 14); // four passes over the 14 weights, then the Jacobian (k = 1)
    expect(ascentRoundFlops(deep)).toBe((512 * 2 * 14) / 6);
    // The pattern search's realisation on 2 → 3 → 1 (N = 3, d = 2, 9 weights): one Gram matrix and its factor, four solves, points and re-checks.
    expect(patternRealiseFlops(shallow)).toBe((9 * 2) / 2 + 27 / 3 + 4 * (9 + 6 + AXPY_SLOWDOWN * 4 * 9 + 2 * 9)); // 8 × 64 ranked points, a Jacobian each on a kernel 6× the plain loop
    expect(AXPY_SLOWDOWN).toBe(4);
  });
  it('dense LPs and SVDs', () => {
    expect(denseLpFlops(10, 3)).toBe(4 * 3 * 3 * 13); // 4n pivots of n(m + n)
    // Jacobi on the Gram matrix up to 16 columns (either orientation), Golub–Kahan above.
    expect(svdFlops(100, 4)).toBe(2 * 100 * 16 + 100 * 64);
    expect(svdFlops(4, 100)).toBe(svdFlops(100, 4));
    expect(svdFlops(100, 16)).toBe(2 * 100 * 256 + 100 * 4096);
    expect(svdFlops(100, 17)).toBe(4 * 100 * 289 + 8 * 4913);
    expect(svdFlops(17, 100)).toBe(svdFlops(100, 17));
    expect(svdFlops(20, 20)).toBe(4 * 20 * 400 + 8 * 8000);
    // A proven spectral norm: the Gram product of the smaller side, Lanczos, one Cholesky.
    expect(spectralProofFlops(100, 40)).toBe((100 * 1600) / 2 + 170 * 1600 + 64000 / 3);
    expect(spectralProofFlops(40, 100)).toBe(spectralProofFlops(100, 40));
    expect(spectralProofFlops(1024, 1024)).toBeLessThan(svdFlops(1024, 1024) / 5);
    expect(regionLpFlops(shallow, 2)).toBe(AXPY_SLOWDOWN * 12 + 200 * denseLpFlops(3 + 4, 3)); // rows: H + 2n, n + 1 variables
    expect(regionLpFlops(deep, 3)).toBe(AXPY_SLOWDOWN * 24 + 200 * 4 * 16 * (11 + 4));
  });
  it('bounds: intervals, zonotope, MIP root, LipSDP set-up', () => {
    expect(intervalFlops(shallow)).toBe(AXPY_SLOWDOWN * (5 * 9 + 2 * 3));
    expect(intervalFlops(shape(2, [3], 2))).toBe(AXPY_SLOWDOWN * (6 * 12 + 2 * 3));
    expect(zonotopeIterationFlops(shallow)).toBe((3 + 30) * 8);
    expect(mipRootFlops(shallow)).toBe(400 * 9 * 3 + 2e7);
    expect(mipRootFlops(deep)).toBe(400 * 14 * 5 + 2e7);
    expect(sdpSetupFlops(shape(3, [], 2))).toBe(0);
    // Gram N₀²·d, per layer 2N³ + N²·N_in, proof 2n³ (or 40(d + n)³ with active neurons fixed).
    expect(sdpSetupFlops(shallow)).toBe(9 * 2 + (2 * 27 + 9 * 2) + 2 * 27);
    expect(sdpSetupFlops(shallow, true)).toBe(9 * 2 + (2 * 27 + 9 * 2) + 40 * 125);
    expect(sdpSetupFlops(deep)).toBe(9 * 2 + (2 * 27 + 9 * 2) + (2 * 8 + 4 * 3) + 2 * 125);
  });
  it('the line sweep: d·N₀, then each later layer over a grid of 2 + the earlier widths', () => {
    expect(lineSweepFlops(deep)).toBe(2 * 3 + 2 * AXPY_SLOWDOWN * (2 + 3) * 2 * 3 + 2 * AXPY_SLOWDOWN * (2 + 3 + 2) * 1 * 2);
    expect(lineSweepFlops(shallow)).toBe(2 * 3 + 2 * AXPY_SLOWDOWN * (2 + 3) * 1 * 3);
  });
  it("the exact solver's longest uninterrupted step, by algorithm", () => {
    expect(exactChunkFlops(shape(3, [], 2), global)).toBe(6); // affine: one pass
    // d = 1: one breakpoint layer, (N₀ + 2)·N_ℓ·N_{ℓ−1} at worst.
    expect(exactChunkFlops(shape(1, [3, 2]), global)).toBe(5 * 2 * 3);
    expect(exactChunkFlops(shape(1, [3]), global)).toBe(5 * 3 * 1);
    // Region search (a box, or deep): max(16·4·d·widest, 32·n·(H + 3n), 64·P, k·P) with n = d + 1.
    expect(exactChunkFlops(shallow, { norm: '2', box: box([0, 0], [1, 1]) })).toBe(32 * 3 * (3 + 9));
    expect(exactChunkFlops(deep, global)).toBe(32 * 3 * (5 + 9));
    const wideMiddle = shape(3, [1, 30, 1]); // widest input 30, P = 3 + 30 + 30 + 1 = 64, H = 32
    expect(exactChunkFlops(wideMiddle, global)).toBe(16 * AXPY_SLOWDOWN * 3 * 30);
    const manyOutputs = shape(2, [1], 100); // P = 2 + 100
    expect(exactChunkFlops(manyOutputs, { norm: '1', box: box([0, 0], [1, 1]) })).toBe(100 * 102);
    const wide = shape(2, [8, 8]); // P = 16 + 64 + 8 = 88, H = 16: 64·P = 5632 > 32·3·25 = 2400
    expect(exactChunkFlops(wide, global)).toBe(64 * 88);
    // Shallow and global: 1,024 vertices, each a d×d solve, N·d·(1 + k), and 2^d cells of d·k·d + 20N.
    expect(exactChunkFlops(shallow, global)).toBeCloseTo(1024 * (8 / 3 + 3 * 2 * 2 + 4 * (2 * 1 * 2 + 20 * 3)), 6);
    expect(exactChunkFlops(shape(2, [3], 2), global)).toBeCloseTo(1024 * (8 / 3 + 3 * 2 * 3 + 4 * (2 * 2 * 2 + 20 * 3)), 6);
  });
  it('the regions of a shallow net in general position: Σ_{j≤d} C(N, j)', () => {
    expect(shallowRegionCount(2, 16)).toBe(137); // the brief's example
    expect(shallowRegionCount(0, 5)).toBe(1);
    expect(shallowRegionCount(3, 2)).toBe(4); // every pattern: 2^N when d ≥ N
    expect(shallowRegionCount(5, 5)).toBe(32);
    expect(shallowRegionCount(4, 120)).toBe(1 + 120 + 7140 + 280840 + 8214570);
    expect(shallowRegionCount(3000, 2000)).toBe(Infinity); // overflows, but never to NaN
  });
  it('never decreases when a layer widens or an input is added', () => {
    const all = (n: Network, fullForm: boolean) => [
      weightCount(n), jacobianFlops(n), pieceMapsFlops(n), lineSweepFlops(n), regionLpFlops(n, n.inputDim), intervalFlops(n),
      zonotopeIterationFlops(n), mipRootFlops(n), sdpSetupFlops(n, fullForm), witnessCheckFlops(n), exactChunkFlops(n, global),
    ];
    for (const [d, widths] of [[2, [3]], [3, [2, 2]], [2, [4, 1, 3]]] as const) {
      const base = all(shape(d, [...widths]), false);
      const more = [shape(d + 1, [...widths]), ...widths.map((_, i) => shape(d, widths.map((w, j) => (j === i ? w + 1 : w))))];
      for (const m of more) all(m, false).forEach((v, i) => expect(v, `estimate ${i}`).toBeGreaterThanOrEqual(base[i]));
      all(shape(d, [...widths]), true).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(base[i]));
    }
    for (const [m, n] of [[5, 3], [40, 16], [40, 17]]) {
      expect(denseLpFlops(m + 1, n)).toBeGreaterThan(denseLpFlops(m, n));
      expect(denseLpFlops(m, n + 1)).toBeGreaterThan(denseLpFlops(m, n));
      expect(svdFlops(m + 1, n)).toBeGreaterThan(svdFlops(m, n));
    }
  });
});
