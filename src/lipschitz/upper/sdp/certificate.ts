import { cholesky, solveLowerTransposedInPlace, solveUpperInPlace } from '../../../linalg/cholesky.js';
import { largestEigenpair } from '../../../linalg/lanczos.js';
import { ldexp, nextDown, provePositiveDefinite } from '../../../linalg/verifiedDefinite.js';
import { gamma } from '../rounding.js';
import { embed, fullMatrix, hiddenBlock, type Assembly, type Embedding } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * Verification of a LipSDP-Neuron certificate in floating point: whatever produced the multipliers
 * (a solver stopped after one step, a closed form, a user), the bound returned here is proved.
 *
 * Claim: if F(ρ, τ) (lmi.ts) is positive definite for the exact real numbers ρ, τ (binary64 values),
 * the exact weights and τ ≥ 0, then ‖f(x) − f(x′)‖₂ ≤ √ρ·‖x − x′‖₂ for x, x′ in the domain
 * (problem.ts says which increments the network can have there), so Lip₂ ≤ √ρ·2^{−exponent}.
 *
 * The proof of "F ≻ 0", every rounding step named:
 * 1. Form. When F's input block is exactly ρ·I and every neuron's input coupling is a plain row
 *    i_p of W₀ (always so for the global problem), F ≻ 0 ⇔ K ≻ 0 (Schur complement, exact), with
 *    K_pq = H_pq − τ_pτ_q·G₀[i_p, i_q]/ρ on the neurons so coupled, H F's hidden block and
 *    G₀ = W₀W₀ᵀ: an n×n matrix, however large d is. Otherwise the (d + n)-sized F is tested.
 * 2. Rounding of the matrix. Every computed entry is a first exact term and products subtracted
 *    one at a time, one rounding each (lmi.ts), so it is within γ_{t+2}·(Σ|terms|) of the exact
 *    entry for the computed a and B, t the number of terms (Higham, "Accuracy and Stability of
 *    Numerical Algorithms", §3.1); the errors of a and B themselves (products through active
 *    neurons, problem.ts) enter through |τ|·error and |b_i|·e_j + e_i·|b_j| + e_i·e_j. G₀'s
 *    entries are sums of d products, within γ_d·(|W₀||W₀|ᵀ)_ij; the Schur term
 *    fl(fl(fl(τ_p·τ_q)·Ĝ)/ρ) adds three roundings and G₀'s error times τ_pτ_q/ρ, the final
 *    subtraction one more. Underflow: a product or quotient that underflows is off by at most
 *    η = 2⁻¹⁰⁷⁴, amplified in the Schur term by the later factors (|Ĝ|/ρ, 1/ρ); these absolute
 *    terms are added too. Magnitudes, computed in floating point, are inflated by (1 + 10⁻¹⁰).
 * 3. Definiteness of everything within the radius: linalg/verifiedDefinite.ts (Rump 2006,
 *    Corollaries 2.4 and 2.7, after an exact power-of-two diagonal scaling).
 * 4. The bound: √ρ rounded up (Math.sqrt is correctly rounded, so the next float up is above √ρ),
 *    times 2^{−exponent} (exact unless it underflows; then the next float up again).
 *
 * `certify` searches ρ: from an estimate ρ̂ (Lanczos, not trusted) it tries ρ̂·(1 + δ) for growing δ
 * until step 3 succeeds; if H itself is not positive definite it doubles τ (H's definite part grows
 * with τ, BᵀB does not) and tries again. No success, no number.
 */
export interface Certificate {
  /** The proven bound on Lip₂ of f over the domain. */
  readonly upper: number;
  /** The proven ρ (for the rescaled problem) and the multipliers it was proven with. */
  readonly rho: number;
  readonly tau: SdpMultipliers;
  /** 'schur' (n×n) or 'full' ((d + n)×(d + n)). */
  readonly form: 'schur' | 'full';
}

