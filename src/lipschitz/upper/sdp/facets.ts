import { ldexp } from '../../../linalg/verifiedDefinite.js';
import { makeNetwork, type DenseLayer, type Network } from '../../../network/network.js';
import type { Box } from '../../query.js';

/**
 * The global constant over ℝᵈ as local constants on the facets of a cube: one dimension less than
 * the homogenised cube of domain.ts, and none of its cells wasted near the apex.
 *
 * Homogenise: with x = S·u/t (t > 0, S a power of two), every hidden pre-activation satisfies
 * t·z(x) = h(u, t), where h is the bias-free network with first layer [S·W₀ | b₀], later hidden
 * layers [W_k | b_k], output layer [W_L | 0] (its output is t·(f(x) − b_L): the output bias does not
 * enter the Jacobian), and one extra neuron per hidden layer that carries t (ρ(t) = t for t ≥ 0). So the
 * sign of each of f's neurons at x is the sign of h's at (u, t), and the activation regions of f
 * are the open cones of h's arrangement inside {t > 0}. When every hidden bias of f is zero, f is
 * positively homogeneous itself: take h = f (no t, no carrier, S = 1).
 *
 * Covering. Every open cone C (inside {t > 0}) meets the boundary of the cube [−1, 1]ᵈ × [0, 1]
 * (bias-free: of [−1, 1]ᵈ) in a relatively open, non-empty set (scale any point of C by its largest
 * coordinate), and that set meets the relative interior of some facet: |u_i| = 1, or t = 1 (the
 * facet t = 0 is not in {t > 0}). So every region of f is the region of an open set of some facet
 * network below, and `Lip₂ f over ℝᵈ = max over facets of the largest ‖J_P‖ over the patterns P
 * realised on an open subset of the facet` — J_P being f's own Jacobian for the pattern (not the
 * facet network's). A bias-free f has 2d facets of dimension d − 1 (for d = 1, the two points
 * ±1: f is linear on each half-line); a biased f has 2d + 1 of dimension d.
 *
 * A facet network is h with the facet's fixed coordinate folded into the first layer's biases: an
 * ordinary network on a box of dimension d − 1 (or d) whose hidden neurons are exactly h's, i.e.
 * t times f's at the point x. Its weights are f's, S·f's (exact: S is a power of two) and 1, so
 * sound pre-activation bounds for it (intervals.ts, linearBounds.ts) give f's neuron states on
 * every point of the facet box they cover.
 */
export interface Facet {
  /** A name such as "u2 = −1" or "t = 1", for reports. */
  readonly name: string;
  /** The facet network: its hidden layers are f's, plus (biased f only) a last neuron carrying t. */
  readonly net: Network;
  /** The facet as a box of the facet network's inputs. */
  readonly box: Box;
  /** True when each hidden layer ends with the carrier of t (not one of f's neurons). */
  readonly carrier: boolean;
  /** The point x of ℝᵈ of a facet point v (null where t = 0). */
  toInput(v: ArrayLike<number>): Float64Array | null;
}

/** True when every hidden bias of f is zero (f is positively homogeneous). */
export function biasFree(net: Network): boolean {
  return net.layers.slice(0, -1).every((layer) => layer.biases.every((b) => b === 0));
}

/**
 * The facets that together see every activation region of f over ℝᵈ (see the module comment), or
 * null when S·W₀ would not be exact (S is chosen as a power of two near `scale`).
 */
export function globalFacets(net: Network, scale = 1): Facet[] | null {
  const d = net.inputDim;
  if (biasFree(net)) {
    const facets: Facet[] = [];
    for (let i = 0; i < d; i++) for (const sign of [1, -1]) facets.push(biasFreeFacet(net, i, sign));
    return facets;
  }
  const S = 2 ** Math.round(Math.log2(scale > 0 && Number.isFinite(scale) ? scale : 1));
  const lifted = homogenised(net, S);
  if (!lifted) return null;
  const facets: Facet[] = [];
  for (let i = 0; i < d; i++) for (const sign of [1, -1]) facets.push(liftedFacet(lifted, S, i, sign));
  facets.push(liftedFacet(lifted, S, d, 1));
  return facets;
}

