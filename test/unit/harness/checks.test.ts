import { describe, expect, it } from 'vitest';
import { evaluateChecks, soundnessFindings, type CaseOutcome, type CheckSummary } from '../../../src/harness/checks.js';
import type { ConformanceCase } from '../../../src/harness/cases.js';
import type { Response } from '../../../src/harness/protocol.js';
import type { Reference } from '../../../src/harness/reference.js';
import type { Calibration } from '../../../src/theory/calibration.js';
import { denseLayer, makeNetwork, type Network } from '../../../src/network/network.js';

/** A one-hidden-layer network with d inputs and N hidden neurons (the values do not matter to the checks). */
const net = (d: number, N: number): Network =>
  makeNetwork(d, [denseLayer(Array.from({ length: N }, () => new Array(d).fill(1)), new Array(N).fill(0)), denseLayer([new Array(N).fill(1)], [0])]);
const makeCase = (id: number, extra: Partial<ConformanceCase> = {}): ConformanceCase => ({
  id, network: net(2, 3), norm: '2', box: null, size: 'tiny', family: null, band: null, description: `case ${id}`, ...extra,
});
const exactRef = (v: number): Reference => ({ exact: v, lower: v, upper: v, witness: Float64Array.of(0.25, -1), seconds: 0 });
const bracketRef = (lower: number, upper: number): Reference => ({ exact: null, lower, upper, witness: Float64Array.of(0.25, -1), seconds: 0 });
const claims = (id: number, c: Partial<Record<'lower' | 'upper' | 'exact' | 'estimate', number>>): Response => ({ id, kind: 'claims', ...c });
const outcome = (response: Response, reference: Reference | null = exactRef(2), c: ConformanceCase = makeCase(response.id)): CaseOutcome => ({ case: c, response, reference });
const options = { rtol: 1e-6, estimateRtol: 0.1, calibration: null };
const check = (all: CheckSummary[], name: string) => all.find((c) => c.name === name)!;
/** Relative slack below which a bound is not refuted (checks.ts: floating-point slack). */
const SLACK = 1e-9;

