import type { Network } from '../../../network/network.js';
import { ldexp } from '../../../linalg/verifiedDefinite.js';
import { gamma } from '../rounding.js';

/**
 * The incremental network that LipSDP-Neuron sees on a domain (all of ℝᵈ, a box, or a cell of the
 * homogenised cube), with every neuron that is stable there eliminated exactly.
 *
 * For two inputs with increments Δx₀ = Δx, Δv = W·Δx_prev, Δx = ρ(v) − ρ(v′):
 * - a neuron that is unstable on the domain has Δx(Δv − Δx) ≥ 0 (ReLU is slope-restricted in
 *   [0, 1]); it keeps its coordinate and gets a multiplier τ ≥ 0;
 * - a neuron proven inactive has Δx = 0; a neuron proven active has Δx = Δv, a linear function of
 *   earlier coordinates. Both are substituted away: the quadratic form of LipSDP restricted to
 *   the subspace where these equalities hold is the form of the smaller network below, so this is
 *   exact (the limit of free multipliers on (Δx − Δv)·(aΔx + bΔv) as they grow).
 * What is left is a network of the unstable neurons with skip connections: with ξ = W₀Δx₀ (the
 * first layer's pre-activation increments) and the unstable neurons' increments as base
 * coordinates, each unstable neuron p has Δv_p = a_p·(ξ, Δx_U) with a_p over earlier coordinates,
 * and Δy = B·(ξ, Δx_U). Biases enter only through which neurons are stable.
 *
 * a_p and B are products of weight matrices through active neurons, computed in floating point:
 * every entry carries a bound on its error (γ_{m+1}·Σ|terms| per product of m terms, plus the
 * propagated errors of its factors, plus 2η per term for underflow; η = 2⁻¹⁰⁷⁴), which the
 * certificate adds to its rounding radius. Rows that are plain weight rows (all of them for the
 * global problem) are exact.
 *
 * Layers are first rescaled by exact powers of two (2^{e_k}, so the largest entry is about 1) when
 * that is exact for every entry; the network then computes 2^{Σe}·f, so a bound B on the rescaled
 * network gives B·2^{−Σe} for f (`exponent` = Σe).
 */
export interface SparseRow {
  /** First base coordinate of the support; values[i] is coordinate start + i. */
  readonly start: number;
  readonly values: Float64Array;
  /** Entrywise bound on |computed − exact| (all zero for exact rows). */
  readonly error: Float64Array;
}

export interface SdpProblem {
  readonly inputDim: number;
  /** N₁: the ξ coordinates are 0 … N₁−1, the unstable neurons N₁ … N₁+n−1. */
  readonly firstWidth: number;
  /** W₀ (N₁ × d), rescaled: ξ = W₀·Δx₀. */
  readonly first: Float64Array;
  /** n, the unstable neurons. */
  readonly hidden: number;
  readonly outputs: number;
  /** a_p over base coordinates, one per unstable neuron (its support lies before N₁ + p). */
  readonly incoming: readonly SparseRow[];
  /** B's rows over base coordinates. */
  readonly output: readonly SparseRow[];
  /** The network's index of each unstable neuron, per hidden layer. */
  readonly kept: readonly (readonly number[])[];
  /** The layered network with inactive neurons removed (active ones kept), rescaled: for ECLipsE-Fast. */
  readonly layered: { readonly widths: readonly number[]; readonly weights: readonly Float64Array[]; readonly coordinate: readonly Int32Array[] };
  /** Bounds on the rescaled network are bounds on f times 2^exponent. */
  readonly exponent: number;
  /** e_k: layer k was multiplied by 2^{e_k} (k = 0 … L). */
  readonly layerExponents: readonly number[];
}

/** Multipliers of the problem: τ, one per unstable neuron. */
export type SdpMultipliers = Float64Array;

/**
 * Multipliers in the network's own units and numbering (one array per hidden layer, the network's
 * width; neurons without a multiplier hold 0), with the ρ they were proven or estimated for: the
 * form to keep between problems (a parent cell's certificate restricted to a child's neurons).
 */
export interface NetworkMultipliers {
  readonly rho: number;
  readonly tau: readonly Float64Array[];
}

/** What building the problem can give: a problem, or the fact that f is constant or affine on the domain. */
export type SdpSetup =
  | { readonly kind: 'problem'; readonly problem: SdpProblem }
  | { readonly kind: 'constant' }
  | { readonly kind: 'affine' };

const ETA = 2 ** -1074;

/** A dense row over base coordinates with its error bound, while the network is composed. */
interface DenseRow {
  values: Float64Array;
  error: Float64Array;
  /** Set when the row is the unit vector e_unitAt with no error (`unit`): `combine` then skips the scan. */
  unitAt?: number;
}

/**
 * The problem for `net` with neuron states per hidden layer (1 always active, 0 always inactive,
 * −1 unstable on the domain; null = every neuron unstable, the global problem). 'affine': the
 * network has no hidden layer, or every neuron is stable and some path stays active (f is affine
 * on the domain: its constant is ‖J‖₂ of that piece, not an SDP); 'constant': f is constant.
 */
