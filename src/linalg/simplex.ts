import type { Budget } from '../lipschitz/budget.js';
import { EXACT_LP_MAX_ENTRIES, solveLpExactly } from './exactSimplex.js';
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
 *
 * Nothing is taken on the simplex's word: an 'optimal' answer is verified a posteriori (see
 * `verify`) — the point satisfies every row to VERIFY_TOLERANCE relative to the row's magnitudes,
 * the final basis's dual point y ≥ 0 satisfies Aᵀy = c to the same relative tolerance, and the
 * duality gap bᵀy − cᵀx is below VERIFY_TOLERANCE·(1 + |cᵀx| + Σ|b_i y_i|). `gap` then bounds how
 * far the true maximum can lie above `value` (weak duality, for points within `variableBound`).
 * When the final basis's tableau fails the check, the dual point is formed afresh from that basis
 * (A_Bᵀ y_B = c) and checked again: the tableau accumulates every pivot's rounding.
 *
 * What floating point cannot settle goes to exact arithmetic (exactSimplex.ts), for LPs of up to
 * EXACT_LP_MAX_ENTRIES entries: nearly parallel rows (near-duplicate neurons, thin slabs) have
 * optimal duals of order 1/angle that cancel, so no dual point in doubles passes the check, and the
 * float phase 1 can call such an LP infeasible when it is not. So every status is a proof except
 * three: 'unverified' (the check failed and the LP is too large for exact arithmetic, or the float
 * solver said infeasible or unbounded there), 'iteration-limit' (the pivot cap) and 'stopped' (the
 * budget). Those three carry the last point for diagnosis only.
 */

export type LpStatus = 'optimal' | 'infeasible' | 'unbounded' | 'unverified' | 'iteration-limit' | 'stopped';

export interface LpResult {
  readonly status: LpStatus;
  /** Optimal objective (NaN unless optimal). */
  readonly value: number;
  /** An optimal point (for 'optimal'; otherwise the last basis's point, if any, unverified). */
  readonly point: Float64Array;
  /** Indices of the rows active at the optimal vertex. */
  readonly activeRows: Int32Array;
  /** For 'optimal': the true maximum is at most value + gap (from the verified dual); else NaN. */
  readonly gap: number;
}

export interface LpOptions {
  /** Checked every 32 pivots; when it runs out the LP returns status 'stopped'. */
  readonly budget?: Budget;
  /** Pivot cap per phase (default 50,000). */
  readonly maxIterations?: number;
  /** A bound on |u_k| over the feasible set, for `gap` (default: 1 + the point's largest |u_k|). */
  readonly variableBound?: number;
  /** Re-solve in exact arithmetic what floating point cannot settle (default true; see solveLp). */
  readonly exactFallback?: boolean;
}

/** Relative tolerance of the a-posteriori checks (see the module comment). */
export const VERIFY_TOLERANCE = 1e-9;

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

/**
 * Solves a dense LP (see the module comment); never throws for numerical trouble, reports a
 * status. Every status but 'unverified', 'iteration-limit' and 'stopped' is proven: 'optimal' by
 * the a-posteriori check or by exact arithmetic, 'infeasible' and 'unbounded' by exact arithmetic.
 */
export function solveLp(lp: DenseLp, options: LpOptions = {}): LpResult {
  const float = solveInFloat(lp, options);
  if (float.status === 'optimal' || float.status === 'stopped') return float;
  const unproven = float.status === 'infeasible' || float.status === 'unbounded' ? { ...float, status: 'unverified' as const } : float;
  if (options.exactFallback === false || lp.m * lp.n > EXACT_LP_MAX_ENTRIES) return unproven;
  const exact = solveLpExactly(lp, options);
  return exact.status === 'iteration-limit' ? unproven : exact;
}

