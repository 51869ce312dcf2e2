import type { Pattern } from '../../network/evaluate.js';
import type { Network } from '../../network/network.js';
import type { Budget } from '../budget.js';
import { cubePattern, cubePreActivations, type CubeConstraints, type Domain } from '../domain.js';
import { certifiedPattern } from './certify.js';
import { SLACK_NOISE, slackAt, slackLp, type Facet } from './facets.js';

/**
 * Crossing a facet of an activation region R (cube coordinates, unit rows): finding every region
 * that lies just beyond it, including regions thinner than any tolerance, and never stopping short
 * of what lies behind them.
 *
 * - Thick facets (a point on the facet whose slack from every other row and cube face exceeds
 *   THICK): one step of half that margin along the outward normal lands in the neighbour.
 * - Otherwise some rows pass within THICK of the facet point — a bundle of nearly coincident
 *   hyperplanes (near-duplicate neurons, thin slabs), or the edges of a tiny facet. Those rows are
 *   exempted from the margin (they must only be ≥ 0, i.e. the point stays in R's closure), and the
 *   facet LP is re-solved until the margin from every other row exceeds THICK (at most 8 rounds);
 *   a second LP then centres the point among the exempt rows. From there the segment along the
 *   outward normal, of length just under the margin, meets only the facet's row and the bundle,
 *   and is searched by bisection: since every activation region is convex, each meets the segment
 *   in one interval, so halving between probes whose patterns differ finds every region whose
 *   piece of the segment is longer than BISECTION_RESOLUTION — thin slabs included — and lands
 *   beyond the last hyperplane of the bundle.
 *
 * A probe counts as a region only if its pattern is certified (certify.ts): a
 * running error bound proves every pre-activation's sign at a real point, so no pattern is ever
 * counted that the network does not realise on a set of positive measure.
 */

/** A facet point with margin above this (cube units) is crossed in one step. */
export const THICK = 1e-9;

/** Pieces of a crossing segment shorter than this (cube units) may be missed. */
export const BISECTION_RESOLUTION = 1e-15;

/** Probes per crossing before it gives up (a bundle of hundreds of hyperplanes). */
const MAX_PROBES = 8192;

