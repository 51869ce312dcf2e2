import { describe, expect, it } from 'vitest';
import { certify } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { fromNetworkUnits, sdpProblem, toNetworkUnits, type SparseRow } from '../../../../../src/lipschitz/upper/sdp/problem.js';
import { add, dyadic, mul, sign, type Dyadic } from '../../../../support/exactArithmetic.js';
import { mixedStates, netOf, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

const W0 = [[0.9, -0.5], [0.3, 1.2], [-1.1, 0.4]];
const W1 = [[0.7, -1.0, 0.5], [1.2, 0.6, -0.9]];
const W2 = [[1.0, -0.6], [0.4, 0.8]];
const deep = netOf(2, [W0, [0.1, -0.2, 0.3]], [W1, [0.2, 0.1]], [W2, [0, 0]]);
const mixed = mixedStates();

const dense = (row: SparseRow, base: number) => Array.from({ length: base }, (_, c) => (c >= row.start && c < row.start + row.values.length ? row.values[c - row.start] : 0));
const denseError = (row: SparseRow, base: number) => Array.from({ length: base }, (_, c) => (c >= row.start && c < row.start + row.values.length ? row.error[c - row.start] : 0));
/** |computed − exact| ≤ error, decided exactly. */
const within = (computed: number, exact: Dyadic, error: number) => {
  const diff = add(dyadic(computed), { m: -exact.m, e: exact.e });
  return sign(add(diff, dyadic(-error))) <= 0 && sign(add(dyadic(-error), { m: -diff.m, e: diff.e })) <= 0;
};

describe('the incremental network LipSDP sees (problem.ts)', () => {
  it('global: first-layer neurons are unit rows over ξ, later ones their weight rows over the neurons, B the last layer; all exact', () => {
    const p = problemOf(deep);
    expect([p.inputDim, p.firstWidth, p.hidden, p.outputs, p.exponent]).toEqual([2, 3, 5, 2, 0]);
    expect(Array.from(p.first)).toEqual(W0.flat());
    const base = 3 + 5;
    const rows = p.incoming.map((a) => dense(a, base));
    expect(rows.slice(0, 3)).toEqual([0, 1, 2].map((i) => Array.from({ length: base }, (_, c) => (c === i ? 1 : 0))));
    expect(rows[3]).toEqual([0, 0, 0, ...W1[0], 0, 0]);
    expect(rows[4]).toEqual([0, 0, 0, ...W1[1], 0, 0]);
    expect(p.output.map((b) => dense(b, base))).toEqual(W2.map((w) => [0, 0, 0, 0, 0, 0, ...w]));
    // Supports are as short as they can be.
    expect(p.incoming.map((a) => [a.start, a.values.length])).toEqual([[0, 1], [1, 1], [2, 1], [3, 3], [3, 3]]);
    expect(p.output.map((b) => b.start)).toEqual([6, 6]);
    for (const row of [...p.incoming, ...p.output]) expect(row.error.every((e) => e === 0)).toBe(true);
    expect(p.kept).toEqual([[0, 1, 2], [0, 1]]);
    expect(p.layered.widths).toEqual([3, 2]);
    expect(p.layered.weights.map((w) => Array.from(w))).toEqual([W0.flat(), W1.flat(), W2.flat()]);
    expect(p.layered.coordinate.map((c) => Array.from(c))).toEqual([[0, 1, 2], [3, 4]]);
  });

  it('stable neurons: inactive ones vanish, active ones are composed into later rows with a proven error bound', () => {
    const p = problemOf(deep, mixed);
    expect([p.hidden, p.firstWidth]).toEqual([2, 3]);
    expect(p.kept).toEqual([[1], [0]]);
    const base = 3 + 2;
    // Layer 1's unstable neuron: 0.7·ξ₀ (active neuron 0) − 1·x_u0 (neuron 1); neuron 2 is off.
    expect(dense(p.incoming[0], base)).toEqual([0, 1, 0, 0, 0]);
    expect(dense(p.incoming[1], base)).toEqual([0.7, 0, 0, -1, 0]);
    // Output i: W2[i][0]·x_u1 + W2[i][1]·(1.2·ξ₀ + 0.6·x_u0) through the active neuron 1 of layer 1.
    let inexact = 0;
    p.output.forEach((b, i) => {
      const values = dense(b, base);
      const errors = denseError(b, base);
      const exact = [mul(dyadic(W2[i][1]), dyadic(1.2)), dyadic(0), dyadic(0), mul(dyadic(W2[i][1]), dyadic(0.6)), dyadic(W2[i][0])];
      exact.forEach((x, c) => {
        expect(within(values[c], x, errors[c])).toBe(true);
        expect(errors[c]).toBeLessThanOrEqual(4 * 2 ** -53 * Math.abs(values[c]) + 2 ** -1070);
        if (!within(values[c], x, 0)) inexact++;
      });
      expect(errors[4]).toBe(0); // a weight times an exact unit: exact
    });
    expect(inexact).toBeGreaterThan(0); // rounding is real here, and covered
    // The layered view keeps active neurons (for ECLipsE-Fast) with coordinate −1, drops the inactive one.
    expect(p.layered.widths).toEqual([2, 2]);
    expect(p.layered.coordinate.map((c) => Array.from(c))).toEqual([[-1, 0], [1, -1]]);
    expect(p.layered.weights.map((w) => Array.from(w))).toEqual([[0.9, -0.5, 0.3, 1.2], [0.7, -1.0, 1.2, 0.6], W2.flat()]);
  });

  it('sums of several composed terms carry γ-sized errors that contain the exact sum', () => {
    // Two active first-layer neurons feed one unstable neuron: its ξ part is exact (single terms),
    // its output row through an active second neuron is a sum of two products per coordinate.
    const n = netOf(2, [[[0.3, 0.7], [0.9, -0.1]], [0, 0]], [[[0.7, 0.3], [1.1, 0.9]], [0, 0]], [[[0.6, 1.4]], [0]]);
    const p = problemOf(n, [Int8Array.of(1, -1), Int8Array.of(-1, 1)]);
    const b = p.output[0];
    const values = dense(b, 2 + 2);
    const errors = denseError(b, 2 + 2);
    expect(p.exponent).toBe(0);
    // Coordinate ξ₀: 1.4·1.1·1 (neuron 0 active → layer-1 neuron 1 → output); x_u0: 1.4·0.9; x_u1: 0.6.
    const exact = [mul(dyadic(1.4), mul(dyadic(1.1), dyadic(1))), dyadic(0), mul(dyadic(1.4), dyadic(0.9)), dyadic(0.6)];
    exact.forEach((x, c) => expect(within(values[c], x, errors[c])).toBe(true));
    expect(errors[0]).toBeGreaterThan(0);
  });

  it('constant and affine cases are named, not solved', () => {
    expect(sdpProblem(netOf(2, [[[1, 2]], [0]]), null).kind).toBe('affine');
    expect(sdpProblem(deep, [Int8Array.of(1, 1, 1), Int8Array.of(1, 0)]).kind).toBe('affine');
    expect(sdpProblem(deep, [Int8Array.of(-1, -1, -1), Int8Array.of(0, 0)]).kind).toBe('constant');
    const dead = netOf(1, [[[1], [2]], [0, 0]], [[[0, 0]], [0]]);
    expect(sdpProblem(dead, null).kind).toBe('constant');
    expect(sdpProblem(deep, [Int8Array.of(-1, 0, 0), Int8Array.of(1, 1)]).kind).toBe('problem');
    // Layer 0 all off: layer 1's unstable neurons have empty incoming rows (they cannot move), yet
    // reach the output — a problem, whose rows have an empty support.
    const cut = problemOf(deep, [Int8Array.of(0, 0, 0), Int8Array.of(-1, -1)]);
    expect(cut.incoming.map((a) => [a.start, a.values.length, a.error.length])).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(cut.output.map((b) => dense(b, 5))).toEqual(W2.map((w) => [0, 0, 0, ...w]));
  });
});

describe('rescaling by powers of two and the network’s units', () => {
  it('a layer is rescaled only when that is exact for every entry', () => {
    const up = netOf(2, [[[4, 1.6], [-2.4, 5.2]], [0.2, -0.1]], [[[1.1, -0.8]], [0.3]]);
    const p = problemOf(up);
    expect(p.layerExponents).toEqual([-2, 0]);
    expect(Array.from(p.first)).toEqual([1, 0.4, -0.6, 1.3]);
    const tiny = netOf(1, [[[3], [5e-324]], [0, 0]], [[[0.25, 0.125]], [0]]);
    const q = problemOf(tiny);
    expect(q.layerExponents).toEqual([0, 2]); // 5e-324/4 would underflow; the last layer scales exactly
    expect(Array.from(q.first)).toEqual([3, 5e-324]);
    expect(q.exponent).toBe(2);
    expect(Array.from(q.output[0].values)).toEqual([1, 0.5]);
  });

  it('multipliers in the network’s units certify the network’s own matrix, and survive a round trip', () => {
    // Scaled so that every layer is rescaled: the units differ per layer.
    const scaled = netOf(2, [[[3.6, -2], [1.2, 4.8], [-4.4, 1.6]], [0.1, -0.2, 0.3]], [[[0.35, -0.5, 0.25], [0.6, 0.3, -0.45]], [0.2, 0.1]], [[[8, -4.8], [3.2, 6.4]], [0, 0]]);
    for (const states of [null, mixed]) {
      const p = problemOf(scaled, states);
      expect(p.layerExponents).toEqual([-2, 1, -3]);
      const c = certify(p, Float64Array.from({ length: p.hidden }, (_, i) => 2 + 0.3 * i))!;
      const net = toNetworkUnits(p, c.tau, c.rho, [3, 2]);
      expect(net.tau.map((t) => t.length)).toEqual([3, 2]);
      const flat = net.tau.flatMap((t, l) => Array.from(t).filter((_, i) => !states || states[l][i] === -1));
      const star = rhoStar(scaled, states, flat);
      expect(net.rho).toBeGreaterThanOrEqual(star);
      expect(net.rho).toBeLessThanOrEqual(star * (1 + 1e-6));
      // Neurons without a multiplier hold 0.
      if (states) expect(net.tau.flatMap((t) => Array.from(t))).toEqual([0, flat[0], 0, flat[1], 0]);
      const back = fromNetworkUnits(p, net);
      expect(back.rho).toBe(c.rho);
      back.tau.forEach((t, i) => expect(t).toBe(c.tau[i]));
    }
  });
});
