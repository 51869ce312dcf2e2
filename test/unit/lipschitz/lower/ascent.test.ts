import { describe, expect, it } from 'vitest';
import { NORMS, vectorNorm } from '../../../../src/linalg/norms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { ascentDirection, ascentLowerBound, climbNorm } from '../../../../src/lipschitz/lower/ascent.js';
import { interiorMargin, rankingEngines } from '../../../../src/lipschitz/lower/candidates.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { kinkMargin } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { gradientEngine } from '../../../../src/network/parallelGradients.js';
import { advance, DEEP_SUM, DEEP_SUM_LIP, HAND_CASES, inBox, normAt, ONE_NEURON, ONE_NEURON_LIP, randomNet, shallowNet, spentBudget, TWO_AXES, TWO_AXES_LIP, TWO_OUTPUTS_LIP, useControlledClock } from '../../../support/lowerUnits.js';

useControlledClock();
const v = (...a: number[]) => Float64Array.from(a);
const one = (net: Network) => {
  const e = gradientEngine(net, 16);
  return { exact: e, rank: e };
};
const cTMu = (M: Float64Array, k: number, d: number, c: Float64Array, u: Float64Array) => {
  let s = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) s += c[i] * M[i * d + j] * u[j];
  return s;
};

describe('ascentDirection', () => {
  const M = v(1, -2, 0, 3, 0, -1); // 2 × 3
  it('p = ∞: the sign vector of the row of largest ℓ1 norm, c = that output', () => {
    const { u, c } = ascentDirection(M, 2, 3, 'inf')!;
    expect(Array.from(u)).toEqual([1, 0, -1]);
    expect(Array.from(c)).toEqual([0, 1]);
    expect(cTMu(M, 2, 3, c, u)).toBe(4); // ‖M‖_{∞→∞} = max row sum 4
    // A tie keeps the first row.
    const tie = ascentDirection(v(1, 1, 2, 0), 2, 2, 'inf')!;
    expect(Array.from(tie.c)).toEqual([1, 0]);
    expect(Array.from(tie.u)).toEqual([1, 1]);
  });
  it('p = 1: the coordinate of the column of largest ℓ1 norm, c = its signs', () => {
    const { u, c } = ascentDirection(M, 2, 3, '1')!;
    expect(Array.from(u)).toEqual([1, 0, 0]);
    expect(Array.from(c)).toEqual([1, 1]);
    expect(cTMu(M, 2, 3, c, u)).toBe(4); // max column sum 4
    const second = ascentDirection(v(1, 5, 2, -1), 2, 2, '1')!; // column sums 3 and 6
    expect(Array.from(second.u)).toEqual([0, 1]);
    expect(Array.from(second.c)).toEqual([1, -1]);
    const tie = ascentDirection(v(1, -2, 2, 1), 2, 2, '1')!; // both columns sum to 3
    expect(Array.from(tie.u)).toEqual([1, 0]);
    expect(Array.from(tie.c)).toEqual([1, 1]);
  });
  it('p = 2: the normalised gradient for one output, the top singular pair for two', () => {
    const g = ascentDirection(v(3, -4), 1, 2, '2')!;
    expect(Array.from(g.u)).toEqual([0.6, -0.8]);
    expect(Array.from(g.c)).toEqual([1]);
    const J = v(1, 2, 3, 4); // TWO_OUTPUTS's M: σ_max = √(15 + √221)
    const { u, c } = ascentDirection(J, 2, 2, '2')!;
    expect(vectorNorm(u, '2')).toBeCloseTo(1, 14);
    expect(vectorNorm(c, '2')).toBeCloseTo(1, 14);
    expect(cTMu(J, 2, 2, c, u)).toBeCloseTo(TWO_OUTPUTS_LIP['2'], 12);
    // Three outputs, rank one: c ∝ (1, 2, 2)/3, u ∝ (1, −1)/√2, σ = 3·√2·… here M = c₀ u₀ᵀ·6.
    const R = v(2, -2, 4, -4, 4, -4);
    const r = ascentDirection(R, 3, 2, '2')!;
    expect(cTMu(R, 3, 2, r.c, r.u)).toBeCloseTo(6 * Math.SQRT2, 12);
  });
  it('is null when the norm is 0 (or not finite)', () => {
    for (const p of NORMS) expect(ascentDirection(new Float64Array(6), 2, 3, p)).toBeNull();
    expect(ascentDirection(v(Infinity, 1), 1, 2, '2')).toBeNull();
  });
});

