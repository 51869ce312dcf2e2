import type { Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { localFirstLayer, type Domain } from '../domain.js';
import { spectralUpperBound } from './operatorNorms.js';
import { UNIT_ROUNDOFF, gamma, widen } from './rounding.js';

/**
 * The affine part each layer takes from the cube coordinates u (see domain.ts): hidden layer ℓ
 * computes z_ℓ = W_ℓ·ρ(z_{ℓ−1}) + P_ℓ·u + q_ℓ (for ℓ = 0 only P_0·u + q_0). On a box
 * P_0 = W₀·diag(half), q_0 = W₀·centre + b₀ (the domain's compensated first layer) and later
 * layers add their biases; on the homogenised domain every bias is multiplied by
 * t = (u_{d+1} + 1)/2. `error` bounds, per neuron, |exact affine part − (P·u + q)| for every
 * |u| ≤ 1 (rounding of P, q and of the box's centre and half-widths), so bounds built on P and q
 * stay sound when huge terms cancel (a box far from the origin).
 */
export interface LayerInput {
  /** N_ℓ × n, row-major (only P_0 is dense; later ones have one column at most). */
  readonly P: Float64Array;
  readonly q: Float64Array;
  readonly error: Float64Array;
}

export function layerInputs(net: Network, domain: Domain): LayerInput[] {
  const n = domain.n;
  const d = domain.inputDim;
  const out: LayerInput[] = [];
  for (let l = 0; l < net.layers.length - 1; l++) {
    const layer = net.layers[l];
    const P = new Float64Array(layer.outDim * n);
    const q = new Float64Array(layer.outDim);
    const error = new Float64Array(layer.outDim);
    if (domain.kind === 'box') {
      if (l === 0) {
        const local = localFirstLayer(net, domain);
        P.set(local.P);
        q.set(local.q);
        error.set(local.error);
      } else q.set(layer.biases);
    } else {
      for (let i = 0; i < layer.outDim; i++) {
        P[i * n + d] = 0.5 * layer.biases[i];
        q[i] = 0.5 * layer.biases[i];
        if (l === 0) {
          // S·w rounds (relative u); halving the bias is exact.
          let magnitude = 0;
          for (let k = 0; k < d; k++) {
            P[i * n + k] = domain.scale * layer.weights[i * d + k];
            magnitude += Math.abs(P[i * n + k]);
          }
          error[i] = UNIT_ROUNDOFF * magnitude;
        }
      }
    }
    out.push({ P, q, error });
  }
  return out;
}

/** Bounds [lo, hi] on every hidden pre-activation over the open cube (up to the positive factor t). */
export interface PreActivationBounds {
  readonly lo: Float64Array[];
  readonly hi: Float64Array[];
}

/**
 * Interval bound propagation over the cube, with every endpoint widened for rounding (see
 * rounding.ts), so lo ≤ z ≤ hi holds for the exact pre-activations at every point of the domain.
 */
export function preActivationBounds(net: Network, domain: Domain): PreActivationBounds {
  const n = domain.n;
  const inputs = layerInputs(net, domain);
  const lo: Float64Array[] = [];
  const hi: Float64Array[] = [];
  let aLo: Float64Array | null = null;
  let aHi: Float64Array | null = null;
  for (let l = 0; l < inputs.length; l++) {
    const layer = net.layers[l];
    const { P, q, error } = inputs[l];
    const L = new Float64Array(layer.outDim);
    const H = new Float64Array(layer.outDim);
    for (let i = 0; i < layer.outDim; i++) {
      const centre = q[i];
      let radius = error[i];
      let mag = Math.abs(q[i]);
      for (let k = 0; k < n; k++) {
        const p = Math.abs(P[i * n + k]);
        radius += p;
        mag += p;
      }
      let low = centre - radius;
      let high = centre + radius;
      let terms = n + 1;
      if (l > 0 && aLo && aHi) {
        for (let j = 0; j < layer.inDim; j++) {
          const w = layer.weights[i * layer.inDim + j];
          if (w === 0) continue;
          const x = w * aLo[j];
          const y = w * aHi[j];
          low += Math.min(x, y);
          high += Math.max(x, y);
          mag += Math.max(Math.abs(x), Math.abs(y));
        }
        terms += layer.inDim;
      }
      const guard = widen(terms, mag);
      // Overflow: ∞ − ∞ (an infinite centre and guard, or +∞ and −∞ terms) says nothing: ±∞, not NaN.
      const down = low - guard;
      const up = high + guard;
      L[i] = Number.isNaN(down) ? -Infinity : down;
      H[i] = Number.isNaN(up) ? Infinity : up;
    }
    lo.push(L);
    hi.push(H);
    aLo = L.map((v) => Math.max(0, v));
    aHi = H.map((v) => Math.max(0, v));
  }
  return { lo, hi };
}

/** Neuron states over the domain: 1 always active, 0 always inactive, −1 unstable. */
export function neuronStates(bounds: PreActivationBounds): Int8Array[] {
  return bounds.lo.map((lo, l) => Int8Array.from(lo, (v, i) => (v > 0 ? 1 : bounds.hi[l][i] < 0 ? 0 : -1)));
}

/**
 * A Fast-Lip-style bound: interval matrices for J = W_L D_{L−1} ⋯ D₀ W₀ with D fixed on stable
 * neurons and [0, 1] on unstable ones, then ‖J‖_{p→p} ≤ ‖max(|J_lo|, |J_hi|)‖_{p→p} (norms of
 * non-negative matrices are monotone entrywise). Sound for every region meeting the domain.
 * `unstable` reports the fraction of unstable neurons: at 1 the bound uses no geometry at all.
 * `lo`, `hi` (k × d) are the entrywise bounds on J themselves.
 */
export function intervalJacobianBound(
  net: Network,
  domain: Domain,
  norm: Norm,
  bounds = preActivationBounds(net, domain),
): { value: number; unstable: number; lo: Float64Array; hi: Float64Array } {
  const states = neuronStates(bounds);
  const L = net.layers.length;
  const last = net.layers[L - 1];
  const k = last.outDim;
  let lo = last.weights.slice();
  let hi = last.weights.slice();
  let width = last.inDim;
  let unstable = 0;
  let total = 0;
  for (let l = L - 2; l >= 0; l--) {
    const layer = net.layers[l];
    const state = states[l];
    for (let i = 0; i < width; i++) {
      total++;
      if (state[i] === -1) unstable++;
      for (let r = 0; r < k; r++) {
        const idx = r * width + i;
        if (state[i] === 0) lo[idx] = hi[idx] = 0;
        else if (state[i] === -1) {
          lo[idx] = Math.min(0, lo[idx]);
          hi[idx] = Math.max(0, hi[idx]);
        }
      }
    }
    const nlo = new Float64Array(k * layer.inDim);
    const nhi = new Float64Array(k * layer.inDim);
    const mag = new Float64Array(k * layer.inDim);
    for (let r = 0; r < k; r++) {
      for (let i = 0; i < width; i++) {
        const a = lo[r * width + i];
        const b = hi[r * width + i];
        if (a === 0 && b === 0) continue;
        for (let j = 0; j < layer.inDim; j++) {
          const w = layer.weights[i * layer.inDim + j];
          const x = a * w;
          const y = b * w;
          const o = r * layer.inDim + j;
          nlo[o] += Math.min(x, y);
          nhi[o] += Math.max(x, y);
          mag[o] += Math.max(Math.abs(x), Math.abs(y));
        }
      }
    }
    for (let o = 0; o < mag.length; o++) {
      const g = widen(width, mag[o]);
      nlo[o] -= g;
      nhi[o] += g;
    }
    lo = nlo;
    hi = nhi;
    width = layer.inDim;
  }
  const abs = Float64Array.from(lo, (v, i) => Math.max(Math.abs(v), Math.abs(hi[i])));
  const m = { rows: k, cols: width, data: abs };
  // p = 2: the spectral norm proven (or the cheap bound); p = 1, ∞: a sum of at most max(k, d)
  // non-negative terms, off by at most γ of that count.
  const value = norm === '2' ? spectralUpperBound(m) : operatorNorm(m, norm) * (1 + gamma(Math.max(k, width) + 1));
  return { value, unstable: total === 0 ? 0 : unstable / total, lo, hi };
}
