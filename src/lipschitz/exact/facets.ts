import { solveLp, type LpResult } from '../../linalg/simplex.js';
import type { Budget } from '../budget.js';
import type { CubeConstraints } from '../domain.js';

/**
 * The LPs of one activation region in cube coordinates (rows are unit normals, slack g·u + h is
 * the distance to the row's hyperplane): which rows are facets (Clarkson's method), and points
 * on a facet with the largest margin from the other rows (`slackLp`). Every LP goes through the
 * verified dense simplex (linalg/simplex.ts); an LP that cannot be verified is reported, never used.
 */

/** Slack differences below this (cube units) are rounding noise: computed slacks are accurate to ~1e-15. */
export const SLACK_NOISE = 1e-13;

/** Drops rows whose hyperplane misses the cube (redundant there) and rows equal to an earlier one bit for bit. */
export function relevantRows(cons: CubeConstraints, n: number): number[] {
  const keep: number[] = [];
  const byHash = new Map<number, number[]>();
  for (let i = 0; i < cons.count; i++) {
    let l1 = 0;
    let hash = cons.h[i];
    for (let k = 0; k < n; k++) {
      l1 += Math.abs(cons.g[i * n + k]);
      // Stryker disable next-line AssignmentOperator,ArithmeticOperator: any function of the row is a valid bucket key (rows in a bucket are compared entry by entry)
      hash += cons.g[i * n + k] * (k + 1.618);
    }
    if (cons.h[i] - l1 > 0) continue; // satisfied on the whole cube
    const same = byHash.get(hash);
    if (same?.some((r) => sameRow(cons, n, r, i))) continue;
    if (same) same.push(i);
    else byHash.set(hash, [i]);
    keep.push(i);
  }
  return keep;
}

function sameRow(cons: CubeConstraints, n: number, a: number, b: number): boolean {
  if (cons.h[a] !== cons.h[b]) return false;
  for (let k = 0; k < n; k++) if (cons.g[a * n + k] !== cons.g[b * n + k]) return false;
  return true;
}

/** g_i·u + h_i. */
export function slackAt(cons: CubeConstraints, n: number, i: number, u: ArrayLike<number>): number {
  let s = cons.h[i];
  for (let k = 0; k < n; k++) s += cons.g[i * n + k] * u[k];
  return s;
}

/** A facet of a region: its row and, when a ray found it, a point on it with its margin. */
export interface Facet {
  readonly row: number;
  /** A point of the facet's relative interior (null: the crossing must find one by LP). */
  readonly point: Float64Array | null;
  /** The smallest slack of any other row (or cube face) at `point`. */
  readonly margin: number;
}

/**
 * The facets of a region by Clarkson's method: for each row j, minimise g_j·u + h_j over only the
 * facets found so far (and the cube); if even the verified lower bound on that minimum is
 * ≥ −SLACK_NOISE, row j is redundant; otherwise shoot a ray from the interior point `inside`
 * towards the minimiser — the first row it hits is a facet (added, with the hit point), and row j
 * is tried again. Every LP has only the known facets as rows, so it is tiny. Rows that the rays
 * cannot settle (ties, an LP that cannot be verified) are returned as facets without a point:
 * listing a non-facet costs one crossing that finds nothing, never a missed region.
 * Returns 'stopped' when the budget runs out.
 */
export function regionFacets(cons: CubeConstraints, rows: readonly number[], n: number, inside: Float64Array, budget: Budget): Facet[] | 'stopped' {
  const facets: Facet[] = [];
  const isFacet = new Set<number>();
  const c = new Float64Array(n);
  for (const j of rows) {
    // Stryker disable next-line LogicalOperator,ConditionalExpression,EqualityOperator,UpdateOperator: a safety cap that never binds (every pass that does not break adds a new facet), and retrying a row already found a facet only re-proves it redundant
    for (let guard = 0; guard < rows.length + 1 && !isFacet.has(j); guard++) {
      if (budget.exceeded()) return 'stopped';
      // max −g_j·u  s.t.  g_f·u + h_f ≥ 0 (known facets f), −1 ≤ u ≤ 1.
      const m = facets.length + 2 * n;
      const A = new Float64Array(m * n);
      const b = new Float64Array(m);
      facets.forEach((f, r) => {
        // Stryker disable next-line EqualityOperator: k = n writes the next row's first entry, which is written again afterwards (or past the typed array's end, ignored)
        for (let k = 0; k < n; k++) A[r * n + k] = -cons.g[f.row * n + k];
        b[r] = cons.h[f.row];
      });
      // Stryker disable next-line EqualityOperator: k = n writes past the typed arrays' ends (ignored)
      for (let k = 0; k < n; k++) {
        A[(facets.length + 2 * k) * n + k] = 1;
        b[facets.length + 2 * k] = 1;
        A[(facets.length + 2 * k + 1) * n + k] = -1;
        b[facets.length + 2 * k + 1] = 1;
      }
      // Stryker disable next-line EqualityOperator: k = n writes past c's end (ignored)
      for (let k = 0; k < n; k++) c[k] = -cons.g[j * n + k];
      const lp = solveLp({ n, m, A, b, c }, { budget, variableBound: 1 });
      if (lp.status === 'stopped') return 'stopped';
      if (lp.status !== 'optimal') {
        isFacet.add(j);
        facets.push({ row: j, point: null, margin: 0 });
        break;
      }
      const target = lp.point;
      if (cons.h[j] - lp.value - lp.gap >= -SLACK_NOISE) break; // redundant given the known facets
      // Ray from `inside` to `target`: the first row to reach zero slack.
      let first = -1;
      let tFirst = Infinity;
      for (const i of rows) {
        let rate = 0;
        for (let k = 0; k < n; k++) rate += cons.g[i * n + k] * (target[k] - inside[k]);
        // Stryker disable next-line EqualityOperator: rate = 0 gives t = ±∞ or NaN, never below tFirst
        if (rate >= 0) continue;
        const t = slackAt(cons, n, i, inside) / -rate;
        if (t < tFirst) {
          tFirst = t;
          first = i;
        }
      }
      if (first < 0 || isFacet.has(first)) {
        // Only rounding can make the ray miss every new row: let the crossing decide row j.
        isFacet.add(j);
        facets.push({ row: j, point: null, margin: 0 });
        break;
      }
      const point = Float64Array.from(inside, (x, k) => x + tFirst * (target[k] - x));
      let margin = Infinity;
      for (const i of rows) if (i !== first) margin = Math.min(margin, slackAt(cons, n, i, point));
      for (let k = 0; k < n; k++) margin = Math.min(margin, 1 - Math.abs(point[k]));
      isFacet.add(first);
      facets.push({ row: first, point, margin });
    }
  }
  return facets;
}

