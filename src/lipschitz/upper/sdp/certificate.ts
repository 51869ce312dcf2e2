import { cholesky, solveLowerTransposedInPlace, solveUpperInPlace } from '../../../linalg/cholesky.js';
import { largestEigenpair } from '../../../linalg/lanczos.js';
import { ldexp, nextDown, provePositiveDefinite } from '../../../linalg/verifiedDefinite.js';
import { gamma } from '../rounding.js';
import { fullMatrix, hiddenBlock, type Assembly } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * Verification of a LipSDP-Neuron certificate in floating point: whatever produced the multipliers
 * (a solver stopped after one step, a closed form, a user), the bound returned here is proved.
 *
 * Claim: if F(ρ, τ, β) = −M(ρ, τ, β) (lmi.ts) is positive definite for the exact real numbers
 * ρ, τ, β (binary64 values) and the problem's weights, with τ ≥ 0 on unstable neurons, then
 * ‖f(x) − f(x′)‖₂ ≤ √ρ·‖x − x′‖₂ on the domain (problem.ts), so Lip₂ ≤ √ρ·2^{−exponent}.
 *
 * The proof of "F ≻ 0", every rounding step named:
 * 1. Form. Without β on the first layer, F's input block is ρ·I, and (Schur complement, exact)
 *    F ≻ 0 ⇔ K = H − (1/ρ)·diag(c)·G₀·diag(c) ⊕ 0 ≻ 0, where H is F's hidden block, c = β − τ on
 *    the first layer and G₀ = W₀W₀ᵀ — an n×n matrix, however large d is. With β on the first
 *    layer, the whole (d + n)-sized F is tested instead.
 * 2. Rounding of the matrix. Every computed entry is a first exact term and products subtracted
 *    one at a time, each product with at most two roundings (lmi.ts), so it is within
 *    γ_{t+4}·(Σ|terms|) of the exact entry, t the number of terms (Higham, "Accuracy and Stability
 *    of Numerical Algorithms", Lemma 3.1 and §3.1: each product carries (1 + θ₂), the sum adds
 *    (1 + θ_t)); c = fl(β − τ) adds one more (1 + δ) to the coupling products. G₀'s entries are
 *    sums of d products, within γ_d·(|W₀||W₀|ᵀ)_ij; the Schur term fl(fl(fl(c_i·c_j)·Ĝ_ij)/ρ)
 *    adds three roundings and G₀'s error times |c_i c_j|/ρ; the final subtraction one more.
 *    Underflow: a product or quotient that underflows is off by at most η = 2⁻¹⁰⁷⁴ in absolute
 *    terms, amplified by the later factors of the same term (at most the largest weight, or
 *    |Ĝ_ij|/ρ and 1/ρ in the Schur term): these absolute terms are added to every entry's radius.
 *    Magnitudes are themselves computed in floating point and are inflated by (1 + 10⁻¹⁰).
 * 3. Definiteness of everything within the radius: linalg/verifiedDefinite.ts (Rump 2006,
 *    Corollaries 2.4 and 2.7, after an exact power-of-two diagonal scaling).
 * 4. The bound: √ρ rounded up (Math.sqrt is correctly rounded, the next float up is above √ρ),
 *    times 2^{−exponent} (exact unless it underflows; then the next float up again).
 *
 * `certify` searches ρ: from an estimate ρ̂ = λ_max(X₀ + Cᵀ H⁻¹ C) (Lanczos, not trusted) it tries
 * ρ̂·(1 + δ) for growing δ until step 3 succeeds; if H itself is not positive definite it doubles
 * the multipliers (H grows with them) and tries again. No success, no number.
 */
export interface Certificate {
  /** The proven bound on Lip₂ of f over the domain. */
  readonly upper: number;
  /** The proven ρ (for the rescaled problem) and the multipliers it was proven with. */
  readonly rho: number;
  readonly multipliers: SdpMultipliers;
  /** 'schur' (n×n) or 'full' ((d + n)×(d + n)). */
  readonly form: 'schur' | 'full';
}

const ETA = 2 ** -1074;
const MAGNITUDE_MARGIN = 1 + 1e-10;

