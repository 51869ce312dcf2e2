/**
 * Exact linear programming for the brute force of exactBruteForce.ts, over the dyadic rationals of
 * exactArithmetic.ts (every double is one, and sums and products of dyadics stay dyadic, so a
 * network's piece maps are computed without rounding): a simplex method on integers (fraction-free
 * pivoting, Edmonds: every tableau entry is an integer over one common denominator, every division
 * exact; Bland's rule, so it terminates). No floating point anywhere: a region 1e-15 thin is as
 * visible as a thick one.
 */
import { add, sign, type Dyadic } from './exactArithmetic.js';

export const ZERO: Dyadic = { m: 0n, e: 0 };

export function neg(a: Dyadic): Dyadic {
  return { m: -a.m, e: a.e };
}

export function abs(a: Dyadic): Dyadic {
  return a.m < 0n ? neg(a) : a;
}

/** a < b, exactly. */
export function less(a: Dyadic, b: Dyadic): boolean {
  return sign(add(a, neg(b))) < 0;
}

/**
 * One constraint Σ coeffs_j·v_j ≤ rhs over non-negative variables v, with dyadic coefficients and
 * rhs ≥ 0 (so v = 0 is feasible and no phase 1 is needed).
 */
export interface LpRow {
  readonly coeffs: readonly Dyadic[];
  readonly rhs: Dyadic;
}

/** A row scaled by a power of two to integers (a positive scaling: the same constraint). */
function integerRow(row: LpRow): bigint[] {
  const all = [...row.coeffs, row.rhs].filter((x) => x.m !== 0n);
  const low = Math.min(0, ...all.map((x) => x.e));
  return [...row.coeffs, row.rhs].map((x) => (x.m === 0n ? 0n : x.m << BigInt(x.e - low)));
}

/**
 * max v_objective subject to the rows and v ≥ 0, exactly (the rows must keep v bounded). Returns
 * the optimum num/den (den > 0) and an optimal point, v_j = point[j]/den.
 */
export function maximise(rows: readonly LpRow[], objective: number): { num: bigint; den: bigint; point: bigint[] } {
  const n = rows[0].coeffs.length;
  const m = rows.length;
  for (const r of rows) if (sign(r.rhs) < 0) throw new Error('maximise: a row has a negative right-hand side');
  // Tableau: m constraint rows [A | I | b], then the objective row [−e_obj | 0 | 0].
  const width = n + m + 1;
  const T: bigint[][] = rows.map((r, i) => {
    const ints = integerRow(r);
    const line = new Array<bigint>(width).fill(0n);
    for (let j = 0; j < n; j++) line[j] = ints[j];
    line[n + i] = 1n; // the slack of the scaled row (a rescaled slack: the same LP)
    line[width - 1] = ints[n];
    return line;
  });
  const obj = new Array<bigint>(width).fill(0n);
  obj[objective] = -1n;
  T.push(obj);
  const basis = Array.from({ length: m }, (_, i) => n + i);
  let den = 1n;
  for (let guard = 0; guard < 100_000; guard++) {
    // Bland: the entering column is the first with a negative reduced cost.
    let c = -1;
    for (let j = 0; j < width - 1; j++) {
      if (T[m][j] < 0n) {
        c = j;
        break;
      }
    }
    if (c < 0) {
      const point = new Array<bigint>(n).fill(0n);
      basis.forEach((v, i) => {
        if (v < n) point[v] = T[i][width - 1];
      });
      return { num: T[m][width - 1], den, point };
    }
    let r = -1;
    for (let i = 0; i < m; i++) {
      if (T[i][c] <= 0n) continue;
      if (r < 0) {
        r = i;
        continue;
      }
      // Compare b_i / a_ic with b_r / a_rc (same denominator cancels; a's are positive).
      const lhs = T[i][width - 1] * T[r][c];
      const rhs = T[r][width - 1] * T[i][c];
      if (lhs < rhs || (lhs === rhs && basis[i] < basis[r])) r = i;
    }
    if (r < 0) throw new Error('maximise: unbounded (the rows must bound the variables)');
    const p = T[r][c];
    for (let i = 0; i <= m; i++) {
      if (i === r) continue;
      const f = T[i][c];
      const line = T[i];
      for (let j = 0; j < width; j++) line[j] = (p * line[j] - f * T[r][j]) / den;
    }
    den = p;
    basis[r] = c;
  }
  throw new Error('maximise: no optimum after 100000 pivots');
}