/**
 * The largest margin τ of a point in the region (and, with `facet`, on that row's hyperplane):
 * maximise τ s.t. g_i·u + h_i ≥ τ (i ∈ rows, i ≠ facet, i ∉ exempt), g_i·u + h_i ≥ 0 (i ∈ exempt),
 * g_f·u + h_f = 0, and the cube faces at distance ≥ τ. With `floor`, the exempt rows get the
 * margin instead: maximise σ s.t. exempt rows ≥ σ while the others keep ≥ floor. Returns the point
 * and the margin (−Infinity with the LP's status if it is not verified optimal).
 */
export function slackLp(
  cons: CubeConstraints,
  rows: readonly number[],
  n: number,
  facet: number | null,
  options: { exempt?: ReadonlySet<number>; floor?: number; budget?: Budget } = {},
): { u: Float64Array; tau: number; status: LpResult['status'] } {
  const exempt = options.exempt ?? new Set<number>();
  const floor = options.floor;
  const N = n + 1; // variables u, τ
  // Stryker disable next-line ConditionalExpression: m only sizes A; the rows actually filled (r) are what the LP gets
  const m = rows.length + (facet === null ? 0 : 1) + 2 * n;
  const A = new Float64Array(m * N);
  const b = new Float64Array(m);
  let r = 0;
  for (const i of rows) {
    if (i === facet) {
      for (let k = 0; k < n; k++) A[r * N + k] = cons.g[i * n + k];
      b[r++] = -cons.h[i];
      for (let k = 0; k < n; k++) A[r * N + k] = -cons.g[i * n + k];
      b[r++] = cons.h[i];
      continue;
    }
    // −g·u (+ τ) ≤ h (− floor): the margin variable goes on the rows that earn it.
    const earnsMargin = floor === undefined ? !exempt.has(i) : exempt.has(i);
    for (let k = 0; k < n; k++) A[r * N + k] = -cons.g[i * n + k];
    if (earnsMargin) A[r * N + n] = 1;
    b[r++] = cons.h[i] - (floor !== undefined && !exempt.has(i) ? floor : 0);
  }
  // Stryker disable next-line EqualityOperator: k = n writes past A's and b's ends (ignored) and adds two all-zero rows 0 ≤ 0 to the LP
  for (let k = 0; k < n; k++) {
    const coefficient = floor === undefined ? 1 : 0;
    const room = floor === undefined ? 1 : 1 - floor;
    A[r * N + k] = 1;
    A[r * N + n] = coefficient;
    b[r++] = room;
    A[r * N + k] = -1;
    A[r * N + n] = coefficient;
    b[r++] = room;
  }
  const c = new Float64Array(N);
  c[n] = 1;
  // τ ≤ 2 keeps the LP bounded even when no row earns the margin (with a floor the cube faces do not bound it).
  const rowsWithCap = r + 1;
  const A2 = new Float64Array(rowsWithCap * N);
  A2.set(A.subarray(0, r * N));
  A2[r * N + n] = 1;
  const b2 = new Float64Array(rowsWithCap);
  b2.set(b.subarray(0, r));
  b2[r] = 2;
  const res = solveLp({ n: N, m: rowsWithCap, A: A2, b: b2, c }, { budget: options.budget, variableBound: 2 });
  if (res.status !== 'optimal') return { u: new Float64Array(n), tau: -Infinity, status: res.status };
  return { u: res.point.slice(0, n), tau: res.point[n], status: 'optimal' };
}
