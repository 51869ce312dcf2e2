import { choleskyInPlace } from './cholesky.js';

/**
 * A rigorous floating-point proof that a symmetric matrix is positive definite.
 *
 * Theorem (Rump, "Verification of positive definiteness", BIT 46 (2006) 433–452, Corollary 2.4,
 * with the computable constant of its Coq formalisation in ValidSDP, `corollary_2_4_with_c_upper_bound`;
 * Corollary 2.7 for the interval form): let A be a symmetric n×n matrix of binary64 numbers with
 * a_ii ≥ 0, let maxdiag ≥ max a_ii, and
 *
 *   c ≥ ½·γ_{2(n+1)}·tr(A) + 4·η·n·(2(n+1) + maxdiag),      γ_k = k·u/(1 − k·u), u = 2⁻⁵³, η = 2⁻¹⁰⁷⁴.
 *
 * If Ã equals A off the diagonal, ã_ii ≤ a_ii − c − r, and the floating-point Cholesky
 * factorisation of Ã (computed as in cholesky.ts, every pivot > 0) runs to completion, then every
 * symmetric X with |X − A| ≤ Rad entrywise and ‖Rad‖₂ ≤ r is positive definite. (u bounds the
 * relative rounding error of +, −, ×, ÷, √ in round-to-nearest; η the absolute error of an
 * underflowing product or quotient — 2⁻¹⁰⁷⁵ suffices, 2⁻¹⁰⁷⁴ is used.)
 *
 * What this module adds, each step exact or bounded:
 * 1. Diagonal scaling by powers of two, DAD with d_i = 2^{e_i}, so the diagonal is about 1 (else
 *    c, which grows with the trace, would swamp the small diagonal entries). X ≻ 0 ⇔ DXD ≻ 0.
 *    Scaling by a power of two is exact unless the result underflows: then each scaled entry (of
 *    A and of Rad) is off by at most η, which is added to the scaled radius.
 * 2. r = the largest row sum of the scaled Rad (≥ its spectral norm, Rad being non-negative),
 *    computed and then inflated by (1 + 2γ_n) plus n·η, so that it bounds the exact row sums.
 * 3. c + r is computed with a relative margin of 10⁻⁶ (far above the rounding of these few
 *    operations), and ã_ii is the float just below fl(a_ii − (c + r)), which is ≤ a_ii − (c + r)
 *    because round-to-nearest is off by at most half the gap to a neighbouring float.
 * 4. Anything non-finite (overflow, NaN) makes the proof fail; a failed proof says nothing.
 *
 * JavaScript arithmetic is IEEE 754 binary64 with round-to-nearest-even, Math.sqrt is correctly
 * rounded, and no expression is contracted into a fused multiply-add — the model above.
 */
const U = 2 ** -53;
const ETA = 2 ** -1074;

function gammaOf(k: number): number {
  return (k * U) / (1 - k * U);
}

/** x·2^e with every intermediate kept in range: exact unless the result under- or overflows. */
export function ldexp(x: number, e: number): number {
  let y = x;
  let k = e;
  while (k > 1000) {
    y *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    y *= 2 ** -1000;
    k += 1000;
  }
  return y * 2 ** k;
}

/** The largest float strictly below a finite x. */
export function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, x);
  const bits = buffer.getBigUint64(0);
  buffer.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
  return buffer.getFloat64(0);
}

/**
 * True only if every symmetric matrix X with |X − A| ≤ radius (entrywise; radius omitted = 0) is
 * positive definite — proven by the argument in this module's comment, never by a tolerance.
 * A (row-major n×n) must be exactly symmetric; a false answer means "not proven" (the matrix may
 * be indefinite, singular, or too close to singular for double precision).
 */
export function provePositiveDefinite(a: ArrayLike<number>, n: number, radius?: ArrayLike<number> | null): boolean {
  if (n === 0) return true;
  const exponents = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const d = a[i * n + i];
    if (!(d > 0) || !Number.isFinite(d)) return false;
    exponents[i] = Math.max(-1000, Math.min(1000, -Math.round(Math.log2(d) / 2)));
  }
  const scaled = new Float64Array(n * n);
  const rowSums = new Float64Array(n);
  let trace = 0;
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const aij = a[i * n + j];
      if (aij !== a[j * n + i] || !Number.isFinite(aij)) return false;
      const e = exponents[i] + exponents[j];
      const s = ldexp(aij, e);
      if (!Number.isFinite(s)) return false;
      scaled[i * n + j] = s;
      // The scaled radius, plus η wherever scaling down may have rounded A's or Rad's entry.
      let rad = radius ? ldexp(radius[i * n + j], e) : 0;
      if (!(rad >= 0) || rad === Infinity) return false;
      if (e < 0) rad += 2 * ETA;
      rowSums[i] += rad;
    }
    trace += scaled[i * n + i];
    maxDiag = Math.max(maxDiag, scaled[i * n + i]);
  }
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, rowSums[i] * (1 + 2 * gammaOf(n)) + n * ETA);
  const c = 0.5 * gammaOf(2 * (n + 1)) * trace * (1 + 2 * gammaOf(n)) + 4 * ETA * n * (2 * (n + 1) + maxDiag);
  const shift = (c + r) * (1 + 1e-6);
  if (!Number.isFinite(shift)) return false;
  for (let i = 0; i < n; i++) scaled[i * n + i] = nextDown(scaled[i * n + i] - shift);
  return choleskyInPlace(scaled, n);
}
