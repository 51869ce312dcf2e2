import { cholesky, inverseFromFactor } from '../../../linalg/cholesky.js';
import { largestEigenvalueOf } from '../../../linalg/lanczos.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * ECLipsE-Fast (Xu & Sivaranjani, "ECLipsE: Efficient Compositional Lipschitz Constant Estimation
 * for Deep Neural Networks", NeurIPS 2024) in LipSDP-Neuron's terms: one multiple of the identity
 * per layer, T_k = t_k·I, chosen layer by layer in closed form.
 *
 * Divide F = −M(ρ, T) by ρ and eliminate the blocks from the input down (Schur complements):
 * P₀ = I and P_k = l_k·I − (l_k²/4)·A_k with A_k = W_{k−1} P_{k−1}⁻¹ W_{k−1}ᵀ and l_k = 2t_k/ρ;
 * F ⪰ 0 iff every P_k ≻ 0 and ρ ≥ λ_max(W_L P_L⁻¹ W_Lᵀ). The choice l_k = 2/λ_max(A_k) maximises
 * λ_min(P_k) (it is then 1/λ_max(A_k)), which gives the closed form; the last condition gives ρ.
 * It runs on the problem's layered view (inactive neurons removed, active ones treated like
 * unstable ones — their constraint holds too); the multipliers of the unstable neurons are then
 * valid for the problem with active neurons eliminated (restricting F to the subspace where the
 * active neurons' equalities hold keeps it definite, and that restriction is the problem's F).
 *
 * The result is a starting point and an instant bound, never trusted: certificate.ts proves it.
 */
export interface EclipseFastResult {
  /** ρ of the closed form (an estimate: the eigenvalues come from Lanczos). */
  readonly rho: number;
  /** τ for the problem's unstable neurons. */
  readonly tau: SdpMultipliers;
}

/** The closed-form multipliers, or null when an intermediate matrix is not positive definite numerically. */
export function eclipseFastMultipliers(problem: SdpProblem): EclipseFastResult | null {
  const { widths, weights, coordinate } = problem.layered;
  const L = widths.length;
  const ls: number[] = [];
  let inverse: Float64Array | null = null; // P_{k−1}⁻¹ (null = identity)
  for (let k = 0; k < L; k++) {
    const N = widths[k];
    const inW = k === 0 ? problem.inputDim : widths[k - 1];
    const A = congruence(weights[k], N, inW, inverse);
    const lambda = largestEigenvalueOf(A, N) * (1 + 1e-9);
    const l = lambda > 0 && Number.isFinite(lambda) ? 2 / lambda : 1;
    ls.push(l);
    const P = new Float64Array(A.length); // a loop: Float64Array.from with a callback is ~10× slower
    for (let i = 0; i < A.length; i++) P[i] = -(l * l) * 0.25 * A[i];
    for (let i = 0; i < N; i++) P[i * N + i] += l;
    const factor = cholesky(P, N);
    if (!factor) return null;
    inverse = inverseFromFactor(factor, N);
  }
  const last = congruence(weights[L], problem.outputs, widths[L - 1], inverse);
  const rho = largestEigenvalueOf(last, problem.outputs);
  if (!(rho > 0) || !Number.isFinite(rho)) return null;
  const tau = new Float64Array(problem.hidden);
  for (let k = 0; k < L; k++) for (const p of coordinate[k]) if (p >= 0) tau[p] = (rho * ls[k]) / 2;
  return { rho, tau };
}

/** W·P·Wᵀ for W (rows × cols) and symmetric P (cols × cols; null = identity). */
function congruence(W: Float64Array, rows: number, cols: number, P: Float64Array | null): Float64Array {
  let WP = W;
  if (P) {
    WP = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < cols; k++) {
        const w = W[i * cols + k];
        if (w === 0) continue;
        const pk = k * cols;
        const o = i * cols;
        for (let j = 0; j < cols; j++) WP[o + j] += w * P[pk + j];
      }
    }
  }
  const out = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += WP[i * cols + k] * W[j * cols + k];
      out[i * rows + j] = out[j * rows + i] = s;
    }
  }
  return out;
}
