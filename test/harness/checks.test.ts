import { describe, expect, it } from 'vitest';
import { evaluateChecks, soundnessFindings, type CaseOutcome } from '../../src/harness/checks.js';
import { generateCases } from '../../src/harness/cases.js';
import type { Response } from '../../src/harness/protocol.js';
import type { Calibration } from '../../src/theory/calibration.js';
import type { Reference } from '../../src/harness/reference.js';

const [base] = generateCases({ seed: 1, runs: 1 });
const ref: Reference = { exact: 2, lower: 2, upper: 2, witness: Float64Array.of(0.5), seconds: 0 };
const bracket: Reference = { exact: null, lower: 2, upper: 3, witness: Float64Array.of(0.5), seconds: 0 };
const outcome = (response: Partial<Response> & Record<string, unknown>, reference = ref, c = base): CaseOutcome => ({ case: c, response: { id: c.id, kind: 'claims', ...response } as Response, reference });

describe('soundness findings', () => {
  it('accepts true claims and refutes false ones, with evidence', () => {
    expect(soundnessFindings(outcome({ lower: 1.9, upper: 2.1, exact: 2 }), 1e-6)).toEqual([]);
    const low = soundnessFindings(outcome({ upper: 1.9 }), 1e-6);
    expect(low[0].message).toMatch(/upper 1\.9 is below the Jacobian norm 2/);
    expect(low[0].evidence).toMatchObject({ witness: [0.5], jacobianNorm: 2 });
    expect(soundnessFindings(outcome({ lower: 2.1 }), 1e-6)[0].message).toMatch(/above lipcheck's exact value/);
    expect(soundnessFindings(outcome({ exact: 2.00001 }), 1e-6)[0].message).toMatch(/differs from lipcheck's exact/);
    expect(soundnessFindings(outcome({ exact: 2.000001 }), 1e-6)).toEqual([]); // within --rtol
    expect(soundnessFindings(outcome({ lower: 1.5, upper: 1.4 }, { ...ref, exact: null, lower: 1, upper: 3 }), 1e-6)[0].message).toMatch(/contradict/);
  });
  it('uses the bracket when lipcheck has no exact value', () => {
    expect(soundnessFindings(outcome({ exact: 2.5 }, bracket), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome({ exact: 1.9 }, bracket), 1e-6)[0].message).toMatch(/below the Jacobian norm/);
    expect(soundnessFindings(outcome({ exact: 3.1 }, bracket), 1e-6)[0].message).toMatch(/above lipcheck's certified upper bound 3/);
    expect(soundnessFindings(outcome({ upper: 2 * (1 - 1e-12) }, bracket), 1e-6)).toEqual([]); // floating-point slack
  });
});

describe('all checks', () => {
  const copy = { ...base, id: 1, family: { base: 0, transformation: 'scale output by 2', factor: 2 }, description: 'copy' };
  it('metamorphic: exact strictly, estimates within their tolerance', () => {
    const outcomes = [outcome({ exact: 2, estimate: 1.8 }), outcome({ exact: 4, estimate: 3.5 }, { ...ref, exact: 4, lower: 4, upper: 4 }, copy)];
    const checks = evaluateChecks(outcomes, { rtol: 1e-6, estimateRtol: 0.1, calibration: null });
    expect(checks.find((c) => c.name === 'metamorphic')).toMatchObject({ status: 'passed', checked: 2 });
    const broken = [outcome({ exact: 2, estimate: 1.8 }), outcome({ exact: 4, estimate: 2.5 }, { ...ref, exact: 4, lower: 4, upper: 4 }, copy)];
    const failed = evaluateChecks(broken, { rtol: 1e-6, estimateRtol: 0.1, calibration: null }).find((c) => c.name === 'metamorphic')!;
    expect(failed.status).toBe('failed');
    expect(failed.first!.message).toMatch(/estimate 2\.5 should be 2 × 1\.8/);
  });
  it('theorem bands fail only when violations are too frequent for a 1% rate (binomial, α = 1e-6)', () => {
    const band = { ...base, band: 'shallow' as const };
    const calibration: Calibration = { rule: '', config: '', generatedBy: '', bands: { shallow: { c: 0.5, C: 3, draws: 100, lowQuantile: 0, highQuantile: 0, minRatio: 0, maxRatio: 0, meanRatio: 0 } } };
    const d = band.network.inputDim;
    const inside = Array.from({ length: 10 }, (_, i) => outcome({ exact: 1.5 * Math.sqrt(d) }, ref, { ...band, id: i }));
    expect(evaluateChecks(inside, { rtol: 1, estimateRtol: 1, calibration }).find((c) => c.name === 'theorem-bands')!.status).toBe('passed');
    const oneOut = [...inside.slice(1), outcome({ exact: 10 * Math.sqrt(d) }, ref, { ...band, id: 0 })];
    expect(evaluateChecks(oneOut, { rtol: 1, estimateRtol: 1, calibration }).find((c) => c.name === 'theorem-bands')!.status).toBe('passed');
    const allOut = inside.map((o) => ({ ...o, response: { ...o.response, exact: 10 * Math.sqrt(d) } as Response }));
    expect(evaluateChecks(allOut, { rtol: 1, estimateRtol: 1, calibration }).find((c) => c.name === 'theorem-bands')!.status).toBe('failed');
    expect(evaluateChecks(inside, { rtol: 1, estimateRtol: 1, calibration: null }).find((c) => c.name === 'theorem-bands')!.status).toBe('skipped');
    // One value per network: answering both exact and estimate does not double the trials.
    const both = inside.map((o) => ({ ...o, response: { ...o.response, estimate: 10 * Math.sqrt(d) } as Response }));
    expect(evaluateChecks(both, { rtol: 1, estimateRtol: 1, calibration }).find((c) => c.name === 'theorem-bands')).toMatchObject({ status: 'passed', checked: 10 });
  });
});
