import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../../../src/lipschitz/query.js';
import { branchedSdpBound } from '../../../../../src/lipschitz/upper/sdp/branch.js';
import { patternBranchBound } from '../../../../../src/lipschitz/upper/sdp/patternBranch.js';
import { evaluate } from '../../../../../src/network/evaluate.js';
import { allPatternsLip, netOf, pairNet } from '../../../../support/sdpUnits.js';
import { jumpAtFirstPoll } from '../../../../support/lipschitzUnits.js';

// A controlled clock: budgets run out only when a test moves time (ms).
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'], now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

// f(x) = relu(x) − 2·relu(x − 1): slopes 0, 1, −1 on (−∞, 0), (0, 1), (1, ∞): Lip₂ = 1 on any box meeting (0, ∞).
const kink = netOf(1, [[[1], [1]], [0, -1]], [[[1, -2]], [0]]);
const box = boxFromPairs([[-2, 3]], 1);
// Lip₂ of pairNet over ℝ² (every pattern is realised: independent rows).
const pairLip = allPatternsLip(pairNet);

describe('branch and bound on the input domain (branch.ts), on a controlled clock', () => {
  it('a box: sound, no worse than the root, and it closes the gap to the exact constant', () => {
    const r = branchedSdpBound(kink, box, { budget: new Budget(10), lower: () => 1 })!;
    expect(r.stoppedBy).toBe('gap');
    expect(r.upper).toBeGreaterThanOrEqual(1);
    expect(r.upper).toBeLessThanOrEqual(1.0001);
    expect(r.upper).toBeLessThanOrEqual(r.rootUpper);
    expect(r.rootUpper).toBeGreaterThan(1.0001); // the root alone does not close it: branching did
    expect(r.cells).toBeGreaterThan(1);
    expect(r.leaves).toBeGreaterThan(1);
    // The witness is a certified lower bound at a cell centre: at most the exact constant.
    expect(r.witness.value).toBeLessThanOrEqual(1 + 1e-12);
    expect(r.witness.value).toBeGreaterThan(0);
  });

  it('global (the facets of the homogenised cube): exact ≤ upper ≤ root, progress reported', () => {
    const seen: number[] = [];
    const r = branchedSdpBound(pairNet, null, {
      budget: new Budget(10),
      onProgress: (upper, lower, cells) => {
        seen.push(upper);
        expect(lower).toBeLessThanOrEqual(pairLip * (1 + 1e-12));
        if (cells >= 12) vi.advanceTimersByTime(11_000);
      },
    })!;
    expect(r.upper).toBeGreaterThanOrEqual(pairLip * (1 - 1e-12));
    expect(r.upper).toBeLessThanOrEqual(r.rootUpper);
    expect(['time', 'gap']).toContain(r.stoppedBy);
    // The largest open bound never grows.
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeLessThanOrEqual(seen[i - 1]);
  });

  it('stops at the budget with the bound so far, at once on a constant network, and refuses a net without hidden layers', () => {
    const budget = new Budget(5);
    const r = branchedSdpBound(kink, box, { budget, targetGap: 0.5, onProgress: (_u, _l, cells) => cells >= 3 && vi.advanceTimersByTime(6000) })!;
    expect(r.stoppedBy).toBe('time');
    expect(r.upper).toBeGreaterThanOrEqual(1);
    expect(r.seconds).toBeGreaterThanOrEqual(6);
    const flat = netOf(1, [[[1], [1]], [0, -1]], [[[0, 0]], [2]]);
    expect(evaluate(flat, [0.5])[0]).toBe(2);
    expect(branchedSdpBound(flat, box, { budget: new Budget(5) })).toMatchObject({ upper: 0, stoppedBy: 'exhausted' });
    expect(branchedSdpBound(netOf(1, [[[2]], [0]]), box)).toBeNull();
  });
});

