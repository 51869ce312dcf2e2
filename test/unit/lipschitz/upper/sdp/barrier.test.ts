import { afterEach, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { inputFactor, solveBarrier, solverEmbedding } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { allPatternsLip, deepNet, mixedStates, netOf, pairNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';
import { createStream } from '../../../../../src/random/stream.js';

const pair = pairNet;
const deep = deepNet;
const mixed = mixedStates();
const wide = netOf(3, [[[0.9, -0.5, 0.2], [0.3, 1.2, -0.7]], [0.1, -0.2]], [[[1.0, -0.8], [0.5, 0.6]], [0, 0]]);

afterEach(() => {
  vi.useRealTimers();
});

/** The barrier from ECLipsE-Fast's start, and what an independent ρ* says of its result. */
function solve(net: typeof pair, states: Int8Array[] | null, options: { relativeGap?: number; maxIterations?: number; growth?: number; initialWeight?: number; startFactor?: number } = {}) {
  const problem = problemOf(net, states);
  const start = eclipseFastMultipliers(problem)!;
  const result = solveBarrier(problem, { budget: new Budget(Infinity), start: start.tau, startRho: start.rho * (options.startFactor ?? 1.5), ...options });
  return { problem, start, result, star: rhoStar(net, states, result.tau) };
}

/** Weak duality, checked independently: the dual bound is below ρ*(τ) for every τ (random ones near `near` here). */
function expectBelowEveryCertificate(net: typeof pair, states: Int8Array[] | null, lower: number, near: Float64Array) {
  const s = createStream(11, 'barrier');
  let finite = 0;
  for (let k = 0; k < 10; k++) {
    const tau = near.map((t) => t * Math.exp(0.3 * s.gaussian()));
    const star = rhoStar(net, states, tau);
    if (Number.isFinite(star)) finite++;
    expect(lower).toBeLessThanOrEqual(star * (1 + 1e-12));
  }
  expect(finite).toBeGreaterThan(3);
}

describe('the barrier method for LipSDP-Neuron (barrier.ts)', () => {
  it('one neuron: converges to LipSDP’s exact value c²‖w‖², the dual bound just below it', () => {
    const one = netOf(3, [[[0.3, -1.2, 1.1]], [0.5]], [[[-1.25]], [1]]);
    const { problem, result, star } = solve(one, null, { relativeGap: 1e-8 });
    expect(problem.exponent).toBe(0);
    const exact = 1.25 ** 2 * (0.3 ** 2 + 1.2 ** 2 + 1.1 ** 2);
    expect(result.stoppedBy).toBe('converged');
    expect(Math.abs(result.rho / exact - 1)).toBeLessThan(1e-7);
    expect(Math.abs(star / exact - 1)).toBeLessThan(1e-7);
    expect(result.dualLower).toBeLessThanOrEqual(exact * (1 + 1e-12));
    expect(result.dualLower).toBeGreaterThanOrEqual(exact * (1 - 1e-7));
  });

  it('two neurons (Schur form): converged within the gap, between the dual bound and every certificate, above Lip₂²', () => {
    const { start, result, star } = solve(pair, null, { relativeGap: 1e-7 });
    expect(result.stoppedBy).toBe('converged');
    expect(result.rho / star - 1).toBeCloseTo(0, 9);
    expect(result.rho - result.dualLower).toBeLessThanOrEqual(1e-7 * result.rho);
    expect(result.rho).toBeLessThan(rhoStar(pair, null, start.tau));
    expect(result.rho).toBeGreaterThanOrEqual(allPatternsLip(pair) ** 2);
    expectBelowEveryCertificate(pair, null, result.dualLower, result.tau);
    // A deterministic regression check of the method's speed (measured: 28 steps; a slower variant is a defect).
    expect(result.iterations).toBeLessThanOrEqual(40);
  });

  it('deeper nets, the full form (an output row reaches the input) and a thin input factor (d > N₁) converge alike', () => {
    for (const [net, states] of [
      [deep, null],
      [deep, mixed],
      [wide, null],
    ] as const) {
      const { start, result, star } = solve(net, states as Int8Array[] | null, { relativeGap: 1e-6 });
      expect(result.stoppedBy).toBe('converged');
      expect(result.rho / star - 1).toBeCloseTo(0, 8);
      expect(result.rho - result.dualLower).toBeLessThanOrEqual(1e-6 * result.rho);
      expect(result.rho).toBeLessThan(rhoStar(net, states as Int8Array[] | null, start.tau));
      expectBelowEveryCertificate(net, states as Int8Array[] | null, result.dualLower, result.tau);
      expect(result.iterations).toBeLessThanOrEqual(40); // measured 26–28: a regression check
    }
  });

  it('the same optimum from other path parameters and from a start ρ too small (raised until F ≻ 0)', () => {
    const reference = solve(pair, null, { relativeGap: 1e-7 }).result.rho;
    for (const options of [{ growth: 16 }, { initialWeight: 0.01 }, { startFactor: 0.5 }]) {
      const { result } = solve(pair, null, { relativeGap: 1e-7, ...options });
      expect(result.stoppedBy).toBe('converged');
      expect(result.rho / reference - 1).toBeCloseTo(0, 6);
    }
  });

  it('stops on iterations, on time (a controlled clock) and when no start can be made feasible', () => {
    const capped = solve(deep, null, { relativeGap: 1e-12, maxIterations: 3 });
    expect(capped.result.stoppedBy).toBe('iterations');
    expect(capped.result.iterations).toBe(3);
    expect(capped.result.rho).toBeLessThanOrEqual(rhoStar(deep, null, capped.start.tau) * (1 + 1e-12));
    expect(capped.result.rho / capped.star - 1).toBeCloseTo(0, 9);

    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
    const budget = new Budget(1);
    vi.advanceTimersByTime(2000);
    const problem = problemOf(deep);
    const start = eclipseFastMultipliers(problem)!;
    const late = solveBarrier(problem, { budget, start: start.tau, startRho: start.rho * 1.5 });
    expect(late.stoppedBy).toBe('time');
    expect(late.iterations).toBe(0);
    expect(late.tau).toBe(start.tau);
    expect(late.rho / rhoStar(deep, null, start.tau) - 1).toBeCloseTo(0, 9);
    expect(late.dualLower).toBe(0);

    const zero = new Float64Array(problem.hidden);
    const stuck = solveBarrier(problem, { budget: new Budget(Infinity), start: zero, startRho: 2 }, solverEmbedding(problem));
    expect(stuck).toEqual({ tau: zero, rho: 2, dualLower: 0, iterations: 0, stoppedBy: 'numerical' });
  });

  it('inputFactor: W₀ itself when d ≤ N₁, else a square R with RRᵀ = W₀W₀ᵀ (also when W₀W₀ᵀ is singular)', () => {
    const gram = (W: Float64Array, rows: number, cols: number) =>
      Array.from({ length: rows * rows }, (_, k) => {
        const [i, j] = [Math.floor(k / rows), k % rows];
        let s = 0;
        for (let c = 0; c < cols; c++) s += W[i * cols + c] * W[j * cols + c];
        return s;
      });
    // d = N₁ = 2 (pairNet): the weights themselves, no factorisation.
    const square = problemOf(pair);
    expect(inputFactor(square)).toEqual({ first: square.first, r: 2 });
    expect(inputFactor(square).first).toBe(square.first);
    const rows5 = [[0.9, -0.5, 0.2, 1.1, -0.3], [0.3, 1.2, -0.7, 0.4, 0.8], [-1.1, 0.4, 0.6, -0.2, 1.3]];
    for (const [name, W0] of [
      ['d = 5 > N₁ = 3', rows5],
      ['a repeated row: W₀W₀ᵀ singular', [rows5[0], rows5[1], rows5[0]]],
    ] as const) {
      const net = netOf(5, [W0 as number[][], [0.1, -0.2, 0.3]], [[[1.0, -0.8, 0.5]], [0]]);
      const problem = problemOf(net);
      const { first, r } = inputFactor(problem);
      expect(r, name).toBe(3);
      expect(first).toHaveLength(9);
      const want = gram(problem.first, 3, 5);
      const got = gram(first, 3, 3);
      const trace = want[0] + want[4] + want[8];
      got.forEach((v, k) => expect(Math.abs(v - want[k]), `${name}, entry ${k}`).toBeLessThanOrEqual(1e-11 * trace));
      // R is lower triangular (the transpose of the Cholesky factor): entries above the diagonal are 0.
      for (let i = 0; i < 3; i++) for (let j = i + 1; j < 3; j++) expect(first[i * 3 + j]).toBe(0);
    }
  });
});
