import type { Budget } from '../lipschitz/budget.js';
import { fromDouble, ratioToDouble, toIntegers, type Dyadic } from './dyadic.js';
import type { DenseLp, LpResult } from './simplex.js';

/**
 * The dense simplex of simplex.ts in exact rational arithmetic: the verified fallback for the LPs
 * that floating point cannot settle (nearly parallel rows, whose optimal duals are ~1e9 and cancel,
 * so that no dual point in doubles passes a posteriori verification).
 *
 * The LP is max cᵀu s.t. Au ≤ b, u free, its data doubles, solved exactly as given: every double is
 * a dyadic rational (dyadic.ts), each equation of the dual Aᵀy = c is scaled by a power of two to
 * integers, and the two-phase simplex runs on the dual with fraction-free pivoting (Edmonds: the
 * tableau is an integer matrix over one common denominator, the determinant of the basis, and
 * every division is exact). Dantzig's rule, switching to Bland's after a run of degenerate pivots,
 * so it terminates. The primal optimum solves A_B u = b_B exactly, and is checked against every
 * row exactly, so an 'optimal' answer is a proof: the exact optimum rounds to `value`, and `gap`
 * covers that one rounding. 'infeasible' (the dual is unbounded) is a proof too; 'unbounded' means
 * the dual is infeasible: the LP has no finite optimum (it is unbounded, or infeasible).
 *
 * Cost: entries grow to about n × (the span of the data's exponents) bits, and a pivot costs
 * O(n·(m + n)) BigInt operations — milliseconds for the region LPs (n ≤ 10, m ≲ 100), far too
 * much for an 800 × 2,000 LP: callers bound the size (`EXACT_LP_MAX_ENTRIES`).
 */

/** Largest m·n the exact fallback takes on. */
export const EXACT_LP_MAX_ENTRIES = 20_000;

const MAX_DEGENERATE_RUN = 50;

/** Solves the LP exactly (see the module comment). The point and value are rounded to nearest. */
export function solveLpExactly(lp: DenseLp, options: { budget?: Budget; maxIterations?: number } = {}): LpResult {
  const { n, m, A, b, c } = lp;
  const maxIterations = options.maxIterations ?? 50_000;
  const budget = options.budget ?? null;
  const width = m + n + 1;
  const rhs = m + n;
  // Rows r < n: the dual's equations Σ_i A[i][r]·y_i + a_r = c_r (sign-flipped so c_r ≥ 0), each
  // scaled by a power of two to integers; a_r are the artificials (coefficient 1).
  const T: bigint[][] = [];
  for (let r = 0; r < n; r++) {
    const flip = c[r] < 0 ? -1 : 1;
    const row: Dyadic[] = [];
    for (let i = 0; i < m; i++) row.push(fromDouble(flip * A[i * n + r]));
    row.push(fromDouble(flip * c[r]));
    const { ints } = toIntegers(row);
    const line = new Array<bigint>(width).fill(0n);
    for (let i = 0; i < m; i++) line[i] = ints[i];
    line[m + r] = 1n;
    line[rhs] = ints[m];
    T.push(line);
  }
  const basis = Array.from({ length: n }, (_, r) => m + r);
  let den = 1n;
  const costRow = (cost: readonly bigint[]): bigint[] => {
    // den × the reduced costs (cost_j − Σ_r cost_B(r)·T[r][j]/den), and den × (−objective) last.
    const z = cost.map((v) => v * den);
    z.push(0n);
    for (let r = 0; r < n; r++) {
      const cb = cost[basis[r]];
      if (cb === 0n) continue;
      for (let j = 0; j < width; j++) z[j] -= cb * T[r][j];
    }
    return z;
  };
  const pivot = (z: bigint[], r: number, col: number): void => {
    const p = T[r][col];
    for (let i = 0; i <= n; i++) {
      const line = i === n ? z : T[i];
      if (i === r) continue;
      const f = line[col];
      if (f === 0n) {
        if (p !== den) for (let j = 0; j < width; j++) line[j] = (p * line[j]) / den;
        continue;
      }
      const pr = T[r];
      for (let j = 0; j < width; j++) line[j] = (p * line[j] - f * pr[j]) / den;
    }
    den = p;
    basis[r] = col;
  };
  /** Minimises over the tableau with reduced costs z, entering only columns < limit. */
  const run = (z: bigint[], limit: number): 'done' | 'unbounded' | 'cap' | 'stopped' => {
    let degenerate = 0;
    for (let iter = 0; iter < maxIterations; iter++) {
      if ((iter & 7) === 7 && budget?.exceeded()) return 'stopped';
      const bland = degenerate > MAX_DEGENERATE_RUN;
      let enter = -1;
      for (let j = 0; j < limit; j++) {
        if (z[j] < 0n && (enter < 0 || (!bland && z[j] < z[enter]))) {
          enter = j;
          if (bland) break;
        }
      }
      if (enter < 0) return 'done';
      let leave = -1;
      for (let r = 0; r < n; r++) {
        if (T[r][enter] <= 0n) continue;
        if (leave < 0) {
          leave = r;
          continue;
        }
        // T[r][rhs]/T[r][enter] vs T[leave][rhs]/T[leave][enter] (positive denominators).
        const lhs = T[r][rhs] * T[leave][enter];
        const other = T[leave][rhs] * T[r][enter];
        if (lhs < other || (lhs === other && basis[r] < basis[leave])) leave = r;
      }
      if (leave < 0) return 'unbounded';
      degenerate = T[leave][rhs] === 0n ? degenerate + 1 : 0;
      pivot(z, leave, enter);
    }
    return 'cap';
  };
  const fail = (status: LpResult['status']): LpResult => ({ status, value: NaN, point: new Float64Array(0), activeRows: new Int32Array(0), gap: NaN });

  // Phase 1: minimise the sum of the artificials.
  const phase1 = costRow(Array.from({ length: m + n }, (_, j) => (j >= m ? 1n : 0n)));
  const p1 = run(phase1, m + n);
  if (p1 === 'stopped') return fail('stopped');
  if (p1 === 'cap') return fail('iteration-limit');
  // The phase-1 optimum is −phase1[rhs]/den (> 0: the dual is infeasible, no finite optimum).
  if (phase1[rhs] !== 0n) return fail('unbounded');
  // Drive artificials (at level 0) out of the basis where a real column can replace them.
  for (let r = 0; r < n; r++) {
    if (basis[r] < m) continue;
    const col = T[r].findIndex((v, j) => j < m && v !== 0n);
    if (col >= 0) {
      if (T[r][col] < 0n) for (let j = 0; j < width; j++) T[r][j] = -T[r][j]; // its rhs is 0: the row may be negated
      pivot(phase1, r, col);
    }
  }
  // Phase 2: minimise bᵀy over the real columns; b scaled by a power of two to integers.
  const { ints: bInts } = toIntegers(Array.from(b, fromDouble));
  const z = costRow([...bInts, ...new Array<bigint>(n).fill(0n)]);
  const p2 = run(z, m);
  if (p2 === 'stopped') return fail('stopped');
  if (p2 === 'cap') return fail('iteration-limit');
  if (p2 === 'unbounded') return fail('infeasible'); // the dual is unbounded below: no primal point
  const active = basis.filter((j) => j < m);
  if (active.length < n) return fail('unbounded'); // the rows do not pin a vertex
  const solved = solveExactly(active.map((i) => Array.from(A.subarray(i * n, (i + 1) * n), fromDouble)), active.map((i) => fromDouble(b[i])));
  if (!solved) return fail('unbounded');
  const { num, den: xDen, exponent } = solved;
  // Check every row exactly: Σ_k A_ik·num_k·2^exponent ≤ b_i·xDen (xDen > 0).
  for (let i = 0; i < m; i++) {
    const terms: Dyadic[] = [];
    for (let k = 0; k < n; k++) {
      const a = fromDouble(A[i * n + k]);
      terms.push({ m: a.m * num[k], e: a.e + exponent });
    }
    const bi = fromDouble(b[i]);
    terms.push({ m: -bi.m * xDen, e: bi.e });
    if (sumSign(terms) > 0) return fail('unverified'); // cannot happen at an optimal basis
  }
  const valueTerms: Dyadic[] = [];
  for (let k = 0; k < n; k++) {
    const ck = fromDouble(c[k]);
    valueTerms.push({ m: ck.m * num[k], e: ck.e + exponent });
  }
  const { ints: valueInts, exponent: valueExponent } = toIntegers(valueTerms);
  const valueNum = valueInts.reduce((s, v) => s + v, 0n);
  const value = ratioToDouble(valueNum, xDen, valueExponent);
  const point = Float64Array.from(num, (v) => ratioToDouble(v, xDen, exponent));
  // The exact optimum is within half an ulp of `value` (one correct rounding).
  const gap = Math.abs(value) * 2 ** -53 + Number.MIN_VALUE;
  return { status: 'optimal', value, point, activeRows: Int32Array.from(active), gap };
}

