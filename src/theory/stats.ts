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

export interface SymmetryTestResult {
  /** Nonzero values used (zeros carry no sign and are dropped). */
  readonly n: number;
  /** D = max over thresholds t > 0 of |#{x ≥ t} − #{x ≤ −t}|. */
  readonly statistic: number;
  /** P(D ≥ observed) under H₀, exact given the magnitudes (conservative with tied magnitudes). */
  readonly pValue: number;
}

/**
 * A Kolmogorov–Smirnov-type test of H₀: the law is symmetric about 0 (Butler 1969, "A test for
 * symmetry using the sample distribution function"). Sort the nonzero values by decreasing
 * magnitude and walk through their signs: S_k = Σ_{i ≤ k} sign(x₍ᵢ₎), D = max_k |S_k|. Under H₀,
 * given the magnitudes, the signs are independent fair coins, so (S_k) is a simple random walk and
 * P(D ≥ m) follows exactly from a dynamic programme with absorbing barriers ±m — no asymptotics.
 * With tied magnitudes D is read at the end of each tie group only, which can only lower D, so the
 * p-value stays valid (conservative).
 *
 * Power: against any law whose positive and negative halves differ in mass OR in how their
 * magnitudes are distributed — e.g. a mean-zero, median-zero mixture whose positive half has the
 * same mean magnitude as its negative half but a different spread, where the sign test (mass only)
 * and the Wilcoxon signed-rank test (mean rank only) are blind. Cost O(n·min(D, 10√n)); when D is
 * beyond 10√n the returned p is the (astronomically small) probability of reaching 10√n, an upper
 * bound on the true p.
 */
export function symmetryTest(xs: readonly number[]): SymmetryTestResult {
  const nz = xs.filter((x) => x !== 0).sort((a, b) => Math.abs(b) - Math.abs(a));
  const n = nz.length;
  let s = 0;
  let statistic = 0;
  for (let i = 0; i < n; i++) {
    s += nz[i] > 0 ? 1 : -1;
    const endOfTies = i === n - 1 || Math.abs(nz[i + 1]) !== Math.abs(nz[i]);
    if (endOfTies) statistic = Math.max(statistic, Math.abs(s));
  }
  if (n === 0 || statistic === 0) return { n, statistic, pValue: 1 };
  const barrier = Math.min(statistic, Math.ceil(10 * Math.sqrt(n)));
  return { n, statistic, pValue: walkExitProbability(n, barrier) };
}

/** P(max_{k ≤ n} |S_k| ≥ m) for a simple symmetric random walk S started at 0 (m ≥ 1). */
function walkExitProbability(n: number, m: number): number {
  // Mass on positions −(m−1)…(m−1) that has not yet touched ±m; what leaves is absorbed.
  let inside = new Float64Array(2 * m - 1);
  let next = new Float64Array(2 * m - 1);
  inside[m - 1] = 1;
  let absorbed = 0;
  for (let step = 0; step < n; step++) {
    next.fill(0);
    for (let j = 0; j < inside.length; j++) {
      const p = 0.5 * inside[j];
      if (p === 0) continue;
      if (j + 1 < inside.length) next[j + 1] += p;
      else absorbed += p;
      if (j - 1 >= 0) next[j - 1] += p;
      else absorbed += p;
    }
    [inside, next] = [next, inside];
  }
  return Math.min(1, absorbed);
}
