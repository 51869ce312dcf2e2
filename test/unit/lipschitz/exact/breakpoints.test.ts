import { describe, expect, it } from 'vitest';
import { breakpointsExact, regionPoints, sweepLine, type LineSweep } from '../../../../src/lipschitz/exact/breakpoints.js';
import type { ExactOutcome, ExactValue } from '../../../../src/lipschitz/exact/types.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { boxFromPairs, type Box } from '../../../../src/lipschitz/query.js';
import { evaluate, regionRadius } from '../../../../src/network/evaluate.js';
import { NORMS, operatorNorm, type Norm } from '../../../../src/linalg/norms.js';
import type { Network } from '../../../../src/network/network.js';
import { CutBudget, sampledLipschitz, sampledPatterns, shallow, tinyNet } from '../../../support/exactNets.js';
import { exactBruteForce } from '../../../support/exactBruteForce.js';
import { createStream } from '../../../../src/random/stream.js';

const free = () => new Budget(Infinity);
const interval = (a: number, b: number) => boxFromPairs([[a, b]], 1);
function exact(o: ExactOutcome): ExactValue {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o;
}
function sweep(net: Network, box: Box | null = null): LineSweep {
  const s = sweepLine(net, box, free(), 1000);
  if ('kind' in s) throw new Error('stopped');
  return s;
}
/** f is affine between consecutive grid points: its slope there by a difference quotient of f itself. */
const secant = (net: Network, a: number, b: number, out = 0) => (evaluate(net, [b])[out] - evaluate(net, [a])[out]) / (b - a);

// f = 2ρ(x − 1) − ρ(3 − 2x) + 0.5ρ(−x − 2) + ρ(0·x + 1): kinks at 1, 1.5, −2 (the last neuron is constant).
const oneLayer = shallow([[1], [-2], [-1], [0]], [-1, 3, -2, 1], [2, -1, 0.5, 1]);
// Two hidden layers whose second-layer kinks lie beyond every first-layer kink (x = 5, x = −3) and
// between them (x = −0.5, 1.5); a constant neuron shifts the second layer's biases.
const deep = tinyNet(
  [[[1], [-1], [2], [0]], [0, 0, -1, 1]],
  [[[1, 0, 0, -5], [0, 1, 0, -3], [1, -1, -1, 0]], [0, 0, 0.5]],
  [[[2, -1, 3], [1, 1, -1]], [0, 0]],
);

