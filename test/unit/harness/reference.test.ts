import { describe, expect, it } from 'vitest';
import { checkImplementation, assertConformance, type Implementation } from '../../../src/harness/library.js';
import { decodeRequest, lipcheckImplementation } from '../../../src/harness/lipcheckImplementation.js';
import { requestOf } from '../../../src/harness/cases.js';
import { referenceFor } from '../../../src/harness/reference.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { exactChunkFlops, secondsFor } from '../../../src/lipschitz/costs.js';
import { ridgeNet, RoomFor, unitCase } from '../../support/harnessUnits.js';

// lipcheck's reference, its implementation behind the protocol and the library entry points, on
// one-neuron ridge nets whose constants are analytic: relu(x₁ + x₂ + 1)·3 has Lip₂ = 3√2 (the
// neuron is on at the origin), Lip₁ = 3, Lip_∞ = 6.
const L2 = 3 * Math.SQRT2;
const net = ridgeNet(2, [3], [1]);
const tiny = unitCase(0, { network: net });

describe('referenceFor', () => {
  it('a tiny case: the exact value and a witness whose Jacobian norm is it, in a sane time', async () => {
    const started = performance.now();
    const r = await referenceFor(tiny, 2);
    const wall = (performance.now() - started) / 1000;
    expect(r.exact).toBeCloseTo(L2, 12);
    expect(r.upper).toBe(r.exact);
    expect(r.lower).toBeCloseTo(L2, 12);
    expect(r.witness).toHaveLength(2);
    expect(r.witness[0] + r.witness[1] + 1).toBeGreaterThan(0); // inside the region where the neuron is on
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThanOrEqual(wall);
    expect(r.stoppedAtClaim).toBeUndefined();
    for (const [norm, lip] of [['1', 3], ['inf', 6]] as const) expect((await referenceFor(unitCase(1, { network: net, norm }), 2)).exact).toBeCloseTo(lip, 12);
  });
  it('a tiny case keeps the exact value even when a claim is refuted at once; a large one stops there', async () => {
    const refuted = { lower: 10 * L2 };
    const exact = await referenceFor(tiny, 2, refuted);
    expect(exact.exact).toBeCloseTo(L2, 12);
    expect(exact.stoppedAtClaim).toBeUndefined();
    const large = unitCase(0, { network: net, size: 'large' });
    const stopped = await referenceFor(large, 2, refuted);
    expect(stopped.exact).toBeNull();
    expect(stopped.stoppedAtClaim).toBe(true);
    expect(stopped.upper).toBeLessThan(10 * L2);
    expect(stopped.upper).toBeGreaterThanOrEqual(L2);
    expect(stopped.seconds).toBeLessThan(2);
    // Sound claims do not stop it, and the large case is then settled exactly by the bounds.
    const sound = await referenceFor(large, 2, { lower: 0.5 * L2, upper: 2 * L2 });
    expect(sound.stoppedAtClaim).toBeUndefined();
    expect(sound.upper).toBeGreaterThanOrEqual(L2 * (1 - 1e-12));
  });
  it('takes a budget as well as seconds, and tries the exact solver only when one of its steps fits', async () => {
    const spent = new Budget(0, Infinity, { origin: performance.now() - 1000 });
    const r = await referenceFor(tiny, spent);
    expect(r.exact).toBeNull(); // no time for the solver: a looser bracket, still sound
    expect(r.upper).toBeGreaterThanOrEqual(L2);
    expect(spent.stoppedOnTime).toBe(true);
    const chunk = secondsFor(exactChunkFlops(net, { norm: '2', box: null }));
    expect((await referenceFor(tiny, new RoomFor(chunk), { lower: 10 * L2 })).exact).toBeCloseTo(L2, 12);
    const short = await referenceFor(tiny, new RoomFor(chunk * (1 - 1e-9)), { lower: 10 * L2 });
    expect(short.exact).toBeNull();
    expect(short.stoppedAtClaim).toBe(true);
  });
  it('a shape case goes to the shape reference: a bracket, never the exact solver', async () => {
    const r = await referenceFor(unitCase(0, { network: net, shape: true }), 2);
    expect(r.exact).toBeNull();
    expect(r.lower).toBeCloseTo(L2, 12);
    expect(r.upper).toBeGreaterThanOrEqual(L2);
  });
});

