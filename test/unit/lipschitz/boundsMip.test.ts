import { describe, expect, it } from 'vitest';
import type { BoundsResult } from '../../../src/lipschitz/bounds.js';
import { bruteForceLipschitz } from '../../support/bruteForce.js';
import { net } from '../../support/lipschitzUnits.js';
import { APART, CUBE, MIP_SLACK, expectSoundBracket, onCube, stagesOnClock } from '../../support/boundsStages.js';

// certifiedBounds' MIP stage (step 3) for p = 1 and ∞ on nets whose MIPs are exact; values checked
// against bruteForceLipschitz (every pattern, HiGHS feasibility LPs: independent of the MIP encoding).
const { run, advance } = stagesOnClock();
/**
 * APART plus 3·relu(x₁ − 0.5) − 3·relu(x₁ − 0.501): ∂f/∂x₁ = 4 on the slab 0.5 < x₁ < 0.501 (a
 * thousandth of the cube's width), at most 1 elsewhere; Lip₁ = 4 while the pattern-agnostic bounds
 * see ∂f/∂x₁ ∈ [−3, 5].
 */
const SLAB = net(2, [[[1, 0], [-1, 0], [0, 1], [1, 0], [1, 0]], [0, -0.2, 0, -0.5, -0.501]], [[[1, -1, 1, 3, -3]], [0]]);
const quickest = (r: BoundsResult) => Math.min(...['operator-norm-product', 'interval-jacobian', 'linear-relaxation'].map((m) => r.methods[m].value));
const mips = (stages: string[]) => stages.filter((s) => s === 'MIP').length;

describe('certifiedBounds: one MIP per column (p = 1) or row (p = ∞) over realisable patterns', () => {
  it('p = 1: a MIP per input column; their maximum closes the bracket, and the maximising pattern gives the witness the ascent missed', async () => {
    const lip = bruteForceLipschitz(SLAB, '1', CUBE).lipschitz;
    const { r, stages, uppers } = await run(SLAB, onCube('1'), 1);
    expectSoundBracket(SLAB, onCube('1'), r, lip);
    expect(uppers[stages.lastIndexOf('MIP')]).toBe(r.methods.mip.value); // the progress reports the bracket as it narrows
    expect(quickest(r)).toBeGreaterThanOrEqual(1.25 * lip); // the premise: the quick bounds see ∂f/∂x₁ up to 5
    expect(mips(stages)).toBe(2);
    expect(r.methods.mip).toMatchObject({ kind: 'upper', note: 'one MIP per column/row (LipMIP-style)' });
    expect(r.methods.mip.value).toBeLessThanOrEqual(lip * (1 + MIP_SLACK));
    expect(r.methods.ascent.value).toBeLessThan(lip); // a fixed-seed fact: the ascent (the only search here) missed the slab
    expect([r.upper, r.lower]).toEqual([r.methods.mip.value, lip]); // the witness: the centre of the MIP's pattern's region
    expect([r.gap <= 1.0001, r.stoppedOnTime, r.methods['cutting-planes']]).toEqual([true, false, undefined]);
    expect(r.skipped).not.toContain('the exact solver (its share of the time ran out)'); // it stopped at its region cap
  });
  it('p = ∞: a MIP per output row (one here); with the target gap at 1 its margin leaves the bracket open, and no ℓ2 stage follows', async () => {
    const lip = bruteForceLipschitz(APART, 'inf', CUBE).lipschitz;
    const { r, stages } = await run(APART, onCube('inf'), 0.25, { targetGap: 1 });
    expectSoundBracket(APART, onCube('inf'), r, lip);
    expect(quickest(r)).toBeGreaterThanOrEqual(1.5 * lip);
    expect(mips(stages)).toBe(1);
    expect(r.methods.mip.value).toBeLessThanOrEqual(lip * (1 + MIP_SLACK));
    expect([r.upper, r.lower]).toEqual([r.methods.mip.value, lip]);
    expect(r.gap).toBeGreaterThan(1); // MIP_MARGIN: the bound is never the witness's value itself
    expect(r.stoppedOnTime).toBe(true);
    expect(Object.keys(r.methods).filter((m) => /branch/.test(m))).toEqual([]); // the branch and bounds are ℓ2 methods
  });
  it('a family of MIPs cut short bounds nothing: the time gone after the first column, the second is skipped and named', async () => {
    const { r, stages } = await run(APART, onCube('1'), 0.45, { onProgress: (stage) => stage === 'MIP' && advance(1) });
    expect(mips(stages)).toBe(1);
    expect(r.skipped).toContain('1 of 2 MIPs');
    expect(r.methods.mip.value).toBe(Infinity); // a maximum over one column of two
    expect([r.upper, r.stoppedOnTime]).toEqual([quickest(r), true]);
  });
  it('no MIP once the searches leave 0.05 s or less, or once they closed the bracket to the target gap', async () => {
    const short = (await run(APART, onCube('1'), 0.06)).r;
    expect(short.skipped.filter((s) => /MIP/.test(s))).toEqual([]); // planned (they fitted before the searches) ...
    expect([short.methods.mip, short.stoppedOnTime]).toEqual([undefined, true]); // ... but not started
    const wide = await run(APART, onCube('1'), 0.45, { targetGap: 2.5 });
    expect(wide.r.upper).toBeLessThanOrEqual(2.5 * wide.r.lower);
    expect([wide.r.methods.mip, wide.r.stoppedOnTime, mips(wide.stages)]).toEqual([undefined, false, 0]);
    const closed = await run(APART, onCube('inf'), 0.25, { targetGap: 1.6 }); // [2, 3]: within 1.6
    expect([closed.r.gap <= 1.6, mips(closed.stages)]).toEqual([true, 0]);
  });
  it('stopWhen.lowerAbove: a witness above it stops right after the search; one that only attains it does not', async () => {
    const lip = bruteForceLipschitz(APART, 'inf', CUBE).lipschitz;
    const above = (await run(APART, onCube('inf'), 0.25, { stopWhen: { lowerAbove: lip / 2 } })).r;
    expect(above.lower).toBe(lip);
    expect([above.methods.mip, above.methods['local-search']]).toEqual([undefined, undefined]); // the ascent settled it
    const at = await run(APART, onCube('inf'), 0.25, { stopWhen: { lowerAbove: lip } });
    expect(at.r.lower).toBe(lip);
    expect(mips(at.stages)).toBe(1); // not settled by the witness: the MIP ran, and proved the bracket closed
    expect(at.r.upper).toBeLessThanOrEqual(lip * (1 + MIP_SLACK));
  });
});

describe('certifiedBounds: the exact solver cut short still hands on its witness', () => {
  it('the best of the regions it visited before its cap (here the slab the ascent missed)', async () => {
    const lip = bruteForceLipschitz(SLAB, '1', CUBE).lipschitz;
    // Measured on the clock itself, the rate makes each MIP's root LP ~0.4 s: no MIP fits 0.3 s.
    const { r } = await run(SLAB, onCube('1'), 0.3, { maxExactRegions: 8 }, false);
    expect(r.methods.exact.note).toMatch(/^too large for exact: it needs more than --max-regions 8 linear regions/);
    expect(r.skipped.some((x) => x.startsWith('the MIP bounds'))).toBe(true);
    expect(r.methods.ascent.value).toBeLessThan(lip); // a fixed-seed fact, as above
    expect(r.lower).toBe(lip);
    expectSoundBracket(SLAB, onCube('1'), r, lip);
  });
});
