/**
 * Where floating point enters lipcheck's certified upper bounds, and how it is guarded.
 *
 * - Sums of n products computed in IEEE double differ from the exact sum by at most
 *   γ_n·Σ|terms|, γ_n = n·u/(1 − n·u), u = 2⁻⁵³ (Higham, "Accuracy and Stability of Numerical
 *   Algorithms", §3.1). Interval bounds widen every computed endpoint by that amount (`widen`), so
 *   the computed interval contains the exact one.
 * - On a box, the first layer is moved into cube coordinates (domain.ts `localFirstLayer`):
 *   q = b + W·centre by a compensated dot product (error ≤ u|q| + γ_n²·Σ|terms|), P = W·half
 *   rounded (u|P|), and the half-widths' own rounding; their sum is each neuron's `error`, which
 *   the interval bounds add to their radius and the MIP rows allow as a range. The centre itself
 *   is exact (a double-double), so the cube is the box.
 * - Region search certifies a pattern at a point by a running error bound (domain.ts
 *   `certifiedPattern`): γ·Σ|terms| per sum, doubled, plus the propagated input errors.
 * - Singular values come from backward-stable algorithms (error ≤ c·n·u·‖W‖); results that rest
 *   on them are multiplied by (1 + SPECTRAL_MARGIN), far above c·n·u for any n < 10⁶.
 * - MIP bounds come from HiGHS's dual bound, which is exact only up to its feasibility tolerances
 *   (set to 1e-9); they are multiplied by (1 + MIP_MARGIN). This is the one place where a
 *   "certified" bound rests on a solver's tolerances rather than on a proof of the arithmetic.
 * - LipSDP-Neuron bounds (sdp/) never rest on the solver: the multipliers it returns are verified
 *   (sdp/certificate.ts). The LMI matrix is formed with an entrywise radius (γ_{t+2}·Σ|terms| per
 *   entry, plus the errors of rows composed through active neurons, sdp/problem.ts, plus G₀ = W₀W₀ᵀ's
 *   γ_d·|W₀||W₀|ᵀ and the Schur term's roundings, plus η = 2⁻¹⁰⁷⁴ per possibly underflowing
 *   operation), and everything within the radius is proven positive definite by a floating-point
 *   Cholesky factorisation of the matrix shifted by Rump's constant ½γ_{2(n+1)}·tr + 4ηn(2(n+1) +
 *   max diag) plus the radius's row sums (linalg/verifiedDefinite.ts; Rump, BIT 46 (2006),
 *   Corollaries 2.4 and 2.7). The bound is √ρ rounded up, times an exact power of two. Weights are
 *   rescaled by powers of two only where that is exact. A failed proof gives no number.
 * - ECLipsE-Fast's closed form and the cells of branch and bound (sdp/branch.ts) are LipSDP
 *   multipliers too: proven by the same verifier, never trusted as computed; the cells' neuron
 *   states come from the outward-rounded bounds above.
 * - Linear-relaxation bounds (linearBounds.ts, jacobianRelaxation.ts, backSubstitution.ts): each
 *   back-substituted row Λ' = fl(μ·M) carries γ·Σ|terms| of error, which multiplies the range of
 *   what it acts on, so every row's constant grows by g·|μ|·(|M|·ρ̂) (g from `roundingFactor`);
 *   the layer inputs' own errors (the cube coordinates above) are added; an underflow floor
 *   (`underflowFloor`: 2η per product) covers results flushed to zero or subnormal; upper chord
 *   slopes of unstable ReLUs are rounded up (a steeper line through (l, 0) stays above ReLU on
 *   [l, h]); every bound is intersected with the interval bounds, so never looser than them, and an
 *   overflow to NaN becomes +∞ (no bound).
 */
export const UNIT_ROUNDOFF = 2 ** -53;
export const SPECTRAL_MARGIN = 1e-9;
export const MIP_MARGIN = 1e-6;

/** γ_n. */
export function gamma(n: number): number {
  return (n * UNIT_ROUNDOFF) / (1 - n * UNIT_ROUNDOFF);
}

/** An amount to widen a computed sum of `terms` products whose absolute values sum to `magnitude`. */
export function widen(terms: number, magnitude: number): number {
  return gamma(terms + 2) * magnitude + Number.MIN_VALUE;
}
