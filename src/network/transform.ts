import type { Norm } from '../linalg/norms.js';
import type { RandomStream } from '../random/stream.js';
import type { Box } from '../lipschitz/query.js';
import { makeNetwork, outputDim, type DenseLayer, type Network } from './network.js';

/**
 * Metamorphic transformations: changes to a network whose effect on every Lipschitz constant is
 * known exactly (BRIEF §4). Each carries the factor by which Lip_p changes, the norms for which
 * that holds, and how a box of the original query maps to the transformed one.
 */
export interface Transformation {
  readonly name: string;
  readonly net: Network;
  /** Lip_p(transformed, mapBox(B)) = factor · Lip_p(original, B). */
  readonly factor: number;
  /** The norms for which the identity holds. */
  readonly norms: readonly Norm[];
  /** The transformed box of an original box; null when the transformation has no box counterpart (use it globally only). */
  readonly mapBox: ((box: Box) => Box) | null;
  /** True if the transformed network computes the same function (up to the stated input map). */
  readonly sameFunction: boolean;
}

const ALL: readonly Norm[] = ['2', '1', 'inf'];

function copyLayer(l: DenseLayer): DenseLayer {
  return { outDim: l.outDim, inDim: l.inDim, weights: l.weights.slice(), biases: l.biases.slice() };
}

function rebuild(net: Network, layers: DenseLayer[]): Network {
  return makeNetwork(layers[0].inDim, layers, net.meta);
}

/** The layers with a copy of the output layer, the others shared (networks are never changed in place). */
function withOutputCopy(net: Network): DenseLayer[] {
  return [...net.layers.slice(0, -1), copyLayer(net.layers[net.layers.length - 1])];
}

/** x ↦ c·f(x): Lip × |c|. */
export function scaleOutput(net: Network, c: number): Transformation {
  const layers = withOutputCopy(net);
  const last = layers[layers.length - 1];
  for (let i = 0; i < last.weights.length; i++) last.weights[i] *= c;
  for (let i = 0; i < last.biases.length; i++) last.biases[i] *= c;
  return { name: `scale output by ${c}`, net: rebuild(net, layers), factor: Math.abs(c), norms: ALL, mapBox: (b) => b, sameFunction: false };
}

/** f + b: the output bias never changes a Lipschitz constant. */
export function shiftOutput(net: Network, shift: number): Transformation {
  const layers = withOutputCopy(net);
  const last = layers[layers.length - 1];
  for (let i = 0; i < last.biases.length; i++) last.biases[i] += shift;
  return { name: `add ${shift} to the output bias`, net: rebuild(net, layers), factor: 1, norms: ALL, mapBox: (b) => b, sameFunction: false };
}

/** Hidden neuron (l, i): incoming row and bias × α > 0, outgoing column × 1/α. Same function. */
export function rescaleNeuron(net: Network, l: number, i: number, alpha: number): Transformation {
  if (!(alpha > 0)) throw new Error('rescaleNeuron: α must be > 0');
  const layers = net.layers.map(copyLayer);
  const inLayer = layers[l];
  for (let j = 0; j < inLayer.inDim; j++) inLayer.weights[i * inLayer.inDim + j] *= alpha;
  inLayer.biases[i] *= alpha;
  const next = layers[l + 1];
  for (let r = 0; r < next.outDim; r++) next.weights[r * next.inDim + i] /= alpha;
  return { name: `rescale neuron ${l}:${i} by ${alpha}`, net: rebuild(net, layers), factor: 1, norms: ALL, mapBox: (b) => b, sameFunction: true };
}

/** Permutes the neurons of hidden layer l. Same function. */
export function permuteNeurons(net: Network, l: number, perm: readonly number[]): Transformation {
  const layers = net.layers.map(copyLayer);
  const src = net.layers[l];
  const dst = layers[l];
  perm.forEach((from, to) => {
    dst.weights.set(src.weights.subarray(from * src.inDim, (from + 1) * src.inDim), to * src.inDim);
    dst.biases[to] = src.biases[from];
  });
  const nextSrc = net.layers[l + 1];
  const next = layers[l + 1];
  for (let r = 0; r < next.outDim; r++) perm.forEach((from, to) => (next.weights[r * next.inDim + to] = nextSrc.weights[r * nextSrc.inDim + from]));
  return { name: `permute layer ${l}`, net: rebuild(net, layers), factor: 1, norms: ALL, mapBox: (b) => b, sameFunction: true };
}

