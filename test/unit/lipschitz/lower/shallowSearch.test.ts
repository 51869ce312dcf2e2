import { describe, expect, it } from 'vitest';
import { dualNorm, NORMS, vectorNorm, type Norm } from '../../../../src/linalg/norms.js';
import { dualDirection, isShallowScalar, patternAscent, realisePattern, shallowLineAscent } from '../../../../src/lipschitz/lower/shallowSearch.js';
import { activationPattern, forward, kinkMargin } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { DEEP_SUM, normAt, ONE_NEURON, shallowNet, TWO_AXES, TWO_AXES_LIP, TWO_OUTPUTS } from '../../../support/lowerUnits.js';

const v = (...a: number[]) => Float64Array.from(a);

/** max over all 2^N patterns σ of ‖Σ_j σ_j v_j w_j‖_{p′}: the pattern bound, by enumeration. */
function bestPattern(net: Network, p: Norm): number {
  const [hidden, out] = net.layers;
  const d = net.inputDim;
  let best = 0;
  for (let mask = 0; mask < 1 << hidden.outDim; mask++) {
    const g = new Float64Array(d);
    for (let j = 0; j < hidden.outDim; j++) if ((mask >> j) & 1) for (let k = 0; k < d; k++) g[k] += out.weights[j] * hidden.weights[j * d + k];
    best = Math.max(best, dualNorm(g, p));
  }
  return best;
}

/**
 * Three neurons in ℝ³ in general position (N ≤ d: every pattern realisable), so Lip_p is the pattern
 * bound. The atoms h_j = v_j w_j are (2, 1, 0), (−1, 3, 1), (0.5, −2, 2).
 */
const THREE = shallowNet(
  [
    [1, 0.5, 0],
    [1, -3, -1],
    [0.25, -1, 1],
  ],
  [0.3, -0.2, 0.1],
  [2, -1, 2],
);

describe('isShallowScalar', () => {
  it('holds for one hidden layer and one output only', () => {
    expect(isShallowScalar(TWO_AXES)).toBe(true);
    expect(isShallowScalar(TWO_OUTPUTS)).toBe(false);
    expect(isShallowScalar(DEEP_SUM)).toBe(false);
    expect(isShallowScalar(makeNetwork(2, [denseLayer([[1, 2]], [0])]))).toBe(false);
  });
});

describe('dualDirection', () => {
  it('is a unit vector in the p-norm attaining u·g = ‖g‖_{p′}, by hand', () => {
    const g = v(3, -4, 0);
    expect(Array.from(dualDirection(g, '2'))).toEqual([0.6, -0.8, 0]);
    expect(Array.from(dualDirection(g, 'inf'))).toEqual([1, -1, 1]);
    expect(Array.from(dualDirection(g, '1'))).toEqual([0, -1, 0]);
    expect(Array.from(dualDirection(v(-3, 1, 3), '1'))).toEqual([-1, 0, 0]); // the first of equal magnitudes
    expect(Array.from(dualDirection(v(0, 2, 0), '1'))).toEqual([0, 1, 0]);
    for (const p of NORMS) {
      const h = v(0.5, -2, 1.5, 0.25);
      const u = dualDirection(h, p);
      expect(vectorNorm(u, p)).toBeCloseTo(1, 15);
      expect(u.reduce((s, x, k) => s + x * h[k], 0)).toBeCloseTo(dualNorm(h, p), 14);
    }
  });
  it('for g = 0 still returns a unit vector: e₁ (p = 2, 1) or all ones (p = ∞)', () => {
    expect(Array.from(dualDirection(v(0, 0), '2'))).toEqual([1, 0]);
    expect(Array.from(dualDirection(v(0, 0), '1'))).toEqual([1, 0]);
    expect(Array.from(dualDirection(v(0, 0), 'inf'))).toEqual([1, 1]);
  });
});

