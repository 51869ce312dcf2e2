import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolveInPlace, inverseFromFactor, logDetFromFactor, solveLowerTransposedRowsInPlace } from '../../src/linalg/cholesky.js';
import { symmetricEigenvalues } from '../../src/linalg/jacobi.js';
import { largestEigenpair, largestEigenvalueOf } from '../../src/linalg/lanczos.js';
import { createStream } from '../../src/random/stream.js';

/** A random symmetric positive definite matrix MᵀM + shift·I. */
function spd(n: number, seed: string, shift = 0.1): Float64Array {
  const s = createStream(seed, 'm');
  const m = Array.from({ length: n * n }, () => s.gaussian());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? shift : 0;
      for (let k = 0; k < n; k++) sum += m[k * n + i] * m[k * n + j];
      a[i * n + j] = sum;
    }
  }
  return a;
}

describe('Cholesky', () => {
  // Sizes across the panel width (32), so the blocked update is exercised.
  for (const n of [1, 5, 40]) {
    it(`factors, solves and inverts an SPD matrix of size ${n} (residuals against the input)`, () => {
      const a = spd(n, `spd/${n}`);
      const r = cholesky(a, n)!;
      expect(r).not.toBeNull();
      let worst = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < n; k++) s += r[k * n + i] * r[k * n + j];
          worst = Math.max(worst, Math.abs(s - a[i * n + j]) / (Math.abs(a[i * i + i]) + 1));
          if (i > j) expect(r[i * n + j]).toBe(0);
        }
      }
      expect(worst).toBeLessThan(1e-10);
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const b = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += a[i * n + j] * x[j];
      choleskySolveInPlace(r, n, b);
      for (let i = 0; i < n; i++) expect(b[i]).toBeCloseTo(x[i], 6);
      const z = inverseFromFactor(r, n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * z[k * n + i];
        expect(s).toBeCloseTo(1, 6);
      }
      const logDet = symmetricEigenvalues(a, n).reduce((acc, v) => acc + Math.log(v), 0);
      expect(logDetFromFactor(r, n)).toBeCloseTo(logDet, 6);
      // R⁻ᵀ·C by rows equals column-by-column solves.
      const c = Float64Array.from({ length: n * 2 }, (_, k) => Math.cos(k));
      const y = c.slice();
      solveLowerTransposedRowsInPlace(r, n, y, 2);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let k = 0; k <= i; k++) s += r[k * n + i] * y[k * 2];
        expect(s).toBeCloseTo(c[i * 2], 8);
      }
    });
  }

  it('refuses indefinite, singular and non-finite matrices', () => {
    expect(cholesky(Float64Array.of(1, 2, 2, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(1, 1, 1, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(0, 0, 0, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(NaN, 0, 0, 1), 2)).toBeNull();
    expect(cholesky(Float64Array.of(1e300, 2e300, 2e300, 1e300), 2)).toBeNull();
    const a = spd(40, 'indefinite');
    a[39 * 40 + 39] = -1;
    expect(cholesky(a, 40)).toBeNull();
  });
});

describe('Lanczos', () => {
  it('finds the largest eigenvalue and a vector for it (against Jacobi)', () => {
    for (const n of [1, 3, 20, 60]) {
      const a = spd(n, `lanczos/${n}`, 0);
      const exact = Math.max(...symmetricEigenvalues(a, n));
      expect(largestEigenvalueOf(a, n)).toBeCloseTo(exact, 8 - Math.round(Math.log10(exact)));
      const { value, vector } = largestEigenpair((v, out) => {
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
          out[i] = s;
        }
      }, n);
      let residual = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += a[i * n + j] * vector[j];
        residual = Math.max(residual, Math.abs(s - value * vector[i]));
      }
      expect(residual).toBeLessThan(1e-6 * exact);
    }
  });
  it('a zero matrix and an empty one', () => {
    expect(largestEigenvalueOf(new Float64Array(9), 3)).toBe(0);
    expect(largestEigenvalueOf(new Float64Array(0), 0)).toBe(-Infinity);
  });
});
