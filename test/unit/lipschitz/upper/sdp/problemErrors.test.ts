import { describe, expect, it } from 'vitest';
import { sdpProblem } from '../../../../../src/lipschitz/upper/sdp/problem.js';
import { gamma } from '../../../../../src/lipschitz/upper/rounding.js';
import { add, dyadic, mul, toNumber, type Dyadic } from '../../../../support/exactArithmetic.js';
import { neg } from '../../../../support/exactLp.js';
import { netOf, problemOf } from '../../../../support/sdpUnits.js';

const ETA = 2 ** -1074;
/** |computed − exact|, exactly (then rounded once for the comparison). */
const distance = (computed: number, exact: Dyadic) => Math.abs(toNumber(add(dyadic(computed), neg(exact))));

describe('composed rows of the problem (problem.ts): errors through chains of active neurons', () => {
  it('a single product by an exact ±1 is exact: a sign flip through an active neuron costs nothing', () => {
    // x → ξ₀ (active) → −ξ₀ (active) → unstable neuron 0.75·(−ξ₀) → output; a second output row is 0.
    const chain = netOf(1, [[[1]], [0]], [[[-1]], [0]], [[[0.75]], [0]], [[[1], [0]], [0, 0]]);
    const p = problemOf(chain, [Int8Array.of(1), Int8Array.of(1), Int8Array.of(-1)]);
    expect(p.exponent).toBe(0);
    expect(p.incoming).toHaveLength(1);
    expect(p.incoming[0].start).toBe(0);
    expect(Array.from(p.incoming[0].values)).toEqual([-0.75]);
    expect(Array.from(p.incoming[0].error)).toEqual([0]);
    // One output row is zero, the other is not: f is not constant.
    expect(sdpProblem(chain, [Int8Array.of(1), Int8Array.of(1), Int8Array.of(-1)]).kind).toBe('problem');
  });

  it('a zero weight adds no term: 0.75·n₁ + 0·n₂ over the same ξ coordinate stays exact', () => {
    // n₁ = −ξ₀ and n₂ = ξ₀ (active); the unstable neuron weighs n₂ by 0: one exact product by −1.
    const net = netOf(1, [[[1]], [0]], [[[-1], [1]], [0, 0]], [[[0.75, 0]], [0]], [[[1]], [0]]);
    const p = problemOf(net, [Int8Array.of(1), Int8Array.of(1, 1), Int8Array.of(-1)]);
    expect(Array.from(p.incoming[0].values)).toEqual([-0.75]);
    expect(Array.from(p.incoming[0].error)).toEqual([0]);
  });

  it('two exact products (by ±1) still round when summed: 1 − 2⁻⁶⁰ through two active neurons carries an error covering 2⁻⁶⁰', () => {
    // x → ξ₀ (active) → n₁ = ξ₀ and n₂ = −ξ₀ (active) → unstable neuron 1·n₁ + 2⁻⁶⁰·n₂ = (1 − 2⁻⁶⁰)·ξ₀, computed as 1.
    const net = netOf(1, [[[1]], [0]], [[[1], [-1]], [0, 0]], [[[1, 2 ** -60]], [0]], [[[1]], [0]]);
    const p = problemOf(net, [Int8Array.of(1), Int8Array.of(1, 1), Int8Array.of(-1)]);
    const a = p.incoming[0];
    expect(Array.from(a.values)).toEqual([1]);
    const exact = add(dyadic(1), mul(dyadic(2 ** -60), dyadic(-1)));
    expect(distance(a.values[0], exact)).toBeGreaterThan(0);
    expect(distance(a.values[0], exact)).toBeLessThanOrEqual(a.error[0]);
  });

  it('products that underflow keep an allowance of 2·2⁻¹⁰⁷⁴ per term', () => {
    // Coordinate ξ₀ of the unstable neuron: 2⁻⁶⁰⁰·n₁ + 2⁻⁶⁰⁰·n₂ with n₁, n₂ each 2⁻⁶⁰⁰·ξ₀ (+ ξ₁):
    // two products of 2⁻¹²⁰⁰, both computed as 0. (A weight 1 in every layer keeps it unscaled.)
    const tiny = 2 ** -600;
    const net = netOf(2, [[[1, 0], [0, 1]], [0, 0]], [[[tiny, 0], [tiny, 1], [0, 1]], [0, 0, 0]], [[[tiny, tiny, 1]], [0]], [[[1]], [0]]);
    const p = problemOf(net, [Int8Array.of(1, 1), Int8Array.of(1, 1, 1), Int8Array.of(-1)]);
    expect(p.exponent).toBe(0);
    const a = p.incoming[0];
    expect(a.start).toBe(0);
    expect(a.values[0]).toBe(0);
    const exact = add(mul(dyadic(tiny), mul(dyadic(tiny), dyadic(1))), mul(dyadic(tiny), mul(dyadic(tiny), dyadic(1))));
    expect(distance(a.values[0], exact)).toBeLessThanOrEqual(a.error[0]);
    expect(a.error[0]).toBeGreaterThanOrEqual(2 * 2 * ETA);
    expect(a.error[0]).toBeLessThanOrEqual(1.01 * 2 * 2 * ETA);
  });

  it('two compositions: the stated γ_{m+1}·Σ|terms| plus the factors’ propagated errors, containing the exact row', () => {
    // Layer 0: neuron 0 off (ξ₀ never moves), 1 and 2 active. Layer 1: two active neurons over ξ₁, ξ₂
    // (single products by exact units: exact). Layer 2: one active neuron summing both (two terms
    // per coordinate: rounded). Layer 3: the unstable neuron, 0.9 times that (one inexact product,
    // plus the propagated error). Its row starts at ξ₁.
    const W1 = [[0.7, 0.9, -0.4], [-0.6, 0.2, 1.3]];
    const W2 = [1.1, 0.8];
    const w3 = 0.9;
    const net = netOf(2, [[[0.5, 0.25], [1, -0.5], [0.3, 1.2]], [0, 0, 0]], [W1, [0, 0]], [[W2], [0]], [[[w3]], [0]], [[[1]], [0]]);
    const p = problemOf(net, [Int8Array.of(0, 1, 1), Int8Array.of(1, 1), Int8Array.of(1), Int8Array.of(-1)]);
    expect(p.exponent).toBe(0);
    const a = p.incoming[0];
    expect(a.start).toBe(1);
    expect(a.values).toHaveLength(2);
    for (const c of [1, 2]) {
      const k = c - a.start;
      // Exact: w3·(W2₀·W1₀c + W2₁·W1₁c).
      const exactMid = add(mul(dyadic(W2[0]), dyadic(W1[0][c])), mul(dyadic(W2[1]), dyadic(W1[1][c])));
      const exactRow = mul(dyadic(w3), exactMid);
      expect(distance(a.values[k], exactRow)).toBeLessThanOrEqual(a.error[k]);
      // Stated: the middle row, 2 terms: γ₃·Σ|terms| (+ 2η per term); the unstable row, 1 inexact
      // term: γ₂·|w3·mid| plus |w3| times the middle row's error.
      const mid = W2[0] * W1[0][c] + W2[1] * W1[1][c];
      const midError = gamma(3) * (Math.abs(W2[0] * W1[0][c]) + Math.abs(W2[1] * W1[1][c])) + 4 * ETA;
      const rounding = gamma(2) * Math.abs(w3 * mid);
      const propagated = Math.abs(w3) * midError;
      for (const part of [rounding, propagated]) expect(part).toBeGreaterThan(0.1 * (rounding + propagated));
      expect(a.error[k]).toBeGreaterThanOrEqual(rounding + propagated);
      expect(a.error[k]).toBeLessThanOrEqual(1.01 * (rounding + propagated));
    }
  });
});