describe('realisePattern', () => {
  it('for N ≤ d puts every pre-activation at ±τ, τ = max(1, 2·max|b|)', () => {
    // W = I, b = (0.5, −3): τ = 6, σ = (1, 0) needs z = (6, −6): x = (5.5, −3).
    const f = shallowNet(
      [
        [1, 0],
        [0, 1],
      ],
      [0.5, -3],
      [1, 1],
    );
    expect(Array.from(realisePattern(f, Uint8Array.of(1, 0))!)).toEqual([5.5, -3]);
    expect(Array.from(realisePattern(f, Uint8Array.of(0, 1))!)).toEqual([-6.5, 9]);
    // Small biases: τ = 1. One neuron (1, 1)·x + 0.25 = −1 at the smallest x: x = (−0.625, −0.625).
    const g = shallowNet([[1, 1]], [0.25], [1]);
    realisePattern(g, Uint8Array.of(0))!.forEach((v) => expect(v).toBeCloseTo(-0.625, 15)); // a Cholesky solve by √2·√2: within an ulp
    for (let mask = 0; mask < 8; mask++) {
      const sigma = Uint8Array.from([0, 1, 2], (j) => (mask >> j) & 1);
      const x = realisePattern(THREE, sigma)!;
      expect(Array.from(activationPattern(THREE, x)[0])).toEqual(Array.from(sigma));
      const z = forward(THREE, x).preActivations[0];
      z.forEach((zj, j) => expect(zj).toBeCloseTo(sigma[j] ? 1 : -1, 12));
    }
  });
  it('for N > d takes the least-squares point', () => {
    // d = 1, w = (1, 2), b = 0, τ = 1: σ = (1, 1) targets (1, 1): x = (1 + 2)/(1 + 4) = 0.6; σ = (1, 0): (1 − 2)/5 = −0.2.
    const f = shallowNet([[1], [2]], [0, 0], [1, 1]);
    expect(realisePattern(f, Uint8Array.of(1, 1))![0]).toBeCloseTo(0.6, 15);
    expect(realisePattern(f, Uint8Array.of(1, 0))![0]).toBeCloseTo(-0.2, 15);
  });
  it('for N > d solves the normal equations (WᵀW)x = Wᵀ(τ·s − b), by hand in d = 2', () => {
    // W = [[1, 0], [0, 1], [1, 1]], b = (1, 0, −1): τ = 2; σ = (1, 0, 1) targets (1, −2, 3):
    // WᵀW = [[2, 1], [1, 2]], Wᵀt = (4, 1): x = (7/3, −2/3).
    const f = shallowNet(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      [1, 0, -1],
      [1, 1, 1],
    );
    const x = realisePattern(f, Uint8Array.of(1, 0, 1))!;
    expect(x[0]).toBeCloseTo(7 / 3, 14);
    expect(x[1]).toBeCloseTo(-2 / 3, 14);
  });
  it('returns null for a singular system', () => {
    expect(realisePattern(shallowNet([[1, 0], [2, 0]], [0, 0], [1, 1]), Uint8Array.of(1, 0))).toBeNull();
    expect(realisePattern(shallowNet([[0], [0]], [0, 0], [1, 1]), Uint8Array.of(1, 0))).toBeNull();
  });
});

