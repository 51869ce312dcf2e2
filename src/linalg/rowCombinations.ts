import { transpose, type Mat } from './mat.js';

/**
 * out[firstRow + i] += Σ_j coefficients[i][j]·Y[yFirstRow + j] for i < coefficients.length,
 * j < width (rows of `cols` entries, row-major; only the columns from `firstCol` on): many rows of a
 * product C·Y at once, four output rows per pass so that each row of Y is read once for four of
 * them. Zero coefficients are skipped.
 */
export function addRowCombinations(
  out: Float64Array,
  firstRow: number,
  coefficients: readonly ArrayLike<number>[],
  Y: Float64Array,
  yFirstRow: number,
  width: number,
  cols: number,
  firstCol = 0,
): void {
  const q = coefficients.length;
  let i = 0;
  for (; i + 4 <= q; i += 4) {
    const [c0, c1, c2, c3] = [coefficients[i], coefficients[i + 1], coefficients[i + 2], coefficients[i + 3]];
    const o0 = (firstRow + i) * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    for (let j = 0; j < width; j++) {
      const a0 = c0[j];
      const a1 = c1[j];
      const a2 = c2[j];
      const a3 = c3[j];
      if (a0 === 0 && a1 === 0 && a2 === 0 && a3 === 0) continue;
      const yr = (yFirstRow + j) * cols;
      for (let k = firstCol; k < cols; k++) {
        const y = Y[yr + k];
        out[o0 + k] += a0 * y;
        out[o1 + k] += a1 * y;
        out[o2 + k] += a2 * y;
        out[o3 + k] += a3 * y;
      }
    }
  }
  for (; i < q; i++) {
    const c = coefficients[i];
    const o = (firstRow + i) * cols;
    for (let j = 0; j < width; j++) {
      const a = c[j];
      if (a === 0) continue;
      const yr = (yFirstRow + j) * cols;
      for (let k = firstCol; k < cols; k++) out[o + k] += a * Y[yr + k];
    }
  }
}

/** Rows of a Gram matrix computed between two checks of `stop`. */
const GRAM_ROWS_PER_CHECK = 64;

/**
 * BᵀB (k × k, row-major) of an m × k matrix B by `addRowCombinations`: entry (i, j) is the sum of its
 * m products b_li·b_lj in the order l = 0, 1, …, so (i, j) and (j, i) are the same sum; each block
 * of rows is computed from its first row's diagonal on and the rest copied from the upper triangle,
 * so the result is exactly symmetric. `stop` is asked before each block of rows with its
 * multiply-add count; returning true abandons the product (null).
 */
export function gramMatrix(B: Mat, stop: (flops: number) => boolean = () => false): Float64Array | null {
  const { rows: m, cols: k } = B;
  const Bt = transpose(B);
  const g = new Float64Array(k * k);
  for (let i = 0; i < k; i += GRAM_ROWS_PER_CHECK) {
    const rows = Math.min(GRAM_ROWS_PER_CHECK, k - i);
    if (stop(rows * m * (k - i))) return null;
    const coefficients = Array.from({ length: rows }, (_, q) => Bt.data.subarray((i + q) * m, (i + q + 1) * m));
    addRowCombinations(g, i, coefficients, B.data, 0, m, k, i);
  }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) g[j * k + i] = g[i * k + j];
  return g;
}