describe('sweepLine', () => {
  it('puts the first layer kinks −b/w (and the anchor 0) on the grid, with the secant slope of f on every piece', () => {
    const s = sweep(oneLayer);
    expect(s.grid).toEqual([-2, 0, 1, 1.5]);
    expect(s.bounded).toBe(false);
    expect(s.width).toBe(1);
    const g = s.grid;
    const ends = [g[0] - 1, ...g, g[g.length - 1] + 1];
    for (let p = 0; p < ends.length - 1; p++) expect(s.slopes[p]).toBeCloseTo(secant(oneLayer, ends[p], ends[p + 1]), 12);
    // The anchor 0 switches nothing; the three kinks do.
    expect(Array.from(s.change)).toEqual([1, 0, 1, 1]);
    expect(regionPoints(s)).toHaveLength(4);
  });
  it('finds the kinks of deeper layers inside pieces and in both unbounded end pieces', () => {
    const s = sweep(deep);
    expect(s.grid).toEqual([-3, -0.5, 0, 0.5, 1.5, 5]);
    expect(s.width).toBe(2);
    const ends = [-4, ...s.grid, 6];
    for (let p = 0; p < ends.length - 1; p++) {
      for (let o = 0; o < 2; o++) expect(s.slopes[p * 2 + o]).toBeCloseTo(secant(deep, ends[p], ends[p + 1], o), 12);
    }
    // Every grid point is a switch of some neuron, so there are 7 regions, as a dense sample says.
    const points = regionPoints(s);
    expect(points).toHaveLength(sampledPatterns(deep, -10, 10, 2000).size);
    points.forEach((x, i) => expect(i === 0 || x > points[i - 1]).toBe(true));
    for (const x of points) expect(regionRadius(deep, [x])).toBeGreaterThan(0.1);
  });
  it('on an interval keeps only the kinks inside it, ends at its endpoints and places points inside', () => {
    const s = sweep(deep, interval(-1, 2));
    expect(s.bounded).toBe(true);
    expect(s.grid).toEqual([-1, -0.5, 0, 0.5, 1.5, 2]);
    for (let p = 0; p + 1 < s.grid.length; p++) expect(s.slopes[p * 2]).toBeCloseTo(secant(deep, s.grid[p], s.grid[p + 1]), 12);
    expect(regionPoints(s)).toEqual([-0.75, -0.25, 0.25, 1, 1.75]);
  });
  it('a kink on an endpoint of the interval is not a piece', () => {
    const s = sweep(oneLayer, interval(1, 1.5));
    expect(s.grid).toEqual([1, 1.5]);
    expect(s.slopes[0]).toBeCloseTo(secant(oneLayer, 1, 1.5), 14);
  });
  it('merges a second-layer kink onto a first-layer one when they coincide', () => {
    // ρ(ρ(x) − 0)… : z₂ = ρ(x) − ρ(x − 1) − 1 is zero for all x ≥ 1 — no new kink — and
    // z₃ = 2ρ(x) − 2 has its zero exactly at the first layer's kink x = 1.
    const net = tinyNet([[[1], [1]], [0, -1]], [[[2, 0]], [-2]], [[[1]], [0]]);
    const s = sweep(net);
    expect(s.grid).toEqual([0, 1]);
    expect(Array.from(s.slopes)).toEqual([0, 0, 2]);
  });
  it('rejects networks with more than one input', () => {
    expect(() => sweepLine(tinyNet([[[1, 1]], [0]], [[[1]], [0]]), null, free(), 10)).toThrow(/input dimension 1/);
  });
});

