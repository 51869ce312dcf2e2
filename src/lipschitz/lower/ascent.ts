import { symmetricEigen } from '../../linalg/jacobi.js';
import { vectorNorm, type Norm } from '../../linalg/norms.js';
import { outputDim, type Network } from '../../network/network.js';
import type { Seed } from '../../random/stream.js';
import { Budget } from '../budget.js';
import type { Box, LipschitzQuery } from '../query.js';
import { interiorMargin, randomPoints, rankingEngines, rankPoints, type Engines } from './candidates.js';
import { lineRegions } from './lineSlopes.js';
import { smoothedAscentDirection } from './smoothedSlope.js';
import { better, NO_WITNESS, witnessAt, type Witness } from './witness.js';

/**
 * Many-start ascent on x ↦ ‖J_f(x)‖_{p→p} whose steps cost O(parameters), not O(d·parameters):
 * no LP, no piece maps. At x with Jacobian J the norm is attained in an input direction u and an
 * output combination c: cᵀJu = ‖J‖ with ‖u‖_p = ‖c‖_{p′} = 1 (`ascentDirection`). Each step
 * evaluates, in one batch on the gradient kernel, the exact norm at a few points of two lines
 * through x, and moves to the best point only if its norm is larger — so the norm never decreases:
 *
 * 1. The line along u. The slope of t ↦ cᵀf(x + t·u) on a region R′ it crosses is
 *    cᵀJ_{R′}u ≤ ‖J_{R′}‖ (Hölder), and at t = 0 it is ‖J‖; so the region of largest slope has a
 *    norm ≥ ‖J‖. An event-driven sweep (`lineRegions`, about (regions on the line) × (neurons))
 *    finds the regions of largest slope; kinks are crossed by the sweep, not by gradients.
 * 2. The line along the gradient of a smoothed norm (`smoothedAscentDirection`: ReLU replaced by a
 *    softplus of temperature τ, cost ≈ 6 × parameters): it points across the nearby kinks whose
 *    switching raises the norm. Regions at growing distances ahead on it are evaluated. When a
 *    step finds nothing better, τ is lowered (the direction then looks at nearer kinks); the climb
 *    ends after the lowest.
 *
 * On a box the lines become paths projected onto the box (coordinates stop at their faces), sampled
 * at geometrically spaced t up to where every coordinate has reached its face.
 *
 * Witnesses: every point a climb stands on passes `interiorMargin`, a one-pass test that implies
 * `witnessAt`'s kink-margin test; the best climb end is re-checked by `witnessAt` at the end (the
 * first climb's end is re-checked at once, to time it: the climbs keep 1.25 times that in hand;
 * with today's O(d·parameters) kink-margin test this is seconds at d = 784).
 */

export interface AscentOptions {
  readonly budget: Budget;
  readonly seed?: Seed;
  /** Climbs to run at most (default: until the budget runs out). */
  readonly starts?: number;
  /** Stop as soon as a witness exceeds this value. */
  readonly stopAbove?: number;
  /** Random points screened per climb: each climb starts at the best of its share (default 64). */
  readonly screen?: number;
  /** Regions of largest slope on each line evaluated in full (default 4). */
  readonly candidates?: number;
  /**
   * Temperatures of the smoothed search direction (`smoothedAscentDirection`), tried in turn: a climb
   * moves to the next when a step at the current one finds nothing better, and ends after the last
   * (default 0.3, 0.1, 0.03). Empty: the slope line alone.
   */
  readonly temperatures?: readonly number[];
  /**
   * Arithmetic of the ranking of candidates: 'float32' (default) ranks them with the float32 kernel
   * and re-evaluates the best few in float64 (float64 throughout when a weight or bias is beyond
   * 1e±18, where float32 would overflow or flush); 'float64' evaluates every candidate in float64.
   * Either way every value a climb stands on, and the witness, is float64.
   */
  readonly precision?: 'float32' | 'float64';
  /** Called with every value a climb reaches, its start included (for tracing and tests). */
  readonly onStep?: (climb: number, value: number) => void;
}

export interface AscentResult {
  /** The best witness: x strictly inside a region (re-checked by `witnessAt`), value = ‖J_f(x)‖. */
  readonly witness: Witness;
  /** Climbs run. */
  readonly climbs: number;
  /** Steps taken over all climbs (each increased the norm). */
  readonly steps: number;
  /** Jacobians computed (screening and candidates). */
  readonly evaluations: number;
  readonly seconds: number;
}

