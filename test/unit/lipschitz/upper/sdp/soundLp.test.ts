import { describe, expect, it } from 'vitest';
import { dualBound, soundMax, type Polytope } from '../../../../../src/lipschitz/upper/sdp/soundLp.js';
import { createStream } from '../../../../../src/random/stream.js';
import { add, dyadic, mul, toNumber, type Dyadic } from '../../../../support/exactArithmetic.js';
import { less, neg } from '../../../../support/exactLp.js';
import { box } from '../../../../support/lipschitzUnits.js';

/**
 * The sound LP maximum against independent values: brute-force vertex enumeration on polytopes of
 * 3 variables (soundness: bound ≥ max; tightness: bound ≤ max + 1e-9·(1 + |max|), far below what a
 * skipped step costs), and dualBound against its own formula evaluated exactly in dyadic rationals
 * on data built so that floating point loses what the widening must pay for: cancellation (2⁵³ + 1
 * rounds to 2⁵³), underflow (2⁻¹⁰⁷⁵ rounds to 0) and more sums than γ's count would allow.
 */

const B = 2 ** 53;
const ETA = 2 ** -1074;

/** Solves the n × n system M·x = r (row-major) by Gaussian elimination, or null when singular. */
function solve(M: number[], r: number[], n: number): number[] | null {
  const a = M.map((v) => v);
  const x = r.map((v) => v);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let k = c + 1; k < n; k++) if (Math.abs(a[k * n + c]) > Math.abs(a[p * n + c])) p = k;
    if (Math.abs(a[p * n + c]) < 1e-300) return null;
    for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
    [x[c], x[p]] = [x[p], x[c]];
    for (let k = 0; k < n; k++) {
      if (k === c) continue;
      const f = a[k * n + c] / a[c * n + c];
      for (let j = 0; j < n; j++) a[k * n + j] -= f * a[c * n + j];
      x[k] -= f * x[c];
    }
  }
  return x.map((v, c) => v / a[c * n + c]);
}

/** max c·v over the polytope by enumerating every vertex: n constraints (rows or box) tight at once. */
function vertexMax(p: Polytope, c: number[]): number {
  const { n } = p;
  const cons: { a: number[]; b: number }[] = p.rhs.map((b, i) => ({ a: p.rows.slice(i * n, (i + 1) * n), b }));
  for (let j = 0; j < n; j++) {
    const e = Array.from({ length: n }, (_, k) => (k === j ? 1 : 0));
    cons.push({ a: e, b: p.hi[j] }, { a: e.map((x) => -x), b: -p.lo[j] });
  }
  const feasible = (v: number[]) => cons.every(({ a, b }) => a.reduce((s, x, k) => s + x * v[k], 0) <= b + 1e-9 * (Math.abs(b) + a.reduce((s, x, k) => s + Math.abs(x * v[k]), 0)));
  let best = -Infinity;
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === n) {
      const v = solve(chosen.flatMap((i) => cons[i].a), chosen.map((i) => cons[i].b), n);
      if (v && feasible(v)) best = Math.max(best, c.reduce((s, x, k) => s + x * v[k], 0));
      return;
    }
    for (let i = start; i < cons.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return best;
}

function expectSoundAndTight(p: Polytope, c: number[]) {
  const truth = vertexMax(p, c);
  const { bound } = soundMax(p, c);
  expect(bound).toBeGreaterThanOrEqual(truth);
  expect(bound).toBeLessThanOrEqual(truth + 1e-9 * (1 + Math.abs(truth)));
}

/** y·b + Σ_j max(r_j·lo_j, r_j·hi_j), r = c − Aᵀy, exactly (what dualBound must not fall below). */
function exactDual(p: Polytope, c: number[], y: number[]): Dyadic {
  const { n, rows, rhs, lo, hi } = p;
  let s = dyadic(0);
  rhs.forEach((b, i) => (s = add(s, mul(dyadic(y[i]), dyadic(b)))));
  for (let j = 0; j < n; j++) {
    let r = dyadic(c[j]);
    rhs.forEach((_, i) => (r = add(r, neg(mul(dyadic(y[i]), dyadic(rows[i * n + j]))))));
    const atLo = mul(r, dyadic(lo[j]));
    const atHi = mul(r, dyadic(hi[j]));
    s = add(s, less(atLo, atHi) ? atHi : atLo);
  }
  return s;
}