/** The sign of a sum of dyadics, exactly. */
function sumSign(terms: readonly Dyadic[]): number {
  const { ints } = toIntegers(terms);
  const s = ints.reduce((acc, v) => acc + v, 0n);
  return s > 0n ? 1 : s < 0n ? -1 : 0;
}

/**
 * Solves M x = r exactly for a square dyadic system by fraction-free elimination (Bareiss):
 * x_k = num_k·2^exponent / den with den > 0, or null when M is singular.
 */
export function solveExactly(M: readonly (readonly Dyadic[])[], r: readonly Dyadic[]): { num: bigint[]; den: bigint; exponent: number } | null {
  const n = M.length;
  // Scale each row (with its right-hand side) to integers: the same equations.
  const rows = M.map((row, i) => toIntegers([...row, r[i]]).ints);
  // The scaling of the unknowns: none (rows scaled independently keep x unchanged).
  let prev = 1n;
  for (let k = 0; k < n; k++) {
    let p = k;
    while (p < n && rows[p][k] === 0n) p++;
    if (p === n) return null;
    if (p !== k) [rows[p], rows[k]] = [rows[k], rows[p]];
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j <= n; j++) rows[i][j] = (rows[k][k] * rows[i][j] - rows[i][k] * rows[k][j]) / prev;
      rows[i][k] = 0n;
    }
    prev = rows[k][k];
  }
  // Back substitution over the common denominator det = rows[n−1][n−1] (up to sign).
  const det = rows[n - 1][n - 1];
  const num = new Array<bigint>(n).fill(0n);
  for (let k = n - 1; k >= 0; k--) {
    let s = rows[k][n] * det;
    for (let j = k + 1; j < n; j++) s -= rows[k][j] * num[j];
    num[k] = s / rows[k][k];
  }
  return det < 0n ? { num: num.map((v) => -v), den: -det, exponent: 0 } : { num, den: det, exponent: 0 };
}
