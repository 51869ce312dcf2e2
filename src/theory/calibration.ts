import { readFileSync } from 'node:fs';
import type { StudyRow } from '../study/compute.js';
import { bandFor, bandScales, BAND_KINDS, type BandKind } from './bands.js';
import { quantile } from './stats.js';
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
}

export interface Calibration {
  readonly rule: string;
  /** The study configuration the constants come from. */
  readonly config: string;
  readonly generatedBy: string;
  readonly bands: Partial<Record<BandKind, BandConstants>>;
}

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

/** Constants for every band with at least 20 exact rows (see CALIBRATION_RULE). */
export function calibrate(rows: readonly StudyRow[], config: string): Calibration {
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
    };
  }
  return { rule: CALIBRATION_RULE, config, generatedBy: `lipcheck study --config ${config} --calibrate`, bands };
}

let cached: Calibration | null = null;

/** The committed calibration (config/calibration.json). */
export function loadCalibration(): Calibration {
  cached ??= JSON.parse(readFileSync(packagePath('config', 'calibration.json'), 'utf8')) as Calibration;
  return cached;
}