describe('breakpointsExact', () => {
  it.each(NORMS)('equals the largest |slope| of a dense sample, with a re-checked witness (p = %s)', (p: Norm) => {
    for (const net of [oneLayer, deep]) {
      const r = exact(breakpointsExact(net, p, null, free(), 1000));
      expect(r.lipschitz).toBeCloseTo(sampledLipschitz(net, p, -10, 10, 2000), 12);
      expect(r.witnessValue).toBe(r.lipschitz);
      expect(operatorNorm({ rows: net.layers.at(-1)!.outDim, cols: 1, data: Float64Array.from({ length: net.layers.at(-1)!.outDim }, (_, o) => secant(net, r.witness[0] - 1e-6, r.witness[0] + 1e-6, o)) }, p)).toBeCloseTo(r.lipschitz, 6);
      expect(r.algorithm).toBe('breakpoints');
      expect(r.regions).toBe(sampledPatterns(net, -10, 10, 2000).size);
    }
  });
  it('of a vector output is the p-norm of its slope vector', () => {
    // (ρ(x), 2ρ(x), −2ρ(x)): slopes (1, 2, −2) for x > 0.
    const net = tinyNet([[[1]], [0]], [[[1], [2], [-2]], [0, 0, 0]]);
    const lip = (p: Norm) => exact(breakpointsExact(net, p, null, free(), 10)).lipschitz;
    expect([lip('2'), lip('1'), lip('inf')]).toEqual([3, 5, 2]);
  });
  it('on an interval sees only its pieces, with the witness inside', () => {
    const vee = shallow([[1], [-1]], [0, 0], [3, 2]);
    const right = exact(breakpointsExact(vee, '2', interval(0.5, 2), free(), 10));
    expect(right.lipschitz).toBe(3);
    expect(right.regions).toBe(1);
    expect(right.witness[0]).toBe(1.25);
    const left = exact(breakpointsExact(vee, '2', interval(-2, -0.5), free(), 10));
    expect(left.lipschitz).toBe(2);
    const both = exact(breakpointsExact(vee, '2', interval(-1, 3), free(), 10));
    expect([both.lipschitz, both.regions]).toEqual([3, 2]);
    expect(both.witness[0]).toBeGreaterThan(0);
  });
  it('resolves a slab 1e-10 wide (Lip 1 there, 0 elsewhere) and says when no witness passes in it', () => {
    const slab = (w: number) => shallow([[1], [1]], [-1, -1 - w], [1, -1]);
    const thin = exact(breakpointsExact(slab(1e-10), '2', null, free(), 10));
    expect(thin.lipschitz).toBeCloseTo(1, 5);
    expect(thin.regions).toBe(3);
    // Its midpoint is 5e-11 from both kinks: inside the 1e-10 relative kink margin, so no witness.
    expect(thin.witnessValue).toBeLessThan(thin.lipschitz);
    const thicker = exact(breakpointsExact(slab(1e-8), '2', null, free(), 10));
    expect(thicker.lipschitz).toBeCloseTo(1, 7);
    expect(thicker.witnessValue).toBe(thicker.lipschitz);
    expect(Math.abs(thicker.witness[0] - 1 - 5e-9)).toBeLessThan(1e-15);
    // On an interval the slab is resolved relative to the interval's width.
    const boxed = exact(breakpointsExact(slab(1e-10), '2', interval(0.5, 1.5), free(), 10));
    expect(boxed.lipschitz).toBeCloseTo(1, 5);
    // Two ReLUs of the same sign add up: Lip 2 beyond both kinks.
    expect(exact(breakpointsExact(shallow([[1], [1]], [-1, -1 - 1e-10], [1, 1]), '2', null, free(), 10)).lipschitz).toBe(2);
  });
  it('merges kinks closer than 1e-12 relative (documented: such pieces are not resolved)', () => {
    const net = shallow([[1], [1]], [-1, -1 - 1e-14], [1, -1]);
    const r = exact(breakpointsExact(net, '2', null, free(), 10));
    expect(r.lipschitz).toBeLessThan(1e-6);
    // One grid point where both switch: two regions, both of slope 0.
    expect(r.regions).toBe(2);
  });
  it('keeps its accuracy at huge and tiny scales and on a box far from the origin', () => {
    // Kinks at 1e8 and 1e8 + 100: a slab of relative width 1e-6 with slope 1e-8.
    const huge = shallow([[1e-8], [1e-8]], [-1, -1 - 1e-6], [1, -1]);
    expect(exact(breakpointsExact(huge, '2', null, free(), 10)).lipschitz).toBeCloseTo(1e-8, 20);
    const tiny = shallow([[1e8], [1e8]], [-1, -1 - 1e-6], [1, -1]);
    const t = exact(breakpointsExact(tiny, 'inf', null, free(), 10));
    expect(Math.abs(t.lipschitz - 1e8)).toBeLessThan(1e-2);
    const far = shallow([[1]], [-(1e8 + 0.5)], [4]);
    const f = exact(breakpointsExact(far, '1', interval(1e8, 1e8 + 1), free(), 10));
    expect(f.lipschitz).toBe(4);
    expect(f.witness[0]).toBeGreaterThan(1e8 + 0.5);
    expect(f.witness[0]).toBeLessThan(1e8 + 1);
  });
  it('counts one region for a network that switches nothing, and anchors its witness at 0', () => {
    const flat = shallow([[0], [2]], [1, 0], [3, 0]);
    const r = exact(breakpointsExact(flat, '2', null, free(), 10));
    expect([r.lipschitz, r.regions]).toEqual([0, 2]);
  });
  it('reads the sign of an end piece from the slope where a kink at the grid’s end rounds off zero', () => {
    // ρ(w·x − 1): w·(1/w) − 1 is not 0 in doubles for most w; Lip = |w| (one active end piece).
    for (const w of [49, 3, 7, 0.1, 1 / 3, 1e-3, 98.7654321]) {
      expect(exact(breakpointsExact(shallow([[w]], [-1], [1]), '2', null, free(), 10)).lipschitz).toBeCloseTo(w, 12);
      expect(exact(breakpointsExact(shallow([[-w]], [-1], [1]), '2', null, free(), 10)).lipschitz).toBeCloseTo(w, 12);
      expect(exact(breakpointsExact(shallow([[w], [-w]], [-1, 1], [1, 2]), '2', null, free(), 10)).lipschitz).toBeCloseTo(2 * w, 12);
    }
  });
  it('puts the witness deep inside an unbounded end piece when the maximum is there', () => {
    const left = exact(breakpointsExact(shallow([[-1], [1], [1]], [0, -1, -2], [3, 1, 0.5]), '2', null, free(), 10));
    expect(left.lipschitz).toBe(3);
    expect(left.witness[0]).toBeLessThan(0);
    expect(left.witnessValue).toBe(3);
    expect(regionRadius(shallow([[-1], [1], [1]], [0, -1, -2], [3, 1, 0.5]), left.witness)).toBeGreaterThanOrEqual(1);
    const right = exact(breakpointsExact(shallow([[-1], [1], [1]], [0, -1, -2], [0.5, 1, 3]), '2', null, free(), 10));
    expect(right.lipschitz).toBe(4);
    expect(right.witness[0]).toBeGreaterThanOrEqual(3);
  });
  it('resolves a slab 1e-10 relative at the scale of its kinks (1e-8 from the origin)', () => {
    const net = shallow([[1], [1]], [-1e-8, -1e-8 * (1 + 1e-10)], [1, -1]);
    expect(exact(breakpointsExact(net, '2', null, free(), 10)).lipschitz).toBeCloseTo(1, 4);
    // …and one at 1e8, where the kink scale is large (merging is relative to |u| ≥ 1 either way).
    const far = shallow([[1], [1]], [-1e8, -1e8 * (1 + 1e-10)], [1, -1]);
    expect(exact(breakpointsExact(far, '2', null, free(), 10)).lipschitz).toBeCloseTo(1, 4);
  });
  it('matches the exact brute force on seeded nets of two and three hidden layers, every norm, on ℝ and an interval', () => {
    expectBruteForceOnSeededNets(17, 'breakpoints-test', [[3, 3], [2, 2, 2], [4, 2]], [null, interval(-0.7, 0.4)]);
  });
  it('stops with the region limit when the refined grid has more pieces', () => {
    const r = breakpointsExact(deep, '2', null, free(), 3);
    expect(r.kind).toBe('too-large');
    if (r.kind === 'too-large') expect([r.limit, r.limitValue]).toEqual(['regions', 3]);
    expect(breakpointsExact(deep, '2', null, free(), 6).kind).toBe('exact');
  });
  it('checks the clock once per layer after the first: stopped at either check, or exact', () => {
    // `deep` has two hidden layers and an output layer: checks before layers 2 and 3.
    for (const cut of [0, 1]) {
      const budget = new CutBudget(cut);
      const r = breakpointsExact(deep, '2', null, budget, 1000);
      expect(r.kind === 'too-large' && [r.limit, r.limitValue]).toEqual(['time', Infinity]);
      expect(budget.checks).toBe(cut + 1);
    }
    const r = exact(breakpointsExact(deep, '2', null, new CutBudget(2), 1000));
    expect(r.lipschitz).toBeCloseTo(exactBruteForce(deep, null).lipschitz['2'], 12);
  });
  it('stops with the time limit when the budget has run out', () => {
    const r = breakpointsExact(deep, '2', null, new Budget(-1), 1000);
    expect(r.kind === 'too-large' && r.limit).toBe('time');
  });
});

