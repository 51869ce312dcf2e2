import { dot2, twoSum } from '../linalg/exactSums.js';
import { forward, type Pattern } from '../network/evaluate.js';
import type { Budget } from './budget.js';
import { makeNetwork, type Network } from '../network/network.js';
import type { Box } from './query.js';
import { gamma, UNIT_ROUNDOFF } from './upper/rounding.js';

/**
 * The domain of a Lipschitz query as the unit cube u ∈ [−1, 1]ⁿ, so every LP is well scaled.
 *
 * - On a box (local constant), x = centre + half ⊙ u, n = d. The centre is kept exactly, as the
 *   double-double centre + centreLow = (lo + hi)/2, and half = (hi − lo)/2 to within halfError, so
 *   the cube is the box exactly. The first hidden layer is rewritten in cube coordinates once,
 *   `local`: weights W₀·diag(half), biases b₀ + W₀·centre by a compensated dot product, with a
 *   bound `localError` on how far q + P·u can be from the true pre-activation for any |u| ≤ 1 —
 *   so a box far from the origin (centre 1e8, width 1e-3) keeps its kinks: no huge W₀·centre is
 *   ever rounded and then cancelled.
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
  /** Box: the centre (rounded to nearest) and centre − centre-rounded (exact). Lifted: zeros. */
  readonly centre: Float64Array;
  readonly centreLow: Float64Array;
  /** Box: half-widths (rounded to nearest) and a bound on their rounding error. Lifted: zeros. */
  readonly half: Float64Array;
  readonly halfError: Float64Array;
  /** Box: the box itself (witnesses are kept inside it). */
  readonly box: Box | null;
  /** Lifted: the scale S. Box: 1. */
  readonly scale: number;
  /** Box: the network with its first layer in cube coordinates (see above). Lifted: null. */
  readonly local: Network | null;
  /** Box: per first-layer neuron, |true z(x(u)) − (q + P·u)| ≤ localError for all |u| ≤ 1. */
  readonly localError: Float64Array | null;
}

/** The cube domain of a box, with the network's first layer moved into cube coordinates. */
function boxDomain(net: Network, box: Box): Domain {
  const d = box.lo.length;
  const centre = new Float64Array(d);
  const centreLow = new Float64Array(d);
  const half = new Float64Array(d);
  const halfError = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    // Halving is exact (away from the subnormal range), so centre + centreLow = (lo + hi)/2 exactly.
    const [s, e] = twoSum(box.lo[i], box.hi[i]);
    centre[i] = 0.5 * s;
    centreLow[i] = 0.5 * e;
    const [w, we] = twoSum(box.hi[i], -box.lo[i]);
    half[i] = 0.5 * w;
    halfError[i] = 0.5 * Math.abs(we) + Number.MIN_VALUE;
  }
  const { P, q, error: localError } = localFirstLayer(net, { centre, centreLow, half, halfError });
  const N = net.layers[0].outDim;
  const local = makeNetwork(d, [{ outDim: N, inDim: d, weights: P, biases: q }, ...net.layers.slice(1)]);
  return { kind: 'box', n: d, inputDim: d, centre, centreLow, half, halfError, box, scale: 1, local, localError };
}

/**
 * A network's first layer in the cube coordinates of a box: P = W₀·diag(half) and q = b₀ + W₀·centre
 * (compensated, see exactSums.ts), with `error` bounding |b₀ + W₀·x(u) − (q + P·u)| for every
 * |u| ≤ 1 — the rounding of q and of P, and the half-widths' representation error.
 */
