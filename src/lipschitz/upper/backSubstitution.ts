import { gamma } from './rounding.js';

/**
 * Primitives shared by the two back-substitution bounds (linearBounds.ts: pre-activations;
 * jacobianRelaxation.ts: Jacobian norms): a blocked product of coefficient rows with a weight
 * matrix, and the one rounding factor both use.
 *
 * Rounding model (Higham, "Accuracy and Stability of Numerical Algorithms", §3.1): a computed sum
 * of T terms, each a single product, differs from the exact sum by at most γ_T·Σ|terms|, and each
 * elementary operation by at most u = 2⁻⁵³ relative, as long as nothing underflows. Both bounds use
 * one factor g = γ_G with G larger than every count of terms they ever sum (`roundingFactor`), so
 * every error bound has the form g·(a sum of magnitudes). Underflow (a product below 2⁻¹⁰²² loses
 * up to 2⁻¹⁰⁷⁵ absolutely) is covered by an absolute term per result, `underflowFloor`.
 */

/** The rounding factor g = γ_G for computations whose sums have fewer than `terms` terms each. */
export function roundingFactor(terms: number): number {
  return gamma(4 * (terms + 16));
}

/**
 * An absolute amount that covers underflow in `products` products whose other factor is at most
 * `magnitude` in absolute value (each product loses at most 2⁻¹⁰⁷⁵ when it underflows).
 */
export function underflowFloor(products: number, magnitude: number): number {
  return (products + 1) * Number.MIN_VALUE * (1 + magnitude);
}

/** Columns per block of the product: a block of B's rows stays in cache while four rows of A pass. */
const COLUMN_BLOCK = 128;
const INNER_BLOCK = 256;

/**
 * C = A·B for row-major A (rows × inner) and B (inner × cols), in floating point. Four rows of A
 * share each streamed row of B, and zero coefficients of A are skipped (dead neurons, zero
 * slopes), so a sparse A costs less. Each entry is a plain sum of `inner` products: the caller
 * bounds |C − A·B| ≤ γ_inner·|A|·|B| entrywise.
 */
export function multiplyRows(A: Float64Array, rows: number, inner: number, B: Float64Array, cols: number): Float64Array {
  const C = new Float64Array(rows * cols);
  // Stryker disable next-line EqualityOperator: one more pass past the end has an empty range (i1 = inner, c1 = cols), so it adds nothing
  for (let i0 = 0; i0 < inner; i0 += INNER_BLOCK) {
    const i1 = Math.min(inner, i0 + INNER_BLOCK);
    // Stryker disable next-line EqualityOperator: one more pass past the end has an empty range (i1 = inner, c1 = cols), so it adds nothing
    for (let c0 = 0; c0 < cols; c0 += COLUMN_BLOCK) {
      const c1 = Math.min(cols, c0 + COLUMN_BLOCK);
      let r = 0;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: the four-row and the one-row pass add each entry's products in the same order, and rows past the end only write outside the typed array (ignored)
      for (; r + 4 <= rows; r += 4) {
        const a0 = r * inner;
        const a1 = a0 + inner;
        const a2 = a1 + inner;
        const a3 = a2 + inner;
        const o0 = r * cols;
        const o1 = o0 + cols;
        const o2 = o1 + cols;
        const o3 = o2 + cols;
        for (let i = i0; i < i1; i++) {
          const m0 = A[a0 + i];
          const m1 = A[a1 + i];
          const m2 = A[a2 + i];
          const m3 = A[a3 + i];
          if (m0 === 0 && m1 === 0 && m2 === 0 && m3 === 0) continue;
          const b = i * cols;
          for (let c = c0; c < c1; c++) {
            const x = B[b + c];
            C[o0 + c] += m0 * x;
            C[o1 + c] += m1 * x;
            C[o2 + c] += m2 * x;
            C[o3 + c] += m3 * x;
          }
        }
      }
      // Stryker disable next-line EqualityOperator: row `rows` would only write outside the typed array (ignored)
      for (; r < rows; r++) {
        const a = r * inner;
        const o = r * cols;
        for (let i = i0; i < i1; i++) {
          const m = A[a + i];
          if (m === 0) continue;
          const b = i * cols;
          for (let c = c0; c < c1; c++) C[o + c] += m * B[b + c];
        }
      }
    }
  }
  return C;
}

/**
 * |M|·v for row-major M (rows × cols) and v ≥ 0, rounded up: a computed sum s of n non-negative
 * products satisfies exact ≤ s/(1 − γ_n) ≤ s·(1 + 2γ_n), and the final product adds one rounding.
 */
export function absTimes(M: Float64Array, rows: number, cols: number, v: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows);
  const up = 1 + 2 * gamma(cols + 2);
  // Stryker disable next-line EqualityOperator: row `rows` would only write outside the typed array (ignored)
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) s += Math.abs(M[o + j]) * v[j];
    out[i] = s * up + underflowFloor(cols, 1);
  }
  return out;
}

/** The transpose of a row-major rows × cols matrix (exact: entries are copied). */
export function transpose(M: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = M[i * cols + j];
  return T;
}
