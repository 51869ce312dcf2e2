import { zeros, type Mat } from '../linalg/mat.js';
import { vectorNorm } from '../linalg/norms.js';
import type { Network } from './network.js';

/**
 * Activation pattern: one 0/1 array per hidden layer, 1 where the pre-activation is > 0. This is the
 * formal convention ρ′(0) = 0; at points where no pre-activation is 0 it is the true derivative.
 */
export type Pattern = Uint8Array[];

/** The forward pass, keeping every hidden pre-activation. */
export interface ForwardPass {
  /** Pre-activations z⁽ℓ⁾ of the hidden layers ℓ = 0 … L−1. */
  readonly preActivations: Float64Array[];
  /** f(x) ∈ ℝᵏ. */
  readonly output: Float64Array;
}

function affine(weights: Float64Array, biases: Float64Array, inDim: number, input: ArrayLike<number>): Float64Array {
  const out = new Float64Array(biases.length);
  for (let i = 0; i < biases.length; i++) {
    let s = biases[i];
    const o = i * inDim;
    for (let j = 0; j < inDim; j++) s += weights[o + j] * input[j];
    out[i] = s;
  }
  return out;
}

/** Runs the network at x, keeping the hidden pre-activations. */
export function forward(net: Network, x: ArrayLike<number>): ForwardPass {
  if (x.length !== net.inputDim) throw new Error(`forward: x has ${x.length} entries, the network takes ${net.inputDim}`);
  const pre: Float64Array[] = [];
  let h: ArrayLike<number> = x;
  for (let l = 0; l < net.layers.length; l++) {
    const layer = net.layers[l];
    const z = affine(layer.weights, layer.biases, layer.inDim, h);
    if (l === net.layers.length - 1) return { preActivations: pre, output: z };
    pre.push(z);
    const a = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) a[i] = z[i] > 0 ? z[i] : 0;
    h = a;
  }
  throw new Error('unreachable');
}

/** f(x) ∈ ℝᵏ. */
export function evaluate(net: Network, x: ArrayLike<number>): Float64Array {
  return forward(net, x).output;
}

/** The activation pattern at x (1 where the pre-activation is strictly positive). */
export function activationPattern(net: Network, x: ArrayLike<number>): Pattern {
  return forward(net, x).preActivations.map((z) => Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)));
}

/**
 * The Jacobian W⁽ᴸ⁾ D⁽ᴸ⁻¹⁾ W⁽ᴸ⁻¹⁾ ⋯ D⁽⁰⁾ W⁽⁰⁾ (k × d) of the linear piece with the given pattern,
 * accumulated from the output side (cost k·Σ N_ℓ N_{ℓ−1}).
 */
export function jacobianOfPattern(net: Network, pattern: Pattern): Mat {
  const last = net.layers[net.layers.length - 1];
  let m: Mat = { rows: last.outDim, cols: last.inDim, data: last.weights.slice() };
  for (let l = net.layers.length - 2; l >= 0; l--) {
    const layer = net.layers[l];
    const mask = pattern[l];
    const next = zeros(m.rows, layer.inDim);
    for (let r = 0; r < m.rows; r++) {
      const mo = r * m.cols;
      const no = r * layer.inDim;
      for (let i = 0; i < layer.outDim; i++) {
        if (!mask[i]) continue;
        const c = m.data[mo + i];
        if (c === 0) continue;
        const wo = i * layer.inDim;
        for (let j = 0; j < layer.inDim; j++) next.data[no + j] += c * layer.weights[wo + j];
      }
    }
    m = next;
  }
  return m;
}

/** The formal Jacobian at x (the true one wherever no pre-activation is exactly 0). */
export function jacobian(net: Network, x: ArrayLike<number>): Mat {
  return jacobianOfPattern(net, activationPattern(net, x));
}

/** The formal gradient ∇f(x) of a scalar network (k = 1). */
export function gradient(net: Network, x: ArrayLike<number>): Float64Array {
  const j = jacobian(net, x);
  if (j.rows !== 1) throw new Error(`gradient: the network has ${j.rows} outputs; use jacobian`);
  return j.data;
}

/**
 * The affine maps of the hidden pre-activations on the linear piece of a pattern:
 * z⁽ℓ⁾(y) = A[ℓ]·y + c[ℓ] for every y whose pattern is `pattern` (A[ℓ] is N_ℓ × d, row-major).
 * Cost d·Σ N_ℓ N_{ℓ−1}.
 */
