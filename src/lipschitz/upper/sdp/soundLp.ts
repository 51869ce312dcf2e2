import { solveLp } from '../../../linalg/simplex.js';
import { gamma } from '../rounding.js';
import { solveLinearInPlace } from '../../../linalg/solve.js';

/**
 * Rigorous upper bounds on a linear function over a polytope {v : A·v ≤ b, lo ≤ v ≤ hi}, for the
 * tiny LPs of pattern branch and bound (n ≲ 10 variables).
 *
 * Weak duality with the box kept apart: for every y ≥ 0 and every feasible v,
 *   c·v = y·(A·v) + r·v ≤ y·b + Σ_j max(r_j·lo_j, r_j·hi_j),   r = c − Aᵀy,
 * whatever y is — so the simplex (simplex.ts) only proposes y (from its optimal vertex's active
 * rows), and the bound is evaluated here in floating point with every sum widened by
 * γ_{m+n+4} times the sum of its terms' magnitudes (r, y·b and the box terms each), plus 2⁻¹⁰⁷⁴
 * per term for underflow. If the simplex fails, y = 0 gives the box bound. Nothing rests on the
 * solver's word: a wrong y gives a looser bound, never a wrong one.
 */
export interface Polytope {
  readonly n: number;
  /** Constraint rows, row-major m × n, and right-hand sides. */
  readonly rows: number[];
  readonly rhs: number[];
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

export interface SoundMax {
  /** A rigorous upper bound on max c·v over the polytope (Infinity if none). */
  readonly bound: number;
  /** The simplex's optimal point (a vertex, not verified), or null. */
  readonly point: Float64Array | null;
}

const ETA = 2 ** -1074;

/** The LP as simplex.ts wants it: constraint rows normalised for its absolute tolerances, then the box. */
interface NormalisedLp {
  readonly A: Float64Array;
  readonly b: Float64Array;
  /** Row i of A is the polytope's row i times scales[i]. */
  readonly scales: Float64Array;
}

/** Per polytope (read-only once built): a node maximises many objectives over the same one. */
const normalisedCache = new WeakMap<Polytope, NormalisedLp>();

function normalised(p: Polytope): NormalisedLp {
  const cached = normalisedCache.get(p);
  // Stryker disable next-line ConditionalExpression: the cache only saves rebuilding the same LP (the polytope does not change)
  if (cached) return cached;
  const { n, rows, rhs, lo, hi } = p;
  const m = rhs.length;
  const A = new Float64Array((m + 2 * n) * n);
  const b = new Float64Array(m + 2 * n);
  const scales = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let norm = 0;
    for (let j = 0; j < n; j++) norm = Math.max(norm, Math.abs(rows[i * n + j]));
    scales[i] = norm > 0 ? 1 / norm : 1;
    // Stryker disable next-line EqualityOperator: j = n writes the next row's first entry, written again afterwards (after the last row: the first box row's, set below)
    for (let j = 0; j < n; j++) A[i * n + j] = rows[i * n + j] * scales[i];
    b[i] = rhs[i] * scales[i];
  }
  // Stryker disable next-line EqualityOperator: j = n writes past A's and b's ends (ignored by typed arrays)
  for (let j = 0; j < n; j++) {
    A[(m + 2 * j) * n + j] = 1;
    b[m + 2 * j] = hi[j];
    A[(m + 2 * j + 1) * n + j] = -1;
    b[m + 2 * j + 1] = -lo[j];
  }
  const lp = { A, b, scales };
  normalisedCache.set(p, lp);
  return lp;
}

/** A rigorous upper bound on max c·v over the polytope (see the module comment). The polytope must not change afterwards. */
export function soundMax(p: Polytope, c: ArrayLike<number>): SoundMax {
  const { n, rhs } = p;
  const m = rhs.length;
  if (n === 0) return { bound: 0, point: new Float64Array(0) }; // c·v = 0 on a point
  const { A, b, scales } = normalised(p);
  const y = new Float64Array(m);
  let point: Float64Array | null = null;
  const lp = solveLp({ n, m: m + 2 * n, A, b, c: Float64Array.from(c) }, { maxIterations: 500 });
  if (lp.status === 'optimal') {
    // An optimal answer always carries n active rows (simplex.ts and exactSimplex.ts refuse fewer).
    point = lp.point;
    // y_B from A_Bᵀ·y_B = c on the active rows (the vertex's dual), box rows dropped: the
    // residual term below pays for them. The y of the normalised row i is y_i·scale_i for row i.
    const dual = activeDual(A, n, lp.activeRows, c);
    if (dual) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a box row (row ≥ m) would only write past y's end (ignored by a typed array)
      lp.activeRows.forEach((row, k) => row < m && (y[row] = Math.max(0, dual[k]) * scales[row]));
    }
  }
  return { bound: dualBound(p, c, y), point };
}

/** Solves A_Bᵀ·z = c for the n active rows (Gaussian elimination, linalg/solve.ts), or null when nearly singular. */
function activeDual(A: Float64Array, n: number, active: Int32Array, c: ArrayLike<number>): Float64Array | null {
  // M = A_Bᵀ (n × n): M[j][k] = A[active[k]][j].
  const M = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    // Stryker disable next-line EqualityOperator: j = n writes past M's end (ignored by a typed array)
    for (let j = 0; j < n; j++) M[j * n + k] = A[active[k] * n + j];
  }
  const z = new Float64Array(n);
  const minPivot = solveLinearInPlace(M, Float64Array.from(c), z, n);
  return minPivot > 1e-14 && z.every(Number.isFinite) ? z : null;
}

/** y·b + Σ_j max(r_j·lo_j, r_j·hi_j), r = c − Aᵀy, widened for rounding (y ≥ 0 assumed). */
export function dualBound(p: Polytope, c: ArrayLike<number>, y: Float64Array): number {
  const { n, rows, rhs, lo, hi } = p;
  const m = rhs.length;
  const g = gamma(m + n + 4);
  let total = 0;
  let magnitude = 0;
  for (let i = 0; i < m; i++) {
    // Stryker disable next-line ConditionalExpression: a shortcut; y_i = 0 adds ±0 to both sums (finite data)
    if (y[i] === 0) continue;
    total += y[i] * rhs[i];
    magnitude += Math.abs(y[i] * rhs[i]);
  }
  for (let j = 0; j < n; j++) {
    let r = c[j];
    let rMag = Math.abs(c[j]);
    for (let i = 0; i < m; i++) {
      // Stryker disable next-line ConditionalExpression: a shortcut; y_i = 0 subtracts ±0 from r and adds 0 to rMag (finite data)
      if (y[i] === 0) continue;
      const t = y[i] * rows[i * n + j];
      r -= t;
      rMag += Math.abs(t);
    }
    // |r − exact r| ≤ g·rMag: take the worse end of [r − g·rMag, r + g·rMag] at both box ends.
    const slack = g * rMag + (m + 1) * ETA;
    const box = Math.max(Math.abs(lo[j]), Math.abs(hi[j]));
    const term = Math.max(r * lo[j], r * hi[j]) + slack * box;
    total += term;
    magnitude += Math.abs(term) + slack * box;
  }
  const bound = total + g * magnitude + (m + 2 * n + 2) * ETA;
  return Number.isFinite(bound) ? bound : Infinity;
}
