import { Matrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { allPatternsLip, deepNet, denseF, eigenvalues, netOf, pairNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

const deep = deepNet;

const lambdaMax = (M: Matrix) => eigenvalues(M.add(M.transpose()).mul(0.5).to1DArray(), M.rows)[M.rows - 1];

/** ECLipsE-Fast's recursion written out with ml-matrix: l_k = 2/λ_max(W P⁻¹ Wᵀ), P_k = l_k I − l_k²/4·A_k. */
function closedForm(weights: Matrix[]): { rho: number; ls: number[] } {
  let Pinv = Matrix.eye(weights[0].columns);
  const ls: number[] = [];
  for (const W of weights.slice(0, -1)) {
    const A = W.mmul(Pinv).mmul(W.transpose());
    const l = 2 / lambdaMax(A);
    ls.push(l);
    Pinv = inverse(Matrix.eye(A.rows).mul(l).sub(A.mul((l * l) / 4)));
  }
  const W = weights[weights.length - 1];
  return { rho: lambdaMax(W.mmul(Pinv).mmul(W.transpose())), ls };
}

describe('ECLipsE-Fast’s closed form (eclipseFast.ts)', () => {
  it('global deep net: ρ and τ = ρ·l_k/2 per layer as the recursion written independently', () => {
    const problem = problemOf(deep);
    const result = eclipseFastMultipliers(problem)!;
    const { rho, ls } = closedForm([
      new Matrix([[0.9, -0.5], [0.3, 1.2], [-1.1, 0.4]]),
      new Matrix([[0.7, -1.0, 0.5], [1.2, 0.6, -0.9]]),
      new Matrix([[1.0, -0.6], [0.4, 0.8]]),
    ]);
    expect(result.rho / rho - 1).toBeLessThan(1e-7);
    expect(result.rho / rho - 1).toBeGreaterThan(-1e-7);
    const expected = [ls[0], ls[0], ls[0], ls[1], ls[1]].map((l) => (rho * l) / 2);
    result.tau.forEach((t, p) => expect(t / expected[p] - 1).toBeCloseTo(0, 7));
    // An upper bound: F(ρ, τ) ⪰ 0, i.e. ρ is at least the optimum ρ*(τ) of these multipliers.
    expect(rhoStar(deep, null, result.tau)).toBeLessThanOrEqual(result.rho * (1 + 1e-9));
  });

  it('one hidden layer: √ρ is at least the exact Lip₂', () => {
    const pair = pairNet;
    const result = eclipseFastMultipliers(problemOf(pair))!;
    expect(Math.sqrt(result.rho)).toBeGreaterThanOrEqual(allPatternsLip(pair));
    const { rho } = closedForm([new Matrix([[1, 0.4], [-0.6, 1.3]]), new Matrix([[1.1, -0.8]])]);
    expect(result.rho / rho - 1).toBeCloseTo(0, 7);
  });

  it('with stable neurons: inactive ones removed, active ones kept in the recursion but given no multiplier', () => {
    const states = [Int8Array.of(1, -1, 0), Int8Array.of(-1, 1)];
    const problem = problemOf(deep, states);
    const result = eclipseFastMultipliers(problem)!;
    expect(result.tau).toHaveLength(2);
    const { rho, ls } = closedForm([
      new Matrix([[0.9, -0.5], [0.3, 1.2]]),
      new Matrix([[0.7, -1.0], [1.2, 0.6]]),
      new Matrix([[1.0, -0.6], [0.4, 0.8]]),
    ]);
    expect(result.rho / rho - 1).toBeCloseTo(0, 7);
    expect(result.tau[0] / ((rho * ls[0]) / 2) - 1).toBeCloseTo(0, 7);
    expect(result.tau[1] / ((rho * ls[1]) / 2) - 1).toBeCloseTo(0, 7);
    // Still a valid certificate of the problem with the active neurons eliminated.
    expect(rhoStar(deep, states, result.tau)).toBeLessThanOrEqual(result.rho * (1 + 1e-9));
  });
});

describe('ECLipsE-Fast at its edges', () => {
  it('a hidden layer of zero weights (f constant, every neuron formally unstable): λ_max(A_k) = 0 gives no l_k, yet the result is a certificate', () => {
    const zero = netOf(2, [[[1, 0.4], [-0.6, 1.3]], [0.2, -0.1]], [[[0, 0], [0, 0]], [0.5, 1]], [[[1.1, -0.8]], [0.3]]);
    const result = eclipseFastMultipliers(problemOf(zero))!;
    expect(result).not.toBeNull();
    expect(result.tau.every((t) => t > 0 && Number.isFinite(t))).toBe(true);
    // F(ρ, τ) ⪰ 0 up to rounding, F written from the weights (the layer after the zero one is decoupled, so F is singular).
    const F = denseF(zero, null, result.tau, result.rho);
    const scale = Math.max(...F.values.map(Math.abs));
    expect(eigenvalues(F.values, F.size)[0]).toBeGreaterThanOrEqual(-1e-12 * scale);
  });
});
