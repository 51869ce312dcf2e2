import { afterEach, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { solveBarrier, solverEmbedding } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { descend } from '../../../../../src/lipschitz/upper/sdp/descent.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
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