export function localFirstLayer(
  net: Network,
  domain: Pick<Domain, 'centre' | 'centreLow' | 'half' | 'halfError'>,
): { P: Float64Array; q: Float64Array; error: Float64Array } {
  const { centre, centreLow, half, halfError } = domain;
  const first = net.layers[0];
  const d = first.inDim;
  const N = first.outDim;
  const P = new Float64Array(N * d);
  const q = new Float64Array(N);
  const error = new Float64Array(N);
  const xs = new Float64Array(2 * d + 1);
  const ys = new Float64Array(2 * d + 1);
  for (let i = 0; i < N; i++) {
    let weightError = 0;
    for (let k = 0; k < d; k++) {
      const w = first.weights[i * d + k];
      P[i * d + k] = w * half[k];
      weightError += UNIT_ROUNDOFF * Math.abs(P[i * d + k]) + Math.abs(w) * halfError[k];
      xs[2 * k] = w;
      ys[2 * k] = centre[k];
      xs[2 * k + 1] = w;
      ys[2 * k + 1] = centreLow[k];
    }
    xs[2 * d] = first.biases[i];
    ys[2 * d] = 1;
    const sum = dot2(xs, ys);
    q[i] = sum.value;
    error[i] = (sum.error + weightError) * (1 + gamma(d + 2)) + Number.MIN_VALUE;
  }
  return { P, q, error };
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
  const zeros = new Float64Array(d);
  return { kind: 'lifted', n: d + 1, inputDim: d, centre: zeros, centreLow: zeros, half: zeros, halfError: zeros, box: null, scale, local: null, localError: null };
}

/** The domain of a query: the box, or the homogenised ℝᵈ. */
export function queryDomain(net: Network, box: Box | null): Domain {
  return box ? boxDomain(net, box) : liftedDomain(net);
}

/**
 * The input point of a cube point, rounded to the nearest double or nearly (for the lifted domain
 * u_{d+1} must be > −1). On a box it is kept inside the closed box.
 */
export function toInput(domain: Domain, u: ArrayLike<number>): Float64Array {
  const d = domain.inputDim;
  const x = new Float64Array(d);
  if (domain.box) {
    for (let i = 0; i < d; i++) x[i] = Math.min(domain.box.hi[i], Math.max(domain.box.lo[i], domain.centre[i] + (domain.centreLow[i] + domain.half[i] * u[i])));
    return x;
  }
  const t = 0.5 * (u[d] + 1);
  for (let i = 0; i < d; i++) x[i] = (domain.scale * u[i]) / t;
  return x;
}

/**
 * Hidden pre-activations at a cube point, up to a positive factor (t for the lifted domain), so
 * their signs are those of f at the real point x(u) — computed without dividing by t.
 */
export function cubePreActivations(net: Network, domain: Domain, u: ArrayLike<number>): Float64Array[] {
  if (domain.local) return forward(domain.local, u).preActivations;
  return cubeForward(net, domain, u, null).z;
}

/**
 * The lifted forward pass (t·z on every layer) and, with `errors`, a running bound on the error of
 * every computed value (γ·Σ|terms| per sum, doubled for second-order terms, plus the propagated
 * errors of its inputs and, on a box, the first layer's `localError`; see exact/certify.ts).
 */
export function cubeForward(net: Network, domain: Domain, u: ArrayLike<number>, errors: Float64Array[] | null): { z: Float64Array[] } {
  const d = domain.inputDim;
  const local = domain.local;
  const layers = local ? local.layers : net.layers;
  let h: Float64Array;
  let hErr: Float64Array;
  let t = 1;
  if (local) {
    h = Float64Array.from(u);
    hErr = new Float64Array(d);
  } else {
    t = 0.5 * (u[d] + 1);
    h = Float64Array.from({ length: d }, (_, i) => domain.scale * u[i]);
    hErr = new Float64Array(d);
  }
  const out: Float64Array[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    const layer = layers[l];
    const z = new Float64Array(layer.outDim);
    const err = errors ? new Float64Array(layer.outDim) : null;
    // Layer 0 of the lifted domain also carries the roundings of S·u and of t (relative u each).
    const g = gamma(layer.inDim + (l === 0 && !local ? 4 : 2));
    for (let i = 0; i < layer.outDim; i++) {
      let s = layer.biases[i] * t;
      let magnitude = Math.abs(s);
      let propagated = 0;
      const o = i * layer.inDim;
      for (let j = 0; j < layer.inDim; j++) {
        const w = layer.weights[o + j];
        const term = w * h[j];
        s += term;
        magnitude += Math.abs(term);
        propagated += Math.abs(w) * hErr[j];
      }
      z[i] = s;
      if (err) err[i] = 2 * (g * magnitude + propagated) + (l === 0 && domain.localError ? domain.localError[i] : 0);
    }
    out.push(z);
    if (err && errors) errors.push(err);
    h = z.map((v) => (v > 0 ? v : 0));
    // ρ is 1-Lipschitz, and exact where the sign is certain to be negative.
    hErr = err ? err.map((e, i) => (z[i] < -e ? 0 : e)) : hErr;
  }
  return { z: out };
}

