import { describe, expect, it } from 'vitest';
import { bruteForceLipschitz } from '../../support/bruteForce.js';
import { APART, APART2, CUBE, MIP_SLACK, expectSoundBracket, onCube, stagesOnClock } from '../../support/boundsStages.js';

// certifiedBounds' MIP stage (step 3) for ℓ2 on APART and APART2, whose MIPs are exact; values
// checked against bruteForceLipschitz (every pattern, HiGHS feasibility LPs).
const { run, advance } = stagesOnClock();

describe('certifiedBounds: ℓ2 bounds from MIPs over realisable patterns', () => {
  it('one output: directional cutting planes, stopped once within the target gap of the witness', async () => {
    const lip = bruteForceLipschitz(APART, '2', CUBE).lipschitz;
    const { r, stages, uppers } = await run(APART, onCube('2'), 0.5);
    expectSoundBracket(APART, onCube('2'), r, lip);
    const reported = uppers.filter((_, i) => stages[i] === 'cutting planes');
    expect(Math.min(...reported)).toBeLessThanOrEqual(1.0001 * lip); // the progress follows the planes' bound down
    const cuts = r.methods['cutting-planes'];
    expect(cuts.note).toMatch(/^[1-9]\d* directional MIPs, stopped by gap$/);
    expect(cuts.value).toBeLessThanOrEqual(1.0001 * lip);
    expect(r.methods.lipsdp.value).toBeGreaterThan(1.5 * lip); // the premise: LipSDP alone leaves the bracket open
    expect([r.upper, r.lower, r.methods.mip]).toEqual([cuts.value, lip, undefined]);
    expect(stages).toContain('cutting planes');
  });
  it('two outputs: √(‖J‖₁·‖J‖∞) from a MIP per column, then one per row', async () => {
    const [l1, lInf, lip] = (['1', 'inf', '2'] as const).map((p) => bruteForceLipschitz(APART2, p, CUBE).lipschitz);
    const { r, stages } = await run(APART2, onCube('2'), 0.85);
    expectSoundBracket(APART2, onCube('2'), r, lip);
    expect(stages.filter((s) => s === 'MIP')).toHaveLength(2 + 2);
    expect(r.methods.mip.note).toBe('√(‖J‖₁·‖J‖∞) from MIPs');
    expect(r.methods.mip.value).toBeGreaterThanOrEqual(Math.sqrt(l1 * lInf));
    expect(r.methods.mip.value).toBeLessThanOrEqual(Math.sqrt(l1 * lInf) * (1 + MIP_SLACK));
    expect(r.upper).toBe(r.methods.mip.value); // below LipSDP's 2√2 here
    expect(r.methods['cutting-planes']).toBeUndefined();
  });
  it('two outputs, the column family cut short: no bound, and the row family is not even started', async () => {
    const { r, stages } = await run(APART2, onCube('2'), 0.85, { onProgress: (stage) => stage === 'MIP' && advance(1) });
    expect(stages.filter((s) => s === 'MIP')).toHaveLength(1);
    expect(r.skipped.filter((x) => / MIPs$/.test(x))).toEqual(['1 of 2 MIPs']);
    expect(r.methods.mip.value).toBe(Infinity);
  });
});
