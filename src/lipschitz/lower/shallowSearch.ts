import { dualNorm, type Norm } from '../../linalg/norms.js';
import { cholesky, choleskySolveInPlace } from '../../linalg/cholesky.js';
import { transpose, type Mat } from '../../linalg/mat.js';
import { gramMatrix } from '../../linalg/rowCombinations.js';
import type { Network } from '../../network/network.js';
import { createStream, type RandomStream, type Seed } from '../../random/stream.js';
import { better, NO_WITNESS, witnessAt, type Witness } from './witness.js';

/**
 * Certified lower bounds for scalar networks with one hidden layer, f(x) = Σ_j v_j ρ(w_j·x + b_j) + c,
 * at O(N·d) per step — what the theorem tests need at d in the hundreds, where a region-crossing
 * climb (an LP per step) is out of reach. In a region with active set S the gradient is
 * g = Σ_{j∈S} h_j, h_j = v_j w_j, and Lip_p = max over realisable S of ‖g‖_{p′}.
 *
 * - `patternAscent` works on the patterns directly: ‖Hσ‖_{p′} = max_{‖u‖_p ≤ 1} u·Hσ, and for a
 *   fixed u the best σ is σ_j = 1{u·h_j > 0}, for a fixed σ the best u is the dual vector of Hσ;
 *   alternating the two never decreases the value. The best patterns are then realised by a point:
 *   for N ≤ d hyperplanes in general position every pattern is realisable, and x = Wᵀy with
 *   (WWᵀ)y = τ·s − b (s = 2σ − 1) puts every pre-activation at ±τ. For N > d the least-squares
 *   point realises a nearby pattern; either way the witness's own gradient is what counts.
 * - `shallowLineAscent` climbs in x: along the dual direction u of the current gradient, the
 *   restriction t ↦ x + t·u crosses each hyperplane once, so every region on the line is visited
 *   in order by adding or removing one h_j at a time (O(d) per region), and the climb moves to the
 *   best region's midpoint while that beats the current value.
 *
 * Every returned value is a `witnessAt` value: the Jacobian norm at a point strictly inside a
 * region (kink margin checked), recomputable by anyone. The effort is set by counts, not time, so
 * the result depends on the network and the seed only.
 */

/** The scalar one-hidden-layer networks these searches apply to. */
export function isShallowScalar(net: Network): boolean {
  return net.layers.length === 2 && net.layers[1].outDim === 1;
}

/** The columns h_j = v_j·w_j as rows of an N × d array. */
function gradientAtoms(net: Network): Float64Array {
  const d = net.inputDim;
  const [hidden, output] = net.layers;
  const H = new Float64Array(hidden.outDim * d);
  for (let j = 0; j < hidden.outDim; j++) for (let k = 0; k < d; k++) H[j * d + k] = output.weights[j] * hidden.weights[j * d + k];
  return H;
}

/** A unit vector u (in the query norm p) with u·g = ‖g‖_{p′}: the direction a norm-p step gains most along. */
export function dualDirection(g: Float64Array, norm: Norm): Float64Array {
  const u = new Float64Array(g.length);
  if (norm === 'inf') {
    for (let k = 0; k < g.length; k++) u[k] = g[k] >= 0 ? 1 : -1;
  } else if (norm === '1') {
    let best = 0;
    for (let k = 1; k < g.length; k++) if (Math.abs(g[k]) > Math.abs(g[best])) best = k;
    u[best] = g[best] >= 0 ? 1 : -1;
  } else {
    let s = 0;
    for (const v of g) s += v * v;
    const n = Math.sqrt(s);
    for (let k = 0; k < g.length; k++) u[k] = n > 0 ? g[k] / n : k === 0 ? 1 : 0;
  }
  return u;
}

/** A hidden-layer activation pattern and its value (an estimate of its Jacobian norm). */
export interface PatternValue {
  readonly sigma: Uint8Array;
  readonly value: number;
}

/** Alternating maximisation of u·Hσ from one start direction; returns the pattern it settles on. */
function alternate(H: Float64Array, N: number, d: number, norm: Norm, start: Float64Array): PatternValue {
  let u = start;
  // Stryker disable next-line ObjectLiteral,UnaryOperator: overwritten at step 0 (the break below needs step > 0), so the initial value is never read
  let best: PatternValue = { sigma: new Uint8Array(N), value: -Infinity };
  for (let step = 0; step < 200; step++) {
    const sigma = new Uint8Array(N);
    const g = new Float64Array(d);
    for (let j = 0; j < N; j++) {
      let p = 0;
      for (let k = 0; k < d; k++) p += H[j * d + k] * u[k];
      if (p > 0) {
        sigma[j] = 1;
        for (let k = 0; k < d; k++) g[k] += H[j * d + k];
      }
    }
    const value = dualNorm(g, norm);
    if (!(value > best.value * (1 + 1e-12)) && step > 0) break;
    best = { sigma, value };
    u = dualDirection(g, norm);
  }
  return best;
}

