/**
 * The network model: f(x) = W⁽ᴸ⁾ ρ(W⁽ᴸ⁻¹⁾ ρ( … ρ(W⁽⁰⁾x + b⁽⁰⁾) … ) + b⁽ᴸ⁻¹⁾) + b⁽ᴸ⁾ with ρ = ReLU,
 * f: ℝᵈ → ℝᵏ. Every layer is dense; the last one is affine (no ReLU). L = layers.length − 1 is the
 * number of hidden layers; k = 1 is the scalar case of the papers.
 */
export interface DenseLayer {
  /** Number of outputs (rows of the weight matrix). */
  readonly outDim: number;
  /** Number of inputs (columns). */
  readonly inDim: number;
  /** Row-major outDim × inDim, the layout of PyTorch's `nn.Linear.weight`. */
  readonly weights: Float64Array;
  /** Length outDim. */
  readonly biases: Float64Array;
}

/** Free-form provenance kept with a network (seed, bias law, weight convention, source file…). */
export type NetworkMeta = Readonly<Record<string, unknown>>;

export interface Network {
  readonly inputDim: number;
  /** Hidden layers then the output layer; at least one layer. */
  readonly layers: readonly DenseLayer[];
  readonly meta?: NetworkMeta;
}

/** Builds a layer from nested arrays; throws on ragged rows or a bias of the wrong length. */
export function denseLayer(weights: readonly (readonly number[])[], biases: readonly number[]): DenseLayer {
  const outDim = weights.length;
  const inDim = outDim === 0 ? 0 : weights[0].length;
  const data = new Float64Array(outDim * inDim);
  weights.forEach((row, i) => {
    if (row.length !== inDim) throw new Error(`denseLayer: row ${i} has ${row.length} entries, expected ${inDim}`);
    data.set(row, i * inDim);
  });
  if (biases.length !== outDim) throw new Error(`denseLayer: ${biases.length} biases for ${outDim} rows`);
  return { outDim, inDim, weights: data, biases: Float64Array.from(biases) };
}

/** Builds a network and checks that the layer shapes chain (a programming error otherwise). */
export function makeNetwork(inputDim: number, layers: readonly DenseLayer[], meta?: NetworkMeta): Network {
  if (layers.length === 0) throw new Error('makeNetwork: a network needs at least one layer');
  let width = inputDim;
  layers.forEach((layer, i) => {
    if (layer.inDim !== width) throw new Error(`makeNetwork: layer ${i} takes ${layer.inDim} inputs, previous width is ${width}`);
    width = layer.outDim;
  });
  return meta === undefined ? { inputDim, layers } : { inputDim, layers, meta };
}

/** k, the number of outputs. */
export function outputDim(net: Network): number {
  return net.layers[net.layers.length - 1].outDim;
}

/** Widths N₁, …, N_L of the hidden layers (empty for an affine network). */
export function hiddenWidths(net: Network): number[] {
  return net.layers.slice(0, -1).map((l) => l.outDim);
}

/** L, the number of hidden (ReLU) layers. */
export function hiddenLayerCount(net: Network): number {
  return net.layers.length - 1;
}

/** Total number of hidden neurons. */
export function neuronCount(net: Network): number {
  return hiddenWidths(net).reduce((a, b) => a + b, 0);
}

/** Number of weights and biases. */
export function parameterCount(net: Network): number {
  return net.layers.reduce((s, l) => s + l.weights.length + l.biases.length, 0);
}

/** A short architecture string such as `2→16→16→1`. */
export function describeArchitecture(net: Network): string {
  return [net.inputDim, ...net.layers.map((l) => l.outDim)].join('→');
}
