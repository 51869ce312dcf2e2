import type { BiasLaw } from '../random/biasLaws.js';
import { createStream, type Seed } from '../random/stream.js';
import { makeNetwork, type DenseLayer, type Network } from './network.js';

/**
 * Hidden-weight variance conventions. `he-fanout` is the papers' model: W⁽ℓ⁾ has i.i.d. N(0, 2/N_{ℓ+1})
 * entries, scaled by the layer's output width. `he-fanin` is the common variant N(0, 2/N_ℓ).
 * The other two are DELIBERATE MODEL VIOLATIONS, there only so the theorem tests can show that they
 * notice (like the asymmetric bias laws): `unnormalised` draws every hidden weight from N(0, 2), not
 * divided by a width (Lip then grows like √N per hidden layer); `input-scaled` is `he-fanout` with
 * the first layer's weights multiplied by √d (Lip then grows like d instead of √d).
 */
export type WeightConvention = 'he-fanout' | 'he-fanin' | 'unnormalised' | 'input-scaled';

export const WEIGHT_CONVENTIONS: readonly WeightConvention[] = ['he-fanout', 'he-fanin', 'unnormalised', 'input-scaled'];

/** The conventions that break the papers' model on purpose. */
export const DELIBERATE_VIOLATIONS: readonly WeightConvention[] = ['unnormalised', 'input-scaled'];

export interface SampleSpec {
  readonly inputDim: number;
  /** Hidden widths N₁ … N_L (L ≥ 0). */
  readonly widths: readonly number[];
  readonly bias: BiasLaw;
  readonly weights: WeightConvention;
  readonly seed: Seed;
  /** Number of outputs k (default 1). Output weights are i.i.d. N(0, 1). */
  readonly outputs?: number;
}

/** The variance of hidden layer ℓ's weights under a convention (inDim = N_ℓ, outDim = N_{ℓ+1}; layer 0 reads the input). */
export function hiddenWeightVariance(convention: WeightConvention, inDim: number, outDim: number, layer = 1): number {
  switch (convention) {
    case 'he-fanout':
      return 2 / outDim;
    case 'he-fanin':
      return 2 / inDim;
    case 'unnormalised':
      return 2;
    case 'input-scaled':
      return layer === 0 ? (2 * inDim) / outDim : 2 / outDim;
  }
}

function sampleLayer(
  spec: SampleSpec,
  label: string,
  inDim: number,
  outDim: number,
  std: number,
): DenseLayer {
  const w = createStream(spec.seed, `${label}/weights`);
  const b = createStream(spec.seed, `${label}/biases`);
  const weights = new Float64Array(inDim * outDim);
  for (let i = 0; i < weights.length; i++) weights[i] = std * w.gaussian();
  const biases = new Float64Array(outDim);
  for (let i = 0; i < outDim; i++) biases[i] = spec.bias.sample(b);
  return { inDim, outDim, weights, biases };
}

/**
 * Draws a network of the papers' model. The seed fully determines it: each hidden layer ℓ reads its
 * own streams (`layer<ℓ>/weights`, `layer<ℓ>/biases`) and the output layer reads `output/…`, so adding
 * a hidden layer leaves the earlier layers bit-identical. The output bias is drawn from the bias law
 * too; it does not affect any Lipschitz constant.
 */
export function sampleNetwork(spec: SampleSpec): Network {
  const outputs = spec.outputs ?? 1;
  const layers: DenseLayer[] = [];
  let width = spec.inputDim;
  spec.widths.forEach((n, l) => {
    const std = Math.sqrt(hiddenWeightVariance(spec.weights, width, n, l));
    layers.push(sampleLayer(spec, `layer${l}`, width, n, std));
    width = n;
  });
  layers.push(sampleLayer(spec, 'output', width, outputs, 1));
  return makeNetwork(spec.inputDim, layers, {
    generator: 'lipcheck sample v1',
    seed: spec.seed,
    bias: spec.bias.spec,
    weights: spec.weights,
    widths: [...spec.widths],
  });
}
