import { certifiedBounds } from '../lipschitz/bounds.js';
import { Budget } from '../lipschitz/budget.js';
import { exactChunkFlops, secondsFor } from '../lipschitz/costs.js';
import { exactLipschitz } from '../lipschitz/exact/index.js';
import type { ConformanceCase } from './cases.js';
import { BOUND_SLACK } from './checks.js';
import type { Claims } from './protocol.js';
import { shapeReference } from './shapeCheck.js';

/** What lipcheck certifies about a case: its exact value, or a bracket with a witness. */
export interface Reference {
  readonly exact: number | null;
  readonly lower: number;
  /** A point whose Jacobian norm is `lower` (strictly inside a region). */
  readonly witness: Float64Array;
  readonly upper: number;
  readonly seconds: number;
  /**
   * True when the work stopped early because the bracket already refutes the claims it was aimed
   * at (`referenceFor`'s `claims`): sound, but no reference for another implementation's claims.
   */
  readonly stoppedAtClaim?: boolean;
}

/**
 * lipcheck's reference for a case: the exact solver for tiny cases (with a generous region cap),
 * certified bounds otherwise. The lower-bound search runs for `time` (seconds, or a budget) with
 * local search across regions and line searches, far past what sampling finds, so an "upper bound"
 * that is only the best of many sampled gradients is caught. When the time is short the bracket is
 * looser, never unsound (see certifiedBounds). Given the claims under test, the work stops as soon
 * as the bracket refutes one (a witness above the claimed upper bound, a certified upper bound —
 * LipSDP, the linear relaxation — below the claimed lower bound), and the search aims at the
 * claimed upper bound instead of the target gap. The exact solver's `lower` is its re-checked
 * witness's value (it can be below the constant when the maximising region is too thin to test).
 */
export async function referenceFor(c: ConformanceCase, time: number | Budget, claims: Claims = {}): Promise<Reference> {
  const budget = typeof time === 'number' ? new Budget(time) : time;
  if (c.shape) return shapeReference(c, budget); // many cases at d up to 64: a fast, count-bounded bracket within the budget
  const query = { norm: c.norm, box: c.box };
  const started = performance.now();
  if (c.size === 'tiny' && budget.fits(secondsFor(exactChunkFlops(c.network, query)))) {
    // Most of the time for the exact value; the bounds keep the rest should it not finish.
    const exact = exactLipschitz(c.network, query, { timeLimit: 0.7 * budget.remaining(), maxRegions: 500_000 });
    if (exact.kind === 'exact') {
      return { exact: exact.lipschitz, lower: exact.witnessValue, witness: exact.witness, upper: exact.lipschitz, seconds: (performance.now() - started) / 1000 };
    }
  }
  const stopWhen = {
    ...(claims.upper !== undefined ? { lowerAbove: claims.upper * (1 + BOUND_SLACK) } : {}),
    ...(claims.lower !== undefined ? { upperBelow: claims.lower * (1 - BOUND_SLACK) } : {}),
  };
  const b = await certifiedBounds(c.network, query, { budget, seed: c.id, stopWhen });
  const stoppedAtClaim = b.exact === null && (b.lower > (stopWhen.lowerAbove ?? Infinity) || b.upper < (stopWhen.upperBelow ?? -Infinity));
  return { exact: b.exact, lower: b.lower, witness: b.witness, upper: b.upper, seconds: (performance.now() - started) / 1000, ...(stoppedAtClaim ? { stoppedAtClaim } : {}) };
}
