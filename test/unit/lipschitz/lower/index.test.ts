import { describe, expect, it } from 'vitest';
import { NORMS } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { lowerBound } from '../../../../src/lipschitz/lower/index.js';
import { kinkMargin } from '../../../../src/network/evaluate.js';
import { HAND_CASES, inBox, normAt, shallowNet, spentBudget, TWO_AXES, useControlledClock } from '../../../support/lowerUnits.js';

useControlledClock();

describe('lowerBound', () => {
  // The one-neuron and two-output fixtures are left to the ascent's tests (this file's time is the mutation run's).
  it.each(HAND_CASES.filter(([name]) => name !== 'one neuron' && name !== 'two outputs'))('%s: reaches the hand-known constant, each method at most it, the witness re-evaluating', (_, net, box, lip) => {
    for (const p of NORMS) {
      const r = lowerBound(net, { norm: p, box }, { timeLimit: Infinity, maxRestarts: 1, seed: 2 });
      expect(r.witness.value).toBeCloseTo(lip[p], 12);
      expect(r.witness.value).toBe(normAt(net, r.witness.x, p));
      expect(kinkMargin(net, r.witness.x)).toBeGreaterThan(1e-10);
      if (box) expect(inBox(r.witness.x, box)).toBe(true);
      const { sampling, localSearch, lineSearch } = r.methods;
      for (const m of [sampling, localSearch, lineSearch]) expect(m).toBeLessThanOrEqual(lip[p] * (1 + 1e-12));
      expect(Math.max(sampling, localSearch)).toBe(r.witness.value);
      expect(localSearch).toBeGreaterThanOrEqual(sampling); // the climb starts at the best sample
      expect(r.restarts).toBe(1);
    }
  });
  it('escapes a local maximum of the climb by an exact line search: a thin slab the samples miss', () => {
    // d = 1, slopes by region: (−∞, 0): −3 | (0, 50): 1 | (50, 50.0001): 5 | (50.0001, ∞): 1. Sampling and
    // the region-crossing climb stop at |−3| (its only neighbour has slope 1); the line through it
    // finds the slab. Lip = 5 (for every p: d = 1, so one norm is enough).
    const f = shallowNet([[-1], [1], [1], [1]], [0, 0, -50, -50.0001], [3, 1, 4, -4]);
    const r = lowerBound(f, { norm: '2', box: null }, { timeLimit: Infinity, maxRestarts: 1, seed: 1 });
    expect(r.methods.sampling).toBe(3);
    expect(r.methods.lineSearch).toBeCloseTo(5, 9);
    expect(r.witness.value).toBeCloseTo(5, 9);
    expect(r.witness.x[0] > 50 && r.witness.x[0] < 50.0001).toBe(true);
  });
  it('is deterministic for a seed, runs maxRestarts climbs, and reports progress', () => {
    const progress: [number, number][] = [];
    const a = lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, maxRestarts: 3, seed: 9, onProgress: (b, f) => progress.push([b, f]) });
    const b = lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, maxRestarts: 3, seed: 9 });
    expect(Array.from(a.witness.x)).toEqual(Array.from(b.witness.x));
    expect(a.restarts).toBe(3);
    // After the first sampling round, then after each of the 3 climbs.
    expect(progress.length).toBe(4);
    for (const [best, fraction] of progress) {
      expect(best).toBeLessThanOrEqual(a.witness.value);
      expect(fraction).toBe(0); // no time passes on the controlled clock
    }
    expect(progress[progress.length - 1][0]).toBe(a.witness.value);
  });
  it('stops as soon as a witness exceeds stopAbove: here the first samples', () => {
    const r = lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, stopAbove: 1, seed: 1 });
    expect(r.restarts).toBe(0);
    expect(r.witness.value).toBeGreaterThan(1);
    expect(r.methods.localSearch).toBe(-Infinity);
    // Above the constant nothing stops it but maxRestarts.
    expect(lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, stopAbove: 4, maxRestarts: 2, seed: 1 }).restarts).toBe(2);
  });
  it('spends a given budget: when it is spent, only the first samples count', () => {
    const r = lowerBound(TWO_AXES, { norm: 'inf', box: null }, { timeLimit: Infinity, budget: spentBudget(), seed: 4 });
    expect(r.restarts).toBe(0);
    expect(r.witness.value).toBe(r.methods.sampling);
    expect(r.witness.value).toBeLessThanOrEqual(5);
    expect(r.methods.lineSearch).toBe(-Infinity);
    const own = lowerBound(TWO_AXES, { norm: 'inf', box: null }, { timeLimit: 1, maxRestarts: 1, seed: 4 });
    expect(own.restarts).toBe(1);
    expect(own.seconds).toBe(0);
    const given = new Budget(5);
    lowerBound(TWO_AXES, { norm: 'inf', box: null }, { timeLimit: Infinity, budget: given, maxRestarts: 1, seed: 4 });
    expect(given.stoppedOnTime).toBe(false);
  });
});
