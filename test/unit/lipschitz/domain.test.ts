import { describe, expect, it } from 'vitest';
import { cubeConstraints, cubeForward, cubePattern, cubePreActivations, liftedDomain, localFirstLayer, queryDomain, toInput, type Domain } from '../../../src/lipschitz/domain.js';
import { forward } from '../../../src/network/evaluate.js';
import { makeNetwork, type DenseLayer, type Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { box, randomNet } from '../../support/lipschitzUnits.js';
import { add, dyadic, mul, sign, type Dyadic } from '../../support/exactArithmetic.js';
import type { Box } from '../../../src/lipschitz/query.js';
import { Budget } from '../../../src/lipschitz/budget.js';

const half = (a: Dyadic): Dyadic => ({ m: a.m, e: a.e - 1 });
const neg = (a: Dyadic): Dyadic => ({ m: -a.m, e: a.e });
const sumOf = (terms: Dyadic[]): Dyadic => terms.reduce(add, dyadic(0));
/** The exact real point x(u) = (lo + hi)/2 + (hi − lo)/2 · u of a box, coordinate by coordinate. */
const exactBoxPoint = (b: Box, u: number[]): Dyadic[] =>
  u.map((ui, k) => add(half(add(dyadic(b.lo[k]), dyadic(b.hi[k]))), mul(half(add(dyadic(b.hi[k]), neg(dyadic(b.lo[k])))), dyadic(ui))));
/** Exact hidden pre-activations of the network at an exact point (the lifted domain: t·z, with bias·t). */
function exactPreActivations(net: Network, x: Dyadic[], t: Dyadic = dyadic(1)): Dyadic[][] {
  const out: Dyadic[][] = [];
  let h = x;
  for (const layer of net.layers.slice(0, -1)) {
    const z = Array.from({ length: layer.outDim }, (_, i) =>
      sumOf([mul(dyadic(layer.biases[i]), t), ...h.map((hj, j) => mul(dyadic(layer.weights[i * layer.inDim + j]), hj))]));
    out.push(z);
    h = z.map((v) => (sign(v) > 0 ? v : dyadic(0)));
  }
  return out;
}

describe('the cube of a box', () => {
  it('keeps the box exactly: centre + centreLow is the midpoint, the corners map into the box', () => {
    const s = createStream(21, 'test/unit/domain-box');
    for (const offset of [0, 1e8, -3e15]) {
      const net = randomNet(s, 3, [4]);
      const lo = [offset - 1, offset + 0.1, offset + 1e-3];
      const hi = [offset + 1.5, offset + 0.1 + 1e-6, offset + 2e-3];
      const b = box(lo, hi);
      const domain = queryDomain(net, b);
      expect([domain.kind, domain.n, domain.inputDim, domain.scale]).toEqual(['box', 3, 3, 1]);
      for (let k = 0; k < 3; k++) {
        const mid = half(add(dyadic(lo[k]), dyadic(hi[k])));
        expect(sign(add(mid, neg(add(dyadic(domain.centre[k]), dyadic(domain.centreLow[k])))))).toBe(0);
        const exactHalf = half(add(dyadic(hi[k]), neg(dyadic(lo[k]))));
        const gap = add(exactHalf, neg(dyadic(domain.half[k])));
        expect(sign(add(dyadic(domain.halfError[k]), neg(gap)))).toBeGreaterThan(0);
        expect(sign(add(dyadic(domain.halfError[k]), gap))).toBeGreaterThan(0);
      }
      for (const corner of [[-1, -1, -1], [1, 1, 1], [-1, 1, -1], [3, -3, 0]]) {
        const x = toInput(domain, corner);
        x.forEach((xi, k) => {
          expect(xi).toBeGreaterThanOrEqual(lo[k]);
          expect(xi).toBeLessThanOrEqual(hi[k]);
        });
      }
      expect(Array.from(toInput(domain, [-1, -1, -1]))).toEqual(lo);
      expect(Array.from(toInput(domain, [1, 1, 1]))).toEqual(hi);
    }
  });
  it('moves the first layer into cube coordinates with an error bound that holds exactly, even far from the origin', () => {
    const s = createStream(22, 'test/unit/domain-local');
    const boxes = [0, 1e8, 1e15].map((offset) => ({ offset, b: box([offset - 0.5, offset, offset + 1e-3], [offset + 0.5, offset + 1e-7, offset + 2e-3]) }));
    // Midpoints that are not doubles (lo + hi inexact: centreLow ≠ 0) and half-widths that are not either.
    boxes.push({ offset: 2 ** 53, b: box([1, 0.1, -3], [2 ** 53 + 2, 0.3, 2 ** 52 + 1]) });
    for (const { offset, b } of boxes) {
      const net = randomNet(s, 3, [5], 1, 1 + offset);
      const domain = queryDomain(net, b);
      const { P, q, error } = localFirstLayer(net, domain);
      expect(Array.from(domain.local!.layers[0].weights)).toEqual(Array.from(P));
      expect(Array.from(domain.localError!)).toEqual(Array.from(error));
      const W = net.layers[0];
      for (let t = 0; t < 10; t++) {
        const u = [2 * s.uniform() - 1, 2 * s.uniform() - 1, t === 0 ? 1 : 2 * s.uniform() - 1];
        const x = exactBoxPoint(b, u);
        for (let i = 0; i < W.outDim; i++) {
          const truth = sumOf([dyadic(W.biases[i]), ...x.map((xk, k) => mul(dyadic(W.weights[i * 3 + k]), xk))]);
          const cube = sumOf([dyadic(q[i]), ...u.map((uk, k) => mul(dyadic(P[i * 3 + k]), dyadic(uk)))]);
          const diff = add(truth, neg(cube));
          expect(sign(add(dyadic(error[i]), neg(diff)))).toBeGreaterThanOrEqual(0);
          expect(sign(add(dyadic(error[i]), diff))).toBeGreaterThanOrEqual(0);
        }
      }
      // The bound is not vacuous: within a few ulps of the terms' size.
      for (let i = 0; i < W.outDim; i++) expect(error[i]).toBeLessThan(1e-12 * (Math.abs(W.biases[i]) + 3 * (Math.abs(offset) + 1) * 5));
      if (offset === 2 ** 53) expect(domain.centreLow[0]).not.toBe(0);
    }
  });
  it('gives the pre-activations of f at x(u)', () => {
    const s = createStream(23, 'test/unit/domain-pre');
    const net = randomNet(s, 2, [4, 3]);
    const b = box([-1, 2], [0.5, 2.5]);
    const domain = queryDomain(net, b);
    for (let t = 0; t < 10; t++) {
      const u = [2 * s.uniform() - 1, 2 * s.uniform() - 1];
      const z = cubePreActivations(net, domain, u);
      forward(net, toInput(domain, u)).preActivations.forEach((zl, l) => zl.forEach((v, i) => expect(z[l][i]).toBeCloseTo(v, 12)));
    }
  });
});

describe('the homogenised cube of ℝᵈ', () => {
  it('has the median kink distance as its scale, ignoring zero rows and zero biases, else 1', () => {
    const layer = (rows: number[][], biases: number[]): DenseLayer => ({ inDim: rows[0].length, outDim: rows.length, weights: Float64Array.from(rows.flat()), biases: Float64Array.from(biases) });
    const out = (n: number): DenseLayer => ({ inDim: n, outDim: 1, weights: new Float64Array(n).fill(1), biases: new Float64Array(1) });
    // Distances |b|/‖w‖: 1, 2, 10, and 5 (w = (3, 4), b = 25); a zero row and a zero bias do not count.
    const net = makeNetwork(2, [layer([[1, 0], [0, -2], [1, 0], [3, 4], [0, 0], [1, 1]], [1, 4, -10, 25, 7, 0]), out(6)]);
    const domain = liftedDomain(net);
    expect(domain.scale).toBe(5); // sorted 1, 2, 5, 10: index ⌊4/2⌋
    expect([domain.kind, domain.n, domain.inputDim, domain.box, domain.local]).toEqual(['lifted', 3, 2, null, null]);
    expect(liftedDomain(makeNetwork(2, [layer([[1, 0], [0, 0]], [0, 3]), out(2)])).scale).toBe(1);
    // One rule at a time: a zero-bias row would pull the median of 1, 2, 5, 10 down to 2 …
    expect(liftedDomain(makeNetwork(2, [layer([[1, 0], [0, -2], [1, 0], [3, 4], [1, 1]], [1, 4, -10, 25, 0]), out(5)])).scale).toBe(5);
    // … and a zero row with a bias (distance ∞) would push the median of 1, 2, 5 up to 5.
    expect(liftedDomain(makeNetwork(2, [layer([[1, 0], [0, -2], [3, 4], [0, 0]], [1, 4, 25, 7]), out(4)])).scale).toBe(2);
    expect(liftedDomain(makeNetwork(1, [layer([[2], [1], [4]], [1, -3, 2]), out(3)])).scale).toBe(0.5); // sorted 0.5, 0.5, 3
  });
  it('maps u to x = S·u/t and gives t·z(x) without dividing by t', () => {
    const s = createStream(24, 'test/unit/domain-lifted');
    const net = randomNet(s, 2, [4, 3]);
    const domain = queryDomain(net, null);
    for (let t = 0; t < 10; t++) {
      const u = [2 * s.uniform() - 1, 2 * s.uniform() - 1, 2 * s.uniform() - 0.99];
      const tt = (u[2] + 1) / 2;
      const x = toInput(domain, u);
      x.forEach((xi, k) => expect(xi).toBeCloseTo((domain.scale * u[k]) / tt, 10));
      const z = cubePreActivations(net, domain, u);
      forward(net, x).preActivations.forEach((zl, l) => zl.forEach((v, i) => expect(z[l][i]).toBeCloseTo(tt * v, 10)));
    }
  });
});

/**
 * Checks cubeForward's running error bound at u exactly: |computed − exact| ≤ error for every hidden
 * pre-activation, the exact values taken at the real point x(u) (t·z on the homogenised domain).
 * Returns how many pre-activations the bound decides (|computed| > error).
 */
function checkErrorBound(net: Network, domain: Domain, u: number[]): number {
  const errors: Float64Array[] = [];
  const { z } = cubeForward(net, domain, u, errors);
  const exact = domain.box
    ? exactPreActivations(net, exactBoxPoint(domain.box, u))
    : exactPreActivations(net, u.slice(0, -1).map((v) => mul(dyadic(domain.scale), dyadic(v))), half(add(dyadic(u[u.length - 1]), dyadic(1))));
  let decided = 0;
  exact.forEach((zl, l) => zl.forEach((v, i) => {
    const diff = add(v, neg(dyadic(z[l][i])));
    const e = dyadic(errors[l][i]);
    expect([l, i, sign(add(e, neg(diff))) >= 0 && sign(add(e, diff)) >= 0]).toEqual([l, i, true]);
    if (Math.abs(z[l][i]) > errors[l][i]) {
      decided++;
      expect(sign(v)).toBe(Math.sign(z[l][i]));
    }
  }));
  expect(z.map((zl) => Array.from(zl))).toEqual(cubePreActivations(net, domain, u).map((zl) => Array.from(zl)));
  return decided;
}

describe('the running error bound of the cube forward pass', () => {
  it('holds exactly at random points and at points solved onto a kink, on boxes near and far and globally', () => {
    const s = createStream(25, 'test/unit/domain-certified');
    let decided = 0;
    let total = 0;
    let undecidedKinks = 0;
    for (const offset of [0, 1e8]) {
      const net = randomNet(s, 2, [5, 4], 1, 1 + offset);
      for (const b of [box([offset - 1, -1], [offset + 1, 1]), null]) {
        const domain = queryDomain(net, b);
        for (let t = 0; t < 12; t++) {
          const u = Array.from({ length: domain.n }, () => 2 * s.uniform() - 1);
          decided += checkErrorBound(net, domain, u);
          total += 9;
        }
        // A point on a first-layer kink, solved in floating point: |z| is at rounding level there.
        const W = (domain.local ?? net).layers[0];
        for (let i = 0; i < W.outDim; i++) {
          const u = Array.from({ length: domain.n }, () => 0.3);
          if (!b) u[domain.n - 1] = 0.5;
          const z0 = cubePreActivations(net, domain, u)[0][i];
          const slope = b ? W.weights[i * 2] : domain.scale * net.layers[0].weights[i * 2];
          u[0] -= z0 / slope;
          if (Math.abs(u[0]) >= 1) continue;
          checkErrorBound(net, domain, u);
          const errors: Float64Array[] = [];
          const { z } = cubeForward(net, domain, u, errors);
          if (!(Math.abs(z[0][i]) > errors[0][i])) undecidedKinks++;
        }
      }
    }
    // Not vacuous: nearly every value at a random point is decided, and kinks are not.
    expect(decided).toBeGreaterThan(0.9 * total);
    expect(undecidedKinks).toBeGreaterThan(0);
  });
  it('is exactly 0 for an all-zero first-layer row without a bias on the homogenised domain, and what it feeds', () => {
    const net = makeNetwork(2, [
      { inDim: 2, outDim: 2, weights: Float64Array.of(1, 1, 0, 0), biases: Float64Array.of(-10, 0) },
      { inDim: 2, outDim: 1, weights: Float64Array.of(1, 1), biases: Float64Array.of(0) },
      { inDim: 1, outDim: 1, weights: Float64Array.of(1), biases: Float64Array.of(0) },
    ]);
    const errors: Float64Array[] = [];
    const { z } = cubeForward(net, queryDomain(net, null), [0.2, 0.3, 0.5], errors);
    // Neuron 0 is t·(−10) + S·(u₁ + u₂) < 0 beyond its error; neuron 1 is 0 with error 0; layer 2 sees exact zeros.
    expect(z[0][0]).toBeLessThan(-errors[0][0]);
    expect([z[0][1], errors[0][1], z[1][0], errors[1][0]]).toEqual([0, 0, 0, 0]);
    // On a box the first layer carries the box's rounding allowance, and passes it on.
    const onBox: Float64Array[] = [];
    cubeForward(net, queryDomain(net, box([-1, -1], [1, 1])), [0.2, 0.3], onBox);
    expect(onBox[0][1]).toBeGreaterThan(0);
    expect(onBox[1][0]).toBeGreaterThan(0);
  });
});

describe('region constraints', () => {
  it('describe the region exactly: a cube point satisfies every row iff it has the pattern', () => {
    const s = createStream(26, 'test/unit/domain-constraints');
    for (const b of [box([-1, 0], [1, 2]), null]) {
      const net = randomNet(s, 2, [5, 4]);
      const domain = queryDomain(net, b);
      for (let r = 0; r < 4; r++) {
        const u0 = Array.from({ length: domain.n }, () => 2 * s.uniform() - 1);
        const pattern = cubePattern(net, domain, u0);
        const key = (p: readonly Uint8Array[]) => p.map((x) => Array.from(x).join('')).join('|');
        const cons = cubeConstraints(net, domain, pattern);
        for (let c = 0; c < cons.count; c++) {
          let norm2 = 0;
          for (let k = 0; k < domain.n; k++) norm2 += cons.g[c * domain.n + k] ** 2;
          expect(norm2).toBeCloseTo(1, 12);
          expect(cons.layer[c]).toBeLessThan(2);
          expect(cons.neuron[c]).toBeLessThan(cons.layer[c] === 0 ? 5 : 4);
        }
        expect([cons.layer.length, cons.neuron.length, cons.g.length]).toEqual([cons.count, cons.count, cons.count * domain.n]);
        expect(cons.g.every(Number.isFinite) && cons.h.every(Number.isFinite)).toBe(true);
        // Each row is its neuron's pre-activation on the piece, signed and divided by the row's length:
        // the ratio (g·u + h) / (s·z(u)) is the same positive number at u0 and at a nearby point of the region.
        const value = (c: number, u: number[]) => cons.h[c] + u.reduce((acc, uk, k) => acc + cons.g[c * domain.n + k] * uk, 0);
        const u1 = u0.map((v) => v + 1e-7 * (2 * s.uniform() - 1));
        if (key(cubePattern(net, domain, u1)) === key(pattern)) {
          const z0 = cubePreActivations(net, domain, u0);
          const z1 = cubePreActivations(net, domain, u1);
          for (let c = 0; c < cons.count; c++) {
            const [l, i] = [cons.layer[c], cons.neuron[c]];
            const sgn = pattern[l][i] ? 1 : -1;
            const r0 = value(c, u0) / (sgn * z0[l][i]);
            expect(r0).toBeGreaterThan(0);
            expect(value(c, u1) / (sgn * z1[l][i])).toBeCloseTo(r0, 6);
          }
        }
        for (let t = 0; t < 40; t++) {
          const u = Array.from({ length: domain.n }, () => 2 * s.uniform() - 1);
          let inside = true;
          let margin = Infinity;
          for (let c = 0; c < cons.count; c++) {
            let v = cons.h[c];
            for (let k = 0; k < domain.n; k++) v += cons.g[c * domain.n + k] * u[k];
            margin = Math.min(margin, Math.abs(v));
            if (v <= 0) inside = false;
          }
          if (margin < 1e-9) continue; // too close to a facet to call in floating point
          expect(inside).toBe(key(cubePattern(net, domain, u)) === key(pattern));
        }
      }
    }
  });
});

describe('region constraints, edge cases', () => {
  it('skip neurons that are constant on the piece (all their inputs inactive), and stop when the budget runs out', () => {
    // Layer 1 neuron 0 reads only neuron 0 of layer 0; in the pattern that neuron is inactive.
    const net = makeNetwork(2, [
      { inDim: 2, outDim: 2, weights: Float64Array.of(1, 0, 0, 1), biases: Float64Array.of(0, 0) },
      { inDim: 2, outDim: 2, weights: Float64Array.of(1, 0, 1, 1), biases: Float64Array.of(0.5, 0) },
      { inDim: 2, outDim: 1, weights: Float64Array.of(1, 1), biases: Float64Array.of(0) },
    ]);
    const domain = queryDomain(net, box([-1, -1], [1, 1]));
    const cons = cubeConstraints(net, domain, [Uint8Array.of(0, 1), Uint8Array.of(1, 1)]);
    expect(Array.from(cons.layer)).toEqual([0, 0, 1]);
    expect(Array.from(cons.neuron)).toEqual([0, 1, 1]);
    const wide = randomNet(createStream(27, 'test/unit/domain-budget'), 2, [4, 40]);
    const pattern = cubePattern(wide, queryDomain(wide, null), [0.1, 0.2, 0.3]);
    const spent = new Budget(0, Infinity, { origin: performance.now() - 1000 });
    expect(cubeConstraints(wide, queryDomain(wide, null), pattern, spent)).toBeNull();
    expect(cubeConstraints(wide, queryDomain(wide, null), pattern, new Budget(Infinity))!.count).toBeGreaterThan(0);
  });
});