/** The activation pattern at a cube point (floating point, uncertified). */
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

/**
 * The constraints of a pattern's region (see above). With a budget, returns null as soon as it
 * runs out (a row costs d·N_{ℓ−1} products: seconds for d = 784).
 */
export function cubeConstraints(net: Network, domain: Domain, pattern: Pattern): CubeConstraints;
export function cubeConstraints(net: Network, domain: Domain, pattern: Pattern, budget: Budget): CubeConstraints | null;
export function cubeConstraints(net: Network, domain: Domain, pattern: Pattern, budget?: Budget): CubeConstraints | null {
  const maps = affineMaps(domain.local ?? net, pattern, budget);
  if (!maps) return null;
  const { A, c } = maps;
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
      if (domain.local) {
        off = c[l][i];
        for (let k = 0; k < d; k++) row[k] = A[l][i * d + k];
      } else {
        for (let k = 0; k < d; k++) row[k] = domain.scale * A[l][i * d + k];
        row[d] = 0.5 * c[l][i];
        off = 0.5 * c[l][i];
      }
      let scale = 0;
      for (let k = 0; k < n; k++) scale = Math.max(scale, Math.abs(row[k]));
      if (scale === 0 || !Number.isFinite(scale)) continue;
      // Normalise in two steps (by the largest entry, then the length) so tiny rows do not underflow.
      let norm2 = 0;
      for (let k = 0; k < n; k++) norm2 += (row[k] / scale) ** 2;
      const sign = pattern[l][i] ? 1 : -1;
      const length = Math.sqrt(norm2);
      for (let k = 0; k < n; k++) g.push((sign * (row[k] / scale)) / length);
      h.push((sign * (off / scale)) / length);
      layers.push(l);
      neurons.push(i);
    }
  }
  return { g: Float64Array.from(g), h: Float64Array.from(h), layer: Int32Array.from(layers), neuron: Int32Array.from(neurons), count: h.length };
}

/**
 * The affine maps z_ℓ = A_ℓ·x + c_ℓ of the hidden pre-activations on a pattern's piece (as
 * `pieceMaps` in network/evaluate.ts, with A₀ = W₀ taken as is rather than multiplied by the
 * identity), checking the budget every 16 rows; null when it runs out.
 */
function affineMaps(net: Network, pattern: Pattern, budget?: Budget): { A: Float64Array[]; c: Float64Array[] } | null {
  const d = net.inputDim;
  const first = net.layers[0];
  const A: Float64Array[] = [first.weights];
  const c: Float64Array[] = [first.biases];
  for (let l = 1; l < net.layers.length - 1; l++) {
    const layer = net.layers[l];
    const prevA = A[l - 1];
    const prevC = c[l - 1];
    const mask = pattern[l - 1];
    const Al = new Float64Array(layer.outDim * d);
    const cl = new Float64Array(layer.outDim);
    for (let i = 0; i < layer.outDim; i++) {
      if ((i & 15) === 15 && budget?.exceeded()) return null;
      let ci = layer.biases[i];
      const ao = i * d;
      for (let j = 0; j < layer.inDim; j++) {
        const w = layer.weights[i * layer.inDim + j];
        if (w === 0 || !mask[j]) continue;
        ci += w * prevC[j];
        const po = j * d;
        for (let k = 0; k < d; k++) Al[ao + k] += w * prevA[po + k];
      }
      cl[i] = ci;
    }
    A.push(Al);
    c.push(cl);
  }
  return { A, c };
}