const ETA = 2 ** -1074;
const MAGNITUDE_MARGIN = 1 + 1e-10;

/** The entrywise radius of an assembled matrix (step 2). */
function radiusOf(assembly: Assembly): Float64Array {
  const g = gamma(assembly.terms + 2) * MAGNITUDE_MARGIN;
  const underflow = 2 * ETA * (assembly.terms + 2);
  const mag = assembly.magnitude!;
  const inh = assembly.inherited!;
  // A plain loop: Float64Array.from with a mapping callback took 0.8 s at 1,024² entries.
  const radius = new Float64Array(mag.length);
  for (let i = 0; i < mag.length; i++) radius[i] = g * mag[i] + inh[i] * MAGNITUDE_MARGIN + underflow;
  return radius;
}

interface Verification {
  readonly embedding: Embedding;
  readonly schur: boolean;
  readonly gram: { g: Float64Array; abs: Float64Array } | null;
}

const verificationCache = new WeakMap<SdpProblem, Verification>();

/** The exact-weights embedding, whether the Schur form applies, and G₀ = W₀W₀ᵀ (once per problem). */
function verification(problem: SdpProblem): Verification {
  const cached = verificationCache.get(problem);
  // Stryker disable next-line ConditionalExpression: a cache miss only recomputes the same embedding and Gram matrix
  if (cached) return cached;
  const embedding = embed(problem, problem.first, problem.inputDim);
  const schur = embedding.plainInputBlock && embedding.incoming.every((a) => a.input === null || a.unitInput >= 0);
  let gram: Verification['gram'] = null;
  if (schur) {
    const N = problem.firstWidth;
    const d = problem.inputDim;
    const W = problem.first;
    // The upper triangle (i ≤ j) only: that is all verifiedMatrix reads.
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
        g[i * N + j] = s;
        abs[i * N + j] = m;
      }
    }
    gram = { g, abs };
  }
  const out = { embedding, schur, gram };
  verificationCache.set(problem, out);
  return out;
}

/**
 * The matrix whose definiteness proves the certificate, computed in floating point, with an
 * entrywise radius that contains the exact matrix (steps 1 and 2): F(ρ, τ) itself ('full', over
 * x₀ and the unstable neurons), or its Schur complement K ('schur', over the unstable neurons).
 */
export function verifiedMatrix(problem: SdpProblem, tau: SdpMultipliers, rho: number): { values: Float64Array; radius: Float64Array; size: number; form: 'schur' | 'full' } {
  const { embedding, schur, gram } = verification(problem);
  if (!schur) {
    const full = fullMatrix(problem, embedding, rho, tau, true);
    return { values: full.values, radius: radiusOf(full), size: full.size, form: 'full' };
  }
  const n = problem.hidden;
  const N = problem.firstWidth;
  const d = problem.inputDim;
  const hidden = hiddenBlock(problem, embedding, tau, true);
  const k = hidden.values;
  const mag = hidden.magnitude!;
  const radius = radiusOf(hidden);
  const { g, abs } = gram!;
  // Entries of neurons coupled to the input: K_pq = H_pq − fl(fl(fl(τ_p·τ_q)·Ĝ)/ρ), four more roundings.
  const gSchur = gamma(hidden.terms + 6) * MAGNITUDE_MARGIN;
  const gGram = gamma(d) * MAGNITUDE_MARGIN;
  const coupled: number[] = [];
  embedding.incoming.forEach((a, p) => {
    if (a.unitInput >= 0) coupled.push(p);
  });
  for (let x = 0; x < coupled.length; x++) {
    const p = coupled[x];
    const ip = embedding.incoming[p].unitInput;
    for (let y = x; y < coupled.length; y++) {
      const q = coupled[y];
      const iq = embedding.incoming[q].unitInput;
      const at = Math.min(ip, iq) * N + Math.max(ip, iq);
      const gij = g[at];
      const tt = tau[p] * tau[q];
      const t = (tt * gij) / rho;
      const gramError = (tt / rho) * (gGram * abs[at] + 2 * d * ETA) * (1 + gSchur);
      const underflow = 2 * ETA * (hidden.terms + 2) + 2 * ETA * ((Math.abs(gij) + 2) / rho + 1);
      const pq = p * n + q;
      k[pq] = k[q * n + p] = k[pq] - t;
      radius[pq] = radius[q * n + p] = gSchur * (mag[pq] + Math.abs(t)) + hidden.inherited![pq] * MAGNITUDE_MARGIN + gramError + underflow;
    }
  }
  return { values: k, radius, size: n, form: 'schur' };
}

