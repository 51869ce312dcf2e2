import { binomialLowerTail, studentTQuantile } from './stats.js';

/**
 * Shape tests: statistics about how a Lipschitz constant grows (with d, the width N, the depth L)
 * that stay sound when only a certified bracket [lower, upper] of each network's constant is
 * known. Two tests, each with a stated false-failure probability α whatever the true values inside
 * the brackets are:
 *
 * - `bracketSlopeTest`: the least-squares slope of log Lip on log x. The slope is linear in the
 *   y's, so over the box of log-brackets its exact minimum and maximum sit at bracket ends chosen by
 *   the signs of the coefficients; the residual standard error is bounded over the whole box. The
 *   test fails only when [min slope − t·se⁺, max slope + t·se⁺] misses the window. Premise: the
 *   classical regression model (log Lip = a + b·log x + independent normal errors of one variance);
 *   the (1 − α) statement is about b. Loose brackets cost power (se⁺ grows with their widths),
 *   never soundness.
 * - `quantileGrowthTest`: the ratio of the median constant at a high design point to that at a low
 *   one, bounded by order statistics of the bracket ends — the lower ends at the high point and the
 *   upper ends at the low point, the only ends a "grows too fast" verdict can rest on. Distribution-
 *   free (binomial), so loose upper ends at the high point (pattern-agnostic bounds at large N) cost
 *   nothing. Premise: the draws at each point are i.i.d. from a continuous law.
 */

/** A certified bracket of one network's constant, with the design value x it was drawn at. */
export interface BracketPoint {
  readonly x: number;
  readonly lower: number;
  readonly upper: number;
}

/** Relative slack below which lower > upper is read as rounding, not as a contradiction. */
const CONSISTENCY_SLACK = 1e-9;

/** The first point whose bracket is empty (lower above upper), or null. */
export function inconsistentPoint<T extends BracketPoint>(points: readonly T[]): T | null {
  return points.find((p) => !(p.lower <= p.upper * (1 + CONSISTENCY_SLACK)) || !(p.lower > 0) || !(p.x > 0)) ?? null;
}

export interface BracketSlope {
  readonly n: number;
  /** Slope through the bracket midpoints (in log space). */
  readonly midSlope: number;
  /** Exact minimum and maximum of the least-squares slope over the box of log-brackets. */
  readonly minSlope: number;
  readonly maxSlope: number;
  /** An upper bound on the slope's standard error over the whole box (equal to it for point values). */
  readonly seUpper: number;
  readonly degreesOfFreedom: number;
}

/**
 * The least-squares slope of log y on log x over the box y_i ∈ [lower_i, upper_i]. With
 * c_i = (x_i − x̄)/Sxx (logs), the slope Σ c_i y_i is smallest with y_i at the lower end where
 * c_i > 0 and at the upper end where c_i < 0. The residual vector is P·y with P = I − H a
 * projection, so for y = m + e (m the midpoints, |e_i| ≤ δ_i the half-widths)
 * ‖P y‖ ≤ ‖P m‖ + ‖e‖ ≤ ‖P m‖ + ‖δ‖, and se⁺ = (‖P m‖ + ‖δ‖)/√((n − 2)·Sxx) bounds the
 * standard error at every y in the box. Requires ≥ 3 points, ≥ 2 distinct x, positive values and
 * lower ≤ upper (see `inconsistentPoint`).
 */