describe('breakpointsExact, edges', () => {
  it('stopped by the clock before the second layer, it has visited the first layer’s pieces', () => {
    // deep's first layer has kinks at 0 (twice) and 0.5: 3 pieces on ℝ, and 3 on [−1, 2] too.
    for (const box of [null, interval(-1, 2)]) {
      const r = breakpointsExact(deep, '2', box, new CutBudget(0), 1000);
      expect(r.kind === 'too-large' && [r.limit, r.regionsVisited]).toEqual(['time', 3]);
    }
  });
  it('on an interval the region limit counts its pieces: 5 regions pass a limit of 5, not of 4', () => {
    expect(exact(breakpointsExact(deep, '2', interval(-1, 2), free(), 5)).regions).toBe(5);
    const r = breakpointsExact(deep, '2', interval(-1, 2), free(), 4);
    expect(r.kind === 'too-large' && [r.limit, r.limitValue]).toEqual(['regions', 4]);
  });
  it('takes its scale on ℝ from the median |b/w| of the neurons with a kink away from 0, in any neuron order', () => {
    // f = ρ(x − a) − ρ(x − a′) with a = 1e-8, a′ = a(1 + 1e-10): slope 1 on a slab 1e-18 wide, which
    // only a kink scale near 1e-8 resolves. Other neurons feed nothing: kinks at 2a, 3a and 1 (twice),
    // 7 neurons with a kink at 0 (b = 0) and 9 with none (w = 0): neither kind may set the scale.
    const a = 1e-8;
    const rows = [[1], [1], [1], [1], [1], [1], ...Array.from({ length: 7 }, () => [1]), ...Array.from({ length: 9 }, () => [0])];
    const biases = [-a, -a * (1 + 1e-10), -2 * a, -1, -1, -3 * a, ...new Array<number>(7).fill(0), ...new Array<number>(9).fill(1)];
    const outer = [1, -1, ...new Array<number>(20).fill(0)];
    const r = exact(breakpointsExact(shallow(rows, biases, outer), '2', null, free(), 100));
    expect(r.lipschitz).toBeCloseTo(1, 4);
    // Grid 0, a, a′, 2a, 3a, 1: every point switches some neuron, so 7 regions.
    expect(r.regions).toBe(7);
  });
  it('keeps the scale 1 when every |b/w| underflows to 0 or overflows to ∞', () => {
    // ρ(1e10·x + 5e-324): kink −5e-334 rounds to −0; ρ(1e-10·x + 1e300): kink −1e310 = −∞ (never reached).
    expect(exact(breakpointsExact(shallow([[1e10]], [5e-324], [1]), '2', null, free(), 10)).lipschitz).toBe(1e10);
    expect(exact(breakpointsExact(shallow([[1e-10]], [1e300], [2]), '2', null, free(), 10)).lipschitz).toBe(2e-10);
  });
  it('reads a neuron that is a positive constant on an end piece as active there (no extra region)', () => {
    // z = ρ(x − 1) + 1 > 0 is constant 1 left of 1, where the grid starts at the anchor 0 …
    const left = tinyNet([[[1]], [-1]], [[[1]], [1]], [[[1]], [0]]);
    // … and z = ρ(−x − 1) + 1 is constant 1 right of −1, where the grid ends at 0.
    const right = tinyNet([[[-1]], [-1]], [[[1]], [1]], [[[1]], [0]]);
    for (const net of [left, right]) {
      const r = exact(breakpointsExact(net, '2', null, free(), 10));
      const b = exactBruteForce(net, null);
      expect([r.regions, r.lipschitz]).toEqual([b.regions, b.lipschitz['2']]);
      expect(b.regions).toBe(2);
    }
  });
  it('a first-layer kink outside the interval leaves the values inside alone', () => {
    // ρ(ρ(x) − 1.9) on [0.5, 2]: the kink of ρ(x) at 0 lies outside; slope 1 on (1.9, 2].
    const net = tinyNet([[[1]], [0]], [[[1]], [-1.9]], [[[1]], [0]]);
    const r = exact(breakpointsExact(net, '2', interval(0.5, 2), free(), 10));
    const b = exactBruteForce(net, interval(0.5, 2));
    expect([r.lipschitz, r.regions]).toEqual([1, 2]);
    expect([b.lipschitz['2'], b.regions]).toEqual([1, 2]);
  });
  it('puts the witness of an end piece as far beyond the last kink as the kinks are spread (here 2e11)', () => {
    // Kinks at −1e11, 1 (three neurons) and 1e11: scale 1, grid −1e11 … 1e11. Slope 5 left of −1e11
    // (the maximum), 4 right of 1e11. A point 1 beyond −1e11 is within 1e-10 (relative) of that kink.
    const net = shallow([[-1], [1], [1], [1], [1]], [-1e11, -1e11, -1, -1, -1], [5, 1, 1, 1, 1]);
    const r = exact(breakpointsExact(net, '2', null, free(), 10));
    expect([r.lipschitz, r.witnessValue]).toEqual([5, 5]);
    expect(r.witness[0]).toBeLessThan(-1e11);
  });
  it('with the anchor as its only grid point, puts the witness of an end piece off the kink', () => {
    const net = shallow([[1]], [0], [2]);
    const r = exact(breakpointsExact(net, '2', null, free(), 10));
    expect([r.lipschitz, r.witnessValue, r.regions]).toEqual([2, 2, 2]);
    expect(regionRadius(net, r.witness)).toBeGreaterThanOrEqual(1);
  });
  it('matches the exact brute force on wider intervals, where every layer’s kinks fall inside', () => {
    expectBruteForceOnSeededNets(23, 'breakpoints-wide', [[3, 2, 3], [4, 3]], [interval(-3, 2.5), interval(-0.2, 4)]);
  });
});

