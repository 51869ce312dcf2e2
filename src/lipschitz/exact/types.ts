/** Which algorithm produced an exact value. */
export type ExactAlgorithm = 'breakpoints' | 'arrangement' | 'region-search';

/** An exact Lipschitz constant with the evidence behind it. */
export interface ExactValue {
  readonly kind: 'exact';
  /** max over regions of ‖J_R‖_{p→p}. */
  readonly lipschitz: number;
  /** A point strictly inside a maximising region: the norm of its formal Jacobian is `lipschitz`. */
  readonly witness: Float64Array;
  /** Number of linear (activation) regions visited — all of them. */
  readonly regions: number;
  readonly seconds: number;
  readonly algorithm: ExactAlgorithm;
}

/** The network was too large for an exact answer within the limits; never a wrong number. */
export interface TooLarge {
  readonly kind: 'too-large';
  /** The limit that ran out. */
  readonly limit: 'regions' | 'time';
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
  limit: 'regions' | 'time',
  limitValue: number,
  regionsVisited: number,
  seconds: number,
  lowerBound: number,
  lowerBoundWitness: Float64Array | null,
): TooLarge {
  const what = limit === 'regions' ? `more than --max-regions ${limitValue} linear regions` : `more than --time-limit ${limitValue} s`;
  return {
    kind: 'too-large',
    limit,
    limitValue,
    regionsVisited,
    seconds,
    lowerBound,
    lowerBoundWitness,
    message: `too large for exact: it needs ${what} (visited ${regionsVisited}); use \`lipcheck bounds\` for certified bounds`,
  };
}