export interface PieceMaps {
  readonly A: Float64Array[];
  readonly c: Float64Array[];
}

export function pieceMaps(net: Network, pattern: Pattern): PieceMaps {
  const d = net.inputDim;
  const A: Float64Array[] = [];
  const c: Float64Array[] = [];
  // Current post-activation map: h(y) = H·y + hc (starts as the identity).
  let H = new Float64Array(d * d);
  for (let i = 0; i < d; i++) H[i * d + i] = 1;
  let hc = new Float64Array(d);
  for (let l = 0; l < net.layers.length - 1; l++) {
    const layer = net.layers[l];
    const Al = new Float64Array(layer.outDim * d);
    const cl = new Float64Array(layer.outDim);
    for (let i = 0; i < layer.outDim; i++) {
      let ci = layer.biases[i];
      const ao = i * d;
      for (let j = 0; j < layer.inDim; j++) {
        const w = layer.weights[i * layer.inDim + j];
        if (w === 0) continue;
        ci += w * hc[j];
        const ho = j * d;
        for (let k = 0; k < d; k++) Al[ao + k] += w * H[ho + k];
      }
      cl[i] = ci;
    }
    A.push(Al);
    c.push(cl);
    const mask = pattern[l];
    H = new Float64Array(layer.outDim * d);
    hc = new Float64Array(layer.outDim);
    for (let i = 0; i < layer.outDim; i++) {
      if (!mask[i]) continue;
      H.set(Al.subarray(i * d, (i + 1) * d), i * d);
      hc[i] = cl[i];
    }
  }
  return { A, c };
}

/**
 * Which hidden neurons may vary on x's linear piece, from zero patterns alone (cost Σ N_ℓ N_{ℓ−1}):
 * a first-layer neuron varies iff its weight row is not zero; a deeper one may vary iff some
 * nonzero weight reaches it from an active neuron that may vary. A neuron marked false is constant
 * on the piece (its row of the piece's affine map is exactly zero, in any arithmetic).
 */
function mayVary(net: Network, pre: readonly Float64Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let l = 0; l < pre.length; l++) {
    const layer = net.layers[l];
    const vary = new Uint8Array(layer.outDim);
    const feeds = l === 0 ? null : Uint8Array.from(pre[l - 1], (z, j) => (z > 0 && out[l - 1][j] ? 1 : 0));
    for (let i = 0; i < layer.outDim; i++) {
      const o = i * layer.inDim;
      for (let j = 0; j < layer.inDim; j++) {
        if (layer.weights[o + j] !== 0 && (feeds === null || feeds[j])) {
          vary[i] = 1;
          break;
        }
      }
    }
    out.push(vary);
  }
  return out;
}

/**
 * The gradient ∇z_{ℓ,i} on x's piece (a row of `pieceMaps(…).A[ℓ]`) by one reverse pass: cost
 * Σ_{m≤ℓ} N_m N_{m−1}, instead of d times that for every row at once. Below the first layer it sums
 * the same terms in another order than `pieceMaps`, so the two may differ in the last bits.
 */
function gradientRow(net: Network, pre: readonly Float64Array[], l: number, i: number): Float64Array {
  const top = net.layers[l];
  let v: Float64Array = top.weights.slice(i * top.inDim, (i + 1) * top.inDim);
  for (let m = l - 1; m >= 0; m--) {
    const layer = net.layers[m];
    const z = pre[m];
    const u = new Float64Array(layer.inDim);
    for (let j = 0; j < layer.outDim; j++) {
      const c = z[j] > 0 ? v[j] : 0;
      if (c === 0) continue;
      const o = j * layer.inDim;
      for (let q = 0; q < layer.inDim; q++) u[q] += c * layer.weights[o + q];
    }
    v = u;
  }
  return v;
}

function isZero(v: Float64Array): boolean {
  for (let k = 0; k < v.length; k++) if (v[k] !== 0) return false;
  return true;
}

/**
 * How safely x sits inside its region, relative to rounding: the smallest |z_i| / (|b_i| +
 * Σ_j |w_ij·h_j|) over hidden neurons that are not constant on x's piece. The denominator bounds the
 * rounding error of z_i up to a factor n·2⁻⁵³, so a margin above ~1e-10 means recomputing the pattern
 * at x in floating point gives the same signs, at any weight scale. 0 on a kink.
 *
 * Cost O(Σ N_ℓ N_{ℓ−1}), one forward pass: constancy is decided from zero patterns (`mayVary`),
 * and only for the deeper neurons with the smallest margins, in increasing order until one is not
 * constant, is the gradient row computed (one reverse pass each) to catch exact cancellations.
 */
