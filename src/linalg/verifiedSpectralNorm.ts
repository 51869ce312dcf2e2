import { transpose, type Mat } from './mat.js';
import { gramMatrix } from './rowCombinations.js';
import { largestEigenvalueOf } from './lanczos.js';
import { ldexp, nextDown, provePositiveDefinite } from './verifiedDefinite.js';

/**
 * A proven upper bound on the spectral norm ‖W‖₂ of a dense matrix, in O(m·k² + k³) for k the
 * smaller side — about an eighth of an SVD's work, and a proof instead of a backward-stability
 * argument.
 *
 * The argument, every step exact or bounded:
 * 1. A = 2^e·W, with e chosen so that ¼ ≤ max|a_ij| ≤ 2. Scaling by a power of two is exact, except
 *    that entries scaled down into the subnormal range may round (|Â − A| ≤ η entrywise, η = 2⁻¹⁰⁷⁴).
 * 2. The Gram matrix of the smaller side, G = ÂᵀÂ (k = columns) or ÂÂᵀ (k = rows), each entry a sum
 *    of m products, in whatever order: |Ĝ − G| ≤ γ_m·Σ_l |a_li||a_lj| + m·η (Higham,
 *    "Accuracy and Stability of Numerical Algorithms", §3.1; η for products that underflow), and
 *    Σ_l |a_li||a_lj| ≤ ν_i ν_j with ν_i² = g_ii ≤ (ĝ_ii + m·η)/(1 − γ_m) (Cauchy–Schwarz).
 * 3. t: Lanczos' estimate of λ_max(Ĝ) (an estimate only) raised by a relative margin. M = tI − Ĝ
 *    has M's off-diagonal entries exact and m_ii = fl(t − ĝ_ii), off by at most 2⁻⁵²·|m_ii| + η.
 * 4. `provePositiveDefinite` (Rump 2006, verifiedDefinite.ts) proves that every symmetric X with
 *    |X − M| ≤ Rad is positive definite, for Rad the sum of the radii of 2 and 3. tI − G is such
 *    an X, so λ_max(G) < t and ‖Â‖₂ < √t. If the proof fails, t is raised (×8 margin, a few
 *    times) and the proof retried; if none succeeds there is no bound.
 * 5. ‖W‖₂ = 2^{−e}·‖A‖₂ ≤ 2^{−e}·(‖Â‖₂ + ‖Â − A‖_F) ≤ 2^{−e}·(√t + √(mk)·η). √t is correctly
 *    rounded, so one step up (`nextUp`) covers it; √(mk)·η is far below an ulp of √t ≥ ‖Â‖₂ ≥ ¼
 *    and is covered by a second step up. Multiplying by
 *    2^{−e} is exact unless it leaves the normal range: one more step up covers a subnormal result,
 *    and an overflow gives +∞ (no bound).
 * The relative margin over the true norm is about half of t's margin: from 4(k² + mk)·u (about 1e-9 at
 * k = m = 1024) down to 2⁻⁴⁰ for small matrices.
 */

const U = 2 ** -53;
const ETA = 2 ** -1074;
/** A relative allowance far above the rounding of the few operations it covers (each at most u). */
const SLACK = 2 ** -40;
/** Proof attempts, each with eight times the margin of the one before. */
const ATTEMPTS = 8;
/** Lanczos steps for the estimate of λ_max(Ĝ) (it stops earlier once its residual is negligible). */
const LANCZOS_STEPS = 160;

function gammaOf(n: number): number {
  return (n * U) / (1 - n * U);
}

export interface SpectralProofOptions {
  /**
   * Asked before each step (a row of the Gram product, a Cholesky factorisation) with the step's
   * multiply-add count; returning true abandons the proof (no bound). Use it to keep a time limit.
   */
  readonly stop?: (flops: number) => boolean;
}

/** An exponent e with max|w|·2^e in [¼, 2] (about [½, 1); Math.log2 may be off near powers of two). */
function scaleExponent(w: Mat): number {
  let max = 0;
  for (let i = 0; i < w.data.length; i++) max = Math.max(max, Math.abs(w.data[i]));
  if (!(max > 0) || !Number.isFinite(max)) return NaN;
  return -Math.floor(Math.log2(max)) - 1;
}

interface Gram {
  readonly g: Float64Array;
  /** Its order (the smaller side of W). */
  readonly k: number;
  /** Terms per entry (the larger side of W). */
  readonly m: number;
}

/**
 * Ĝ = BᵀB of the scaled matrix (`gramMatrix`), B = Â (m × k) when W is tall, Âᵀ when it is wide;
 * null if `stop` asked to stop.
 */
