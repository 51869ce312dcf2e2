/**
 * Solves M x = rhs for a square n × n system (row-major) by Gaussian elimination with partial
 * pivoting, and reports the smallest |pivot| met — a cheap conditioning signal (for unit rows it is
 * small exactly when the rows are nearly dependent). `x` is meaningless when `minPivot` is 0.
 */
export function solveLinear(M: ArrayLike<number>, rhs: ArrayLike<number>, n: number): { x: Float64Array; minPivot: number } {
  const a = Float64Array.from(M);
  const x = Float64Array.from(rhs);
  let minPivot = Infinity;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    const piv = Math.abs(a[p * n + c]);
    minPivot = Math.min(minPivot, piv);
    if (piv === 0) return { x, minPivot: 0 };
    if (p !== c) {
      for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
      [x[c], x[p]] = [x[p], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let j = c + 1; j < n; j++) s -= a[c * n + j] * x[j];
    x[c] = s / a[c * n + c];
  }
  return { x, minPivot };
}
