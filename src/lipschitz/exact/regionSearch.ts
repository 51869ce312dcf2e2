import type { Network } from '../../network/network.js';
import { jacobianOfPattern, type Pattern } from '../../network/evaluate.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { createStream } from '../../random/stream.js';
import { Budget } from '../budget.js';
import { cubeConstraints, queryDomain, toInput, type Domain } from '../domain.js';
import { certifiedPattern } from './certify.js';
import type { Box } from '../query.js';
import { tooLarge, type ExactOutcome } from './types.js';
import { UserError } from '../../errors.js';
import { crossFacet, patternKey, THICK } from './crossing.js';
import { regionFacets, relevantRows, slackLp } from './facets.js';
import { Candidates } from './witness.js';

export { relevantRows, slackLp } from './facets.js';
export { stepAcross } from './crossing.js';

/**
 * Exact Lipschitz constants for any depth and small input dimension by linear-region enumeration:
 * breadth-first search over the activation regions that meet the domain's open cube (the box, or
 * the homogenised ℝᵈ, see domain.ts). For each region every facet is found (Clarkson's method,
 * facets.ts) and crossed (crossing.ts): a thick facet in one step, a bundle of nearly coincident
 * hyperplanes by a bisection along the normal that visits each thin region between them and lands
 * beyond the last. Regions are keyed by their activation pattern, and a region is counted only at a
 * point where its pattern is certified by a running error bound (domain.ts), so every Jacobian
 * counted belongs to a region of positive measure.
 *
 * What is resolved, and what is not (cube units: the box mapped to [−1, 1]ⁿ, or the homogenised
 * domain; rows are unit normals):
 * - Every region reachable from the start through facets is visited, where a facet is crossed when
 *   some point of it keeps a margin > 1e-13 from every row that is not within THICK = 1e-9 of it
 *   there and from the cube's faces. What lies beyond a bundle of hyperplanes closer than 1e-9 is
 *   therefore never skipped.
 * - A region thinner than 1e-9 is visited when it lies on such a crossing segment and its piece of
 *   the segment is longer than 1e-15 (BISECTION_RESOLUTION), and a point there certifies its pattern;
 *   regions narrower than that, or whose every point is within rounding of some kink, are not.
 * - Rows equal bit for bit count as one hyperplane (their region, if any, is below rounding).
 * - An LP that the dense simplex cannot verify, in floating point or (small LPs) exactly, ends the
 *   search with a 'numerical' outcome, not a number.
 */
export const REGION_TOLERANCE = THICK;

export interface RegionVisitor {
  /** Called once per region found, with its pattern and a certified point inside it (cube coordinates). */
  (pattern: Pattern, u: Float64Array): void;
}

/** A certified starting point strictly inside some region (deterministic), or null if the budget ran out. */
function interiorStart(net: Network, domain: Domain, budget: Budget, seed = 0): { u: Float64Array; pattern: Pattern } | null {
  const stream = createStream(seed, 'region-search/start');
  for (let attempt = 0; attempt < 1000; attempt++) {
    if (budget.exceeded()) return null;
    const u = new Float64Array(domain.n);
    for (let k = 0; k < domain.n; k++) u[k] = attempt === 0 ? (0.1 * (k + 1)) / domain.n : 1.6 * stream.uniform() - 0.8;
    const c = certifiedPattern(net, domain, u);
    if (c.certified) return { u, pattern: c.pattern };
  }
  throw new UserError('no point strictly inside a linear region was found: the network is degenerate or its numbers are out of range');
}

/**
 * Visits every activation region meeting the domain's open cube (as resolved above), calling
 * `visit` once per region. Returns 'done', or what stopped it: a limit ('regions', 'time') or an
 * LP that could not be verified ('numerical').
 */
export function enumerateRegions(
  net: Network,
  domain: Domain,
  visit: RegionVisitor,
  budget: Budget,
): { status: 'done' | 'regions' | 'time' | 'numerical'; regions: number } {
  const n = domain.n;
  const seen = new Set<string>();
  const start = interiorStart(net, domain, budget);
  if (!start) return { status: 'time', regions: 0 };
  const queue: { u: Float64Array; pattern: Pattern }[] = [start];
  seen.add(patternKey(start.pattern));
  let head = 0;
  while (head < queue.length) {
    const { u, pattern } = queue[head];
    queue[head++] = undefined as never; // let the point be collected
    visit(pattern, u);
    if (seen.size > budget.maxCount) return { status: 'regions', regions: seen.size };
    if (budget.exceeded()) return { status: 'time', regions: seen.size };
    const cons = cubeConstraints(net, domain, pattern, budget);
    if (!cons) return { status: 'time', regions: seen.size };
    const rows = relevantRows(cons, n);
    const facets = regionFacets(cons, rows, n, u, budget);
    if (facets === 'stopped') return { status: 'time', regions: seen.size };
    for (const facet of facets) {
      if (budget.exceeded()) return { status: 'time', regions: seen.size };
      const landings = crossFacet(net, domain, cons, rows, facet, budget);
      if (landings === 'stopped') return { status: 'time', regions: seen.size };
      if (landings === 'failed') return { status: 'numerical', regions: seen.size };
      for (const landing of landings) {
        const key = patternKey(landing.pattern);
        if (seen.has(key)) continue;
        seen.add(key);
        queue.push(landing);
      }
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
  const candidates = new Candidates();
  let firstU: Float64Array | null = null;
  // Stryker disable next-line BooleanLiteral: points() runs only in recheck, after `finished` is set below
  let finished = false; // the centring LPs run only after a complete search (a stopped one has no time left)
  const result = enumerateRegions(
    net,
    domain,
    (pattern, u) => {
      firstU ??= u;
      const value = operatorNorm(jacobianOfPattern(net, pattern), norm);
      candidates.offer({
        value,
        points: function* () {
          const centre = finished ? regionCentre(net, domain, pattern) : null;
          if (centre) yield toInput(domain, centre);
          yield toInput(domain, u);
        },
      });
    },
    budget,
  );
  finished = result.status === 'done';
  const fallback = firstU ? toInput(domain, firstU) : new Float64Array(net.inputDim);
  // A search stopped by its budget re-checks its best point only if that is cheap (the kink-margin
  // test costs d·Σ N_ℓ·N_{ℓ−1}: seconds for a 784-input net); the caller's own search does the rest.
  const cheap = net.inputDim * net.layers.reduce((a, l) => a + l.outDim * l.inDim, 0) < 1e7;
  const { witness, witnessValue, lipschitz } =
    finished || cheap ? candidates.recheck(net, norm, fallback) : { witness: fallback, witnessValue: -Infinity, lipschitz: candidates.best };
  if (result.status !== 'done') {
    const limitValue = result.status === 'regions' ? budget.maxCount : budget.timeLimit;
    return tooLarge(result.status, limitValue, result.regions, budget.elapsed(), witnessValue, witnessValue > -Infinity ? witness : null);
  }
  return { kind: 'exact', lipschitz, witness, witnessValue, regions: result.regions, seconds: budget.elapsed(), algorithm: 'region-search' };
}
