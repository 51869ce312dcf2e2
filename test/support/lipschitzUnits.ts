import { afterEach, vi } from 'vitest';
import type { Norm } from '../../src/linalg/norms.js';
import { Budget } from '../../src/lipschitz/budget.js';
import { secondsPerFlop } from '../../src/lipschitz/costs.js';
import type { Box, LipschitzQuery } from '../../src/lipschitz/query.js';
import { denseLayer, makeNetwork, type DenseLayer, type Network } from '../../src/network/network.js';
import type { RandomStream } from '../../src/random/stream.js';

/**
 * Shared helpers of the unit tests of src/lipschitz's top level (bounds, verify, brackets, costs,
 * upperStages, query): hand-built and random tiny networks, boxes, and clocks that make a Budget
 * independent of the machine's speed.
 */

/** A network from nested arrays: `layers` are [weights rows, biases] from the first hidden layer to the output. */
export function net(inputDim: number, ...layers: readonly (readonly [readonly (readonly number[])[], readonly number[]])[]): Network {
  return makeNetwork(inputDim, layers.map(([w, b]) => denseLayer(w, b)));
}

/** A network with standard normal weights and `biasScale`·N(0, 1) biases: d inputs, hidden `widths`, `k` outputs. */
export function randomNet(s: RandomStream, d: number, widths: readonly number[], k = 1, biasScale = 1): Network {
  const dims = [d, ...widths, k];
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const [inDim, outDim] = [dims[l], dims[l + 1]];
    layers.push({ inDim, outDim, weights: Float64Array.from({ length: inDim * outDim }, () => s.gaussian()), biases: Float64Array.from({ length: outDim }, () => biasScale * s.gaussian()) });
  }
  return makeNetwork(d, layers);
}

/** The box lo ≤ x ≤ hi. */
export const box = (lo: readonly number[], hi: readonly number[]): Box => ({ lo: Float64Array.from(lo), hi: Float64Array.from(hi) });

/** A budget whose time ran out a second ago (real or controlled clock alike). */
export const spent = (): Budget => new Budget(0, Infinity, { origin: performance.now() - 1000 });

let nextStart = 2 ** 33;

/** One step of `tickingClock` that keeps its sums exact: 2⁻¹⁰ ms (about 1 µs). */
export const TICK = 2 ** -10;

/**
 * A deterministic clock for code that takes a Budget: `performance.now()` advances by `msPerRead`
 * milliseconds at every read (and by `advance`), so a budget of T seconds lasts T·1000/msPerRead
 * reads whatever the machine's speed or load; with 0 it stands still (time then passes only by
 * `advance`). It starts at `startMs`, by default further on than every earlier clock (by 2³⁰ ms), so
 * that the rate costs.ts caches is measured afresh, on this clock, at the first estimate: at most
 * 2⁻¹⁰ ms per read, the measured rate is the floor of 1e-11 s per multiply-add. Dyadic steps keep
 * the clock's sums exact. Call `restore()` in afterEach.
 */
export function tickingClock(msPerRead: number, startMs = (nextStart += 2 ** 30)): { readonly reads: () => number; advance: (seconds: number) => void; restore: () => void } {
  let t = startMs;
  let reads = 0;
  const spy = vi.spyOn(performance, 'now').mockImplementation(() => {
    reads++;
    t += msPerRead;
    return t;
  });
  return {
    reads: () => reads,
    advance: (seconds: number) => {
      t += seconds * 1000;
    },
    restore: () => spy.mockRestore(),
  };
}

/**
 * A `tickingClock` of `msPerRead` on a machine that seems fast to it: the rate costs.ts caches is
 * measured first on a clock of 2⁻²⁰ ms per read (the floor, 1e-11 s per multiply-add), then this clock
 * continues from there, so for its first 10 s (the rate's lifetime) every estimated step is about a
 * read or less. For code whose solver keeps its own wall-clock limit (HiGHS): a budget of a few
 * seconds lasts few reads (the searches stay short) while the limits handed to the solver are real
 * seconds.
 */
export function fastMachineClock(msPerRead: number): ReturnType<typeof tickingClock> {
  const measuring = tickingClock(2 ** -20);
  secondsPerFlop();
  const now = performance.now();
  measuring.restore();
  return tickingClock(msPerRead, now);
}

/**
 * x₁ + relu(x₂) written as relu(x₁) − relu(−x₁) + relu(x₂), a cancelling pair: its regions have the
 * gradients (1, 0) and (1, 1), so Lip₂ = √2, Lip₁ = max ‖g‖_∞ = 1 and Lip_∞ = max ‖g‖₁ = 2, while the
 * pattern (1, 1, ·), realised nowhere, makes every pattern-agnostic bound loose (interval: √5).
 */
export const CANCELLING = net(2, [[[1, 0], [-1, 0], [0, 1]], [0, 0, 0]], [[[1, -1, 1]], [0]]);
export const CANCELLING_LIP = { '2': Math.SQRT2, '1': 1, inf: 2 } as const;

/**
 * For a test file whose tests start a `tickingClock`: returns `start(msPerRead = TICK)`, and restores
 * the real clock after each test.
 */
export function clockPerTest(): (msPerRead?: number) => ReturnType<typeof tickingClock> {
  let clock: ReturnType<typeof tickingClock> | null = null;
  afterEach(() => {
    clock?.restore();
    clock = null;
  });
  return (msPerRead = TICK) => {
    clock?.restore();
    return (clock = tickingClock(msPerRead));
  };
}

/** The query for the global constant in norm p. */
export const globalQuery = (norm: Norm): LipschitzQuery => ({ norm, box: null });

/** A branch-and-bound progress callback that moves `clock` 10⁴ s on once `count` nodes (or cells) are reached: the search stops there on time. */
export const stopAt = (clock: { advance: (s: number) => void }, count: number) => (_upper: number, _lower: number, n: number) => n >= count && clock.advance(1e4);

/**
 * A branch-and-bound `lower` callback that returns `value` and, at its first call (while the first
 * facet or cell is evaluated), moves the clock past a 10 s budget with `advance(seconds)`.
 */
export function jumpAtFirstPoll(advance: (seconds: number) => void, value: number): () => number {
  let polled = 0;
  return () => {
    if (++polled === 1) advance(11);
    return value;
  };
}