/** f on the facet u_i = sign of [−1, 1]ᵈ: the first layer loses column i into its biases. */
function biasFreeFacet(net: Network, i: number, sign: number): Facet {
  const d = net.inputDim;
  return {
    name: faceName(i, sign),
    net: makeNetwork(d - 1, [foldColumn(net.layers[0], i, sign), ...net.layers.slice(1)]),
    box: { lo: new Float64Array(d - 1).fill(-1), hi: new Float64Array(d - 1).fill(1) },
    carrier: false,
    toInput: (v) => withCoordinate(v, i, sign, d),
  };
}

/** h(u, t) of the module comment as layers over d + 1 inputs (t last), or null if S·W₀ is inexact. */
function homogenised(net: Network, S: number): DenseLayer[] | null {
  const L = net.layers.length - 1;
  const layers: DenseLayer[] = [];
  const e = Math.log2(S);
  for (let l = 0; l <= L; l++) {
    const layer = net.layers[l];
    const carry = l < L ? 1 : 0;
    const inDim = layer.inDim + 1;
    const outDim = layer.outDim + carry;
    const weights = new Float64Array(outDim * inDim);
    for (let r = 0; r < layer.outDim; r++) {
      for (let j = 0; j < layer.inDim; j++) {
        const w = layer.weights[r * layer.inDim + j];
        const v = l === 0 ? ldexp(w, e) : w;
        if (ldexp(v, -e) !== w && l === 0) return null;
        weights[r * inDim + j] = v;
      }
      weights[r * inDim + layer.inDim] = l < L ? layer.biases[r] : 0;
    }
    // Stryker disable next-line ConditionalExpression: on the output layer (no carrier) the index is past the array's end (ignored)
    if (carry) weights[layer.outDim * inDim + layer.inDim] = 1;
    layers.push({ outDim, inDim, weights, biases: new Float64Array(outDim) });
  }
  return layers;
}

/** The facet of [−1, 1]ᵈ × [0, 1] where coordinate i (i = d: t) equals sign (t: 1). */
function liftedFacet(h: DenseLayer[], S: number, i: number, sign: number): Facet {
  const d = h[0].inDim - 1;
  const lo = new Float64Array(d).fill(-1);
  const hi = new Float64Array(d).fill(1);
  if (i < d) lo[d - 1] = 0; // t ∈ [0, 1] is the last free coordinate
  return {
    name: i === d ? 't = 1' : faceName(i, sign),
    net: makeNetwork(d, [foldColumn(h[0], i, sign), ...h.slice(1)]),
    box: { lo, hi },
    carrier: true,
    toInput: (v) => {
      const p = withCoordinate(v, i, sign, d + 1);
      const t = p[d];
      if (!(t > 0)) return null;
      return Float64Array.from({ length: d }, (_, j) => (S * p[j]) / t);
    },
  };
}

/** The first layer with input i fixed at `value`: column i moves into the biases (times value). */
function foldColumn(first: DenseLayer, i: number, value: number): DenseLayer {
  const n = first.inDim;
  const weights = new Float64Array(first.outDim * (n - 1));
  const biases = new Float64Array(first.outDim);
  // Stryker disable next-line EqualityOperator: row outDim would only write past the typed arrays' ends (ignored)
  for (let r = 0; r < first.outDim; r++) {
    let c = 0;
    // Stryker disable next-line EqualityOperator: column n writes the next row's first entry, which that row writes again (or past the array's end, ignored)
    for (let j = 0; j < n; j++) {
      if (j === i) biases[r] = value * first.weights[r * n + j];
      else weights[r * (n - 1) + c++] = first.weights[r * n + j];
    }
  }
  return { outDim: first.outDim, inDim: n - 1, weights, biases };
}

/** The point of n coordinates whose coordinate i is `value`, the others v's in order. */
function withCoordinate(v: ArrayLike<number>, i: number, value: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, j) => {
    if (j === i) return value;
    // Stryker disable next-line EqualityOperator: j = i never gets here (returned above)
    return v[j < i ? j : j - 1];
  });
}

/** "u2 = −1" for coordinate i = 1, sign −1. */
function faceName(i: number, sign: number): string {
  // Stryker disable next-line EqualityOperator: sign is +1 or −1, never 0
  return `u${i + 1} = ${sign > 0 ? '+1' : '−1'}`;
}
