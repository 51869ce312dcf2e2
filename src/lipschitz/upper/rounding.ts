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
 *   `cubeForward`): γ·Σ|terms| per sum, doubled, plus the propagated input errors; what that bound
 *   cannot decide is decided in exact arithmetic on small networks (exact/certify.ts). Its LPs are
 *   verified a posteriori or solved exactly (linalg/simplex.ts, exactSimplex.ts).
 * - The spectral norms of the norm product and of the interval Jacobian bound are proven
 *   (linalg/verifiedSpectralNorm.ts: t·I − WᵀW positive definite by a verified Cholesky
 *   factorisation). The zonotope's eigenvalue and the cutting planes' norms come from
 *   backward-stable algorithms (error ≤ c·n·u·‖W‖) and are multiplied by (1 + SPECTRAL_MARGIN), far
 *   above c·n·u for any n < 10⁶.
 * - MIP bounds come from HiGHS's dual bound, which is exact only up to its tolerances (set to
 *   1e-9, on a copy of the network rescaled to weights of order 1): this is the one place where a
 *   "certified" bound rests on a solver's word rather than on a proof of the arithmetic. The rule
 *   that keeps the word sound (lipschitzMip.ts): the solver sees numbers of order 1 and the
 *   network's own kinks, and every row it is sent is the row meant or a relaxation of it. (1) The
 *   network is rescaled by powers of two only, so the rescaled copy has the same kinks (dividing
 *   by the largest weight moved a kink 1e-12 on a box 7e3 from the origin, across a sliver 1e-13
 *   wide, and the cutting-planes bound came out 8.9e-17 where the constant is 0.2). (2)
 *   Coefficients of magnitude ≤ MIP_SMALL_COEFFICIENT (which HiGHS drops) are moved into their
 *   row's range (mipModel.ts), so every row sent is a relaxation of the row meant. (3) The bound
 *   is multiplied by (1 + MIP_MARGIN) and MIP_MARGIN × an interval bound on the objective's magnitude
 *   is added, for the solver's absolute errors when the optimum is small beside its terms
 *   (cancelling neurons). (4) A program without integer columns takes its LP optimum as the bound
 *   (HiGHS leaves mip_dual_bound at 0 there). What remains is trust in HiGHS itself: that a point
 *   satisfying every row exactly is never cut off (its presolve and cuts are valid up to its
 *   tolerances), including where a kink lies within the tolerances of the box's edge (free gates
 *   for such neurons were tried and dropped: they loosened bounds 20% on ordinary networks, and no
 *   case was found where the solver lost such a sliver).
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
/** Matrix coefficients at or below this are not handed to the MIP solver (moved into row ranges). */
export const MIP_SMALL_COEFFICIENT = 1e-10;

/** γ_n. */
export function gamma(n: number): number {
  return (n * UNIT_ROUNDOFF) / (1 - n * UNIT_ROUNDOFF);
}

/** An amount to widen a computed sum of `terms` products whose absolute values sum to `magnitude`. */
export function widen(terms: number, magnitude: number): number {
  return gamma(terms + 2) * magnitude + Number.MIN_VALUE;
}