describe('climbNorm', () => {
  // p = 1 is left out here: its direction is a coordinate, e₁ at (1, −1), and neither line (x₂ = −1, nor
  // the smoothed slope of ∂f/∂x₁, to which neuron 2 contributes nothing) reaches neuron 2's kink.
  it('crosses to the hand-known best region, never lowering the norm, every point a witness (p = 2, ∞)', () => {
    for (const p of ['2', 'inf'] as const) {
      const start = { value: 2, x: v(1, -1) }; // gradient (2, 0): norm 2 in every p
      const values: number[] = [];
      const r = climbNorm(TWO_AXES, { norm: p, box: null }, start, one(TWO_AXES), new Budget(Infinity), { onStep: (x) => values.push(x) });
      expect(r.witness.value).toBeCloseTo(TWO_AXES_LIP[p], 12);
      expect(r.witness.value).toBe(normAt(TWO_AXES, r.witness.x, p));
      expect(interiorMargin(TWO_AXES, r.witness.x)).toBeGreaterThan(1e-10);
      expect(values).toEqual(r.values);
      expect(r.values[0]).toBe(2);
      expect(r.steps).toBe(r.values.length - 1);
      expect(r.steps).toBeGreaterThan(0);
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
      expect(r.evaluations).toBeGreaterThan(r.steps);
    }
  });
  it('along the slope line alone (no temperatures) cannot leave a line that crosses no better region', () => {
    // At (1, −1) the line along the gradient (2, 0) is x₂ = −1: neuron 2 stays off.
    const start = { value: 2, x: v(1, -1) };
    const r = climbNorm(TWO_AXES, { norm: '2', box: null }, start, one(TWO_AXES), new Budget(Infinity), { temperatures: [] });
    expect(r.witness).toBe(start);
    expect(r.steps).toBe(0);
    // From the zero region the slope line has nothing to follow either (no direction).
    const flat = climbNorm(TWO_AXES, { norm: '2', box: null }, { value: 0, x: v(-1, -1) }, one(TWO_AXES), new Budget(Infinity));
    expect(flat.steps).toBe(0);
  });
  it('on the slope line evaluates the regions of largest slope first: the steepest, far ahead, with one candidate', () => {
    // d = 1, f = ρ(x + 10) + 0.5ρ(x − 1) − 0.3ρ(x − 2) + 3.8ρ(x − 3): slopes 0 | 1 | 1.5 | 1.2 | 5 with kinks at
    // −10, 1, 2, 3. From 0 (slope 1) the steepest region of the line is x > 3 (Lip = 5), the fourth ahead.
    const net = shallowNet([[1], [1], [1], [1]], [10, -1, -2, -3], [1, 0.5, -0.3, 3.8]);
    for (const p of NORMS) {
      const r = climbNorm(net, { norm: p, box: null }, { value: 1, x: v(0) }, one(net), new Budget(Infinity), { temperatures: [], candidates: 1, maxSteps: 1 });
      expect(r.witness.value).toBeCloseTo(5, 12);
      expect(r.witness.x[0]).toBeGreaterThan(3);
      expect(r.evaluations).toBe(1 + 1);
    }
  });
  it('crosses a second-layer kink: DEEP_SUM from (2, −1), where only x₁ counts, to its constant', () => {
    for (const p of NORMS) {
      const r = climbNorm(DEEP_SUM, { norm: p, box: null }, { value: normAt(DEEP_SUM, [2, -1], p), x: v(2, -1) }, one(DEEP_SUM), new Budget(Infinity));
      expect(r.witness.value).toBeCloseTo(DEEP_SUM_LIP[p], 12);
      expect(kinkMargin(DEEP_SUM, r.witness.x)).toBeGreaterThan(1e-10);
    }
  });
  it('in a box stays strictly inside it', () => {
    const box = boxFromPairs(
      [
        [0.5, 1],
        [-1, 1],
      ],
      2,
    );
    for (const p of ['2', 'inf'] as const) {
      const r = climbNorm(TWO_AXES, { norm: p, box }, { value: 2, x: v(0.75, -0.5) }, one(TWO_AXES), new Budget(Infinity));
      expect(r.witness.value).toBeCloseTo(TWO_AXES_LIP[p], 12);
      r.witness.x.forEach((xj, j) => expect(xj > box.lo[j] && xj < box.hi[j]).toBe(true));
    }
  });
  it('at a local maximum tries each temperature once, evaluating one path of 8 points per try (temperature 0: the slope path alone)', () => {
    // TWO_AXES at (0.75, 0.5) in [0.5, 1] × [0.25, 1]: both neurons on everywhere in the box, nothing is better.
    const box = boxFromPairs(
      [
        [0.5, 1],
        [0.25, 1],
      ],
      2,
    );
    const start = { value: Math.sqrt(13), x: v(0.75, 0.5) };
    const q = { norm: '2' as const, box };
    const r = climbNorm(TWO_AXES, q, start, one(TWO_AXES), new Budget(Infinity), { temperatures: [0, 0, 0] });
    expect(r.witness).toBe(start);
    expect(r.steps).toBe(0);
    expect(r.evaluations).toBe(1 + 3 * 8); // the start, then 3 tries of 8
    // No temperature: one try. With a float32 ranking engine each try re-evaluates its best 3 in float64.
    expect(climbNorm(TWO_AXES, q, start, one(TWO_AXES), new Budget(Infinity), { temperatures: [] }).evaluations).toBe(1 + 8);
    const two = climbNorm(TWO_AXES, q, start, rankingEngines(TWO_AXES, 64), new Budget(Infinity), { temperatures: [0, 0, 0] });
    expect(two.evaluations).toBe(1 + 3 * (8 + 3));
    // At the box corner (1, 0.25) the direction (2, −3)/√13 leaves the box at once: no path, nothing evaluated.
    expect(climbNorm(TWO_AXES, q, { value: Math.sqrt(13), x: v(1, 0.25) }, one(TWO_AXES), new Budget(Infinity), { temperatures: [0] }).evaluations).toBe(1);
    // From (0.75, −0.5) in [0.5, 1] × [−1, 1] the gradient (2, 0) moves x₁ alone (x₂ sets no limit): a path of 8
    // points on x₂ = −0.5, none better.
    const flat = boxFromPairs(
      [
        [0.5, 1],
        [-1, 1],
      ],
      2,
    );
    const along = climbNorm(TWO_AXES, { norm: '2', box: flat }, { value: 2, x: v(0.75, -0.5) }, one(TWO_AXES), new Budget(Infinity), { temperatures: [0] });
    expect(along.evaluations).toBe(1 + 8);
    expect(along.steps).toBe(0);
  });
  it('takes no step past maxSteps, a spent budget, or on an affine network', () => {
    const start = { value: 2, x: v(1, -1) };
    const q = { norm: '2' as const, box: null };
    expect(climbNorm(TWO_AXES, q, start, one(TWO_AXES), new Budget(Infinity), { maxSteps: 0 }).witness).toBe(start);
    expect(climbNorm(TWO_AXES, q, start, one(TWO_AXES), new Budget(Infinity), { maxSteps: 1 }).steps).toBe(1);
    expect(climbNorm(TWO_AXES, q, start, one(TWO_AXES), spentBudget()).steps).toBe(0);
    const affine = makeNetwork(2, [denseLayer([[1, 2]], [0])]);
    expect(climbNorm(affine, q, { value: Math.sqrt(5), x: v(1, 1) }, one(affine), new Budget(Infinity)).steps).toBe(0);
  });
});