export function kinkMargin(net: Network, x: ArrayLike<number>): number {
  const { preActivations } = forward(net, x);
  const vary = mayVary(net, preActivations);
  let margin = Infinity;
  const deeper: { margin: number; layer: number; neuron: number }[] = [];
  let h: ArrayLike<number> = x;
  for (let l = 0; l < preActivations.length; l++) {
    const layer = net.layers[l];
    const z = preActivations[l];
    for (let i = 0; i < z.length; i++) {
      if (!vary[l][i]) continue; // constant on the piece: no kink
      let magnitude = Math.abs(layer.biases[i]);
      for (let j = 0; j < layer.inDim; j++) magnitude += Math.abs(layer.weights[i * layer.inDim + j] * h[j]);
      const m = magnitude > 0 ? Math.abs(z[i]) / magnitude : 0;
      if (l === 0) margin = Math.min(margin, m); // a first-layer row is its weight row: it varies
      else deeper.push({ margin: m, layer: l, neuron: i });
    }
    h = z.map((v) => (v > 0 ? v : 0));
  }
  deeper.sort((a, b) => a.margin - b.margin);
  for (const c of deeper) {
    if (!(c.margin < margin)) break;
    if (!isZero(gradientRow(net, preActivations, c.layer, c.neuron))) return c.margin;
  }
  return margin;
}

/**
 * The Euclidean distance from x to the boundary of its activation region: the smallest
 * |z_i(x)| / ‖∇z_i‖₂ over hidden neurons that are not constant on the piece. 0 means x sits on a
 * kink (its formal gradient need not be a derivative); Infinity means the network is affine.
 *
 * First-layer gradients are weight rows. Deeper ones are bounded above by the triangle inequality
 * (‖∇z_i‖ ≤ Σ_j |w_ij|·‖∇z_j‖ over active j, cost one pass), which bounds their distances below;
 * neurons are then taken in increasing order of that bound and their exact gradient computed by a
 * reverse pass until the bound passes the smallest distance found. After d such passes the rest
 * come from `pieceMaps` at once, so the cost never exceeds about twice the direct one.
 */
export function regionRadius(net: Network, x: ArrayLike<number>): number {
  const { preActivations } = forward(net, x);
  const vary = mayVary(net, preActivations);
  const d = net.inputDim;
  let radius = Infinity;
  const candidates: { bound: number; layer: number; neuron: number }[] = [];
  let gradientBounds = new Float64Array(0);
  for (let l = 0; l < preActivations.length; l++) {
    const layer = net.layers[l];
    const z = preActivations[l];
    const bounds = new Float64Array(layer.outDim);
    for (let i = 0; i < layer.outDim; i++) {
      const row = layer.weights.subarray(i * layer.inDim, (i + 1) * layer.inDim);
      if (l === 0) {
        bounds[i] = vectorNorm(row, '2'); // scaled: no underflow
        if (bounds[i] > 0) radius = Math.min(radius, Math.abs(z[i]) / bounds[i]);
        continue;
      }
      let s = 0;
      for (let j = 0; j < layer.inDim; j++) if (preActivations[l - 1][j] > 0) s += Math.abs(row[j]) * gradientBounds[j];
      bounds[i] = s * (1 + 1e-10); // covers the rounding of the sum
      if (!vary[l][i]) continue;
      // An underflowed or overflowed bound says nothing: such a neuron is looked at first.
      const bound = bounds[i] > 0 && Number.isFinite(bounds[i]) ? Math.abs(z[i]) / bounds[i] : 0;
      candidates.push({ bound, layer: l, neuron: i });
    }
    gradientBounds = bounds;
  }
  candidates.sort((a, b) => a.bound - b.bound);
  let maps: Float64Array[] | null = null;
  for (const [n, c] of candidates.entries()) {
    if (!(c.bound < radius)) break;
    if (n === d && maps === null) maps = pieceMaps(net, preActivations.map((z) => Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)))).A;
    const g = maps ? maps[c.layer].subarray(c.neuron * d, (c.neuron + 1) * d) : gradientRow(net, preActivations, c.layer, c.neuron);
    const norm = vectorNorm(g, '2');
    if (norm === 0) continue; // constant on the piece: no kink
    radius = Math.min(radius, Math.abs(preActivations[c.layer][c.neuron]) / norm);
  }
  return radius;
}
