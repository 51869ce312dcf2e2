/**
 * Dense Cholesky factorisation A = RᵀR (R upper triangular) of a symmetric n×n row-major matrix,
 * and what it gives: solves, the inverse, log det.
 *
 * The order of operations is fixed and documented because `verifiedDefinite.ts` relies on it: every
 * entry of R is computed as in Rump, "Verification of positive definiteness" (BIT 46, 2006), (2.1):
 *
 *   r_ij = fl( (a_ij − r_1i·r_1j − r_2i·r_2j − … − r_{i−1,i}·r_{i−1,j}) / r_ii )   (i < j)
 *   r_jj = fl( √(a_jj − r_1j² − … − r_{j−1,j}²) )
 *
 * with the subtractions done one at a time from left to right (k ascending), each product and each
 * difference rounded to nearest (JavaScript never contracts a·b − c into a fused multiply-add). The
 * blocked loop below keeps exactly that sequence for every entry; only the order in which different
 * entries are visited changes.
 */

/** Panel width of the blocked factorisation (fits a few rows of a 1000-wide matrix in L1/L2). */
const PANEL = 32;

/**
 * Factors the symmetric matrix `a` (row-major n×n; only the upper triangle is read) in place: on
 * success the upper triangle holds R with A = RᵀR and the strict lower triangle is zeroed. Returns
 * false — leaving `a` partly overwritten — as soon as a pivot is not a positive finite number or an
 * entry of R is not finite (then the matrix is not numerically positive definite).
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  const panelT = new Float64Array(PANEL * n); // the panel's rows, transposed: panelT[j·b + kk] = r_{k0+kk, j}
  for (let k0 = 0; k0 < n; k0 += PANEL) {
    const k1 = Math.min(n, k0 + PANEL);
    const b = k1 - k0;
    // Factor the panel rows k0..k1−1 (right-looking inside the panel).
    for (let k = k0; k < k1; k++) {
      const rowK = k * n;
      const pivot = a[rowK + k];
      if (!(pivot > 0) || pivot === Infinity) return false;
      const r = Math.sqrt(pivot);
      a[rowK + k] = r;
      for (let j = k + 1; j < n; j++) {
        const v = a[rowK + j] / r;
        if (!Number.isFinite(v)) return false;
        a[rowK + j] = v;
      }
      for (let i = k + 1; i < k1; i++) {
        const f = a[rowK + i];
        if (f === 0) continue;
        const rowI = i * n;
        for (let j = i; j < n; j++) a[rowI + j] -= f * a[rowK + j];
      }
    }
    if (k1 === n) break;
    // Transpose the panel, then update the trailing rows: a_ij −= Σ_{k in panel, ascending} r_ki r_kj.
    for (let kk = 0; kk < b; kk++) {
      const row = (k0 + kk) * n;
      for (let j = k1; j < n; j++) panelT[j * b + kk] = a[row + j];
    }
    for (let i = k1; i < n; i++) {
      const pi = i * b;
      const rowI = i * n;
      let any = false;
      for (let kk = 0; kk < b; kk++) if (panelT[pi + kk] !== 0) any = true;
      if (!any) continue;
      let j = i;
      // Four entries of row i at a time (each keeps its own subtraction order, k ascending).
      for (; j + 4 <= n; j += 4) {
        const p0 = j * b;
        const p1 = p0 + b;
        const p2 = p1 + b;
        const p3 = p2 + b;
        let s0 = a[rowI + j];
        let s1 = a[rowI + j + 1];
        let s2 = a[rowI + j + 2];
        let s3 = a[rowI + j + 3];
        for (let kk = 0; kk < b; kk++) {
          const x = panelT[pi + kk];
          s0 -= x * panelT[p0 + kk];
          s1 -= x * panelT[p1 + kk];
          s2 -= x * panelT[p2 + kk];
          s3 -= x * panelT[p3 + kk];
        }
        a[rowI + j] = s0;
        a[rowI + j + 1] = s1;
        a[rowI + j + 2] = s2;
        a[rowI + j + 3] = s3;
      }
      for (; j < n; j++) {
        const pj = j * b;
        let s = a[rowI + j];
        for (let kk = 0; kk < b; kk++) s -= panelT[pi + kk] * panelT[pj + kk];
        a[rowI + j] = s;
      }
    }
  }
  for (let i = 1; i < n; i++) a.fill(0, i * n, i * n + i);
  return true;
}

/** The Cholesky factor of a copy of `a`, or null when the matrix is not numerically positive definite. */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array | null {
  const r = Float64Array.from(a as ArrayLike<number>);
  return choleskyInPlace(r, n) ? r : null;
}

