import { cholesky, choleskyInPlace, choleskySolveInPlace, inverseFromFactor, logDetFromFactor } from '../../../linalg/cholesky.js';
import type { Budget } from '../../budget.js';
import { fullMatrix } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * A barrier (interior-point) method for LipSDP-Neuron: minimise ρ subject to F(ρ, τ, β) ⪰ 0
 * (lmi.ts), written for this structure — no general SDP solver is licence-free in Node.
 *
 * Path following on f_t(y) = t·ρ − log det F(y) − Σ_{unstable} log τ_p (the last sum only when β
 * multipliers exist; otherwise F ⪰ 0 already forces τ ≥ 0), y = (ρ, τ, β), with damped Newton
 * steps (step 1/(1 + λ) while the Newton decrement λ is large, which keeps F ≻ 0 for a
 * self-concordant barrier) and t multiplied by `growth` whenever the iterate is nearly centred.
 * At a centred point ρ exceeds the optimum by at most ν/t (ν = the barrier parameter), which is
 * the stopping rule.
 *
 * Each F_j is a symmetrised outer product, F_j = u_j v_jᵀ + v_j u_jᵀ with u = e_p (τ) or q_p
 * (β) and v = e_p − q_p, q_p the neuron's incoming weights placed in the previous block; hence
 * tr(Z F_a Z F_b) = 2[(u_aᵀZu_b)(v_aᵀZv_b) + (u_aᵀZv_b)(v_aᵀZu_b)] with Z = F⁻¹, and the whole
 * Newton matrix comes from Z, Z·Q and QᵀZQ: O((r + n)³) per step. The input block is carried in
 * r = min(d, N₁) coordinates through any R with RRᵀ = W₀W₀ᵀ (the LMI only sees that Gram matrix).
 *
 * Anytime: the budget is checked every step; the last iterate is always strictly feasible and
 * is returned (the caller verifies it — the solver's word is never the bound).
 */
export interface BarrierOptions {
  readonly budget: Budget;
  /** A strictly feasible start: multipliers and a ρ with F(ρ, start) ≻ 0. */
  readonly start: SdpMultipliers;
  readonly startRho: number;
  /** Stop when ν/t ≤ relativeGap·ρ (default 1e-4). */
  readonly relativeGap?: number;
  readonly maxIterations?: number;
  /** Factor by which t grows once centred (default 6). */
  readonly growth?: number;
}

export interface BarrierResult {
  readonly multipliers: SdpMultipliers;
  /** The iterate's ρ (F(ρ, multipliers) ≻ 0 numerically; an upper estimate of the optimum). */
  readonly rho: number;
  /** ν/t at the end: about how far above the optimum a centred point can be. */
  readonly gapEstimate: number;
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

interface Variable {
  readonly kind: 'tau' | 'beta';
  readonly p: number;
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
  let unstableCount = 0;
  for (let p = 0; p < n; p++) if (!problem.active[p]) unstableCount++;
  const nu = D + (tauBarrier ? unstableCount : 0);
  const relativeGap = options.relativeGap ?? 1e-4;
  const growth = options.growth ?? 6;
  const maxIterations = options.maxIterations ?? 400;

  let rho = options.startRho;
  let tau = options.start.tau.slice();
  let beta = options.start.beta.slice();
  const assemble = (rh: number, ta: Float64Array, be: Float64Array) => fullMatrix(problem, first, r, rh, { tau: ta, beta: be }, false).values;
  const feasible = (ta: Float64Array) => !tauBarrier || ta.every((v, p) => problem.active[p] === 1 || v > 0);
  let factor = feasible(tau) ? cholesky(assemble(rho, tau, beta), D) : null;
  // The start's ρ is an estimate: raise it until F ≻ 0 numerically.
  for (let raise = 0; !factor && feasible(tau) && raise < 60; raise++) {
    rho *= 1.25;
    factor = cholesky(assemble(rho, tau, beta), D);
  }
  if (!factor) return { multipliers: { tau, beta }, rho, gapEstimate: Infinity, iterations: 0, stoppedBy: 'numerical' };

  // Where each neuron's incoming weights sit: block start and width (the input block for layer 1).
  const layerOf = new Int32Array(n);
  for (let l = 0; l < problem.widths.length; l++) layerOf.fill(l, problem.offsets[l], problem.offsets[l] + problem.widths[l]);
  const qStart = (p: number) => (layerOf[p] === 0 ? 0 : r + problem.offsets[layerOf[p] - 1]);
  const qWidth = (p: number) => (layerOf[p] === 0 ? r : problem.widths[layerOf[p] - 1]);
  const qRow = (p: number): [Float64Array, number] => {
    const l = layerOf[p];
    const i = p - problem.offsets[l];
    return l === 0 ? [first, i * r] : [problem.weights[l], i * problem.widths[l - 1]];
  };
  /** out (n × cols) = Qᵀ·X for X (D × cols). */
  const applyQT = (X: Float64Array, cols: number): Float64Array => {
    const out = new Float64Array(n * cols);
    for (let p = 0; p < n; p++) {
      const [w, o] = qRow(p);
      const s = qStart(p);
      const width = qWidth(p);
      const row = p * cols;
      for (let j = 0; j < width; j++) {
        const c = w[o + j];
        if (c === 0) continue;
        const xr = (s + j) * cols;
        for (let k = 0; k < cols; k++) out[row + k] += c * X[xr + k];
      }
    }
    return out;
  };

  let t = NaN;
  let iterations = 0;
  let stoppedBy: BarrierResult['stoppedBy'] = 'iterations';
  for (; iterations < maxIterations; iterations++) {
    if (options.budget.exceeded()) {
      stoppedBy = 'time';
      break;
    }
    const Z = inverseFromFactor(factor, D);
    const QtZ = applyQT(Z, D); // n × D: row p = q_pᵀ Z
    const ZQ = new Float64Array(D * n); // D × n
    for (let p = 0; p < n; p++) for (let k = 0; k < D; k++) ZQ[k * n + p] = QtZ[p * D + k];
    const QQ = applyQT(ZQ, n); // n × n
    // Inner products of the u and v vectors: P = e_{r+p}, Q = q_p.
    const PP = (a: number, b: number) => Z[(r + a) * D + r + b];
    const PQ = (a: number, b: number) => QtZ[b * D + r + a];
    const QQf = (a: number, b: number) => QQ[a * n + b];
    const UU = (x: Variable, y: Variable) => (x.kind === 'tau' ? (y.kind === 'tau' ? PP(x.p, y.p) : PQ(x.p, y.p)) : y.kind === 'tau' ? PQ(y.p, x.p) : QQf(x.p, y.p));
    const UP = (x: Variable, b: number) => (x.kind === 'tau' ? PP(x.p, b) : PQ(b, x.p));
    const UQ = (x: Variable, b: number) => (x.kind === 'tau' ? PQ(x.p, b) : QQf(x.p, b));
    const UV = (x: Variable, y: Variable) => UP(x, y.p) - UQ(x, y.p);
    const VV = (a: number, b: number) => PP(a, b) - PQ(a, b) - PQ(b, a) + QQf(a, b);

    const H = new Float64Array(m * m);
    const grad = new Float64Array(m); // of −log det F (and the τ barrier); t·e₀ is added below
    let trace0 = 0;
    let frob0 = 0;
    for (let i = 0; i < r; i++) {
      trace0 += Z[i * D + i];
      for (let j = 0; j < r; j++) frob0 += Z[i * D + j] ** 2;
    }
    grad[0] = -trace0;
    H[0] = frob0;
    const zu = new Float64Array(r);
    const zv = new Float64Array(r);
    variables.forEach((x, a) => {
      const ia = a + 1;
      grad[ia] = -2 * UV(x, x);
      // H_ρa = 2·(Z u)_{input}·(Z v)_{input}
      for (let i = 0; i < r; i++) {
        const zp = Z[i * D + r + x.p];
        const zq = QtZ[x.p * D + i];
        zu[i] = x.kind === 'tau' ? zp : zq;
        zv[i] = zp - zq;
      }
      let s = 0;
      for (let i = 0; i < r; i++) s += zu[i] * zv[i];
      H[ia] = H[ia * m] = 2 * s;
      for (let b = a; b < variables.length; b++) {
        const y = variables[b];
        const value = 2 * (UU(x, y) * VV(x.p, y.p) + UV(x, y) * UV(y, x));
        H[ia * m + b + 1] = H[(b + 1) * m + ia] = value;
      }
      if (tauBarrier && x.kind === 'tau' && !problem.active[x.p]) {
        grad[ia] -= 1 / tau[x.p];
        H[ia * m + ia] += 1 / tau[x.p] ** 2;
      }
    });
    if (Number.isNaN(t)) t = (Number(process.env.SDP_T0 ?? 1) * nu) / rho;
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
    // Backtracking (Armijo) on the merit, from the full Newton step.
    const merit0 = merit(factor, D, t, rho, tau);
    let s = 1;
    let accepted = false;
    for (let halving = 0; halving < 50; halving++) {
      const rh = rho + s * step[0];
      const ta = Float64Array.from(tau, (v, p) => v + s * step[p + 1]);
      const be = beta.slice();
      for (let a = n; a < variables.length; a++) be[variables[a].p] += s * step[a + 1];
      const next = feasible(ta) ? cholesky(assemble(rh, ta, be), D) : null;
      if (next && merit(next, D, t, rh, ta) <= merit0 - 0.01 * s * decrement2 + 1e-13 * Math.abs(merit0)) {
        rho = rh;
        tau = ta;
        beta = be;
        factor = next;
        accepted = true;
        break;
      }
      s /= 2;
    }
    if (!accepted) {
      stoppedBy = 'numerical';
      break;
    }
    if (process.env.SDP_TRACE) console.log(iterations, t.toExponential(2), decrement.toFixed(3), s.toFixed(3), rho);
    if (decrement < 0.5) {
      if (nu / t <= relativeGap * rho) {
        stoppedBy = 'converged';
        iterations++;
        break;
      }
      t *= growth;
    }
  }
  return { multipliers: { tau, beta }, rho, gapEstimate: nu / t, iterations, stoppedBy };

  function merit(f: Float64Array, size: number, tt: number, rh: number, ta: Float64Array): number {
    let v = tt * rh - logDetFromFactor(f, size);
    if (tauBarrier) for (let p = 0; p < n; p++) if (!problem.active[p]) v -= Math.log(ta[p]);
    return v;
  }
}

function unit(m: number): Float64Array {
  const e = new Float64Array(m);
  e[0] = 1;
  return e;
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