describe('sweepLine, end pieces of deeper layers', () => {
  // h = (ρ(−x), ρ(x)); z = h₁ − 0.5h₂ + 0.5 (−x + 0.5 left of 0, −0.5x + 0.5 right: zero at 1);
  // y = ρ(z) − 0.2 (zero where z = 0.2: x = 0.6); output ρ(y). Left of 0, z is positive and falling:
  // its straight continuation would cross 0 at x = 0.5, where z really is 0.25 — no kink there.
  const rightward = tinyNet([[[-1], [1]], [0, 0]], [[[1, -0.5]], [0.5]], [[[1]], [-0.2]], [[[1]], [0]]);
  // The mirror image: kinks at −1 and −0.6, and z's continuation from the right would cross 0 at −0.5.
  const leftward = tinyNet([[[1], [-1]], [0, 0]], [[[1, -0.5]], [0.5]], [[[1]], [-0.2]], [[[1]], [0]]);
  it('puts a kink only where a neuron really changes sign, not where an end piece’s continuation would', () => {
    for (const [net, kinks] of [[rightward, [0, 0.6, 1]], [leftward, [-1, -0.6, 0]]] as const) {
      const s = sweep(net);
      expect(s.grid.length).toBe(3);
      s.grid.forEach((t, i) => expect(t).toBeCloseTo(kinks[i], 14));
      const ends = [s.grid[0] - 1, ...s.grid, s.grid[2] + 1];
      for (let p = 0; p < ends.length - 1; p++) expect(s.slopes[p]).toBeCloseTo(secant(net, ends[p], ends[p + 1]), 12);
      expect(exact(breakpointsExact(net, '2', null, free(), 10)).regions).toBe(exactBruteForce(net, null).regions);
    }
  });
  it('values at a new kink left of every old one are extrapolated from the first piece', () => {
    // ρ(ρ(−x) − 3) + ρ(ρ(−x) + 1): the second layer's kink −3 lies left of the first's (0), and the
    // other neuron is active there: slopes −2, −1, 0.
    const net = tinyNet([[[-1]], [0]], [[[1], [1]], [-3, 1]], [[[1, 1]], [0]]);
    const s = sweep(net);
    expect(s.grid).toEqual([-3, 0]);
    expect(Array.from(s.slopes)).toEqual([-2, -1, 0]);
    expect(exact(breakpointsExact(net, 'inf', null, free(), 10)).lipschitz).toBe(exactBruteForce(net, null).lipschitz.inf);
  });
});

/** breakpointsExact against the exact brute force, every norm, on seeded 1 → widths → 2 nets (uniform weights) and the given domains. */
function expectBruteForceOnSeededNets(seed: number, label: string, widthsList: number[][], boxes: (Box | null)[]) {
  const s = createStream(seed, label);
  const layer = (out: number, inp: number): [number[][], number[]] => [
    Array.from({ length: out }, () => Array.from({ length: inp }, () => 2 * s.uniform() - 1)),
    Array.from({ length: out }, () => s.uniform() - 0.5),
  ];
  for (const widths of widthsList) {
    const dims = [1, ...widths, 2];
    const net = tinyNet(...dims.slice(1).map((o, l) => layer(o, dims[l])));
    for (const box of boxes) {
      const b = exactBruteForce(net, box);
      for (const p of NORMS) {
        const r = exact(breakpointsExact(net, p, box, free(), 1000));
        expect(r.lipschitz).toBeCloseTo(b.lipschitz[p], 12);
        expect(r.regions).toBe(b.regions);
      }
    }
  }
}
