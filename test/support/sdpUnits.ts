import { EigenvalueDecomposition, Matrix, inverse } from 'ml-matrix';
import { sdpProblem, type SdpProblem } from '../../src/lipschitz/upper/sdp/problem.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';

/**
 * Independent references for the unit tests of src/lipschitz/upper/sdp: LipSDP-Neuron's matrix
 * written from its definition over the network's own weights (no code shared with lmi.ts or
 * problem.ts), dense eigenvalues from ml-matrix, and exact Lip₂ of tiny one-hidden-layer nets.
 */

/** The problem of `net` with the given states (null: global); throws when f is affine or constant. */
export function problemOf(net: Network, states: readonly Int8Array[] | null = null): SdpProblem {
  const setup = sdpProblem(net, states);
  if (setup.kind !== 'problem') throw new Error(`expected an SDP problem, got ${setup.kind}`);
  return setup.problem;
}

/** A network from nested arrays: layers as [weights, biases]. */
export function netOf(inputDim: number, ...layers: [number[][], number[]][]): Network {
  return makeNetwork(inputDim, layers.map(([w, b]) => denseLayer(w, b)));
}

/**
 * F(ρ, τ) = ρ·E₀ + Σ_p τ_p·(e_p(e_p − a_p)ᵀ + (e_p − a_p)e_pᵀ) − BᵀB over (x₀, unstable neurons), in
 * floating point, composed through active neurons from the weights as given (compare only with
 * problems whose layer exponents are all 0), and the sum of the absolute values of each entry's terms.
 */
export function denseF(net: Network, states: readonly Int8Array[] | null, tau: ArrayLike<number>, rho: number): { values: Float64Array; magnitude: Float64Array; size: number } {
  const d = net.inputDim;
  const L = net.layers.length - 1;
  let n = 0;
  for (let l = 0; l < L; l++) for (let i = 0; i < net.layers[l].outDim; i++) if (!states || states[l][i] === -1) n++;
  const size = d + n;
  const unit = (at: number) => Array.from({ length: size }, (_, c) => (c === at ? 1 : 0));
  let E: (number[] | null)[] = Array.from({ length: d }, (_, j) => unit(j));
  const incoming: number[][] = [];
  const B: number[][] = [];
  for (let l = 0; l <= L; l++) {
    const layer = net.layers[l];
    const next: (number[] | null)[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      const state = l < L ? (states ? states[l][i] : -1) : 2;
      if (state === 0) {
        next.push(null);
        continue;
      }
      const v = new Array<number>(size).fill(0);
      for (let j = 0; j < layer.inDim; j++) {
        const e = E[j];
        if (e) for (let c = 0; c < size; c++) v[c] += layer.weights[i * layer.inDim + j] * e[c];
      }
      if (state === 1) next.push(v);
      else if (state === -1) {
        next.push(unit(d + incoming.length));
        incoming.push(v);
      } else B.push(v);
    }
    E = next;
  }
  const values = new Float64Array(size * size);
  const magnitude = new Float64Array(size * size);
  const put = (i: number, j: number, x: number) => {
    values[i * size + j] += x;
    magnitude[i * size + j] += Math.abs(x);
    if (i !== j) {
      values[j * size + i] += x;
      magnitude[j * size + i] += Math.abs(x);
    }
  };
  for (let i = 0; i < d; i++) put(i, i, rho);
  incoming.forEach((a, p) => {
    put(d + p, d + p, 2 * tau[p]);
    a.forEach((x, c) => x !== 0 && put(c, d + p, -tau[p] * x));
  });
  for (const b of B) for (let i = 0; i < size; i++) for (let j = i; j < size; j++) if (b[i] * b[j] !== 0) put(i, j, -b[i] * b[j]);
  return { values, magnitude, size };
}

/** An n × n row-major array as an ml-matrix Matrix. */
export function matrixOf(a: ArrayLike<number>, n: number): Matrix {
  return new Matrix(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j])));
}

/** The eigenvalues of a symmetric n × n array, ascending (ml-matrix). */
export function eigenvalues(a: ArrayLike<number>, n: number): number[] {
  return new EigenvalueDecomposition(matrixOf(a, n), { assumeSymmetric: true }).realEigenvalues.slice().sort((x, y) => x - y);
}

/**
 * ρ*(τ) = the smallest ρ with F(ρ, τ) ⪰ 0: λ_max(−F₀₀ + F₀ₕH⁻¹Fₕ₀) from F(0, τ)'s blocks (input block
 * first, d rows), or Infinity when the hidden block H is not positive definite.
 */
export function rhoStar(net: Network, states: readonly Int8Array[] | null, tau: ArrayLike<number>): number {
  const { values, size } = denseF(net, states, tau, 0);
  const d = net.inputDim;
  const n = size - d;
  const F = matrixOf(values, size);
  const H = F.subMatrix(d, size - 1, d, size - 1);
  if (eigenvalues(H.to1DArray(), n)[0] <= 0) return Infinity;
  const C = F.subMatrix(0, d - 1, d, size - 1);
  const S = F.subMatrix(0, d - 1, 0, d - 1).neg().add(C.mmul(inverse(H)).mmul(C.transpose()));
  const sym = S.add(S.transpose()).mul(0.5);
  return eigenvalues(sym.to1DArray(), d)[d - 1];
}

/**
 * Exact Lip₂ of a one-hidden-layer net over ℝᵈ whose N ≤ d first-layer rows are linearly
 * independent: every one of the 2ᴺ activation patterns is realised on an open set, so Lip₂ is the
 * largest ‖W₁·D·W₀‖₂ over the diagonal 0/1 matrices D.
 */
export function allPatternsLip(net: Network): number {
  const [first, last] = net.layers;
  const W0 = new Matrix(Array.from({ length: first.outDim }, (_, i) => Array.from(first.weights.subarray(i * first.inDim, (i + 1) * first.inDim))));
  const W1 = new Matrix(Array.from({ length: last.outDim }, (_, i) => Array.from(last.weights.subarray(i * last.inDim, (i + 1) * last.inDim))));
  let best = 0;
  for (let mask = 0; mask < 1 << first.outDim; mask++) {
    const D = Matrix.diag(Array.from({ length: first.outDim }, (_, i) => (mask >> i) & 1));
    const J = W1.mmul(D).mmul(W0);
    const G = J.transpose().mmul(J);
    best = Math.max(best, Math.sqrt(Math.max(0, eigenvalues(G.to1DArray(), first.inDim)[first.inDim - 1])));
  }
  return best;
}

/** Two hidden neurons, two inputs, one output (layer exponents 0; the rows are independent: allPatternsLip applies). */
export const pairNet = netOf(2, [[[1, 0.4], [-0.6, 1.3]], [0.2, -0.1]], [[[1.1, -0.8]], [0.3]]);

/** 2 → 3 → 2 → 2, every layer's largest weight within √2 of 1 (layer exponents 0). */
export const deepNet = netOf(
  2,
  [[[0.9, -0.5], [0.3, 1.2], [-1.1, 0.4]], [0.1, -0.2, 0.3]],
  [[[0.7, -1.0, 0.5], [1.2, 0.6, -0.9]], [0.2, 0.1]],
  [[[1.0, -0.6], [0.4, 0.8]], [0, 0]],
);

/**
 * States for deepNet: layer 0's neuron 0 active, 1 unstable, 2 inactive; layer 1's neuron 0 unstable
 * and 1 active — so rows are composed through active neurons and an output row reaches the input.
 */
export const mixedStates = (): Int8Array[] => [Int8Array.of(1, -1, 0), Int8Array.of(-1, 1)];
