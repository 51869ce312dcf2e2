import { describe, expect, it } from 'vitest';
import { assertConformance, checkImplementation, type Implementation } from '../../src/index.js';
import { lipcheckImplementation } from '../../src/harness/lipcheckImplementation.js';
import { generateCases } from '../../src/harness/cases.js';

// The library entry point, used the way a TypeScript user would inside their own vitest suite.
const cases = generateCases({ seed: 9, runs: 6 }).filter((c) => c.size === 'tiny');

describe('assertConformance / checkImplementation', () => {
  it('resolves for a correct estimator', async () => {
    await expect(assertConformance(lipcheckImplementation(), { cases, referenceTime: 0.5 })).resolves.toBeUndefined();
  });
  it('throws a readable report for a wrong one', async () => {
    const halved: Implementation = async (request) => {
      const claims = await lipcheckImplementation()(request);
      return claims === 'unsupported' || 'error' in claims ? claims : { upper: (claims.upper ?? 0) / 2 };
    };
    await expect(assertConformance(halved, { cases, referenceTime: 0.5, seed: 9 })).rejects.toThrow(/soundness\s+FAILED[\s\S]*upper .* is below the Jacobian norm[\s\S]*seed 9/);
  });
  it('treats a throwing or malformed function as an implementation fault', async () => {
    const throwing: Implementation = () => {
      throw new Error('boom');
    };
    expect((await checkImplementation(throwing, { cases })).fault).toMatchObject({ kind: 'exception', message: expect.stringMatching(/threw: boom/) });
    const nan: Implementation = () => ({ upper: NaN });
    expect((await checkImplementation(nan, { cases })).fault).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/"upper" is not a finite number/) });
  });
  it('fails a run that checked nothing, and reports error answers (--min-checked)', async () => {
    const unsupported = await checkImplementation(() => 'unsupported', { cases });
    expect(unsupported.counts.unsupported).toBe(cases.length);
    expect(unsupported.coverage).toEqual({ checked: 0, required: 1, enough: false });
    expect(unsupported.exitCode).toBe(1);
    const failing: Implementation = (request) => ({ error: `no solver for case ${request.id}` });
    await expect(assertConformance(failing, { cases })).rejects.toThrow(
      new RegExp(`error answers +${cases.length}, the first at case ${cases[0].id}: no solver for case ${cases[0].id}[\\s\\S]*too few claims checked: 0 answer\\(s\\) checked[\\s\\S]*result: too few claims checked \\(exit 1\\)`),
    );
    // One answer in four, required 2: enough; required more than were answered: not.
    let n = 0;
    const sometimes: Implementation = () => (n++ % 4 === 0 ? { upper: 1e6 } : 'unsupported');
    const answered = Math.ceil(cases.length / 4);
    expect((await checkImplementation(sometimes, { cases, minChecked: answered, referenceTime: 0.3 })).exitCode).toBe(0);
    n = 0;
    const short = await checkImplementation(sometimes, { cases, minChecked: answered + 1, referenceTime: 0.3 });
    expect(short.coverage).toEqual({ checked: answered, required: answered + 1, enough: false });
    expect(short.exitCode).toBe(1);
    expect((await checkImplementation(() => 'unsupported', { cases, minChecked: 0 })).exitCode).toBe(0);
  });
});
