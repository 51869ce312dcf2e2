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
 * - Singular values come from backward-stable algorithms (error ≤ c·n·u·‖W‖); results that rest
 *   on them are multiplied by (1 + SPECTRAL_MARGIN), far above c·n·u for any n < 10⁶.
 * - MIP bounds come from HiGHS's dual bound, which is exact only up to its feasibility tolerances
 *   (set to 1e-9); they are multiplied by (1 + MIP_MARGIN). This is the one place where a
 *   "certified" bound rests on a solver's tolerances rather than on a proof of the arithmetic.
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
