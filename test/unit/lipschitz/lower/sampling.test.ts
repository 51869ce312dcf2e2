import { describe, expect, it } from 'vitest';
import { NORMS } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { bestOfSamples, normsAt, sampleCandidates } from '../../../../src/lipschitz/lower/sampling.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { kinkMargin } from '../../../../src/network/evaluate.js';
import { createStream } from '../../../../src/random/stream.js';
import { inBox, LEFT_BOX, normAt, ONE_NEURON, ONE_NEURON_LIP, radiusBucket, randomNet, scriptedBudget, TWO_AXES, TWO_AXES_LIP, TWO_OUTPUTS } from '../../../support/lowerUnits.js';

const R2 = { norm: '2' as const, box: null };

describe('sampleCandidates', () => {
  it('returns distinct witnesses, best first, each re-evaluating to its value, reaching the hand-known maximum', () => {
    for (const p of NORMS) {
      const out = sampleCandidates(TWO_AXES, { norm: p, box: null }, 200, 'w', 5);
      expect(out.length).toBe(5);
      for (let i = 0; i < out.length; i++) {
        expect(out[i].value).toBe(normAt(TWO_AXES, out[i].x, p));
        expect(kinkMargin(TWO_AXES, out[i].x)).toBeGreaterThan(1e-10);
        if (i > 0) expect(out[i].value).toBeLessThanOrEqual(out[i - 1].value);
        for (let j = 0; j < i; j++) expect(Array.from(out[j].x)).not.toEqual(Array.from(out[i].x));
      }
      // A quarter of the points fall in the quadrant of (2, −3): the best is the constant exactly.
      expect(out[0].value).toBeCloseTo(TWO_AXES_LIP[p], 12);
    }
  });
  it('is deterministic for a seed and changes with it', () => {
    const a = sampleCandidates(TWO_AXES, R2, 50, 7, 50);
    const b = sampleCandidates(TWO_AXES, R2, 50, 7, 50);
    const c = sampleCandidates(TWO_AXES, R2, 50, 8, 50);
    expect(a.map((w) => Array.from(w.x))).toEqual(b.map((w) => Array.from(w.x)));
    expect(a.map((w) => Array.from(w.x))).not.toEqual(c.map((w) => Array.from(w.x)));
  });
  it('on ℝᵈ spreads the points over eight radii around the kink scale (0.2 here), equally', () => {
    // ONE_NEURON's kink scale is |b|/‖w‖ = 1/5; every point is kept (keep = count), each in one bucket.
    const out = sampleCandidates(ONE_NEURON, R2, 64, 's', 64);
    expect(out.length).toBe(64);
    const counts = new Array(8).fill(0);
    for (const w of out) counts[radiusBucket(w.x, 0.2)]++;
    expect(counts).toEqual(new Array(8).fill(8));
    // Both sides of the kink are represented, so the values are the two hand-known ones.
    expect(new Set(out.map((w) => Math.round(w.value * 1e9) / 1e9))).toEqual(new Set([10, 0]));
  });
  it('in a box draws uniformly inside it, spanning it, and finds the box constant', () => {
    const box = boxFromPairs(
      [
        [2, 3],
        [-7, -6.5],
      ],
      2,
    );
    const out = sampleCandidates(TWO_AXES, { norm: 'inf', box }, 64, 'b', 64);
    expect(out.length).toBe(64);
    for (const w of out) expect(inBox(w.x, box)).toBe(true);
    // Fixed seed: the draw is fixed; its range covers most of each side (a uniform sample of 64 would
    // miss the outer tenth at either end with probability 2·0.9⁶⁴ ≈ 0.002).
    for (let j = 0; j < 2; j++) {
      const xs = out.map((w) => w.x[j]);
      expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0.8 * (box.hi[j] - box.lo[j]));
    }
    // x₁ > 0, x₂ < 0 there: only neuron 1 is on, gradient (2, 0).
    for (const w of out) expect(w.value).toBe(2);
    const left = sampleCandidates(TWO_AXES, { norm: '2', box: LEFT_BOX }, 64, 'l', 4);
    expect(left[0].value).toBe(3); // the box constant (x₂ > 0 half of LEFT_BOX)
  });
  it('always evaluates the first chunk, checks the budget before each later one, and then re-checks only until one witness stands', () => {
    // Spent from the start: the first chunk (up to 256 points) is still drawn, one witness returned.
    const spent = sampleCandidates(TWO_AXES, R2, 600, 'c', 16, scriptedBudget(['time']));
    expect(spent.length).toBe(1);
    // Stopped at the check before the second chunk, then time again: the first chunk's best only,
    // the same as drawing that chunk alone (the points drawn do not depend on the budget).
    const cut = sampleCandidates(ONE_NEURON, R2, 300, 'c', 300, scriptedBudget(['time', null]));
    const firstChunk = sampleCandidates(ONE_NEURON, R2, 256, 'c', 300);
    expect(cut.map((w) => Array.from(w.x))).toEqual(firstChunk.map((w) => Array.from(w.x)));
    expect(sampleCandidates(ONE_NEURON, R2, 300, 'c', 300).length).toBe(300);
    // A budget spent only once every point is drawn (one full chunk of 256 here) cut nothing: not marked.
    const late = new Budget(-1);
    expect(sampleCandidates(ONE_NEURON, R2, 256, 'c', 1, late).length).toBe(1);
    expect(late.stoppedOnTime).toBe(false);
  });
  it('draws exactly count points, over chunks, and keeps the best ones: keep = 1 is the largest of all', () => {
    expect(sampleCandidates(ONE_NEURON, R2, 300, 'n', 1000).length).toBe(300); // 256 + 44
    // A random net with many regions: the single kept point is the best of everything drawn.
    const net = randomNet(2, [12], 1, 2);
    for (const p of NORMS) {
      const all = sampleCandidates(net, { norm: p, box: null }, 200, 'k', 200);
      const best = sampleCandidates(net, { norm: p, box: null }, 200, 'k', 1);
      expect(all.length).toBe(200);
      expect(best.length).toBe(1);
      expect(best[0].value).toBe(Math.max(...all.map((w) => w.value)));
      expect(all[0].value).toBeGreaterThan(all[all.length - 1].value);
    }
  });
  it('ranks the points by their full Jacobian for several outputs: the best 3 are the top of all', () => {
    const net = randomNet(2, [8], 2, 6);
    for (const p of NORMS) {
      const all = sampleCandidates(net, { norm: p, box: null }, 60, 'o', 60);
      for (const w of all) expect(w.value).toBe(normAt(net, w.x, p));
      const sorted = all.map((w) => w.value).sort((a, b) => b - a);
      expect(all.map((w) => w.value)).toEqual(sorted); // best first
      expect(sampleCandidates(net, { norm: p, box: null }, 60, 'o', 3).map((w) => w.value)).toEqual(sorted.slice(0, 3));
    }
  });
  it('in a box draws lo + (hi − lo)·U from its stream (seed, "lower/sampling"), coordinate by coordinate, point by point', () => {
    const box = boxFromPairs(
      [
        [1, 3],
        [2, 2.5],
      ],
      2,
    );
    // x₁, x₂ > 0 throughout: every value is ‖(2, −3)‖_∞ = 5, so the order kept is the order drawn.
    const out = sampleCandidates(TWO_AXES, { norm: 'inf', box }, 20, 9, 20);
    const U = createStream(9, 'lower/sampling');
    expect(out.map((w) => Array.from(w.x))).toEqual(Array.from({ length: 20 }, () => [1 + 2 * U.uniform(), 2 + 0.5 * U.uniform()]));
  });
  it('keeps each point once: in a box one ulp wide per side only four points exist', () => {
    const e = 2 ** -52;
    const box = boxFromPairs(
      [
        [1, 1 + e],
        [2, 2 + 2 * e],
      ],
      2,
    );
    const out = sampleCandidates(TWO_AXES, { norm: 'inf', box }, 64, 'u', 16);
    // Each of the four corners is drawn with probability 1/4 per point: all four appear. For any stream the
    // chance that one is missing among 64 points is at most 4·(3/4)⁶⁴ ≈ 4e-8; with this fixed seed it is a fact.
    expect(new Set(out.map((w) => Array.from(w.x).join(',')))).toEqual(new Set(['1,2', `${1 + e},2`, `1,${2 + 2 * e}`, `${1 + e},${2 + 2 * e}`]));
    expect(out.length).toBe(4);
  });
  it('returns no point of a box that lies within the kink margin (no witness on a kink)', () => {
    // ONE_NEURON's kink 3x₁ − 4x₂ + 1 = 0 passes through (−1/3, 0): |z| ≤ 7e-13 there, relative margin < 1e-10.
    const box = boxFromPairs(
      [
        [-1 / 3 - 1e-13, -1 / 3 + 1e-13],
        [-1e-13, 1e-13],
      ],
      2,
    );
    expect(sampleCandidates(ONE_NEURON, { norm: '2', box }, 32, 'z', 8)).toEqual([]);
  });
  it('bestOfSamples is the best sampled norm, and 0 when nothing is drawn', () => {
    for (const p of NORMS) expect(bestOfSamples(ONE_NEURON, { norm: p, box: null }, 32, 1)).toBeCloseTo(ONE_NEURON_LIP[p], 12);
    expect(bestOfSamples(ONE_NEURON, R2, 0, 1)).toBe(0);
  });
});

