import { cholesky, choleskyInPlace, choleskySolveInPlace } from '../../../linalg/cholesky.js';
import { addRowCombinations } from '../../../linalg/rowCombinations.js';
import type { Budget } from '../../budget.js';
import { optimalRho } from './certificate.js';
import { LmiEvaluator, type Factored } from './factor.js';
import { embed, type Embedding } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * A barrier (interior-point) method for LipSDP-Neuron: minimise ρ subject to F(ρ, τ) ⪰ 0 (lmi.ts),
 * written for this structure — no general SDP solver is licence-free in Node.
 *
 * Path following on f_t(ρ, τ) = t·ρ − log det F(ρ, τ) (F ⪰ 0 forces τ ≥ 0: F's diagonal is
 * 2τ_p − ‖B e_p‖²): Newton steps with a backtracking (Armijo) line search that also extends a full
 * step while the merit keeps falling, and t multiplied by `growth` once the Newton decrement is
 * below ½.
 *
 * Each F_p is a symmetrised outer product, F_p = e_p v_pᵀ + v_p e_pᵀ with v_p = e_p − a_p, hence
 * tr(Z F_a Z F_b) = 2[(e_aᵀZe_b)(v_aᵀZv_b) + (e_aᵀZv_b)(v_aᵀZe_b)] with Z = F⁻¹, and the whole
 * Newton matrix comes from Z, A·Z and A·Z·Aᵀ (A the rows a_p): O((r + n)³) per step. The input is
 * carried in r = min(d, N₁) coordinates through any R with RRᵀ = W₀W₀ᵀ (the LMI only sees that
 * Gram matrix); factor.ts works on the n×n Schur complement when it can.
 *
 * Stopping: whenever the decrement λ is below 1, X = (Z − Z·ΔF·Z)/t (ΔF the Newton step's change
 * of F) is dual feasible — the Newton equations say ⟨F_ρ, X⟩ = 1 and ⟨F_p, X⟩ = 0, and
 * ‖Z^½ΔF Z^½‖_F ≤ λ < 1 keeps X ⪰ 0 — so ρ_opt ≥ ⟨BᵀB, X⟩ (weak duality). The iterate's own
 * certificate value ρ*(τ) (certificate.ts) is an upper bound; the method stops when the two are
 * within `relativeGap`. Anytime: the budget is checked every step, and the multipliers with the
 * best ρ* seen are returned (the caller verifies them — the solver's word is never the bound).
 */
export interface BarrierOptions {
  readonly budget: Budget;
  /** A start: multipliers and a ρ with F(ρ, start) ≻ 0 (raised until it is). */
  readonly start: SdpMultipliers;
  readonly startRho: number;
  /** Stop when ρ* − (dual bound) ≤ relativeGap·ρ* (default 1e-3). */
  readonly relativeGap?: number;
  readonly maxIterations?: number;
  /** Factor by which t grows once centred (default 4). */
  readonly growth?: number;
  /** t₀ = initialWeight·ν/ρ₀ (default 1). */
  readonly initialWeight?: number;
}

export interface BarrierResult {
  /** The multipliers with the smallest ρ* seen. */
  readonly tau: SdpMultipliers;
  /** Their ρ* (an estimate of what they prove, before verification). */
  readonly rho: number;
  /** A lower bound on the SDP's optimum ρ from a dual feasible point (0 if none was found). */
  readonly dualLower: number;
  readonly iterations: number;
  readonly stoppedBy: 'converged' | 'time' | 'iterations' | 'numerical';
}

/** A thin factor R (N₁ × r) of W₀W₀ᵀ: W₀ itself when d ≤ N₁, else a Cholesky factor. */
export function inputFactor(problem: SdpProblem): { first: Float64Array; r: number } {
  const N = problem.firstWidth;
  const d = problem.inputDim;
  const W = problem.first;
  if (d <= N) return { first: W, r: d };
  const g = new Float64Array(N * N);
  let trace = 0;
  for (let i = 0; i < N; i++) {
    for (let j = i; j < N; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += W[i * d + k] * W[j * d + k];
      g[i * N + j] = g[j * N + i] = s;
    }
    trace += g[i * N + i];
  }
  for (let jitter = 1e-13; ; jitter *= 100) {
    const shifted = g.slice();
    for (let i = 0; i < N; i++) shifted[i * N + i] += jitter * (trace / N + Number.MIN_VALUE);
    const u = cholesky(shifted, N);
    if (u) {
      const first = new Float64Array(N * N); // R = Uᵀ
      for (let i = 0; i < N; i++) for (let j = i; j < N; j++) first[j * N + i] = u[i * N + j];
      return { first, r: N };
    }
  }
}

/** The solver's embedding of a problem (cached: B&B solves many problems, each once). */
export function solverEmbedding(problem: SdpProblem): Embedding {
  const { first, r } = inputFactor(problem);
  return embed(problem, first, r);
}

/** A·Y (n × cols) for Y (size × cols, row-major), A the rows a_p over F's coordinates. */
function applyRows(embedding: Embedding, n: number, Y: Float64Array, cols: number): Float64Array {
  const r = embedding.r;
  const out = new Float64Array(n * cols);
  const rows = embedding.incoming;
  // Runs of consecutive neurons whose parts have the same support go through the blocked kernel.
  for (let p = 0; p < n; ) {
    let q = p + 1;
    if (rows[p].input) {
      while (q < n && rows[q].input) q++;
      addRowCombinations(out, p, rows.slice(p, q).map((a) => a.input!), Y, 0, r, cols);
    }
    p = q;
  }
  for (let p = 0; p < n; ) {
    const { start, values } = rows[p];
    let q = p + 1;
    while (q < n && rows[q].start === start && rows[q].values.length === values.length) q++;
    if (values.length > 0) addRowCombinations(out, p, rows.slice(p, q).map((a) => a.values), Y, r + start, values.length, cols);
    p = q;
  }
  return out;
}

/** Runs the method from a start. */
export function solveBarrier(problem: SdpProblem, options: BarrierOptions, embedding: Embedding = solverEmbedding(problem)): BarrierResult {
  const n = problem.hidden;
  const r = embedding.r;
  const D = r + n;
  const m = n + 1; // ρ, then τ
  const nu = D;
  const relativeGap = options.relativeGap ?? 1e-3;
  const growth = options.growth ?? 4;
  const maxIterations = options.maxIterations ?? 500;
  const evaluator = new LmiEvaluator(problem, embedding);
  const evaluate = (rho: number, tau: Float64Array) => evaluator.factor({ rho, tau });
  const moved = (f: Factored, step: Float64Array, s: number) =>
    evaluate(
      f.point.rho + s * step[0],
      Float64Array.from(f.point.tau, (v, p) => v + s * step[p + 1]),
    );
  const merit = (f: Factored, t: number) => t * f.point.rho - f.logDet;

  let current = evaluate(options.startRho, options.start);
  for (let raise = 1; !current && raise <= 60; raise++) current = evaluate(options.startRho * 1.25 ** raise, options.start);
  if (!current) return { tau: options.start, rho: options.startRho, dualLower: 0, iterations: 0, stoppedBy: 'numerical' };

  let dualLower = 0;
  let best = { tau: options.start, rho: Infinity };
  const consider = (tau: SdpMultipliers) => {
    const value = optimalRho(problem, tau, embedding);
    if (value !== null && value < best.rho) best = { tau, rho: value };
  };
  consider(current.point.tau);
  let t = ((options.initialWeight ?? 1) * nu) / current.point.rho;
  let iterations = 0;
  let stalls = 0;
  let stoppedBy: BarrierResult['stoppedBy'] = 'iterations';
  for (; iterations < maxIterations; iterations++) {
    if (options.budget.exceeded()) {
      stoppedBy = 'time';
      break;
    }
    const { H, grad, Z } = newtonSystem(current);
    const g = grad.slice();
    g[0] += t;
    const step = solveWithRidge(H, m, g.map((v) => -v));
    if (!step) {
      stoppedBy = 'numerical';
      break;
    }
    let decrement2 = 0;
    for (let i = 0; i < m; i++) decrement2 -= g[i] * step[i];
    const decrement = Math.sqrt(Math.max(0, decrement2));
    if (decrement >= 1 && iterations % 10 === 9) consider(current.point.tau); // anytime: progress off the path counts too
    if (decrement < 1) {
      dualLower = Math.max(dualLower, dualBound(Z, step, H));
      consider(current.point.tau);
      if (best.rho - dualLower <= relativeGap * best.rho) {
        stoppedBy = 'converged';
        break;
      }
    }
    // Backtracking (Armijo) from the full Newton step, then extension of a full step while the
    // merit keeps falling (far from the centre Newton may move some multipliers by only a constant
    // factor per step).
    const merit0 = merit(current, t);
    let s = 1;
    let next: Factored | null = null;
    for (let halving = 0; halving < 40; halving++) {
      const candidate = moved(current, step, s);
      if (candidate && merit(candidate, t) <= merit0 - 0.01 * s * decrement2) {
        next = candidate;
        break;
      }
      s /= 2;
    }
    if (!next) {
      stoppedBy = 'numerical';
      break;
    }
    // Steps that no longer move anything: rounding has the last word.
    stalls = s < 1e-6 ? stalls + 1 : 0;
    if (stalls >= 3) {
      stoppedBy = 'numerical';
      break;
    }
    if (s === 1 && decrement > 0.5) {
      let value = merit(next, t);
      for (let grow = 2; grow <= 64; grow *= 2) {
        const candidate = moved(current, step, grow);
        const v = candidate ? merit(candidate, t) : Infinity;
        if (!candidate || !(v < value)) break;
        next = candidate;
        value = v;
      }
    }
    current = next;
    if (decrement < 0.5) t *= growth;
  }
  consider(current.point.tau);
  return { tau: best.tau, rho: Number.isFinite(best.rho) ? best.rho : current.point.rho, dualLower, iterations, stoppedBy };

  /** The Newton system of −log det F at a point, and Z = F⁻¹. */
  function newtonSystem(f: Factored): { H: Float64Array; grad: Float64Array; Z: Float64Array } {
    const Z = evaluator.inverse(f);
    const AZ = applyRows(embedding, n, Z, D); // n × D: row p = a_pᵀ Z
    const ZA = new Float64Array(D * n);
    for (let p = 0; p < n; p++) for (let k = 0; k < D; k++) ZA[k * n + p] = AZ[p * D + k];
    const AZA = applyRows(embedding, n, ZA, n); // n × n
    // e_aᵀZe_b, e_aᵀZa_b, a_aᵀZa_b; with v = e − a: e_aᵀZv_b = PP − PA, v_aᵀZv_b = PP − PA − AP + AA.
    const H = new Float64Array(m * m);
    const grad = new Float64Array(m);
    let trace0 = 0;
    let frobenius0 = 0;
    for (let i = 0; i < r; i++) {
      trace0 += Z[i * D + i];
      for (let j = 0; j < r; j++) frobenius0 += Z[i * D + j] ** 2;
    }
    grad[0] = -trace0;
    H[0] = frobenius0;
    for (let a = 0; a < n; a++) {
      const ra = (r + a) * D + r;
      const pa = AZ[a * D + r + a];
      grad[a + 1] = -2 * (Z[ra + a] - pa);
      // H_ρa = tr(Z E₀ Z F_a) = 2·(Z e_a)_input·(Z v_a)_input
      let s = 0;
      for (let i = 0; i < r; i++) {
        const ze = Z[i * D + r + a];
        s += ze * (ze - AZ[a * D + i]);
      }
      H[a + 1] = H[(a + 1) * m] = 2 * s;
      for (let b = a; b < n; b++) {
        const pp = Z[ra + b];
        const pab = AZ[b * D + r + a]; // e_aᵀ Z a_b
        const pba = AZ[a * D + r + b]; // e_bᵀ Z a_a
        const aa = AZA[a * n + b];
        const vv = pp - pab - pba + aa;
        H[(a + 1) * m + b + 1] = H[(b + 1) * m + a + 1] = 2 * (pp * vv + (pp - pab) * (pp - pba));
      }
    }
    return { H, grad, Z };
  }

  /** ⟨BᵀB, X⟩/⟨E₀, X⟩ for X = Z − Z·ΔF·Z: with V = Z·Bᵀ, (tr(B Z Bᵀ) − ⟨ΔF, VVᵀ⟩)/(tr Z₀₀ − ⟨E₀, ZΔFZ⟩). */
  function dualBound(Z: Float64Array, step: Float64Array, H: Float64Array): number {
    const k = embedding.output.length;
    const V = new Float64Array(D * k);
    embedding.output.forEach((b, c) => {
      for (let row = 0; row < D; row++) {
        let s = 0;
        if (b.input) for (let j = 0; j < r; j++) s += Z[row * D + j] * b.input[j];
        for (let j = 0; j < b.values.length; j++) s += Z[row * D + r + b.start + j] * b.values[j];
        V[row * k + c] = s;
      }
    });
    let base = 0;
    embedding.output.forEach((b, c) => {
      if (b.input) for (let j = 0; j < r; j++) base += b.input[j] * V[j * k + c];
      for (let j = 0; j < b.values.length; j++) base += b.values[j] * V[(r + b.start + j) * k + c];
    });
    let correction = 0;
    for (let i = 0; i < r * k; i++) correction += step[0] * V[i] ** 2;
    const av = applyRows(embedding, n, V, k);
    for (let p = 0; p < n; p++) {
      let s = 0;
      for (let c = 0; c < k; c++) {
        const vp = V[(r + p) * k + c];
        s += vp * (vp - av[p * k + c]);
      }
      correction += 2 * step[p + 1] * s;
    }
    // X = (Z − ZΔFZ)/t has ⟨F_p, X⟩ = 0 and ⟨E₀, X⟩ = (tr Z₀₀ − (HΔ)_ρ)/t (= 1 when the Newton
    // system is solved exactly): normalise by it, X ⪰ 0 being unchanged by a positive factor.
    let trace0 = 0;
    for (let i = 0; i < r; i++) trace0 += Z[i * D + i];
    let hStep = 0;
    for (let j = 0; j < m; j++) hStep += H[j] * step[j];
    const mass = trace0 - hStep;
    return mass > 0 ? (base - correction) / mass : 0;
  }
}

/** Solves H x = b (H symmetric positive definite, up to a small ridge when rounding spoils it). */
function solveWithRidge(H: Float64Array, m: number, b: ArrayLike<number>): Float64Array | null {
  // Symmetric diagonal scaling first (H's diagonal spans many orders of magnitude on deep nets:
  // a ridge relative to the largest entry would flatten the small directions).
  const scale = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const d = H[i * m + i];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    scale[i] = 1 / Math.sqrt(d);
  }
  for (let ridge = 0; ridge <= 1e-6; ridge = ridge === 0 ? 1e-14 : ridge * 100) {
    const f = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) f[i * m + j] = H[i * m + j] * scale[i] * scale[j];
    for (let i = 0; i < m; i++) f[i * m + i] += ridge;
    if (choleskyInPlace(f, m)) {
      const x = Float64Array.from(b, (v, i) => v * scale[i]);
      choleskySolveInPlace(f, m, x);
      for (let i = 0; i < m; i++) x[i] *= scale[i];
      return x;
    }
  }
  return null;
}
