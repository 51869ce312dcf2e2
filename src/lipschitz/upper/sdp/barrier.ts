import { cholesky, choleskyInPlace, choleskySolveInPlace } from '../../../linalg/cholesky.js';
import type { Budget } from '../../budget.js';
import { optimalRho } from './certificate.js';
import { LmiEvaluator, type Factored } from './factor.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * A barrier (interior-point) method for LipSDP-Neuron: minimise ρ subject to F(ρ, τ, β) ⪰ 0
 * (lmi.ts), written for this structure — no general SDP solver is licence-free in Node.
 *
 * Path following on f_t(y) = t·ρ − log det F(y) − Σ_{unstable} log τ_p (the last sum only when β
 * multipliers exist; otherwise F ⪰ 0 already forces τ ≥ 0), y = (ρ, τ, β): Newton steps with a
 * backtracking (Armijo) line search that also extends full steps while the merit keeps falling,
 * and t multiplied by `growth` once the Newton decrement is below ½.
 *
 * Each F_j is a symmetrised outer product, F_j = u_j v_jᵀ + v_j u_jᵀ with u = e_p (τ) or q_p
 * (β) and v = e_p − q_p, q_p the neuron's incoming weights placed in the previous block; hence
 * tr(Z F_a Z F_b) = 2[(u_aᵀZu_b)(v_aᵀZv_b) + (u_aᵀZv_b)(v_aᵀZu_b)] with Z = F⁻¹, and the Newton
 * matrix comes from Z, Qᵀ·Z and QᵀZQ. The input block is carried in r = min(d, N₁) coordinates
 * through any R with RRᵀ = W₀W₀ᵀ (the LMI only sees that Gram matrix); factor.ts works on the
 * n×n Schur complement when it can.
 *
 * Stopping: whenever the decrement is below 1, X = (Z − Z·ΔF·Z)/t (ΔF the Newton step's change
 * of F) is dual feasible — the Newton equations say ⟨F_a, X⟩ = [a = ρ], and ‖Z^½ΔF Z^½‖_F ≤ λ < 1
 * keeps X ⪰ 0 — so ρ_opt ≥ ⟨W_LᵀW_L, X_LL⟩ (weak duality). The iterate's own certificate value
 * ρ*(τ, β) = λ_max(…) (certificate.ts) is an upper bound; the method stops when the two are within
 * `relativeGap`. Anytime: the budget is checked every step, and the multipliers with the best
 * ρ* seen are returned (the caller verifies them — the solver's word is never the bound).
 */
export interface BarrierOptions {
  readonly budget: Budget;
  /** A strictly feasible start: multipliers and a ρ with F(ρ, start) ≻ 0 (raised if needed). */
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
  readonly multipliers: SdpMultipliers;
  /** Their ρ* (an estimate of the bound they prove, before verification), or the iterate's ρ. */
  readonly rho: number;
  /** A lower bound on the SDP's optimum ρ from a dual feasible point (0 if none was found). */
  readonly dualLower: number;
  readonly iterations: number;
  readonly stoppedBy: 'converged' | 'time' | 'iterations' | 'numerical';
}

/** A thin factor R (N₁ × r) of W₀W₀ᵀ: W₀ itself when d ≤ N₁, else a Cholesky factor. */
export function inputFactor(problem: SdpProblem): { first: Float64Array; r: number } {
  const N = problem.widths[0];
  const d = problem.inputDim;
  const W = problem.weights[0];
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

/** One multiplier of the solver: τ_p (u = e_p) or β_p (u = q_p); v = e_p − q_p for both. */
interface Variable {
  readonly kind: 'tau' | 'beta';
  readonly p: number;
}

/**
 * Where each neuron's incoming weights sit in F's coordinates, and Qᵀ·Y for a matrix Y:
 * q_p is row p of W_{l−1} placed in block l − 1 (the input block, through R, for layer 1).
 */
class IncomingWeights {
  private readonly layer: Int32Array;

  constructor(
    private readonly problem: SdpProblem,
    private readonly first: Float64Array,
    private readonly r: number,
  ) {
    this.layer = new Int32Array(problem.hidden);
    for (let l = 0; l < problem.widths.length; l++) this.layer.fill(l, problem.offsets[l], problem.offsets[l] + problem.widths[l]);
  }

  /** [weights array, offset of the row, first coordinate in F, width]. */
  row(p: number): [Float64Array, number, number, number] {
    const l = this.layer[p];
    const i = p - this.problem.offsets[l];
    if (l === 0) return [this.first, i * this.r, 0, this.r];
    const width = this.problem.widths[l - 1];
    return [this.problem.weights[l], i * width, this.r + this.problem.offsets[l - 1], width];
  }

  /** Qᵀ·Y (n × cols) for Y (size × cols, row-major). */
  applyTranspose(Y: Float64Array, cols: number): Float64Array {
    const n = this.problem.hidden;
    const out = new Float64Array(n * cols);
    for (let p = 0; p < n; p++) {
      const [w, o, start, width] = this.row(p);
      const row = p * cols;
      for (let j = 0; j < width; j++) {
        const c = w[o + j];
        if (c === 0) continue;
        const yr = (start + j) * cols;
        for (let k = 0; k < cols; k++) out[row + k] += c * Y[yr + k];
      }
    }
    return out;
  }
}

/** Runs the method from a strictly feasible start. */
export function solveBarrier(problem: SdpProblem, options: BarrierOptions): BarrierResult {
  const { first, r } = inputFactor(problem);
  const n = problem.hidden;
  const D = r + n;
  const variables: Variable[] = [];
  for (let p = 0; p < n; p++) variables.push({ kind: 'tau', p });
  for (let p = 0; p < n; p++) if (problem.hasBeta[p]) variables.push({ kind: 'beta', p });
  const m = variables.length + 1; // + ρ
  const tauBarrier = variables.length > n; // β present: keep unstable τ ≥ 0 explicitly
  let unstable = 0;
  for (let p = 0; p < n; p++) if (!problem.active[p]) unstable++;
  const nu = D + (tauBarrier ? unstable : 0);
  const relativeGap = options.relativeGap ?? 1e-3;
  const growth = options.growth ?? Number(process.env.SDP_G ?? 4);
  const maxIterations = options.maxIterations ?? 500;
  const incoming = new IncomingWeights(problem, first, r);
  const evaluator = new LmiEvaluator(problem, first, r);
  const admissible = (tau: Float64Array) => !tauBarrier || tau.every((v, p) => problem.active[p] === 1 || v > 0);
  const evaluate = (rho: number, tau: Float64Array, beta: Float64Array) => (admissible(tau) ? evaluator.factor({ rho, tau, beta }) : null);
  /** The point y + s·step. */
  const moved = (f: Factored, step: Float64Array, s: number) => {
    const tau = Float64Array.from(f.point.tau, (v, p) => v + s * step[p + 1]);
    const beta = f.point.beta.slice();
    for (let a = n; a < variables.length; a++) beta[variables[a].p] += s * step[a + 1];
    return evaluate(f.point.rho + s * step[0], tau, beta);
  };
  const merit = (f: Factored, t: number) => {
    let v = t * f.point.rho - f.logDet;
    if (tauBarrier) for (let p = 0; p < n; p++) if (!problem.active[p]) v -= Math.log(f.point.tau[p]);
    return v;
  };

  let current = evaluate(options.startRho, options.start.tau, options.start.beta);
  // The start's ρ is an estimate: raise it until F ≻ 0 numerically.
  for (let raise = 1; !current && admissible(options.start.tau) && raise <= 60; raise++) {
    current = evaluate(options.startRho * 1.25 ** raise, options.start.tau, options.start.beta);
  }
  if (!current) return { multipliers: options.start, rho: options.startRho, dualLower: 0, iterations: 0, stoppedBy: 'numerical' };

  let dualLower = 0;
  let best: { multipliers: SdpMultipliers; rho: number } = { multipliers: options.start, rho: Infinity };
  const consider = (point: Factored['point']) => {
    const value = optimalRho(problem, point);
    if (value !== null && value < best.rho) best = { multipliers: { tau: point.tau, beta: point.beta }, rho: value };
  };
  consider(current.point);
  let t = ((options.initialWeight ?? Number(process.env.SDP_T0 ?? 1)) * nu) / current.point.rho;
  let iterations = 0;
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
    if (process.env.SDP_CHECK !== undefined && iterations === Number(process.env.SDP_CHECK)) {
      const phi = (h: number) => { const c = moved(current!, step, h); return c ? merit(c, 0) : NaN; };
      const dirs: [string, Float64Array][] = [['newton', step]];
      for (const which of [0, 1, n + 1, m - 1]) { const e = new Float64Array(m); e[which] = 1; dirs.push(['e' + which, e]); }
      for (const [name, dir] of dirs) {
        const ph = (h: number) => { const c = moved(current!, dir, h); return c ? merit(c, 0) : NaN; };
        let dHd = 0, gd = 0;
        for (let i = 0; i < m; i++) { gd += grad[i] * dir[i]; for (let j = 0; j < m; j++) dHd += dir[i] * H[i * m + j] * dir[j]; }
        const h = 1e-4 / Math.sqrt(Math.max(dHd, 1e-30));
        console.log(name, 'fd1', (ph(h) - ph(-h)) / (2 * h), 'g.d', gd, 'fd2', (ph(h) - 2 * ph(0) + ph(-h)) / (h * h), 'dHd', dHd);
      }
      void phi;
    }
    let decrement2 = 0;
    for (let i = 0; i < m; i++) decrement2 -= g[i] * step[i];
    const decrement = Math.sqrt(Math.max(0, decrement2));
    if (decrement < 1) {
      dualLower = Math.max(dualLower, dualBound(Z, step, t));
      consider(current.point);
      if (best.rho - dualLower <= relativeGap * best.rho) {
        stoppedBy = 'converged';
        break;
      }
    }
    // Backtracking (Armijo) on the merit from the full Newton step, then extension of a full
    // step while the merit keeps falling (far from the centre Newton may move some multipliers by
    // only a constant factor per step).
    const merit0 = merit(current, t);
    let s = 1;
    let next: Factored | null = null;
    for (let halving = 0; halving < 50; halving++) {
      const candidate = moved(current, step, s);
      if (candidate && merit(candidate, t) <= merit0 - 0.01 * s * decrement2 + 1e-13 * Math.abs(merit0)) {
        next = candidate;
        break;
      }
      s /= 2;
    }
    if (!next) {
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
    if (process.env.SDP_TRACE) console.log(iterations, t.toExponential(2), decrement.toFixed(3), s, Math.sqrt(best.rho) * 2 ** -problem.exponent, Math.sqrt(dualLower) * 2 ** -problem.exponent);
    if (decrement < 0.5) t *= growth;
  }
  consider(current.point);
  return { multipliers: best.multipliers, rho: Number.isFinite(best.rho) ? best.rho : current.point.rho, dualLower, iterations, stoppedBy };

  /** The Newton system of −log det F (and the τ barrier) at a point, and Z = F⁻¹. */
  function newtonSystem(f: Factored): { H: Float64Array; grad: Float64Array; Z: Float64Array } {
    const { tau } = f.point;
    const Z = evaluator.inverse(f);
    const QtZ = incoming.applyTranspose(Z, D); // n × D: row p = q_pᵀ Z
    const ZQ = new Float64Array(D * n);
    for (let p = 0; p < n; p++) for (let k = 0; k < D; k++) ZQ[k * n + p] = QtZ[p * D + k];
    const QQ = incoming.applyTranspose(ZQ, n); // n × n
    // u·Z·u′ for u, u′ ∈ {e_{r+p}, q_p}.
    const PP = (a: number, b: number) => Z[(r + a) * D + r + b];
    const PQ = (a: number, b: number) => QtZ[b * D + r + a];
    const UU = (x: Variable, y: Variable) => (x.kind === 'tau' ? (y.kind === 'tau' ? PP(x.p, y.p) : PQ(x.p, y.p)) : y.kind === 'tau' ? PQ(y.p, x.p) : QQ[x.p * n + y.p]);
    const UP = (x: Variable, b: number) => (x.kind === 'tau' ? PP(x.p, b) : PQ(b, x.p));
    const UQ = (x: Variable, b: number) => (x.kind === 'tau' ? PQ(x.p, b) : QQ[x.p * n + b]);
    const UV = (x: Variable, y: Variable) => UP(x, y.p) - UQ(x, y.p);
    const VV = (a: number, b: number) => PP(a, b) - PQ(a, b) - PQ(b, a) + QQ[a * n + b];
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
    variables.forEach((x, a) => {
      const ia = a + 1;
      grad[ia] = -2 * UV(x, x);
      // H_ρa = tr(Z E₀ Z F_a) = 2·(Z u)_input·(Z v)_input
      let s = 0;
      for (let i = 0; i < r; i++) {
        const zp = Z[i * D + r + x.p];
        const zq = QtZ[x.p * D + i];
        s += (x.kind === 'tau' ? zp : zq) * (zp - zq);
      }
      H[ia] = H[ia * m] = 2 * s;
      for (let b = a; b < variables.length; b++) {
        const y = variables[b];
        H[ia * m + b + 1] = H[(b + 1) * m + ia] = 2 * (UU(x, y) * VV(x.p, y.p) + UV(x, y) * UV(y, x));
      }
      if (tauBarrier && x.kind === 'tau' && !problem.active[x.p]) {
        grad[ia] -= 1 / tau[x.p];
        H[ia * m + ia] += 1 / tau[x.p] ** 2;
      }
    });
    return { H, grad, Z };
  }

  /** ⟨W_LᵀW_L, X_LL⟩ for X = (Z − Z·ΔF·Z)/t: with V = Z[:, L]·W_Lᵀ, (tr(W_L Z_LL W_Lᵀ) − ⟨ΔF, VVᵀ⟩)/t. */
  function dualBound(Z: Float64Array, step: Float64Array, t: number): number {
    const L = problem.widths.length;
    const lastOff = r + problem.offsets[L - 1];
    const NL = problem.widths[L - 1];
    const k = problem.outputs;
    const WL = problem.weights[L];
    const V = new Float64Array(D * k);
    for (let row = 0; row < D; row++) {
      for (let c = 0; c < k; c++) {
        let s = 0;
        for (let i = 0; i < NL; i++) s += Z[row * D + lastOff + i] * WL[c * NL + i];
        V[row * k + c] = s;
      }
    }
    let base = 0;
    for (let c = 0; c < k; c++) for (let i = 0; i < NL; i++) base += WL[c * NL + i] * V[(lastOff + i) * k + c];
    let correction = 0;
    for (let i = 0; i < r * k; i++) correction += step[0] * V[i] ** 2;
    const qv = new Float64Array(k);
    variables.forEach((x, a) => {
      const [w, o, start, width] = incoming.row(x.p);
      qv.fill(0);
      for (let j = 0; j < width; j++) {
        const c = w[o + j];
        if (c !== 0) for (let col = 0; col < k; col++) qv[col] += c * V[(start + j) * k + col];
      }
      const pos = (r + x.p) * k;
      let s = 0;
      for (let col = 0; col < k; col++) s += (x.kind === 'tau' ? V[pos + col] : qv[col]) * (V[pos + col] - qv[col]);
      correction += 2 * step[a + 1] * s;
    });
    return (base - correction) / t;
  }
}

/** Solves H x = b (H symmetric positive definite, up to a small ridge when rounding spoils it). */
function solveWithRidge(H: Float64Array, m: number, b: ArrayLike<number>): Float64Array | null {
  let largest = 0;
  for (let i = 0; i < m; i++) largest = Math.max(largest, Math.abs(H[i * m + i]));
  for (let ridge = 0; ridge <= 1e-6; ridge = ridge === 0 ? 1e-14 : ridge * 100) {
    const f = H.slice();
    for (let i = 0; i < m; i++) f[i * m + i] += ridge * largest;
    if (choleskyInPlace(f, m)) {
      const x = Float64Array.from(b);
      choleskySolveInPlace(f, m, x);
      return x;
    }
  }
  return null;
}
