import { describe, expect, it } from 'vitest';
import { deeperBounds, nextForms, relaxedNextBounds, widenSum } from '../../../../../src/lipschitz/upper/sdp/nodeBounds.js';
import { soundMax, type Polytope } from '../../../../../src/lipschitz/upper/sdp/soundLp.js';
import { gamma } from '../../../../../src/lipschitz/upper/rounding.js';
import { forward } from '../../../../../src/network/evaluate.js';
import { createStream } from '../../../../../src/random/stream.js';
import { netOf } from '../../../../support/sdpUnits.js';

const ETA = 2 ** -1074;
const u = 2 ** -53;

describe('relaxedNextBounds’ stated error term, isolated (nodeBounds.ts)', () => {
  // Layer l has three neurons: 0 and 1 active (σ = 1), 2 unstable on [−1, 3] (σ = 3/4) with a
  // negative outgoing weight, so its chord −μ·lo enters only the lower bound's constant. The forms
  // of 0 and 1 cancel exactly (r = 0: the LP's maximum is 0 up to its underflow allowance), and the
  // constants cancel too (−1 + ½ + ½ = 0): the upper bound is then the error term itself (widened
  // by 4u of itself), and each stated term is a visible part of it.
  //   err = Σ_k |μ_k|·e_k  +  2u·|μ_2|·(hi_2 − lo_2)  +  γ_{m+3}·(Σ_j mag_j·max(|lo_j|, |hi_j|) + cMag),  times (1 + γ_{n+4})
  // with mag_j = Σ_k |μ_k·a_kj| and cMag = |b| + Σ_k |μ_k·c_k| + |chord| (m = 3 inputs, n = 2 variables).
  const net = netOf(2, [[[1, 0], [0, 1], [1, 1]], [0, 0, 0]], [[[1, 1, -1]], [-1]]);
  const forms = { a: Float64Array.of(1, 2, -1, -2, 0, 0), c: Float64Array.of(0.5, 0.5, 0), e: Float64Array.of(1e-15, 2e-15, 4e-15) };
  const s = Int8Array.of(1, 1, -1);
  const lo = Float64Array.of(0.5, 0.25, -1);
  const hi = Float64Array.of(2, 4, 3);
  // reach: max(|lo_j|, |hi_j|) = (3, 2), not the smaller ends (2, 0.5).
  const poly: Polytope = { n: 2, rows: [], rhs: [], lo: Float64Array.of(-3, -0.5), hi: Float64Array.of(2, 2) };

  it('the upper bound is the stated error term (within 1 %), and the lower one contains the chord', () => {
    const sigma = 3 / 4;
    const mu = [1, 1, -sigma];
    const inherited = mu.reduce((acc, m, k) => acc + Math.abs(m) * forms.e[k], 0);
    const chordRounding = 2 * u * sigma * (hi[2] - lo[2]);
    const mag = [0, 1].map((j) => mu.reduce((acc, m, k) => acc + Math.abs(m * forms.a[k * 2 + j]), 0));
    const chord = -mu[2] * lo[2];
    const cMag = 1 + 0.5 + 0.5 + Math.abs(chord);
    const boxTerms = mag[0] * 3 + mag[1] * 2;
    const stated = (inherited + chordRounding + gamma(3 + 3) * (boxTerms + cMag)) * (1 + gamma(2 + 4));
    // Each part is more than 2 % of the whole: dropping, negating or misplacing one leaves the window.
    for (const part of [inherited, chordRounding, gamma(6) * boxTerms, gamma(6) * cMag]) expect(part).toBeGreaterThan(0.02 * stated);
    const out = relaxedNextBounds(net, 0, forms, s, lo, hi, poly);
    expect(out.hi[0]).toBeGreaterThanOrEqual(stated);
    expect(out.hi[0]).toBeLessThanOrEqual(1.01 * stated);
    // The lower end: the chord's constant −μ₂·lo₂ = −¾ (μ₂ from σ rounded up by 2⁻⁵¹: a few u off),
    // less at least the same error and widenSum's 4u·¾.
    expect(out.lo[0]).toBeLessThanOrEqual(chord - stated);
    expect(out.lo[0]).toBeGreaterThanOrEqual(chord - 1.01 * stated - 8 * u);
  });
});

describe('widenSum when the error is the whole sum (nodeBounds.ts)', () => {
  it('bound 0, constant 0: the result lies strictly beyond ±e (the widening covers e’s own rounding)', () => {
    for (const e of [1, 3e-7, 2 ** 40]) {
      expect(widenSum(0, 0, e, 1)).toBeGreaterThan(e);
      expect(widenSum(0, 0, e, -1)).toBeLessThan(-e);
    }
  });
});

