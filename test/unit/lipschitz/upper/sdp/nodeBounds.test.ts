import { describe, expect, it } from 'vitest';
import { deeperBounds, firstForms, nextForms, relaxedNextBounds, widenSum } from '../../../../../src/lipschitz/upper/sdp/nodeBounds.js';
import { soundMax, type Polytope } from '../../../../../src/lipschitz/upper/sdp/soundLp.js';
import { gamma } from '../../../../../src/lipschitz/upper/rounding.js';
import { forward } from '../../../../../src/network/evaluate.js';
import { createStream } from '../../../../../src/random/stream.js';
import { add, dyadic, sign } from '../../../../support/exactArithmetic.js';
import { deepNet, netOf } from '../../../../support/sdpUnits.js';

const box: Polytope = { n: 2, rows: [], rhs: [], lo: Float64Array.of(-1, -0.5), hi: Float64Array.of(1.5, 2) };
/** Points of the box: its corners and random interior points. */
function points(p: Polytope, count: number): number[][] {
  const s = createStream(4, 'nodeBounds');
  const out = [0, 1, 2, 3].map((m) => [m & 1 ? p.hi[0] : p.lo[0], m & 2 ? p.hi[1] : p.lo[1]]);
  for (let k = 0; k < count; k++) out.push([0, 1].map((j) => p.lo[j] + (p.hi[j] - p.lo[j]) * s.uniform()));
  return out;
}
/** Layer 0's bounds over the box from its exact affine forms. */
function firstBounds(net: typeof deepNet, p: Polytope) {
  const forms = firstForms(net);
  const w = forms.c.length;
  const lo = new Float64Array(w);
  const hi = new Float64Array(w);
  for (let i = 0; i < w; i++) {
    const a = forms.a.subarray(i * 2, i * 2 + 2);
    hi[i] = widenSum(soundMax(p, a).bound, forms.c[i], forms.e[i], 1);
    lo[i] = widenSum(soundMax(p, a.map((x) => -x)).bound, forms.c[i], forms.e[i], -1);
  }
  return { forms, lo, hi };
}

