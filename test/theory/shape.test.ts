import { describe, expect, it } from 'vitest';
import { bracketSlope, bracketSlopeTest, inconsistentPoint, medianOrderStatistic, quantileGrowthTest, type BracketPoint } from '../../src/theory/shape.js';
import { binomialLowerTail, binomialUpperTail, linearFit } from '../../src/theory/stats.js';
import { createStream } from '../../src/random/stream.js';

const stream = createStream(11, 'shape-tests');

/** A random box of n brackets around y = a + b·log x + noise, log-widths up to `width`. */
function randomBox(n: number, slope: number, width: number, seed: string): { points: BracketPoint[]; truth: number[] } {
  const s = createStream(seed, 'box');
  const points: BracketPoint[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = 2 ** (1 + (i % 6));
    const y = Math.exp(0.3 + slope * Math.log(x) + 0.3 * s.gaussian());
    const below = Math.exp(-width * s.uniform());
    const above = Math.exp(width * s.uniform());
    points.push({ x, lower: y * below, upper: y * above });
    truth.push(y);
  }
  return { points, truth };
}

/** The classical slope and standard error of the log-log fit at given y values. */
function classical(points: readonly BracketPoint[], ys: readonly number[]): { slope: number; se: number } {
  const fit = linearFit(points.map((p) => Math.log(p.x)), ys.map(Math.log));
  return { slope: fit.slope, se: fit.slopeStandardError };
}

describe('bracketSlope: the least-squares slope over a box of brackets', () => {
  it('equals the classical fit for point values', () => {
    const { truth } = randomBox(12, 0.5, 0, 'points');
    const points = truth.map((y, i) => ({ x: 2 ** (1 + (i % 6)), lower: y, upper: y }));
    const s = bracketSlope(points);
    const c = classical(points, truth);
    expect(s.minSlope).toBeCloseTo(c.slope, 12);
    expect(s.maxSlope).toBeCloseTo(c.slope, 12);
    expect(s.seUpper).toBeCloseTo(c.se, 12);
  });
  it('its min and max are the extremes over every vertex of the box, and se⁺ bounds the standard error anywhere in it', () => {
    // Independent answer: brute force over all 2^n vertices (the slope is linear, so the extremes
    // are at vertices) and random interior points.
    for (const seed of ['a', 'b', 'c']) {
      const { points } = randomBox(10, 0.4, 0.6, seed);
      const s = bracketSlope(points);
      let lo = Infinity;
      let hi = -Infinity;
      let seMax = 0;
      for (let mask = 0; mask < 1 << points.length; mask++) {
        const ys = points.map((p, i) => ((mask >> i) & 1 ? p.upper : p.lower));
        const c = classical(points, ys);
        lo = Math.min(lo, c.slope);
        hi = Math.max(hi, c.slope);
        seMax = Math.max(seMax, c.se);
      }
      for (let r = 0; r < 200; r++) {
        const ys = points.map((p) => p.lower * (p.upper / p.lower) ** stream.uniform());
        seMax = Math.max(seMax, classical(points, ys).se);
      }
      expect(s.minSlope).toBeCloseTo(lo, 10);
      expect(s.maxSlope).toBeCloseTo(hi, 10);
      expect(s.seUpper).toBeGreaterThanOrEqual(seMax * (1 - 1e-12));
      expect(s.minSlope).toBeLessThanOrEqual(s.midSlope);
      expect(s.midSlope).toBeLessThanOrEqual(s.maxSlope);
    }
  });
  it('refuses fewer than 3 points, a single x and empty brackets', () => {
    expect(() => bracketSlope([{ x: 1, lower: 1, upper: 1 }, { x: 2, lower: 1, upper: 1 }])).toThrow(/3 points/);
    expect(() => bracketSlope([1, 2, 3].map(() => ({ x: 4, lower: 1, upper: 2 })))).toThrow(/distinct/);
    expect(() => bracketSlope([{ x: 1, lower: 1, upper: 1 }, { x: 2, lower: 3, upper: 2 }, { x: 4, lower: 1, upper: 1 }])).toThrow(/empty/);
    expect(inconsistentPoint([{ x: 1, lower: 2, upper: 2 * (1 + 1e-12) }])).toBeNull(); // rounding, not a contradiction
    expect(inconsistentPoint([{ x: 1, lower: 0, upper: 1 }])).not.toBeNull();
  });
});