/** A certified point of a region and its pattern. */
export interface Landing {
  readonly u: Float64Array;
  readonly pattern: Pattern;
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

/**
 * The certified regions just beyond a facet (see the module comment): an empty list when the facet
 * lies against the cube's boundary (margin ≤ SLACK_NOISE), 'stopped' when the budget runs out,
 * 'failed' when an LP cannot be verified or a bundle needs more than MAX_PROBES probes.
 */
export function crossFacet(
  net: Network,
  domain: Domain,
  cons: CubeConstraints,
  rows: readonly number[],
  facet: Facet,
  budget: Budget,
): Landing[] | 'stopped' | 'failed' {
  const n = domain.n;
  const j = facet.row;
  const g = cons.g.subarray(j * n, (j + 1) * n);
  if (facet.point && facet.margin > THICK) {
    const u = along(facet.point, g, facet.margin / 2);
    const c = certifiedPattern(net, domain, u);
    if (c.certified) return [{ u, pattern: c.pattern }];
  }
  const exempt = new Set<number>();
  let lp = slackLp(cons, rows, n, j, { budget });
  for (let round = 0; ; round++) {
    if (lp.status === 'stopped') return 'stopped';
    if (lp.status === 'infeasible') return []; // proven: the row's hyperplane misses the region (not a facet)
    if (lp.status !== 'optimal') return 'failed';
    if (round === 8) break;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut — every non-exempt row has slack ≥ τ > THICK, so the exemption pass below would add none and break
    if (lp.tau > THICK) break;
    const before = exempt.size;
    for (const i of rows) if (i !== j && slackAt(cons, n, i, lp.u) <= THICK) exempt.add(i);
    // Stryker disable next-line ConditionalExpression: without it the loop re-solves the same LP until the round cap (same result, more time)
    if (exempt.size === before) break; // only the cube's faces are near
    lp = slackLp(cons, rows, n, j, { exempt, budget });
  }
  if (!(lp.tau > SLACK_NOISE)) return [];
  let uf = lp.u;
  let length = 0.9 * lp.tau;
  if (exempt.size > 0) {
    const centred = slackLp(cons, rows, n, j, { exempt, floor: lp.tau / 2, budget });
    if (centred.status === 'stopped') return 'stopped';
    if (centred.status === 'optimal' && centred.tau >= 0) {
      uf = centred.u;
      length = 0.45 * lp.tau;
    }
  }
  return searchSegment(net, domain, cons, exempt, j, uf, length, budget);
}

/** u − t·g. */
function along(u: Float64Array, g: ArrayLike<number>, t: number): Float64Array {
  return Float64Array.from(u, (x, k) => x - t * g[k]);
}

interface Probe {
  readonly t: number;
  readonly key: string;
}

/**
 * Every certified region on the segment uf − t·g_j, 0 < t ≤ length, by bisection between probes
 * with different patterns, seeded with the crossing points of the exempt rows (in R's linear map).
 */
function searchSegment(
  net: Network,
  domain: Domain,
  cons: CubeConstraints,
  exempt: ReadonlySet<number>,
  j: number,
  uf: Float64Array,
  length: number,
  budget: Budget,
): Landing[] | 'stopped' | 'failed' {
  const n = domain.n;
  const g = cons.g.subarray(j * n, (j + 1) * n);
  const seeds = [0, length];
  for (const i of exempt) {
    let rate = 0;
    for (let k = 0; k < n; k++) rate += cons.g[i * n + k] * g[k];
    const t = slackAt(cons, n, i, uf) / rate;
    // Stryker disable next-line EqualityOperator: rate = 0 gives t = ±∞ or NaN (no seed either way); t = 0 and t = length repeat the seeds already there (a pair of equal probes is skipped)
    if (rate > 0 && t > 0 && t < length) seeds.push(t);
  }
  seeds.sort((a, b) => a - b);
  const ts: number[] = [];
  for (let s = 0; s < seeds.length; s++) {
    ts.push(seeds[s]);
    if (s + 1 < seeds.length) ts.push(0.5 * (seeds[s] + seeds[s + 1]));
  }
  // The extent [first t, last t] over which each pattern was seen.
  const extent = new Map<string, [number, number]>();
  let probes = 0;
  const probe = (t: number): Probe => {
    probes++;
    const key = patternKey(cubePattern(net, domain, along(uf, g, t)));
    const e = extent.get(key);
    if (e) {
      e[0] = Math.min(e[0], t);
      e[1] = Math.max(e[1], t);
    } else extent.set(key, [t, t]);
    return { t, key };
  };
  const resolution = BISECTION_RESOLUTION; // absolute: uf lies in the cube, |uf_k| ≤ 1
  // Stryker disable next-line ArrayDeclaration: a non-pair entry destructures to two probes without keys, which are skipped as one region
  const stack: [Probe, Probe][] = [];
  const initial = ts.map(probe);
  for (let s = 0; s + 1 < initial.length; s++) stack.push([initial[s], initial[s + 1]]);
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    if (a.key === b.key || b.t - a.t <= resolution) continue; // one region (convexity), or resolved
    if (probes > MAX_PROBES) return 'failed';
    if ((probes & 63) === 0 && budget.exceeded()) return 'stopped';
    const m = probe(0.5 * (a.t + b.t));
    stack.push([a, m], [m, b]);
  }
  const landings: Landing[] = [];
  for (const [lo, hi] of extent.values()) {
    if (hi <= 0) continue; // seen only on the facet itself
    // The middle of the pattern's stretch of the segment is its most robust point.
    const u = along(uf, g, 0.5 * (Math.max(lo, 0) + hi));
    const c = certifiedPattern(net, domain, u);
    if (c.certified) landings.push({ u, pattern: c.pattern });
  }
  return landings;
}

/**
 * A point just across a facet (for local search): from the facet point uf, step along −g (g points
 * into the current region) by δ ≤ τ/2, halving δ until every neuron whose constraint row has slack
 * > 1e-9 at uf keeps the sign it has in the current region. Rows at (or within 1e-9 of) zero — the
 * facet's own row and rows coincident with it — may switch, as may neurons constant on the region.
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
  // Stryker disable next-line EqualityOperator: a row past the end has slack NaN, which is never kept
  for (let i = 0; i < cons.count; i++) {
    if (slackAt(cons, n, i, uf) > THICK) keep.push(i);
  }
  let delta = tau / 2;
  for (let attempt = 0; attempt < 40; attempt++, delta /= 2) {
    const u = along(uf, g, delta);
    const z = cubePreActivations(net, domain, u);
    if (keep.every((i) => (z[cons.layer[i]][cons.neuron[i]] > 0 ? 1 : 0) === pattern[cons.layer[i]][cons.neuron[i]])) return u;
  }
  return null;
}