/** The absolute (underflow) part of every entry's radius (step 2). */
function underflowRadius(problem: SdpProblem, assembly: Assembly): number {
  return 2 * ETA * (assembly.terms + 4) * (1 + problem.largestWeight);
}

/** The entrywise radius of an assembled matrix (step 2). */
function radiusOf(problem: SdpProblem, assembly: Assembly): Float64Array {
  const g = gamma(assembly.terms + 4) * MAGNITUDE_MARGIN;
  const absolute = underflowRadius(problem, assembly);
  return Float64Array.from(assembly.magnitude!, (m) => g * m + absolute);
}

const gramCache = new WeakMap<SdpProblem, { g: Float64Array; abs: Float64Array }>();

/** G₀ = W₀W₀ᵀ (N₁ × N₁) and |W₀||W₀|ᵀ, computed once per problem. */
function firstGram(problem: SdpProblem): { g: Float64Array; abs: Float64Array } {
  const cached = gramCache.get(problem);
  if (cached) return cached;
  const N = problem.widths[0];
  const d = problem.inputDim;
  const W = problem.weights[0];
  const g = new Float64Array(N * N);
  const abs = new Float64Array(N * N);
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      let s = 0;
      let m = 0;
      for (let k = 0; k < d; k++) {
        const t = W[i * d + k] * W[j * d + k];
        s += t;
        m += Math.abs(t);
      }
      g[i * N + j] = g[j * N + i] = s;
      abs[i * N + j] = abs[j * N + i] = m;
    }
  }
  const out = { g, abs };
  gramCache.set(problem, out);
  return out;
}

/** True when the first layer carries a non-zero β (the input block is then not ρ·I). */
function hasInputBeta(problem: SdpProblem, m: SdpMultipliers): boolean {
  for (let i = 0; i < problem.widths[0]; i++) if (problem.hasBeta[i] && m.beta[i] !== 0) return true;
  return false;
}

/** Unstable neurons need τ ≥ 0 (their constraint is an inequality); β only where allowed. */
function admissible(problem: SdpProblem, m: SdpMultipliers): boolean {
  for (let p = 0; p < problem.hidden; p++) {
    if (!Number.isFinite(m.tau[p]) || !Number.isFinite(m.beta[p])) return false;
    if (!problem.active[p] && m.tau[p] < 0) return false;
    if (!problem.hasBeta[p] && m.beta[p] !== 0) return false;
  }
  return true;
}

/**
 * True only if F(ρ, τ, β) ≻ 0 is proven for the exact values (steps 1–3), i.e. ‖Δy‖² ≤ ρ‖Δx‖² on
 * the domain for the rescaled network. Inadmissible multipliers (τ < 0 on an unstable neuron, β
 * where the neuron may not have one, non-finite values) are refused.
 */
export function proveCertificate(problem: SdpProblem, multipliers: SdpMultipliers, rho: number): boolean {
  if (!(rho > 0) || !Number.isFinite(rho) || !admissible(problem, multipliers)) return false;
  if (hasInputBeta(problem, multipliers)) {
    const full = fullMatrix(problem, problem.weights[0], problem.inputDim, rho, multipliers, true);
    return provePositiveDefinite(full.values, full.size, radiusOf(problem, full));
  }
  const n = problem.hidden;
  const N = problem.widths[0];
  const d = problem.inputDim;
  const hidden = hiddenBlock(problem, multipliers, true);
  const k = hidden.values;
  const mag = hidden.magnitude!;
  const radius = radiusOf(problem, hidden);
  const absolute = underflowRadius(problem, hidden);
  const { g, abs } = firstGram(problem);
  // The first layer's block: K_ij = H_ij − fl(fl(fl(c_i·c_j)·Ĝ_ij)/ρ), four more roundings than H_ij.
  const gSchur = gamma(hidden.terms + 8) * MAGNITUDE_MARGIN;
  const gGram = gamma(d) * MAGNITUDE_MARGIN;
  for (let i = 0; i < N; i++) {
    const ci = multipliers.beta[i] - multipliers.tau[i];
    for (let j = i; j < N; j++) {
      const cc = ci * (multipliers.beta[j] - multipliers.tau[j]);
      const gij = g[i * N + j];
      const t = (cc * gij) / rho;
      const gramError = (Math.abs(cc) / rho) * (gGram * abs[i * N + j] + 2 * d * ETA) * (1 + gSchur);
      const underflow = absolute + 2 * ETA * ((Math.abs(gij) + 2) / rho + 1);
      k[i * n + j] = k[j * n + i] = k[i * n + j] - t;
      radius[i * n + j] = radius[j * n + i] = gSchur * (mag[i * n + j] + Math.abs(t)) + gramError + underflow;
    }
  }
  return provePositiveDefinite(k, n, radius);
}

