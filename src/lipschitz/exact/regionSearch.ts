import type { Network } from '../../network/network.js';
import { jacobianOfPattern, type Pattern } from '../../network/evaluate.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { solveLp } from '../../linalg/simplex.js';
import { createStream } from '../../random/stream.js';
import { Budget } from '../budget.js';
import { cubeConstraints, cubePattern, cubePreActivations, queryDomain, toInput, type CubeConstraints, type Domain } from '../domain.js';
import type { Box } from '../query.js';
import { tooLarge, type ExactOutcome } from './types.js';

/**
 * Exact Lipschitz constants for any depth and small input dimension by linear-region enumeration:
 * breadth-first search over the activation regions that meet the domain's open cube (the box, or
 * the homogenised ℝᵈ, see domain.ts). For each region, every constraint that can bound it gets an
 * LP — the largest τ such that a point of its hyperplane keeps distance τ from every other
 * constraint and from the cube's faces; τ > 1e-9 makes it a facet, and stepping across its
 * relative interior reaches the neighbouring region. Regions are keyed by their activation pattern.
 *
 * Tolerances (in cube units, where rows are unit normals): a region or facet counts only if its
 * inscribed ball has radius > 1e-9; the step across a facet is halved until no neuron that is
 * clearly non-zero at the facet point (|z| > 1e-10·Σ|terms|) changes sign, so the step lands in the
 * true neighbour. Regions thinner than 1e-9 of the cube are not resolved.
 */
export const REGION_TOLERANCE = 1e-9;

export interface RegionVisitor {
  /** Called once per region found, with its pattern and a point inside it (cube coordinates). */
  (pattern: Pattern, u: Float64Array): void;
}

/** Pattern key: one character per 16 neurons. */
export function patternKey(pattern: Pattern): string {
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
 * region) by δ ≤ τ/2, halving δ until every neuron that is clearly non-zero at uf keeps its sign.
 */
function stepAcross(net: Network, domain: Domain, uf: Float64Array, g: Float64Array, tau: number): Float64Array | null {
  const mags: Float64Array[] = [];
  const zf = cubePreActivations(net, domain, uf, mags);
  let delta = tau / 2;
  const n = domain.n;
  for (let attempt = 0; attempt < 40; attempt++, delta /= 2) {
    const u = new Float64Array(n);
    for (let k = 0; k < n; k++) u[k] = uf[k] - delta * g[k];
    const z = cubePreActivations(net, domain, u);
    let ok = true;
    for (let l = 0; l < z.length && ok; l++) {
      for (let i = 0; i < z[l].length; i++) {
        const clear = Math.abs(zf[l][i]) > 1e-10 * mags[l][i];
        if (clear && Math.sign(z[l][i]) !== Math.sign(zf[l][i])) {
          ok = false;
          break;
        }
      }
    }
    if (ok) return u;
  }
  return null;
}

/** True if u is strictly inside its activation region: every constraint has slack > `margin`. */
export function strictlyInside(net: Network, domain: Domain, u: Float64Array, margin: number): boolean {
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
export function interiorStart(net: Network, domain: Domain, seed = 0): Float64Array {
  const stream = createStream(seed, 'region-search/start');
  for (let attempt = 0; attempt < 1000; attempt++) {
    const u = new Float64Array(domain.n);
    for (let k = 0; k < domain.n; k++) u[k] = attempt === 0 ? (0.1 * (k + 1)) / domain.n : 1.6 * stream.uniform() - 0.8;
    if (strictlyInside(net, domain, u, 1e-7)) return u;
  }
  throw new Error('interiorStart: no point off every kink found (is the network degenerate?)');
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
    for (const j of rows) {
      const { u: uf, tau } = slackLp(cons, rows, n, j);
      if (!(tau > REGION_TOLERANCE)) continue;
      const across = stepAcross(net, domain, uf, cons.g.subarray(j * n, (j + 1) * n), tau);
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