export function sdpProblem(net: Network, states: readonly Int8Array[] | null): SdpSetup {
  const L = net.layers.length - 1;
  if (L === 0) return { kind: 'affine' };
  const { weights, layerExponents, exponent } = rescaled(net);
  const d = net.inputDim;
  const N1 = net.layers[0].outDim;
  const stateOf = (l: number, i: number) => (states ? states[l][i] : -1);
  // Count the unstable neurons first: they fix the base dimension.
  const kept: number[][] = [];
  let n = 0;
  for (let l = 0; l < L; l++) {
    const list: number[] = [];
    for (let i = 0; i < net.layers[l].outDim; i++) if (stateOf(l, i) === -1) list.push(i);
    kept.push(list);
    n += list.length;
  }
  const base = N1 + n;
  const incoming: SparseRow[] = [];
  // E: each neuron's post-activation increment over base coordinates (null when inactive).
  let E: (DenseRow | null)[] = [];
  let coord = 0;
  for (let i = 0; i < N1; i++) {
    const s = stateOf(0, i);
    if (s === 0) E.push(null);
    else if (s === 1) E.push(unit(base, i));
    else {
      incoming.push({ start: i, values: Float64Array.of(1), error: new Float64Array(1) });
      E.push(unit(base, N1 + coord++));
    }
  }
  for (let l = 1; l <= L; l++) {
    const W = weights[l];
    const layer = net.layers[l];
    const next: (DenseRow | null)[] = [];
    const rows: SparseRow[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      const s = l < L ? stateOf(l, i) : -2; // −2: an output row
      if (s === 0) {
        next.push(null);
        continue;
      }
      const v = combine(W, i, layer.inDim, E, base);
      if (s === 1) next.push(v);
      else if (s === -1) {
        incoming.push(sparse(v));
        next.push(unit(base, N1 + coord++));
      } else rows.push(sparse(v));
    }
    if (l === L) {
      // No path from the input to the output: f is constant on the domain.
      if (rows.every((r) => r.values.every((x) => x === 0) && r.error.every((x) => x === 0))) return { kind: 'constant' };
      if (n === 0) return { kind: 'affine' };
      return {
        kind: 'problem',
        problem: {
          inputDim: d,
          firstWidth: N1,
          first: weights[0],
          hidden: n,
          outputs: layer.outDim,
          incoming,
          output: rows,
          kept,
          layered: layeredView(net, weights, states, kept),
          exponent,
          layerExponents,
        },
      };
    }
    E = next;
  }
  throw new Error('unreachable');
}

type Rescaled = { weights: Float64Array[]; layerExponents: number[]; exponent: number };
/** Per network (networks are immutable): branch and bound builds thousands of problems of one net. */
const rescaledCache = new WeakMap<Network, Rescaled>();

/** Each layer times an exact power of two (largest entry about 1), where that is exact. Read-only. */
function rescaled(net: Network): Rescaled {
  const cached = rescaledCache.get(net);
  if (cached) return cached;
  const value = computeRescaled(net);
  rescaledCache.set(net, value);
  return value;
}

function computeRescaled(net: Network): Rescaled {
  const weights: Float64Array[] = [];
  const layerExponents: number[] = [];
  let exponent = 0;
  for (const layer of net.layers) {
    let largest = 0;
    for (const v of layer.weights) largest = Math.max(largest, Math.abs(v));
    const e = largest > 0 && Number.isFinite(largest) ? -Math.round(Math.log2(largest)) : 0;
    const exact = e !== 0 && layer.weights.every((v) => ldexp(ldexp(v, e), -e) === v);
    weights.push(exact ? layer.weights.map((v) => ldexp(v, e)) : layer.weights.slice());
    layerExponents.push(exact ? e : 0);
    exponent += exact ? e : 0;
  }
  return { weights, layerExponents, exponent };
}

function unit(base: number, at: number): DenseRow {
  const values = new Float64Array(base);
  values[at] = 1;
  return { values, error: new Float64Array(base), unitAt: at };
}

/**
 * Σ_j W[i, j]·E_j over base coordinates, with its error bound: a sum of m non-zero products is
 * within γ_{m+1}·Σ|terms| of the exact sum of the computed terms (exact when m ≤ 1 and the single
 * product is by an exact 1), plus Σ_j |W_ij|·error_j for the factors' own errors, plus 2η per term.
 */