describe('soundness of one case', () => {
  it('refutes an upper bound below the reference lower bound only beyond the floating-point slack', () => {
    const ref = bracketRef(2, 3);
    expect(soundnessFindings(outcome(claims(1, { upper: 2 * (1 - 2 * SLACK) }), ref), 1e-6)).toEqual([
      { check: 'soundness', caseId: 1, description: 'case 1', message: `upper ${2 * (1 - 2 * SLACK)} is below the Jacobian norm 2 at lipcheck's witness`, evidence: { witness: [0.25, -1], jacobianNorm: 2 } },
    ]);
    expect(soundnessFindings(outcome(claims(1, { upper: 2 * (1 - SLACK / 2) }), ref), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(1, { upper: 2 }), ref), 1e-6)).toEqual([]);
    // Exactly at the slack is still accepted (each rule is strict), here and in the rules below.
    expect(soundnessFindings(outcome(claims(1, { upper: 2 * (1 - SLACK) }), ref), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(1, { lower: 3 * (1 + SLACK) }), ref), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(1, { lower: 2.5 * (1 + SLACK), upper: 2.5 }), ref), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(1, { exact: 2 * (1 - 1e-3) }), ref), 1e-3)).toEqual([]);
    expect(soundnessFindings(outcome(claims(1, { exact: 3 * (1 + 1e-3) }), ref), 1e-3)).toEqual([]);
  });
  it('refutes a lower bound above the reference upper bound, naming whether that is exact or certified', () => {
    expect(soundnessFindings(outcome(claims(2, { lower: 3 * (1 + 2 * SLACK) }), bracketRef(2, 3)), 1e-6)).toEqual([
      { check: 'soundness', caseId: 2, description: 'case 2', message: `lower ${3 * (1 + 2 * SLACK)} is above lipcheck's certified upper bound 3`, evidence: { certifiedUpper: 3 } },
    ]);
    expect(soundnessFindings(outcome(claims(2, { lower: 2.5 }), exactRef(2)), 1e-6)[0].message).toBe("lower 2.5 is above lipcheck's exact value 2");
    expect(soundnessFindings(outcome(claims(2, { lower: 3 * (1 + SLACK / 2) }), bracketRef(2, 3)), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(2, { lower: 3 }), bracketRef(2, 3)), 1e-6)).toEqual([]);
  });
  it('refutes claims that contradict each other, with the same slack', () => {
    const ref = bracketRef(1, 10);
    expect(soundnessFindings(outcome(claims(3, { lower: 5, upper: 4 }), ref), 1e-6)).toEqual([
      { check: 'soundness', caseId: 3, description: 'case 3', message: 'the claims contradict each other: lower 5 > upper 4' },
    ]);
    expect(soundnessFindings(outcome(claims(3, { lower: 4 * (1 + SLACK / 2), upper: 4 }), ref), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(3, { lower: 4 * (1 + 2 * SLACK), upper: 4 }), ref), 1e-6)).toHaveLength(1);
  });
  it('holds an exact claim to --rtol of lipcheck\'s exact value, relative, and reports the difference', () => {
    const rtol = 1e-3;
    const [far] = soundnessFindings(outcome(claims(4, { exact: 2 * (1 + 2 * rtol) }), exactRef(2)), rtol);
    expect(far).toMatchObject({ check: 'soundness', caseId: 4, evidence: { exact: 2, witness: [0.25, -1] } });
    const relative = Math.abs(2 * (1 + 2 * rtol) - 2) / 2;
    expect(far.message).toBe(`exact ${2 * (1 + 2 * rtol)} differs from lipcheck's exact 2 by ${relative} (relative; --rtol ${rtol})`);
    expect(soundnessFindings(outcome(claims(4, { exact: 2 * (1 - 2 * rtol) }), exactRef(2)), rtol)).toHaveLength(1);
    expect(soundnessFindings(outcome(claims(4, { exact: 2 * (1 + rtol / 2) }), exactRef(2)), rtol)).toEqual([]);
    expect(soundnessFindings(outcome(claims(4, { exact: 2 * (1 - rtol / 2) }), exactRef(2)), rtol)).toEqual([]);
    // An exact value of 0 admits only 0 (no 0·rtol = 0 tolerance hiding a wrong claim, no division by 0).
    expect(soundnessFindings(outcome(claims(4, { exact: 0 }), exactRef(0)), rtol)).toEqual([]);
    expect(soundnessFindings(outcome(claims(4, { exact: 1e-300 }), exactRef(0)), rtol)[0].message).toMatch(/^exact 1e-300 differs from lipcheck's exact 0 by /);
  });
  it('without an exact reference, holds an exact claim inside the bracket widened by --rtol', () => {
    const rtol = 1e-3;
    const ref = bracketRef(2, 3);
    const [low] = soundnessFindings(outcome(claims(5, { exact: 2 * (1 - 2 * rtol) }), ref), rtol);
    expect(low).toEqual({ check: 'soundness', caseId: 5, description: 'case 5', message: `exact ${2 * (1 - 2 * rtol)} is below the Jacobian norm 2 at lipcheck's witness`, evidence: { witness: [0.25, -1], jacobianNorm: 2 } });
    const [high] = soundnessFindings(outcome(claims(5, { exact: 3 * (1 + 2 * rtol) }), ref), rtol);
    expect(high).toEqual({ check: 'soundness', caseId: 5, description: 'case 5', message: `exact ${3 * (1 + 2 * rtol)} is above lipcheck's certified upper bound 3`, evidence: { certifiedUpper: 3 } });
    for (const inside of [2 * (1 - rtol / 2), 2, 2.5, 3, 3 * (1 + rtol / 2)]) expect(soundnessFindings(outcome(claims(5, { exact: inside }), ref), rtol)).toEqual([]);
  });
  it('has nothing to say about unsupported or failed answers, or without a reference', () => {
    expect(soundnessFindings(outcome({ id: 6, kind: 'unsupported' }), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome({ id: 6, kind: 'error', message: 'x' }), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(6, { upper: 0 }), null), 1e-6)).toEqual([]);
    expect(soundnessFindings(outcome(claims(6, { estimate: 0 }), exactRef(2)), 1e-6)).toEqual([]); // estimates are not soundness claims
  });
});

describe('the soundness check over all cases', () => {
  it('counts the cases with claims and a reference, and fails on the first finding', () => {
    const good = outcome(claims(1, { upper: 2 }));
    const bad = outcome(claims(2, { upper: 1 }));
    const unchecked = [outcome({ id: 3, kind: 'unsupported' }), outcome(claims(4, { upper: 2 }), null)];
    expect(check(evaluateChecks([good, ...unchecked], options), 'soundness')).toMatchObject({ status: 'passed', checked: 1, failed: 0, first: null });
    const failed = check(evaluateChecks([good, bad, bad, ...unchecked], options), 'soundness');
    expect(failed).toMatchObject({ status: 'failed', checked: 3, failed: 2, first: { caseId: 2 } });
    expect(check(evaluateChecks(unchecked, options), 'soundness')).toMatchObject({ status: 'skipped', checked: 0 });
  });
});