function expectAtLeastExact(p: Polytope, c: number[], y: number[]): number {
  const bound = dualBound(p, c, Float64Array.from(y));
  expect(Number.isFinite(bound)).toBe(true);
  expect(less(dyadic(bound), exactDual(p, c, y))).toBe(false);
  return bound;
}


describe('soundMax (soundLp.ts): a certified maximum of a linear function over a small polytope', () => {
  it('sound and tight on hand-built 3-D polytopes whose binding rows are scaled by 1e-12 or 1e12, with zero rows', () => {
    const cube = box([-1, -1, -1], [1, 1, 1]);
    const s = 1e-12;
    // max v1 + v2 + v3 = 0.5, on the tiny last row (the first row is slack at the optimum).
    expectSoundAndTight({ n: 3, rows: [0.25, 0, 1, s, s, s], rhs: [0.9, 0.5 * s], ...cube }, [1, 1, 1]);
    // A zero row (0·v ≤ 1, a dead neuron's form), then the tiny row: the maximum is still 0.5.
    expectSoundAndTight({ n: 3, rows: [0, 0, 0, s, s, s], rhs: [1, 0.5 * s], ...cube }, [1, 1, 1]);
    // A huge row and a tiny one both binding: v1 + v2 ≤ 0.5 (×1e12), v1 − v3 ≤ 0.25 (×1e-12); the
    // maximum of v1 + v2 − v3 is 1.25, at (−0.5, 1, −0.75) among others (v2 = 1 on the box).
    expectSoundAndTight({ n: 3, rows: [1e12, 1e12, 0, s, 0, -s, 0, 0, 0], rhs: [0.5e12, 0.25 * s, 2], ...cube }, [1, 1, -1]);
  });

  it('sound and tight on random 3-D polytopes with rows of scales 1e-12 … 1e12 and a zero row', () => {
    const st = createStream(11, 'soundLp-unit');
    for (let trial = 0; trial < 12; trial++) {
      const m = 2 + Math.floor(3 * st.uniform());
      const zeroAt = Math.floor((m + 1) * st.uniform());
      const rows: number[] = [];
      const rhs: number[] = [];
      for (let i = 0; i <= m; i++) {
        const scale = i === zeroAt ? 0 : 10 ** (6 * Math.floor(5 * st.uniform()) - 12);
        rows.push(...[0, 1, 2].map(() => scale * (2 * st.uniform() - 1)));
        rhs.push(i === zeroAt ? 1 : scale * 0.5 * st.uniform()); // the origin stays feasible
      }
      const c = [0, 1, 2].map(() => 2 * st.uniform() - 1);
      expectSoundAndTight({ n: 3, rows, rhs, ...box([-1, -2, -0.5], [3, 1, 2]) }, c);
    }
  });

  it('an empty polytope: no vertex to offer (point null), and the box bound, which is sound for an empty set', () => {
    const p: Polytope = { n: 2, rows: [1, 0, -1, 0], rhs: [-0.5, -0.5], ...box([-1, -1], [1, 1]) };
    const result = soundMax(p, [1, 1]);
    expect(result.point).toBeNull();
    expect(result.bound).toBeGreaterThanOrEqual(2);
    expect(result.bound).toBeLessThanOrEqual(2 * (1 + 1e-12));
    // A feasible one offers its optimal vertex.
    expect(Array.from(soundMax({ ...p, rhs: [0.5, 0.5] }, [1, 1]).point!)).toEqual([0.5, 1]);
  });

  it('a vertex whose dual overflows (rows at slope 2⁻²⁰, objective 1e303): the box bound, not Infinity', () => {
    const e = 2 ** -20;
    // |v1| ≤ e/2 − e·v2 on both sides forces v2 ≤ 1/2; the vertex's dual is 1e303/(2e) > 1.8e308.
    const p: Polytope = { n: 3, rows: [1, e, 0, -1, e, 0], rhs: [0.5 * e, 0.5 * e], ...box([-1, -1, -1], [1, 1, 1]) };
    const { bound } = soundMax(p, [0, 1e303, 1]);
    expect(Number.isFinite(bound)).toBe(true);
    expect(bound).toBeGreaterThanOrEqual(0.5e303);
    expect(bound).toBeLessThanOrEqual(1e303 * (1 + 1e-12));
    // A dual that fits is used: the same polytope at objective 1e290 is bounded by the vertex's value.
    expect(soundMax(p, [0, 1e290, 1]).bound).toBeLessThanOrEqual(0.5e290 * (1 + 1e-8));
  });

  it('a 5-D box, every sum exact: the bound is at least Σ max(c_j·lo_j, c_j·hi_j) (γ counts all m + n + 4 sums)', () => {
    const p: Polytope = { n: 5, rows: [], rhs: [], ...box([0, 0, 0, 0, 0], [1, 1, 1, 1, 1]) };
    for (const bound of [soundMax(p, [1, 1, 1, 1, 1]).bound, dualBound(p, [1, 1, 1, 1, 1], new Float64Array(0))]) {
      expect(bound).toBeGreaterThanOrEqual(5);
      expect(bound).toBeLessThanOrEqual(5 * (1 + 1e-14));
    }
  });
});

