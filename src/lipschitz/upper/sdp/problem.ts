import type { Network } from '../../../network/network.js';
import { ldexp } from '../../../linalg/verifiedDefinite.js';

/**
 * The incremental network that LipSDP-Neuron sees on a domain (all of ℝᵈ, a box, or a sub-box of
 * the homogenised cube): the hidden neurons that can be active there, each with the kind of
 * quadratic constraint its increments satisfy.
 *
 * For two inputs with increments Δx₀ = Δx, Δv_k = W_{k−1}Δx_{k−1}, Δx_k = ρ(v_k) − ρ(v_k′):
 * - an unstable neuron has Δx(Δv − Δx) ≥ 0 (ReLU is slope-restricted in [0, 1]): multiplier τ ≥ 0;
 * - a neuron proven active on the domain has Δx = Δv, so (Δx − Δv)(τΔx + βΔv) = 0 for any τ, β
 *   of either sign (Local-LipSDP's idea, here with two free multipliers);
 * - a neuron proven inactive has Δx = 0 and is removed.
 * Biases enter only through which neurons are stable.
 *
 * Layers are rescaled by exact powers of two (2^{e_k}, chosen so that the largest entry is about 1)
 * when that is exact for every entry; the network then computes 2^{Σe}·f, so a bound B on the
 * rescaled network gives B·2^{−Σe} for f (`exponent` = Σe).
 */
export interface SdpProblem {
  readonly inputDim: number;
  /** Kept neurons per hidden layer, N₁ … N_L (all > 0). */
  readonly widths: readonly number[];
  /** Offset of each hidden layer in the hidden coordinates 0 … n−1. */
  readonly offsets: readonly number[];
  /** n = Σ N_k. */
  readonly hidden: number;
  readonly outputs: number;
  /** W₀ … W_L restricted to the kept neurons, rescaled (row-major, outputs × inputs). */
  readonly weights: readonly Float64Array[];
  /** Per hidden coordinate: 1 if proven active on the domain (τ free in sign, β allowed). */
  readonly active: Uint8Array;
  /** Per hidden coordinate: 1 if the neuron carries a β multiplier. */
  readonly hasBeta: Uint8Array;
  /** Bounds on the rescaled network are bounds on f times 2^exponent. */
  readonly exponent: number;
  /** The largest |entry| of any weight matrix (for the underflow terms of the rounding bounds). */
  readonly largestWeight: number;
  /** The network's index of each kept neuron, per hidden layer. */
  readonly kept: readonly (readonly number[])[];
  /** e_k: layer k was multiplied by 2^{e_k} (k = 0 … L). */
  readonly layerExponents: readonly number[];
}

/**
 * Multipliers in the network's own units and neuron numbering (one array per hidden layer, the
 * network's width; removed neurons hold 0), with the ρ they were proven or estimated for: the form
 * to keep between problems (a parent box's multipliers restricted to a child's neurons).
 */
export interface NetworkMultipliers {
  readonly rho: number;
  readonly tau: readonly Float64Array[];
  readonly beta: readonly Float64Array[];
}

/** Multipliers of the LMI: τ (one per hidden neuron) and β (zero where `hasBeta` is 0). */
export interface SdpMultipliers {
  readonly tau: Float64Array;
  readonly beta: Float64Array;
}

/** What building the problem can give: a problem, or the fact that f is constant on the domain. */
export type SdpSetup = { readonly kind: 'problem'; readonly problem: SdpProblem } | { readonly kind: 'constant' } | { readonly kind: 'affine' };

export interface SdpProblemOptions {
  /**
   * β multipliers for active neurons of the first hidden layer (they change the input block, so
   * the certificate then uses the (d + n)-sized matrix instead of the n-sized Schur complement).
   * Default: when d ≤ n.
   */
  readonly inputBeta?: boolean;
}

/**
 * The problem for `net` with neuron states per hidden layer (1 always active, 0 always inactive,
 * −1 unstable on the domain; null = every neuron unstable, the global problem).
 */