describe('bracketSlopeTest', () => {
  it('holds its level: with the true slope in the window, it fails in at most α of replications (binomial, α_check = 1e-6)', () => {
    // Regression data with normal errors and random brackets around the truth; α = 0.05 per test.
    let failures = 0;
    const runs = 400;
    for (let r = 0; r < runs; r++) {
      const { points } = randomBox(12, 0.5, 0.3 * stream.uniform(), `level-${r}`);
      if (!bracketSlopeTest(points, { lo: 0.45, hi: 0.55 }, 0.05).ok) failures++;
    }
    // P(X ≥ failures) under Binomial(400, 0.05) must not be astronomically small.
    expect(binomialUpperTail(failures, runs, 0.05)).toBeGreaterThan(1e-6);
  });
  it('rejects slopes outside the window on the right side, and empty brackets as inconsistent', () => {
    const steep = randomBox(24, 1, 0.05, 'steep').points;
    const flat = randomBox(24, 0, 0.05, 'flat').points;
    expect(bracketSlopeTest(steep, { lo: 0.3, hi: 0.7 }, 1e-3).finding).toBe('steeper');
    expect(bracketSlopeTest(flat, { lo: 0.3, hi: 0.7 }, 1e-3).finding).toBe('flatter');
    expect(bracketSlopeTest(flat, { lo: -Infinity, hi: 0.25 }, 1e-6).ok).toBe(true);
    const broken = steep.map((p, i) => (i === 3 ? { ...p, lower: 2 * p.upper } : p));
    const v = bracketSlopeTest(broken, { lo: 0.3, hi: 1.7 }, 1e-6);
    expect(v.finding).toBe('inconsistent');
    expect(v.detail).toMatch(/contradict/);
  });
  it('loose brackets widen the interval (power lost, never soundness)', () => {
    const { truth } = randomBox(24, 1, 0, 'loose');
    const tight = truth.map((y, i) => ({ x: 2 ** (1 + (i % 6)), lower: y, upper: y }));
    const loose = tight.map((p) => ({ ...p, lower: p.lower / 3, upper: p.upper * 3 }));
    const a = bracketSlopeTest(tight, { lo: 0.3, hi: 0.7 }, 1e-6);
    const b = bracketSlopeTest(loose, { lo: 0.3, hi: 0.7 }, 1e-6);
    expect(b.interval[0]).toBeLessThan(a.interval[0]);
    expect(b.interval[1]).toBeGreaterThan(a.interval[1]);
  });
});

describe('quantileGrowthTest', () => {
  it('picks the order statistic from the binomial tail', () => {
    for (const n of [5, 16, 30, 100]) {
      for (const p of [1e-6, 1e-3, 0.05]) {
        const k = medianOrderStatistic(n, p);
        if (k > 0) expect(binomialLowerTail(k - 1, n, 0.5)).toBeLessThanOrEqual(p);
        if (k < n) expect(binomialLowerTail(k, n, 0.5)).toBeGreaterThan(p);
      }
    }
    // P(Bin(16, ½) = 0) = 2⁻¹⁶ ≈ 1.5e-5: the minimum qualifies at 2e-5, nothing at 1e-5.
    expect(medianOrderStatistic(16, 2e-5)).toBe(1);
    expect(medianOrderStatistic(16, 1e-5)).toBe(0);
  });
  it('holds its level when the medians grow exactly at the window top (α_check = 1e-6)', () => {
    let failures = 0;
    const runs = 300;
    for (let r = 0; r < runs; r++) {
      const draw = (x: number) => Array.from({ length: 20 }, () => {
        const y = x ** 0.25 * Math.exp(0.5 * stream.gaussian());
        return { x, lower: y * Math.exp(-0.2 * stream.uniform()), upper: y * Math.exp(stream.uniform()) };
      });
      if (!quantileGrowthTest({ low: draw(16), high: draw(1024) }, { lo: -Infinity, hi: 0.25 }, 0.05).ok) failures++;
    }
    expect(binomialUpperTail(failures, runs, 0.05)).toBeGreaterThan(1e-6);
  });
  it('sees √x growth with loose upper ends at the high point, and only the ends that matter move it', () => {
    const draw = (x: number, exponent: number, looseUpper: number) =>
      Array.from({ length: 16 }, (_, i) => {
        const y = x ** exponent * Math.exp(0.3 * Math.sin(i));
        return { x, lower: y * 0.95, upper: y * looseUpper };
      });
    const grows = quantileGrowthTest({ low: draw(16, 0.5, 1.01), high: draw(1024, 0.5, 20) }, { lo: -Infinity, hi: 0.25 }, 1e-4);
    expect(grows.finding).toBe('steeper');
    const flat = quantileGrowthTest({ low: draw(16, 0, 1.01), high: draw(1024, 0, 20) }, { lo: -Infinity, hi: 0.25 }, 1e-4);
    expect(flat.ok).toBe(true);
    expect(quantileGrowthTest({ low: draw(16, 0.5, 1.01), high: draw(1024, 0, 1.01) }, { lo: 0.3, hi: 0.7 }, 1e-4).finding).toBe('flatter');
    const tooFew = quantileGrowthTest({ low: draw(16, 0, 1).slice(0, 3), high: draw(1024, 1, 1).slice(0, 3) }, { lo: -Infinity, hi: 0.25 }, 1e-6);
    expect(tooFew.ok).toBe(true);
    expect(tooFew.detail).toMatch(/too few/);
  });
});