/**
 * True only if F(ρ, τ) ≻ 0 is proven for the exact values (steps 1–3), i.e. ‖Δy‖² ≤ ρ‖Δx‖² on the
 * domain for the rescaled network. Multipliers that are negative or not finite are refused.
 */
export function proveCertificate(problem: SdpProblem, tau: SdpMultipliers, rho: number): boolean {
  if (!(rho > 0) || !Number.isFinite(rho) || !admissible(problem, tau)) return false;
  const m = verifiedMatrix(problem, tau, rho);
  return provePositiveDefinite(m.values, m.size, m.radius);
}

/**
 * λ_max(X₀ + Cᵀ H⁻¹ C): the smallest ρ with F(ρ, τ) ⪰ 0, where H is F's hidden block (which must be
 * positive definite), C = F's hidden × input block (the neurons' couplings −τ_p·a_p and, for rows
 * of B with both an input and a hidden part, −BᵀB's cross terms) and X₀ = BᵀB's input block (F's
 * input block is ρI − X₀); null when H is not numerically positive definite. An estimate (Lanczos,
 * from below), used as the solver's measure of progress and as the start of the verified search.
 * Any embedding of the input gives the same value (the solver's thin one is cheaper).
 */
export function optimalRho(problem: SdpProblem, tau: SdpMultipliers, embedding: Embedding = verification(problem).embedding): number | null {
  // Stryker disable next-line BooleanLiteral: equivalent — the gradient, when computed, is not read
  return rhoWithGradient(problem, tau, embedding, false)?.rho ?? null;
}

/**
 * ρ*(τ) as in `optimalRho` and, when asked, its gradient with respect to τ: at ρ = ρ*, F(ρ, τ) has
 * the null vector w = (v, −H⁻¹Cv), v the top eigenvector, so (envelope theorem, for a simple top
 * eigenvalue) ∂ρ* / ∂τ_p = −wᵀF_p w/‖v‖² = −2·w_p·(w_p − a_p·w).
 */
