import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { witnessAt } from '../../../../../src/lipschitz/lower/witness.js';
import { boxFromPairs } from '../../../../../src/lipschitz/query.js';
import { lipSdpBound } from '../../../../../src/lipschitz/upper/sdp/lipSdp.js';
import { patternBranchBound } from '../../../../../src/lipschitz/upper/sdp/patternBranch.js';
import { exactLip2, papersNet } from '../../../../support/euclidean.js';
import { clockPerTest, stopAt } from '../../../../support/lipschitzUnits.js';
import { netOf } from '../../../../support/sdpUnits.js';

// Pattern branch and bound through its cuts: run to the end on small nets, the bracket closes on
// the exact constant from region enumeration (exact/, an independent algorithm), so a cut on the
// wrong side, a wrong row or a state fixed wrongly shows as upper < exact or as a bracket that stays
// open. A ticking clock (2⁻¹⁰ ms per read): zero budgets are spent at once, as on a real machine.
const ticking = clockPerTest();
/** Moves the clock past any budget once `nodes` nodes are bounded (a guard: these runs close in fewer). */

describe('patternBranchBound with two hidden layers', () => {
  it.each([
    { name: 'over ℝ² (lifted facets, a carrier neuron in each layer)', n: papersNet(2, [3, 2], 5), box: null },
    { name: 'on a box', n: papersNet(2, [4, 3], 21), box: boxFromPairs([[-1, 1], [-1, 1]], 2) },
  ])('$name: moves down a layer once one is stable, and closes on Lip₂', ({ n, box }) => {
    const truth = exactLip2(n, box);
    const clock = ticking();
    const r = patternBranchBound(n, box, { budget: new Budget(100), lowerShare: 0, onProgress: stopAt(clock, 200) })!;
    expect(r.stoppedBy).toBe('gap');
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.lower).toBeLessThanOrEqual(truth * (1 + 1e-12));
    expect(r.upper).toBeLessThanOrEqual(1.0001 * r.lower);
    expect(r.upper).toBeLessThan(r.rootUpper);
    expect(witnessAt(n, r.witness.x, '2').value).toBe(r.lower);
  });
});

describe('patternBranchBound re-certifies nodes whose first layer is stable', () => {
  // 2 → 2 → 4 → 1 on [−1, 1]²: the first cut leaves a child with both first-layer neurons fixed and
  // unstable neurons only in the second layer; its LipSDP certificate (the root's multipliers
  // restricted to its states) is what brings the bound down after one split.
  const n = papersNet(2, [2, 4], 26);
  const box = boxFromPairs([[-1, 1], [-1, 1]], 2);
  it('one split already beats the root bound by 5 %', () => {
    const truth = exactLip2(n, box);
    const clock = ticking();
    const r = patternBranchBound(n, box, { budget: new Budget(100), lowerShare: 0, onProgress: stopAt(clock, 3) })!;
    expect(r.nodes).toBe(3);
    expect(r.stoppedBy).toBe('time');
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.upper).toBeLessThan(0.95 * r.rootUpper);
  });
});

describe('patternBranchBound on a box where f is affine', () => {
  // 8·relu(x) − 6·relu(x − 10) − relu(x − 12) on [10.5, 11.5]: the first two neurons on, the third
  // off; f has slope 2 there and LipSDP has nothing to certify.
  const f = netOf(1, [[[1], [1], [1]], [0, -10, -12]], [[[8, -6, -1]], [0]]);
  const box = boxFromPairs([[10.5, 11.5]], 1);

  it('bounds the one node by its pattern: the slope, and nothing left to split', () => {
    ticking();
    expect(lipSdpBound(f, box)).toBeNull();
    const r = patternBranchBound(f, box, { budget: new Budget(100), lowerShare: 0, targetGap: 0.5 })!;
    expect(r.rootUpper).toBe(Infinity);
    expect(r.stoppedBy).toBe('exhausted');
    expect(r.nodes).toBe(1);
    expect(r.upper).toBeGreaterThanOrEqual(2);
    expect(r.upper).toBeLessThanOrEqual(2 + 1e-8); // the slope, up to the interval bound's rounding margin
    expect(r.lower).toBe(2);
  });
});
