import { describe, expect, it } from 'vitest';
import { certifiedBounds, type BoundsResult } from '../../../src/lipschitz/bounds.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { exactLipschitz } from '../../../src/lipschitz/exact/index.js';
import { jacobian } from '../../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../../src/linalg/norms.js';
import type { Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { clockPerTest, globalQuery, randomNet } from '../../support/lipschitzUnits.js';

// certifiedBounds' later stages (the MIPs, the pattern branch and bound) start only with more than
// 0.05 s left after the searches: here a clock that advances 1 ms per read, so a budget of 1 s is
// 1,000 reads (the measured rate is then 1e-3 / (50 · 2048) s per multiply-add). HiGHS keeps its own
// wall-clock limit, so how far a MIP gets may vary; every assertion holds either way.
const ticking = clockPerTest();
const s = createStream(51, 'test/unit/boundsMip');
const deep = randomNet(s, 2, [2, 2]);
randomNet(s, 2, [2], 2);
const shallow = randomNet(s, 2, [3]);

function exact(n: Network, norm: Norm): number {
  const e = exactLipschitz(n, globalQuery(norm));
  if (e.kind !== 'exact') throw new Error(e.message);
  return e.lipschitz;
}

function expectSound(n: Network, norm: Norm, r: BoundsResult, lip: number) {
  expect(r.exact).toBeNull();
  expect(operatorNorm(jacobian(n, r.witness), norm)).toBe(r.lower);
  expect(r.lower).toBeLessThanOrEqual(lip * (1 + 1e-12));
  for (const [name, m] of Object.entries(r.methods)) if (m.kind === 'upper') expect(m.value, name).toBeGreaterThanOrEqual(lip * (1 - 1e-9));
  expect(r.upper).toBe(Math.min(...Object.values(r.methods).filter((m) => m.kind === 'upper').map((m) => m.value)));
}

describe('certifiedBounds past the searches', () => {
  it('p = ∞: one MIP per output row; a row that does not fit leaves no bound (a maximum over some rows bounds nothing)', async () => {
    ticking(1);
    const stages: string[] = [];
    const r = await certifiedBounds(shallow, globalQuery('inf'), { budget: new Budget(1), maxExactRegions: 1, onProgress: (stage) => stages.push(stage) });
    expectSound(shallow, 'inf', r, exact(shallow, 'inf'));
    const mip = r.methods.mip;
    expect(mip.note).toBe('one MIP per column/row (LipMIP-style)');
    // The MIP ran (reporting its stage), or its root LP no longer fitted and it was named as skipped.
    expect(stages.includes('MIP') || r.skipped.includes('1 of 1 MIPs')).toBe(true);
  });
  it('ℓ2, d ≤ 6, two hidden layers: the branch and bound over activation patterns, sound, with its nodes noted', async () => {
    ticking(1);
    const stages: string[] = [];
    const r = await certifiedBounds(deep, globalQuery('2'), { budget: new Budget(1), maxExactRegions: 1, onProgress: (stage) => stages.push(stage) });
    const lip = exact(deep, '2');
    expectSound(deep, '2', r, lip);
    const branch = r.methods['pattern-branch'];
    expect(branch.note).toMatch(/^\d+ activation-pattern nodes \(root LipSDP [0-9.]+, its multipliers re-certified per node\), \d+ open, stopped by \w+$/);
    expect(branch.value).toBeLessThan(r.methods.lipsdp.value); // the premise: the branching helped
    expect(r.methods['cutting-planes']).toBeUndefined(); // superseded where the pattern branch applies
    expect(stages).toContain('pattern branch and bound');
  });
});
