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
      return claims === 'unsupported' ? claims : { upper: (claims.upper ?? 0) / 2 };
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
    expect((await checkImplementation(() => 'unsupported', { cases })).counts.unsupported).toBe(cases.length);
  });
});
