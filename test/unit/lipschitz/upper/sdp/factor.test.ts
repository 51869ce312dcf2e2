import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { inputFactor, solverEmbedding } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { LmiEvaluator } from '../../../../../src/lipschitz/upper/sdp/factor.js';
import { embed } from '../../../../../src/lipschitz/upper/sdp/lmi.js';
import { optimalRho } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { deepNet, denseF, eigenvalues, matrixOf, mixedStates, netOf, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

const deep = deepNet;
const mixed = mixedStates();

/** The evaluator at (ρ, τ) against F written from the weights: definiteness, log det and inverse. */
function check(states: Int8Array[] | null, tau: Float64Array, rho: number, schur: boolean): boolean {
  const problem = problemOf(deep, states);
  const evaluator = new LmiEvaluator(problem, embed(problem, problem.first, 2));
  const F = denseF(deep, states, tau, rho);
  const lambda = eigenvalues(F.values, F.size);
  const f = evaluator.factor({ rho, tau });
  if (lambda[0] <= 0) {
    expect(f).toBeNull();
    return false;
  }
  expect(f).not.toBeNull();
  expect(f!.schur).toBe(schur);
  expect(evaluator.size).toBe(F.size);
  const logDet = lambda.reduce((s, x) => s + Math.log(x), 0);
  expect(f!.logDet).toBeCloseTo(logDet, 10);
  const Z = evaluator.inverse(f!);
  const reference = inverse(matrixOf(F.values, F.size));
  const norm = Math.max(...reference.to1DArray().map(Math.abs));
  for (let i = 0; i < F.size; i++) {
    for (let j = 0; j < F.size; j++) {
      expect(Math.abs(Z[i * F.size + j] - reference.get(i, j))).toBeLessThanOrEqual(1e-10 * norm);
      expect(Z[i * F.size + j]).toBe(Z[j * F.size + i]);
    }
  }
  return true;
}

describe('F(ρ, τ) factored for the barrier method (factor.ts)', () => {
  it('Schur form (input block ρI): definiteness, log det F and F⁻¹ agree with the dense matrix', () => {
    const tau = Float64Array.of(2.6, 2.9, 2.4, 1.2, 1.3);
    const star = rhoStar(deep, null, tau);
    expect([5, 1.2, 0.8, 0.1].map((k) => check(null, tau, k * star, true))).toEqual([true, true, false, false]);
    // Small multipliers: the hidden block itself is not definite.
    expect(check(null, tau.map((t) => t / 20), 40, true)).toBe(false);
  });

  it('full form (an output row reaches the input): the same agreement', () => {
    const tau = Float64Array.of(1.3, 0.9);
    const star = rhoStar(deep, mixed, tau);
    expect([5, 1.2, 0.8, 0.1].map((k) => check(mixed, tau, k * star, false))).toEqual([true, true, false, false]);
  });

  it('refuses ρ ≤ 0 or NaN without factoring', () => {
    const problem = problemOf(deep);
    const evaluator = new LmiEvaluator(problem, embed(problem, problem.first, 2));
    const tau = Float64Array.of(26, 29, 24, 12, 13);
    expect(evaluator.factor({ rho: 100, tau })).not.toBeNull();
    for (const rho of [0, -1, NaN]) expect(evaluator.factor({ rho, tau })).toBeNull();
  });

  it('with more inputs than first-layer neurons the solver works in N₁ thin coordinates: RRᵀ = W₀W₀ᵀ, same ρ*', () => {
    const wide = netOf(3, [[[0.9, -0.5, 0.2], [0.3, 1.2, -0.7]], [0.1, -0.2]], [[[1.0, -0.8]], [0]]);
    const problem = problemOf(wide);
    const { first: R, r } = inputFactor(problem);
    expect(r).toBe(2);
    const W = new Matrix([[0.9, -0.5, 0.2], [0.3, 1.2, -0.7]]);
    const G = W.mmul(W.transpose());
    const RR = matrixOf(R, 2).mmul(matrixOf(R, 2).transpose());
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(RR.get(i, j)).toBeCloseTo(G.get(i, j), 11);
    const tau = Float64Array.of(1.4, 0.9);
    expect(optimalRho(problem, tau, solverEmbedding(problem))).toBeCloseTo(optimalRho(problem, tau)!, 10);
    // log det F differs by the dimension of the input block only through ρ: F ≻ 0 at the same ρ.
    const thin = new LmiEvaluator(problem, solverEmbedding(problem));
    const rho = optimalRho(problem, tau)!;
    expect(thin.factor({ rho: rho * 1.01, tau })).not.toBeNull();
    expect(thin.factor({ rho: rho * 0.99, tau })).toBeNull();
    // d ≤ N₁: W₀ itself.
    const square = problemOf(deep);
    expect(inputFactor(square)).toEqual({ first: square.first, r: 2 });
  });
});
