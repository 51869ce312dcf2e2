import { describe, expect, it } from 'vitest';
import { checkImplementation, type Implementation } from '../../src/harness/library.js';
import { casesFromLines, caseToLine, generateCases } from '../../src/harness/cases.js';
import { decodeRequest } from '../../src/harness/lipcheckImplementation.js';
import { shapeCases, shapeCheck } from '../../src/harness/shapeCheck.js';
import type { Reference } from '../../src/harness/reference.js';
import { bestOfSamples } from '../../src/lipschitz/lower/sampling.js';
import { formatReport } from '../../src/harness/reportFormat.js';

const cases = shapeCases(3, 0);
const cache = new Map<number, Reference>();
const run = (impl: Implementation) => checkImplementation(impl, { cases, referenceCache: cache, calibration: null });

/** Three tiny estimators that answer only `estimate`: a constant, one growing like d, a fair one. */
const constant: Implementation = () => ({ estimate: 5 });
const linear: Implementation = (request) => ({ estimate: 0.4 * decodeRequest(request).net.inputDim });
const fair: Implementation = (request) => {
  const { net, norm, box } = decodeRequest(request);
  return { estimate: 1.2 * bestOfSamples(net, { norm, box }, 256, request.id) }; // sampled gradients: below Lip, same growth
};

describe('shape cases', () => {
  it('are He-random shallow nets over d = 2…64 (N = max(d, 16)), deterministic, and survive saving', () => {
    expect(cases).toHaveLength(18);
    expect(cases.map((c) => c.network.inputDim)).toEqual([2, 2, 2, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64]);
    expect(cases.every((c) => c.shape && c.band === 'shallow' && c.norm === '2' && c.box === null && c.network.layers[0].outDim === Math.max(16, c.network.inputDim))).toBe(true);
    expect(shapeCases(3, 0).map(caseToLine)).toEqual(cases.map(caseToLine));
    const again = casesFromLines(cases.map(caseToLine).join('\n'), 'saved.jsonl');
    expect(again.every((c) => c.shape === true)).toBe(true);
  });
  it('come with the generated cases when p = 2 and global cases are asked for, in shard 1 only', () => {
    const all = generateCases({ seed: 1, runs: 4 });
    expect(all.filter((c) => c.shape)).toHaveLength(18);
    all.forEach((c, i) => expect(c.id).toBe(i));
    expect(generateCases({ seed: 1, runs: 4, norms: ['inf'] }).some((c) => c.shape)).toBe(false);
    expect(generateCases({ seed: 1, runs: 4, domains: 'local' }).some((c) => c.shape)).toBe(false);
    expect(generateCases({ seed: 1, runs: 4, shape: false }).some((c) => c.shape)).toBe(false);
    expect(generateCases({ seed: 1, runs: 4, shard: { index: 2, count: 2 } }).some((c) => c.shape)).toBe(false);
  });
});

describe('the theorem-shape check', () => {
  it('refutes an estimate that does not grow with d, one that grows like d, and passes a fair one', async () => {
    const flat = (await run(constant)).checks.find((c) => c.name === 'theorem-shape')!;
    expect(flat.status).toBe('failed');
    expect(flat.first!.message).toMatch(/slower than the theorem's √d allows/);
    const steep = await run(linear);
    const steepCheck = steep.checks.find((c) => c.name === 'theorem-shape')!;
    expect(steepCheck.status).toBe('failed');
    expect(steepCheck.first!.message).toMatch(/faster than the theorem's √d allows/);
    expect(steep.exitCode).toBe(1);
    expect(formatReport(steep)).toMatch(/theorem-shape\s+FAILED/);
    const ok = await run(fair);
    expect(ok.checks.find((c) => c.name === 'theorem-shape')!.status, JSON.stringify(ok.checks)).toBe('passed');
    expect(ok.exitCode).toBe(0);
  });
  it('uses an implementation’s own brackets, and skips when nothing usable was answered', async () => {
    const bracket: Implementation = (request) => {
      const d = decodeRequest(request).net.inputDim;
      return { lower: 1.2 * Math.sqrt(d), upper: 2.4 * Math.sqrt(d) };
    };
    const r = (await run(bracket)).checks.find((c) => c.name === 'theorem-shape')!;
    expect(r).toMatchObject({ status: 'passed', checked: 18 });
    const upperOnly = (await run(() => ({ upper: 1e6 }))).checks.find((c) => c.name === 'theorem-shape')!;
    expect(upperOnly.status).toBe('skipped');
    expect(shapeCheck([]).status).toBe('skipped');
  });
});
