import type { Network } from './network.js';

/**
 * Batched forward and backward passes: the Jacobians of many points at once, as matrix products
 * over the batch (the work a BLAS-backed framework would do), written so the inner loops run over
 * contiguous memory and skip the zeros ReLU creates.
 */

const transposes = new WeakMap<Float64Array, Float64Array>();

/** Wᵀ (inDim × outDim, row-major) of a layer's weights, cached per weight array. */
function transposed(weights: Float64Array, outDim: number, inDim: number): Float64Array {
  let t = transposes.get(weights);
  if (!t) {
    t = new Float64Array(weights.length);
    for (let i = 0; i < outDim; i++) for (let j = 0; j < inDim; j++) t[j * outDim + i] = weights[i * inDim + j];
    transposes.set(weights, t);
  }
  return t;
}

/** out (rows × n) += X (rows × m) · Y (m × n), skipping zero entries of X. */
function gemmAccumulate(X: Float64Array, rows: number, m: number, Y: Float64Array, n: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const xo = r * m;
    const oo = r * n;
    for (let j = 0; j < m; j++) {
      const x = X[xo + j];
      if (x === 0) continue;
      const yo = j * n;
      let i = 0;
      for (; i + 3 < n; i += 4) {
        out[oo + i] += x * Y[yo + i];
        out[oo + i + 1] += x * Y[yo + i + 1];
        out[oo + i + 2] += x * Y[yo + i + 2];
        out[oo + i + 3] += x * Y[yo + i + 3];
      }
      for (; i < n; i++) out[oo + i] += x * Y[yo + i];
    }
  }
}

export interface BatchJacobians {
  readonly batch: number;
  readonly outputs: number;
  readonly inputDim: number;
  /** batch × outputs × inputDim: the formal Jacobian of each point, row-major per point. */
  readonly jacobians: Float64Array;
  /** batch × outputs. */
  readonly values: Float64Array;
}

/**
 * The formal Jacobians (ReLU′(0) = 0) and values of f at every row of X (batch × d). Agrees with
 * `jacobian`/`evaluate` up to the order of floating-point summation.
 */
export function batchJacobians(net: Network, X: Float64Array, batch: number): BatchJacobians {
  const d = net.inputDim;
  const L = net.layers.length;
  const k = net.layers[L - 1].outDim;
  // Forward, keeping the activation masks.
  const masks: Uint8Array[] = [];
  let H = X;
  let width = d;
  for (let l = 0; l < L; l++) {
    const layer = net.layers[l];
    const Z = new Float64Array(batch * layer.outDim);
    for (let r = 0; r < batch; r++) Z.set(layer.biases, r * layer.outDim);
    gemmAccumulate(H, batch, width, transposed(layer.weights, layer.outDim, layer.inDim), layer.outDim, Z);
    width = layer.outDim;
    if (l === L - 1) {
      H = Z;
      break;
    }
    const mask = new Uint8Array(Z.length);
    for (let i = 0; i < Z.length; i++) {
      if (Z[i] > 0) mask[i] = 1;
      else Z[i] = 0;
    }
    masks.push(mask);
    H = Z;
  }
  const values = H;
  // Backward: G (batch·k × N_ℓ) starts as W_L for every point and output.
  const last = net.layers[L - 1];
  let G = new Float64Array(batch * k * last.inDim);
  for (let r = 0; r < batch; r++) G.set(last.weights, r * k * last.inDim);
  for (let l = L - 2; l >= 0; l--) {
    const layer = net.layers[l];
    const mask = masks[l];
    const n = layer.outDim;
    for (let r = 0; r < batch; r++) {
      for (let o = 0; o < k; o++) {
        const go = (r * k + o) * n;
        const mo = r * n;
        for (let i = 0; i < n; i++) if (!mask[mo + i]) G[go + i] = 0;
      }
    }
    const next = new Float64Array(batch * k * layer.inDim);
    gemmAccumulate(G, batch * k, n, layer.weights, layer.inDim, next);
    G = next;
  }
  return { batch, outputs: k, inputDim: d, jacobians: G, values };
}
