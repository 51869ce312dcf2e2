import { activationPattern } from '../../network/evaluate.js';
import type { Network } from '../../network/network.js';
import { createStream, type Seed } from '../../random/stream.js';
import type { Budget } from '../budget.js';
import { realiseBest, type PatternValue } from './shallowSearch.js';
import type { Witness } from './witness.js';

/**
 * Realisable-pattern search for Lip₂ of networks with one hidden layer and any number k of outputs,
 * f(x) = V ρ(Wx + b) + c. On the region with active set σ the Jacobian is J(σ) = V·diag(σ)·W, so
 *
 *   ‖J(σ)‖₂ = max over unit u ∈ ℝᵈ, v ∈ ℝᵏ of vᵀV diag(σ) W u = Σ_j σ_j (Vᵀv)_j (Wu)_j.
 *
 * For fixed (u, v) the best σ is σ_j = 1{(Vᵀv)_j·(Wu)_j > 0}; for fixed σ power iteration on
 * J(σ)ᵀJ(σ) from the current u raises ‖J(σ)u‖ (the Rayleigh quotient of a positive semidefinite
 * matrix never falls under it), and v = J(σ)u/‖J(σ)u‖. Alternating the two never lowers vᵀJ(σ)u,
 * so each start climbs to a pattern no single switch of σ improves for its (u, v). It is the
 * vector-output, ℓ2 companion of `patternAscent` (shallowSearch.ts, scalar networks, every norm).
 *
 * When N ≤ d and W has full row rank, every pattern is realised by a point (`realisePattern`: every
 * pre-activation at ±τ), so the best pattern is a witness of its exact value: this is where
 * LipSDP's MNIST example (784→50→10) gets its lower bound. For N > d the least-squares point
 * realises a nearby pattern. Either way the reported value is `witnessAt`'s, re-checked at a point
 * strictly inside a region. Global queries only (the points ignore any box). Each step costs
 * O(N·(d + k)); the effort is counted (starts, steps), so the result depends on the seed alone
 * unless the budget runs out first.
 */

/** The one-hidden-layer networks this search applies to. */
export function isShallow(net: Network): boolean {
  return net.layers.length === 2;
}

export interface SpectralPatternOptions {
  /** Random starts, besides the ones from the all-active pattern and from `fromPoints`. */
  readonly starts: number;
  readonly seed: Seed;
  /** Points whose patterns are also climbed from (e.g. the best witnesses of another search). */
  readonly fromPoints?: readonly Float64Array[];
  /** Best distinct patterns realised as witnesses (default 4). */
  readonly realise?: number;
  /**
   * Checked between starts and between the alternations of a climb: the search stops with what it
   * has once this budget runs out (realising the best patterns, N×N solves, comes after it).
   */
  readonly budget?: Budget;
}

export interface SpectralPatternResult {
  /** The best realised witness (NO_WITNESS if none could be realised). */
  readonly witness: Witness;
  /** The best ‖J(σ)‖₂ estimate over the patterns climbed to, realised or not. */
  readonly patternValue: number;
  /** The pattern of `patternValue` (null if nothing was climbed). */
  readonly pattern: Uint8Array | null;
  /** Starts climbed (fewer than asked when the budget ran out). */
  readonly climbs: number;
}

/** Power iterations per pattern (warm-started from the last u, so a few suffice). */
const POWER_STEPS = 12;
/** Alternations per start at most (each changes σ; they stop earlier once σ is fixed). */
const MAX_ALTERNATIONS = 100;

interface Shallow {
  readonly d: number;
  readonly N: number;
  readonly k: number;
  readonly W: Float64Array;
  readonly V: Float64Array;
}

