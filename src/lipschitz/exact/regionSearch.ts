import type { Network } from '../../network/network.js';
import { jacobianOfPattern, type Pattern } from '../../network/evaluate.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { solveLp } from '../../linalg/simplex.js';
import { createStream } from '../../random/stream.js';
import { Budget } from '../budget.js';
import { cubeConstraints, cubePattern, cubePreActivations, queryDomain, toInput, type CubeConstraints, type Domain } from '../domain.js';
import type { Box } from '../query.js';
import { tooLarge, type ExactOutcome } from './types.js';
import { UserError } from '../../errors.js';

/**
 * Exact Lipschitz constants for any depth and small input dimension by linear-region enumeration:
 * breadth-first search over the activation regions that meet the domain's open cube (the box, or
 * the homogenised ℝᵈ, see domain.ts). For each region, every
 * facet is found (Clarkson's method, see `regionFacets`) with a point of its relative interior, and
 * stepping across it reaches the neighbouring region. Regions are keyed by their activation pattern.
 *
 * Tolerances (in cube units, where rows are unit normals): a facet point must keep slack > 1e-7 from
 * every other row (else the facet LP re-centres it); the step across is halved until every neuron
 * whose row has slack > 1e-9 at the facet point keeps its sign, so the step lands in the true
 * neighbour. Regions thinner than about 1e-9 of the cube are not resolved.
 */
export const REGION_TOLERANCE = 1e-9;

export interface RegionVisitor {
  /** Called once per region found, with its pattern and a point inside it (cube coordinates). */
  (pattern: Pattern, u: Float64Array): void;
}

/** Pattern key: one character per 16 neurons. */
function patternKey(pattern: Pattern): string {
  const chars: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const layer of pattern) {
    for (let i = 0; i < layer.length; i++) {
      acc |= layer[i] << bits;
      if (++bits === 16) {
        chars.push(acc);
        acc = 0;
        bits = 0;
      }
    }
  }
  chars.push(acc, bits);
  return String.fromCharCode(...chars);
}

/** Drops rows whose hyperplane misses the cube (redundant there) and duplicate rows. */
export function relevantRows(cons: CubeConstraints, n: number): number[] {
  const keep: number[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < cons.count; i++) {
    let l1 = 0;
    for (let k = 0; k < n; k++) l1 += Math.abs(cons.g[i * n + k]);
    if (cons.h[i] - l1 > 0) continue; // satisfied on the whole cube
    let key = cons.h[i].toPrecision(12);
    for (let k = 0; k < n; k++) key += ',' + cons.g[i * n + k].toPrecision(12);
    if (seen.has(key)) continue;
    seen.add(key);
    keep.push(i);
  }
  return keep;
}

/** A facet of a region: its row and a point of its relative interior (cube coordinates). */
export interface Facet {
  readonly row: number;
  readonly point: Float64Array;
  /** The smallest slack of any other constraint (or cube face) at `point`. */
  readonly margin: number;
}

/**
 * The facets of a region by Clarkson's method: for each row j, minimise g_j·u + h_j over only the
 * facets found so far (and the cube); if the minimum is ≥ 0, row j is redundant; otherwise shoot a
 * ray from the interior point `inside` towards the minimiser — the first row it hits is a facet
 * (added, with the hit point), and row j is tried again. Every LP has only the known facets as
 * rows, so it is tiny. A hit point with too little margin is replaced by the facet LP's point.
 */
