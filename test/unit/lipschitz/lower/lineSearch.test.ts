import { describe, expect, it } from 'vitest';
import { NORMS } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { lineSearch } from '../../../../src/lipschitz/lower/lineSearch.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { kinkMargin } from '../../../../src/network/evaluate.js';
import { DEEP_SUM, DEEP_SUM_LIP, inBox, LEFT_BOX, normAt, TWO_AXES, TWO_AXES_LIP, TWO_OUTPUTS, TWO_OUTPUTS_LIP, useControlledClock } from '../../../support/lowerUnits.js';

useControlledClock();
const v = (...a: number[]) => Float64Array.from(a);

/** The witness lies on the line x0 + t·u (d = 2): (x − x0) is parallel to u. */
const onLine = (x: Float64Array, x0: Float64Array, u: Float64Array) => Math.abs((x[0] - x0[0]) * u[1] - (x[1] - x0[1]) * u[0]) <= 1e-12 * (1 + Math.hypot(...x));

describe('lineSearch', () => {
  it('crosses the kinks on the line to the best region: both axes on the diagonal, one on a horizontal line', () => {
    const x0 = v(-1, -1);
    for (const p of NORMS) {
      const diag = lineSearch(TWO_AXES, { norm: p, box: null }, x0, v(1, 1));
      expect(diag.value).toBeCloseTo(TWO_AXES_LIP[p], 12);
      expect(diag.value).toBe(normAt(TWO_AXES, diag.x, p));
      expect(kinkMargin(TWO_AXES, diag.x)).toBeGreaterThan(1e-10);
      expect(onLine(diag.x, x0, v(1, 1))).toBe(true);
      // Along x₁ only neuron 1 switches: gradient (2, 0), norm 2 in every p.
      const flat = lineSearch(TWO_AXES, { norm: p, box: null }, x0, v(1, 0));
      expect(flat.value).toBe(2);
      expect(flat.x[1]).toBe(-1);
    }
  });
  it('finds the deep and the multi-output constants on a line through their best region', () => {
    for (const p of NORMS) {
      // DEEP_SUM on (t−1, t−1): 0 for t < 1.5, gradient (1, 1) beyond.
      const deep = lineSearch(DEEP_SUM, { norm: p, box: null }, v(-1, -1), v(1, 1));
      expect(deep.value).toBeCloseTo(DEEP_SUM_LIP[p], 12);
      expect(deep.x[0]).toBeGreaterThan(0.5);
      const multi = lineSearch(TWO_OUTPUTS, { norm: p, box: null }, v(-2, -1), v(1, 1));
      expect(multi.value).toBeCloseTo(TWO_OUTPUTS_LIP[p], 12);
    }
  });
  it('in a box searches only the part of the line inside it', () => {
    const x0 = v(-0.75, 0);
    // Without the box the line (1, 4) reaches x₁ > 0 (gradient (2, −3)); inside LEFT_BOX, t ∈ [−0.25, 0.25], it does not.
    expect(lineSearch(TWO_AXES, { norm: '2', box: null }, x0, v(1, 4)).value).toBeCloseTo(Math.sqrt(13), 12);
    for (const p of NORMS) {
      const w = lineSearch(TWO_AXES, { norm: p, box: LEFT_BOX }, x0, v(1, 4));
      expect(w.value).toBe(3);
      expect(inBox(w.x, LEFT_BOX)).toBe(true);
      expect(onLine(w.x, x0, v(1, 4))).toBe(true);
      // A direction with a zero coordinate: that coordinate sets no limit.
      const up = lineSearch(TWO_AXES, { norm: p, box: LEFT_BOX }, v(-0.75, -0.5), v(0, 1));
      expect(up.value).toBe(3);
      expect(up.x[0]).toBe(-0.75);
      expect(inBox(up.x, LEFT_BOX)).toBe(true);
    }
    // Going down from inside the box's lower half: only the region below the axis, gradient 0.
    const box = boxFromPairs(
      [
        [-1, -0.5],
        [-1, -0.1],
      ],
      2,
    );
    expect(lineSearch(TWO_AXES, { norm: '2', box }, v(-0.75, -0.5), v(1, 1)).value).toBe(0);
  });
  it('returns no witness for a line that misses the box', () => {
    // Coordinate 1 needs t ∈ [−5, −4.5], coordinate 2 t ∈ [4, 6]: empty.
    const w = lineSearch(TWO_AXES, { norm: '2', box: LEFT_BOX }, v(4, -5), v(1, 1));
    expect(w.value).toBe(-Infinity);
    expect(w.x.length).toBe(0);
  });
  it('does not start a sweep that does not fit the budget, and says so', () => {
    const budget = new Budget(0);
    expect(lineSearch(TWO_AXES, { norm: '2', box: null }, v(-1, -1), v(1, 1), budget).value).toBe(-Infinity);
    expect(budget.skipped).toEqual(['exact line searches (one sweep would not fit)']);
    expect(budget.stoppedOnTime).toBe(true);
    const ample = new Budget(10);
    expect(lineSearch(TWO_AXES, { norm: '2', box: null }, v(-1, -1), v(1, 1), ample).value).toBeCloseTo(Math.sqrt(13), 12);
    expect(ample.skipped).toEqual([]);
  });
  it('gives up (no witness) when the line has more regions than allowed', () => {
    // (1, 2) from (−1, −1) crosses x₁ = 0 at t = 1 and x₂ = 0 at t = 0.5: three regions.
    expect(lineSearch(TWO_AXES, { norm: '2', box: null }, v(-1, -1), v(1, 2), undefined, 1).value).toBe(-Infinity);
    expect(lineSearch(TWO_AXES, { norm: '2', box: null }, v(-1, -1), v(1, 2), undefined, 3).value).toBeCloseTo(Math.sqrt(13), 12);
  });
});