describe('lipcheckImplementation', () => {
  it('answers exact on a tiny net, certified bounds when the exact solver has no time', async () => {
    const request = requestOf(tiny);
    expect(decodeRequest(request).net.layers[0].biases[0]).toBe(1);
    const exact = await lipcheckImplementation()(request);
    expect(exact).toEqual({ exact: expect.closeTo(L2, 12), lower: expect.closeTo(L2, 12), upper: expect.closeTo(L2, 12) });
    const bounds = await lipcheckImplementation({ exactTime: 0, boundsTime: 0.2 })(requestOf(unitCase(0, { network: net, box: null })));
    expect(bounds).not.toHaveProperty('exact');
    const b = bounds as { lower: number; upper: number; estimate: number };
    expect(b.lower).toBeLessThanOrEqual(L2 * (1 + 1e-12));
    expect(b.upper).toBeGreaterThanOrEqual(L2 * (1 - 1e-12));
    expect(b.estimate).toBe(b.lower);
    const boxed = decodeRequest({ ...request, box: [[0, 1], [-1, 2]] });
    expect([Array.from(boxed.box!.lo), Array.from(boxed.box!.hi)]).toEqual([[0, -1], [1, 2]]);
    expect(() => decodeRequest({ ...request, id: 42, network: { layers: 1 } as never })).toThrow(/^request 42/);
  });
});

describe('checkImplementation and assertConformance', () => {
  const cases = [tiny, unitCase(1, { network: ridgeNet(2, [-2], [0.5]), norm: 'inf' })];
  const lips = [L2, 4];
  const honest: Implementation = (r) => ({ upper: 1.01 * lips[r.id], lower: 0.99 * lips[r.id] });
  it('passes an honest implementation and reports a wrong one with the seed to replay', async () => {
    const ok = await checkImplementation(honest, { cases, calibration: null });
    expect(ok).toMatchObject({ exitCode: 0, fault: null });
    await expect(assertConformance(honest, { cases, calibration: null })).resolves.toBeUndefined();
    const low: Implementation = (r) => ({ upper: 0.9 * lips[r.id] });
    await expect(assertConformance(low, { cases, calibration: null, seed: 5 })).rejects.toThrow(/soundness +FAILED[\s\S]*\nseed 5: rerun with the same seed to replay these cases$/);
    await expect(assertConformance(low, { cases, calibration: null })).rejects.toThrow(/\nseed 0: rerun/);
  });
  it('holds exact claims to rtol (default 1e-6)', async () => {
    const off: Implementation = (r) => ({ exact: lips[r.id] * (1 + 1e-5) });
    expect((await checkImplementation(off, { cases, calibration: null })).exitCode).toBe(1);
    expect((await checkImplementation(off, { cases, calibration: null, rtol: 1e-4 })).exitCode).toBe(0);
  });
  it('an answer that breaks the protocol is a protocol fault; a throw an exception; an error answer is counted', async () => {
    const negative = await checkImplementation(() => ({ upper: -1 }), { cases, calibration: null });
    expect(negative.fault).toMatchObject({ kind: 'protocol', caseId: 0, message: expect.stringMatching(/^case 0: "upper" is negative/) });
    const thrower = await checkImplementation(() => {
      throw new Error('boom');
    }, { cases, calibration: null });
    expect(thrower.fault).toMatchObject({ kind: 'exception', message: 'case 0: the implementation threw: boom' });
    const errors = await checkImplementation((r) => (r.id === 0 ? { error: 'nope' } : 'unsupported'), { cases, calibration: null, minChecked: 0 });
    expect(errors).toMatchObject({ exitCode: 0, counts: { errors: 1, unsupported: 1 }, firstError: { caseId: 0, message: 'nope' } });
  });
  it('generates its cases from the seed when none are given', async () => {
    const seen: number[] = [];
    const r = await checkImplementation((req) => (seen.push(req.id), 'unsupported'), { runs: 2, norms: ['1'], domains: 'global', calibration: null, minChecked: 0 });
    expect(r.counts.cases).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });
});
