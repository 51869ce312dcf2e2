import { describe, expect, it } from 'vitest';
import { NORMS } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { climb } from '../../../../src/lipschitz/lower/localSearch.js';
import { kinkMargin } from '../../../../src/network/evaluate.js';
import { DEEP_SUM, DEEP_SUM_LIP, inBox, LEFT_BOX, normAt, shallowNet, spentBudget, TWO_AXES, TWO_AXES_LIP, TWO_OUTPUTS, TWO_OUTPUTS_LIP, useControlledClock } from '../../../support/lowerUnits.js';

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
  it('stays at a local maximum: no neighbour is better', () => {
    const top = at(TWO_AXES, v(1, 1), '2');
    expect(climb(TWO_AXES, { norm: '2', box: null }, top, new Budget(Infinity))).toBe(top);
  });
});
