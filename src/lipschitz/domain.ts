import { pieceMaps, type Pattern } from '../network/evaluate.js';
import type { Network } from '../network/network.js';
import type { Box } from './query.js';

/**
 * The domain of a Lipschitz query as the unit cube u ∈ [−1, 1]ⁿ, so every LP is well scaled.
 *
 * - On a box (local constant), x = centre + half ⊙ u, n = d.
 * - On ℝᵈ (global constant), the network is homogenised: with t = (u_{d+1} + 1)/2 ∈ [0, 1] and
 *   x = S·u_{1..d}/t, every pre-activation satisfies t·z(x) = (S A x′ + c t) on a linear piece. The
 *   activation regions of f correspond one-to-one to the regions of the homogenised network that
 *   meet the cube's interior (a cone meets {t > 0} iff it meets the open cube, by scaling), so the
 *   global constant is a local one on a bounded, well-conditioned domain. S (a length scale of the
 *   first layer's kinks) only balances the LPs; any S > 0 gives the same regions.
 */
export interface Domain {
  readonly kind: 'box' | 'lifted';
  /** Dimension n of the cube. */
  readonly n: number;
  readonly inputDim: number;
  /** Box: centre and half-widths. Lifted: the scale S. */
  readonly centre: Float64Array;
  readonly half: Float64Array;
  readonly scale: number;
}

/** The cube domain of a box. */
function boxDomain(box: Box): Domain {
  const d = box.lo.length;
  const centre = new Float64Array(d);
  const half = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    centre[i] = 0.5 * (box.lo[i] + box.hi[i]);
    half[i] = 0.5 * (box.hi[i] - box.lo[i]);
  }
  return { kind: 'box', n: d, inputDim: d, centre, half, scale: 1 };
}

/** The homogenised cube domain of ℝᵈ for a network (S = median kink distance of layer 0, or 1). */
export function liftedDomain(net: Network): Domain {
  const first = net.layers[0];
  const distances: number[] = [];
  for (let i = 0; i < first.outDim; i++) {
    let norm2 = 0;
    for (let j = 0; j < first.inDim; j++) norm2 += first.weights[i * first.inDim + j] ** 2;
    if (norm2 > 0 && first.biases[i] !== 0) distances.push(Math.abs(first.biases[i]) / Math.sqrt(norm2));
  }
  distances.sort((a, b) => a - b);
  const median = distances.length > 0 ? distances[distances.length >> 1] : 1;
  const scale = Number.isFinite(median) && median > 0 ? median : 1;
  const d = net.inputDim;
  return { kind: 'lifted', n: d + 1, inputDim: d, centre: new Float64Array(d), half: new Float64Array(d), scale };
}

/** The domain of a query: the box, or the homogenised ℝᵈ. */
export function queryDomain(net: Network, box: Box | null): Domain {
  return box ? boxDomain(box) : liftedDomain(net);
}

/** The input point of a cube point (for the lifted domain u_{d+1} must be > −1). */
export function toInput(domain: Domain, u: ArrayLike<number>): Float64Array {
  const d = domain.inputDim;
  const x = new Float64Array(d);
  if (domain.kind === 'box') {
    for (let i = 0; i < d; i++) x[i] = domain.centre[i] + domain.half[i] * u[i];
    return x;
  }
  const t = 0.5 * (u[d] + 1);
  for (let i = 0; i < d; i++) x[i] = (domain.scale * u[i]) / t;
  return x;
}

/**
 * Hidden pre-activations at a cube point, up to a positive factor (t for the lifted domain), so
 * their signs are those of f at `toInput(u)` — computed without dividing by t. When `magnitudes`
 * is given it receives, per neuron, Σ|terms| (a bound on the rounding error of z, up to n·2⁻⁵³).
 */
export function cubePreActivations(net: Network, domain: Domain, u: ArrayLike<number>, magnitudes?: Float64Array[]): Float64Array[] {
  const d = domain.inputDim;
  let h: Float64Array;
  let t = 1;
  if (domain.kind === 'box') {
    h = Float64Array.from({ length: d }, (_, i) => domain.centre[i] + domain.half[i] * u[i]);
  } else {
    t = 0.5 * (u[d] + 1);
    h = Float64Array.from({ length: d }, (_, i) => domain.scale * u[i]);
  }
  const out: Float64Array[] = [];
  for (let l = 0; l < net.layers.length - 1; l++) {
    const layer = net.layers[l];
    const z = new Float64Array(layer.outDim);
    const mag = magnitudes ? new Float64Array(layer.outDim) : null;
    for (let i = 0; i < layer.outDim; i++) {
      let s = layer.biases[i] * t;
      let m = Math.abs(s);
      const o = i * layer.inDim;
      for (let j = 0; j < layer.inDim; j++) {
        const term = layer.weights[o + j] * h[j];
        s += term;
        m += Math.abs(term);
      }
      z[i] = s;
      if (mag) mag[i] = m;
    }
    out.push(z);
    if (mag && magnitudes) magnitudes.push(mag);
    h = z.map((v) => (v > 0 ? v : 0));
  }
  return out;
}

/** The activation pattern at a cube point. */
export function cubePattern(net: Network, domain: Domain, u: ArrayLike<number>): Pattern {
  return cubePreActivations(net, domain, u).map((z) => Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)));
}

/**
 * The constraints of a pattern's region in cube coordinates: for each hidden neuron that is not
 * constant on the piece, a unit row g and offset h with s·(g·u + h) > 0 inside the region
 * (s = +1 active, −1 inactive). Rows are returned with the sign already applied: g·u + h > 0.
 */
export interface CubeConstraints {
  /** Row-major count × n, unit rows. */
  readonly g: Float64Array;
  readonly h: Float64Array;
  /** Layer and index of the neuron behind each row. */
  readonly layer: Int32Array;
  readonly neuron: Int32Array;
  readonly count: number;
}

export function cubeConstraints(net: Network, domain: Domain, pattern: Pattern): CubeConstraints {
  const { A, c } = pieceMaps(net, pattern);
  const d = domain.inputDim;
  const n = domain.n;
  const g: number[] = [];
  const h: number[] = [];
  const layers: number[] = [];
  const neurons: number[] = [];
  const row = new Float64Array(n);
  for (let l = 0; l < A.length; l++) {
    const width = c[l].length;
    for (let i = 0; i < width; i++) {
      let off: number;
      if (domain.kind === 'box') {
        off = c[l][i];
        for (let k = 0; k < d; k++) {
          const a = A[l][i * d + k];
          row[k] = a * domain.half[k];
          off += a * domain.centre[k];
        }
      } else {
        for (let k = 0; k < d; k++) row[k] = domain.scale * A[l][i * d + k];
        row[d] = 0.5 * c[l][i];
        off = 0.5 * c[l][i];
      }
      let norm2 = 0;
      for (let k = 0; k < n; k++) norm2 += row[k] * row[k];
      if (norm2 === 0) continue;
      const s = (pattern[l][i] ? 1 : -1) / Math.sqrt(norm2);
      for (let k = 0; k < n; k++) g.push(s * row[k]);
      h.push(s * off);
      layers.push(l);
      neurons.push(i);
    }
  }
  return { g: Float64Array.from(g), h: Float64Array.from(h), layer: Int32Array.from(layers), neuron: Int32Array.from(neurons), count: h.length };
}
