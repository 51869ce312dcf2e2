import { describe, expect, it } from 'vitest';
import { cholesky } from '../../src/linalg/cholesky.js';
import { ldexp, nextDown, provePositiveDefinite } from '../../src/linalg/verifiedDefinite.js';
import { createStream } from '../../src/random/stream.js';
import { exactlyPositiveDefinite, exactMatrix } from './exactDefinite.js';

/** A random symmetric matrix QΛQᵀ (Q from Gram–Schmidt on Gaussian columns), rounded to doubles. */
function spectral(eigenvalues: number[], seed: string): Float64Array {
  const n = eigenvalues.length;
  const s = createStream(seed, 'q');
  const q: number[][] = [];
  for (let k = 0; k < n; k++) {
    const v = Array.from({ length: n }, () => s.gaussian());
    for (const u of q) {
      const c = v.reduce((acc, x, i) => acc + x * u[i], 0);
      for (let i = 0; i < n; i++) v[i] -= c * u[i];
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += q[k][i] * eigenvalues[k] * q[k][j];
      a[i * n + j] = a[j * n + i] = sum;
    }
  }
  return a;
}

describe('provePositiveDefinite never accepts a matrix that is not positive definite', () => {
  // Matrices at the edge: λ_min/λ_max from −1e-8 to +1e-8 (rounding to doubles decides some of
  // them), each checked against the exact BigInt test. The verifier may refuse a definite matrix
  // (it needs a margin above n²u), never accept one that is not.
  const margins = [-1e-8, -1e-12, -1e-15, 0, 1e-15, 1e-12, 1e-8];
  for (const n of [2, 3, 5, 8]) {
    for (const margin of margins) {
      it(`n = ${n}, λ_min/λ_max = ${margin}`, () => {
        for (let trial = 0; trial < 4; trial++) {
          const eig = Array.from({ length: n }, (_, i) => 1 + i);
          eig[0] = margin * n;
          const a = spectral(eig, `edge/${n}/${margin}/${trial}`);
          if (provePositiveDefinite(a, n)) expect(exactlyPositiveDefinite(exactMatrix(a), n)).toBe(true);
          if (margin <= -1e-12) expect(provePositiveDefinite(a, n)).toBe(false);
        }
      });
    }
  }

  it('proves well-conditioned definite matrices (the test is not vacuous)', () => {
    for (const n of [1, 2, 5, 20, 60]) {
      const a = spectral(Array.from({ length: n }, (_, i) => 1e-3 + i), `well/${n}`);
      expect(provePositiveDefinite(a, n)).toBe(true);
    }
  });

  it('refuses exactly singular matrices (vvᵀ, and a rank-deficient Gram matrix of small integers)', () => {
    const v = [3, -1, 2, 5];
    const outer = Float64Array.from({ length: 16 }, (_, k) => v[k >> 2] * v[k & 3]);
    expect(provePositiveDefinite(outer, 4)).toBe(false);
    // G = MᵀM with M 2×3: rank 2 in dimension 3.
    const M = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const g = Float64Array.from({ length: 9 }, (_, k) => M[0][Math.floor(k / 3)] * M[0][k % 3] + M[1][Math.floor(k / 3)] * M[1][k % 3]);
    expect(exactlyPositiveDefinite(exactMatrix(g), 3)).toBe(false);
    expect(provePositiveDefinite(g, 3)).toBe(false);
    // [1e300, 1e300; 1e300, 1e300] is singular, yet a plain Cholesky completes (1e150² rounds below 1e300).
    const big = Float64Array.of(1e300, 1e300, 1e300, 1e300);
    expect(cholesky(big, 2)).not.toBeNull();
    expect(exactlyPositiveDefinite(exactMatrix(big), 2)).toBe(false);
    expect(provePositiveDefinite(big, 2)).toBe(false);
  });

  it('gives the same verdict at huge and tiny power-of-two scales, and stays sound at others', () => {
    for (const n of [3, 6]) {
      for (const margin of [1e-6, 1e-13, -1e-13]) {
        const a = spectral([margin, ...Array.from({ length: n - 1 }, (_, i) => 2 + i)], `scale/${n}/${margin}`);
        const verdict = provePositiveDefinite(a, n);
        for (const e of [-1060, -900, -600, 600, 900]) {
          const scaled = a.map((x) => ldexp(x, e));
          if (scaled.every((x) => Number.isFinite(x)) && e > -1000) expect(provePositiveDefinite(scaled, n)).toBe(verdict);
          if (provePositiveDefinite(scaled, n)) expect(exactlyPositiveDefinite(exactMatrix(scaled), n)).toBe(true);
        }
        for (const factor of [1e300, 1e-300, 3e-310]) {
          const scaled = a.map((x) => x * factor);
          if (provePositiveDefinite(scaled, n)) expect(exactlyPositiveDefinite(exactMatrix(scaled), n)).toBe(true);
        }
      }
    }
  });

  it('handles widely different diagonal scales (diagonal scaling is exact)', () => {
    // D A D with D = diag(2^±300): definite iff A is.
    const a = spectral([0.5, 1, 2, 3], 'diag');
    const d = [300, -300, 0, 150];
    const scaled = a.map((x, k) => ldexp(x, d[Math.floor(k / 4)] + d[k % 4]));
    expect(provePositiveDefinite(scaled, 4)).toBe(true);
    const b = spectral([-1e-10, 1, 2, 3], 'diag-bad');
    const bad = b.map((x, k) => ldexp(x, d[Math.floor(k / 4)] + d[k % 4]));
    expect(provePositiveDefinite(bad, 4)).toBe(false);
  });

  it('takes the radius into account: every matrix within it must be definite', () => {
    const a = Float64Array.of(1, 0, 0, 1e-3);
    const radius = (r: number) => Float64Array.of(0, 0, 0, r);
    expect(provePositiveDefinite(a, 2, radius(1e-4))).toBe(true);
    expect(provePositiveDefinite(a, 2, radius(1e-3))).toBe(false); // [1, 0; 0, 0] is within it
    expect(provePositiveDefinite(a, 2, radius(2e-3))).toBe(false);
    // Off-diagonal radius: [1, r; r, 1e-3] is singular at r = √1e-3.
    const off = (r: number) => Float64Array.of(0, r, r, 0);
    expect(provePositiveDefinite(a, 2, off(0.03))).toBe(true);
    expect(provePositiveDefinite(a, 2, off(0.0317))).toBe(false);
  });

  it('refuses what is not a finite symmetric matrix with a positive diagonal', () => {
    expect(provePositiveDefinite(Float64Array.of(1, 0.1, 0.2, 1), 2)).toBe(false);
    expect(provePositiveDefinite(Float64Array.of(1, NaN, NaN, 1), 2)).toBe(false);
    expect(provePositiveDefinite(Float64Array.of(Infinity, 0, 0, 1), 2)).toBe(false);
    expect(provePositiveDefinite(Float64Array.of(0, 0, 0, 1), 2)).toBe(false);
    expect(provePositiveDefinite(Float64Array.of(1, 0, 0, 1), 2, Float64Array.of(0, NaN, NaN, 0))).toBe(false);
    expect(provePositiveDefinite(new Float64Array(0), 0)).toBe(true);
  });

  it('subnormal entries: the underflow terms keep it sound', () => {
    const tiny = 2 ** -1070;
    const a = Float64Array.of(tiny, tiny / 2, tiny / 2, tiny);
    if (provePositiveDefinite(a, 2)) expect(exactlyPositiveDefinite(exactMatrix(a), 2)).toBe(true);
    const b = Float64Array.of(tiny, tiny, tiny, tiny); // singular
    expect(provePositiveDefinite(b, 2)).toBe(false);
  });
});

describe('helpers', () => {
  it('nextDown is the largest float below', () => {
    for (const x of [1, -1, 0, 2 ** -1074, 1e300, -3.5, 2 ** 52]) {
      const y = nextDown(x);
      expect(y).toBeLessThan(x);
      expect((x + y) / 2 === x || (x + y) / 2 === y).toBe(true); // no float strictly between
    }
  });
  it('ldexp is exact across the range', () => {
    expect(ldexp(3, 1500 - 1500)).toBe(3);
    expect(ldexp(ldexp(1.5, 1020), -1020)).toBe(1.5);
    expect(ldexp(1, -1074)).toBe(2 ** -1074);
    expect(ldexp(1, 2000)).toBe(Infinity);
  });
});
