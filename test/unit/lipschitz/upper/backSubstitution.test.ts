import { describe, expect, it } from 'vitest';
import { absTimes, multiplyRows, roundingFactor, transpose, underflowFloor } from '../../../../src/lipschitz/upper/backSubstitution.js';
import { createStream } from '../../../../src/random/stream.js';
import { add, dyadic, exactDot, mul, sign, type Dyadic } from '../../../support/exactArithmetic.js';

/** γ_n = n/(2⁵³ − n) (independent of rounding.ts's formula). */
const g = (n: number) => n / (2 ** 53 - n);
/** The sign of a − b for an exact a and a double b. */
const compare = (a: Dyadic, b: number): number => sign(add(a, mul(dyadic(-1), dyadic(b))));

/** Small integers (some zero, so whole groups of four coefficients vanish): their products and sums are exact. */
function integerMatrix(seed: number, rows: number, cols: number, zeros: number): Float64Array {
  const s = createStream(seed, 'test/unit/backSubstitution');
  return Float64Array.from({ length: rows * cols }, () => (s.uniform() < zeros ? 0 : Math.floor(s.uniform() * 19) - 9));
}

/** A·B by the textbook triple loop. */
function naiveProduct(A: Float64Array, rows: number, inner: number, B: Float64Array, cols: number): Float64Array {
  const C = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let i = 0; i < inner; i++) s += A[r * inner + i] * B[i * cols + c];
      C[r * cols + c] = s;
    }
  }
  return C;
}

describe('multiplyRows', () => {
  it('is A·B for every shape: rows not a multiple of four, blocks of the inner and column dimensions crossed, sparse rows', () => {
    // Integer entries, so every sum is exact and any order of summation gives the same numbers.
    const shapes: [number, number, number, number][] = [
      [1, 1, 1, 0],
      [3, 2, 5, 0.3],
      [4, 3, 2, 0],
      [7, 5, 3, 0.5],
      [9, 300, 3, 0.6], // inner > 256: two inner blocks
      [5, 4, 140, 0.2], // cols > 128: two column blocks
      [6, 260, 131, 0.9], // both, and mostly zero coefficients
    ];
    shapes.forEach(([rows, inner, cols, zeros], t) => {
      const A = integerMatrix(2 * t, rows, inner, zeros);
      const B = integerMatrix(2 * t + 1, inner, cols, 0.1);
      expect(Array.from(multiplyRows(A, rows, inner, B, cols))).toEqual(Array.from(naiveProduct(A, rows, inner, B, cols)));
    });
  });

  it('skips a group of four rows only where all four coefficients are zero', () => {
    // Rows 0..3 have exactly one nonzero coefficient each, in different columns of A.
    const A = Float64Array.from([2, 0, 0, 0, 0, 3, 0, 0, 0, 0, 5, 0, 0, 0, 0, 7, 1, 1, 1, 1]);
    const B = Float64Array.from([1, 10, 100, 1000, 2, 20, 200, 2000]);
    const C = multiplyRows(A, 5, 4, B, 2);
    expect(Array.from(C)).toEqual([2, 20, 300, 3000, 10, 100, 1400, 14000, 1 + 100 + 2 + 200, 10 + 1000 + 20 + 2000]);
  });
});

describe('absTimes', () => {
  it('bounds |M|·v from above, tightly, whatever the signs (checked in exact arithmetic)', () => {
    const s = createStream(5, 'test/unit/absTimes');
    for (let t = 0; t < 20; t++) {
      const rows = 1 + (t % 5);
      const cols = 1 + ((3 * t) % 7);
      const M = Float64Array.from({ length: rows * cols }, () => (s.uniform() - 0.5) * 10 ** (6 * s.uniform() - 3));
      const v = Float64Array.from({ length: cols }, () => s.uniform() * 10 ** (4 * s.uniform() - 2));
      const out = absTimes(M, rows, cols, v);
      expect(out.length).toBe(rows);
      for (let i = 0; i < rows; i++) {
        const row = Array.from(M.subarray(i * cols, (i + 1) * cols), Math.abs);
        const exact = exactDot(row, v);
        expect(compare(exact, out[i])).toBeLessThanOrEqual(0); // exact ≤ computed bound
        const approx = row.reduce((acc, m, j) => acc + m * v[j], 0);
        expect(out[i]).toBeLessThanOrEqual(approx * (1 + 8 * g(cols + 2)) + 1e-300);
      }
    }
  });

  it('covers products that underflow: |2⁻¹⁰⁷⁴|·0.5 rounds to 0 but the bound stays above 2⁻¹⁰⁷⁵', () => {
    const out = absTimes(Float64Array.of(-Number.MIN_VALUE, Number.MIN_VALUE, 0), 1, 3, Float64Array.of(0.5, 0.25, 1));
    expect(out[0]).toBeGreaterThan(0);
    expect(out[0]).toBeLessThan(1e-300);
  });
});

describe('transpose', () => {
  it('moves entry (i, j) to (j, i) for rectangular shapes, and twice is the identity', () => {
    for (const [rows, cols] of [[1, 1], [2, 3], [3, 2], [1, 4]]) {
      const M = Float64Array.from({ length: rows * cols }, (_, k) => k + 1);
      const T = transpose(M, rows, cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(T[j * rows + i]).toBe(M[i * cols + j]);
      expect(Array.from(transpose(T, cols, rows))).toEqual(Array.from(M));
    }
  });
});

describe('the rounding factor and the underflow floor', () => {
  it('roundingFactor(T) is γ_G for some G ≥ T, and not absurdly larger (G ≤ 8T + 128)', () => {
    for (const T of [0, 1, 2, 15, 16, 17, 100, 10_000]) {
      expect(roundingFactor(T)).toBeGreaterThanOrEqual(g(Math.max(T, 1)));
      expect(roundingFactor(T)).toBeLessThanOrEqual(g(8 * T + 128));
    }
  });

  it('underflowFloor covers 2⁻¹⁰⁷⁵ per product times (1 + the other factor), is positive, and grows with both arguments', () => {
    for (const [p, m] of [[0, 0], [1, 0], [3, 2], [10, 1e10]]) {
      const floor = underflowFloor(p, m);
      expect(floor).toBeGreaterThan(0);
      expect(floor).toBeGreaterThanOrEqual(p * 2 ** -1075 * (1 + m));
      expect(floor).toBeLessThanOrEqual(8 * (p + 1) * (1 + m) * Number.MIN_VALUE);
      expect(underflowFloor(p + 1, m)).toBeGreaterThan(floor);
      expect(underflowFloor(p, 2 * m + 1)).toBeGreaterThan(floor);
    }
  });
});