/** Climbs started from the best points of each round's screening. */
const CLIMBS_PER_ROUND = 8;
/** Points on a box path: t_max·2^−i for i < PATH_POINTS. */
const PATH_POINTS = 8;
const DEFAULT_TEMPERATURES = [0.3, 0.1, 0.03];
/** Relative margin of `witnessAt` (kinkMargin > 1e-10). */
const MARGIN = 1e-10;
/** Candidates re-evaluated in float64 per batch ranked in float32. */
const CONFIRMED = 3;

/**
 * The many-start ascent: rounds of random points (Gaussian at spread radii on ℝᵈ as `lowerBound`'s
 * sampling does, uniform in a box), screened on the gradient kernel; a climb from each of the best.
 * Anytime: stops when the budget is exceeded (checked before every step), after `starts` climbs,
 * or above `stopAbove`; deterministic for a seed up to where the budget cuts it. The witness is
 * NO_WITNESS (value −Infinity) only if nothing could be evaluated.
 */
export function ascentLowerBound(net: Network, query: LipschitzQuery, options: AscentOptions): AscentResult {
  const { budget } = options;
  const seed = options.seed ?? 0;
  const screen = Math.max(1, options.screen ?? 64);
  // Stryker disable next-line ArithmeticOperator: the batch size only picks the engine, and every engine gives the same numbers
  const engines = rankingEngines(net, CLIMBS_PER_ROUND * screen, options.precision);
  const counts = { climbs: 0, steps: 0, evaluations: 0 };
  const ends: Witness[] = [];
  // The climbs' budget keeps 1.25 times the first re-check's time in hand for the final one.
  let climbing = budget;
  let checked = NO_WITNESS;
  const done = () =>
    climbing.exceeded() !== null ||
    counts.climbs >= (options.starts ?? Infinity) ||
    ends.some((w) => w.value > (options.stopAbove ?? Infinity));
  try {
    for (let round = 0; !done(); round++) {
      const starts = screenStarts(net, query, engines, CLIMBS_PER_ROUND * screen, CLIMBS_PER_ROUND, `${seed}:${round}`);
      counts.evaluations += CLIMBS_PER_ROUND * screen;
      if (starts.length === 0 && round > 3) break; // every point on a kink: nothing to climb from
      for (const start of starts) {
        if (done()) break;
        const climbIndex = counts.climbs++;
        const result = climbNorm(net, query, start, engines, climbing, {
          candidates: options.candidates,
          temperatures: options.temperatures,
          onStep: options.onStep && ((v) => options.onStep!(climbIndex, v)),
        });
        counts.steps += result.steps;
        counts.evaluations += result.evaluations;
        ends.push(result.witness);
        if (climbing === budget) {
          const t0 = performance.now();
          checked = witnessAt(net, result.witness.x, query.norm);
          climbing = new Budget(Math.max(0, budget.remaining() - (1.25 * (performance.now() - t0)) / 1000));
        }
      }
    }
  } finally {
    engines.exact.close();
    engines.rank.close();
  }
  // The best end, re-checked (should it fail, the next best): every end passed `interiorMargin`,
  // which implies witnessAt's test, so this is one call.
  for (const end of ends.sort((a, b) => b.value - a.value)) {
    if (end.value <= checked.value) break;
    const w = witnessAt(net, end.x, query.norm);
    if (w.value > -Infinity) {
      checked = better(checked, w);
      break;
    }
  }
  return { witness: checked, ...counts, seconds: budget.elapsed() };
}

export interface ClimbResult {
  /** The end of the climb: passes `interiorMargin` (if the start did), not yet re-checked by `witnessAt`. */
  readonly witness: Witness;
  /** The norm at every point the climb stood on, in order: nondecreasing. */
  readonly values: number[];
  readonly steps: number;
  readonly evaluations: number;
}

/**
 * One climb from `start` (a point whose norm is `start.value`, float64): steps as described at the
 * top of this module until a step at the lowest temperature finds nothing better, the budget runs
 * out or `maxSteps` steps were taken.
 */