/** Start directions: ±e_k for p = 1 (where they are the optimal duals), then seeded random ones. */
function startDirections(d: number, norm: Norm, count: number, stream: RandomStream): Float64Array[] {
  const out: Float64Array[] = [];
  if (norm === '1') {
    for (let k = 0; k < d; k++) {
      for (const s of [1, -1]) {
        const e = new Float64Array(d);
        e[k] = s;
        out.push(e);
      }
    }
  }
  for (let i = 0; i < count; i++) {
    out.push(norm === 'inf' ? Float64Array.from({ length: d }, () => (stream.uniform() < 0.5 ? -1 : 1)) : Float64Array.from({ length: d }, () => stream.gaussian()));
  }
  return out;
}

/**
 * A point whose activation pattern is σ when the hidden hyperplanes are in general position and
 * N ≤ d (every pre-activation at ±τ, τ above every |b_j|), else the least-squares compromise; null
 * if the system is singular. One call of `patternRealiser`.
 */
export function realisePattern(net: Network, sigma: Uint8Array): Float64Array | null {
  return patternRealiser(net)(sigma);
}

/**
 * `realisePattern` for many patterns of one network: the Gram matrix (WWᵀ for N ≤ d, else WᵀW) and
 * its Cholesky factor are computed once, here; each pattern then costs one solve.
 */
export function patternRealiser(net: Network): (sigma: Uint8Array) => Float64Array | null {
  const d = net.inputDim;
  const hidden = net.layers[0];
  const N = hidden.outDim;
  const W = hidden.weights;
  const b = hidden.biases;
  let tau = 1;
  for (const v of b) tau = Math.max(tau, 2 * Math.abs(v));
  const byRows = N <= d; // x = Wᵀy with (WWᵀ)y = target: the smallest x with Wx = target
  // WWᵀ for N ≤ d (x = Wᵀy, (WWᵀ)y = target), else WᵀW (least squares: (WᵀW)x = Wᵀ·target).
  const Wm: Mat = { rows: N, cols: d, data: W };
  const factor = cholesky(gramMatrix(byRows ? transpose(Wm) : Wm)!, byRows ? N : d);
  return (sigma) => {
    if (!factor) return null;
    // Stryker disable next-line ArithmeticOperator: τ/(±1) equals τ·(±1) exactly in floating point
    const target = Float64Array.from({ length: N }, (_, j) => tau * (sigma[j] ? 1 : -1) - b[j]);
    if (byRows) choleskySolveInPlace(factor, N, target);
    const x = new Float64Array(d); // Wᵀ·(y or target)
    for (let j = 0; j < N; j++) for (let k = 0; k < d; k++) x[k] += W[j * d + k] * target[j];
    if (!byRows) choleskySolveInPlace(factor, d, x);
    return x.every(Number.isFinite) ? x : null;
  };
}

export interface PatternAscentOptions {
  /** Random start directions (p = 1 adds the 2d coordinate directions, which are exact for it). */
  readonly starts: number;
  readonly seed: Seed;
  /** Best distinct patterns realised as witnesses (default 4). */
  readonly realise?: number;
}

export interface PatternAscentResult {
  /** The best realised witness (NO_WITNESS if none could be realised). */
  readonly witness: Witness;
  /** The best pattern value found, realised or not (an upper estimate of what realising can give). */
  readonly patternValue: number;
}

/** Realisable-pattern search (see the module comment); the network must be shallow and scalar. */
export function patternAscent(net: Network, norm: Norm, options: PatternAscentOptions): PatternAscentResult {
  if (!isShallowScalar(net)) throw new Error('patternAscent: needs a scalar network with one hidden layer');
  const d = net.inputDim;
  const N = net.layers[0].outDim;
  const H = gradientAtoms(net);
  const stream = createStream(options.seed, 'lower/pattern-ascent');
  const found: PatternValue[] = startDirections(d, norm, options.starts, stream).map((u) => alternate(H, N, d, norm, u));
  return realiseBest(net, norm, found, options.realise ?? 4);
}

/**
 * The best of `found` (hidden-layer patterns with their values) as witnesses: the `count` best
 * distinct patterns realised by `realisePattern` and re-checked by `witnessAt`; and the best value.
 */
export function realiseBest(net: Network, norm: Norm, found: readonly PatternValue[], count: number): PatternAscentResult {
  const sorted = [...found].sort((a, b) => b.value - a.value);
  const distinct: PatternValue[] = [];
  for (const f of sorted) {
    if (distinct.length >= count) break;
    if (!distinct.some((g) => g.sigma.every((s, j) => s === f.sigma[j]))) distinct.push(f);
  }
  let witness = NO_WITNESS;
  const realise = distinct.length > 0 ? patternRealiser(net) : () => null;
  for (const f of distinct) {
    const x = realise(f.sigma);
    if (x) witness = better(witness, witnessAt(net, x, norm));
  }
  return { witness, patternValue: sorted.length > 0 ? sorted[0].value : -Infinity };
}