export function bracketSlope(points: readonly BracketPoint[]): BracketSlope {
  const n = points.length;
  if (n < 3) throw new Error('bracketSlope: needs at least 3 points');
  const bad = inconsistentPoint(points);
  if (bad) throw new Error(`bracketSlope: empty or non-positive bracket at x = ${bad.x}: [${bad.lower}, ${bad.upper}]`);
  const xs = points.map((p) => Math.log(p.x));
  const lo = points.map((p) => Math.log(p.lower));
  const hi = points.map((p) => Math.max(Math.log(p.upper), Math.log(p.lower)));
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  if (!(sxx > 0)) throw new Error('bracketSlope: needs at least 2 distinct x');
  const c = xs.map((x) => (x - mx) / sxx);
  const mid = lo.map((l, i) => 0.5 * (l + hi[i]));
  let minSlope = 0;
  let maxSlope = 0;
  let midSlope = 0;
  for (let i = 0; i < n; i++) {
    minSlope += c[i] * (c[i] > 0 ? lo[i] : hi[i]);
    maxSlope += c[i] * (c[i] > 0 ? hi[i] : lo[i]);
    midSlope += c[i] * mid[i];
  }
  const my = mid.reduce((a, b) => a + b, 0) / n;
  let residual = 0;
  let halfWidths = 0;
  for (let i = 0; i < n; i++) {
    residual += (mid[i] - my - midSlope * (xs[i] - mx)) ** 2;
    halfWidths += (0.5 * (hi[i] - lo[i])) ** 2;
  }
  const rssUpper = (Math.sqrt(residual) + Math.sqrt(halfWidths)) ** 2;
  return { n, midSlope, minSlope, maxSlope, seUpper: Math.sqrt(rssUpper / (n - 2) / sxx), degreesOfFreedom: n - 2 };
}

/** A window for a slope or a growth exponent; either end may be infinite (a one-sided claim). */
export interface Window {
  readonly lo: number;
  readonly hi: number;
}

export interface ShapeVerdict {
  readonly ok: boolean;
  /** 'steeper' / 'flatter': the data refute the window on that side; 'inconsistent': an empty bracket. */
  readonly finding: 'consistent' | 'steeper' | 'flatter' | 'inconsistent';
  /** The (1 − α) range of the slope (or growth exponent) that the brackets allow. */
  readonly interval: readonly [number, number];
  readonly detail: string;
}

/** α per finite side of a window: a two-sided window splits α, a one-sided one spends it all. */
function alphaPerSide(window: Window, alpha: number): number {
  return Number.isFinite(window.lo) && Number.isFinite(window.hi) ? alpha / 2 : alpha;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : String(x);
}

function inconsistent(p: BracketPoint, what: string): ShapeVerdict {
  return {
    ok: false,
    finding: 'inconsistent',
    interval: [NaN, NaN],
    detail: `${what}: the bracket at x = ${p.x} is empty or not positive (lower ${p.lower} > upper ${p.upper}): the estimators that made it contradict each other`,
  };
}

/**
 * H₀: the log-log slope b lies in `window`. Fails when the (1 − α) interval
 * [minSlope − t·se⁺, maxSlope + t·se⁺] (t the Student quantile, per side) misses the window, or
 * when a bracket is empty. If b is in the window, whatever the true values inside the brackets,
 * the probability of failing is ≤ α under the regression model (each side's event implies the
 * classical one-sided interval at the true values misses b); an empty bracket never happens with
 * sound estimators.
 */
export function bracketSlopeTest(points: readonly BracketPoint[], window: Window, alpha: number): ShapeVerdict {
  const bad = inconsistentPoint(points);
  if (bad) return inconsistent(bad, 'slope test');
  const s = bracketSlope(points);
  const t = studentTQuantile(1 - alphaPerSide(window, alpha), s.degreesOfFreedom);
  const interval: [number, number] = [s.minSlope - t * s.seUpper, s.maxSlope + t * s.seUpper];
  return verdict(
    interval,
    window,
    `slope over the brackets [${fmt(s.minSlope)}, ${fmt(s.maxSlope)}] (midpoints ${fmt(s.midSlope)}), se ≤ ${fmt(s.seUpper)}, (1 − ${alpha}) range [${fmt(interval[0])}, ${fmt(interval[1])}]; n = ${s.n}`,
  );
}

/** The verdict of a (1 − α) range against a window. */
function verdict(interval: [number, number], window: Window, detail: string): ShapeVerdict {
  const finding = interval[0] > window.hi ? 'steeper' : interval[1] < window.lo ? 'flatter' : 'consistent';
  return { ok: finding === 'consistent', finding, interval, detail: `${detail} against the window [${fmt(window.lo)}, ${fmt(window.hi)}]` };
}

