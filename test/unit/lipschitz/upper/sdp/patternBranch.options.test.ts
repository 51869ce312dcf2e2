import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { witnessAt } from '../../../../../src/lipschitz/lower/witness.js';
import { inBox } from '../../../../support/lowerUnits.js';
import { boxFromPairs, type Box } from '../../../../../src/lipschitz/query.js';
import { patternBranchBound } from '../../../../../src/lipschitz/upper/sdp/patternBranch.js';
import type { Network } from '../../../../../src/network/network.js';
import { exactLip2, papersNet } from '../../../../support/euclidean.js';
import { clockPerTest, jumpAtFirstPoll, spent } from '../../../../support/lipschitzUnits.js';
import { allPatternsLip, netOf, pairNet } from '../../../../support/sdpUnits.js';

// What patternBranchBound's options and result fields promise, on a ticking clock (every read of
// performance.now() moves it by 2⁻¹⁰ ms, so a zero budget is spent at once, as on a real machine,
// while budgets of seconds last millions of reads; the tests stop runs by moving the clock).
const ticking = clockPerTest();
// Exact Lip₂ by region enumeration (exact/, an independent algorithm).
const known = new Map<Network, number>();
const exact = (n: Network, box: Box | null): number => {
  if (!known.has(n)) known.set(n, exactLip2(n, box));
  return known.get(n)!;
};

describe('patternBranchBound: refusals and time limits', () => {
  it('returns null over ℝᵈ when the first layer cannot be scaled exactly onto the facets', () => {
    // Kink distances 2⁻⁴, 2⁻⁴ and ~1e323: the scale is 2⁻⁴, at which 3·MIN_VALUE underflows.
    const n = netOf(1, [[[1], [1], [Number.MIN_VALUE * 3]], [0.0625, 0.0625, 1]], [[[1, -1, 1]], [0]]);
    ticking();
    expect(patternBranchBound(n, null, { lowerShare: 0 })).toBeNull();
  });

  it('honours a timeLimit given without a budget', () => {
    const clock = ticking();
    let calls = 0;
    const r = patternBranchBound(pairNet, null, { timeLimit: 1, lowerShare: 0, targetGap: 0.5, onProgress: () => ++calls === 1 && clock.advance(2) })!;
    // Past its one second at the first check: it stops there, its bound still sound.
    expect(r.stoppedBy).toBe('time');
    expect(r.seconds).toBeGreaterThan(2);
    expect(r.seconds).toBeLessThan(3);
    expect(calls).toBe(1);
    expect(r.upper).toBeGreaterThanOrEqual(allPatternsLip(pairNet) * (1 - 1e-12));
  });
});

describe('patternBranchBound: the lower end', () => {
  // g = relu(x₁ + 100) − 7·relu(−x₁) + 3·relu(x₁ − 7) − 3·relu(x₁ − 9) + relu(x₂ + 100): on the box
  // [0, 10] × [0, 1] the gradient is (1, 1), or (4, 1) on 7 < x₁ < 9, so Lip₂ = √17 there; left of
  // the box (x₁ < 0) it is (−6, 1), larger. The root node's LP vertices are box corners whose mean
  // has 4 ≤ x₁ ≤ 6, where the gradient is (1, 1).
  const g = netOf(2, [[[1, 0], [-1, 0], [1, 0], [1, 0], [0, 1]], [100, 0, -7, -9, 100]], [[[1, -7, 3, -3, 1]], [0]]);
  const box = boxFromPairs([[0, 10], [0, 1]], 2);

  it('by default spends a share of the budget on lowerBound over the box, which finds the exact constant', () => {
    const truth = exact(g, box);
    expect(truth).toBeCloseTo(Math.sqrt(17), 12);
    // Both runs stop after the root node (the clock jumps at the first check).
    const run = (lowerShare?: number) => {
      const clock = ticking(1);
      let calls = 0;
      return patternBranchBound(g, box, { budget: new Budget(0.5), lowerShare, onProgress: () => ++calls === 1 && clock.advance(100) })!;
    };
    const without = run(0);
    expect(without.lower).toBeLessThan(truth / 2); // premise: the root's own witness is at (1, 1)
    const r = run(undefined);
    // lowerBound sampled the box (4096 uniform points, each in the slab 7 < x₁ < 9 with probability
    // 1/5): it found the slab, and only points of the box count (outside, ‖∇g‖ = √37 would).
    expect(r.lower).toBeCloseTo(truth, 12);
    expect(r.lower).toBeLessThanOrEqual(truth * (1 + 1e-12));
    expect(inBox(r.witness.x, box)).toBe(true);
    expect(witnessAt(g, r.witness.x, '2').value).toBe(r.lower);
    expect(r.upper).toBeGreaterThanOrEqual(truth);
  });
});