describe('underflow allowances: (m + 1)·2⁻¹⁰⁷⁴ per dot product of m terms (nodeBounds.ts)', () => {
  it('nextForms: products that underflow to 0 leave only the allowance, per form and per unit of the box', () => {
    // Every product w·a and w·c is 2⁻¹²⁰⁰: below the smallest subnormal, computed as 0.
    const tiny = 2 ** -600;
    const net = netOf(2, [[[1, 0], [0, 1], [1, 1]], [0, 0, 0]], [[[tiny, tiny, tiny]], [0]]);
    const inForms = { a: new Float64Array(6).fill(tiny), c: new Float64Array(3).fill(tiny), e: new Float64Array(3) };
    const lo = Float64Array.of(-3, 1);
    const hi = Float64Array.of(2, 2); // reach (3, 2)
    const out = nextForms(net, 0, inForms, Int8Array.of(1, 1, 1), lo, hi);
    expect(Array.from(out.a)).toEqual([0, 0]);
    expect(out.c[0]).toBe(0);
    // The exact form is 3·2⁻¹²⁰⁰·(v₀ + v₁ + 1): its distance from 0 over the box is far below the allowance.
    const m = 3;
    expect(out.e[0]).toBeGreaterThanOrEqual((m + 1) * ETA * (1 + 3 + 2));
    expect(out.e[0]).toBeLessThanOrEqual(1.01 * (m + 1) * ETA * (1 + 3 + 2));
  });

  it('relaxedNextBounds: with every product underflowing, the bound is the LP’s plus (m + 1)·η per unit of the box and (m + 2)·η', () => {
    const tiny = 2 ** -600;
    const net = netOf(2, [[[1, 0], [0, 1], [1, 1]], [0, 0, 0]], [[[tiny, tiny, tiny]], [0]]);
    const forms = { a: new Float64Array(6).fill(tiny), c: new Float64Array(3).fill(tiny), e: new Float64Array(3) };
    const poly: Polytope = { n: 2, rows: [], rhs: [], lo: Float64Array.of(-3, 1), hi: Float64Array.of(2, 2) }; // reach (3, 2)
    // All three neurons active on [1, 2]: σ = 1, no chords; the exact next pre-activation is
    // 3·2⁻¹²⁰⁰·(v₀ + v₁ + 1) + …, far below η, while every computed product is 0.
    const out = relaxedNextBounds(net, 0, forms, Int8Array.of(1, 1, 1), new Float64Array(3).fill(1), new Float64Array(3).fill(2), poly);
    const lp = soundMax(poly, new Float64Array(2)).bound; // the LP's own allowance for a zero objective
    const m = 3;
    const stated = (m + 1) * ETA * (3 + 2) + (m + 2) * ETA;
    expect(out.hi[0] - lp).toBeGreaterThanOrEqual(stated);
    expect(out.hi[0] - lp).toBeLessThanOrEqual(stated + 2 * ETA); // widenSum's own η
    expect(out.lo[0]).toBeLessThanOrEqual(-stated);
  });

  it('relaxedNextBounds: an active neuron needs no finite interval (its ReLU is the identity), an unstable one does', () => {
    const net = netOf(2, [[[1, 0], [0, 1]], [0, 0]], [[[0.5, -1]], [0.25]]);
    const forms = { a: Float64Array.of(1, 0, 0, 1), c: new Float64Array(2), e: new Float64Array(2) };
    const box: Polytope = { n: 2, rows: [], rhs: [], lo: Float64Array.of(0.5, -1), hi: Float64Array.of(1, 1) };
    // z = 0.25 + 0.5·v₀ − v₁ over the box: [−0.5, 1.75]; neuron 0 is active with an open upper end.
    const out = relaxedNextBounds(net, 0, forms, Int8Array.of(1, 1), Float64Array.of(0.5, -1), Float64Array.of(Infinity, 1), box);
    expect(out.hi[0]).toBeGreaterThanOrEqual(1.75);
    expect(out.hi[0]).toBeLessThan(1.75 + 1e-14);
    expect(out.lo[0]).toBeLessThanOrEqual(-0.5);
    expect(out.lo[0]).toBeGreaterThan(-0.5 - 1e-14);
    const open = relaxedNextBounds(net, 0, forms, Int8Array.of(-1, 1), Float64Array.of(-1, -1), Float64Array.of(Infinity, 1), box);
    expect([open.lo[0], open.hi[0]]).toEqual([-Infinity, Infinity]);
  });

  it('deeperBounds: a layer fed only zeros is bounded by ±(m + 2)·2⁻¹⁰⁷⁴', () => {
    const net = netOf(2, [[[1, 0], [0, 1], [1, 1]], [0, 0, 0]], [[[0.5, -0.25, 2]], [0]], [[[1]], [0]]);
    const zero = new Float64Array(3);
    const out = deeperBounds(net, 0, zero.map(() => -1), zero, [Int8Array.of(-1, -1, -1), Int8Array.of(-1)], null);
    expect(out.lo[1][0]).toBe(-(3 + 2) * ETA);
    expect(out.hi[1][0]).toBe((3 + 2) * ETA);
  });
});

