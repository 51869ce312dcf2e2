import type { Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { SPECTRAL_MARGIN, gamma } from './rounding.js';

/**
 * The product of the layers' operator norms ∏‖W_ℓ‖_{p→p}: sound for every norm (‖D‖ ≤ 1), global
 * and local alike, and pattern-agnostic — on He-random networks it grows like √N·√2·(2√2)^{L−1}
 * while the true constant stays ≍ √d, so it cannot be tight there. For p = 1 and ∞ the norms are
 * column and row sums (one rounding per term); for p = 2 singular values, inflated by
 * SPECTRAL_MARGIN.
 */
export function operatorNormProduct(net: Network, norm: Norm): number {
  let product = 1;
  for (const layer of net.layers) {
    const value = operatorNorm({ rows: layer.outDim, cols: layer.inDim, data: layer.weights }, norm);
    const guard = norm === '2' ? SPECTRAL_MARGIN : gamma(Math.max(layer.outDim, layer.inDim) + 1);
    product *= value * (1 + guard);
  }
  return product * (1 + gamma(net.layers.length + 1));
}
