/**
 * Solves M x = rhs for a square n × n system (row-major) by Gaussian elimination with partial
 * pivoting, and reports the smallest |pivot| met — a cheap conditioning signal (for unit rows it is
 * small exactly when the rows are nearly dependent). `x` is meaningless when `minPivot` is 0.
 */
export function solveLinear(M: ArrayLike<number>, rhs: ArrayLike<number>, n: number): { x: Float64Array; minPivot: number } {
  const x = new Float64Array(n);
  const minPivot = solveLinearInPlace(Float64Array.from(M), Float64Array.from(rhs), x, n);
  return { x, minPivot };
}

/**
 * The same without allocating, for hot loops: `a` and `rhs` are overwritten, the solution goes to
 * `out`; returns the smallest |pivot| (0 for a singular system, `out` then undefined).
 */
export function solveLinearInPlace(a: Float64Array, rhs: Float64Array, out: Float64Array, n: number): number {
  let minPivot = Infinity;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    const piv = Math.abs(a[p * n + c]);
    if (piv < minPivot) minPivot = piv;
    if (piv === 0) return 0;
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = a[c * n + j];
        a[c * n + j] = a[p * n + j];
        a[p * n + j] = t;
      }
      const t = rhs[c];
      rhs[c] = rhs[p];
      rhs[p] = t;
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      rhs[r] -= f * rhs[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = rhs[c];
    for (let j = c + 1; j < n; j++) s -= a[c * n + j] * out[j];
    out[c] = s / a[c * n + c];
  }
  return minPivot;
}
