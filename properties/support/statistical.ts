import { chooseSeed, replayCommand, runsScale } from './runner.js';

/**
 * A statistical property: a test statistic computed from random draws with a seed, compared with
 * a threshold whose false-failure probability is stated. The seed is fixed by default (CI sees
 * one deterministic outcome), LIPCHECK_FRESH_SEEDS=1 draws a fresh one, LIPCHECK_SEED replays one;
 * LIPCHECK_RUNS_SCALE multiplies the number of draws. A failure names the seed and the replay line.
 */
export interface StatisticalOptions {
  /** Fixed default seed. */
  readonly seed: number;
  /** The probability that the check fails although the property holds (stated beside the test). */
  readonly falseFailure: number;
  readonly file: string;
  readonly name: string;
}

/** Draw counts scaled by LIPCHECK_RUNS_SCALE. */
export function draws(n: number): number {
  return Math.max(1, Math.round(n * runsScale()));
}

/**
 * Runs `body(seed)`; it returns a verdict. On failure throws with the seed, the statistic, the
 * stated false-failure probability and the replay command.
 */
export function statistical(options: StatisticalOptions, body: (seed: number) => { ok: boolean; detail: string }): void;
export function statistical(options: StatisticalOptions, body: (seed: number) => Promise<{ ok: boolean; detail: string }>): Promise<void>;
export function statistical(options: StatisticalOptions, body: (seed: number) => { ok: boolean; detail: string } | Promise<{ ok: boolean; detail: string }>): void | Promise<void> {
  const seed = chooseSeed(options.seed);
  const check = (verdict: { ok: boolean; detail: string }) => {
    if (!verdict.ok) {
      throw new Error(
        `statistical property failed — seed ${seed} (false-failure probability ${options.falseFailure})\n${verdict.detail}\n` +
          `replay: ${replayCommand(options.file, options.name, seed)}`,
      );
    }
  };
  const v = body(seed);
  if (v instanceof Promise) return v.then(check);
  check(v);
}