describe('deeperBounds: the relaxation’s bounds are for the next layer only', () => {
  it('layers beyond it are the plain interval propagation, contain every sampled pre-activation', () => {
    const net = netOf(2, [[[0.9, -0.5], [0.3, 1.2]], [0.1, -0.2]], [[[0.7, -1.0], [1.2, 0.6]], [0.2, 0.1]], [[[1.0, 0.6], [0.4, 0.8]], [5, 7]], [[[1, 1]], [0]]);
    const lo = Float64Array.of(-1.5, -2.5);
    const hi = Float64Array.of(1.5, 2.5);
    const states = () => [Int8Array.of(-1, -1), Int8Array.of(-1, -1), Int8Array.of(-1, -1)];
    const plain = deeperBounds(net, 0, lo, hi, states(), null);
    // The relaxation's bounds equal the plain ones on layer 1: nothing may change anywhere.
    const same = deeperBounds(net, 0, lo, hi, states(), { lo: plain.lo[1].slice(), hi: plain.hi[1].slice() });
    for (let l = 1; l < 3; l++) {
      expect(Array.from(same.lo[l])).toEqual(Array.from(plain.lo[l]));
      expect(Array.from(same.hi[l])).toEqual(Array.from(plain.hi[l]));
    }
    // Layer 2's range (biases 5 and 7) lies above layer 1's: the premise that makes a misapplied
    // intersection visible.
    expect(plain.lo[2][0]).toBeGreaterThan(plain.hi[1][0]);
    const stream = createStream(9, 'deeperBounds layers');
    let checked = 0;
    for (let k = 0; k < 50; k++) {
      const x = [-1 + 2 * stream.uniform(), -1 + 2 * stream.uniform()];
      const z = forward(net, x).preActivations;
      if (!(z[0][0] >= lo[0] && z[0][0] <= hi[0] && z[0][1] >= lo[1] && z[0][1] <= hi[1])) continue;
      checked++;
      for (let l = 1; l < 3; l++) for (let i = 0; i < 2; i++) {
        expect(z[l][i]).toBeGreaterThanOrEqual(same.lo[l][i]);
        expect(z[l][i]).toBeLessThanOrEqual(same.hi[l][i]);
      }
    }
    expect(checked).toBeGreaterThan(25); // the check ran on most of the points (the first layer's range holds them)
  });
});

describe('deeperBounds and the states it is given (nodeBounds.ts)', () => {
  const net = netOf(2, [[[1, 0], [0, 1], [1, 1]], [0, 0, 0]], [[[0.5, -0.25, 0], [1, 0.75, -0.5]], [0.1, -0.1]], [[[1, -1]], [0]]);
  const lo = Float64Array.of(-1, -2, -Infinity);
  const hi = Float64Array.of(3, 1, Infinity);

  it('a neuron stated inactive contributes nothing, whatever its interval; an unbounded one only where its weight is not 0', () => {
    const given = deeperBounds(net, 0, lo, hi, [Int8Array.of(0, -1, -1), Int8Array.of(-1, -1)], null);
    // The same with neuron 0's interval below 0 (where its ReLU is 0 by the interval itself).
    const negative = deeperBounds(net, 0, Float64Array.of(-1, -2, -Infinity), Float64Array.of(-0.5, 1, Infinity), [Int8Array.of(0, -1, -1), Int8Array.of(-1, -1)], null);
    expect(Array.from(given.lo[1])).toEqual(Array.from(negative.lo[1]));
    expect(Array.from(given.hi[1])).toEqual(Array.from(negative.hi[1]));
    // Row 0 does not use the unbounded neuron 2 (weight 0): finite, and exactly the interval sum
    // 0.1 − 0.25·[0, 1] widened by rounding; row 1 does: unbounded above.
    expect(given.lo[1][0]).toBeLessThanOrEqual(0.1 - 0.25);
    expect(given.lo[1][0]).toBeGreaterThan(0.1 - 0.25 - 1e-15);
    expect(given.hi[1][0]).toBeGreaterThanOrEqual(0.1);
    expect(given.hi[1][0]).toBeLessThan(0.1 + 1e-15);
    expect(given.hi[1][1]).toBe(Infinity);
  });

  it('a deeper state already decided (e.g. by a parent node) is kept, not recomputed from the intervals', () => {
    const states = [Int8Array.of(-1, -1, 0), Int8Array.of(1, 0)];
    const out = deeperBounds(net, 0, lo, hi, states, null);
    expect(out.lo[1][0]).toBeLessThan(0); // the intervals alone say unstable …
    expect(out.hi[1][1]).toBeGreaterThan(0);
    expect(Array.from(states[1])).toEqual([1, 0]); // … the given states stand
  });
});