describe('branchedSdpBound splits where the kinks are (splitAxis)', () => {
  // g(x) = relu(x₂) − 2·relu(x₂ − 1): slopes 0, 1, −1 in x₂, none in x₁, so Lip₂ = 1 on any box
  // meeting x₂ ∈ (0, 1). On [−100, 100] × [−2, 3] the wide axis x₁ is useless to split (both halves
  // keep both neurons unstable); halving x₂ at 0.5 leaves one unstable neuron per half, where the
  // bound is exact (one neuron: 1). So two cells close the gap — and only if x₂ is chosen.
  const g = netOf(2, [[[0, 1], [0, 1]], [0, -1]], [[[1, -2]], [0]]);
  it('chooses the coordinate that leaves the fewest unstable neurons, not the widest', () => {
    const r = branchedSdpBound(g, boxFromPairs([[-100, 100], [-2, 3]], 2), { budget: new Budget(10), lower: () => 1, onProgress: (_u, _l, cells) => cells >= 40 && vi.advanceTimersByTime(11_000) })!;
    expect(r.rootUpper).toBeGreaterThan(1.0001);
    expect(r.stoppedBy).toBe('gap');
    expect(r.cells).toBe(2);
    expect(r.upper).toBeGreaterThanOrEqual(1);
    expect(r.upper).toBeLessThanOrEqual(1.0001);
    // The same net with the roles swapped: x₁ is now the one to split.
    const swapped = netOf(2, [[[1, 0], [1, 0]], [0, -1]], [[[1, -2]], [0]]);
    const t = branchedSdpBound(swapped, boxFromPairs([[-2, 3], [-100, 100]], 2), { budget: new Budget(10), lower: () => 1, onProgress: (_u, _l, cells) => cells >= 40 && vi.advanceTimersByTime(11_000) })!;
    expect(t.stoppedBy).toBe('gap');
    expect(t.cells).toBe(2);
  });
});

describe('pattern branch and bound (patternBranch.ts), on a controlled clock', () => {
  it('a box: lower ≤ exact ≤ upper, and the bracket closes', () => {
    const r = patternBranchBound(kink, box, { budget: new Budget(10), lowerShare: 0 })!;
    expect(r.lower).toBeLessThanOrEqual(1 + 1e-12);
    expect(r.upper).toBeGreaterThanOrEqual(1);
    expect(r.upper).toBeLessThanOrEqual(r.rootUpper);
    expect(r.upper).toBeLessThanOrEqual(1.0001 * r.lower);
    expect(['gap', 'exhausted']).toContain(r.stoppedBy);
    expect(r.nodes).toBeGreaterThan(1);
  });

  it('global: the facets’ bracket holds the exact constant; the budget stops it with open leaves counted', () => {
    const r = patternBranchBound(pairNet, null, { budget: new Budget(10), lowerShare: 0 })!;
    expect(r.lower).toBeLessThanOrEqual(pairLip * (1 + 1e-12));
    expect(r.upper).toBeGreaterThanOrEqual(pairLip * (1 - 1e-12));
    expect(r.upper).toBeLessThanOrEqual(1.0001 * r.lower);
    const cut = patternBranchBound(pairNet, null, { budget: new Budget(10), lowerShare: 0, targetGap: 1, onProgress: (_u, _l, nodes) => nodes >= 6 && vi.advanceTimersByTime(11_000) })!;
    expect(cut.stoppedBy).toBe('time');
    expect(cut.upper).toBeGreaterThanOrEqual(pairLip * (1 - 1e-12));
    expect(cut.open).toBeGreaterThan(0);
    expect(patternBranchBound(netOf(1, [[[2]], [0]]), box)).toBeNull();
  });

  it('ends exhausted once the top node has every neuron stable, and keeps the root bound for facets the budget left unreached', () => {
    const all = patternBranchBound(kink, box, { budget: new Budget(10), lowerShare: 0, targetGap: 0.5 })!;
    expect(all.stoppedBy).toBe('exhausted');
    expect(all.upper).toBeGreaterThanOrEqual(1);
    expect(all.upper).toBeLessThanOrEqual(1 + 1e-8); // the pattern’s own slope, up to the interval bound’s margin
    // The clock jumps while the first facet is evaluated: the others keep the root's LipSDP bound.
    const early = patternBranchBound(pairNet, null, { budget: new Budget(10), lowerShare: 0, lower: jumpAtFirstPoll((s) => vi.advanceTimersByTime(1000 * s), 0) })!;
    expect(early.stoppedBy).toBe('time');
    expect(early.upper).toBe(early.rootUpper);
    expect(early.upper).toBeGreaterThanOrEqual(pairLip * (1 - 1e-12));
  });
});
