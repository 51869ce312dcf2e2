import { describe, expect, it } from 'vitest';
import { gamma, widen } from '../../../../src/lipschitz/upper/rounding.js';
import { add, dyadic, exactDot, sign, type Dyadic } from '../../../support/exactArithmetic.js';
import { createStream } from '../../../../src/random/stream.js';

/** γ_n = n·u/(1 − n·u) with u = 2⁻⁵³ is n/(2⁵³ − n): one division of two exact integers, correctly rounded. */
const gammaReference = (n: number) => n / (2 ** 53 - n);

describe('γ_n (Higham §3.1)', () => {
  it('equals n/(2⁵³ − n) to a few ulps, and is strictly above n·u', () => {
    for (const n of [1, 2, 3, 7, 100, 12_345, 2 ** 20, 1e9, 2 ** 40]) {
      expect(Math.abs(gamma(n) - gammaReference(n))).toBeLessThanOrEqual(4 * Number.EPSILON * gammaReference(n));
      expect(gamma(n)).toBeGreaterThan(n * 2 ** -53);
    }
    expect(gamma(0)).toBe(0);
  });
});

/** x − y exactly, as a dyadic rational. */
const minus = (x: Dyadic, y: number): Dyadic => add(x, dyadic(-y));

describe('widen', () => {
  it('covers the rounding error of every computed dot product: |exact − computed| ≤ widen(n, Σ|aᵢbᵢ|)', () => {
    const s = createStream(5, 'test/unit/widen');
    for (let t = 0; t < 200; t++) {
      const n = 1 + Math.floor(40 * s.uniform());
      const scale = 10 ** (8 * s.uniform() - 4);
      const a = Float64Array.from({ length: n }, () => s.gaussian() * scale);
      // Nearly cancelling terms make the relative error of the computed sum large.
      const b = Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (1 + 1e-9 * s.gaussian()));
      let computed = 0;
      let magnitude = 0;
      for (let i = 0; i < n; i++) {
        computed += a[i] * b[i];
        magnitude += Math.abs(a[i] * b[i]);
      }
      const exact = exactDot(a, b);
      const w = widen(n, magnitude);
      // computed − w ≤ exact ≤ computed + w, decided in exact arithmetic.
      expect(sign(minus(exact, computed - w))).toBeGreaterThanOrEqual(0);
      expect(sign(minus(exact, computed + w))).toBeLessThanOrEqual(0);
      // …and is not wildly pessimistic: a few units of γ_{n+2}·magnitude.
      expect(w).toBeLessThanOrEqual(1.01 * gammaReference(n + 2) * magnitude + Number.MIN_VALUE);
    }
  });
  it('is positive even for a zero magnitude (an exact zero sum still gets the smallest subnormal)', () => {
    expect(widen(0, 0)).toBe(Number.MIN_VALUE);
    expect(widen(3, 0)).toBe(Number.MIN_VALUE);
    // Counts two more roundings than terms (the bias and the final one): γ_{n+2}.
    expect(widen(1, 1)).toBeGreaterThanOrEqual(gammaReference(3));
    expect(widen(1, 1)).toBeLessThan(gammaReference(4));
  });
});
