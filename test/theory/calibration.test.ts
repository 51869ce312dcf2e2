import { describe, expect, it } from 'vitest';
import { loadCalibration, quantileInterval, type CalibrationCheck } from '../../src/theory/calibration.js';
import { binomialUpperTail, normalQuantile } from '../../src/theory/stats.js';
import { createStream } from '../../src/random/stream.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { bruteForceLipschitz } from '../support/bruteForce.js';
import { statistical } from '../../properties/support/statistical.js';

const file = import.meta.url;

describe('quantileInterval (order statistics, distribution-free)', () => {
  it('covers the true quantile at least at its level (simulation, three binomial checks at α = 1e-6 each: false failure ≤ 3e-6)', () => {
    const s = createStream(5, 'quantile-interval');
    for (const [n, p, level] of [[40, 0.5, 0.9], [200, 0.05, 0.95], [60, 0.9, 0.8]] as const) {
      let misses = 0;
      const runs = 400;
      for (let r = 0; r < runs; r++) {
        const xs = Array.from({ length: n }, () => s.gaussian());
        const [lo, hi] = quantileInterval(xs, p, level);
        const truth = normalQuantile(p);
        if (!(lo <= truth && truth <= hi)) misses++;
      }
      expect(binomialUpperTail(misses, runs, 1 - level)).toBeGreaterThan(1e-6);
    }
  });
  it('leaves an end unbounded when no order statistic can give it', () => {
    const xs = Array.from({ length: 30 }, (_, i) => i);
    expect(quantileInterval(xs, 0.005, 0.99)[0]).toBe(-Infinity);
    expect(quantileInterval(xs, 0.995, 0.99)[1]).toBe(Infinity);
    const [lo, hi] = quantileInterval(xs, 0.5, 0.95);
    expect(lo).toBeLessThan(14.5);
    expect(hi).toBeGreaterThan(14.5);
  });
});

describe('the committed calibration', () => {
  const calibration = loadCalibration();
  it('names its method, seed and independent cross-check, with intervals for the quantiles behind c and C', () => {
    expect(calibration.provenance?.method).toMatch(/region enumeration/);
    expect(calibration.provenance?.seed).toBe(20261126);
    expect(calibration.provenance?.crosscheck?.rows).toBeGreaterThanOrEqual(50);
    expect(calibration.provenance?.crosscheck?.maxRelativeDifference).toBeLessThanOrEqual(1e-9);
    for (const band of Object.values(calibration.bands)) {
      const iv = band!.intervals!;
      expect(iv.level).toBe(0.99);
      // c and C rest on the point quantiles, which lie inside their own intervals (null: unbounded end).
      expect(iv.low[0] ?? -Infinity).toBeLessThanOrEqual(band!.lowQuantile);
      expect(iv.low[1] ?? Infinity).toBeGreaterThanOrEqual(band!.lowQuantile);
      expect(iv.high[0] ?? -Infinity).toBeLessThanOrEqual(band!.highQuantile);
      expect(iv.high[1] ?? Infinity).toBeGreaterThanOrEqual(band!.highQuantile);
    }
  });
  it('agrees with a fresh calibration of its check stratum drawn with other seeds (false-failure ≤ 6e-5)', () => {
    // Each interval (committed and fresh) misses its quantile with probability ≤ 1e-5; two disjoint
    // intervals need a miss, so each of the three comparisons fails wrongly with probability ≤ 2e-5.
    expect(calibration.check!.cells.length).toBeGreaterThan(10);
    const name = 'agrees with a fresh calibration of its check stratum drawn with other seeds (false-failure ≤ 6e-5)';
    statistical({ seed: 8801, falseFailure: 6e-5, file, name }, (seed) => agreement(calibration.check!, freshRatios(calibration.check!, seed)));
  });
  it('has power: a calibration whose values were off by ×1.5 is refuted by the same comparison', () => {
    const check = calibration.check!;
    const scaled = (iv: readonly [number, number]) => [1.5 * iv[0], 1.5 * iv[1]] as const;
    const wrong = { ...check, intervals: { ...check.intervals, p05: scaled(check.intervals.p05), median: scaled(check.intervals.median), p95: scaled(check.intervals.p95) } };
    expect(agreement(wrong, freshRatios(check, 8801)).ok).toBe(false);
  });
});

const freshCache = new Map<number, number[]>();

/** Exact Lip₂/√d of fresh networks from every cell of the check stratum (3 per cell), with another seed. */
function freshRatios(check: CalibrationCheck, seed: number): number[] {
  const hit = freshCache.get(seed);
  if (hit) return hit;
  const ratios: number[] = [];
  let oracle = 0;
  for (const cell of check.cells) {
    for (let i = 0; i < 3; i++) {
      const net = sampleNetwork({ inputDim: 2, widths: [cell.N], bias: parseBiasLaw(cell.bias), weights: 'he-fanout', seed: `fresh-calibration:${seed}:${cell.N}:${cell.bias}:${i}` });
      const r = exactLipschitz(net, { norm: '2', box: null });
      if (r.kind !== 'exact') throw new Error(r.message);
      // On three of the smallest nets the values are checked against the brute-force oracle (HiGHS, every pattern).
      if (cell.N <= 8 && i === 0 && oracle++ < 3) expect(Math.abs(bruteForceLipschitz(net, '2', null).lipschitz - r.lipschitz)).toBeLessThanOrEqual(1e-9 * r.lipschitz);
      ratios.push(r.lipschitz / Math.SQRT2);
    }
  }
  freshCache.set(seed, ratios);
  return ratios;
}

/** Whether the fresh intervals of the 5%, 50% and 95% quantiles meet the committed ones (JSON's null: unbounded). */
function agreement(check: CalibrationCheck, ratios: number[]): { ok: boolean; detail: string } {
  const level = check.intervals.level;
  const fresh = { p05: quantileInterval(ratios, 0.05, level), median: quantileInterval(ratios, 0.5, level), p95: quantileInterval(ratios, 0.95, level) };
  const disjoint = (['p05', 'median', 'p95'] as const).filter((q) => {
    const [a, b] = check.intervals[q];
    const [c, d] = fresh[q];
    return (b ?? Infinity) < c || d < (a ?? -Infinity);
  });
  return { ok: disjoint.length === 0, detail: `committed ${JSON.stringify(check.intervals)}; fresh (${ratios.length} nets) ${JSON.stringify(fresh)}; disjoint: ${disjoint.join(', ') || 'none'}` };
}