describe('patternAscent', () => {
  it('reaches the pattern bound (= Lip when N ≤ d) with a witness that re-evaluates to it', () => {
    for (const p of NORMS) {
      const exact = bestPattern(THREE, p);
      const r = patternAscent(THREE, p, { starts: 10, seed: 1 });
      expect(r.patternValue).toBeCloseTo(exact, 12);
      expect(r.witness.value).toBeCloseTo(exact, 12);
      expect(r.witness.value).toBe(normAt(THREE, r.witness.x, p));
      expect(kinkMargin(THREE, r.witness.x)).toBeGreaterThan(1e-10);
    }
  });
  it('p = 1 gets the exact value from the coordinate starts alone', () => {
    expect(patternAscent(THREE, '1', { starts: 0, seed: 1 }).witness.value).toBeCloseTo(bestPattern(THREE, '1'), 12);
    // Without any start there is nothing to realise.
    const none = patternAscent(THREE, '2', { starts: 0, seed: 1 });
    expect(none.witness.value).toBe(-Infinity);
    expect(none.patternValue).toBe(-Infinity);
  });
  it('for N > d realises a nearby pattern: a lower bound, never above Lip', () => {
    // TWO_AXES plus a third neuron on the diagonal: N = 3 > d = 2.
    const f = shallowNet(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      [0, 0, -1],
      [2, -3, 1],
    );
    for (const p of NORMS) {
      const r = patternAscent(f, p, { starts: 4, seed: 2, realise: 2 });
      expect(r.witness.value).toBeLessThanOrEqual(r.patternValue);
      expect(r.witness.value).toBe(normAt(f, r.witness.x, p));
    }
  });
  it('refuses a network that is not shallow and scalar', () => {
    expect(() => patternAscent(DEEP_SUM, '2', { starts: 1, seed: 0 })).toThrow(/scalar network with one hidden layer/);
    expect(() => patternAscent(TWO_OUTPUTS, '2', { starts: 1, seed: 0 })).toThrow(/patternAscent/);
  });
});

