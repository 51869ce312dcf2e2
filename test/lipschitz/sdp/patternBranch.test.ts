import { describe, expect, it } from 'vitest';
import { exactLip2, papersNet } from '../../support/euclidean.js';
import { witnessAt } from '../../../src/lipschitz/lower/witness.js';
import { boxFromPairs } from '../../../src/lipschitz/query.js';
import { patternBranchBound } from '../../../src/lipschitz/upper/sdp/index.js';
import { denseLayer, makeNetwork } from '../../../src/network/network.js';

const net = (d: number, widths: number[], seed: number, bias = 'normal:1', outputs = 1) => papersNet(d, widths, seed, outputs, bias);
const exact = exactLip2;

describe('pattern branch and bound (facets + neuron cuts + local LipSDP)', () => {
  // Small nets run to the end: every leaf's pattern is then fixed, so the bracket closes on the
  // exact value from region enumeration (an independent method): a pruned region shows as
  // upper < exact, a wrong leaf bound as upper > exact.
  it.each([
    { name: 'd=2 biased, global', n: net(2, [5, 4], 11), box: null },
    { name: 'd=3 bias-free, global (facets of dimension 2)', n: net(3, [5, 4], 12, 'zero'), box: null },
    { name: 'd=1 bias-free, global (lifted facets)', n: net(1, [4, 3], 13, 'zero'), box: null },
    { name: 'd=2, two outputs, global', n: net(2, [4, 3], 14, 'normal:1', 2), box: null },
    { name: 'd=2 on a box', n: net(2, [6, 4], 15), box: boxFromPairs([[-1, 0.5], [0, 2]], 2) },
    { name: 'd=2 on a far, thin box', n: net(2, [5, 3], 16), box: boxFromPairs([[1e6, 1e6 + 1], [-0.3, 0.3]], 2) },
  ])('$name: lower ≤ exact ≤ upper, and the bracket closes', ({ n, box }) => {
    const truth = exact(n, box);
    const r = patternBranchBound(n, box, { timeLimit: 4, lowerShare: 0, rootTimeLimit: 0.5 })!;
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.lower).toBeLessThanOrEqual(truth * (1 + 1e-12));
    expect(r.upper).toBeLessThanOrEqual(r.rootUpper);
    // The witness is a real point whose gradient norm is the lower end.
    expect(witnessAt(n, r.witness.x, '2').value).toBe(r.lower);
    expect(r.stoppedBy).not.toBe('time');
    expect(r.upper).toBeLessThanOrEqual(truth * 1.0002 + 1e-12);
  });

  it('sound on a degenerate arrangement: hyperplanes through one point, a duplicate and a negated neuron', () => {
    // Every first-layer hyperplane passes through p = (0.3, −0.2) (b = −w·p), so cuts meet in a point
    // whose sign constraints the relaxed LPs cannot separate: the bound may stay loose there, never low.
    const rows = [[1, 0.5], [-0.7, 1], [0.2, -1.3], [1, 0.5], [-1, -0.5]];
    const first = denseLayer(rows, rows.map(([a, b]) => -(0.3 * a - 0.2 * b)));
    const n = makeNetwork(2, [first, denseLayer([[0.8, -1.1, 0.6, 0.4, 0.9], [-0.5, 0.7, 1.2, -0.3, 0.2]], [0.1, -0.2]), denseLayer([[1.1, -0.9]], [0])]);
    for (const box of [null, boxFromPairs([[0, 1], [-1, 0]], 2)]) {
      const truth = exact(n, box);
      const r = patternBranchBound(n, box, { timeLimit: 0.4, lowerShare: 0, rootTimeLimit: 0.1 })!;
      expect(r.upper).toBeGreaterThanOrEqual(truth);
      expect(r.lower).toBeLessThanOrEqual(truth * (1 + 1e-12));
    }
  });

  it('anytime: with no budget the root bound stands, and a dead network is exhausted at 0', () => {
    const n = net(2, [5, 4], 17);
    const truth = exact(n, null);
    const r = patternBranchBound(n, null, { timeLimit: 0, lowerShare: 0 })!;
    expect(r.upper).toBeGreaterThanOrEqual(truth);
    expect(r.stoppedBy).toBe('time');
    const dead = makeNetwork(1, [denseLayer([[1], [1]], [-5, -5]), denseLayer([[1, 1]], [0])]);
    const flat = patternBranchBound(dead, boxFromPairs([[0, 1]], 1), { timeLimit: 1, lowerShare: 0 })!;
    expect(flat.upper).toBe(0);
    expect(patternBranchBound(makeNetwork(1, [denseLayer([[2]], [0])]), null)).toBeNull();
  });
});