/** log det A = 2 Σ log r_ii from the factor R. */
export function logDetFromFactor(r: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(r[i * n + i]);
  return 2 * s;
}

/** Solves Rᵀy = b in place (forward substitution with the upper factor). */
export function solveLowerTransposedInPlace(r: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const v = b[i] / r[i * n + i];
    b[i] = v;
    if (v === 0) continue;
    const row = i * n;
    for (let j = i + 1; j < n; j++) b[j] -= r[row + j] * v;
  }
}

/** Solves R x = y in place (back substitution). */
export function solveUpperInPlace(r: Float64Array, n: number, y: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    const row = i * n;
    let s = y[i];
    for (let j = i + 1; j < n; j++) s -= r[row + j] * y[j];
    y[i] = s / r[row + i];
  }
}

/** Solves A x = b with A = RᵀR, in place. */
export function choleskySolveInPlace(r: Float64Array, n: number, b: Float64Array): void {
  solveLowerTransposedInPlace(r, n, b);
  solveUpperInPlace(r, n, b);
}

/**
 * R⁻ᵀ·C for an n×m row-major C (in place): the columns of C are solved together, row by row, so
 * the inner loops run over contiguous rows.
 */
export function solveLowerTransposedRowsInPlace(r: Float64Array, n: number, c: Float64Array, m: number): void {
  for (let i = 0; i < n; i++) {
    const inv = 1 / r[i * n + i];
    const ci = i * m;
    for (let k = 0; k < m; k++) c[ci + k] *= inv;
    const row = i * n;
    for (let j = i + 1; j < n; j++) {
      const f = r[row + j];
      if (f === 0) continue;
      const cj = j * m;
      for (let k = 0; k < m; k++) c[cj + k] -= f * c[ci + k];
    }
  }
}

/** The inverse of R (upper triangular), row-major. */
export function invertUpper(r: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  // Row i of R⁻¹ solves xᵀR = e_iᵀ; go upwards so later rows are known: R⁻¹ = (R⁻¹ rows) with
  // (R⁻¹)_ii = 1/r_ii and (R⁻¹)_ij = −(Σ_{i≤k<j} (R⁻¹)_ik r_kj)/r_jj.
  for (let i = 0; i < n; i++) {
    const row = i * n;
    inv[row + i] = 1 / r[i * n + i];
    for (let k = i; k < n; k++) {
      const v = inv[row + k];
      if (k > i) inv[row + k] = v / r[k * n + k];
      const x = inv[row + k];
      if (x === 0) continue;
      const rk = k * n;
      for (let j = k + 1; j < n; j++) inv[row + j] -= x * r[rk + j];
    }
  }
  return inv;
}

/** A⁻¹ = R⁻¹R⁻ᵀ from the factor (symmetric, both triangles filled). */
export function inverseFromFactor(r: Float64Array, n: number): Float64Array {
  const u = invertUpper(r, n);
  const z = new Float64Array(n * n);
  // z_ij = Σ_{k ≥ max(i,j)} u_ik u_jk: rows of the upper-triangular U dotted from the later index,
  // four rows i at a time against each row j.
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const [r0, r1, r2, r3] = [i * n, (i + 1) * n, (i + 2) * n, (i + 3) * n];
    for (let j = i; j < n; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = j; k < n; k++) {
        const x = u[rj + k];
        s0 += u[r0 + k] * x;
        s1 += u[r1 + k] * x;
        s2 += u[r2 + k] * x;
        s3 += u[r3 + k] * x;
      }
      z[r0 + j] = z[rj + i] = s0;
      if (j >= i + 1) z[r1 + j] = z[rj + i + 1] = s1;
      if (j >= i + 2) z[r2 + j] = z[rj + i + 2] = s2;
      if (j >= i + 3) z[r3 + j] = z[rj + i + 3] = s3;
    }
  }
  for (; i < n; i++) {
    const ri = i * n;
    for (let j = i; j < n; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = j; k < n; k++) s += u[ri + k] * u[rj + k];
      z[ri + j] = s;
      z[rj + i] = s;
    }
  }
  return z;
}