describe('normsAt', () => {
  it('gives each row its Jacobian norm', () => {
    const X = Float64Array.of(1, 1, -1, 2, 0.5, -0.5, 3, -2);
    for (const p of NORMS) {
      for (const net of [TWO_AXES, TWO_OUTPUTS]) {
        const out = normsAt(net, X, 4, p);
        for (let r = 0; r < 4; r++) expect(out[r]).toBe(normAt(net, X.subarray(2 * r, 2 * r + 2), p));
      }
    }
  });
  it('leaves NaN for the rows not reached when the budget stops it after the first chunk', () => {
    const n = 600;
    const X = Float64Array.from({ length: 2 * n }, (_, i) => (i % 2 ? -1 : 1) * (1 + (i % 7)));
    const out = normsAt(ONE_NEURON, X, n, '2', scriptedBudget(['time']));
    const reached = out.findIndex((v) => Number.isNaN(v));
    expect(reached).toBeGreaterThan(0);
    for (let r = 0; r < n; r++) {
      if (r < reached) expect(out[r]).toBe(normAt(ONE_NEURON, X.subarray(2 * r, 2 * r + 2), '2'));
      else expect(out[r]).toBeNaN();
    }
    expect(normsAt(ONE_NEURON, X, n, '2').every((v) => !Number.isNaN(v))).toBe(true);
    // Spent only after the last chunk (256 rows: one): nothing left out, not marked.
    const late = new Budget(-1);
    expect(normsAt(ONE_NEURON, X, 256, '2', late).every((v) => !Number.isNaN(v))).toBe(true);
    expect(late.stoppedOnTime).toBe(false);
  });
});
