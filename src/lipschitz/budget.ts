/**
 * A work budget: a wall-clock limit and a count limit, checked cooperatively by long loops.
 * `exceeded()` names which limit ran out, so results can say so instead of hanging.
 */
export class Budget {
  private readonly start = performance.now();
  constructor(
    /** Seconds allowed (Infinity for none). */
    readonly timeLimit: number,
    /** Items allowed (Infinity for none). */
    readonly maxCount: number = Infinity,
  ) {}

  /** Seconds since the budget was created. */
  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** Seconds left (never negative). */
  remaining(): number {
    return Math.max(0, this.timeLimit - this.elapsed());
  }

  /** 'time' or 'count' once a limit is passed, else null. */
  exceeded(count = 0): 'time' | 'count' | null {
    if (count > this.maxCount) return 'count';
    if (this.elapsed() > this.timeLimit) return 'time';
    return null;
  }
}

/** Runs f and returns its value with the seconds it took. */
export function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, (performance.now() - t0) / 1000];
}