function regionFacets(cons: CubeConstraints, rows: readonly number[], n: number, inside: Float64Array): Facet[] {
  const facets: Facet[] = [];
  const isFacet = new Set<number>();
  const slackAt = (i: number, u: Float64Array) => {
    let s = cons.h[i];
    for (let k = 0; k < n; k++) s += cons.g[i * n + k] * u[k];
    return s;
  };
  const c = new Float64Array(n);
  /** The facet LP for row j, for the cases the ray cannot settle (ties, degeneracy). */
  const settleByLp = (j: number) => {
    const { u, tau } = slackLp(cons, rows, n, j);
    isFacet.add(j);
    facets.push({ row: j, point: u, margin: tau > REGION_TOLERANCE ? tau : 0 });
  };
  for (const j of rows) {
    for (let guard = 0; guard < rows.length + 1 && !isFacet.has(j); guard++) {
      // min g_j·u + h_j  s.t.  g_f·u + h_f ≥ 0 (known facets f), −1 ≤ u ≤ 1.
      const m = facets.length + 2 * n;
      const A = new Float64Array(m * n);
      const b = new Float64Array(m);
      facets.forEach((f, r) => {
        for (let k = 0; k < n; k++) A[r * n + k] = -cons.g[f.row * n + k];
        b[r] = cons.h[f.row];
      });
      for (let k = 0; k < n; k++) {
        A[(facets.length + 2 * k) * n + k] = 1;
        b[facets.length + 2 * k] = 1;
        A[(facets.length + 2 * k + 1) * n + k] = -1;
        b[facets.length + 2 * k + 1] = 1;
      }
      for (let k = 0; k < n; k++) c[k] = -cons.g[j * n + k];
      const lp = solveLp({ n, m, A, b, c });
      if (lp.status !== 'optimal') {
        settleByLp(j);
        break;
      }
      const target = lp.point;
      if (slackAt(j, target) >= -REGION_TOLERANCE) break; // redundant given the known facets
      // Ray from `inside` to `target`: the first row to reach zero slack.
      let first = -1;
      let tFirst = Infinity;
      for (const i of rows) {
        let rate = 0;
        for (let k = 0; k < n; k++) rate += cons.g[i * n + k] * (target[k] - inside[k]);
        if (rate >= 0) continue;
        const t = slackAt(i, inside) / -rate;
        if (t < tFirst) {
          tFirst = t;
          first = i;
        }
      }
      if (first < 0 || isFacet.has(first)) {
        // Only rounding can make the ray miss every new row: decide row j directly.
        settleByLp(j);
        break;
      }
      const point = Float64Array.from(inside, (x, k) => x + tFirst * (target[k] - x));
      let margin = Infinity;
      for (const i of rows) if (i !== first) margin = Math.min(margin, slackAt(i, point));
      for (let k = 0; k < n; k++) margin = Math.min(margin, 1 - Math.abs(point[k]));
      if (!(margin > 1e-7)) {
        // A hit near the facet's edge: take the facet LP's best-centred point instead.
        const lpPoint = slackLp(cons, rows, n, first);
        isFacet.add(first);
        if (lpPoint.tau > REGION_TOLERANCE) facets.push({ row: first, point: lpPoint.u, margin: lpPoint.tau });
        else facets.push({ row: first, point, margin: 0 }); // lower-dimensional contact: keep as a constraint only
        continue;
      }
      isFacet.add(first);
      facets.push({ row: first, point, margin });
    }
  }
  return facets.filter((f) => f.margin > 0);
}

/**
 * The largest ball-like slack τ of a point in the region (and, with `facet`, on that row's
 * hyperplane): maximise τ s.t. g_i·u + h_i ≥ τ (i ∈ rows, i ≠ facet), g_f·u + h_f = 0, and the
 * cube faces at distance ≥ τ. Returns the point and τ (−Infinity if the LP fails).
 */
export function slackLp(cons: CubeConstraints, rows: readonly number[], n: number, facet: number | null): { u: Float64Array; tau: number } {
  const N = n + 1; // variables u, τ
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
    for (let k = 0; k < n; k++) A[r * N + k] = -cons.g[i * n + k];
    A[r * N + n] = 1;
    b[r++] = cons.h[i];
  }
  for (let k = 0; k < n; k++) {
    A[r * N + k] = 1;
    A[r * N + n] = 1;
    b[r++] = 1;
    A[r * N + k] = -1;
    A[r * N + n] = 1;
    b[r++] = 1;
  }
  const c = new Float64Array(N);
  c[n] = 1;
  const res = solveLp({ n: N, m: r, A: A.subarray(0, r * N), b: b.subarray(0, r), c });
  if (res.status !== 'optimal') return { u: new Float64Array(n), tau: -Infinity };
  return { u: res.point.slice(0, n), tau: res.point[n] };
}

/**
 * A point just across a facet: from the facet point uf, step along −g (g points into the current
 * region) by δ ≤ τ/2, halving δ until every neuron whose constraint row has slack > 1e-9 at uf keeps
 * the sign it has in the current region. Rows at (or within 1e-9 of) zero — the facet's own row and
 * rows coincident with it, e.g. neurons fed only by the crossing neuron — may switch, as may
 * neurons constant on the current region.
 */
export function stepAcross(
  net: Network,
  domain: Domain,
  uf: Float64Array,
  g: Float64Array,
  tau: number,
  cons: CubeConstraints,
  pattern: Pattern,
): Float64Array | null {
  const n = domain.n;
  const keep: number[] = [];
  for (let i = 0; i < cons.count; i++) {
    let slack = cons.h[i];
    for (let k = 0; k < n; k++) slack += cons.g[i * n + k] * uf[k];
    if (slack > 1e-9) keep.push(i);
  }
  let delta = tau / 2;
  for (let attempt = 0; attempt < 40; attempt++, delta /= 2) {
    const u = new Float64Array(n);
    for (let k = 0; k < n; k++) u[k] = uf[k] - delta * g[k];
    const z = cubePreActivations(net, domain, u);
    if (keep.every((i) => (z[cons.layer[i]][cons.neuron[i]] > 0 ? 1 : 0) === pattern[cons.layer[i]][cons.neuron[i]])) return u;
  }
  return null;
}

