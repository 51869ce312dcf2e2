import type { Network } from '../network/network.js';
import { certifiedBounds, exactPlan, tryExact, witnessSearch, type BoundsResult } from './bounds.js';
import { Budget } from './budget.js';
import type { LipschitzQuery } from './query.js';
import { lipSdpStage, quickUpperBounds } from './upperStages.js';

/** A claim about Lip_p of a network on a domain. */
export type Claim = { readonly kind: 'upper' | 'lower' | 'exact'; readonly value: number };

/** Relative slack below which a disagreement is put down to floating point, not refuted. */
const CLAIM_SLACK = 1e-9;

export interface Verdict {
  readonly status: 'refuted' | 'consistent';
  /**
   * True when the verdict is settled: the claim proven (e.g. lipcheck's certified upper bound is below
   * a claimed upper bound) or refuted (by a witness, a certified bound or the exact constant).
   */
  readonly proven: boolean;
  /** For a refuted upper (or exact) claim: a point whose Jacobian norm exceeds it. */
  readonly witness: { readonly x: Float64Array; readonly value: number } | null;
  /** For a refuted lower (or exact) claim: lipcheck's certified upper bound below it. */
  readonly certifiedUpper: number | null;
  readonly exact: number | null;
  readonly lower: number;
  readonly upper: number;
  readonly message: string;
  /** True when the time limit ended the work before the claim was refuted or proven. */
  readonly stoppedOnTime: boolean;
  /** Steps left out (they would not have fitted in the time) or cut short by it. */
  readonly skipped: readonly string[];
}

export interface VerifyOptions {
  /** Seconds to spend; ignored when `budget` is given. */
  readonly timeLimit: number;
  /** The budget to keep, e.g. `Budget.sinceProcessStart(S)` so that start-up counts. */
  readonly budget?: Budget;
  readonly rtol?: number;
  readonly seed?: number;
}

/**
 * Checks a claim against what lipcheck can certify within the time limit. An upper bound is
 * refuted by a witness whose Jacobian norm exceeds it by more than CLAIM_SLACK (relative); a lower
 * bound by a certified upper bound below it; an exact value by either, or, when lipcheck's own
 * exact value is available, by a relative difference above `rtol`. An upper claim meets, in turn,
 * the exact solver (only where region enumeration can finish), the quick certified bounds and for
 * p = 2 LipSDP (which may prove it), then the many-start ascent and local searches, stopping above
 * it; a lower or exact claim meets `certifiedBounds`, stopped once the bracket settles it (so the
 * tightest certified upper bound — LipSDP for p = 2, the linear relaxation on a box — comes first
 * at large d). Every stage gets a share of the
 * budget or is skipped when it would not fit (see budget.ts); the verdict says when the time ended
 * the work before a proof either way (`stoppedOnTime`).
 */
