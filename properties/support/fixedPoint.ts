import { gradient } from '../../src/network/evaluate.js';
import type { Network } from '../../src/network/network.js';
import { sampleNetwork, type WeightConvention } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { zTestMean, type ZTestResult } from '../../src/theory/stats.js';
import { fixedPoint } from '../../src/study/compute.js';

/**
 * The fixed-point statistic of BRIEF §4: ‖∇f(x₀)‖₂²/d over independent draws at the fixed unit
 * point x₀ = (1/√d)(1, …, 1), z-tested against its expectation 1 (E∇f∇fᵀ = I_d for the papers'
 * model, every width, depth and symmetric bias law). Two-sided; the CLT normal approximation holds
 * for these bounded-moment statistics at the draw counts used (≥ 400).
 */
export function fixedPointStatistic(spec: {
  inputDim: number;
  widths: number[];
  bias: string;
  weights: WeightConvention;
  draws: number;
  seed: number | string;
  /** The gradient estimator (default `gradient`): the power tests swap in a deliberately wrong one. */
  gradientOf?: (net: Network, x: Float64Array) => Float64Array;
}): ZTestResult {
  const x0 = fixedPoint(spec.inputDim);
  const bias = parseBiasLaw(spec.bias);
  const values: number[] = [];
  for (let i = 0; i < spec.draws; i++) {
    const net = sampleNetwork({ inputDim: spec.inputDim, widths: spec.widths, bias, weights: spec.weights, seed: `${spec.seed}:fixed-point:${i}` });
    const g = (spec.gradientOf ?? gradient)(net, x0);
    let s = 0;
    for (const v of g) s += v * v;
    values.push(s / spec.inputDim);
  }
  return zTestMean(values, 1);
}