/** g(x) = f(x + t): Lip unchanged; a box B of f corresponds to B − t for g. */
export function translateInput(net: Network, t: readonly number[]): Transformation {
  const layers = net.layers.map(copyLayer);
  const first = layers[0];
  for (let i = 0; i < first.outDim; i++) for (let j = 0; j < first.inDim; j++) first.biases[i] += first.weights[i * first.inDim + j] * t[j];
  return {
    name: 'translate the input',
    net: rebuild(net, layers),
    factor: 1,
    norms: ALL,
    mapBox: (b) => ({ lo: b.lo.map((v, j) => v - t[j]), hi: b.hi.map((v, j) => v - t[j]) }),
    sameFunction: true,
  };
}

/** g(x) = f(s·x), s ≠ 0: Lip × |s|; a box B of f corresponds to B/s for g. */
export function scaleInput(net: Network, s: number): Transformation {
  const layers = net.layers.map(copyLayer);
  const first = layers[0];
  for (let i = 0; i < first.weights.length; i++) first.weights[i] *= s;
  return {
    name: `scale the input by ${s}`,
    net: rebuild(net, layers),
    factor: Math.abs(s),
    norms: ALL,
    mapBox: (b) => ({ lo: b.lo.map((v, j) => Math.min(v / s, b.hi[j] / s)), hi: b.hi.map((v, j) => Math.max(v / s, b.lo[j] / s)) }),
    sameFunction: true,
  };
}

/** g(x) = f(Qx) for an orthogonal Q (d × d, row-major): Lip₂ unchanged; global only. */
export function rotateInput(net: Network, Q: Float64Array): Transformation {
  const layers = net.layers.map(copyLayer);
  const first = layers[0];
  const d = first.inDim;
  const src = net.layers[0].weights;
  for (let i = 0; i < first.outDim; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let m = 0; m < d; m++) s += src[i * d + m] * Q[m * d + j];
      first.weights[i * d + j] = s;
    }
  }
  return { name: 'rotate the input', net: rebuild(net, layers), factor: 1, norms: ['2'], mapBox: null, sameFunction: true };
}

/** g(x) = f(P S x) for a permutation P and signs S: Lip_p unchanged for every p; boxes permute and flip. */
export function signedPermuteInput(net: Network, perm: readonly number[], signs: readonly number[]): Transformation {
  // g(x)_input m of f = signs[m]·x[perm[m]]  ⇒  column perm[m] of the new W₀ is signs[m] × column m.
  const layers = net.layers.map(copyLayer);
  const first = layers[0];
  const d = first.inDim;
  const src = net.layers[0].weights;
  for (let i = 0; i < first.outDim; i++) for (let m = 0; m < d; m++) first.weights[i * d + perm[m]] = signs[m] * src[i * d + m];
  return {
    name: 'signed permutation of the inputs',
    net: rebuild(net, layers),
    factor: 1,
    norms: ALL,
    mapBox: (b) => {
      const lo = new Float64Array(d);
      const hi = new Float64Array(d);
      for (let m = 0; m < d; m++) {
        // f's coordinate m ranges over [b.lo[m], b.hi[m]] = signs[m]·x[perm[m]].
        lo[perm[m]] = signs[m] > 0 ? b.lo[m] : -b.hi[m];
        hi[perm[m]] = signs[m] > 0 ? b.hi[m] : -b.lo[m];
      }
      return { lo, hi };
    },
    sameFunction: true,
  };
}

/** Adds a neuron to hidden layer l that is never active (zero weights, bias −1), with arbitrary outgoing weights. */
export function addDeadNeuron(net: Network, l: number, outgoing: readonly number[]): Transformation {
  const layers = net.layers.map(copyLayer);
  const layer = layers[l];
  const weights = new Float64Array((layer.outDim + 1) * layer.inDim);
  weights.set(layer.weights);
  layers[l] = { outDim: layer.outDim + 1, inDim: layer.inDim, weights, biases: Float64Array.from([...layer.biases, -1]) };
  const next = layers[l + 1];
  const nw = new Float64Array(next.outDim * (next.inDim + 1));
  for (let r = 0; r < next.outDim; r++) {
    nw.set(next.weights.subarray(r * next.inDim, (r + 1) * next.inDim), r * (next.inDim + 1));
    nw[r * (next.inDim + 1) + next.inDim] = outgoing[r % outgoing.length];
  }
  layers[l + 1] = { outDim: next.outDim, inDim: next.inDim + 1, weights: nw, biases: next.biases };
  return { name: `add a dead neuron to layer ${l}`, net: rebuild(net, layers), factor: 1, norms: ALL, mapBox: (b) => b, sameFunction: true };
}

