import { readFileSync } from 'node:fs';
import type { StudyRow } from '../study/compute.js';
import { bandFor, bandScales, BAND_KINDS, type BandKind } from './bands.js';
import { binomialLowerTail, binomialUpperTail, quantile } from './stats.js';
import { parseBiasLaw } from '../random/biasLaws.js';
import { packagePath } from '../packagePath.js';

/**
 * Calibrated constants of the theorem bands. The rule (stated in the file it writes): over every
 * calibration network of a band whose exact constant is known, c = 3/4 of the 0.5% quantile of
 * Lip/lowerScale and C = 4/3 of the 99.5% quantile of Lip/upperScale. The margins make a violation
 * in fresh draws rare (the property suites test that its frequency stays below 1%).
 */
export interface BandConstants {
  readonly c: number;
  readonly C: number;
  /** Networks behind the constants. */
  readonly draws: number;
  readonly lowQuantile: number;
  readonly highQuantile: number;
  readonly minRatio: number;
  readonly maxRatio: number;
  readonly meanRatio: number;
  /** Distribution-free (1 − α) intervals for the quantiles behind c and C, and the median (absent in older files). */
  readonly intervals?: QuantileIntervals;
}

/** Order-statistic confidence intervals for three quantiles of one sample (see `quantileInterval`). */
export interface QuantileIntervals {
  /** Coverage of each interval: 1 − α. */
  readonly level: number;
  /** The 0.5% quantile of Lip/lowerScale (c is 3/4 of its point estimate). */
  readonly low: readonly [number, number];
  readonly median: readonly [number, number];
  /** The 99.5% quantile of Lip/upperScale (C is 4/3 of its point estimate). */
  readonly high: readonly [number, number];
}

/** Where the constants come from: the method of the values, the seed, and an independent cross-check. */
export interface CalibrationProvenance {
  readonly method: string;
  /** The study seed (the configuration's); another seed gives a fresh calibration. */
  readonly seed: number;
  /** Rows recomputed by an independent implementation, and the largest relative difference found. */
  readonly crosscheck?: { readonly tool: string; readonly rows: number; readonly maxRelativeDifference: number };
}

/**
 * The stratum a fresh calibration can redraw in seconds (test/theory/calibration.test.ts): shallow
 * band rows with d = 2 and N ≤ 32, every symmetric law of the calibration, and the quantile
 * intervals of Lip/√d there.
 */
export interface CalibrationCheck {
  readonly stratum: string;
  readonly draws: number;
  /** The cells (width, bias law) of the stratum, each with the calibration's number of draws. */
  readonly cells: readonly { readonly N: number; readonly bias: string }[];
  readonly intervals: { readonly level: number; readonly p05: readonly [number, number]; readonly median: readonly [number, number]; readonly p95: readonly [number, number] };
}

export interface Calibration {
  readonly rule: string;
  /** The study configuration the constants come from. */
  readonly config: string;
  readonly generatedBy: string;
  readonly bands: Partial<Record<BandKind, BandConstants>>;
  readonly provenance?: CalibrationProvenance;
  readonly check?: CalibrationCheck;
}

/** The method behind a calibration from study rows. */
export const EXACT_METHOD = "exact constants from lipcheck's region enumeration (src/lipschitz/exact); rows without an exact value are left out";

/** The coverage of the intervals stored with a calibration. */
const INTERVAL_LEVEL = 0.99;

/**
 * A distribution-free two-sided confidence interval for the p-quantile ξ_p of a continuous law from
 * an i.i.d. sample: [X_(r), X_(s)] with B = #{X_i ≤ ξ_p} ~ Bin(n, p), P(X_(r) > ξ_p) = P(B < r) and
 * P(X_(s) < ξ_p) = P(B ≥ s), each kept ≤ (1 − level)/2; an end no order statistic can give is
 * ∓Infinity. Coverage ≥ level for every continuous law.
 */
export function quantileInterval(sample: readonly number[], p: number, level: number): [number, number] {
  const xs = [...sample].sort((a, b) => a - b);
  const n = xs.length;
  const tail = (1 - level) / 2;
  let r = 0; // X_(r) with P(B ≤ r − 1) ≤ tail; r = 0 means −∞
  while (r < n && binomialLowerTail(r, n, p) <= tail) r++;
  let s = n + 1; // X_(s) with P(B ≥ s) ≤ tail; s = n + 1 means +∞
  while (s > 1 && binomialUpperTail(s - 1, n, p) <= tail) s--;
  return [r === 0 ? -Infinity : xs[r - 1], s === n + 1 ? Infinity : xs[s - 1]];
}

