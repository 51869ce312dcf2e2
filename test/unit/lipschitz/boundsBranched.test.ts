import { describe, expect, it } from 'vitest';
import type { LipschitzQuery } from '../../../src/lipschitz/query.js';
import type { Norm } from '../../../src/linalg/norms.js';
import type { Network } from '../../../src/network/network.js';
import { bruteForceLipschitz } from '../../support/bruteForce.js';
import { expectSoundBracket, stagesOnClock } from '../../support/boundsStages.js';
import { box, net } from '../../support/lipschitzUnits.js';

// certifiedBounds' step 4 for ℓ2 with two hidden layers or more: at 7 ≤ d ≤ 8 branch and bound on the
// input box with local LipSDP cells, at d ≤ 6 on activation patterns. For the former the rate is
// measured on the 1 ms-per-read clock itself, so a MIP's root LP is estimated at ~0.4 s and the MIPs
// do not fit these budgets: the search, then the branch and bound, get the time (the search's share
// used up at its first report, see stagesOnClock).
const { run } = stagesOnClock();

/**
 * APART's first layer on x₁, x₂ of d inputs (relu(x₁), relu(−x₁ − 0.2), relu(x₂)), then, with two
 * hidden layers, relu(h₁ − h₂ + h₃ + 4), active on the whole cube: ∇f = (s₁ + s₂, s₃, 0, …) with s₁, s₂
 * never 1 together, so Lip₂ = √2 on [−1, 1]^d while the pattern-agnostic bounds see √5.
 */
function apartIn(d: number, hidden: 1 | 2): Network {
  const row = (j: number, v: number) => Array.from({ length: d }, (_, i) => (i === j ? v : 0));
  const first: [number[][], number[]] = [[row(0, 1), row(0, -1), row(1, 1)], [0, -0.2, 0]];
  return hidden === 1 ? net(d, first, [[[1, -1, 1]], [0]]) : net(d, first, [[[1, -1, 1]], [4]], [[[1]], [0]]);
}
const cube = (d: number, norm: Norm = '2'): LipschitzQuery => ({ norm, box: box(Array(d).fill(-1), Array(d).fill(1)) });

describe('certifiedBounds: the branch and bounds of step 4', () => {
  it('ℓ2 at d = 8 with two hidden layers: runs after the search, sound, with its cells noted', async () => {
    const n = apartIn(8, 2);
    const lip = bruteForceLipschitz(n, '2', cube(8).box);
    const { r, stages } = await run(n, cube(8), 0.45, {}, false);
    expectSoundBracket(n, cube(8), r, lip.lipschitz);
    expect(r.lower).toBe(lip.lipschitz);
    expect(r.skipped.some((x) => x.startsWith('the MIP bounds (1 MIPs'))).toBe(true); // the premise: no MIP here
    expect(r.methods['branched-lipsdp'].kind).toBe('upper');
    expect(r.methods['branched-lipsdp'].note).toMatch(/^\d+ cells with local LipSDP bounds, \d+ leaves open, stopped by \w+$/);
    expect(stages).toContain('branched LipSDP');
    expect(r.methods['pattern-branch']).toBeUndefined(); // d > 6
  });
  it('not for p = 1, not above d = 8, not with one hidden layer (the search then keeps 95 % of the time)', async () => {
    for (const [n, query] of [[apartIn(2, 2), cube(2, '1')], [apartIn(9, 2), cube(9)], [apartIn(8, 1), cube(8)]] as const) {
      const { r, stages } = await run(n, query, 0.45, {}, false);
      expect(r.gap).toBeGreaterThan(1.5); // the premise: the bracket is open, the time not all gone ...
      expect([r.methods['branched-lipsdp'], stages.includes('branched LipSDP')]).toEqual([undefined, false]); // ... yet no branching
      expect(r.skipped.some((x) => x.startsWith('the MIP bounds'))).toBe(true); // the MIPs, planned, did not fit ...
      expect([r.methods.mip, r.methods['cutting-planes']]).toEqual([undefined, undefined]); // ... and were not started
    }
  });
  it('ℓ2 at d = 2 with two hidden layers: the branch and bound over activation patterns instead (no MIP planned), closing the bracket', async () => {
    const n = apartIn(2, 2);
    const lip = bruteForceLipschitz(n, '2', cube(2).box).lipschitz;
    const { r, stages, uppers } = await run(n, cube(2), 0.3);
    expectSoundBracket(n, cube(2), r, lip);
    const branch = r.methods['pattern-branch'];
    expect(branch.kind).toBe('upper');
    expect(branch.note).toMatch(/^\d+ activation-pattern nodes \(root LipSDP [0-9.]+, its multipliers re-certified per node\), 0 open, stopped by gap$/);
    expect(r.methods.lipsdp.value).toBeGreaterThan(1.5 * lip); // the premise: the root bound leaves the bracket open
    expect(branch.value).toBeLessThanOrEqual(1.0001 * lip);
    expect([r.upper, r.lower, r.stoppedOnTime]).toEqual([branch.value, lip, false]);
    expect(Math.min(...uppers.filter((_, i) => stages[i] === 'pattern branch and bound'))).toBe(branch.value);
    expect(r.skipped.filter((x) => /MIP/.test(x))).toEqual([]);
    expect([r.methods.mip, r.methods['cutting-planes'], r.methods['branched-lipsdp']]).toEqual([undefined, undefined, undefined]);
  });
  it('neither branch and bound once the bracket is within the target gap', async () => {
    for (const [n, d, fast] of [[apartIn(2, 2), 2, true], [apartIn(8, 2), 8, false]] as const) {
      const { r, stages } = await run(n, cube(d), 0.45, { targetGap: 1.6 }, fast); // [√2, √5]: within 1.6
      expect(r.gap).toBeLessThanOrEqual(1.6);
      expect(stages.filter((x) => /branch/.test(x))).toEqual([]);
    }
  });
});
