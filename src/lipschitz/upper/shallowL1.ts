import type { Network } from '../../network/network.js';
import { gamma } from './rounding.js';

/**
 * The largest ℓ∞ gradient norm over ALL activation patterns of a scalar network with one hidden
 * layer, f(x) = Σ_j v_j ρ(w_j·x + b_j) + c: with h_j = v_j w_j,
 *
 *   max_{σ ∈ {0,1}^N} ‖Σ_j σ_j h_j‖_∞ = max_k max(Σ_j (h_jk)₊, Σ_j (h_jk)₋),
 *
 * since each coordinate is maximised on its own by taking the units of one sign. It bounds Lip₁
 * (= the largest ‖∇f‖_∞ over realisable patterns) from above, and equals it when every pattern is
 * realisable (N ≤ d hyperplanes in general position). Pattern-agnostic: it grows like √N on
 * He-random nets at N ≫ d. Floating point: each h_jk carries one rounding (relative u) and each sum
 * of N non-negative terms γ_N, so the computed maximum times (1 + γ_{N+2}), plus N·2⁻¹⁰⁷⁴ for
 * products that underflow, bounds the exact one.
 */
export function shallowL1PatternMax(net: Network): number {
  if (net.layers.length !== 2 || net.layers[1].outDim !== 1) throw new Error('shallowL1PatternMax: needs a scalar network with one hidden layer');
  const d = net.inputDim;
  const [hidden, output] = net.layers;
  const N = hidden.outDim;
  const plus = new Float64Array(d);
  const minus = new Float64Array(d);
  for (let j = 0; j < N; j++) {
    const v = output.weights[j];
    // Stryker disable next-line EqualityOperator: coordinate d would only write outside the typed arrays (ignored; `best` reads k < d)
    for (let k = 0; k < d; k++) {
      const h = v * hidden.weights[j * d + k];
      // Stryker disable next-line EqualityOperator: h = 0 adds nothing to either sum
      if (h > 0) plus[k] += h;
      else minus[k] -= h;
    }
  }
  let best = 0;
  for (let k = 0; k < d; k++) best = Math.max(best, plus[k], minus[k]);
  return best * (1 + gamma(N + 2)) + N * Number.MIN_VALUE;
}
