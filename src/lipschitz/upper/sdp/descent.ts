import type { Budget } from '../../budget.js';
import { rhoWithGradient } from './certificate.js';
import type { Embedding } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * A warm start for the barrier method: quasi-Newton descent (L-BFGS, memory 10, Armijo
 * backtracking) on log ρ*(τ) over s = log τ, where ρ*(τ) = λ_max(X₀ + CᵀH⁻¹C) is what the
 * multipliers certify (certificate.ts, with its gradient).
 *
 * Why: from ECLipsE-Fast's start (one multiple of the identity per layer) the optimal multipliers
 * of a deep net spread over orders of magnitude within a layer, and the barrier's Newton steps,
 * held inside the Dikin ellipsoid, change each τ by a few per cent per step — on 4→20¹⁹→1 the
 * barrier alone needed 500+ steps. In log coordinates the descent moves them multiplicatively at
 * the cost of one Cholesky factorisation and a Lanczos run per step. It does not converge to the
 * optimum by itself (ρ* is not smooth where its top eigenvalue is multiple), which is the barrier's
 * job; it finds the shape.
 */
export function descend(problem: SdpProblem, embedding: Embedding, start: SdpMultipliers, options: { budget: Budget; maxIterations: number }): { tau: SdpMultipliers; rho: number } | null {
  const n = problem.hidden;
  const evaluate = (s: Float64Array) => {
    const tau = s.map(Math.exp);
    const r = rhoWithGradient(problem, tau, embedding, true);
    if (!r || !(r.rho > 0)) return null;
    // ∂ log ρ*/∂s_p = τ_p·(∂ρ*/∂τ_p)/ρ*
    return { tau, value: Math.log(r.rho), rho: r.rho, gradient: r.gradient!.map((g, p) => (g * tau[p]) / r.rho) };
  };
  if (!start.every((t) => t > 0)) return null;
  let s = start.map(Math.log);
  let current = evaluate(s);
  if (!current) return null;
  const memory: { ds: Float64Array; dg: Float64Array; rho: number }[] = [];
  for (let iteration = 0; iteration < options.maxIterations && !options.budget.exceeded(); iteration++) {
    const g = current.gradient;
    // Two-loop recursion for the direction −H⁻¹g.
    const q = g.slice();
    const alphas: number[] = [];
    for (let i = memory.length - 1; i >= 0; i--) {
      const { ds, dg, rho } = memory[i];
      const alpha = rho * dot(ds, q);
      alphas[i] = alpha;
      for (let k = 0; k < n; k++) q[k] -= alpha * dg[k];
    }
    if (memory.length > 0) {
      const { ds, dg } = memory[memory.length - 1];
      const scale = dot(ds, dg) / dot(dg, dg);
      for (let k = 0; k < n; k++) q[k] *= scale;
    } else {
      // First step: at most 1 in log τ (a factor e) in any coordinate.
      const largest = Math.max(...q.map(Math.abs));
      if (largest > 1) for (let k = 0; k < n; k++) q[k] /= largest;
    }
    for (let i = 0; i < memory.length; i++) {
      const { ds, dg, rho } = memory[i];
      const beta = rho * dot(dg, q);
      for (let k = 0; k < n; k++) q[k] += ds[k] * (alphas[i] - beta);
    }
    const slope = -dot(g, q);
    if (!(slope < 0)) break;
    let step = 1;
    let next: ReturnType<typeof evaluate> = null;
    let sNext = s;
    for (let halving = 0; halving < 30; halving++) {
      sNext = Float64Array.from(s, (v, k) => v - step * q[k]);
      next = evaluate(sNext);
      if (next && next.value <= current.value + 1e-4 * step * slope) break;
      next = null;
      step /= 2;
    }
    if (!next) break;
    const ds = Float64Array.from(sNext, (v, k) => v - s[k]);
    const dg = Float64Array.from(next.gradient, (v, k) => v - g[k]);
    const curvature = dot(ds, dg);
    if (curvature > 0) {
      memory.push({ ds, dg, rho: 1 / curvature });
      if (memory.length > 10) memory.shift();
    }
    s = sNext;
    current = next;
  }
  return { tau: current.tau, rho: current.rho };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