/** Splits hidden neuron (l, i) into two copies, each with half the outgoing weights. Same function. */
export function splitNeuron(net: Network, l: number, i: number): Transformation {
  const layers = net.layers.map(copyLayer);
  const layer = layers[l];
  const weights = new Float64Array((layer.outDim + 1) * layer.inDim);
  weights.set(layer.weights);
  weights.set(layer.weights.subarray(i * layer.inDim, (i + 1) * layer.inDim), layer.outDim * layer.inDim);
  layers[l] = { outDim: layer.outDim + 1, inDim: layer.inDim, weights, biases: Float64Array.from([...layer.biases, layer.biases[i]]) };
  const next = layers[l + 1];
  const nw = new Float64Array(next.outDim * (next.inDim + 1));
  for (let r = 0; r < next.outDim; r++) {
    nw.set(next.weights.subarray(r * next.inDim, (r + 1) * next.inDim), r * (next.inDim + 1));
    const half = next.weights[r * next.inDim + i] / 2;
    nw[r * (next.inDim + 1) + i] = half;
    nw[r * (next.inDim + 1) + next.inDim] = half;
  }
  layers[l + 1] = { outDim: next.outDim, inDim: next.inDim + 1, weights: nw, biases: next.biases };
  return { name: `split neuron ${l}:${i}`, net: rebuild(net, layers), factor: 1, norms: ALL, mapBox: (b) => b, sameFunction: true };
}

/** Permutes the outputs (k > 1): ‖PJ‖_{p→p} = ‖J‖_{p→p} for p = 1, 2, ∞. */
export function permuteOutputs(net: Network, perm: readonly number[]): Transformation {
  const layers = net.layers.map(copyLayer);
  const src = net.layers[net.layers.length - 1];
  const dst = layers[layers.length - 1];
  perm.forEach((from, to) => {
    dst.weights.set(src.weights.subarray(from * src.inDim, (from + 1) * src.inDim), to * src.inDim);
    dst.biases[to] = src.biases[from];
  });
  return { name: 'permute the outputs', net: rebuild(net, layers), factor: 1, norms: ALL, mapBox: (b) => b, sameFunction: false };
}

/** A uniformly random permutation of 0 … n−1 (Fisher–Yates). */
export function shuffle(n: number, stream: RandomStream): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(stream.uniform() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** A random d × d orthogonal matrix (Gram–Schmidt on Gaussian columns). */
export function randomOrthogonal(d: number, stream: RandomStream): Float64Array {
  const Q = new Float64Array(d * d);
  for (let c = 0; c < d; c++) {
    const v = Float64Array.from({ length: d }, () => stream.gaussian());
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += v[r] * Q[r * d + p];
      for (let r = 0; r < d; r++) v[r] -= dot * Q[r * d + p];
    }
    const len = Math.hypot(...v);
    for (let r = 0; r < d; r++) Q[r * d + c] = v[r] / len;
  }
  return Q;
}

/**
 * The output scaled and the output bias shifted, with parameters drawn from `stream`: the first two
 * of `standardTransformations` (the same draws), valid for every norm and box, and cheap at any
 * size (the others rotate or permute the input: seconds on a 784-input network).
 */
export function outputTransformations(net: Network, stream: RandomStream): Transformation[] {
  return [scaleOutput(net, (stream.uniform() < 0.5 ? -1 : 1) * (0.25 + 3 * stream.uniform())), shiftOutput(net, 5 * stream.gaussian())];
}

/** One of each transformation, with parameters drawn from `stream`. */
export function standardTransformations(net: Network, stream: RandomStream): Transformation[] {
  const d = net.inputDim;
  const hidden = net.layers.length - 1;
  const pickLayer = () => Math.floor(stream.uniform() * hidden);
  const out: Transformation[] = [
    ...outputTransformations(net, stream),
    translateInput(net, Array.from({ length: d }, () => stream.gaussian())),
    scaleInput(net, (stream.uniform() < 0.5 ? -1 : 1) * (0.5 + 2 * stream.uniform())),
    rotateInput(net, randomOrthogonal(d, stream)),
    signedPermuteInput(net, shuffle(d, stream), Array.from({ length: d }, () => (stream.uniform() < 0.5 ? -1 : 1))),
  ];
  if (hidden > 0) {
    const l = pickLayer();
    const width = net.layers[l].outDim;
    out.push(
      rescaleNeuron(net, l, Math.floor(stream.uniform() * width), Math.exp(2 * stream.gaussian())),
      permuteNeurons(net, l, shuffle(width, stream)),
      addDeadNeuron(net, l, Array.from({ length: net.layers[l + 1].outDim }, () => 3 * stream.gaussian())),
      splitNeuron(net, l, Math.floor(stream.uniform() * width)),
    );
  }
  if (outputDim(net) > 1) out.push(permuteOutputs(net, shuffle(outputDim(net), stream)));
  return out;
}