describe('dualBound (soundLp.ts): never below its formula evaluated exactly, whatever y ≥ 0', () => {
  it('cancellation in y·b: 2⁵³ + 1 + 1 + 1 − 2⁵³ is 0 in floating point, 3 exactly', () => {
    const p: Polytope = { n: 1, rows: [0, 0, 0, 0, 0], rhs: [B, 1, 1, 1, -B], ...box([0], [0]) };
    expectAtLeastExact(p, [0], [1, 1, 1, 1, 1]);
  });

  it('cancellation in r = c − Aᵀy, on an asymmetric box [0, 4]: r is 0 in floating point, 3 exactly', () => {
    const p: Polytope = { n: 1, rows: [-1, -1, -1, B], rhs: [0, 0, 0, 0], ...box([0], [4]) };
    expectAtLeastExact(p, [B], [1, 1, 1, 1]);
  });

  it('underflow: y·a = 2⁻¹⁰⁷⁶ flushed to 0 in r on a box of half-width 2¹⁰⁰⁰; y·b = 2⁻¹⁰⁷⁵ flushed to 0 with n = 0 and n = 3', () => {
    expectAtLeastExact({ n: 1, rows: [2 ** -538], rhs: [0], ...box([-(2 ** 1000)], [2 ** 1000]) }, [0], [2 ** -538]);
    expect(expectAtLeastExact({ n: 0, rows: [], rhs: [2 ** -538], ...box([], []) }, [], [2 ** -537])).toBeLessThanOrEqual(4 * ETA);
    expectAtLeastExact({ n: 3, rows: [0, 0, 0], rhs: [2 ** -538], ...box([0, 0, 0], [0, 0, 0]) }, [0, 0, 0], [2 ** -537]);
  });

  it('random y ≥ 0 on random data of mixed scales: at least the exact value, within 1e-12 relative of it', () => {
    const st = createStream(12, 'dualBound-unit');
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(3 * st.uniform());
      const m = Math.floor(4 * st.uniform());
      const scaled = () => (2 * st.uniform() - 1) * 10 ** Math.floor(8 * st.uniform() - 4);
      const rows = Array.from({ length: m * n }, scaled);
      const rhs = Array.from({ length: m }, scaled);
      const lo = Array.from({ length: n }, () => -st.uniform() * 10);
      const p: Polytope = { n, rows, rhs, ...box(lo, lo.map((l) => l + 10 * st.uniform())) };
      const c = Array.from({ length: n }, scaled);
      const y = Array.from({ length: m }, () => (st.uniform() < 0.3 ? 0 : st.uniform()));
      const bound = expectAtLeastExact(p, c, y);
      // The size of the terms: Σ|y_i·b_i| + Σ_j (|c_j| + Σ_i |y_i·a_ij|)·max(|lo_j|, |hi_j|).
      let size = rhs.reduce((s, b, i) => s + Math.abs(y[i] * b), 0);
      for (let j = 0; j < n; j++) {
        const rSize = rhs.reduce((s, _, i) => s + Math.abs(y[i] * rows[i * n + j]), Math.abs(c[j]));
        size += rSize * Math.max(Math.abs(p.lo[j]), Math.abs(p.hi[j]));
      }
      expect(bound - toNumber(exactDual(p, c, y))).toBeLessThanOrEqual(1e-12 * size);
    }
  });
});