export async function verifyClaim(net: Network, query: LipschitzQuery, claim: Claim, options: VerifyOptions): Promise<Verdict> {
  const budget = options.budget ?? new Budget(options.timeLimit);
  const rtol = options.rtol ?? 1e-6;
  const v = claim.value;
  const timing = (proven: boolean) => ({ stoppedOnTime: !proven && budget.stoppedOnTime, skipped: budget.skipped });
  if (claim.kind === 'upper') {
    // Search for a counterexample: exact if it is quick, otherwise a lower-bound search that stops
    // as soon as it beats the claim.
    // Region enumeration only where it can finish (bounds.ts's plan: not at large d without a box).
    const exact = tryExact(net, query, budget, Math.min(0.3, exactPlan(net, query).share), 200_000);
    if (exact?.kind === 'exact') {
      const refuted = exact.lipschitz > v * (1 + CLAIM_SLACK) + Number.MIN_VALUE;
      // The witness is re-checked (exact/witness.ts); it may attain less than the constant when the
      // maximising region is too thin for the kink-margin test.
      const witnessRefutes = exact.witnessValue > v * (1 + CLAIM_SLACK) + Number.MIN_VALUE;
      return {
        status: refuted ? 'refuted' : 'consistent',
        proven: true,
        witness: refuted && witnessRefutes ? { x: exact.witness, value: exact.witnessValue } : null,
        certifiedUpper: null,
        exact: exact.lipschitz,
        lower: exact.witnessValue,
        upper: exact.lipschitz,
        message: refuted
          ? `refuted: the exact constant is ${exact.lipschitz}${witnessRefutes ? ', attained at the witness,' : ''} above the claimed upper bound ${v}`
          : `consistent: the exact constant ${exact.lipschitz} is at most ${v} (exact as README's "How sure the numbers are" states)`,
        ...timing(true),
      };
    }
    // The quick sound bounds may prove the claim outright; then no witness can exceed it and the
    // search would only spend its time.
    // For p = 2, LipSDP too, in a share of the time (it hands back what it does not use).
    const quick = quickUpperBounds(net, query, budget, {}, { stopBelow: v * (1 + Number.EPSILON) });
    const cheap = quick.upper > v ? Math.min(quick.upper, lipSdpStage(net, query, budget, {}, quick.states, 0.3)) : quick.upper;
    if (cheap <= v) {
      return {
        status: 'consistent',
        proven: true,
        witness: null,
        certifiedUpper: null,
        exact: null,
        lower: -Infinity,
        upper: cheap,
        message: `consistent: lipcheck's certified upper bound ${cheap} is at most ${v} (proven)`,
        ...timing(true),
      };
    }
    // The ascent, then local and line searches, each stopping as soon as a witness beats the claim.
    const searchBudget = budget.share(0.95);
    const w = witnessSearch(net, query, searchBudget, {}, { seed: options.seed ?? 0, stopAbove: v * (1 + CLAIM_SLACK) });
    if (w.value > v * (1 + CLAIM_SLACK)) {
      return {
        status: 'refuted',
        proven: true,
        witness: { x: w.x, value: w.value },
        certifiedUpper: null,
        exact: null,
        lower: w.value,
        upper: Infinity,
        message: `refuted: at the witness the Jacobian norm is ${w.value}, above the claimed upper bound ${v}`,
        ...timing(true),
      };
    }
    const upper = cheap;
    return {
      status: 'consistent',
      proven: false,
      witness: null,
      certifiedUpper: null,
      exact: null,
      lower: w.value,
      upper,
      message: `not refuted: the best lower bound found in ${fmtSeconds(budget.elapsed())} s is ${w.value} ≤ ${v} (a search, not a proof)`,
      ...timing(false),
    };
  }
  // Stop as soon as the bracket settles the claim: for a lower claim the tightest certified upper
  // bound below it (LipSDP for p = 2, the linear relaxation on a box) or a witness attaining it.
  const stopWhen = claim.kind === 'lower' ? { upperBelow: v * (1 - CLAIM_SLACK), lowerAbove: v * (1 - CLAIM_SLACK) } : { upperBelow: v * (1 - rtol), lowerAbove: v * (1 + rtol) };
  const b: BoundsResult = await certifiedBounds(net, query, { budget, seed: options.seed, targetGap: 1.0001, stopWhen });
  const base = { exact: b.exact, lower: b.lower, upper: b.upper };
  if (claim.kind === 'lower') {
    if (b.upper < v * (1 - CLAIM_SLACK)) {
      return { ...base, status: 'refuted', proven: true, witness: null, certifiedUpper: b.upper, message: `refuted: lipcheck's certified upper bound ${b.upper} is below the claimed lower bound ${v}`, ...timing(true) };
    }
    const proven = b.lower >= v * (1 - CLAIM_SLACK);
    return {
      ...base,
      status: 'consistent',
      proven,
      witness: null,
      certifiedUpper: null,
      message: proven ? `consistent: a witness attains ${b.lower} ≥ ${v} (proven)` : `not refuted: ${v} lies within lipcheck's bracket [${b.lower}, ${b.upper}]`,
      ...timing(proven),
    };
  }
  // Exact claim.
  if (b.exact !== null) {
    const off = Math.abs(b.exact - v) > rtol * Math.abs(b.exact);
    return {
      ...base,
      status: off ? 'refuted' : 'consistent',
      proven: true,
      witness: off && v < b.exact ? { x: b.witness, value: b.exact } : null,
      certifiedUpper: off && v > b.exact ? b.exact : null,
      message: off ? `refuted: the exact constant is ${b.exact}, the claim ${v} is off by ${Math.abs(b.exact - v) / Math.abs(b.exact)} (relative; --rtol ${rtol})` : `consistent: the exact constant is ${b.exact}, within --rtol ${rtol} (exact as README's "How sure the numbers are" states)`,
      ...timing(true),
    };
  }
  if (b.lower > v * (1 + rtol)) {
    return { ...base, status: 'refuted', proven: true, witness: { x: b.witness, value: b.lower }, certifiedUpper: null, message: `refuted: at the witness the Jacobian norm is ${b.lower}, above the claimed exact value ${v}`, ...timing(true) };
  }
  if (b.upper < v * (1 - rtol)) {
    return { ...base, status: 'refuted', proven: true, witness: null, certifiedUpper: b.upper, message: `refuted: lipcheck's certified upper bound ${b.upper} is below the claimed exact value ${v}`, ...timing(true) };
  }
  return { ...base, status: 'consistent', proven: false, witness: null, certifiedUpper: null, message: `not refuted: ${v} lies within lipcheck's bracket [${b.lower}, ${b.upper}]`, ...timing(false) };
}

function fmtSeconds(s: number): string {
  return Number(s.toPrecision(3)).toString();
}
