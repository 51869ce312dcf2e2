import { describe, expect, it } from 'vitest';
import { checkImplementation, type Implementation } from '../../src/harness/library.js';
import { casesFromLines, caseToLine, generateCases } from '../../src/harness/cases.js';
import { decodeRequest } from '../../src/harness/lipcheckImplementation.js';
import { shapeCases, shapeCheck, shapeReference } from '../../src/harness/shapeCheck.js';
import { referenceFor, type Reference } from '../../src/harness/reference.js';
import { runSession, type Responder } from '../../src/harness/session.js';
import { parseResponse } from '../../src/harness/protocol.js';
import { Budget } from '../../src/lipschitz/budget.js';
import { bestOfSamples } from '../../src/lipschitz/lower/sampling.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { secondsFor, svdFlops } from '../../src/lipschitz/costs.js';
import { operatorNormProduct } from '../../src/lipschitz/upper/operatorNorms.js';
import { formatReport } from '../../src/harness/reportFormat.js';

/** The shape cases of the default conformance run (seed 0), with their ids in that run. */
const cases = generateCases({ seed: 0 }).filter((c) => c.shape);
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
  it('are He-random shallow nets over d = 2…64 (N = max(d, 16)), deterministic, any first six spanning every d, and survive saving', () => {
    expect(cases).toHaveLength(18);
    expect(cases.map((c) => c.network.inputDim)).toEqual([2, 64, 8, 32, 4, 16, 2, 64, 8, 32, 4, 16, 2, 64, 8, 32, 4, 16]);
    expect(cases.every((c) => c.shape && c.band === 'shallow' && c.norm === '2' && c.box === null && c.network.layers[0].outDim === Math.max(16, c.network.inputDim))).toBe(true);
    expect(shapeCases(0, cases[0].id).map(caseToLine)).toEqual(cases.map(caseToLine));
    expect(shapeCases(3, 0).map(caseToLine)).not.toEqual(shapeCases(0, 0).map(caseToLine));
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
  it('refutes, on the default run’s shape cases, an estimate that does not grow with d, one that grows like d, and passes a fair one', async () => {
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

describe('the shape check within a time limit', () => {
  const c64 = cases[1]; // d = 64, N = 64
  it('the reference uses the pattern search when it fits, a one-point witness and the operator-norm product when not, never unsound', async () => {
    const full = await shapeReference(c64, new Budget(10));
    const free = await referenceFor(c64, 10); // what the session calls: the same bracket
    expect(free.lower).toBe(full.lower);
    expect(free.upper).toBe(full.upper);
    const none = new Budget(0);
    const short = await shapeReference(c64, none);
    expect(none.skipped).toEqual(['shape-case pattern search', 'shape-case upper bound']);
    expect(none.stoppedOnTime).toBe(true);
    expect(short.upper).toBe(Infinity);
    expect(short.lower).toBeGreaterThan(0);
    expect(short.lower).toBeLessThanOrEqual(full.lower); // one point's gradient vs the searched pattern (at N = d every pattern is realisable)
    // With room for an SVD but not the search: the operator-norm product. At d = 2 the exact value judges both ends.
    const c2 = cases[0];
    const exact = exactLipschitz(c2.network, { norm: '2', box: null });
    if (exact.kind !== 'exact') throw new Error('d = 2 must be exact');
    class RoomFor extends Budget {
      constructor(private readonly seconds: number) {
        super(Infinity);
      }
      override fits(s: number): boolean {
        return s <= this.seconds;
      }
    }
    const svd = (c: typeof c2) => secondsFor(svdFlops(c.network.layers[0].outDim, c.network.inputDim));
    const roomForSvd = new RoomFor(2 * svd(c64));
    expect((await shapeReference(c64, roomForSvd)).upper).toBe(operatorNormProduct(c64.network, '2'));
    expect(roomForSvd.skipped).toEqual(['shape-case pattern search']);
    for (const budget of [new Budget(0), new RoomFor(2 * svd(c2)), new Budget(10)]) {
      const r = await shapeReference(c2, budget);
      expect(r.lower).toBeGreaterThan(0);
      expect(r.lower).toBeLessThanOrEqual(exact.lipschitz * (1 + 1e-12));
      expect(r.upper).toBeGreaterThanOrEqual(exact.lipschitz * (1 - 1e-12));
    }
  });
  it('fits the slope on the shape cases that were run, and says how many of them', () => {
    const outcome = (i: number, estimate: number) => ({ case: cases[i], response: parseResponse(JSON.stringify({ id: cases[i].id, estimate }), cases[i].id), reference: null });
    const six = [0, 1, 2, 3, 4, 5].map((i) => outcome(i, 5)); // a constant, over d = 2…64 thanks to the order
    const r = shapeCheck(six, 18);
    expect(r.status).toBe('failed');
    expect(r.checked).toBe(6);
    expect(r.notes.join('\n')).toMatch(/only 6 of the 18 shape cases were run before the time limit/);
    const two = shapeCheck(six.slice(0, 2), 18);
    expect(two.status).toBe('skipped');
    expect(two.notes.join('\n')).toMatch(/the time limit ended the run before enough shape cases were run/);
    expect(shapeCheck(six, 6).notes.join('\n')).not.toMatch(/time limit/);
  });
  it('a run cut by its budget passes the planned count to the check', async () => {
    // Answers the first six shape cases at once with a constant; then waits past the budget.
    let calls = 0;
    const responder: Responder = {
      async respond(request) {
        if (++calls > 6) await new Promise((resolve) => setTimeout(resolve, 1_500));
        return parseResponse(JSON.stringify({ id: request.id, estimate: 5 }), request.id);
      },
      async close() {},
    };
    const report = await runSession(cases, responder, { rtol: 1e-6, estimateRtol: 0.25, calibration: null, faultDir: null, budget: new Budget(1) });
    expect(report.stoppedOnTime).toBe(true);
    const k = report.outcomes.length;
    expect(k).toBeLessThanOrEqual(6);
    const check = report.checks.find((c) => c.name === 'theorem-shape')!;
    expect(check.notes.join('\n')).toContain(`only ${k} of the 18 shape cases were run before the time limit`);
    if (k >= 3) expect(check.status).toBe('failed'); // a constant over d = 2, 64, 8: refuted even so
  });
  it('a run ended by a fault, not by time, does not blame the time limit', async () => {
    let calls = 0;
    const responder: Responder = {
      async respond(request) {
        if (++calls > 4) throw new Error('crashed');
        return parseResponse(JSON.stringify({ id: request.id, estimate: 5 }), request.id);
      },
      async close() {},
    };
    const report = await runSession(cases, responder, { rtol: 1e-6, estimateRtol: 0.25, calibration: null, faultDir: null, budget: new Budget(60) });
    expect(report.fault?.kind).toBe('exception');
    expect(report.stoppedOnTime).toBe(false);
    expect(report.checks.find((c) => c.name === 'theorem-shape')!.notes.join('\n')).not.toMatch(/time limit/);
  });
});