describe('sound bounds on a node of pattern branch and bound (nodeBounds.ts)', () => {
  it('widenSum: an outward bound on c ± bound widened by e, exactly at or beyond the real sum, by a rounding’s worth', () => {
    for (const [b, c, e] of [[0.1, 0.2, 0], [1e300, -3, 1e-3], [-2.5, 1 / 3, 2e-16], [0, 0, 0]]) {
      const up = widenSum(b, c, e, 1);
      const exactUp = add(add(dyadic(b), dyadic(c)), dyadic(e));
      expect(sign(add(dyadic(up), { m: -exactUp.m, e: exactUp.e }))).toBeGreaterThan(0);
      expect(up - (b + c + e)).toBeLessThanOrEqual(1e-15 * (Math.abs(b) + Math.abs(c) + e) + 1e-300);
      const down = widenSum(b, c, e, -1);
      const exactDown = add(add(dyadic(-b), dyadic(c)), dyadic(-e));
      expect(sign(add(dyadic(down), { m: -exactDown.m, e: exactDown.e }))).toBeLessThan(0);
      expect(-b + c - e - down).toBeLessThanOrEqual(1e-15 * (Math.abs(b) + Math.abs(c) + e) + 1e-300);
    }
    expect(widenSum(Infinity, 1, 0, 1)).toBe(Infinity);
    expect(widenSum(Infinity, 1, 0, -1)).toBe(-Infinity);
  });

  it('nextForms: layer 1 as an affine function of the input where layer 0 is stable, within its error bound', () => {
    const states = Int8Array.of(1, 0, 1);
    const forms = nextForms(deepNet, 0, firstForms(deepNet), states, box.lo, box.hi);
    // a = W₁·D·W₀ and c = W₁·D·b₀ + b₁, written out.
    const W0 = [[0.9, -0.5], [0.3, 1.2], [-1.1, 0.4]];
    const W1 = [[0.7, -1.0, 0.5], [1.2, 0.6, -0.9]];
    const b0 = [0.1, -0.2, 0.3];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) expect(forms.a[i * 2 + j]).toBeCloseTo(W1[i][0] * W0[0][j] + W1[i][2] * W0[2][j], 14);
      expect(forms.c[i]).toBeCloseTo(W1[i][0] * b0[0] + W1[i][2] * b0[2] + [0.2, 0.1][i], 14);
      expect(forms.e[i]).toBeGreaterThan(0);
      expect(forms.e[i]).toBeLessThan(1e-14);
    }
    // Where the states hold, the network's own pre-activations agree with the forms up to e.
    let checked = 0;
    for (const x of points(box, 200)) {
      const z = forward(deepNet, x).preActivations;
      if (!(z[0][0] > 0 && z[0][1] < 0 && z[0][2] > 0)) continue;
      checked++;
      for (let i = 0; i < 2; i++) expect(Math.abs(z[1][i] - (forms.a[i * 2] * x[0] + forms.a[i * 2 + 1] * x[1] + forms.c[i]))).toBeLessThanOrEqual(forms.e[i] + 1e-15);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('deeperBounds and relaxedNextBounds contain every sampled pre-activation, and prove stability only where it holds', () => {
    const net = netOf(2, [[[0.9, -0.5], [0.3, 1.2], [-1.1, 0.4]], [0.1, -0.2, 2.5]], [[[0.7, -1.0, 0.5], [1.2, 0.6, -0.9]], [0.2, -8]], [[[1.0, -0.6], [0.4, 0.8]], [0, 0]]);
    const { forms, lo, hi } = firstBounds(net, box);
    for (const relaxed of [false, true]) {
      const states = [Int8Array.of(-1, -1, -1), Int8Array.of(-1, -1)];
      states[0].forEach((_, i) => (states[0][i] = lo[i] > 0 ? 1 : hi[i] < 0 ? 0 : -1));
      const next = relaxed ? relaxedNextBounds(net, 0, forms, states[0], lo, hi, box) : null;
      const bounds = deeperBounds(net, 0, lo, hi, states, next);
      expect(bounds.lo[0]).toBe(lo);
      for (const x of points(box, 60)) {
        forward(net, x).preActivations.forEach((z, l) => z.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(bounds.lo[l][i]);
          expect(v).toBeLessThanOrEqual(bounds.hi[l][i]);
          if (states[l][i] === 1) expect(v).toBeGreaterThan(0);
          if (states[l][i] === 0) expect(v).toBeLessThan(0);
          if (next && l === 1) expect(v).toBeLessThanOrEqual(next.hi[i]);
          if (next && l === 1) expect(v).toBeGreaterThanOrEqual(next.lo[i]);
        }));
      }
      // Neuron 2 of layer 0 is active on the whole box (bias 2.5), neuron 1 of layer 1 inactive (bias −8).
      expect(states[0][2]).toBe(1);
      expect(states[1][1]).toBe(0);
    }
  });

  it('relaxedNextBounds is tight when layer 0 is stable: the affine maximum over the box, reached at a corner', () => {
    const net = netOf(2, [[[0.9, -0.5], [0.3, 1.2]], [5, -6]], [[[0.7, -1.0], [1.2, 0.6]], [0.2, 0.1]], [[[1.0, -0.6]], [0]]);
    const { forms, lo, hi } = firstBounds(net, box);
    const s = Int8Array.from(lo, (v, i) => (v > 0 ? 1 : hi[i] < 0 ? 0 : -1));
    expect(Array.from(s)).toEqual([1, 0]);
    const next = relaxedNextBounds(net, 0, forms, s, lo, hi, box);
    const corners = points(box, 0).map((x) => forward(net, x).preActivations[1]);
    for (let i = 0; i < 2; i++) {
      const max = Math.max(...corners.map((z) => z[i]));
      const min = Math.min(...corners.map((z) => z[i]));
      expect(next.hi[i]).toBeGreaterThanOrEqual(max);
      expect(next.hi[i] - max).toBeLessThan(1e-12);
      expect(next.lo[i]).toBeLessThanOrEqual(min);
      expect(min - next.lo[i]).toBeLessThan(1e-12);
    }
    // An unstable neuron with an infinite bound leaves the next layer unbounded.
    const open = relaxedNextBounds(net, 0, forms, Int8Array.of(-1, -1), Float64Array.of(-Infinity, -1), Float64Array.of(1, 1), box);
    expect(Array.from(open.hi)).toEqual([Infinity, Infinity]);
    expect(Array.from(open.lo)).toEqual([-Infinity, -Infinity]);
  });

  it('layers before the cut layer are reported by their states (1 on, −1 off) only', () => {
    const states = [Int8Array.of(1, 0, 1), Int8Array.of(-1, -1)];
    const bounds = deeperBounds(deepNet, 1, Float64Array.of(-1, -2), Float64Array.of(1, 2), states, null);
    expect(Array.from(bounds.lo[0])).toEqual([1, -1, 1]);
    expect(Array.from(bounds.hi[0])).toEqual([1, -1, 1]);
    expect(bounds.lo).toHaveLength(2);
  });

  // The error terms are a-priori bounds of the form the module states; recomputed here from that
  // statement on O(1) values (plain floating point: its own rounding is 10⁻¹⁶ relative, far inside
  // the window), each must be at least the stated worst case and not grossly above it. A term left
  // out, subtracted, or divided where it should multiply moves it out of [1, 1.01]×.
  it('nextForms: e = (γ_{m+2}·(Σ|c terms| + Σ_j Σ|a terms|·max(|lo_j|, |hi_j|)) + Σ|w|·e_in)·(1 + γ), up to underflow terms', () => {
    const lo = Float64Array.of(-3, 0.5);
    const hi = Float64Array.of(1, 2); // reach (3, 2): the larger end in absolute value
    const inForms = { a: Float64Array.of(0.9, -0.5, 0.3, 1.2, -1.1, 0.4), c: Float64Array.of(0.1, -0.2, 0.3), e: Float64Array.of(1e-10, 5e-11, 2e-10) };
    const states = Int8Array.of(1, 0, 1);
    const forms = nextForms(deepNet, 0, inForms, states, lo, hi);
    const W = deepNet.layers[1];
    const g = gamma(W.inDim + 2);
    /** The stated terms of neuron i: Σ|c terms| (with |b|), Σ|a terms| per input, Σ|w|·e_in, over active inputs. */
    const statedTerms = (i: number, e: Float64Array) => {
      let cMag = Math.abs(W.biases[i]);
      let propagated = 0;
      const mag = [0, 0];
      for (let k = 0; k < W.inDim; k++) {
        const w = W.weights[i * W.inDim + k];
        if (states[k] !== 1) continue;
        cMag += Math.abs(w * inForms.c[k]);
        propagated += Math.abs(w) * e[k];
        for (let j = 0; j < 2; j++) mag[j] += Math.abs(w * inForms.a[k * 2 + j]);
      }
      return { cMag, propagated, mag };
    };
    for (let i = 0; i < W.outDim; i++) {
      const { cMag, propagated, mag } = statedTerms(i, inForms.e);
      const stated = g * cMag + propagated + g * (mag[0] * 3 + mag[1] * 2);
      expect(forms.e[i]).toBeGreaterThanOrEqual(stated);
      expect(forms.e[i]).toBeLessThanOrEqual(1.01 * stated);
      expect(propagated).toBeGreaterThan(100 * g * cMag); // the inherited errors dominate here: each term is seen
    }
    // And with exact inputs, the rounding terms alone (no inherited error).
    const none = new Float64Array(3);
    const exact = nextForms(deepNet, 0, { ...inForms, e: none }, states, lo, hi);
    for (let i = 0; i < W.outDim; i++) {
      const { cMag, mag } = statedTerms(i, none);
      const stated = g * (cMag + mag[0] * 3 + mag[1] * 2);
      expect(exact.e[i]).toBeGreaterThanOrEqual(stated);
      expect(exact.e[i]).toBeLessThanOrEqual(1.01 * stated);
    }
  });

  it('deeperBounds: the interval sums widened by γ_{m+2}·(|b| + Σ|w|·max|ρ(z)|), and intersected with the relaxation’s bounds where given', () => {
    const states = [Int8Array.of(-1, -1, 1), Int8Array.of(-1, -1)];
    const lo = Float64Array.of(-1, -0.5, 0.25);
    const hi = Float64Array.of(2, 1.5, 3);
    const plain = deeperBounds(deepNet, 0, lo, hi, states.map((s) => s.slice()), null);
    const W = deepNet.layers[1];
    const g = gamma(W.inDim + 2);
    const aLo = Array.from(lo, (v) => Math.max(v, 0));
    const aHi = Array.from(hi, (v) => Math.max(v, 0));
    for (let i = 0; i < W.outDim; i++) {
      let sLo = W.biases[i];
      let sHi = W.biases[i];
      let mag = Math.abs(W.biases[i]);
      for (let k = 0; k < W.inDim; k++) {
        const w = W.weights[i * W.inDim + k];
        sLo += Math.min(w * aLo[k], w * aHi[k]);
        sHi += Math.max(w * aLo[k], w * aHi[k]);
        mag += Math.abs(w) * Math.max(aLo[k], aHi[k]);
      }
      for (const [value, centre, sign] of [[plain.lo[1][i], sLo, -1], [plain.hi[1][i], sHi, 1]] as const) {
        // The test sums in another order than the module: allow a unit in the last place of the sum.
        const slack = sign * (value - centre);
        expect(Math.abs(slack - g * mag)).toBeLessThanOrEqual(0.05 * g * mag + 2 ** -52 * Math.abs(centre));
      }
    }
    // Bounds from a relaxation that are tighter on one side are taken, and decide the states.
    const next = { lo: Float64Array.of(plain.lo[1][0] + 0.1, 0.05), hi: Float64Array.of(plain.hi[1][0] - 0.1, plain.hi[1][1] + 1) };
    const tightStates = states.map((s) => s.slice());
    const tight = deeperBounds(deepNet, 0, lo, hi, tightStates, next);
    expect(tight.lo[1][0]).toBe(next.lo[0]);
    expect(tight.hi[1][0]).toBe(next.hi[0]);
    expect(tight.hi[1][1]).toBe(plain.hi[1][1]); // the looser side of `next` is not taken
    expect(tight.lo[1][1]).toBe(0.05);
    expect(plain.lo[1][1]).toBeLessThan(0); // unstable by intervals alone …
    expect(tightStates[1][1]).toBe(1); // … proven active by the relaxation's lower bound
  });
});