describe('metamorphic consistency', () => {
  const base = makeCase(1);
  const copy = makeCase(2, { family: { base: 1, transformation: 'scale output by 3', factor: 3 } });
  const run = (a: Response, b: Response, o = options) => check(evaluateChecks([outcome(a, exactRef(2), base), outcome(b, exactRef(6), copy)], o), 'metamorphic');
  it('compares each claim of a copy with factor × its base claim, exact within --rtol, estimates within theirs', () => {
    expect(run(claims(1, { exact: 2, estimate: 1 }), claims(2, { exact: 6 * (1 + 0.5e-6), estimate: 3 * 1.09 }))).toMatchObject({ status: 'passed', checked: 2 });
    const exactOff = run(claims(1, { exact: 2 }), claims(2, { exact: 6 * (1 + 2e-6) }));
    expect(exactOff).toMatchObject({ status: 'failed', checked: 1, failed: 1 });
    expect(exactOff.first).toEqual({ check: 'metamorphic', caseId: 2, description: 'case 2', message: `exact ${6 * (1 + 2e-6)} should be 3 × 2 = 6 (scale output by 3 of case 1; relative tolerance ${1e-6})` });
    expect(run(claims(1, { estimate: 1 }), claims(2, { estimate: 3 * 0.89 }))).toMatchObject({ status: 'failed', checked: 1 });
    expect(run(claims(1, { estimate: 1 }), claims(2, { estimate: 3 * 0.91 }))).toMatchObject({ status: 'passed', checked: 1 });
    expect(run(claims(1, { exact: 2 }), claims(2, { exact: 6 })).notes).toEqual([`exact claims within --rtol ${1e-6}; estimates within 0.1 (an uncertified, possibly randomised estimator)`]);
  });
  it('a zero base value admits only zero', () => {
    expect(run(claims(1, { exact: 0 }), claims(2, { exact: 0 }))).toMatchObject({ status: 'passed' });
    expect(run(claims(1, { exact: 0 }), claims(2, { exact: 1e-300 }))).toMatchObject({ status: 'failed' });
  });
  it('skips pairs where either side has no such claim, or did not answer, or the base is missing', () => {
    expect(run(claims(1, { exact: 2 }), claims(2, { estimate: 6 }))).toMatchObject({ status: 'skipped', checked: 0 });
    expect(run(claims(1, { estimate: 2 }), claims(2, { exact: 6 }))).toMatchObject({ status: 'skipped', checked: 0 });
    expect(run({ id: 1, kind: 'unsupported' }, claims(2, { exact: 7 }))).toMatchObject({ status: 'skipped' });
    expect(run(claims(1, { exact: 2 }), { id: 2, kind: 'error', message: 'no' })).toMatchObject({ status: 'skipped' });
    const orphan = makeCase(3, { family: { base: 99, transformation: 't', factor: 2 } });
    expect(check(evaluateChecks([outcome(claims(3, { exact: 1 }), exactRef(1), orphan)], options), 'metamorphic')).toMatchObject({ status: 'skipped' });
  });
});

/** P(X ≥ k), X ~ Binomial(n, p), by direct summation (independent of theory/stats.ts). */
function binomialTail(k: number, n: number, p: number): number {
  let total = 0;
  for (let j = k; j <= n; j++) {
    let choose = 1;
    for (let i = 0; i < j; i++) choose = (choose * (n - i)) / (i + 1);
    total += choose * p ** j * (1 - p) ** (n - j);
  }
  return total;
}