describe('shallowLineAscent', () => {
  it('climbs from the zero region to the hand-known constant, every value a witness', () => {
    for (const p of NORMS) {
      const start = { value: 0, x: v(-1, -2) };
      const w = shallowLineAscent(TWO_AXES, p, [start], { seed: 3 });
      expect(w.value).toBeCloseTo(TWO_AXES_LIP[p], 12);
      expect(w.value).toBe(normAt(TWO_AXES, w.x, p));
      expect(kinkMargin(TWO_AXES, w.x)).toBeGreaterThan(1e-10);
    }
  });
  it('along the gradient alone stalls where the line crosses no better region; random directions get past', () => {
    // At (1, −1) the gradient is (2, 0): the line along it stays at x₂ = −1 (neuron 2 off).
    const start = { value: 2, x: v(1, -1) };
    expect(shallowLineAscent(TWO_AXES, '2', [start], { seed: 3, randomDirections: 0 })).toBe(start);
    expect(shallowLineAscent(TWO_AXES, '2', [start], { seed: 3 }).value).toBeCloseTo(Math.sqrt(13), 12);
    expect(shallowLineAscent(TWO_AXES, '2', [start], { seed: 3, maxSteps: 0 })).toBe(start);
  });
  it('returns the best over its starts, never below the best start', () => {
    const a = { value: 0, x: v(-1, -2) };
    const top = { value: 10, x: v(1, 0) };
    const w = shallowLineAscent(ONE_NEURON, '2', [a, top], { seed: 0, maxSteps: 0 });
    expect(w).toBe(top);
    expect(shallowLineAscent(ONE_NEURON, '2', [], { seed: 0 }).value).toBe(-Infinity);
    // From the inactive side of the one neuron, one line step reaches |a|·‖w‖.
    for (const p of NORMS) expect(shallowLineAscent(ONE_NEURON, p, [{ value: 0, x: v(0, 1) }], { seed: 0, randomDirections: 0 }).value).toBeCloseTo({ '2': 10, '1': 8, inf: 14 }[p], 12);
  });
  it('steps to the inside of the best region: bounded ones at their middle, unbounded ones a unit step out', () => {
    // d = 1, atoms h = +1 (ρ(x)), +2 (ρ(x − 2)), and ρ(−x − 5) with outer weight v₃: slopes v₃·(−1)·… by
    // region: (−∞, −5): −v₃ | (−5, 0): 0 | (0, 2): 1 | (2, ∞): 3. The line along u = +1 from x
    // meets the kinks at t = −5 − x, −x, 2 − x; a region beyond the last is entered at
    // t_last + max(1, |t_last|), one before the first at t_first − max(1, |t_first|).
    const f = (v3: number) => shallowNet([[1], [1], [-1]], [0, -2, -5], [1, 2, v3]);
    // From x = 1 (value 1): kinks at t = −6, −1, 1; best (2, ∞) entered at t = 2: x = 3.
    const right = shallowLineAscent(f(1), '2', [{ value: 1, x: v(1) }], { seed: 0, randomDirections: 0, maxSteps: 1 });
    expect(right.value).toBe(3);
    expect(Array.from(right.x)).toEqual([3]);
    // v₃ = −5: slope 5 on (−∞, −5). From x = −1 (gradient 0, so u = +1): kinks at t = −4, 1, 3;
    // the first region is best, entered at t = −4 − 4: x = −9.
    const left = shallowLineAscent(f(-5), '2', [{ value: 0, x: v(-1) }], { seed: 0, randomDirections: 0, maxSteps: 1 });
    expect(left.value).toBe(5);
    expect(Array.from(left.x)).toEqual([-9]);
    // A bounded best region: its middle. Atoms +3 on (0, 2) only: ρ(x) − ρ(x − 2) scaled.
    const hump = shallowNet([[1], [1]], [0, -2], [3, -3]);
    const mid = shallowLineAscent(hump, '2', [{ value: 0, x: v(-1) }], { seed: 0, randomDirections: 0 });
    expect(mid.value).toBe(3);
    expect(Array.from(mid.x)).toEqual([1]);
  });
  it('one step lands in the middle of the best bounded region, whatever the order of the neurons', () => {
    // Kinks (in neuron order) at 3, −2, 0, 1; slopes by region: (−∞, −2): −2 | (−2, 0): 3 | (0, 1): 5 |
    // (1, 3): 1 | (3, ∞): 0.5. From x = 2.5 (value 1) the line meets them at t = 0.5, −4.5, −2.5, −1.5:
    // the best region (0, 1) is t ∈ (−2.5, −1.5), entered at its middle, x = 0.5.
    const f = shallowNet([[1], [1], [-1], [1]], [-3, 2, 0, -1], [-0.5, 5, 2, -4]);
    for (const p of NORMS) {
      const w = shallowLineAscent(f, p, [{ value: 1, x: v(2.5) }], { seed: 0, randomDirections: 0, maxSteps: 1 });
      expect(w.value).toBe(5);
      expect(Array.from(w.x)).toEqual([0.5]);
    }
  });
  it('skips the empty region between two equal breakpoints (its value is no region\'s)', () => {
    // ρ(x)·5 and ρ(−x)·(−5) both switch at 0: slope 5 on either side, never 10 (that would need both on);
    // ρ(x − 2)·2 adds a real region of slope 7 beyond 2. From x = −1 the step goes there: t = 3 + 3, x = 5.
    const f = shallowNet([[1], [-1], [1]], [0, 0, -2], [5, -5, 2]);
    const w = shallowLineAscent(f, '2', [{ value: 5, x: v(-1) }], { seed: 0, randomDirections: 0, maxSteps: 1 });
    expect(w.value).toBe(7);
    expect(Array.from(w.x)).toEqual([5]);
  });
  it('steps along the dual direction of the current gradient, recomputed at each point', () => {
    // f = ρ(x₂) + 5ρ(x₂ − 1): at (0, 0.5) the gradient is (0, 1); its line crosses x₂ = 1 (gradient (0, 6)),
    // a line along x₁ would cross nothing.
    const f = shallowNet(
      [
        [0, 1],
        [0, 1],
      ],
      [0, -1],
      [1, 5],
    );
    for (const p of ['2', '1'] as const) {
      const w = shallowLineAscent(f, p, [{ value: 1, x: v(0, 0.5) }], { seed: 0, randomDirections: 0 });
      expect(w.value).toBe(6);
      expect(w.x[1]).toBeGreaterThan(1);
    }
    // Where the gradient is 0 the direction is e₁, parallel to every kink here: no crossing, no move.
    const start = { value: 0, x: v(0.5, -1) };
    expect(shallowLineAscent(f, '2', [start], { seed: 0, randomDirections: 0 })).toBe(start);
  });
  it('refuses a network that is not shallow and scalar', () => {
    expect(() => shallowLineAscent(DEEP_SUM, '2', [], { seed: 0 })).toThrow(/shallowLineAscent/);
  });
});
