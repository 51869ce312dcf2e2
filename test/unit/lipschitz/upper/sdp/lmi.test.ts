import { describe, expect, it } from 'vitest';
import { embed, fullMatrix, hiddenBlock } from '../../../../../src/lipschitz/upper/sdp/lmi.js';
import { gamma } from '../../../../../src/lipschitz/upper/rounding.js';
import { deepNet, denseF, mixedStates, netOf, problemOf } from '../../../../support/sdpUnits.js';

// Hand-picked weights whose largest entry per layer is within √2 of 1 (no rescaling: layer exponents 0).
const deep = deepNet;
// Neuron 0 of layer 0 active, 2 inactive; layer 1: neuron 0 unstable, 1 active (its row reaches the output).
const mixed = mixedStates();
const tau = Float64Array.of(0.8, 1.7, 2.3, 0.6, 1.1);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, scale: ArrayLike<number>) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(1e-14 * (scale[i] + 1e-300));
}

describe('LipSDP-Neuron’s F(ρ, τ) (lmi.ts) against its definition written from the weights', () => {
  it('global problem: F over (x₀, neurons) equals ρE₀ + Σ τ_p(e_p v_pᵀ + v_p e_pᵀ) − BᵀB, H its hidden block', () => {
    const problem = problemOf(deep);
    expect(problem.layerExponents).toEqual([0, 0, 0]);
    const e = embed(problem, problem.first, 2);
    expect(e.plainInputBlock).toBe(true);
    // First-layer neurons couple to the input through plain rows of W₀; the others do not.
    expect(e.incoming.map((a) => a.unitInput)).toEqual([0, 1, 2, -1, -1]);
    expect(Array.from(e.incoming[1].input!)).toEqual([0.3, 1.2]);
    expect(e.incoming[4].input).toBeNull();
    const reference = denseF(deep, null, tau, 2.5);
    const full = fullMatrix(problem, e, 2.5, tau, true);
    expect(full.size).toBe(7);
    expectClose(full.values, reference.values, reference.magnitude);
    expectClose(full.magnitude!, reference.magnitude, reference.magnitude);
    expect(full.inherited!.every((x) => x === 0)).toBe(true); // plain weight rows are exact
    expect(full.terms).toBe(2 + 2);
    const h = hiddenBlock(problem, e, tau, false);
    expect(h.size).toBe(5);
    expect(h.magnitude).toBeNull();
    for (let p = 0; p < 5; p++) for (let q = 0; q < 5; q++) expect(h.values[p * 5 + q]).toBe(full.values[(2 + p) * 7 + 2 + q]);
    // Untracked assembly gives the same values.
    expect(Array.from(fullMatrix(problem, e, 2.5, tau, false).values)).toEqual(Array.from(full.values));
  });

  it('local problem with active neurons: composed rows, a non-unit input part, and an output row reaching the input', () => {
    const problem = problemOf(deep, mixed);
    expect(problem.hidden).toBe(2);
    const e = embed(problem, problem.first, 2);
    expect(e.plainInputBlock).toBe(false);
    expect(e.incoming.map((a) => a.unitInput)).toEqual([1, -1]);
    // Layer 1's unstable neuron sees 0.7·ξ₀ (ξ₀ the active neuron 0): input part 0.7·(0.9, −0.5).
    expect(e.incoming[1].input![0]).toBeCloseTo(0.63, 15);
    expect(e.incoming[1].input![1]).toBeCloseTo(-0.35, 15);
    const t = Float64Array.of(1.3, 0.9);
    const reference = denseF(deep, mixed, t, 1.9);
    const full = fullMatrix(problem, e, 1.9, t, true);
    expect(full.size).toBe(4);
    expectClose(full.values, reference.values, reference.magnitude);
    expectClose(full.magnitude!, reference.magnitude, reference.magnitude);
    // The inherited error is where the composed rows reach, and small.
    for (let i = 0; i < 16; i++) {
      expect(full.inherited![i]).toBeGreaterThanOrEqual(0);
      expect(full.inherited![i]).toBeLessThanOrEqual(16 * gamma(8) * (reference.magnitude[i] + 1));
      if (reference.magnitude[i] === 0) expect(full.inherited![i]).toBe(0);
    }
    expect(full.inherited!.some((x) => x > 0)).toBe(true);
    // Symmetric, in every tracked array.
    for (const m of [full.values, full.magnitude!, full.inherited!]) for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(m[i * 4 + j]).toBe(m[j * 4 + i]);
  });

  it('any first-layer factor X with XXᵀ = W₀W₀ᵀ gives the same LMI up to a rotation of the input', () => {
    const problem = problemOf(deep, mixed);
    const W = problem.first;
    // X = W₀·Q, Q a rotation by θ.
    const [c, s] = [Math.cos(0.7), Math.sin(0.7)];
    const X = new Float64Array(6);
    for (let i = 0; i < 3; i++) {
      X[i * 2] = W[i * 2] * c + W[i * 2 + 1] * s;
      X[i * 2 + 1] = -W[i * 2] * s + W[i * 2 + 1] * c;
    }
    const t = Float64Array.of(1.3, 0.9);
    const F = fullMatrix(problem, embed(problem, problem.first, 2), 1.9, t, false).values;
    const G = fullMatrix(problem, embed(problem, X, 2), 1.9, t, false).values;
    // G = diag(Qᵀ, I)·F·diag(Q, I): compare through the map.
    const Q = [c, -s, s, c]; // x = Q·x′: G[i][j] = Σ Q[k][i] Q[l][j] F[k][l] on the input block
    const at = (M: Float64Array, i: number, j: number) => M[i * 4 + j];
    const lift = (i: number, k: number) => (i < 2 ? (k < 2 ? Q[k * 2 + i] : 0) : k === i ? 1 : 0);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let v = 0;
        for (let k = 0; k < 4; k++) for (let l = 0; l < 4; l++) v += lift(i, k) * lift(j, l) * at(F, k, l);
        expect(at(G, i, j)).toBeCloseTo(v, 13);
      }
    }
  });

  it('a ξ part that is a unit vector with an error is not taken as exact, and a coefficient 1 among several is not a unit row', () => {
    // One active neuron between two unstable ones: layer 1's neuron sees 1·ξ₀ exactly (one path).
    const chain = netOf(1, [[[1], [-1]], [0, 0]], [[[1, 0]], [0]], [[[1]], [0]]);
    const p1 = problemOf(chain, [Int8Array.of(1, 0), Int8Array.of(-1)]);
    const e1 = embed(p1, p1.first, 1);
    expect(e1.incoming[0].unitInput).toBe(0);
    expect(Array.from(e1.incoming[0].inputError!)).toEqual([0]);
    const two = netOf(1, [[[1], [-1]], [0, 0]], [[[1, 1]], [0]], [[[1]], [0]]);
    const p2 = problemOf(two, [Int8Array.of(1, 1), Int8Array.of(-1)]);
    const e2 = embed(p2, p2.first, 1);
    expect(e2.incoming[0].unitInput).toBe(-1);
    expect(e2.incoming[0].input![0]).toBe(0); // 1·1 + 1·(−1)
    // An input part by a combination of rows carries a (tiny, positive) rounding allowance.
    expect(e2.incoming[0].inputError![0]).toBeGreaterThan(0);
    expect(e2.incoming[0].inputError![0]).toBeLessThan(1e-15);
  });
});