export function climbNorm(
  net: Network,
  query: LipschitzQuery,
  start: Witness,
  engines: Engines,
  budget: Budget,
  options: { candidates?: number; maxSteps?: number; temperatures?: readonly number[]; onStep?: (value: number) => void } = {},
): ClimbResult {
  const d = net.inputDim;
  const k = outputDim(net);
  const candidates = options.candidates ?? 4;
  const path: Witness[] = [start];
  let evaluations = 0;
  options.onStep?.(start.value);
  let J = engines.exact.jacobians(start.x, 1).jacobians;
  evaluations++;
  const temperatures = options.temperatures ?? DEFAULT_TEMPERATURES;
  let level = 0; // index into temperatures: lowered when a step finds nothing better
  for (let step = 0; step < (options.maxSteps ?? 1000) && net.layers.length > 1 && !budget.exceeded(); step++) {
    const here = path[path.length - 1];
    const direction = ascentDirection(J, k, d, query.norm);
    if (!direction) break;
    const X = searchPoints(net, here.x, query.norm, direction, query.box, candidates, temperatures[level] ?? 0);
    const count = X.length / d;
    const ranked = rankPoints(engines, X, d, query.norm, CONFIRMED);
    evaluations += count + (engines.rank === engines.exact ? 0 : Math.min(count, CONFIRMED));
    const next = ranked.find(({ r, value }) => value > here.value * (1 + 1e-12) && interiorMargin(net, X.subarray(r * d, (r + 1) * d)) > MARGIN);
    if (!next) {
      if (++level >= Math.max(1, temperatures.length)) break;
      continue;
    }
    path.push({ value: next.value, x: X.slice(next.r * d, (next.r + 1) * d) });
    J = next.J;
    options.onStep?.(next.value);
  }
  return { witness: path[path.length - 1], values: path.map((w) => w.value), steps: path.length - 1, evaluations };
}

/** A line direction u (‖u‖_p = 1) and output combination c (‖c‖_{p′} = 1) with cᵀJu = ‖J‖_{p→p}. */
export interface LineDirection {
  readonly u: Float64Array;
  readonly c: Float64Array;
}

/**
 * The direction in which the norm of J (k × d, row-major) is attained: p = 2 the top singular
 * pair (u = ∇f/‖∇f‖ for k = 1), p = ∞ the sign vector of the row of largest ℓ1 norm (c = that
 * output), p = 1 the coordinate of the column of largest ℓ1 norm (c = that column's signs). Null
 * when the norm is 0.
 */
export function ascentDirection(M: Float64Array, k: number, d: number, norm: Norm): LineDirection | null {
  const u = new Float64Array(d);
  const c = new Float64Array(k);
  if (norm === 'inf') {
    let best = 0;
    let row = 0;
    // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
    for (let i = 0; i < k; i++) {
      const s = vectorNorm(M.subarray(i * d, (i + 1) * d), '1');
      if (s > best) [best, row] = [s, i];
    }
    if (!(best > 0)) return null;
    // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
    for (let j = 0; j < d; j++) u[j] = Math.sign(M[row * d + j]);
    c[row] = 1;
    return { u, c };
  }
  if (norm === '1') {
    let best = 0;
    let col = 0;
    // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += Math.abs(M[i * d + j]);
      if (s > best) [best, col] = [s, j];
    }
    if (!(best > 0)) return null;
    u[col] = 1;
    // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
    for (let i = 0; i < k; i++) c[i] = Math.sign(M[i * d + col]);
    return { u, c };
  }
  // Stryker disable next-line ConditionalExpression: for k = 1 the Gram path gives c = (1) too (Jacobi on a 1 × 1 matrix); this saves it
  if (k === 1) c[0] = 1;
  else {
    // The top eigenvector of the Gram matrix J Jᵀ is the top left singular vector.
    const gram = new Float64Array(k * k);
    // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += M[a * d + j] * M[b * d + j];
        gram[a * k + b] = gram[b * k + a] = s;
      }
    }
    const { values, vectors } = symmetricEigen(gram, k);
    const top = values.indexOf(Math.max(...values));
    // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
    for (let i = 0; i < k; i++) c[i] = vectors[i * k + top];
  }
  // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) u[j] += c[i] * M[i * d + j];
  // Stryker disable next-line StringLiteral: vectorNorm's default branch is the 2-norm
  const length = vectorNorm(u, '2');
  if (!(length > 0) || !Number.isFinite(length)) return null;
  // Stryker disable next-line EqualityOperator: the <= mutant reads past a row (undefined: NaN, never chosen) or writes past a typed array (ignored)
  for (let j = 0; j < d; j++) u[j] /= length;
  return { u, c };
}

