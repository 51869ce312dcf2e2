import type { Network } from '../../network/network.js';
import { operatorNorm, vectorNorm, type Norm } from '../../linalg/norms.js';
import type { Mat } from '../../linalg/mat.js';
import { Budget } from '../budget.js';
import { secondsFor, svdFlops } from '../costs.js';
import { SPECTRAL_MARGIN, gamma } from './rounding.js';

/** ml-matrix's SVD runs about this many times slower per multiply-add than the cost model's loop. */
const SVD_SLOWDOWN = 3;

/**
 * A sound upper bound on ‖W‖₂ in O(m·n): min(‖W‖_F, √‖W‖₁·√‖W‖∞) (the second by Hölder's
 * inequality ‖W‖₂² ≤ ‖W‖₁‖W‖∞), each inflated by its rounding: the Frobenius norm is a scaled sum of
 * m·n squares (γ_{mn+6} covers the scaling, squaring, summing, root and rescaling), the column and
 * row sums γ_{max(m,n)+1} each, and the two roots and their product γ_4 more. The roots are taken
 * before the product, which would underflow or overflow at extreme scales.
 */
export function cheapSpectralBound(w: Mat): number {
  const n = w.rows * w.cols;
  const frobenius = vectorNorm(w.data, '2') * (1 + gamma(n + 6));
  const sums = 1 + gamma(Math.max(w.rows, w.cols) + 1);
  const holder = Math.sqrt(operatorNorm(w, '1') * sums) * Math.sqrt(operatorNorm(w, 'inf') * sums) * (1 + gamma(4));
  return Math.min(frobenius, holder);
}

export interface NormProduct {
  /** The product of the layers' bounds: sound, see `boundedNormProduct`. */
  readonly value: number;
  /** Layers (p = 2) bounded by `cheapSpectralBound` because their SVD would not have fitted. */
  readonly cheapLayers: number;
}

/**
 * The product of the layers' operator norms ∏‖W_ℓ‖_{p→p}: sound for every norm (‖D‖ ≤ 1), global
 * and local alike, and pattern-agnostic — on He-random networks it grows like √N·√2·(2√2)^{L−1}
 * while the true constant stays ≍ √d, so it cannot be tight there. For p = 1 and ∞ the norms are
 * column and row sums (one rounding per term); for p = 2 singular values, inflated by
 * SPECTRAL_MARGIN, for each layer whose SVD fits in the budget (estimated from its size before it
 * starts: an SVD cannot be interrupted), else `cheapSpectralBound`.
 */
export function boundedNormProduct(net: Network, norm: Norm, budget: Budget): NormProduct {
  let product = 1;
  let cheapLayers = 0;
  for (const layer of net.layers) {
    const w: Mat = { rows: layer.outDim, cols: layer.inDim, data: layer.weights };
    if (norm === '2' && !budget.fits(secondsFor(SVD_SLOWDOWN * svdFlops(w.rows, w.cols)))) {
      budget.skip(`the SVD of a ${w.rows}×${w.cols} layer (bounded by min(‖W‖_F, √(‖W‖₁‖W‖∞)) instead)`);
      product *= cheapSpectralBound(w);
      cheapLayers++;
      continue;
    }
    const value = operatorNorm(w, norm);
    const guard = norm === '2' ? SPECTRAL_MARGIN : gamma(Math.max(layer.outDim, layer.inDim) + 1);
    product *= value * (1 + guard);
  }
  return { value: product * (1 + gamma(net.layers.length + 1)), cheapLayers };
}

/** `boundedNormProduct` without a time limit: every p = 2 layer by its SVD. */
export function operatorNormProduct(net: Network, norm: Norm): number {
  return boundedNormProduct(net, norm, new Budget(Infinity)).value;
}