/** The calibration's check stratum (see CalibrationCheck). */
function inCheckStratum(r: StudyRow): boolean {
  return rowBand(r) === 'shallow' && r.d === 2 && r.N <= 32;
}

const CHECK_STRATUM = 'shallow band rows with d = 2 and N ≤ 32 (every width and symmetric law of the calibration there): Lip₂/√d';

const CALIBRATION_RULE =
  'c = 0.75 × the 0.5% quantile of Lip/lowerScale, C = (4/3) × the 99.5% quantile of Lip/upperScale, over the calibration networks of the band with an exact constant';

/** The band of a study row: null unless the row is in the papers' model (fan-out weights, a symmetric bias law), a band applies and the constant is exact. */
function rowBand(row: StudyRow): BandKind | null {
  if (row.lipschitz === null || row.weights !== 'he-fanout' || !parseBiasLaw(row.bias).symmetric) return null;
  return bandFor(row.norm as '2' | '1' | 'inf', row.L, 1);
}

/** Ratios Lip/lowerScale and Lip/upperScale of the rows of one band. */
function bandRatios(rows: readonly StudyRow[], kind: BandKind): { low: number[]; high: number[] } {
  const low: number[] = [];
  const high: number[] = [];
  for (const r of rows) {
    if (rowBand(r) !== kind || r.lipschitz === null) continue;
    const s = bandScales(kind, r.d, r.L, r.N);
    low.push(r.lipschitz / s.lower);
    high.push(r.lipschitz / s.upper);
  }
  return { low, high };
}

/**
 * Constants for every band with at least 20 exact rows (see CALIBRATION_RULE), each with the
 * order-statistic intervals of its quantiles, the provenance (method, seed, an optional independent
 * cross-check) and the check stratum's intervals.
 */
export function calibrate(rows: readonly StudyRow[], config: string, provenance?: CalibrationProvenance): Calibration {
  const bands: Partial<Record<BandKind, BandConstants>> = {};
  for (const kind of BAND_KINDS) {
    const { low, high } = bandRatios(rows, kind);
    if (low.length < 20) continue;
    const lowQuantile = quantile(low, 0.005);
    const highQuantile = quantile(high, 0.995);
    bands[kind] = {
      c: 0.75 * lowQuantile,
      C: (4 / 3) * highQuantile,
      draws: low.length,
      lowQuantile,
      highQuantile,
      minRatio: Math.min(...low),
      maxRatio: Math.max(...high),
      meanRatio: low.reduce((a, b) => a + b, 0) / low.length,
      intervals: { level: INTERVAL_LEVEL, low: quantileInterval(low, 0.005, INTERVAL_LEVEL), median: quantileInterval(low, 0.5, INTERVAL_LEVEL), high: quantileInterval(high, 0.995, INTERVAL_LEVEL) },
    };
  }
  const checkRows = rows.filter((r) => inCheckStratum(r) && r.lipschitz !== null);
  const ratios = checkRows.map((r) => (r.lipschitz as number) / Math.sqrt(r.d));
  const cells = [...new Map(checkRows.map((r) => [`${r.N}/${r.bias}`, { N: r.N, bias: r.bias }])).values()];
  const check: CalibrationCheck | undefined =
    ratios.length >= 20
      ? { stratum: CHECK_STRATUM, draws: ratios.length, cells, intervals: { level: 1 - 1e-5, p05: quantileInterval(ratios, 0.05, 1 - 1e-5), median: quantileInterval(ratios, 0.5, 1 - 1e-5), p95: quantileInterval(ratios, 0.95, 1 - 1e-5) } }
      : undefined;
  return { rule: CALIBRATION_RULE, config, generatedBy: `lipcheck study --config ${config} --calibrate`, bands, ...(provenance ? { provenance } : {}), ...(check ? { check } : {}) };
}

let cached: Calibration | null = null;

/** The committed calibration (config/calibration.json). */
export function loadCalibration(): Calibration {
  cached ??= JSON.parse(readFileSync(packagePath('config', 'calibration.json'), 'utf8')) as Calibration;
  return cached;
}
