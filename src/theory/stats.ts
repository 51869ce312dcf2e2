import { betaI, gammaQ } from './special.js';

/**
 * The statistical tests behind lipcheck's theorem properties. Every test here returns its
 * statistic and an exact or stated-approximation p-value; callers fix a false-failure probability α
 * and fail when p < α.
 */

/** Standard normal CDF Φ(z), accurate in the far tails (via the incomplete gamma function). */
export function normalCdf(z: number): number {
  const q = 0.5 * gammaQ(0.5, (z * z) / 2); // P(Z > |z|)
  return z >= 0 ? 1 - q : q;
}

/** Two-sided tail P(|Z| ≥ |z|). */
export function normalTwoSided(z: number): number {
  return gammaQ(0.5, (z * z) / 2);
}

function invert(cdf: (x: number) => number, p: number, lo: number, hi: number): number {
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
    if (hi - lo < 1e-13 * Math.max(1, Math.abs(mid))) break;
  }
  return 0.5 * (lo + hi);
}

/** Φ⁻¹(p) for 0 < p < 1. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  return invert(normalCdf, p, -40, 40);
}

/** CDF of Student's t with ν degrees of freedom. */
export function studentTCdf(t: number, nu: number): number {
  const tail = 0.5 * betaI(nu / 2, 0.5, nu / (nu + t * t));
  return t >= 0 ? 1 - tail : tail;
}

/** Quantile of Student's t with ν degrees of freedom. */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0, 1), got ${p}`);
  return invert((t) => studentTCdf(t, nu), p, -1e6, 1e6);
}

/** P(X ≥ k) for X ~ Binomial(n, p) (exact, via the incomplete beta function). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return betaI(k, n - k + 1, p);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  return 1 - binomialUpperTail(k + 1, n, p);
}

/** Mean and unbiased variance. */
export function meanAndVariance(xs: readonly number[]): { mean: number; variance: number } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : NaN;
  return { mean, variance };
}

export interface ZTestResult {
  readonly n: number;
  readonly mean: number;
  readonly standardError: number;
  readonly z: number;
  /** Two-sided p-value under the normal approximation of the mean (CLT; n ≥ 100 in every use here). */
  readonly pValue: number;
}

/** Two-sided z-test of H₀: E X = μ₀ with the sample standard error. */
export function zTestMean(xs: readonly number[], mu0: number): ZTestResult {
  const { mean, variance } = meanAndVariance(xs);
  const standardError = Math.sqrt(variance / xs.length);
  // A sample without spread (e.g. squares of a two-point law) is tested exactly.
  const z = standardError > 0 ? (mean - mu0) / standardError : mean === mu0 ? 0 : Math.sign(mean - mu0) * Infinity;
  return { n: xs.length, mean, standardError, z, pValue: normalTwoSided(z) };
}

export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  readonly slopeStandardError: number;
  readonly degreesOfFreedom: number;
  /** Two-sided confidence interval for the slope at the given level (Student t). */
  slopeInterval(level: number): [number, number];
}

/** Ordinary least squares y ≈ intercept + slope·x with the classical standard error of the slope. */
export function linearFit(x: readonly number[], y: readonly number[]): LinearFit {
  const n = x.length;
  if (n !== y.length || n < 3) throw new Error('linearFit: needs at least 3 paired points');
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
  const df = n - 2;
  const slopeStandardError = Math.sqrt(rss / df / sxx);
  return {
    slope,
    intercept,
    slopeStandardError,
    degreesOfFreedom: df,
    slopeInterval(level: number): [number, number] {
      const t = studentTQuantile(0.5 + level / 2, df);
      return [slope - t * slopeStandardError, slope + t * slopeStandardError];
    },
  };
}

/** The empirical q-quantile (linear interpolation between order statistics, type 7). */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}
