import type { Network } from '../../network/network.js';
import type { Pattern } from '../../network/evaluate.js';
import { Budget } from '../budget.js';
import type { Domain } from '../domain.js';
import { lipschitzMip } from './lipschitzMip.js';
import { Polytope } from './polytope.js';
import { SPECTRAL_MARGIN } from './rounding.js';

/**
 * An upper bound on Lip₂ = max over regions of ‖g_R‖₂ for a scalar network, by cutting planes.
 * For a direction u, a MIP gives M(u) ≥ max_R u·g_R (the support function of the gradient set G),
 * so G lies in the polytope Q = {g : u_i·g ≤ M(u_i)} and Lip₂ ≤ max_{g∈Q} ‖g‖₂, attained at a
 * vertex. Start from a box known to hold G (the interval Jacobian bounds); then repeatedly cut at
 * the direction of Q's farthest vertex. Each MIP's incumbent is a realisable pattern: its gradient is handed back
 * so the lower bound improves along the way (the farthest vertex's direction is where the
 * largest gradients must be, if anywhere).
 */
export interface EuclideanCutsResult {
  readonly upper: number;
  readonly cuts: number;
  readonly seconds: number;
  readonly stoppedBy: 'gap' | 'time' | 'converged';
}

export async function euclideanCuttingPlanes(
  net: Network,
  domain: Domain,
  options: {
    readonly timeLimit: number;
    /** A box known to hold every gradient (e.g. from interval bounds): the starting polytope. */
    readonly start: { readonly lo: Float64Array; readonly hi: Float64Array };
    /** Current best lower bound (updated by the caller through `onPattern`). */
    readonly lower: () => number;
    readonly targetGap: number;
    /** Receives each MIP incumbent's pattern (a candidate witness). */
    readonly onPattern?: (pattern: Pattern) => void;
    readonly onProgress?: (upper: number) => void;
  },
): Promise<EuclideanCutsResult> {
  const budget = new Budget(options.timeLimit);
  const one = Float64Array.of(1);
  const q = new Polytope(options.start.lo, options.start.hi);
  let cuts = 0;
  let stoppedBy: EuclideanCutsResult['stoppedBy'] = 'time';
  while (budget.remaining() > 0.05) {
    const { x, norm } = q.farthest();
    options.onProgress?.(norm * (1 + SPECTRAL_MARGIN));
    if (norm * (1 + SPECTRAL_MARGIN) <= options.targetGap * options.lower()) {
      stoppedBy = 'gap';
      break;
    }
    if (norm === 0) {
      stoppedBy = 'converged';
      break;
    }
    // Stryker disable next-line ArithmeticOperator: the cut u·g ≤ M(u) is one half-space for every positive multiple of u (the MIP's M(u) scales with u)
    const u = Float64Array.from(x, (v) => v / norm);
    // Each MIP gets a slice of what is left; at its limit HiGHS's proven bound is still sound.
    const slice = Math.min(budget.remaining(), Math.max(1, budget.remaining() / 6));
    const r = await lipschitzMip(net, domain, { kind: 'directional', w: u, v: one }, slice);
    if (r.pattern) options.onPattern?.(r.pattern);
    cuts++;
    if (!q.cut(u, r.upper)) {
      // M(u) ≥ ‖x*‖: no cut in this direction can lower the bound.
      stoppedBy = r.status === 'optimal' ? 'converged' : 'time';
      break;
    }
  }
  return { upper: q.farthest().norm * (1 + SPECTRAL_MARGIN), cuts, seconds: budget.elapsed(), stoppedBy };
}