/**
 * The order statistic k (1-based, from below) such that, for n i.i.d. draws of a continuous law,
 * P(k-th smallest > median) = P(Bin(n, ½) ≤ k − 1) ≤ p; 0 if even the smallest does not qualify.
 */
export function medianOrderStatistic(n: number, p: number): number {
  let k = 0;
  while (k < n && binomialLowerTail(k, n, 0.5) <= p) k++;
  return k;
}

export interface GrowthGroups {
  /** Brackets at the low design point (all with the same x). */
  readonly low: readonly BracketPoint[];
  /** Brackets at the high design point. */
  readonly high: readonly BracketPoint[];
}

/**
 * H₀: the median constant grows from the low to the high design point by a factor within
 * [(x_hi/x_lo)^window.lo, (x_hi/x_lo)^window.hi], i.e. with a "growth exponent" in the window.
 * With k from `medianOrderStatistic`, the k-th smallest lower end at the high point is below that
 * point's median except with probability ≤ α₁ (lower ends sit below the true values, so their
 * order statistics do too), and the k-th largest upper end at the low point is above its median
 * except with probability ≤ α₁; the test fails 'steeper' only if the ratio of those two exceeds
 * the window's top, which under H₀ needs one of the two events. Likewise 'flatter' with the other
 * ends. α₁ = α/4 for a two-sided window, α/2 for a one-sided one, so the false-failure
 * probability is ≤ α for any true values inside the brackets.
 */
export function quantileGrowthTest(groups: GrowthGroups, window: Window, alpha: number): ShapeVerdict {
  const { low, high } = groups;
  if (low.length === 0 || high.length === 0) throw new Error('quantileGrowthTest: both groups need draws');
  const xLow = low[0].x;
  const xHigh = high[0].x;
  if (low.some((p) => p.x !== xLow) || high.some((p) => p.x !== xHigh) || !(xHigh > xLow)) throw new Error('quantileGrowthTest: each group needs one design value, the high one above the low one');
  const bad = inconsistentPoint([...low, ...high]);
  if (bad) return inconsistent(bad, 'growth test');
  const per = alphaPerSide(window, alpha) / 2;
  const kLow = medianOrderStatistic(low.length, per);
  const kHigh = medianOrderStatistic(high.length, per);
  const span = Math.log(xHigh / xLow);
  if (kLow === 0 || kHigh === 0) {
    return { ok: true, finding: 'consistent', interval: [-Infinity, Infinity], detail: `growth test: too few draws (${low.length}, ${high.length}) for a median bound at ${per}; nothing can be refuted` };
  }
  const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const lowLower = ascending(low.map((p) => p.lower));
  const lowUpper = ascending(low.map((p) => p.upper));
  const highLower = ascending(high.map((p) => p.lower));
  const highUpper = ascending(high.map((p) => p.upper));
  // Sound one-sided bounds on the two medians: below (k-th smallest lower end), above (k-th largest upper end).
  const highAtLeast = highLower[kHigh - 1];
  const highAtMost = highUpper[high.length - kHigh];
  const lowAtLeast = lowLower[kLow - 1];
  const lowAtMost = lowUpper[low.length - kLow];
  const interval: [number, number] = [Math.log(highAtLeast / lowAtMost) / span, Math.log(highAtMost / lowAtLeast) / span];
  return verdict(
    interval,
    window,
    `median at x = ${xHigh} in [${fmt(highAtLeast)}, ${fmt(highAtMost)}] and at x = ${xLow} in [${fmt(lowAtLeast)}, ${fmt(lowAtMost)}] ` +
      `(order statistics ${kHigh} of ${high.length} and ${kLow} of ${low.length}, each side ≤ ${per}); growth exponent in [${fmt(interval[0])}, ${fmt(interval[1])}]`,
  );
}
