import { describe, expect, it } from 'vitest';
import { dualOf, NORMS, vectorNorm } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { climb, sensitivities } from '../../../../src/lipschitz/lower/localSearch.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { activationPattern, jacobianOfPattern, kinkMargin } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork } from '../../../../src/network/network.js';
import { DEEP_SUM, DEEP_SUM_LIP, inBox, LEFT_BOX, normAt, randomNet, scriptedBudget, shallowNet, spentBudget, TWO_AXES, TWO_AXES_LIP, TWO_OUTPUTS, TWO_OUTPUTS_LIP, useControlledClock } from '../../../support/lowerUnits.js';

useControlledClock();
const v = (...a: number[]) => Float64Array.from(a);
const at = (net: Parameters<typeof normAt>[0], x: Float64Array, p: Parameters<typeof normAt>[2]) => ({ value: normAt(net, x, p), x });

/**
 * A facet hidden behind another: A = ρ(x₂) with outer weight 10, C = ρ(10x₁ + x₂ + 2) with 0.1. From
 * (−0.1, −5) (both off) the best neighbour switches A on, but the straight path up to x₂ = 0 meets
 * C's hyperplane first (at x₂ = −1); A's facet exists further left (x₁ < −0.2), where an LP finds it.
 * Gradients: A alone (0, 10); both (1, 10.1): Lip₂ = √103.01, Lip₁ = 10.1, Lip_∞ = 11.1.
 */
const HIDDEN_FACET = shallowNet(
  [
    [0, 1],
    [10, 1],
  ],
  [0, 2],
  [10, 0.1],
);
const HIDDEN_FACET_LIP = { '2': Math.sqrt(103.01), '1': 10.1, inf: 11.1 };

