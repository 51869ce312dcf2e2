import { describe, expect, it } from 'vitest';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { provenSpectralBound, proveSpectralNormAtMost } from '../../src/linalg/verifiedSpectralNorm.js';
import { gramMatrix } from '../../src/linalg/rowCombinations.js';
import type { Mat } from '../../src/linalg/mat.js';
import { createStream } from '../../src/random/stream.js';
import { add, dyadic, exactDot, mul, sign, type Dyadic } from '../support/exactArithmetic.js';
import { exactlyPositiveDefinite } from './exactDefinite.js';

/** ‖W‖₂ by ml-matrix's SVD (an independent estimate, not a bound), on W scaled to entries ≤ 1. */
function svd(w: Mat): number {
  const scale = w.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const rows = Array.from({ length: w.rows }, (_, i) => Array.from(w.data.subarray(i * w.cols, (i + 1) * w.cols), (v) => v / scale));
  return scale * new SingularValueDecomposition(new Matrix(rows), { autoTranspose: true, computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal[0];
}

/** The exact answer to "‖W‖₂ < s": s²I − WᵀW positive definite, in BigInt arithmetic. */
function exactlyBelow(w: Mat, s: number): boolean {
  const n = w.cols;
  const column = (j: number) => Float64Array.from({ length: w.rows }, (_, i) => w.data[i * n + j]);
  const cols = Array.from({ length: n }, (_, j) => column(j));
  const s2 = mul(dyadic(s), dyadic(s));
  const m: Dyadic[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const g = exactDot(cols[i], cols[j]);
      const minus = { m: -g.m, e: g.e };
      m.push(i === j ? add(s2, minus) : minus);
    }
  }
  return exactlyPositiveDefinite(m, n);
}

function random(rows: number, cols: number, seed: number, entry?: (s: ReturnType<typeof createStream>) => number): Mat {
  const s = createStream(seed, 'test/linalg/verified-spectral');
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => (entry ? entry(s) : s.gaussian())) };
}

const hadamard = (n: number): Mat => {
  let h = [[1]];
  while (h.length < n) h = [...h.map((r) => [...r, ...r]), ...h.map((r) => [...r, ...r.map((v) => -v)])];
  return { rows: n, cols: n, data: Float64Array.from(h.flat()) };
};

describe('provenSpectralBound: above ‖W‖₂ (exactly), and within 1e-8 of it', () => {
  const shapes: [number, number][] = [[1, 1], [1, 5], [5, 1], [2, 3], [3, 2], [4, 4], [6, 3]];
  const scales = [1, 1e-150, 1e150, 3e-300, 7e290];
  for (const [rows, cols] of shapes) {
    it(`${rows}×${cols}, Gaussian entries, at scales ${scales.join(', ')}: bound² > σ², checked in BigInt`, () => {
      for (const [t, scale] of scales.entries()) {
        const w = random(rows, cols, 10 * rows + cols + 100 * t, (s) => scale * s.gaussian());
        const bound = provenSpectralBound(w);
        expect(bound).not.toBeNull();
        expect(exactlyBelow(w, bound!)).toBe(true);
        const sigma = svd(w);
        expect(bound!).toBeLessThanOrEqual(sigma * (1 + 1e-8));
        // Just below it is not above σ: the oracle sees the difference (so the test can fail).
        expect(exactlyBelow(w, sigma * (1 - 1e-9))).toBe(false);
      }
    });
  }
  it('matrices at the verifier\'s edges: rank one, a dominant column, duplicate and zero columns, subnormal entries', () => {
    const cases: Mat[] = [
      { rows: 3, cols: 3, data: Float64Array.from([1, 2, 3, 2, 4, 6, 3, 6, 9]) }, // rank one, σ = 14
      { rows: 3, cols: 3, data: Float64Array.from([1e8, 1, 0, 1e8, 0, 1, 1e8, 1, 1]) },
      { rows: 2, cols: 4, data: Float64Array.from([1, 1, 0, 0.5, 1, 1, 0, 0.5]) },
      { rows: 3, cols: 2, data: Float64Array.from([5e-324, 1e-310, 0, 2e-320, 1e-300, 0]) },
      { rows: 2, cols: 2, data: Float64Array.from([1e300, 1e-300, -1e-300, 1e300]) },
    ];
    for (const w of cases) {
      const bound = provenSpectralBound(w);
      expect(bound).not.toBeNull();
      expect(exactlyBelow(w, bound!)).toBe(true);
      expect(bound!).toBeLessThanOrEqual(svd(w) * (1 + 1e-8));
    }
    // Rank one: σ = ‖(1, 2, 3)‖² = 14 exactly.
    expect(provenSpectralBound(cases[0])).toBeGreaterThan(14);
    expect(provenSpectralBound(cases[0])).toBeLessThan(14 * (1 + 1e-11));
  });
  it('Hadamard matrices (σ = √n exactly, every singular value equal): bound² ≥ n in BigInt', () => {
    for (const n of [2, 8, 64, 256]) {
      const bound = provenSpectralBound(hadamard(n))!;
      expect(sign(add(mul(dyadic(bound), dyadic(bound)), dyadic(-n)))).toBe(1);
      expect(bound).toBeLessThan(Math.sqrt(n) * (1 + 1e-9));
    }
  });
  it('large random shapes, tall and wide (the two Gram products), stay within 2e-9 of the SVD\'s value', () => {
    for (const [rows, cols] of [[300, 120], [120, 300], [257, 255]] as const) {
      const w = random(rows, cols, rows * 7 + cols);
      const sigma = svd(w);
      const bound = provenSpectralBound(w)!;
      expect(bound).toBeGreaterThan(sigma);
      expect(bound).toBeLessThanOrEqual(sigma * (1 + 2e-9));
    }
  });
  it('0 for a zero (or empty) matrix; no bound for non-finite entries', () => {
    expect(provenSpectralBound({ rows: 2, cols: 3, data: new Float64Array(6) })).toBe(0);
    expect(provenSpectralBound({ rows: 0, cols: 3, data: new Float64Array(0) })).toBe(0);
    expect(provenSpectralBound({ rows: 1, cols: 2, data: Float64Array.from([1, NaN]) })).toBeNull();
    expect(provenSpectralBound({ rows: 1, cols: 2, data: Float64Array.from([1, Infinity]) })).toBeNull();
  });
  it('near the top of the doubles: 2^1023·√2 is proven; 1.5·2^1023·√2 overflows to +∞ (no bound)', () => {
    const near = provenSpectralBound({ rows: 2, cols: 1, data: Float64Array.from([2 ** 1023, 2 ** 1023]) })!;
    expect(near).toBeGreaterThan(2 ** 1023 * Math.SQRT2);
    expect(near).toBeLessThan(2 ** 1023 * Math.SQRT2 * (1 + 1e-12));
    expect(provenSpectralBound({ rows: 2, cols: 1, data: Float64Array.from([1.5 * 2 ** 1023, 1.5 * 2 ** 1023]) })).toBe(Infinity);
  });
});