/**
 * The best region on the line x + t·u by an ordered sweep of its breakpoints: returns a point
 * inside the best region (the midpoint of a bounded one, a unit step past the last breakpoint of
 * an unbounded one) and the region's gradient norm computed incrementally (re-checked by the caller).
 */
function bestOnLine(net: Network, H: Float64Array, x: Float64Array, u: Float64Array, norm: Norm): { t: number; value: number } {
  const d = net.inputDim;
  const hidden = net.layers[0];
  const N = hidden.outDim;
  const crossings: { t: number; j: number; on: boolean }[] = [];
  const g = new Float64Array(d);
  for (let j = 0; j < N; j++) {
    let z = hidden.biases[j];
    let a = 0;
    for (let k = 0; k < d; k++) {
      z += hidden.weights[j * d + k] * x[k];
      a += hidden.weights[j * d + k] * u[k];
    }
    // At t = −∞ the neuron is on iff a < 0 (or a = 0 and z > 0); it switches once, at −z/a.
    const onAtStart = a < 0 || (a === 0 && z > 0);
    if (onAtStart) for (let k = 0; k < d; k++) g[k] += H[j * d + k];
    if (a !== 0) crossings.push({ t: -z / a, j, on: a > 0 });
  }
  crossings.sort((p, q) => p.t - q.t);
  const pointIn = (i: number): number => {
    // Region i lies between crossing i − 1 and crossing i (i = 0: before the first; i = n: after the last).
    const n = crossings.length;
    if (n === 0) return 0;
    if (i === 0) return crossings[0].t - Math.max(1, Math.abs(crossings[0].t));
    if (i === n) return crossings[n - 1].t + Math.max(1, Math.abs(crossings[n - 1].t));
    return 0.5 * (crossings[i - 1].t + crossings[i].t);
  };
  let best = { region: 0, value: dualNorm(g, norm) };
  for (let i = 0; i < crossings.length; i++) {
    const { j, on } = crossings[i];
    for (let k = 0; k < d; k++) g[k] += on ? H[j * d + k] : -H[j * d + k];
    const next = crossings[i + 1];
    if (next && next.t === crossings[i].t) continue; // an empty region between equal breakpoints
    const value = dualNorm(g, norm);
    if (value > best.value) best = { region: i + 1, value };
  }
  return { t: pointIn(best.region), value: best.value };
}

export interface LineAscentOptions {
  /** Line steps per start at most (default 50). */
  readonly maxSteps?: number;
  /** Extra random directions tried when the gradient's own line gains nothing (default 2). */
  readonly randomDirections?: number;
  readonly seed: Seed;
}

/**
 * From each start, repeated exact line searches along the dual direction of the current gradient
 * (then a few seeded random directions), moving while the witness value increases. Returns the best
 * witness over all starts (never below the best start).
 */
export function shallowLineAscent(net: Network, norm: Norm, starts: readonly Witness[], options: LineAscentOptions): Witness {
  if (!isShallowScalar(net)) throw new Error('shallowLineAscent: needs a scalar network with one hidden layer');
  const d = net.inputDim;
  const H = gradientAtoms(net);
  const stream = createStream(options.seed, 'lower/shallow-line-ascent');
  const maxSteps = options.maxSteps ?? 50;
  const extra = options.randomDirections ?? 2;
  let best = NO_WITNESS;
  for (const start of starts) {
    let w = start;
    for (let step = 0; step < maxSteps; step++) {
      const g = new Float64Array(d);
      const hidden = net.layers[0];
      for (let j = 0; j < hidden.outDim; j++) {
        let z = hidden.biases[j];
        for (let k = 0; k < d; k++) z += hidden.weights[j * d + k] * w.x[k];
        if (z > 0) for (let k = 0; k < d; k++) g[k] += H[j * d + k];
      }
      const directions = [dualDirection(g, norm), ...Array.from({ length: extra }, () => Float64Array.from({ length: d }, () => stream.gaussian()))];
      let moved = false;
      for (const u of directions) {
        const line = bestOnLine(net, H, w.x, u, norm);
        if (!(line.value > w.value * (1 + 1e-12))) continue;
        const candidate = witnessAt(net, Float64Array.from(w.x, (xk, k) => xk + line.t * u[k]), norm);
        if (candidate.value > w.value * (1 + 1e-12)) {
          w = candidate;
          moved = true;
          break;
        }
      }
      if (!moved) break;
    }
    best = better(best, w);
  }
  return best;
}