describe('climb (local search across regions)', () => {
  it('steps across the facet of the best neighbour to the hand-known constant: shallow, deep, two outputs', () => {
    for (const p of NORMS) {
      const cases = [
        [TWO_AXES, v(1, -1), TWO_AXES_LIP[p]],
        [DEEP_SUM, v(2, -1), DEEP_SUM_LIP[p]],
        [TWO_OUTPUTS, v(1, -1), TWO_OUTPUTS_LIP[p]],
      ] as const;
      for (const [net, x, lip] of cases) {
        const start = at(net, x, p);
        const w = climb(net, { norm: p, box: null }, start, new Budget(Infinity));
        expect(w.value).toBeCloseTo(lip, 12);
        expect(w.value).toBe(normAt(net, w.x, p));
        expect(kinkMargin(net, w.x)).toBeGreaterThan(1e-10);
      }
    }
  });
  it('finds by an LP a facet that the straight path cannot reach', () => {
    for (const p of NORMS) {
      const start = at(HIDDEN_FACET, v(-0.1, -5), p);
      expect(start.value).toBe(0);
      const first = climb(HIDDEN_FACET, { norm: p, box: null }, start, new Budget(Infinity), 1);
      // One step: into A-on, C-off (gradient (0, 10)): x₂ > 0 and 10x₁ + x₂ + 2 < 0.
      expect(first.value).toBeCloseTo(10, 12);
      expect(first.x[1]).toBeGreaterThan(0);
      expect(10 * first.x[0] + first.x[1] + 2).toBeLessThan(0);
      const end = climb(HIDDEN_FACET, { norm: p, box: null }, start, new Budget(Infinity));
      expect(end.value).toBeCloseTo(HIDDEN_FACET_LIP[p], 12);
      expect(end.value).toBe(normAt(HIDDEN_FACET, end.x, p));
    }
  });
  it('in a box crosses only facets inside it, and ends at the box constant', () => {
    for (const p of NORMS) {
      // From (−0.75, −0.5) (gradient 0): neuron 2's facet x₂ = 0 is in LEFT_BOX, neuron 1's x₁ = 0 is not.
      const w = climb(TWO_AXES, { norm: p, box: LEFT_BOX }, at(TWO_AXES, v(-0.75, -0.5), p), new Budget(Infinity));
      expect(w.value).toBe(3);
      expect(inBox(w.x, LEFT_BOX)).toBe(true);
      // Straight up across x₂ = 0 (distance 0.5), half as far again but at most half-way to the box face
      // x₂ = 1: step 0.5 + min(0.5·(1.5 − 0.5), 0.5·0.5) = 0.75.
      expect(w.x[0]).toBe(-0.75);
      expect(w.x[1]).toBeCloseTo(0.25, 15);
    }
  });
  it('returns its start after maxSteps = 0, on a spent budget, or when a step does not fit (and says so)', () => {
    const start = at(TWO_AXES, v(1, -1), '2');
    const q = { norm: '2' as const, box: null };
    expect(climb(TWO_AXES, q, start, new Budget(Infinity), 0)).toBe(start);
    expect(climb(TWO_AXES, q, start, spentBudget())).toBe(start);
    const none = new Budget(0);
    expect(climb(TWO_AXES, q, start, none)).toBe(start);
    expect(none.skipped).toEqual(['local search across regions (one step would not fit)']);
    const ample = new Budget(10);
    expect(climb(TWO_AXES, q, start, ample).value).toBeCloseTo(Math.sqrt(13), 12);
    expect(ample.skipped).toEqual([]);
  });
  it('steps 1.5 times the distance to the facet when nothing else is in the way', () => {
    // TWO_AXES from (1, −1): the facet x₂ = 0 is 1 away, nothing beyond it: x₂ = −1 + 1.5.
    for (const p of NORMS) expect(Array.from(climb(TWO_AXES, { norm: p, box: null }, at(TWO_AXES, v(1, -1), p), new Budget(Infinity)).x)).toEqual([1, 0.5]);
  });
  it('stops short of the next hyperplane beyond the facet, and of a box face: half-way to it', () => {
    for (const p of NORMS) {
      // TWO_AXES with neuron 2 as −1.5ρ(2x₂), plus ρ(4x₂ − 0.8) of outer weight 0 (a kink, no change of
      // slope): from (1, −1) the facet x₂ = 0 is 1 away, the next hyperplane (x₂ = 0.2) 1.2: the step is
      // 1 + min(0.5·0.2, 0.5·1) = 1.1, to x₂ = 0.1, gradient (2, −3).
      const beyond = shallowNet([[1, 0], [0, 2], [0, 4]], [0, 0, -0.8], [2, -1.5, 0]);
      const w = climb(beyond, { norm: p, box: null }, at(beyond, v(1, -1), p), new Budget(Infinity), 1);
      expect(w.value).toBeCloseTo(TWO_AXES_LIP[p], 12);
      expect(w.x[0]).toBe(1);
      expect(w.x[1]).toBeCloseTo(0.1, 15);
      // ρ(σ(x₁ + x₂)) from −σ(0.5, 0.5) on a box whose far corner is σ(0.3, 0.3): along the diagonal the facet
      // is at 0, the box face at σ·0.3: half-way, σ(0.15, 0.15). Gradient σ(1, 1): √2, 1, 2.
      for (const sigma of [1, -1]) {
        const diag = shallowNet([[sigma, sigma]], [0], [1]);
        const box = boxFromPairs(sigma > 0 ? [[-1, 0.3], [-1, 0.3]] : [[-0.3, 1], [-0.3, 1]], 2);
        const y = climb(diag, { norm: p, box }, at(diag, v(-sigma * 0.5, -sigma * 0.5), p), new Budget(Infinity));
        expect(y.value).toBe({ '2': Math.SQRT2, '1': 1, inf: 2 }[p]);
        for (const yj of y.x) expect(yj).toBeCloseTo(sigma * 0.15, 14);
      }
    }
  });
  it('moves to the best neighbour first: from (−1, −1) across x₂ = 0 (norm 3), not x₁ = 0 (norm 2)', () => {
    for (const p of NORMS) expect(climb(TWO_AXES, { norm: p, box: null }, at(TWO_AXES, v(-1, -1), p), new Budget(Infinity), 1).value).toBe(3);
  });
  it('checks the budget between candidates, and every 32 neurons of a wide layer', () => {
    const q = { norm: '2' as const, box: null };
    const start = at(TWO_AXES, v(1, -1), '2');
    // The climb's own check passes, the one before the first candidate says time: no step.
    expect(climb(TWO_AXES, q, start, scriptedBudget([null, 'time']))).toBe(start);
    // 38 idle neurons (ρ(x₁ − 100), outer weight 0) before TWO_AXES's two: the check at neuron 32 passes on.
    const wide = shallowNet([...Array.from({ length: 38 }, () => [1, 0]), [1, 0], [0, 1]], [...new Array(38).fill(-100), 0, 0], [...new Array(38).fill(0), 2, -3]);
    expect(climb(wide, q, at(wide, v(1, -1), '2'), new Budget(Infinity), 1).value).toBeCloseTo(Math.sqrt(13), 12);
  });
  it('passes over a predicted-best neighbour whose hyperplane is no facet of the region, to the next', () => {
    // TWO_AXES plus 10ρ(−x₁ − 5): from (1, −1) switching it on predicts (−8, 0), norm 8 in every p, but
    // x₁ = −5 does not bound the region x₁ > 0, x₂ < 0 (the ray meets x₁ = 0 first; the LP finds the row
    // redundant). The next candidate, x₂ = 0, gives (2, −3).
    const far = shallowNet([[1, 0], [0, 1], [-1, 0]], [0, 0, -5], [2, -3, 10]);
    for (const p of NORMS) {
      const w = climb(far, { norm: p, box: null }, at(far, v(1, -1), p), new Budget(Infinity), 1);
      expect(w.value).toBeCloseTo(TWO_AXES_LIP[p], 12);
      expect(w.x[0]).toBe(1);
    }
  });
  it('never accepts a crossing that is worse: a deeper neuron switching off behind the facet sends it to the LP', () => {
    // f = ρ(ρ(x₁) − 10ρ(x₂)) from (2, −1): gradient (1, 0). Switching ρ(x₂) on predicts (1, −10), but the ray's
    // step to x₂ = 0.5 lands where the outer neuron is off (2 − 5 < 0, norm 0); just across x₂ = 0 it is on.
    const net = makeNetwork(2, [denseLayer([[1, 0], [0, 1]], [0, 0]), denseLayer([[1, -10]], [0]), denseLayer([[1]], [0])]);
    for (const p of NORMS) {
      const w = climb(net, { norm: p, box: null }, at(net, v(2, -1), p), new Budget(Infinity), 1);
      expect(w.value).toBeCloseTo(vectorNorm([1, -10], dualOf(p)), 12);
      expect(w.value).toBe(normAt(net, w.x, p));
    }
  });
  it('stays at a local maximum: no neighbour is better', () => {
    const top = at(TWO_AXES, v(1, 1), '2');
    expect(climb(TWO_AXES, { norm: '2', box: null }, top, new Budget(Infinity))).toBe(top);
  });
});

describe('sensitivities', () => {
  it('is, for each hidden layer, the Jacobian of the layers after it switched as the pattern says', () => {
    // A 3 → 4 → 3 → 3 → 2 net at a few points: some deeper neurons are off at each.
    const net = randomNet(3, [4, 3, 3], 2, 7);
    let inactive = 0;
    for (const x of [v(0.3, -0.7, 1.1), v(-1, 0.5, 0.2), v(2, 1, -1)]) {
      const pattern = activationPattern(net, x);
      inactive += pattern.slice(1, -1).reduce((n, layer) => n + layer.filter((s) => !s).length, 0);
      const betas = sensitivities(net, pattern);
      expect(betas.length).toBe(net.layers.length - 1);
      betas.forEach((beta, m) => {
        const after = makeNetwork(net.layers[m].outDim, net.layers.slice(m + 1));
        const J = jacobianOfPattern(after, pattern.slice(m + 1)).data;
        expect(beta.length).toBe(J.length);
        beta.forEach((b, t) => expect(b).toBeCloseTo(J[t], 12));
      });
    }
    expect(inactive).toBeGreaterThan(0);
  });
});
