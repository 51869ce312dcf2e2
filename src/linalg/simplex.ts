import { solveLinear } from './solve.js';

/**
 * A small dense LP solver for the many tiny LPs of region enumeration:
 *
 *     maximise cᵀu  subject to  A u ≤ b,   u ∈ ℝⁿ free,
 *
 * with n small (≲ 30) and m rows (≲ a few thousand). It runs the two-phase simplex method on the
 * dual in standard form (min bᵀy, Aᵀy = c, y ≥ 0), whose tableau has only n rows, so a pivot costs
 * O(n·m). The primal optimum is read off the final basis by solving the n active rows.
 *
 * Callers must make the LP bounded (lipcheck's LPs always include box rows). Tolerances: pivots
 * smaller than 1e-11 are refused, reduced costs above −1e-10 count as optimal; with rows
 * normalised to unit length these are absolute. Dantzig's rule, switching to Bland's rule after a
 * run of degenerate pivots, so it cannot cycle.
 */

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded';

export interface LpResult {
  readonly status: LpStatus;
  /** Optimal objective (NaN unless optimal). */
  readonly value: number;
  /** An optimal point (empty unless optimal). */
  readonly point: Float64Array;
  /** Indices of the rows active at the optimal vertex. */
  readonly activeRows: Int32Array;
}

export interface DenseLp {
  readonly n: number;
  readonly m: number;
  /** Row-major m × n. */
  readonly A: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
}

const PIVOT_TOL = 1e-11;
const COST_TOL = 1e-10;
const MAX_DEGENERATE_RUN = 50;

/** Solves a dense LP (see module comment); never throws for numerical trouble, reports a status. */
export function solveLp(lp: DenseLp): LpResult {
  const { n, m, A, b, c } = lp;
  // Tableau for the dual: rows r = 0..n−1 are the equations Σ_i A[i][r] y_i = c_r; columns are the m
  // dual variables y_i, then n artificials, then the right-hand side.
  const width = m + n + 1;
  const T = new Float64Array(n * width);
  const rhsCol = m + n;
  for (let r = 0; r < n; r++) {
    const sign = c[r] < 0 ? -1 : 1;
    const o = r * width;
    for (let i = 0; i < m; i++) T[o + i] = sign * A[i * n + r];
    T[o + m + r] = 1;
    T[o + rhsCol] = sign * c[r];
  }
  const basis = new Int32Array(n);
  for (let r = 0; r < n; r++) basis[r] = m + r;

  // Phase 1: minimise the sum of artificials. Reduced costs d_j = cost_j − Σ_r cost_B[r]·T[r][j].
  const phase1Cost = new Float64Array(m + n);
  for (let j = m; j < m + n; j++) phase1Cost[j] = 1;
  if (!runSimplex(T, basis, n, width, m, phase1Cost, m + n)) return fail('infeasible');
  let infeasibility = 0;
  for (let r = 0; r < n; r++) if (basis[r] >= m) infeasibility += T[r * width + rhsCol];
  if (infeasibility > 1e-9 * (1 + maxAbs(c))) return fail('unbounded'); // dual infeasible ⇒ primal unbounded (or infeasible)
  // Drive remaining artificials (at level 0) out of the basis where possible.
  for (let r = 0; r < n; r++) {
    if (basis[r] < m) continue;
    let best = -1;
    let bestAbs = PIVOT_TOL;
    for (let j = 0; j < m; j++) {
      const v = Math.abs(T[r * width + j]);
      if (v > bestAbs) {
        bestAbs = v;
        best = j;
      }
    }
    if (best >= 0) pivot(T, basis, n, width, r, best);
  }
  // Phase 2: minimise bᵀy over the real columns only.
  const cost = new Float64Array(m + n);
  for (let i = 0; i < m; i++) cost[i] = b[i];
  for (let j = m; j < m + n; j++) cost[j] = 0;
  if (!runSimplex(T, basis, n, width, m, cost, m + n)) return fail('infeasible'); // dual unbounded ⇒ primal infeasible
  // Primal point: the active rows A_B u = b_B.
  const active: number[] = [];
  for (let r = 0; r < n; r++) if (basis[r] < m) active.push(basis[r]);
  if (active.length < n) return fail('unbounded'); // the rows do not pin a vertex: caller forgot bounds
  const M = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  active.forEach((i, r) => {
    for (let k = 0; k < n; k++) M[r * n + k] = A[i * n + k];
    rhs[r] = b[i];
  });
  const { x: point, minPivot } = solveLinear(M, rhs, n);
  if (minPivot === 0) return fail('unbounded');
  let value = 0;
  for (let k = 0; k < n; k++) value += c[k] * point[k];
  return { status: 'optimal', value, point, activeRows: Int32Array.from(active) };

  function fail(status: LpStatus): LpResult {
    return { status, value: NaN, point: new Float64Array(0), activeRows: new Int32Array(0) };
  }
}

function maxAbs(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

/**
 * Minimises cost over the tableau, entering only columns < enterLimit. Returns false if unbounded.
 */
function runSimplex(T: Float64Array, basis: Int32Array, n: number, width: number, enterLimit: number, cost: Float64Array, nCols: number): boolean {
  const rhsCol = width - 1;
  const reduced = new Float64Array(nCols);
  let degenerateRun = 0;
  for (let iter = 0; iter < 50_000; iter++) {
    // Reduced costs.
    for (let j = 0; j < nCols; j++) reduced[j] = cost[j];
    for (let r = 0; r < n; r++) {
      const cb = cost[basis[r]];
      if (cb === 0) continue;
      const o = r * width;
      for (let j = 0; j < nCols; j++) reduced[j] -= cb * T[o + j];
    }
    const bland = degenerateRun > MAX_DEGENERATE_RUN;
    let enter = -1;
    let best = -COST_TOL;
    for (let j = 0; j < enterLimit; j++) {
      if (reduced[j] < best) {
        enter = j;
        if (bland) break;
        best = reduced[j];
      }
    }
    if (enter < 0) return true;
    // Ratio test (smallest ratio; ties by smallest basis index under Bland).
    let leave = -1;
    let bestRatio = Infinity;
    for (let r = 0; r < n; r++) {
      const a = T[r * width + enter];
      if (a <= PIVOT_TOL) continue;
      const ratio = Math.max(0, T[r * width + rhsCol]) / a;
      if (ratio < bestRatio - 1e-14 || (Math.abs(ratio - bestRatio) <= 1e-14 && leave >= 0 && (bland ? basis[r] < basis[leave] : a > T[leave * width + enter]))) {
        bestRatio = ratio;
        leave = r;
      }
    }
    if (leave < 0) return false;
    degenerateRun = bestRatio <= 1e-14 ? degenerateRun + 1 : 0;
    pivot(T, basis, n, width, leave, enter);
  }
  return true; // iteration cap: return the current (feasible) basis
}

function pivot(T: Float64Array, basis: Int32Array, n: number, width: number, r: number, col: number): void {
  const o = r * width;
  const p = T[o + col];
  for (let j = 0; j < width; j++) T[o + j] /= p;
  for (let s = 0; s < n; s++) {
    if (s === r) continue;
    const os = s * width;
    const f = T[os + col];
    if (f === 0) continue;
    for (let j = 0; j < width; j++) T[os + j] -= f * T[o + j];
  }
  basis[r] = col;
}