function combine(W: Float64Array, i: number, inDim: number, E: (DenseRow | null)[], base: number): DenseRow {
  const values = new Float64Array(base);
  const magnitude = new Float64Array(base);
  const propagated = new Float64Array(base);
  const count = new Int32Array(base);
  const inexact = new Uint8Array(base);
  for (let j = 0; j < inDim; j++) {
    const e = E[j];
    const w = W[i * inDim + j];
    if (!e || w === 0) continue;
    // Stryker disable next-line ConditionalExpression,BlockStatement: speed only — for a unit row the scan below adds the same w·1 to the same entry
    if (e.unitAt !== undefined) {
      // What the scan below does for a unit row: one exact product w·1, no error to propagate.
      values[e.unitAt] += w;
      // A unit row's coordinate is its own (no other row of E reaches it: each unstable neuron gets a
      // new one), so its term is alone and exact — its count and magnitude never reach the error.
      // Stryker disable next-line AssignmentOperator: see above
      magnitude[e.unitAt] += Math.abs(w);
      // Stryker disable next-line UpdateOperator: see above
      count[e.unitAt]++;
      continue;
    }
    for (let c = 0; c < base; c++) {
      const x = e.values[c];
      if (x !== 0) {
        const t = w * x;
        values[c] += t;
        magnitude[c] += Math.abs(t);
        count[c]++;
        if (x !== 1 && x !== -1) inexact[c] = 1;
      }
      if (e.error[c] !== 0) propagated[c] += Math.abs(w) * e.error[c];
    }
  }
  const error = new Float64Array(base);
  for (let c = 0; c < base; c++) {
    const rounding = count[c] > 1 || inexact[c] ? gamma(count[c] + 1) * magnitude[c] * (1 + 1e-10) + 2 * ETA * count[c] : 0;
    error[c] = rounding + propagated[c] * (1 + gamma(inDim + 2));
  }
  return { values, error };
}

/** The smallest contiguous support of a dense row. */
function sparse(row: DenseRow): SparseRow {
  let first = 0;
  let last = row.values.length - 1;
  while (first <= last && row.values[first] === 0 && row.error[first] === 0) first++;
  while (last >= first && row.values[last] === 0 && row.error[last] === 0) last--;
  if (last < first) return { start: 0, values: new Float64Array(0), error: new Float64Array(0) };
  return { start: first, values: row.values.slice(first, last + 1), error: row.error.slice(first, last + 1) };
}

/** The network with inactive neurons removed, and each kept neuron's unstable coordinate (−1 if active). */
function layeredView(net: Network, weights: Float64Array[], states: readonly Int8Array[] | null, kept: number[][]): SdpProblem['layered'] {
  const L = net.layers.length - 1;
  const keep: number[][] = [];
  const coordinate: Int32Array[] = [];
  let coord = 0;
  for (let l = 0; l < L; l++) {
    const list: number[] = [];
    for (let i = 0; i < net.layers[l].outDim; i++) if (!states || states[l][i] !== 0) list.push(i);
    keep.push(list);
    const unstable = new Set(kept[l]);
    coordinate.push(Int32Array.from(list, (i) => (unstable.has(i) ? coord++ : -1)));
  }
  const out: Float64Array[] = [];
  for (let l = 0; l <= L; l++) {
    const layer = net.layers[l];
    const rows = l < L ? keep[l] : Array.from({ length: layer.outDim }, (_, i) => i);
    const cols = l > 0 ? keep[l - 1] : Array.from({ length: layer.inDim }, (_, i) => i);
    const w = new Float64Array(rows.length * cols.length);
    rows.forEach((r, a) => cols.forEach((c, b) => (w[a * cols.length + b] = weights[l][r * layer.inDim + c])));
    out.push(w);
  }
  return { widths: keep.map((k) => k.length), weights: out, coordinate };
}

/**
 * The factor between the rescaled problem's τ for layer l and the network's: the rescaled
 * network's layer-l activations are 2^{E_l}·x_l (E_l = e₀ + … + e_l) and its output 2^{Σe}·f, so
 * its quadratic form is 2^{2Σe} times the network's with ρ = ρ′·2^{−2Σe} and τ_l = τ′_l·2^{2E_l − 2Σe}.
 */
function layerFactor(problem: SdpProblem, l: number): number {
  let E = 0;
  for (let j = 0; j <= l; j++) E += problem.layerExponents[j];
  return 2 ** (2 * E - 2 * problem.exponent);
}

/** The problem's multipliers (and ρ) in the network's units and numbering. */
export function toNetworkUnits(problem: SdpProblem, tau: SdpMultipliers, rho: number, widths: readonly number[]): NetworkMultipliers {
  const out = widths.map((w) => new Float64Array(w));
  let p = 0;
  problem.kept.forEach((list, l) => {
    const f = layerFactor(problem, l);
    for (const i of list) out[l][i] = tau[p++] * f;
  });
  return { rho: rho * 2 ** (-2 * problem.exponent), tau: out };
}

/** Multipliers in the network's units restricted to the problem's unstable neurons, rescaled. */
export function fromNetworkUnits(problem: SdpProblem, m: NetworkMultipliers): { tau: SdpMultipliers; rho: number } {
  const tau = new Float64Array(problem.hidden);
  let p = 0;
  problem.kept.forEach((list, l) => {
    const f = layerFactor(problem, l);
    for (const i of list) tau[p++] = m.tau[l][i] / f;
  });
  return { tau, rho: m.rho * 2 ** (2 * problem.exponent) };
}