export function rhoWithGradient(problem: SdpProblem, tau: SdpMultipliers, embedding: Embedding, gradient: boolean): { rho: number; gradient: Float64Array | null } | null {
  const n = problem.hidden;
  const r = embedding.r;
  // Stryker disable next-line BooleanLiteral: equivalent — tracking only adds the magnitude arrays, the values are the same
  const hidden = hiddenBlock(problem, embedding, tau, false);
  const factor = cholesky(hidden.values, n);
  if (!factor) return null;
  const coupled = embedding.incoming.map((a, p) => (a.input ? p : -1)).filter((p) => p >= 0);
  const outputs = embedding.output.filter((b) => b.input !== null);
  /** z = H⁻¹·C·v, C v = −τ_p·(input part of a_p)·v on the coupled neurons, − b_h·(b_in·v) per row b of B. */
  const solveCv = (v: Float64Array, z: Float64Array) => {
    z.fill(0);
    for (const p of coupled) {
      const a = embedding.incoming[p].input!;
      let s = 0;
      for (let j = 0; j < r; j++) s += a[j] * v[j];
      z[p] = -tau[p] * s;
    }
    for (const b of outputs) {
      let s = 0;
      for (let j = 0; j < r; j++) s += b.input![j] * v[j];
      for (let k = 0; k < b.values.length; k++) z[b.start + k] -= s * b.values[k];
    }
    solveLowerTransposedInPlace(factor, n, z);
    solveUpperInPlace(factor, n, z);
  };
  const z = new Float64Array(n);
  const apply = (v: Float64Array, out: Float64Array) => {
    solveCv(v, z);
    out.fill(0);
    for (const p of coupled) {
      const w = -tau[p] * z[p];
      const a = embedding.incoming[p].input!;
      for (let j = 0; j < r; j++) out[j] += w * a[j];
    }
    // X₀ = Σ_b b_in b_inᵀ over B's rows with an input part, and their cross terms' share of Cᵀz.
    for (const b of outputs) {
      let s = 0;
      for (let j = 0; j < r; j++) s += b.input![j] * v[j];
      for (let k = 0; k < b.values.length; k++) s -= b.values[k] * z[b.start + k];
      for (let j = 0; j < r; j++) out[j] += s * b.input![j];
    }
  };
  const { value, vector } = largestEigenpair(apply, r, 80, 1e-14);
  if (!Number.isFinite(value)) return null;
  if (!gradient) return { rho: Math.max(value, 0), gradient: null };
  const y = new Float64Array(n);
  solveCv(vector, y); // the hidden part of w is −y
  const g = new Float64Array(n);
  embedding.incoming.forEach((a, p) => {
    let aw = 0;
    if (a.input) for (let j = 0; j < r; j++) aw += a.input[j] * vector[j];
    for (let j = 0; j < a.values.length; j++) aw -= a.values[j] * y[a.start + j];
    const wp = -y[p];
    g[p] = -2 * wp * (wp - aw);
  });
  return { rho: Math.max(value, 0), gradient: g };
}

/**
 * One finite τ_p ≥ 0 per unstable neuron: what the LMI argument assumes. The sign and finiteness test
 * is a guard that fails fast, not a filter step 3 relies on: a negative τ_p makes F_pp ≤ 2τ_p < 0 and
 * a non-finite one a non-finite entry, neither of which is ever proven positive definite.
 */
function admissible(problem: SdpProblem, tau: SdpMultipliers): boolean {
  if (tau.length !== problem.hidden) return false;
  // Stryker disable next-line all: equivalent — such multipliers cannot pass step 3 either (above)
  return tau.every((t) => t >= 0 && Number.isFinite(t));
}

/** Relative inflations of ρ̂ tried in turn. */
const INFLATIONS = [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1, 3, 10];

/**
 * The proven bound from any multipliers (steps 1–4), or null when no proof could be made. Starts
 * from `estimate` (else computes ρ̂), inflates ρ geometrically, and doubles τ up to `maxDoublings`
 * times when the hidden block is not positive definite.
 */
export function certify(problem: SdpProblem, tau: SdpMultipliers, options: { estimate?: number; maxDoublings?: number } = {}): Certificate | null {
  if (!admissible(problem, tau)) return null;
  const form = verification(problem).schur ? 'schur' : 'full';
  let m = tau;
  for (let doubling = 0; doubling <= (options.maxDoublings ?? 20); doubling++) {
    // No estimate (H not definite) or a non-positive one gives ρ ≤ 0, which proveCertificate refuses.
    const estimate = (doubling === 0 && options.estimate !== undefined ? options.estimate : optimalRho(problem, m)) ?? 0;
    for (const delta of INFLATIONS) {
      const rho = estimate * (1 + delta);
      if (proveCertificate(problem, m, rho)) return { upper: boundFrom(problem, rho), rho, tau: m, form };
    }
    m = m.map((t) => 2 * t);
  }
  return null;
}

/** √ρ·2^{−exponent}, rounded up (step 4). */
export function boundFrom(problem: SdpProblem, rho: number): number {
  const root = -nextDown(-Math.sqrt(rho));
  const scaled = ldexp(root, -problem.exponent);
  return problem.exponent > 0 ? -nextDown(-scaled) : scaled;
}