describe('provenSpectralBound keeps to its stop callback', () => {
  const w = random(40, 30, 5);
  it('abandons at once (no bound) when told to stop before the first step', () => {
    expect(provenSpectralBound(w, { stop: () => true })).toBeNull();
  });
  it('asks before every step: the Gram rows (64 at a time), Lanczos and each proof attempt; their counts add up to the work', () => {
    const asked: number[] = [];
    const bound = provenSpectralBound(w, { stop: (flops) => (asked.push(flops), false) });
    expect(bound).toBeGreaterThan(svd(w));
    // k = 30 Gram rows (one block) of 40 × 30 multiply-adds each, then Lanczos (160·30²), then one proof (2·30³/3).
    expect(asked).toEqual([30 * 40 * 30, 160 * 900, (2 * 27000) / 3]);
    // Stopped at the proof: no bound, whatever came before.
    let calls = 0;
    expect(provenSpectralBound(w, { stop: () => ++calls > 2 })).toBeNull();
  });
  it('on the smaller side of a wide matrix too, in blocks of 64 rows from their diagonal on: 70 × 100 gives Ĝ = ÂÂᵀ (70 × 70) in 64 + 6 rows', () => {
    const asked: number[] = [];
    provenSpectralBound(random(70, 100, 6), { stop: (flops) => (asked.push(flops), false) });
    expect(asked.slice(0, 3)).toEqual([64 * 100 * 70, 6 * 100 * 6, 160 * 4900]);
  });
});

describe('proveSpectralNormAtMost: a claim ‖W‖₂ ≤ s', () => {
  it('is proven just above σ and never below it, on small matrices checked in BigInt', () => {
    for (let seed = 0; seed < 20; seed++) {
      const w = random(2 + (seed % 3), 2 + ((seed >> 1) % 3), 200 + seed);
      const sigma = svd(w);
      for (const factor of [1 - 1e-6, 1 - 1e-12, 1 + 1e-12, 1 + 1e-9, 1 + 1e-6]) {
        const s = sigma * factor;
        const proven = proveSpectralNormAtMost(w, s);
        if (proven) expect(exactlyBelow(w, s)).toBe(true); // never a false proof
        if (factor >= 1 + 1e-9) expect(proven).toBe(true); // and not uselessly weak
      }
    }
  });
  it('on a 200×150 Gaussian matrix separates σ(1 − 1e-7) from σ(1 + 1e-7)', () => {
    const w = random(200, 150, 9);
    const sigma = svd(w);
    expect(proveSpectralNormAtMost(w, sigma * (1 - 1e-7))).toBe(false);
    expect(proveSpectralNormAtMost(w, sigma * (1 + 1e-7))).toBe(true);
  });
  it('refuses claims that are not numbers ≥ 0, and proves 0 only for a zero matrix', () => {
    const w = random(2, 2, 1);
    for (const s of [NaN, -1, Infinity]) expect(proveSpectralNormAtMost(w, s)).toBe(false);
    expect(proveSpectralNormAtMost({ rows: 2, cols: 2, data: new Float64Array(4) }, 0)).toBe(true);
    expect(proveSpectralNormAtMost(w, 0)).toBe(false);
  });
});

describe('gramMatrix', () => {
  it('is BᵀB summed in the order l = 0, 1, … (bit for bit against a plain loop, both triangles), in blocks of 64 rows', () => {
    for (const [m, k] of [[5, 3], [3, 5], [90, 70]] as const) {
      const B = random(m, k, 31 * m + k);
      const asked: number[] = [];
      const g = gramMatrix(B, (flops) => (asked.push(flops), false))!;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let l = 0; l < m; l++) s += B.data[l * k + i] * B.data[l * k + j];
          expect(g[i * k + j]).toBe(s);
        }
      }
      // Blocks of 64 rows, each from its first row's diagonal on.
      expect(asked).toEqual(Array.from({ length: Math.ceil(k / 64) }, (_, b) => Math.min(64, k - 64 * b) * m * (k - 64 * b)));
    }
    expect(gramMatrix(random(4, 4, 1), () => true)).toBeNull();
  });
});
