import { describe, expect, it } from 'vitest';
import { betaI, gammaQ, logGamma } from '../../src/theory/special.js';
import {
  binomialUpperTail,
  linearFit,
  normalCdf,
  normalQuantile,
  quantile,
  studentTCdf,
  studentTQuantile,
  zTestMean,
} from '../../src/theory/stats.js';
import { python } from '../support/python.js';

// Reference values come from SciPy at test time (an independent implementation).
const reference = python<Record<string, number[]>>(`
import json, math
from scipy import special, stats
print(json.dumps({
  "lgamma": [math.lgamma(x) for x in [0.5, 1, 2.5, 7.3, 40, 1234.5]],
  "gammaq": [special.gammaincc(a, x) for a, x in [(0.5, 0.1), (0.5, 8), (3, 2), (10, 30)]],
  "betai": [special.betainc(a, b, x) for a, b, x in [(2, 3, 0.4), (0.5, 0.5, 0.9), (30, 4, 0.8), (1.5, 100, 0.02)]],
  "ncdf": [stats.norm.cdf(z) for z in [-8, -3, -0.5, 0, 1.7, 6]],
  "nq": [stats.norm.ppf(p) for p in [1e-9, 0.025, 0.5, 0.975]],
  "tcdf": [stats.t.cdf(t, nu) for t, nu in [(-2, 3), (1.5, 10), (4, 30)]],
  "tq": [stats.t.ppf(p, nu) for p, nu in [(0.975, 5), (0.995, 40)]],
  "binom": [stats.binom.sf(k - 1, n, p) for k, n, p in [(3, 20, 0.05), (0, 10, 0.3), (40, 1000, 0.02)]],
}))
`);

const close = (a: number, b: number, rel = 1e-11) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1e-300, Math.abs(b)));

describe('special functions agree with SciPy', () => {
  it('log Γ', () => [0.5, 1, 2.5, 7.3, 40, 1234.5].forEach((x, i) => close(logGamma(x), reference.lgamma[i], 1e-13)));
  it('Q(a, x)', () => [[0.5, 0.1], [0.5, 8], [3, 2], [10, 30]].forEach(([a, x], i) => close(gammaQ(a, x), reference.gammaq[i])));
  it('I_x(a, b)', () =>
    [[2, 3, 0.4], [0.5, 0.5, 0.9], [30, 4, 0.8], [1.5, 100, 0.02]].forEach(([a, b, x], i) => close(betaI(a, b, x), reference.betai[i], 1e-10)));
  it('normal CDF, including the far tail', () => [-8, -3, -0.5, 0, 1.7, 6].forEach((z, i) => close(normalCdf(z), reference.ncdf[i])));
  it('normal quantile', () => [1e-9, 0.025, 0.5, 0.975].forEach((p, i) => expect(normalQuantile(p)).toBeCloseTo(reference.nq[i], 9)));
  it('Student t', () => {
    [[-2, 3], [1.5, 10], [4, 30]].forEach(([t, nu], i) => close(studentTCdf(t, nu), reference.tcdf[i], 1e-10));
    [[0.975, 5], [0.995, 40]].forEach(([p, nu], i) => expect(studentTQuantile(p, nu)).toBeCloseTo(reference.tq[i], 8));
  });
  it('binomial upper tail', () =>
    [[3, 20, 0.05], [0, 10, 0.3], [40, 1000, 0.02]].forEach(([k, n, p], i) => close(binomialUpperTail(k, n, p), reference.binom[i], 1e-10)));
  it('rejects arguments outside the domain', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('tests and fits', () => {
  it('z-test recovers the statistic by hand', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const r = zTestMean(xs, 5);
    // mean 5.5, sample sd sqrt(55/6)
    expect(r.z).toBeCloseTo(0.5 / Math.sqrt(55 / 6 / 10), 12);
    expect(r.pValue).toBeCloseTo(2 * (1 - normalCdf(Math.abs(r.z))), 12);
  });
  it('linear fit matches SciPy linregress', () => {
    const x = [1, 2, 3, 4, 5, 6, 7];
    const y = [2.1, 3.9, 6.2, 7.8, 10.1, 12.2, 13.8];
    const ref = python<{ slope: number; intercept: number; se: number }>(
      `import json,sys; from scipy import stats; d=json.load(sys.stdin); r=stats.linregress(d[0], d[1]); print(json.dumps({"slope": r.slope, "intercept": r.intercept, "se": r.stderr}))`,
      [x, y],
    );
    const fit = linearFit(x, y);
    close(fit.slope, ref.slope, 1e-12);
    close(fit.intercept, ref.intercept, 1e-12);
    close(fit.slopeStandardError, ref.se, 1e-10);
    const [lo, hi] = fit.slopeInterval(0.95);
    expect(lo).toBeLessThan(fit.slope);
    expect(hi - fit.slope).toBeCloseTo(fit.slope - lo, 12);
  });
  it('quantile interpolates order statistics', () => {
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
    expect(quantile([3, 1, 2, 4], 0)).toBe(1);
    expect(quantile([3, 1, 2, 4], 1)).toBe(4);
  });
});
