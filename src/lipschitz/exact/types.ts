/** Which algorithm produced an exact value. */
export type ExactAlgorithm = 'breakpoints' | 'arrangement' | 'region-search';

/** An exact Lipschitz constant with the evidence behind it. */
export interface ExactValue {
  readonly kind: 'exact';
  /** max over regions of ‖J_R‖_{p→p}. */
  readonly lipschitz: number;
  /**
   * A point strictly inside a region, re-checked like every witness (kink margin, see
   * exact/witness.ts): the norm of its formal Jacobian is `witnessValue`.
   */
  readonly witness: Float64Array;
  /**
   * The Jacobian norm at `witness`: equal to `lipschitz` (to 1e-12 relative) unless no point of a
   * maximising region passes the kink-margin test (a region thinner than that test resolves, a
   * box far from the origin); then the best re-checked value (−Infinity if none passes).
   */
  readonly witnessValue: number;
  /** Number of linear (activation) regions visited — all of them. */
  readonly regions: number;
  readonly seconds: number;
  readonly algorithm: ExactAlgorithm;
}

/** The network was too large for an exact answer within the limits; never a wrong number. */
export interface TooLarge {
  readonly kind: 'too-large';
  /** The limit that ran out ('numerical': an LP the dense simplex could not verify). */
  readonly limit: 'regions' | 'time' | 'numerical';
  /** Its value (a region count, or seconds). */
  readonly limitValue: number;
  readonly regionsVisited: number;
  readonly seconds: number;
  /** The largest norm seen before stopping, with its point: a certified lower bound only. */
  readonly lowerBound: number;
  readonly lowerBoundWitness: Float64Array | null;
  /** One line for users, naming the limit. */
  readonly message: string;
}

export type ExactOutcome = ExactValue | TooLarge;

export interface ExactLimits {
  /** Stop after visiting this many regions (default 1,000,000). */
  readonly maxRegions?: number;
  /** Stop after this many seconds (default 60). */
  readonly timeLimit?: number;
}

export const DEFAULT_EXACT_LIMITS = { maxRegions: 1_000_000, timeLimit: 60 } as const;

/** Builds the "too large" outcome with its one-line message. */
export function tooLarge(
  limit: 'regions' | 'time' | 'numerical',
  limitValue: number,
  regionsVisited: number,
  seconds: number,
  lowerBound: number,
  lowerBoundWitness: Float64Array | null,
): TooLarge {
  const what = limit === 'regions' ? `more than --max-regions ${limitValue} linear regions` : `more than --time-limit ${Number(limitValue.toPrecision(3))} s`;
  const message =
    limit === 'numerical'
      ? `exact gave up: an LP of the region search could not be verified (visited ${regionsVisited} regions); use \`lipcheck bounds\` for certified bounds`
      : `too large for exact: it needs ${what} (visited ${regionsVisited}); use \`lipcheck bounds\` for certified bounds`;
  return {
    kind: 'too-large',
    limit,
    limitValue,
    regionsVisited,
    seconds,
    lowerBound,
    lowerBoundWitness,
    message,
  };
}