export function sdpProblem(net: Network, states: readonly Int8Array[] | null, options: SdpProblemOptions = {}): SdpSetup {
  const L = net.layers.length - 1;
  if (L === 0) return { kind: 'affine' };
  const kept: number[][] = [];
  for (let l = 0; l < L; l++) {
    const width = net.layers[l].outDim;
    const list: number[] = [];
    for (let i = 0; i < width; i++) if (!states || states[l][i] !== 0) list.push(i);
    if (list.length === 0) return { kind: 'constant' };
    kept.push(list);
  }
  const widths = kept.map((k) => k.length);
  const offsets: number[] = [];
  let n = 0;
  for (const w of widths) {
    offsets.push(n);
    n += w;
  }
  const inputBeta = options.inputBeta ?? net.inputDim <= n;
  const weights: Float64Array[] = [];
  const layerExponents: number[] = [];
  let exponent = 0;
  let largestWeight = 0;
  for (let l = 0; l <= L; l++) {
    const layer = net.layers[l];
    const rows = l < L ? kept[l] : Array.from({ length: layer.outDim }, (_, i) => i);
    const cols = l > 0 ? kept[l - 1] : Array.from({ length: layer.inDim }, (_, i) => i);
    const w = new Float64Array(rows.length * cols.length);
    let largest = 0;
    rows.forEach((r, a) => cols.forEach((c, b) => {
      const v = layer.weights[r * layer.inDim + c];
      w[a * cols.length + b] = v;
      largest = Math.max(largest, Math.abs(v));
    }));
    const e = largest > 0 && Number.isFinite(largest) ? -Math.round(Math.log2(largest)) : 0;
    if (e !== 0 && w.every((v) => ldexp(ldexp(v, e), -e) === v)) {
      for (let i = 0; i < w.length; i++) w[i] = ldexp(w[i], e);
      exponent += e;
      largest = ldexp(largest, e);
      layerExponents.push(e);
    } else layerExponents.push(0);
    largestWeight = Math.max(largestWeight, largest);
    weights.push(w);
  }
  const active = new Uint8Array(n);
  const hasBeta = new Uint8Array(n);
  for (let l = 0; l < L; l++) {
    kept[l].forEach((i, a) => {
      if (states && states[l][i] === 1) {
        active[offsets[l] + a] = 1;
        if (l > 0 || inputBeta) hasBeta[offsets[l] + a] = 1;
      }
    });
  }
  return {
    kind: 'problem',
    problem: { inputDim: net.inputDim, widths, offsets, hidden: n, outputs: net.layers[L].outDim, weights, active, hasBeta, exponent, largestWeight, kept, layerExponents },
  };
}

/** The hidden layer (0-based) of hidden coordinate p. */
export function layerOf(problem: SdpProblem, p: number): number {
  let l = problem.widths.length - 1;
  while (problem.offsets[l] > p) l--;
  return l;
}

/** Width of the input to hidden layer l (d for l = 0, else N_l). */
export function fanIn(problem: SdpProblem, l: number): number {
  return l === 0 ? problem.inputDim : problem.widths[l - 1];
}

/**
 * The factor between the rescaled problem's multipliers of layer l and the network's: the rescaled
 * network's layer-l activations are 2^{E_l}·x_l (E_l = e₀ + … + e_l) and its output 2^{Σe}·f, so
 * its quadratic form is 2^{2Σe} times the network's with ρ = ρ′·2^{−2Σe} and τ_l = τ′_l·2^{2E_l − 2Σe}.
 */
function layerFactor(problem: SdpProblem, l: number): number {
  let E = 0;
  for (let j = 0; j <= l; j++) E += problem.layerExponents[j];
  return 2 ** (2 * E - 2 * problem.exponent);
}

/** The problem's multipliers (and ρ) in the network's units and numbering. */
export function toNetworkUnits(problem: SdpProblem, m: SdpMultipliers, rho: number, widths: readonly number[]): NetworkMultipliers {
  const tau = widths.map((w) => new Float64Array(w));
  const beta = widths.map((w) => new Float64Array(w));
  problem.kept.forEach((list, l) => {
    const f = layerFactor(problem, l);
    list.forEach((i, a) => {
      tau[l][i] = m.tau[problem.offsets[l] + a] * f;
      beta[l][i] = m.beta[problem.offsets[l] + a] * f;
    });
  });
  return { rho: rho * 2 ** (-2 * problem.exponent), tau, beta };
}

/** Multipliers in the network's units restricted to the problem's neurons, rescaled (β only where allowed). */
export function fromNetworkUnits(problem: SdpProblem, m: NetworkMultipliers): { multipliers: SdpMultipliers; rho: number } {
  const tau = new Float64Array(problem.hidden);
  const beta = new Float64Array(problem.hidden);
  problem.kept.forEach((list, l) => {
    const f = layerFactor(problem, l);
    list.forEach((i, a) => {
      const p = problem.offsets[l] + a;
      tau[p] = m.tau[l][i] / f;
      beta[p] = problem.hasBeta[p] ? m.beta[l][i] / f : 0;
    });
  });
  return { multipliers: { tau, beta }, rho: m.rho * 2 ** (2 * problem.exponent) };
}