function norm2(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** a = W u. */
function hiddenOf({ d, N, W }: Shallow, u: Float64Array): Float64Array {
  const a = new Float64Array(N);
  // Stryker disable next-line EqualityOperator: one more pass reads past the typed arrays (undefined, so NaN or a skipped σ) and writes nowhere
  for (let j = 0; j < N; j++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += W[j * d + i] * u[i];
    a[j] = s;
  }
  return a;
}

/** y = J(σ) u = V (σ ∘ Wu). */
function applyJ(net: Shallow, sigma: Uint8Array, u: Float64Array): Float64Array {
  const { N, k, V } = net;
  const a = hiddenOf(net, u);
  const y = new Float64Array(k);
  // Stryker disable next-line EqualityOperator: one more pass reads past the typed arrays (undefined, so NaN or a skipped σ) and writes nowhere
  for (let r = 0; r < k; r++) {
    let s = 0;
    // Stryker disable next-line EqualityOperator,AssignmentOperator: σ[N] is undefined (skipped); −J·u instead of J·u flips u and v together, which leaves every value and pattern as it was
    for (let j = 0; j < N; j++) if (sigma[j]) s += V[r * N + j] * a[j];
    y[r] = s;
  }
  return y;
}

/** c = Vᵀy: what each hidden neuron passes back from the outputs. */
function backOf({ N, k, V }: Shallow, y: Float64Array): Float64Array {
  const c = new Float64Array(N);
  for (let r = 0; r < k; r++) {
    const yr = y[r];
    // Stryker disable next-line EqualityOperator: one more pass reads past the typed arrays (undefined, so NaN) and writes nowhere
    for (let j = 0; j < N; j++) c[j] += V[r * N + j] * yr;
  }
  return c;
}

/** u = J(σ)ᵀ y = Wᵀ (σ ∘ Vᵀy). */
function applyJt(net: Shallow, sigma: Uint8Array, y: Float64Array): Float64Array {
  const { d, N, W } = net;
  const c = backOf(net, y);
  const u = new Float64Array(d);
  // Stryker disable next-line EqualityOperator: one more pass reads past the typed arrays (undefined, so NaN or a skipped σ) and writes nowhere
  for (let j = 0; j < N; j++) {
    if (!sigma[j]) continue;
    // Stryker disable next-line ConditionalExpression: speed only (adding 0·W changes nothing)
    if (c[j] === 0) continue;
    // Stryker disable next-line EqualityOperator: one more pass reads past the typed arrays (undefined, so NaN or a skipped σ) and writes nowhere
    for (let i = 0; i < d; i++) u[i] += c[j] * W[j * d + i];
  }
  return u;
}

/** The pattern that is best for (u, v): σ_j = 1{(Vᵀv)_j (Wu)_j > 0}. */
function bestPattern(net: Shallow, u: Float64Array, v: Float64Array): Uint8Array {
  const a = hiddenOf(net, u);
  const c = backOf(net, v);
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: c/a has the sign of c·a, and the two differ only where a product is exactly 0, where either choice of σ_j leaves J(σ)u unchanged
  return Uint8Array.from(c, (cj, j) => (cj * a[j] > 0 ? 1 : 0));
}

/** One climb from a start pattern σ₀ and direction u. */
function climb(net: Shallow, start: { readonly sigma: Uint8Array; readonly u: Float64Array }, budget?: Budget): PatternValue {
  let u = start.u;
  let sigma = start.sigma;
  let best: PatternValue = { sigma, value: 0 };
  // Stryker disable next-line EqualityOperator,UpdateOperator: the climb ends at a fixed point (the breaks below) long before the cap
  for (let step = 0; step < MAX_ALTERNATIONS; step++) {
    // Power iteration for the current pattern, from the current u.
    let value = 0;
    let v = new Float64Array(net.k);
    // Stryker disable next-line EqualityOperator: one power step more only sharpens the estimate
    for (let p = 0; p < POWER_STEPS; p++) {
      const y = applyJ(net, sigma, u);
      value = norm2(y);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: at J(σ)u = 0 going on gives NaN, which the next guard (or the one after the loop) stops with the same value 0
      if (!(value > 0)) break;
      // Stryker disable next-line ArithmeticOperator: v's length does not matter to the next u (normalised) nor to the next pattern (signs only)
      v = y.map((t) => t / value);
      const w = applyJt(net, sigma, v);
      const n = norm2(w);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: as above, a zero (or NaN) u ends the climb with the value it has
      if (!(n > 0)) break;
      u = w.map((t) => t / n);
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: the values of a climb never decrease (module comment), so keeping the latest keeps the best
    if (value > best.value) best = { sigma, value };
    // Stryker disable next-line ConditionalExpression,EqualityOperator: without a gain the pattern repeats at the next check, or a zero value stops it below
    else if (step > 0) break; // no gain: the pattern is settled
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a zero value gives the all-zero pattern, whose value 0 is no gain: the climb stops one step later
    if (!(value > 0)) break;
    const next = bestPattern(net, u, v);
    if (next.every((s, j) => s === sigma[j])) break;
    if (budget?.exceeded()) break; // the best so far stands
    sigma = next;
  }
  return best;
}

/** A fixed start direction with every component non-zero and no special direction (as Lanczos' start). */
function fixedDirection(d: number): Float64Array {
  const u = new Float64Array(d);
  // Stryker disable next-line ArithmeticOperator,EqualityOperator: any start not orthogonal to the top singular vector serves; the power steps follow
  for (let i = 0; i < d; i++) u[i] = 1 + ((i * 7919) % 101) / 101;
  return u;
}

/** The realisable-pattern search of the module comment (one hidden layer, p = 2, global). */
export function spectralPatternAscent(net: Network, options: SpectralPatternOptions): SpectralPatternResult {
  if (!isShallow(net)) throw new Error('spectralPatternAscent: needs a network with one hidden layer');
  const [hidden, output] = net.layers;
  const shallow: Shallow = { d: net.inputDim, N: hidden.outDim, k: output.outDim, W: hidden.weights, V: output.weights };
  // Stryker disable next-line StringLiteral: the stream's name only picks other random starts
  const stream = createStream(options.seed, 'lower/spectral-pattern-ascent');
  const starts: { sigma: Uint8Array; u: Float64Array }[] = [{ sigma: new Uint8Array(shallow.N).fill(1), u: fixedDirection(shallow.d) }];
  for (const x of options.fromPoints ?? []) starts.push({ sigma: activationPattern(net, x)[0], u: fixedDirection(shallow.d) });
  for (let i = 0; i < options.starts; i++) {
    const u = Float64Array.from({ length: shallow.d }, () => stream.gaussian());
    const v = Float64Array.from({ length: shallow.k }, () => stream.gaussian());
    starts.push({ sigma: bestPattern(shallow, u, v), u });
  }
  const found: PatternValue[] = [];
  for (const start of starts) {
    if (options.budget?.exceeded()) break;
    found.push(climb(shallow, start, options.budget));
  }
  let top: PatternValue | null = null;
  for (const f of found) if (top === null || f.value > top.value) top = f;
  // Stryker disable next-line StringLiteral,LogicalOperator: operatorNorm reads any other norm name as 2; without a count every distinct pattern is realised, the best among them
  return { ...realiseBest(net, '2', found, options.realise ?? 4), climbs: found.length, pattern: top?.sigma ?? null };
}
