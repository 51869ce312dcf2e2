import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { witnessAt } from '../../../../../src/lipschitz/lower/witness.js';
import { boxFromPairs } from '../../../../../src/lipschitz/query.js';
import { branchedSdpBound } from '../../../../../src/lipschitz/upper/sdp/branch.js';
import { lipSdpBound } from '../../../../../src/lipschitz/upper/sdp/lipSdp.js';
import { exactLip2 } from '../../../../support/euclidean.js';
import { clockPerTest, stopAt } from '../../../../support/lipschitzUnits.js';
import { allPatternsLip, netOf, pairNet } from '../../../../support/sdpUnits.js';

// What branchedSdpBound's options and result fields promise, on a ticking clock (every read of
// performance.now() moves it by 2⁻¹⁰ ms; the tests stop runs by moving the clock).
const ticking = clockPerTest();

// f = 8·relu(x) − 6·relu(x − 10) − relu(x − 12): slopes 0, 8, 2, 1. On [11, 14] the first two
// neurons are on and Lip₂ = 2 (slope 2 on (11, 12)); near the origin the slope is 8.
const f = netOf(1, [[[1], [1], [1]], [0, -10, -12]], [[[8, -6, -1]], [0]]);
const far = boxFromPairs([[11, 14]], 1);
/** Moves the clock past any budget once `cells` cells are bounded (a guard: these runs close in fewer). */

describe('branchedSdpBound: refusals and time limits', () => {
  it('returns null over ℝᵈ when the first layer cannot be scaled exactly onto the facets', () => {
    // Kink distances 2⁻⁴, 2⁻⁴ and ~1e323: the scale is 2⁻⁴, at which 3·MIN_VALUE underflows.
    const n = netOf(1, [[[1], [1], [Number.MIN_VALUE * 3]], [0.0625, 0.0625, 1]], [[[1, -1, 1]], [0]]);
    ticking();
    expect(branchedSdpBound(n, null)).toBeNull();
  });

  it('honours the budget it is given, and a timeLimit given without one', () => {
    // Left alone, the search closes the bracket in two cells; the clock passes 1 s at the first check.
    for (const limits of [{ budget: new Budget(1) }, { timeLimit: 1 }]) {
      const clock = ticking();
      let calls = 0;
      const r = branchedSdpBound(f, far, { ...limits, onProgress: () => ++calls === 1 && clock.advance(2) })!;
      expect(r.stoppedBy).toBe('time');
      expect(calls).toBe(1);
      expect(r.seconds).toBeGreaterThan(2);
      expect(r.upper).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('branchedSdpBound on a box far from the origin', () => {
  it('bounds the root with the box’s states, finds its witnesses inside the box, and closes on Lip₂', () => {
    const truth = exactLip2(f, far);
    expect(truth).toBeCloseTo(2, 12);
    const clock = ticking();
    const r = branchedSdpBound(f, far, { budget: new Budget(100), onProgress: stopAt(clock, 40) })!;
    // The root is local LipSDP with two neurons stable: far below the global constant 8.
    expect(lipSdpBound(f, null)!.upper).toBeGreaterThanOrEqual(8);
    expect(r.rootUpper).toBeGreaterThanOrEqual(truth);
    expect(r.rootUpper).toBeLessThan(2.02);
    expect(r.stoppedBy).toBe('gap');
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.upper).toBeLessThanOrEqual(1.0001 * r.witness.value);
    // The witness is the best cell centre: a point of the box whose slope is the exact constant.
    expect(r.witness.x[0]).toBeGreaterThanOrEqual(11);
    expect(r.witness.x[0]).toBeLessThanOrEqual(14);
    expect(r.witness.value).toBe(witnessAt(f, r.witness.x, '2').value);
    expect(r.witness.value).toBeCloseTo(truth, 12);
  });

  it('on a box where f is affine (LipSDP has nothing to certify) still closes on the slope', () => {
    // On [10.5, 11.5] only the first two neurons matter, both on: f has slope 2.
    const box = boxFromPairs([[10.5, 11.5]], 1);
    const clock = ticking();
    expect(lipSdpBound(f, box)).toBeNull();
    const r = branchedSdpBound(f, box, { budget: new Budget(100), onProgress: stopAt(clock, 40) })!;
    expect(r.rootUpper).toBe(Infinity);
    expect(r.upper).toBeGreaterThanOrEqual(2);
    expect(r.upper).toBeLessThanOrEqual(2 + 1e-8); // the slope, up to the interval bound’s rounding margin
    expect(r.stoppedBy).toBe('gap');
  });
});

describe('branchedSdpBound over ℝᵈ without hidden biases', () => {
  // Independent rows without biases: every pattern is realised (allPatternsLip). The largest
  // gradient, (2, 0), has the last neuron off: both on, it is (1, 0.5).
  const homogeneous = netOf(2, [[[2, 0], [-1, 0.5]], [0, 0]], [[[1, 1]], [0]]);

  it('bounds every neuron of f on each facet (no carrier to drop) and meets witnesses at cell centres', () => {
    const lip = allPatternsLip(homogeneous);
    expect(lip).toBeCloseTo(2, 12);
    const clock = ticking();
    const r = branchedSdpBound(homogeneous, null, { budget: new Budget(100), onProgress: stopAt(clock, 6) })!;
    expect(r.upper).toBeGreaterThanOrEqual(lip * (1 - 1e-12));
    expect(r.upper).toBeLessThanOrEqual(r.rootUpper);
    expect(r.witness.value).toBeGreaterThan(0);
    expect(r.witness.value).toBe(witnessAt(homogeneous, r.witness.x, '2').value);
    expect(r.witness.value).toBeLessThanOrEqual(lip * (1 + 1e-12));
  });
});

describe('branchedSdpBound splits, on a tie in unstable neurons, the widest coordinate, then the first', () => {
  // h = relu(−x₁ − x₂ − 1/2), Lip₂ = √2. Halving either coordinate of a box centred at 0 leaves the
  // neuron unstable in both halves (a tie); the lower half (bounded first) has h's gradient
  // (−1, −1) at its centre, the upper half's centre is where h is off — so the search closes in two
  // cells, with its witness (the best centre, not the last) revealing which axis was halved.
  const h = netOf(2, [[[-1, -1]], [-0.5]], [[[1]], [0]]);
  it.each([
    { box: [[-1, 1], [-4, 4]], centre: [0, -2] },
    { box: [[-4, 4], [-1, 1]], centre: [-2, 0] },
    { box: [[-2, 2], [-2, 2]], centre: [-1, 0] },
  ])('$box', ({ box, centre }) => {
    const clock = ticking();
    const r = branchedSdpBound(h, boxFromPairs(box as [number, number][], 2), { budget: new Budget(100), onProgress: stopAt(clock, 40) })!;
    expect(r.stoppedBy).toBe('gap');
    expect(r.cells).toBe(2);
    expect(Array.from(r.witness.x)).toEqual(centre);
    expect(r.witness.value).toBeCloseTo(Math.SQRT2, 14);
    expect(r.upper).toBeGreaterThanOrEqual(Math.SQRT2);
  });
});
