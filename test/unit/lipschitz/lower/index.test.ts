import { describe, expect, it } from 'vitest';
import { dualOf, NORMS, operatorNorm, vectorNorm } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { lineSweepFlops, secondsFor } from '../../../../src/lipschitz/costs.js';
import { lineDirections, lowerBound } from '../../../../src/lipschitz/lower/index.js';
import { sampleCandidates } from '../../../../src/lipschitz/lower/sampling.js';
import { jacobian, kinkMargin } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import { HAND_CASES, inBox, normAt, randomNet, shallowNet, spentBudget, TWO_AXES, useControlledClock } from '../../../support/lowerUnits.js';

useControlledClock();

/** A budget that counts the exact line searches asked of it (each asks once whether its sweep fits). */
function countingLines(net: Network): Budget & { lines: number } {
  const b = new Budget(Infinity) as Budget & { lines: number };
  const sweep = secondsFor(lineSweepFlops(net));
  const fits = b.fits.bind(b);
  b.lines = 0;
  b.fits = (seconds: number) => {
    if (seconds === sweep) b.lines++;
    return fits(seconds);
  };
  return b;
}

/** d = 1, slopes by region: (−∞, 0): −3 | (0, 50): 1 | (50, 50.0001): 5 | (50.0001, ∞): 1 (Lip = 5). */
const THIN_SLAB = shallowNet([[-1], [1], [1], [1]], [0, 0, -50, -50.0001], [3, 1, 4, -4]);

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
    const r = lowerBound(THIN_SLAB, { norm: '2', box: null }, { timeLimit: Infinity, maxRestarts: 1, seed: 1 });
    expect(r.methods.sampling).toBe(3);
    expect(r.methods.lineSearch).toBeCloseTo(5, 9);
    expect(r.witness.value).toBeCloseTo(5, 9);
    expect(r.witness.x[0] > 50 && r.witness.x[0] < 50.0001).toBe(true);
    // The climb from the line search's point is counted as local search too.
    expect(r.methods.localSearch).toBe(r.witness.value);
  });
  it('repeats the line searches (gradient + 2 random) only while a pass improves the climb', () => {
    // The slab: pass 1 finds it, pass 2 finds nothing better. TWO_AXES: the climb ends at the constant, one pass.
    const slab = countingLines(THIN_SLAB);
    expect(lowerBound(THIN_SLAB, { norm: '2', box: null }, { timeLimit: Infinity, budget: slab, maxRestarts: 1, seed: 1 }).witness.value).toBeCloseTo(5, 9);
    expect(slab.lines).toBe(6);
    const top = countingLines(TWO_AXES);
    expect(lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, budget: top, maxRestarts: 1, seed: 1 }).witness.value).toBeCloseTo(Math.sqrt(13), 12);
    expect(top.lines).toBe(3);
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
  it('runs rounds of fresh samples: four climbs after the first, two after each later one', () => {
    const progress: number[] = [];
    const r = lowerBound(TWO_AXES, { norm: '1', box: null }, { timeLimit: Infinity, maxRestarts: 7, seed: 3, onProgress: (b) => progress.push(b) });
    expect(r.restarts).toBe(7);
    // Round 0: sampling + 4 climbs; round 1: sampling + 2 climbs; round 2: sampling + the 7th climb.
    expect(progress.length).toBe(10);
    expect(r.witness.value).toBe(3);
  });
  it('without climbs answers the best of the first round of 4096 samples (seed 0 by default)', () => {
    // A random 2 → 12 → 1 net with many regions, where 4096 samples find a larger norm than 1024 (a fact of
    // these fixed seeds, asserted below so that the test shows it picks the 4096-sample round; not statistical).
    const net = randomNet(2, [12], 1, 2);
    const q = { norm: '2' as const, box: null };
    const r = lowerBound(net, q, { timeLimit: Infinity, maxRestarts: 0 });
    const first = sampleCandidates(net, q, 4096, '0:0', 8)[0];
    expect(Array.from(r.witness.x)).toEqual(Array.from(first.x));
    expect(r.witness.value).toBeGreaterThan(sampleCandidates(net, q, 1024, '0:0', 1)[0].value);
    expect(r.restarts).toBe(0);
    expect(Array.from(lowerBound(net, q, { timeLimit: Infinity, maxRestarts: 0, seed: 0 }).witness.x)).toEqual(Array.from(r.witness.x));
  });
  it('stops as soon as a witness exceeds stopAbove: here the first samples', () => {
    const r = lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, stopAbove: 1, seed: 1 });
    expect(r.restarts).toBe(0);
    expect(r.witness.value).toBeGreaterThan(1);
    expect(r.methods.localSearch).toBe(-Infinity);
    // Above the constant nothing stops it but maxRestarts.
    expect(lowerBound(TWO_AXES, { norm: '2', box: null }, { timeLimit: Infinity, stopAbove: 4, maxRestarts: 2, seed: 1 }).restarts).toBe(2);
    // Exceeds, not reaches: Lip_∞ = 5 exactly (|2| + |−3|) does not stop at 5.
    const at = lowerBound(TWO_AXES, { norm: 'inf', box: null }, { timeLimit: Infinity, stopAbove: 5, maxRestarts: 2, seed: 1 });
    expect(at.witness.value).toBe(5);
    expect(at.restarts).toBe(2);
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