describe('theorem bands', () => {
  const constants = { c: 0.5, C: 3, draws: 100, lowQuantile: 0, highQuantile: 0, minRatio: 0, maxRatio: 0, meanRatio: 0 };
  const calibration: Calibration = { rule: '', config: '', generatedBy: '', bands: { shallow: constants } };
  const d = 4;
  const bandCase = (id: number) => makeCase(id, { network: net(d, 8), band: 'shallow' });
  // The shallow band is [c·√d, C·√d] = [1, 6].
  const bands = (values: number[], cal: Calibration | null = calibration) =>
    check(evaluateChecks(values.map((v, i) => outcome(claims(i, { exact: v }), exactRef(v), bandCase(i))), { ...options, calibration: cal }), 'theorem-bands');
  it('fails exactly when the violations are too many for a 1% rate at p = 1e-6 (exact binomial test)', () => {
    const n = 20;
    let threshold = 0;
    while (binomialTail(threshold, n, 0.01) >= 1e-6) threshold++;
    expect(threshold).toBeGreaterThan(1);
    const values = (violations: number) => Array.from({ length: n }, (_, i) => (i < violations ? (i % 2 === 0 ? 0.5 : 7) : 3));
    expect(bands(values(threshold - 1))).toMatchObject({ status: 'passed', checked: n, failed: 0 });
    const failed = bands(values(threshold));
    expect(failed).toMatchObject({ status: 'failed', checked: n, failed: threshold });
    expect(failed.first).toEqual({ check: 'theorem-bands', caseId: 0, description: 'case 0', message: 'exact 0.5 lies outside the shallow band [1, 6]' });
    expect(failed.notes[0]).toBe(`${threshold} of ${n} networks' values outside the calibrated bands (binomial p = ${binomialTail(threshold, n, 0.01).toPrecision(3)} against a 1% rate)`);
  });
  it('the band is closed: its end points are inside', () => {
    expect(bands(new Array(20).fill(1))).toMatchObject({ status: 'passed', failed: 0 });
    expect(bands(new Array(20).fill(6))).toMatchObject({ status: 'passed', failed: 0 });
    expect(bands(new Array(20).fill(6.000001))).toMatchObject({ status: 'failed' });
    expect(bands(new Array(20).fill(0.999999))).toMatchObject({ status: 'failed' });
  });
  it('takes one value per network, exact before estimate, and skips what it cannot judge', () => {
    const both = Array.from({ length: 20 }, (_, i) => outcome(claims(i, { exact: 3, estimate: 100 }), exactRef(3), bandCase(i)));
    expect(check(evaluateChecks(both, { ...options, calibration }), 'theorem-bands')).toMatchObject({ status: 'passed', checked: 20 });
    const estimates = Array.from({ length: 20 }, (_, i) => outcome(claims(i, { estimate: 100 }), exactRef(3), bandCase(i)));
    expect(check(evaluateChecks(estimates, { ...options, calibration }), 'theorem-bands')).toMatchObject({ status: 'failed', checked: 20 });
    const skipped = [
      outcome(claims(0, { upper: 3 }), exactRef(3), bandCase(0)), // no exact or estimate
      outcome({ id: 1, kind: 'unsupported' }, exactRef(3), bandCase(1)),
      outcome(claims(2, { exact: 100 }), exactRef(3), makeCase(2)), // no band
      outcome(claims(3, { exact: 100 }), exactRef(3), makeCase(3, { band: 'deep' })), // a band without constants
    ];
    expect(check(evaluateChecks(skipped, { ...options, calibration }), 'theorem-bands')).toMatchObject({ status: 'skipped', checked: 0 });
    // The deep band's upper end grows with the widest layer: C·√d·L·√(log N) with N = 64 here, not 4.
    const deepCase = (id: number) => makeCase(id, {
      network: makeNetwork(d, [denseLayer(Array.from({ length: 64 }, () => new Array(d).fill(1)), new Array(64).fill(0)), denseLayer(Array.from({ length: 4 }, () => new Array(64).fill(1)), new Array(4).fill(0)), denseLayer([new Array(4).fill(1)], [0])]),
      band: 'deep',
    });
    const deepCalibration: Calibration = { ...calibration, bands: { deep: constants } };
    const between = 3 * Math.sqrt(d) * 2 * Math.sqrt(Math.log(16)); // inside for N = 64, outside for N = 4
    const deepOutcomes = Array.from({ length: 20 }, (_, i) => outcome(claims(i, { exact: between }), exactRef(between), deepCase(i)));
    expect(check(evaluateChecks(deepOutcomes, { ...options, calibration: deepCalibration }), 'theorem-bands')).toMatchObject({ status: 'passed', failed: 0 });
    expect(bands([3], null)).toEqual({ name: 'theorem-bands', status: 'skipped', checked: 0, failed: 0, first: null, notes: ['no calibration available'] });
  });
});

