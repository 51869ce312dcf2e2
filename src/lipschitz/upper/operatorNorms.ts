import type { Network } from '../../network/network.js';
import { operatorNorm, vectorNorm, type Norm } from '../../linalg/norms.js';
import type { Mat } from '../../linalg/mat.js';
import { Budget } from '../budget.js';
import { provenSpectralBound } from '../../linalg/verifiedSpectralNorm.js';
import { secondsFor, spectralProofFlops } from '../costs.js';
import { gamma } from './rounding.js';

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
  /** Layers (p = 2) bounded by `cheapSpectralBound` because their proven norm would not have fitted (or its proof failed). */
  readonly cheapLayers: number;
}

/** Proofs of at least this many multiply-adds (about 0.1 s) also check the clock as they go. */
const LARGE_PROOF_FLOPS = 1e8;

/**
 * ‖W‖₂ proven (linalg/verifiedSpectralNorm.ts) if its estimated cost fits in `budget` and the proof
 * goes through within it; otherwise `cheapSpectralBound`, with the reason recorded (a skip when it
 * was the time). Sound either way.
 */
function spectralBound(w: Mat, budget: Budget): { value: number; cheap: boolean } {
  const what = `the spectral norm of a ${w.rows}×${w.cols} layer (bounded by min(‖W‖_F, √(‖W‖₁‖W‖∞)) instead)`;
  const flops = spectralProofFlops(w.rows, w.cols);
  if (!budget.fits(secondsFor(flops))) {
    budget.skip(what);
    return { value: cheapSpectralBound(w), cheap: true };
  }
  // The estimate fitted; on large layers the clock is also checked inside the proof, in case it was off.
  let stopped = false;
  const stop = flops >= LARGE_PROOF_FLOPS ? (step: number) => (stopped ||= !budget.fits(secondsFor(step))) : undefined;
  const proven = provenSpectralBound(w, { stop });
  if (proven !== null) return { value: proven, cheap: false };
  if (stopped) budget.skip(what);
  return { value: cheapSpectralBound(w), cheap: true };
}

/** ‖W‖₂ proven (linalg/verifiedSpectralNorm.ts), or `cheapSpectralBound` where the proof fails: sound either way. */
export function spectralUpperBound(w: Mat): number {
  return provenSpectralBound(w) ?? cheapSpectralBound(w);
}

/**
 * The product of the layers' operator norms ∏‖W_ℓ‖_{p→p}: sound for every norm (‖D‖ ≤ 1), global
 * and local alike, and pattern-agnostic — on He-random networks it grows like √N·√2·(2√2)^{L−1}
 * while the true constant stays ≍ √d, so it cannot be tight there. For p = 1 and ∞ the norms are
 * column and row sums (one rounding per term); for p = 2 each layer's largest singular value is
 * proven by a verified Cholesky factorisation (within about 1e-9 of it) when that fits in the
 * budget (estimated from its size before it starts), else bounded by `cheapSpectralBound`.
 */
export function boundedNormProduct(net: Network, norm: Norm, budget: Budget): NormProduct {
  let product = 1;
  let cheapLayers = 0;
  for (const layer of net.layers) {
    const w: Mat = { rows: layer.outDim, cols: layer.inDim, data: layer.weights };
    if (norm === '2') {
      const { value, cheap } = spectralBound(w, budget);
      product *= value;
      if (cheap) cheapLayers++;
      continue;
    }
    product *= operatorNorm(w, norm) * (1 + gamma(Math.max(layer.outDim, layer.inDim) + 1));
  }
  return { value: product * (1 + gamma(net.layers.length + 1)), cheapLayers };
}

/** `boundedNormProduct` without a time limit: every p = 2 layer's norm proven. */
export function operatorNormProduct(net: Network, norm: Norm): number {
  return boundedNormProduct(net, norm, new Budget(Infinity)).value;
}
