import { describe, expect, it } from 'vitest';
import { Candidates } from '../../../../src/lipschitz/exact/witness.js';
import { tooLarge } from '../../../../src/lipschitz/exact/types.js';
import { shallow } from '../../../support/exactNets.js';

// f(x) = 3ρ(x) + 2ρ(−x): slope 3 on x > 0, −2 on x < 0, a kink at 0 (no witness there).
const vee = shallow([[1], [-1]], [0, 0], [3, 2]);
const at = (x: number) => () => [Float64Array.of(x)];

describe('Candidates', () => {
  it('keeps the `size` largest values and reports the largest (−Infinity when empty)', () => {
    const c = new Candidates(2);
    expect(c.best).toBe(-Infinity);
    for (const v of [1, 5, 3, 4, 2]) c.offer({ value: v, points: at(1) });
    expect(c.best).toBe(5);
    // Only 5 and 4 are kept: 4's point is re-checked only if 5's fails; a 3 would never be reached.
    const seen: number[] = [];
    const d = new Candidates(2);
    for (const v of [3, 1, 5, 4]) d.offer({ value: v, points: () => (seen.push(v), [Float64Array.of(0)]) });
    d.recheck(vee, '2', Float64Array.of(9));
    expect(seen).toEqual([5, 4]);
  });
  it('never asks for the points of a candidate it does not re-check', () => {
    const c = new Candidates();
    let calls = 0;
    c.offer({ value: 1, points: () => (calls++, [Float64Array.of(1)]) });
    expect(calls).toBe(0);
    expect(c.best).toBe(1);
  });
  it('reports the best candidate re-evaluated at its point when that point passes', () => {
    const c = new Candidates();
    c.offer({ value: 2, points: at(-1) });
    c.offer({ value: 3, points: at(0.5) });
    const r = c.recheck(vee, '2', Float64Array.of(7));
    expect(Array.from(r.witness)).toEqual([0.5]);
    expect(r.witnessValue).toBe(3);
    expect(r.lipschitz).toBe(3);
  });
  it('skips points on a kink and candidates whose value the point does not reproduce', () => {
    const c = new Candidates();
    // The best region's only point is the kink: the second region's point becomes the witness,
    // and the constant stays the best value offered.
    c.offer({ value: 3, points: at(0) });
    c.offer({ value: 2, points: () => [Float64Array.of(0), Float64Array.of(-2)] });
    const r = c.recheck(vee, '2', Float64Array.of(7));
    expect(Array.from(r.witness)).toEqual([-2]);
    expect(r.witnessValue).toBe(2);
    expect(r.lipschitz).toBe(3);
    // A value off by 1e-9 relative is not reproduced (the tolerance is 1e-12 relative).
    const off = new Candidates();
    off.offer({ value: 3 * (1 + 1e-9), points: at(1) });
    const o = off.recheck(vee, '2', Float64Array.of(7));
    expect(o.witnessValue).toBe(-Infinity);
    expect(Array.from(o.witness)).toEqual([7]);
    expect(o.lipschitz).toBe(3 * (1 + 1e-9));
    // Within 1e-12 relative it is (5e-13 relative: 1.5e-12 absolute).
    const near = new Candidates();
    near.offer({ value: 3 * (1 + 5e-13), points: at(1) });
    expect(near.recheck(vee, '2', Float64Array.of(7))).toMatchObject({ witnessValue: 3, lipschitz: 3 });
  });
  it('accepts a zero-gradient witness for a zero value', () => {
    const flat = shallow([[1]], [0], [0]);
    const c = new Candidates();
    c.offer({ value: 0, points: at(1) });
    expect(c.recheck(flat, '2', Float64Array.of(7))).toMatchObject({ witnessValue: 0, lipschitz: 0 });
  });
  it('never takes a point on a kink, even for an overflowing value (|−∞ − ∞| ≤ 1e-12·∞)', () => {
    const huge = shallow([[1e200]], [0], [1e200]);
    const c = new Candidates();
    c.offer({ value: Infinity, points: at(0) });
    expect(c.recheck(huge, '2', Float64Array.of(7))).toEqual({ witness: Float64Array.of(7), witnessValue: -Infinity, lipschitz: Infinity });
  });
  it('falls back with −Infinity when nothing passes', () => {
    const r = new Candidates().recheck(vee, 'inf', Float64Array.of(4));
    expect(r).toEqual({ witness: Float64Array.of(4), witnessValue: -Infinity, lipschitz: -Infinity });
  });
});

describe('tooLarge', () => {
  it('names the region limit, the visited count and where to go instead', () => {
    const t = tooLarge('regions', 5, 6, 0.25, 1.5, Float64Array.of(1));
    expect(t).toMatchObject({ kind: 'too-large', limit: 'regions', limitValue: 5, regionsVisited: 6, seconds: 0.25, lowerBound: 1.5 });
    expect(Array.from(t.lowerBoundWitness!)).toEqual([1]);
    expect(t.message).toBe('too large for exact: it needs more than --max-regions 5 linear regions (visited 6); use `lipcheck bounds` for certified bounds');
  });
  it('names the time limit to three significant digits', () => {
    const t = tooLarge('time', 1.23456, 3, 2, NaN, null);
    expect(t.message).toBe('too large for exact: it needs more than --time-limit 1.23 s (visited 3); use `lipcheck bounds` for certified bounds');
    expect(t.lowerBoundWitness).toBe(null);
  });
  it('says an LP could not be verified for the numerical limit', () => {
    const t = tooLarge('numerical', 0, 4, 1, 2, null);
    expect(t.limit).toBe('numerical');
    expect(t.message).toBe('exact gave up: an LP of the region search could not be verified (visited 4 regions); use `lipcheck bounds` for certified bounds');
  });
});
