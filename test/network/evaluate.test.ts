import { describe, expect, it } from 'vitest';
import { activationPattern, evaluate, forward, gradient, jacobian, jacobianOfPattern, regionRadius, pieceMaps } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork } from '../../src/network/network.js';
import { dualNorm, operatorNorm, vectorNorm, dualOf, spectralNorm } from '../../src/linalg/norms.js';
import { fromRows } from '../../src/linalg/mat.js';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { createStream } from '../../src/random/stream.js';

// |x| = ρ(x) + ρ(−x): a hand-checkable network.
const abs = makeNetwork(1, [denseLayer([[1], [-1]], [0, 0]), denseLayer([[1, 1]], [0])]);

describe('evaluation', () => {
  it('computes |x| by hand', () => {
    expect(evaluate(abs, [-2.5])[0]).toBe(2.5);
    expect(evaluate(abs, [3])[0]).toBe(3);
    expect(Array.from(gradient(abs, [3]))).toEqual([1]);
    expect(Array.from(gradient(abs, [-3]))).toEqual([-1]);
    expect(Array.from(gradient(abs, [0]))).toEqual([0]); // formal gradient at the kink: ρ′(0) = 0
    expect(activationPattern(abs, [3]).map((p) => Array.from(p))).toEqual([[1, 0]]);
    expect(regionRadius(abs, [0])).toBe(0); // on the kink
    expect(regionRadius(abs, [-0.25])).toBe(0.25);
    expect(regionRadius(makeNetwork(2, [denseLayer([[1, 1]], [0])]), [1, 1])).toBe(Infinity); // affine
    // Tiny weights in front of large ones: the piece's slope 1e-170 must not underflow to "affine".
    const scaled = makeNetwork(1, [denseLayer([[1e-170]], [0]), denseLayer([[1e30]], [0])]);
    expect(regionRadius(scaled, [1])).toBeCloseTo(1, 12);
  });
  it('computes a two-layer, two-output network by hand', () => {
    const net = makeNetwork(2, [
      denseLayer([[1, 0], [0, 1]], [0, -1]),
      denseLayer([[2, 1]], [0.5]),
      denseLayer([[1], [-3]], [0, 1]),
    ]);
    // x = (1, 3): h1 = (1, 2), z2 = 2+2+0.5 = 4.5 > 0, out = (4.5, -12.5)
    expect(Array.from(evaluate(net, [1, 3]))).toEqual([4.5, -12.5]);
    const j = jacobian(net, [1, 3]);
    expect([j.rows, j.cols]).toEqual([2, 2]);
    expect(Array.from(j.data)).toEqual([2, 1, -6, -3]);
    expect(forward(net, [1, 3]).preActivations.map((z) => Array.from(z))).toEqual([[1, 2], [4.5]]);
    // On the piece of x = (1, 3): z1 = (x1, x2 − 1), z2 = 2x1 + x2 − 1 + 0.5.
    const maps = pieceMaps(net, activationPattern(net, [1, 3]));
    expect(maps.A.map((a) => Array.from(a))).toEqual([[1, 0, 0, 1], [2, 1]]);
    expect(maps.c.map((c) => Array.from(c))).toEqual([[0, -1], [-0.5]]);
    expect(regionRadius(net, [1, 3])).toBe(1); // nearest kink: x1 = 0
    const off = jacobianOfPattern(net, [Uint8Array.of(0, 0), Uint8Array.of(1)]);
    expect(Array.from(off.data).every((v) => v === 0)).toBe(true);
  });
  it('rejects a point of the wrong length', () => {
    expect(() => evaluate(abs, [1, 2])).toThrow(/x has 2 entries/);
    expect(() => gradient(makeNetwork(1, [denseLayer([[1], [2]], [0, 0])]), [1])).toThrow(/2 outputs/);
  });
});

describe('norms', () => {
  it('vector norms and duals', () => {
    const v = [3, -4, 0];
    expect(vectorNorm(v, '2')).toBe(5);
    expect(vectorNorm(v, '1')).toBe(7);
    expect(vectorNorm(v, 'inf')).toBe(4);
    expect(dualNorm(v, '1')).toBe(4);
    expect(dualNorm(v, 'inf')).toBe(7);
    expect(dualOf('2')).toBe('2');
    expect(vectorNorm([1e200, 1e200], '2')).toBeCloseTo(Math.SQRT2 * 1e200, -185);
    expect(vectorNorm([1e-200, 1e-200], '2')).toBeGreaterThan(0);
  });
  it('operator norms: column sums, row sums, and singular values against ml-matrix', () => {
    const m = fromRows([[1, -2, 3], [-4, 5, -6]]);
    expect(operatorNorm(m, '1')).toBe(9);
    expect(operatorNorm(m, 'inf')).toBe(15);
    const rand = createStream(3, 'svd');
    for (const [r, c] of [[2, 3], [5, 5], [3, 17], [20, 30], [1, 6], [6, 1]]) {
      const rows = Array.from({ length: r }, () => Array.from({ length: c }, () => rand.gaussian()));
      const ref = new SingularValueDecomposition(new Matrix(rows), { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal[0];
      expect(Math.abs(spectralNorm(fromRows(rows)) - ref) / ref).toBeLessThan(1e-12);
    }
    // For a single row, p→p operator norms are the dual norms of the row.
    const g = fromRows([[3, -4, 1]]);
    for (const p of ['1', '2', 'inf'] as const) expect(operatorNorm(g, p)).toBeCloseTo(dualNorm(g.data, p), 14);
    expect(operatorNorm(fromRows([[0, 0], [0, 0]]), '2')).toBe(0);
  });
});