function gramOfScaled(w: Mat, e: number, stop: (flops: number) => boolean): Gram | null {
  const scaled = new Float64Array(w.data.length); // a loop: Float64Array.from with a callback is ~10× slower
  for (let i = 0; i < scaled.length; i++) scaled[i] = ldexp(w.data[i], e);
  const A: Mat = { rows: w.rows, cols: w.cols, data: scaled };
  const B = w.rows >= w.cols ? A : transpose(A);
  const g = gramMatrix(B, stop);
  return g ? { g, k: B.cols, m: B.rows } : null;
}

/** The entrywise radius of |Ĝ − G| (step 2 of the module's argument). */
function gramRadius({ g, k, m }: Gram): Float64Array {
  const gm = gammaOf(m);
  const root = new Float64Array(k);
  for (let i = 0; i < k; i++) root[i] = Math.sqrt((g[i * k + i] + m * ETA) * (1 + 4 * gm + SLACK));
  const rad = new Float64Array(k * k);
  const scale = gm * (1 + SLACK);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) rad[i * k + j] = scale * root[i] * root[j] + m * ETA;
  return rad;
}

/** True only if λ_max(G) < t is proven for every G within `radius` of Ĝ (steps 3 and 4). */
function proveBelow({ g, k }: Gram, radius: Float64Array, t: number): boolean {
  const shifted = new Float64Array(k * k);
  const rad = radius.slice();
  for (let i = 0; i < k * k; i++) shifted[i] = -g[i];
  for (let i = 0; i < k; i++) {
    const d = t - g[i * k + i];
    shifted[i * k + i] = d;
    rad[i * k + i] += 2 * U * Math.abs(d) + ETA;
  }
  return provePositiveDefinite(shifted, k, rad);
}

/** The smallest double strictly above a non-negative x (+∞ stays +∞). */
function nextUp(x: number): number {
  return x === Infinity ? x : -nextDown(-x);
}

/** 2^{−e}·s rounded up (step 5): s is an upper bound on ‖Â‖₂ computed as a double. */
function unscaleUp(s: number, e: number): number {
  return nextUp(ldexp(nextUp(nextUp(s)), -e));
}

/**
 * A proven upper bound on ‖W‖₂ (the largest singular value) — the argument in this module's
 * comment, never a tolerance — usually within 1e-9 relative of it. Returns null when no proof went
 * through (non-finite entries, a matrix the verifier cannot resolve) or `options.stop` abandoned
 * it. A zero matrix gives 0.
 */
export function provenSpectralBound(w: Mat, options: SpectralProofOptions = {}): number | null {
  const stop = options.stop ?? (() => false);
  if (w.data.length === 0) return 0;
  const e = scaleExponent(w);
  if (Number.isNaN(e)) return w.data.every((v) => v === 0) ? 0 : null;
  const gram = gramOfScaled(w, e, stop);
  if (!gram) return null;
  const { g, k, m } = gram;
  const radius = gramRadius(gram);
  if (stop(LANCZOS_STEPS * k * k)) return null;
  const estimate = Math.max(0, largestEigenvalueOf(g, k, LANCZOS_STEPS));
  // Margin: above Rump's shift and the radius's row sums relative to the diagonal (≈ (k² + mk)·u).
  let margin = Math.max(SLACK, 4 * (k * k + m * k) * U);
  let floor = 0; // t must exceed every diagonal entry of Ĝ (the pivots of tI − Ĝ must be positive)
  for (let i = 0; i < k; i++) floor = Math.max(floor, g[i * k + i]);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++, margin *= 8) {
    if (stop((2 * k * k * k) / 3)) return null;
    const t = Math.max(estimate, floor) * (1 + margin);
    if (proveBelow(gram, radius, t)) return unscaleUp(Math.sqrt(t), e);
  }
  return null;
}

/**
 * True only if ‖W‖₂ ≤ s is proven (by steps 1–4 of the module's argument with t = (2^e·s)² rounded
 * down); false means "not proven", not "false". For tests and callers that have a claim to check.
 */
export function proveSpectralNormAtMost(w: Mat, s: number): boolean {
  if (!(s >= 0) || !Number.isFinite(s)) return false;
  const e = scaleExponent(w);
  if (Number.isNaN(e)) return w.data.every((v) => v === 0);
  const gram = gramOfScaled(w, e, () => false);
  if (!gram) return false;
  // ‖Â‖₂ < √t must imply ‖A‖₂ ≤ 2^e·s. In reals t < (2^e·s)²·(1 − 1.9u), so √t is below 2^e·s by
  // more than 0.9u·2^e·s, which exceeds ‖Â − A‖_F ≤ √(mk)·η (step 5) whenever 2^e·s ≥ ‖A‖₂ ≥ ¼; when
  // 2^e·s < ‖A‖₂ no t below it can be proven anyway. (2^e·s is exact unless it underflows, and then t = 0.)
  const scaled = ldexp(s, e);
  const t = scaled * scaled * (1 - 4 * U);
  if (!(t > 0) || !Number.isFinite(t)) return false;
  return proveBelow(gram, gramRadius(gram), t);
}
