/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by the cyclic Jacobi method. The input
 * is not modified. Converges quadratically; stops when the off-diagonal mass is below 1e-30 of the
 * total or after 100 sweeps. Eigenvalues come back unsorted; `vectors` holds the matching
 * eigenvectors as its columns (row-major n×n). Jacobi is backward stable: the computed values are
 * the exact eigenvalues of a matrix within a small multiple of n·u·‖A‖ of the input. The matrix is
 * first scaled by a power of two to entries of size about 1 (exact), so that tiny or huge entries
 * neither underflow the convergence test nor overflow the sums of squares.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): { values: number[]; vectors: Float64Array } {
  let largest = 0;
  for (let i = 0; i < n * n; i++) largest = Math.max(largest, Math.abs(matrix[i]));
  const e = largest > 0 && Number.isFinite(largest) ? Math.round(Math.log2(largest)) : 0;
  const down = 2 ** -Math.max(-1000, Math.min(1000, e));
  const a = Float64Array.from(matrix as ArrayLike<number>, (x) => x * down);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(a, n, p, q, c, s, true);
        rotate(a, n, p, q, c, s, false);
        rotate(v, n, p, q, c, s, true);
      }
    }
  }
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(a[i * n + i] / down);
  return { values, vectors: v };
}

/** Applies the Givens rotation (c, s) in the (p, q) plane to the columns (or rows) of m. */
function rotate(m: Float64Array, n: number, p: number, q: number, c: number, s: number, columns: boolean): void {
  for (let k = 0; k < n; k++) {
    const ip = columns ? k * n + p : p * n + k;
    const iq = columns ? k * n + q : q * n + k;
    const mp = m[ip];
    const mq = m[iq];
    m[ip] = c * mp - s * mq;
    m[iq] = s * mp + c * mq;
  }
}

/** The eigenvalues alone (see `symmetricEigen`). */
export function symmetricEigenvalues(matrix: ArrayLike<number>, n: number): number[] {
  return symmetricEigen(matrix, n).values;
}
