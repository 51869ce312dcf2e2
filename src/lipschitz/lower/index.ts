import type { Network } from '../../network/network.js';
import { jacobian } from '../../network/evaluate.js';
import { createStream, type Seed } from '../../random/stream.js';
import { Budget } from '../budget.js';
import type { LipschitzQuery } from '../query.js';
import { climb } from './localSearch.js';
import { lineSearch } from './lineSearch.js';
import { sampleCandidates } from './sampling.js';
import { better, NO_WITNESS, type Witness } from './witness.js';

export type { Witness } from './witness.js';
export { witnessAt } from './witness.js';

export interface LowerBoundOptions {
  /** Seconds to spend (the search is anytime: it stops at the limit with the best so far). */
  readonly timeLimit: number;
  /** A budget to spend instead of `timeLimit` (e.g. a share of a caller's). */
  readonly budget?: Budget;
  /**
   * Stop after this many climbs instead (with timeLimit Infinity): the result then depends only on
   * the seed, not on the machine's speed — what reproducible statistical tests need.
   */
  readonly maxRestarts?: number;
  readonly seed?: Seed;
  /** Stop as soon as a witness exceeds this value (used to refute a claimed upper bound). */
  readonly stopAbove?: number;
  /** Called with the best value so far and the fraction of the time used. */
  readonly onProgress?: (best: number, fraction: number) => void;
}

export interface LowerBoundResult {
  /** The best witness: x strictly inside a region, value = ‖J_f(x)‖_{p→p}. */
  readonly witness: Witness;
  /** The best value each strategy reached on its own. */
  readonly methods: { readonly sampling: number; readonly localSearch: number; readonly lineSearch: number };
  readonly seconds: number;
  readonly restarts: number;
}

/**
 * Directions for line searches through x, none of them zero: the one the first output's gradient g
 * favours for the norm (u with g·u = ‖g‖_{p′}‖u‖_p: g itself for p = 2, its signs for ∞, the axis of
 * its largest entry for 1, the first on a tie), then two Gaussian ones drawn from `stream`.
 */
export function lineDirections(net: Network, query: LipschitzQuery, x: Float64Array, stream: ReturnType<typeof createStream>): Float64Array[] {
  const d = net.inputDim;
  const J = jacobian(net, x);
  const g = J.data.subarray(0, d); // the first output's gradient
  const dirs: Float64Array[] = [];
  if (query.norm === '2') dirs.push(g);
  else if (query.norm === 'inf') dirs.push(Float64Array.from(g, (v) => Math.sign(v)));
  else {
    // A loop, not Math.max(...): spreading d arguments overflows the stack for d in the hundreds of thousands.
    let best = 0;
    for (let j = 1; j < d; j++) if (Math.abs(g[j]) > Math.abs(g[best])) best = j;
    const e = new Float64Array(d);
    e[best] = 1;
    dirs.push(e);
  }
  for (let r = 0; r < 2; r++) dirs.push(Float64Array.from({ length: d }, () => stream.gaussian()));
  return dirs.filter((u) => u.some((v) => v !== 0));
}

/** Share of the remaining time that one round of sampling may take (the climbs get the rest). */
const SAMPLING_SHARE = 0.4;

/**
 * The best certified lower bound found within the time limit: random points at several radii
 * (or uniform in the box), then from the best of them local searches across regions and exact line
 * searches, restarting from fresh samples while time remains. Deterministic for a given seed up to
 * where the time limit cuts it. Every step checks the budget (sampling per chunk, climbing per step
 * and per few candidates) or is skipped when its estimated cost does not fit.
 */
export function lowerBound(net: Network, query: LipschitzQuery, options: LowerBoundOptions): LowerBoundResult {
  const budget = options.budget ?? new Budget(options.timeLimit);
  const seed = options.seed ?? 0;
  const stream = createStream(seed, 'lower/lines');
  let restarts = 0;
  const done = (w: Witness) => w.value > (options.stopAbove ?? Infinity) || restarts >= (options.maxRestarts ?? Infinity);
  let best: Witness = NO_WITNESS;
  const methods = { sampling: -Infinity, localSearch: -Infinity, lineSearch: -Infinity };
  for (let round = 0; ; round++) {
    const samples = sampleCandidates(net, query, round === 0 ? 4096 : 1024, `${seed}:${round}`, 8, budget.share(SAMPLING_SHARE));
    for (const s of samples) {
      methods.sampling = Math.max(methods.sampling, s.value);
      best = better(best, s);
    }
    options.onProgress?.(best.value, budget.elapsed() / budget.timeLimit);
    for (const start of samples.slice(0, round === 0 ? 4 : 2)) {
      if (done(best) || budget.exceeded()) break;
      restarts++;
      let w = climb(net, query, start, budget);
      methods.localSearch = Math.max(methods.localSearch, w.value);
      // Line searches through the local maximum; climb again from any improvement.
      for (let pass = 0; pass < 3 && !budget.exceeded(); pass++) {
        let improved = false;
        for (const u of lineDirections(net, query, w.x, stream)) {
          const l = lineSearch(net, query, w.x, u, budget);
          methods.lineSearch = Math.max(methods.lineSearch, l.value);
          if (l.value > w.value * (1 + 1e-12)) {
            w = climb(net, query, l, budget);
            methods.localSearch = Math.max(methods.localSearch, w.value);
            improved = true;
          }
        }
        if (!improved) break;
      }
      best = better(best, w);
      options.onProgress?.(best.value, budget.elapsed() / budget.timeLimit);
    }
    if (done(best) || budget.exceeded()) break;
  }
  return { witness: best, methods, seconds: budget.elapsed(), restarts };
}