describe('lineDirections', () => {
  // One neuron ρ(x₁ − 3x₂ + 3x₃ + 1), active at 0: gradient g = (1, −3, 3), a tie for the largest entry.
  const net = shallowNet([[1, -3, 3]], [1], [1]);
  const x = new Float64Array(3);
  const g = Array.from(jacobian(net, x).data);
  it('puts first the direction the gradient favours (Hölder equality |g·u| = ‖g‖_{p′}‖u‖_p), then two random ones', () => {
    for (const p of NORMS) {
      const dirs = lineDirections(net, { norm: p, box: null }, x, createStream(1, 'test'));
      expect(dirs.length).toBe(3);
      const u = dirs[0];
      const gu = g.reduce((s, gj, j) => s + gj * u[j], 0);
      expect(Math.abs(gu)).toBeCloseTo(vectorNorm(g, dualOf(p)) * vectorNorm(u, p), 12);
      expect(vectorNorm(u, p)).toBeGreaterThan(0);
      for (const r of dirs.slice(1)) {
        expect(r.length).toBe(3);
        expect(r.every((v) => Number.isFinite(v) && v !== 0)).toBe(true);
      }
      expect(Array.from(dirs[1])).not.toEqual(Array.from(dirs[2]));
    }
    // p = 1: the axis of the largest |g_j|, the first of a tie.
    expect(Array.from(lineDirections(net, { norm: '1', box: null }, x, createStream(1, 'test'))[0])).toEqual([0, 1, 0]);
  });
  it('drops the gradient direction where the gradient is zero (p = 1 still has its axis: the first)', () => {
    expect(Array.from(lineDirections(TWO_AXES, { norm: '1', box: null }, Float64Array.of(-1, -1), createStream(1, 'test'))[0])).toEqual([1, 0]);
    for (const p of ['2', 'inf'] as const) {
      const dirs = lineDirections(TWO_AXES, { norm: p, box: null }, Float64Array.of(-1, -1), createStream(1, 'test'));
      expect(dirs.length).toBe(2);
      for (const r of dirs) expect(r.some((v) => v !== 0)).toBe(true);
    }
  });
  it('works at d = 300,000 (no argument spread over the input: Math.max(...g) overflows the stack there)', () => {
    const d = 300_000;
    const net = makeNetwork(d, [{ outDim: 1, inDim: d, weights: Float64Array.from({ length: d }, (_, j) => (j === 123_456 ? -2 : 1)), biases: Float64Array.of(1) }, denseLayer([[1]], [0])]);
    const [u] = lineDirections(net, { norm: '1', box: null }, new Float64Array(d), createStream(1, 'test'));
    expect(u[123_456]).toBe(1);
    expect(u.reduce((a, v) => a + v, 0)).toBe(1);
    // The ℓ1 operator norm of its 1 × d Jacobian: the largest column sum, 2.
    expect(operatorNorm({ rows: 1, cols: d, data: jacobian(net, new Float64Array(d)).data }, '1')).toBe(2);
  });
});