/** True if u is strictly inside its activation region: every constraint has slack > `margin`. */
function strictlyInside(net: Network, domain: Domain, u: Float64Array, margin: number): boolean {
  const cons = cubeConstraints(net, domain, cubePattern(net, domain, u));
  const n = domain.n;
  for (let i = 0; i < cons.count; i++) {
    let s = cons.h[i];
    for (let k = 0; k < n; k++) s += cons.g[i * n + k] * u[k];
    if (!(s > margin)) return false;
  }
  return true;
}

/** A starting point strictly inside some region (deterministic). */
function interiorStart(net: Network, domain: Domain, seed = 0): Float64Array {
  const stream = createStream(seed, 'region-search/start');
  for (let attempt = 0; attempt < 1000; attempt++) {
    const u = new Float64Array(domain.n);
    for (let k = 0; k < domain.n; k++) u[k] = attempt === 0 ? (0.1 * (k + 1)) / domain.n : 1.6 * stream.uniform() - 0.8;
    if (strictlyInside(net, domain, u, 1e-7)) return u;
  }
  throw new UserError('no point strictly inside a linear region was found: the network is degenerate or its numbers are out of range');
}

/**
 * Visits every activation region meeting the domain's open cube, calling `visit` once per region.
 * Returns 'done', or the limit that stopped it.
 */
export function enumerateRegions(
  net: Network,
  domain: Domain,
  visit: RegionVisitor,
  budget: Budget,
): { status: 'done' | 'regions' | 'time'; regions: number } {
  const n = domain.n;
  const seen = new Set<string>();
  const start = interiorStart(net, domain);
  const startPattern = cubePattern(net, domain, start);
  const queue: { u: Float64Array; pattern: Pattern }[] = [{ u: start, pattern: startPattern }];
  seen.add(patternKey(startPattern));
  let head = 0;
  while (head < queue.length) {
    const { u, pattern } = queue[head];
    queue[head++] = undefined as never; // let the point be collected
    visit(pattern, u);
    if (seen.size > budget.maxCount) return { status: 'regions', regions: seen.size };
    if (budget.exceeded()) return { status: 'time', regions: seen.size };
    const cons = cubeConstraints(net, domain, pattern);
    const rows = relevantRows(cons, n);
    for (const facet of regionFacets(cons, rows, n, u)) {
      const j = facet.row;
      const across = stepAcross(net, domain, facet.point, cons.g.subarray(j * n, (j + 1) * n), facet.margin, cons, pattern);
      if (!across) continue;
      const p = cubePattern(net, domain, across);
      const key = patternKey(p);
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ u: across, pattern: p });
    }
  }
  return { status: 'done', regions: seen.size };
}

/** A robust interior point of a pattern's region: the centre of its largest inscribed cube-ball. */
export function regionCentre(net: Network, domain: Domain, pattern: Pattern): Float64Array | null {
  const cons = cubeConstraints(net, domain, pattern);
  const rows = relevantRows(cons, domain.n);
  const { u, tau } = slackLp(cons, rows, domain.n, null);
  return tau > 0 ? u : null;
}

/** Exact Lipschitz constant by region enumeration (any depth; global or on a box). */
export function regionSearchExact(net: Network, norm: Norm, box: Box | null, budget: Budget): ExactOutcome {
  const domain = queryDomain(net, box);
  let best = -1;
  let bestPattern: Pattern | null = null;
  let bestU: Float64Array | null = null;
  const result = enumerateRegions(
    net,
    domain,
    (pattern, u) => {
      const value = operatorNorm(jacobianOfPattern(net, pattern), norm);
      if (value > best) {
        best = value;
        bestPattern = pattern;
        bestU = u;
      }
    },
    budget,
  );
  const witnessU = bestPattern ? regionCentre(net, domain, bestPattern) ?? bestU! : bestU!;
  const witness = toInput(domain, witnessU);
  if (result.status !== 'done') {
    return tooLarge(result.status, result.status === 'regions' ? budget.maxCount : budget.timeLimit, result.regions, budget.elapsed(), best, witness);
  }
  return { kind: 'exact', lipschitz: best, witness, regions: result.regions, seconds: budget.elapsed(), algorithm: 'region-search' };
}