/**
 * λ_max(2·W₀ᵀB₁W₀ + Cᵀ H⁻¹ C): the smallest ρ with F(ρ, τ, β) ⪰ 0, where H is F's hidden block
 * (which must be positive definite), C the coupling of the first layer to the input and B₁ the
 * first layer's β (F's input block is ρI − 2W₀ᵀB₁W₀); null when H is not numerically positive definite. An estimate (Lanczos, from
 * below), used only as the starting point of the verified search.
 */
export function optimalRho(problem: SdpProblem, multipliers: SdpMultipliers, first: Float64Array = problem.weights[0], r: number = problem.inputDim): number | null {
  const n = problem.hidden;
  const N = problem.widths[0];
  const hidden = hiddenBlock(problem, multipliers, false);
  const factor = cholesky(hidden.values, n);
  if (!factor) return null;
  const c = Float64Array.from({ length: N }, (_, i) => multipliers.beta[i] - multipliers.tau[i]);
  const b2 = Float64Array.from({ length: N }, (_, i) => (problem.hasBeta[i] ? 2 * multipliers.beta[i] : 0));
  const z = new Float64Array(n);
  const fv = new Float64Array(N);
  const apply = (v: Float64Array, out: Float64Array) => {
    for (let i = 0; i < N; i++) {
      let s = 0;
      for (let j = 0; j < r; j++) s += first[i * r + j] * v[j];
      fv[i] = s;
    }
    z.fill(0);
    for (let i = 0; i < N; i++) z[i] = c[i] * fv[i];
    solveLowerTransposedInPlace(factor, n, z);
    solveUpperInPlace(factor, n, z);
    out.fill(0);
    for (let i = 0; i < N; i++) {
      const w = c[i] * z[i] + b2[i] * fv[i];
      if (w === 0) continue;
      for (let j = 0; j < r; j++) out[j] += w * first[i * r + j];
    }
  };
  const value = largestEigenpair(apply, r, 80, 1e-14).value;
  return Number.isFinite(value) ? Math.max(value, 0) : null;
}

/** Relative inflations of ρ̂ tried in turn. */
const INFLATIONS = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1, 3, 10];

/**
 * The proven bound from any multipliers (steps 1–4), or null when no proof could be made. Starts
 * from `estimate` (else computes ρ̂), inflates ρ geometrically, and doubles the multipliers up to
 * `maxDoublings` times when the hidden block is not positive definite.
 */
export function certify(problem: SdpProblem, multipliers: SdpMultipliers, options: { estimate?: number; maxDoublings?: number } = {}): Certificate | null {
  if (!admissible(problem, multipliers)) return null;
  let m = multipliers;
  for (let doubling = 0; doubling <= (options.maxDoublings ?? 20); doubling++) {
    const estimate = doubling === 0 && options.estimate !== undefined ? options.estimate : optimalRho(problem, m);
    if (estimate !== null && estimate > 0) {
      for (const delta of INFLATIONS) {
        const rho = estimate * (1 + delta);
        if (proveCertificate(problem, m, rho)) {
          return { upper: boundFrom(problem, rho), rho, multipliers: m, form: hasInputBeta(problem, m) ? 'full' : 'schur' };
        }
      }
    }
    m = { tau: m.tau.map((t) => 2 * t), beta: m.beta.map((b) => 2 * b) };
  }
  return null;
}

/** √ρ·2^{−exponent}, rounded up (step 4). */
export function boundFrom(problem: SdpProblem, rho: number): number {
  const root = nextUp(Math.sqrt(rho));
  const scaled = ldexp(root, -problem.exponent);
  return problem.exponent > 0 ? nextUp(scaled) : scaled;
}

/** The smallest float strictly above x. */
function nextUp(x: number): number {
  return -nextDown(-x);
}
