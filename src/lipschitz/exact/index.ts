import type { Network } from '../../network/network.js';
import { operatorNorm } from '../../linalg/norms.js';
import { Budget } from '../budget.js';
import type { LipschitzQuery } from '../query.js';
import { arrangementExact } from './arrangement.js';
import { breakpointsExact } from './breakpoints.js';
import { regionSearchExact } from './regionSearch.js';
import { witnessAt } from '../lower/witness.js';
import { DEFAULT_EXACT_LIMITS, type ExactLimits, type ExactOutcome } from './types.js';

export * from './types.js';

/**
 * The exact Lipschitz constant of f in the query's norm, over ℝᵈ or a box: the largest
 * ‖J_R‖_{p→p} over the activation regions R that meet the domain's interior, with a witness point
 * strictly inside a maximising region. Algorithms: breakpoints for d = 1 (any depth); hyperplane
 * vertex enumeration for shallow networks in general position (global); linear-region search with
 * LPs otherwise. Past `maxRegions` regions or `timeLimit` seconds it returns a `too-large` outcome
 * naming the limit — never a partial maximum presented as exact.
 */
export function exactLipschitz(net: Network, query: LipschitzQuery, limits: ExactLimits = {}): ExactOutcome {
  const maxRegions = limits.maxRegions ?? DEFAULT_EXACT_LIMITS.maxRegions;
  const budget = new Budget(limits.timeLimit ?? DEFAULT_EXACT_LIMITS.timeLimit, maxRegions);
  if (net.layers.length === 1) {
    // An affine network: one region, J = W.
    const layer = net.layers[0];
    const witness = query.box ? Float64Array.from(query.box.lo, (lo, i) => 0.5 * (lo + query.box!.hi[i])) : new Float64Array(net.inputDim);
    const lipschitz = operatorNorm({ rows: layer.outDim, cols: layer.inDim, data: layer.weights }, query.norm);
    return {
      kind: 'exact',
      lipschitz,
      witness,
      witnessValue: witnessAt(net, witness, query.norm).value,
      regions: 1,
      seconds: budget.elapsed(),
      algorithm: 'region-search',
    };
  }
  if (net.inputDim === 1) return breakpointsExact(net, query.norm, query.box, budget, maxRegions);
  if (query.box === null) {
    const viaArrangement = arrangementExact(net, query.norm, budget, maxRegions);
    if (viaArrangement) return viaArrangement;
  }
  return regionSearchExact(net, query.norm, query.box, budget);
}