function solveInFloat(lp: DenseLp, options: LpOptions): LpResult {
  const { n, m, A, b, c } = lp;
  const limits = { budget: options.budget ?? null, maxIterations: options.maxIterations ?? 50_000 };
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
  const phase1 = runSimplex(T, basis, n, width, m, phase1Cost, m + n, limits);
  if (phase1 === 'unbounded') return fail('infeasible');
  if (phase1 !== 'done') return fail(phase1 === 'cap' ? 'iteration-limit' : 'stopped');
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
  const phase2 = runSimplex(T, basis, n, width, m, cost, m + n, limits);
  if (phase2 === 'unbounded') return fail('infeasible'); // dual unbounded ⇒ primal infeasible
  if (phase2 === 'stopped') return fail('stopped');
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
  if (minPivot === 0) return fail(phase2 === 'cap' ? 'iteration-limit' : 'unbounded');
  const y = new Float64Array(m);
  for (let r = 0; r < n; r++) if (basis[r] < m) y[basis[r]] = Math.max(0, T[r * width + rhsCol]);
  let check = verify(lp, point, y, options.variableBound);
  if (!check.verified) {
    // The tableau's right-hand side carries the rounding of every pivot; the final basis alone
    // gives the dual point afresh: A_Bᵀ y_B = c.
    const MT = new Float64Array(n * n);
    active.forEach((i, r) => {
      for (let k = 0; k < n; k++) MT[k * n + r] = A[i * n + k];
    });
    const fresh = solveLinear(MT, c, n);
    if (fresh.minPivot > 0) {
      const y2 = new Float64Array(m);
      active.forEach((i, r) => (y2[i] = Math.max(0, fresh.x[r])));
      check = verify(lp, point, y2, options.variableBound);
    }
  }
  const status: LpStatus = check.verified ? 'optimal' : phase2 === 'cap' ? 'iteration-limit' : 'unverified';
  return { status, value: status === 'optimal' ? check.value : NaN, point, activeRows: Int32Array.from(active), gap: status === 'optimal' ? check.gap : NaN };

  function fail(status: LpStatus): LpResult {
    return { status, value: NaN, point: new Float64Array(0), activeRows: new Int32Array(0), gap: NaN };
  }
}

/**
 * The a-posteriori check of a primal point x and a dual point y ≥ 0 (see the module comment):
 * returns cᵀx, the gap bound and whether all three tests pass. Sums are taken with their
 * magnitudes, so the tolerance is relative to the size of the terms, not of their (cancelling) sum.
 */
export function verify(lp: DenseLp, x: Float64Array, y: Float64Array, variableBound?: number): { verified: boolean; value: number; gap: number } {
  const { n, m, A, b, c } = lp;
  let primalOk = true;
  let dualObjective = 0;
  let dualMagnitude = 0;
  const residual = Float64Array.from(c, (v) => -v);
  const residualMagnitude = Float64Array.from(c, (v) => Math.abs(v));
  for (let i = 0; i < m; i++) {
    let s = -b[i];
    let mag = Math.abs(b[i]);
    for (let k = 0; k < n; k++) {
      const t = A[i * n + k] * x[k];
      s += t;
      mag += Math.abs(t);
      if (y[i] !== 0) {
        residual[k] += A[i * n + k] * y[i];
        residualMagnitude[k] += Math.abs(A[i * n + k] * y[i]);
      }
    }
    if (!(s <= VERIFY_TOLERANCE * (1 + mag))) primalOk = false;
    dualObjective += b[i] * y[i];
    dualMagnitude += Math.abs(b[i] * y[i]);
  }
  let value = 0;
  let valueMagnitude = 0;
  let largest = 0;
  for (let k = 0; k < n; k++) {
    value += c[k] * x[k];
    valueMagnitude += Math.abs(c[k] * x[k]);
    largest = Math.max(largest, Math.abs(x[k]));
  }
  const bound = variableBound ?? 1 + largest;
  let dualOk = true;
  let residualTerm = 0;
  for (let k = 0; k < n; k++) {
    if (!(Math.abs(residual[k]) <= VERIFY_TOLERANCE * (1 + residualMagnitude[k]))) dualOk = false;
    residualTerm += Math.abs(residual[k]) * bound;
  }
  // max cᵀu over the feasible set ≤ bᵀy + Σ|r_k|·bound (r = Aᵀy − c); rounding of the sums added.
  const rounding = 4 * (n + m + 2) * 2 ** -53 * (dualMagnitude + valueMagnitude);
  const gap = Math.max(0, dualObjective - value) + residualTerm + rounding;
  const gapOk = gap <= VERIFY_TOLERANCE * (1 + Math.abs(value) + dualMagnitude);
  return { verified: primalOk && dualOk && gapOk && Number.isFinite(value), value, gap };
}

function maxAbs(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
}

/**
 * Minimises cost over the tableau, entering only columns < enterLimit: 'done' at an optimal basis
 * (within COST_TOL), 'unbounded', 'cap' at the pivot cap, 'stopped' when the budget runs out.
 */
function runSimplex(
  T: Float64Array,
  basis: Int32Array,
  n: number,
  width: number,
  enterLimit: number,
  cost: Float64Array,
  nCols: number,
  limits: { budget: Budget | null; maxIterations: number },
): 'done' | 'unbounded' | 'cap' | 'stopped' {
  const rhsCol = width - 1;
  const reduced = new Float64Array(nCols);
  let degenerateRun = 0;
  for (let iter = 0; iter < limits.maxIterations; iter++) {
    if ((iter & 31) === 31 && limits.budget?.exceeded()) return 'stopped';
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
    if (enter < 0) return 'done';
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
    if (leave < 0) return 'unbounded';
    degenerateRun = bestRatio <= 1e-14 ? degenerateRun + 1 : 0;
    pivot(T, basis, n, width, leave, enter);
  }
  return 'cap';
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
