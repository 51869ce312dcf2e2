import { afterEach, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { solveBarrier, solverEmbedding } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { rhoWithGradient } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { descend } from '../../../../../src/lipschitz/upper/sdp/descent.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { papersNet } from '../../../../support/euclidean.js';
import { deepNet, mixedStates, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

const deep = deepNet;
const mixed = mixedStates();

afterEach(() => {
  vi.useRealTimers();
});

describe('the warm start by L-BFGS on log ρ*(log τ) (descent.ts)', () => {
  it('only lowers ρ*, reports the ρ* of the multipliers it returns, and gets near the optimum', () => {
    for (const states of [null, mixed]) {
      const problem = problemOf(deep, states);
      const start = eclipseFastMultipliers(problem)!.tau.map((t, p) => 1.5 * t * (1 + 0.4 * Math.sin(p + 1)));
      const before = rhoStar(deep, states, start);
      expect(before).toBeLessThan(Infinity);
      const d = descend(problem, solverEmbedding(problem), start, { budget: new Budget(Infinity), maxIterations: 30 })!;
      expect(d.tau.every((t) => t > 0)).toBe(true);
      expect(d.rho / rhoStar(deep, states, d.tau) - 1).toBeCloseTo(0, 9);
      expect(d.rho).toBeLessThan(before * 0.99);
      // Near the SDP's optimum: above the barrier's dual bound (weak duality), and — a deterministic
      // regression check — within 10⁻⁵ of it (measured: 10⁻¹² of the optimum on these two problems).
      const optimum = solveBarrier(problem, { budget: new Budget(Infinity), start, startRho: 2 * before, relativeGap: 1e-6 }).dualLower;
      expect(d.rho).toBeGreaterThanOrEqual(optimum);
      expect(d.rho).toBeLessThanOrEqual(optimum * (1 + 1e-5));
      const fewer = descend(problem, solverEmbedding(problem), start, { budget: new Budget(Infinity), maxIterations: 3 })!;
      expect(d.rho).toBeLessThanOrEqual(fewer.rho);
    }
  });

  it('no steps (by count or by a spent budget) return the start and its ρ*; a start that is not positive, or whose H is not definite, gives null', () => {
    const problem = problemOf(deep);
    const embedding = solverEmbedding(problem);
    const start = eclipseFastMultipliers(problem)!.tau;
    const none = descend(problem, embedding, start, { budget: new Budget(Infinity), maxIterations: 0 })!;
    none.tau.forEach((t, p) => expect(t / start[p] - 1).toBeCloseTo(0, 14));
    expect(none.rho / rhoStar(deep, null, start) - 1).toBeCloseTo(0, 9);
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
    const budget = new Budget(1);
    vi.advanceTimersByTime(1500);
    expect(descend(problem, embedding, start, { budget, maxIterations: 30 })!.rho).toBe(none.rho);
    vi.useRealTimers();
    expect(descend(problem, embedding, start.map((t, p) => (p === 2 ? 0 : t)), { budget: new Budget(Infinity), maxIterations: 5 })).toBeNull();
    expect(descend(problem, embedding, start.map((t) => t / 100), { budget: new Budget(Infinity), maxIterations: 5 })).toBeNull();
  });
});

/**
 * The documented method written again from its textbook form (Nocedal & Wright, Algorithm 7.4 with
 * H₀ = γI, γ = sᵀy/yᵀy; the first direction is −g capped at 1 per coordinate; Armijo with c = 10⁻⁴,
 * halving up to 30 times; pairs with sᵀy ≤ 0 skipped; memory 10) on ρ* and its gradient from
 * certificate.ts, returning the ρ* of every iterate: a check that descent.ts runs this method, step
 * for step (a slower variant would still lower ρ*, so the tests above cannot tell).
 */
function referenceTrajectory(problem: ReturnType<typeof problemOf>, start: Float64Array, iterations: number): number[] {
  const embedding = solverEmbedding(problem);
  const f = (x: number[]) => {
    const tau = Float64Array.from(x, Math.exp);
    const r = rhoWithGradient(problem, tau, embedding, true);
    if (!r) return null; // H not positive definite: outside the domain, the step is refused
    return { value: Math.log(r.rho), rho: r.rho, grad: Array.from(r.gradient!, (g, p) => (g * tau[p]) / r.rho) };
  };
  const inner = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
  let x = Array.from(start, Math.log);
  let fx = f(x)!;
  const pairs: { s: number[]; y: number[] }[] = [];
  const trajectory = [fx.rho];
  for (let k = 0; k < iterations; k++) {
    let d: number[];
    if (pairs.length === 0) {
      const cap = Math.max(1, ...fx.grad.map(Math.abs));
      d = fx.grad.map((g) => -g / cap);
    } else {
      const q = fx.grad.slice();
      const a: number[] = new Array(pairs.length);
      for (let i = pairs.length - 1; i >= 0; i--) {
        a[i] = inner(pairs[i].s, q) / inner(pairs[i].y, pairs[i].s);
        pairs[i].y.forEach((v, j) => (q[j] -= a[i] * v));
      }
      const last = pairs[pairs.length - 1];
      const gamma = inner(last.s, last.y) / inner(last.y, last.y);
      const r = q.map((v) => gamma * v);
      for (let i = 0; i < pairs.length; i++) {
        const b = inner(pairs[i].y, r) / inner(pairs[i].y, pairs[i].s);
        pairs[i].s.forEach((v, j) => (r[j] += v * (a[i] - b)));
      }
      d = r.map((v) => -v);
    }
    const slope = inner(fx.grad, d);
    if (!(slope < 0)) break;
    let t = 1;
    let accepted: { x: number[]; fx: NonNullable<ReturnType<typeof f>> } | null = null;
    for (let h = 0; h < 30 && !accepted; h++, t /= 2) {
      const xt = x.map((v, j) => v + t * d[j]);
      const ft = f(xt);
      if (ft && ft.value <= fx.value + 1e-4 * t * slope) accepted = { x: xt, fx: ft };
    }
    if (!accepted) break;
    const s = accepted.x.map((v, j) => v - x[j]);
    const y = accepted.fx.grad.map((v, j) => v - fx.grad[j]);
    if (inner(s, y) > 0) pairs.push({ s, y });
    if (pairs.length > 10) pairs.shift();
    x = accepted.x;
    fx = accepted.fx;
    trajectory.push(fx.rho);
  }
  return trajectory;
}

describe('descent.ts runs the documented L-BFGS, step for step', () => {
  it('its ρ* after k iterations matches an independent L-BFGS for k = 0 … 14 (past the memory of 10 pairs)', () => {
    // A 3 → 6 → 6 → 6 → 1 net of the papers' model from a start far off the optimum: every iteration
    // takes a quasi-Newton step (measured: still 10⁻² above the optimum after 30), so none is skipped.
    const net = papersNet(3, [6, 6, 6], 1);
    const problem = problemOf(net);
    const start = eclipseFastMultipliers(problem)!.tau.map((t, p) => 1.5 * t * (1 + 0.4 * Math.sin(p + 1)));
    const reference = referenceTrajectory(problem, start, 14);
    expect(reference).toHaveLength(15); // no early stop: every step found an Armijo point
    const embedding = solverEmbedding(problem);
    for (let k = 0; k <= 14; k++) {
      const d = descend(problem, embedding, start, { budget: new Budget(Infinity), maxIterations: k })!;
      expect(d.rho / reference[k] - 1, `after ${k} iterations`).toBeCloseTo(0, 8);
    }
    // Strictly decreasing along the way (Armijo), so each k above was a real, different iterate.
    for (let k = 1; k <= 14; k++) expect(reference[k]).toBeLessThan(reference[k - 1]);
  });
});