describe('patternBranchBound: node bounds and stop conditions', () => {
  // 2 → 8 → 1 on [−2, 2]²: the root's LipSDP bound is 14 % above the exact constant.
  const wide = papersNet(2, [8], 10);
  const square = boxFromPairs([[-2, 2], [-2, 2]], 2);

  it('re-certifies each child with its own states: one split already beats the root bound', () => {
    const truth = exact(wide, square);
    const clock = ticking();
    const r = patternBranchBound(wide, square, { budget: new Budget(100), lowerShare: 0, onProgress: (_u, _l, nodes) => nodes >= 3 && clock.advance(1000) })!;
    expect(r.nodes).toBe(3);
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.upper).toBeLessThan(r.rootUpper * 0.95);
    // Stopped on time with the bracket still open: the top leaf (of the two) counts as open.
    expect(r.stoppedBy).toBe('time');
    expect(r.upper).toBeGreaterThan(1.0001 * r.lower);
    expect(r.open).toBeGreaterThanOrEqual(1);
    expect(r.open).toBeLessThanOrEqual(2);
  });

  it('closes the bracket on the exact constant, stops at the gap, and then counts no open leaf', () => {
    const truth = exact(wide, square);
    ticking();
    const r = patternBranchBound(wide, square, { budget: new Budget(100), lowerShare: 0 })!;
    expect(r.stoppedBy).toBe('gap');
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.lower).toBeLessThanOrEqual(truth * (1 + 1e-12));
    expect(r.upper).toBeLessThanOrEqual(1.0001 * r.lower);
    expect(r.nodes).toBeGreaterThan(3);
    expect(r.open).toBe(0);
    expect(inBox(r.witness.x, square)).toBe(true);
    expect(witnessAt(wide, r.witness.x, '2').value).toBe(r.lower);
  });

  it('on a box where f is constant: the root node is exhausted at 0', () => {
    // Both neurons are off on [0, 1]: f = 0 there.
    const dead = netOf(1, [[[1], [1]], [-5, -5]], [[[1, 1]], [0]]);
    ticking();
    const r = patternBranchBound(dead, boxFromPairs([[0, 1]], 1), { budget: new Budget(10), lowerShare: 0 })!;
    expect(r).toMatchObject({ upper: 0, stoppedBy: 'exhausted', nodes: 1, open: 0 });
  });
});

describe('patternBranchBound over ℝᵈ: facets the budget did not reach', () => {
  // 2 → 3 → 2 → 1: its first facet's own bound (about 0.46) is below Lip₂ (about 0.63).
  const n = papersNet(2, [3, 2], 5);

  it('keep the root bound, in the result and in the stop test, so the bracket stays sound', () => {
    const truth = exact(n, null);
    const clock = ticking();
    // The caller's lower bound is Lip₂ itself; the clock jumps while the first facet is evaluated.
    const r = patternBranchBound(n, null, { budget: new Budget(10), lowerShare: 0, lower: jumpAtFirstPoll((s) => clock.advance(s), truth) })!;
    expect(r.nodes).toBe(1);
    expect(r.rootUpper).toBeGreaterThan(1.0001 * truth); // premise: the root alone does not close the gap
    expect(r.stoppedBy).toBe('time');
    expect(r.upper).toBe(r.rootUpper);
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.lower).toBe(truth);
  });

  it('with a budget spent before the start, still bound one facet and say it stopped on time', () => {
    const truth = exact(n, null);
    ticking();
    const r = patternBranchBound(n, null, { budget: spent(), lowerShare: 0 })!;
    expect(r).toMatchObject({ nodes: 1, stoppedBy: 'time', open: 1 });
    expect(r.upper).toBe(r.rootUpper);
    expect(r.upper).toBeGreaterThanOrEqual(truth);
  });
});