describe('ascentLowerBound', () => {
  it.each(HAND_CASES)('%s: reaches the hand-known constant, never above it, with a witness that re-evaluates', (_, net, box, lip) => {
    for (const p of NORMS) {
      const r = ascentLowerBound(net, { norm: p, box }, { budget: new Budget(Infinity), starts: 2, screen: 8, seed: 3 });
      expect(r.witness.value).toBeCloseTo(lip[p], 12);
      expect(r.witness.value).toBeLessThanOrEqual(lip[p] * (1 + 1e-12));
      expect(r.witness.value).toBe(normAt(net, r.witness.x, p));
      expect(kinkMargin(net, r.witness.x)).toBeGreaterThan(1e-10);
      if (box) expect(inBox(r.witness.x, box)).toBe(true);
      expect(r.climbs).toBe(2);
      expect(r.evaluations).toBeGreaterThanOrEqual(8 * 8);
    }
  });
  it('stops above stopAbove, and reports every step of every climb', () => {
    const seen: [number, number][] = [];
    const r = ascentLowerBound(TWO_AXES, { norm: '2', box: null }, { budget: new Budget(Infinity), starts: 5, screen: 4, seed: 1, stopAbove: 1, onStep: (c, x) => seen.push([c, x]) });
    expect(r.climbs).toBe(1);
    expect(r.witness.value).toBeGreaterThan(1);
    expect(seen.every(([c]) => c === 0)).toBe(true);
    expect(seen.length).toBe(r.steps + 1);
    const all: number[] = [];
    const s = ascentLowerBound(TWO_AXES, { norm: '2', box: null }, { budget: new Budget(Infinity), starts: 3, screen: 4, seed: 1, onStep: (c) => all.push(c) });
    expect(s.climbs).toBe(3);
    expect(new Set(all)).toEqual(new Set([0, 1, 2]));
    expect(all.length).toBe(s.steps + 3);
    // Exceeds, not reaches: Lip_∞ = 5 exactly (|2| + |−3|) does not stop at 5.
    const at = ascentLowerBound(TWO_AXES, { norm: 'inf', box: null }, { budget: new Budget(Infinity), starts: 3, screen: 4, seed: 1, stopAbove: 5 });
    expect(at.witness.value).toBe(5);
    expect(at.climbs).toBe(3);
  });
  it('answers the best end of all climbs, whichever climb reached it (re-checked), counting every step', () => {
    // A random 2 → 10 → 6 → 1 net whose four climbs end at different values, the last one highest (seed 1).
    const net = randomNet(2, [10, 6], 1, 1);
    const paths: number[][] = [];
    const r = ascentLowerBound(net, { norm: '2', box: null }, { budget: new Budget(Infinity), starts: 4, screen: 4, seed: 1, onStep: (c, x) => (paths[c] ??= []).push(x) });
    const ends = paths.map((p) => p[p.length - 1]);
    expect(ends[0]).toBeLessThan(Math.max(...ends));
    expect(r.witness.value).toBe(Math.max(...ends));
    expect(r.witness.value).toBe(normAt(net, r.witness.x, '2'));
    expect(r.steps).toBe(paths.reduce((n, p) => n + p.length - 1, 0));
    expect(r.steps).toBeGreaterThan(0);
    // The seed defaults to 0.
    const fixed = ascentLowerBound(net, { norm: '2', box: null }, { budget: new Budget(Infinity), starts: 1, screen: 4, seed: 0 });
    const unset = ascentLowerBound(net, { norm: '2', box: null }, { budget: new Budget(Infinity), starts: 1, screen: 4 });
    expect(Array.from(unset.witness.x)).toEqual(Array.from(fixed.witness.x));
  });
  it('climbs on within what the budget has left after the first re-check', () => {
    // Each value a climb reaches takes a millisecond of the controlled clock; 1 s is ample for 3 climbs.
    const r = ascentLowerBound(TWO_AXES, { norm: '2', box: null }, { budget: new Budget(1), starts: 3, screen: 4, seed: 1, onStep: () => advance(0.001) });
    expect(r.climbs).toBe(3);
    expect(r.witness.value).toBeCloseTo(TWO_AXES_LIP['2'], 12);
  });
  it('with a spent budget climbs nothing and returns no witness', () => {
    const r = ascentLowerBound(TWO_AXES, { norm: '2', box: null }, { budget: spentBudget(), screen: 4 });
    expect(r.climbs).toBe(0);
    expect(r.witness.value).toBe(-Infinity);
  });
  it('climbs on a network with a neuron that has no weights and no bias (constant, not a kink)', () => {
    // f = ρ(x₁ + 2x₂ + 0.5) + ρ(0): Lip₂ = √5 wherever the first neuron is active. Before the fix
    // interiorMargin scored the constant neuron 0, so no start passed and there was no witness at all.
    const dead = makeNetwork(2, [denseLayer([[1, 2], [0, 0]], [0.5, 0]), denseLayer([[1, 1]], [0])]);
    const r = ascentLowerBound(dead, { norm: '2', box: null }, { budget: new Budget(Infinity), screen: 2, starts: 3 });
    expect(r.climbs).toBeGreaterThan(0);
    expect(r.witness.value).toBeCloseTo(Math.sqrt(5), 12);
    expect(r.witness.value).toBeLessThanOrEqual(Math.sqrt(5) * (1 + 1e-15));
    expect(kinkMargin(dead, r.witness.x)).toBeGreaterThan(1e-10);
  });
  it('gives up after five rounds in which every screened point lies on a kink: no witness', () => {
    // A box inside ONE_NEURON's kink margin (3x₁ − 4x₂ + 1 = 0 through (−1/3, 0); |z| ≤ 7e-13 there).
    const box = boxFromPairs(
      [
        [-1 / 3 - 1e-13, -1 / 3 + 1e-13],
        [-1e-13, 1e-13],
      ],
      2,
    );
    const r = ascentLowerBound(ONE_NEURON, { norm: '2', box }, { budget: new Budget(Infinity), screen: 2 });
    expect(r.climbs).toBe(0);
    expect(r.witness.value).toBe(-Infinity);
    expect(r.evaluations).toBe(5 * 8 * 2); // rounds 0 … 4 of 8 climbs' worth of 2 points each
  });
  it('screens at least one point per climb, in float64 when asked', () => {
    const r = ascentLowerBound(ONE_NEURON, { norm: 'inf', box: null }, { budget: new Budget(Infinity), starts: 1, screen: 0, precision: 'float64' });
    expect(r.evaluations).toBeGreaterThanOrEqual(8);
    expect(r.witness.value).toBeLessThanOrEqual(ONE_NEURON_LIP.inf);
  });
});