describe('upper-bound tightness', () => {
  const d = 4;
  /** He-random band cases of widths N whose upper bound is scale·N^slope·√d. */
  const series = (widths: number[], slope: number, extra: Partial<ConformanceCase> = {}) =>
    widths.map((N, i) => outcome(claims(i, { upper: 2 * N ** slope * Math.sqrt(d) }), exactRef(1), makeCase(i, { network: net(d, N), band: 'shallow', ...extra })));
  it('reports the median and largest ratio of upper to the reference lower bound; it never fails', () => {
    const outcomes = [3, 6, 4, 20].map((u, i) => outcome(claims(i, { upper: u }), exactRef(2)));
    const t = check(evaluateChecks(outcomes, options), 'upper-tightness');
    // Ratios to the lower bound 2, sorted 1.5, 2, 3, 10: the element at index ⌊4/2⌋ is 3.
    expect(t).toEqual({ name: 'upper-tightness', status: 'passed', checked: 4, failed: 0, first: null, notes: ['upper / lipcheck\'s lower bound: median 3.000, max 10.00 over 4 cases'] });
    const ignored = [outcome(claims(0, { lower: 1 })), outcome({ id: 1, kind: 'unsupported' }), outcome(claims(2, { upper: 1 }), null), outcome(claims(3, { upper: 1 }), exactRef(0)), outcome(claims(4, { upper: 1 }), bracketRef(NaN, 1))];
    expect(check(evaluateChecks(ignored, options), 'upper-tightness')).toEqual({ name: 'upper-tightness', status: 'skipped', checked: 0, failed: 0, first: null, notes: [] });
  });
  it('on band cases over ≥ 3 widths tells whether upper/√d grows like √N (least-squares log-log slope)', () => {
    const widths = [8, 16, 32, 64];
    const growing = check(evaluateChecks(series(widths, 0.5), options), 'upper-tightness').notes[1];
    expect(growing).toMatch(/^on He-random networks upper\/√d grows with the width \(log-log slope 0\.50 in N/);
    expect(check(evaluateChecks(series(widths, 0.3), options), 'upper-tightness').notes[1]).toMatch(/grows with the width \(log-log slope 0\.30/);
    expect(check(evaluateChecks(series(widths, 0.2), options), 'upper-tightness').notes[1]).toBe('on He-random networks upper/√d does not grow like √N (log-log slope 0.20 in N)');
    expect(check(evaluateChecks(series(widths, 0), options), 'upper-tightness').notes[1]).toMatch(/does not grow like √N \(log-log slope 0\.00 in N\)/);
  });
  it('needs three distinct widths and four cases, and leaves the shape check\'s networks out', () => {
    expect(check(evaluateChecks(series([8, 16, 16, 8], 0.5), options), 'upper-tightness').notes).toHaveLength(1);
    expect(check(evaluateChecks(series([8, 16, 32], 0.5), options), 'upper-tightness').notes).toHaveLength(1);
    expect(check(evaluateChecks(series([8, 16, 32, 32], 0.5), options), 'upper-tightness').notes).toHaveLength(2);
    expect(check(evaluateChecks(series([8, 16, 32, 64], 0.5, { shape: true }), options), 'upper-tightness').notes).toHaveLength(1);
    expect(check(evaluateChecks(series([8, 16, 32, 64], 0.5, { band: null }), options), 'upper-tightness').notes).toHaveLength(1);
    // The width of a deeper network is its widest layer (here the first; the second is always 4).
    const deep = [8, 16, 32, 64].map((N, i) => outcome(claims(i, { upper: 2 * N ** 0.5 * Math.sqrt(d) }), exactRef(1), makeCase(i, {
      network: makeNetwork(d, [denseLayer(Array.from({ length: N }, () => new Array(d).fill(1)), new Array(N).fill(0)), denseLayer(Array.from({ length: 4 }, () => new Array(N).fill(1)), new Array(4).fill(0)), denseLayer([new Array(4).fill(1)], [0])]),
      band: 'deep',
    })));
    expect(check(evaluateChecks(deep, options), 'upper-tightness').notes[1]).toMatch(/slope 0\.50 in N/);
  });
});

describe('all checks', () => {
  it('come in a fixed order', () => {
    expect(evaluateChecks([], options).map((c) => c.name)).toEqual(['soundness', 'metamorphic', 'theorem-bands', 'theorem-shape', 'upper-tightness']);
  });
});
