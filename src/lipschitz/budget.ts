/**
 * A work budget: a wall-clock limit and a count limit, checked cooperatively by long loops.
 * `exceeded()` names which limit ran out, so results can say so instead of hanging.
 *
 * ## The pattern every method follows (how `--time-limit` stays a contract)
 *
 * 1. **Take a Budget, not a number of seconds**, and hand sub-steps a share of it:
 *    `budget.share(0.3)` (30 % of what remains) or `budget.within(5)` (at most 5 s). A child never
 *    outlives its parent, and when any budget runs out its ancestors learn it (`stoppedOnTime`).
 * 2. **Check inside long loops**, not only between steps: `if (budget.exceeded()) break;` once per
 *    pivot, chunk of samples, facet, candidate or climb step (one clock read, about 50 ns). Keep
 *    each iteration short: a loop whose single iteration can take seconds must split it.
 * 3. **Never start a step you cannot stop** unless it fits: estimate its cost from the sizes
 *    (`lipschitz/costs.ts`) and ask `budget.fits(seconds)`; when it does not, call
 *    `budget.skip('what')` (so the result can say what was left out) and go on without it.
 * 4. **Return the best sound result you have** when the budget stops you: a certified bound that
 *    is looser, or no bound at all — never a guess. Callers read `stoppedOnTime` and `skipped` to
 *    tell the user that the answer is the best so far.
 *
 * Time is measured with `performance.now()`; a budget can start at an earlier origin, e.g.
 * `Budget.sinceProcessStart(S)`, so that a command's limit counts its start-up and reading the file.
 */
export class Budget {
  private readonly start: number;
  private readonly parent: Budget | null;
  private ranOut = false;
  private readonly skippedSteps: string[] = [];

  constructor(
    /** Seconds allowed (Infinity for none). */
    readonly timeLimit: number,
    /** Items allowed (Infinity for none). */
    readonly maxCount: number = Infinity,
    options: { readonly origin?: number; readonly parent?: Budget } = {},
  ) {
    this.start = options.origin ?? performance.now();
    this.parent = options.parent ?? null;
  }

  /**
   * A budget of `seconds` counted from the start of the process (`performance.now()` is measured
   * from Node's time origin, set as the process starts), so start-up and reading input count.
   */
  static sinceProcessStart(seconds: number): Budget {
    return new Budget(seconds, Infinity, { origin: 0 });
  }

  /** Seconds since the budget's origin. */
  elapsed(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** Seconds left (never negative). */
  remaining(): number {
    return Math.max(0, this.timeLimit - this.elapsed());
  }

  /** 'time' or 'count' once a limit is passed, else null. Running out of time is remembered. */
  exceeded(count = 0): 'time' | 'count' | null {
    if (count > this.maxCount) return 'count';
    if (this.elapsed() > this.timeLimit) {
      this.markStopped();
      return 'time';
    }
    return null;
  }

  /** A child budget with `fraction` (0 … 1) of the time that remains now, and its own count limit. */
  share(fraction: number, maxCount = Infinity): Budget {
    const f = Math.max(0, Math.min(1, fraction));
    return new Budget(f === 0 ? 0 : f * this.remaining(), maxCount, { parent: this }); // 0·∞ would be NaN
  }

  /** A child budget of at most `seconds` (less if less remains). */
  within(seconds: number, maxCount = Infinity): Budget {
    return new Budget(Math.min(Math.max(0, seconds), this.remaining()), maxCount, { parent: this });
  }

  /** True if a step estimated to take `seconds` fits in what remains. */
  fits(seconds: number): boolean {
    return seconds <= this.remaining();
  }

  /** Records that a step was left out because it would not fit, or cut short by its share (counts as stopping on time). */
  skip(step: string): void {
    if (!this.skippedSteps.includes(step)) this.skippedSteps.push(step);
    this.parent?.skip(step);
    this.markStopped();
  }

  /** True once this budget or a child ran out of time, or a step was skipped to keep the limit. */
  get stoppedOnTime(): boolean {
    return this.ranOut;
  }

  /** The steps skipped or cut short (here or in a child) to keep the limit. */
  get skipped(): readonly string[] {
    return this.skippedSteps;
  }

  private markStopped(): void {
    for (let b: Budget | null = this; b && !b.ranOut; b = b.parent) b.ranOut = true;
  }
}

/** Runs f and returns its value with the seconds it took. */
export function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, (performance.now() - t0) / 1000];
}