/** Indices of the regions ahead on the smoothed line that are evaluated: spaced like Fibonacci numbers. */
const AHEAD = [0, 1, 2, 4, 7, 12, 20, 33, 54, 88];

/**
 * The points a step evaluates (rows of the result). On ℝᵈ: on the line along u, the `count` regions
 * of largest slope of cᵀf; on the line along the smoothed direction, the regions AHEAD[i] ahead.
 * On a box: both paths projected onto the box, at PATH_POINTS geometrically spaced times.
 */
function searchPoints(net: Network, x: Float64Array, norm: Norm, direction: LineDirection, box: Box | null, count: number, temperature: number): Float64Array {
  const d = x.length;
  const { u, c } = direction;
  const lines: { v: Float64Array; ts: number[] }[] = [];
  const h = temperature > 0 ? smoothedAscentDirection(net, x, norm, direction, temperature) : null;
  // Stryker disable next-line StringLiteral: vectorNorm's default branch is the 2-norm
  const length = h ? vectorNorm(h, '2') : 0;
  const smoothed = h && length > 0 && Number.isFinite(length) ? h.map((v: number) => v / length) : null;
  if (box) {
    for (const v of smoothed ? [u, smoothed] : [u]) {
      let reach = 0; // the time at which every moving coordinate has reached its face
      for (let j = 0; j < d; j++) if (v[j] !== 0) reach = Math.max(reach, ((v[j] > 0 ? box.hi[j] : box.lo[j]) - x[j]) / v[j]);
      if (reach > 0 && Number.isFinite(reach)) lines.push({ v, ts: Array.from({ length: PATH_POINTS }, (_, i) => reach * 2 ** -i) });
    }
  } else {
    const { ahead, behind } = lineRegions(net, x, u, c, -Infinity, Infinity);
    const steepest = [...ahead, ...behind].sort((a, b) => b.slope - a.slope).slice(0, count);
    lines.push({ v: u, ts: steepest.map((r) => r.t) });
    if (smoothed) {
      const { ahead } = lineRegions(net, x, smoothed, c, -Infinity, Infinity, AHEAD[AHEAD.length - 1] + 1);
      lines.push({ v: smoothed, ts: AHEAD.filter((i) => i < ahead.length).map((i) => ahead[i].t) });
    }
  }
  const X = new Float64Array(lines.reduce((n, line) => n + line.ts.length, 0) * d);
  let r = 0;
  for (const { v, ts } of lines) {
    for (const t of ts) {
      for (let j = 0; j < d; j++) X[r * d + j] = x[j] + t * v[j];
      if (box) clampInside(X.subarray(r * d, (r + 1) * d), box);
      r++;
    }
  }
  return X;
}

/** Clamps a point into the box, a hair (1e-9 of the width) inside each face. */
function clampInside(y: Float64Array, box: Box): void {
  // Stryker disable next-line EqualityOperator: y[length] is past the typed array (reads undefined, write ignored)
  for (let j = 0; j < y.length; j++) {
    const margin = 1e-9 * (box.hi[j] - box.lo[j]);
    y[j] = Math.min(box.hi[j] - margin, Math.max(box.lo[j] + margin, y[j]));
  }
}

/** The `keep` best of `count` random points (`randomPoints`) that pass `interiorMargin`, best first. */
function screenStarts(net: Network, query: LipschitzQuery, engines: Engines, count: number, keep: number, seed: Seed): Witness[] {
  const d = net.inputDim;
  const X = randomPoints(net, query.box, count, seed);
  const ranked = rankPoints(engines, X, d, query.norm, 2 * keep);
  const starts: Witness[] = [];
  for (const { r, value } of ranked) {
    if (starts.length >= keep) break;
    const x = X.slice(r * d, (r + 1) * d);
    if (interiorMargin(net, x) > MARGIN) starts.push({ value, x });
  }
  return starts;
}
