import { describe, expect, it } from 'vitest';
import { NORMS } from '../../../../src/linalg/norms.js';
import { interiorMargin, randomPoints, rankingEngines, rankPoints } from '../../../../src/lipschitz/lower/candidates.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { jacobian, kinkMargin } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork } from '../../../../src/network/network.js';
import { gradientEngine } from '../../../../src/network/parallelGradients.js';
import { DEEP_SUM, inBox, normAt, ONE_NEURON, radiusBucket, shallowNet, TWO_AXES, TWO_OUTPUTS, TWO_OUTPUTS_LIP } from '../../../support/lowerUnits.js';

const rows = (X: Float64Array, d: number) => Array.from({ length: X.length / d }, (_, r) => X.subarray(r * d, (r + 1) * d));

describe('randomPoints', () => {
  it('draws count points on eight radii around the kink scale, equally, deterministically for the seed', () => {
    const X = randomPoints(ONE_NEURON, null, 64, 'r');
    expect(X.length).toBe(128);
    const counts = new Array(8).fill(0);
    for (const x of rows(X, 2)) counts[radiusBucket(x, 0.2)]++; // kink scale |b|/‖w‖ = 1/5
    expect(counts).toEqual(new Array(8).fill(8));
    expect(Array.from(randomPoints(ONE_NEURON, null, 64, 'r'))).toEqual(Array.from(X));
    expect(Array.from(randomPoints(ONE_NEURON, null, 64, 's'))).not.toEqual(Array.from(X));
    // Gaussian directions: all four quadrants are hit.
    expect(new Set(rows(X, 2).map((x) => `${Math.sign(x[0])}${Math.sign(x[1])}`)).size).toBe(4);
  });
  it('draws uniformly in a box: inside, spanning each side', () => {
    const box = boxFromPairs(
      [
        [10, 10.5],
        [-3, 1],
      ],
      2,
    );
    const X = randomPoints(TWO_AXES, box, 64, 'b');
    expect(X.length).toBe(128);
    for (const x of rows(X, 2)) expect(inBox(x, box)).toBe(true);
    // Fixed seed; a uniform draw of 64 misses an outer tenth with probability 2·0.9⁶⁴ ≈ 0.002.
    for (let j = 0; j < 2; j++) {
      const xs = rows(X, 2).map((x) => x[j]);
      expect(Math.max(...xs) - Math.min(...xs)).toBeGreaterThan(0.8 * (box.hi[j] - box.lo[j]));
    }
  });
});

describe('rankPoints', () => {
  const X = Float64Array.of(-1, -1, 1, -1, 1, 1, -1, 1, 2, 3); // gradients 0, (2,0), (2,−3), (0,−3), (2,−3)
  it('with one engine: every row, best first, with its float64 norm and Jacobian', () => {
    const engine = gradientEngine(TWO_AXES, 5);
    for (const p of NORMS) {
      const ranked = rankPoints({ exact: engine, rank: engine }, X, 2, p, 1);
      expect(ranked.length).toBe(5);
      expect(new Set(ranked.map((e) => e.r))).toEqual(new Set([0, 1, 2, 3, 4]));
      for (let i = 0; i < 5; i++) {
        const x = X.subarray(2 * ranked[i].r, 2 * ranked[i].r + 2);
        expect(ranked[i].value).toBe(normAt(TWO_AXES, x, p));
        expect(Array.from(ranked[i].J)).toEqual(Array.from(jacobian(TWO_AXES, x).data));
        if (i > 0) expect(ranked[i].value).toBeLessThanOrEqual(ranked[i - 1].value);
      }
      expect(ranked[4].r).toBe(0); // gradient 0 last
    }
    expect(rankPoints({ exact: engine, rank: engine }, new Float64Array(0), 2, '2', 3)).toEqual([]);
  });
  it('with a float32 ranking engine: the best `confirm` rows, re-evaluated in float64', () => {
    const engines = { exact: gradientEngine(TWO_OUTPUTS, 5), rank: gradientEngine(TWO_OUTPUTS, 5, 'float32') };
    const Y = Float64Array.of(-1, -1, 1, -1, 1, 1, -1, 1, 0.1, 0.2); // Jacobians 0, M·e₁e₁ᵀ, M, M·e₂e₂ᵀ, M
    for (const p of NORMS) {
      const ranked = rankPoints(engines, Y, 2, p, 2);
      expect(ranked.length).toBe(2);
      // p = 1: M·e₂e₂ᵀ ties with M (column sum 6), so only p = 2, ∞ single out rows 2 and 4.
      if (p !== '1') expect(new Set(ranked.map((e) => e.r))).toEqual(new Set([2, 4]));
      for (const e of ranked) {
        expect(e.value).toBe(normAt(TWO_OUTPUTS, Y.subarray(2 * e.r, 2 * e.r + 2), p));
        expect(e.value).toBeCloseTo(TWO_OUTPUTS_LIP[p], 12);
        expect(Array.from(e.J)).toEqual(Array.from(jacobian(TWO_OUTPUTS, Y.subarray(2 * e.r, 2 * e.r + 2)).data));
      }
      const three = rankPoints(engines, Y, 2, p, 3);
      expect(three.length).toBe(3);
      if (p !== '1') expect(three[2].value).toBeLessThan(three[1].value); // sorted after the float64 re-evaluation
    }
  });
  it('puts rows whose norm is NaN last', () => {
    // An infinite output weight: where its neuron is on, the Jacobian holds ∞·0 = NaN.
    const f = shallowNet(
      [
        [1, 0],
        [0, 1],
      ],
      [0, 0],
      [Infinity, 1],
    );
    const engine = gradientEngine(f, 3);
    const Z = Float64Array.of(1, 1, -1, 1, -1, -1);
    expect(normAt(f, Z.subarray(0, 2), '2')).toBeNaN();
    const ranked = rankPoints({ exact: engine, rank: engine }, Z, 2, '2', 3);
    expect(ranked.map((e) => e.r)).toEqual([1, 2, 0]);
    const reversed = Float64Array.of(-1, -1, -1, 1, 1, 1);
    expect(rankPoints({ exact: engine, rank: engine }, reversed, 2, '2', 3).map((e) => e.r)).toEqual([1, 0, 2]);
  });
});

describe('rankingEngines', () => {
  const scaled = (s: number) => shallowNet([[s, 1]], [0], [1]);
  it('ranks in float32 unless asked for float64 or a weight or bias is beyond 1e±18', () => {
    expect(rankingEngines(TWO_AXES, 8).rank).not.toBe(rankingEngines(TWO_AXES, 8).exact);
    const f64 = rankingEngines(TWO_AXES, 8, 'float64');
    expect(f64.rank).toBe(f64.exact);
    for (const s of [1e18, 1e-18, -1e18]) {
      const e = rankingEngines(scaled(s), 8);
      expect(e.rank).not.toBe(e.exact);
    }
    for (const s of [1.0000001e18, 0.9999999e-18, -2e18]) {
      const e = rankingEngines(scaled(s), 8);
      expect(e.rank).toBe(e.exact);
    }
    const bias = rankingEngines(shallowNet([[1, 1]], [1e19], [1]), 8);
    expect(bias.rank).toBe(bias.exact);
    const out = rankingEngines(shallowNet([[1, 1]], [0], [1e-19]), 8);
    expect(out.rank).toBe(out.exact);
  });
  it('the float64 engine gives the same Jacobians as the network', () => {
    const { exact } = rankingEngines(DEEP_SUM, 1);
    const x = Float64Array.of(0.7, 0.9);
    expect(Array.from(exact.jacobians(x, 1).jacobians)).toEqual(Array.from(jacobian(DEEP_SUM, x).data));
  });
});

describe('interiorMargin', () => {
  it('is the smallest |z|/(|b| + Σ|w·h|) over every hidden neuron, by hand', () => {
    // ONE_NEURON at (1, 0.5): z = 3 − 2 + 1 = 2 over 1 + 3 + 2 = 6.
    expect(interiorMargin(ONE_NEURON, [1, 0.5])).toBeCloseTo(1 / 3, 15);
    // DEEP_SUM at (0.25, 2): first layer 1 and 1; second z = 0.25 + 2 − 1 = 1.25 over 1 + 0.25 + 2 = 3.25.
    expect(interiorMargin(DEEP_SUM, [0.25, 2])).toBeCloseTo(1.25 / 3.25, 15);
    // At (0.25, 0.5): the second layer's z = −0.25 over 1.75 is the smallest.
    expect(interiorMargin(DEEP_SUM, [0.25, 0.5])).toBeCloseTo(0.25 / 1.75, 15);
    // An inactive first-layer neuron passes 0 on: at (−2, 3) the second layer sees 0 + 3 − 1 = 2 over 4.
    expect(interiorMargin(DEEP_SUM, [-2, 3])).toBeCloseTo(0.5, 15);
    expect(interiorMargin(TWO_AXES, [0, 3])).toBe(0);
  });
  it('skips a constant neuron (no weights, no bias; or fed only by inactive inputs), scores a first-layer one on its hyperplane 0, never above kinkMargin', () => {
    const dead = makeNetwork(2, [denseLayer([[1, 2], [0, 0]], [0.5, 0]), denseLayer([[1, 1]], [0])]);
    // At (1, 1): the live neuron z = 3.5 over 3.5, the output neuron 3.5 over 3.5; the dead one is skipped.
    expect(interiorMargin(dead, [1, 1])).toBe(1);
    expect(kinkMargin(dead, [1, 1])).toBeGreaterThan(0);
    // A deeper neuron fed only by an inactive neuron (z = −1 − 1 + 0.5 = −1.5 over 1 + 1 + 0.5 = 2.5) is constant: skipped.
    const fedByDead = makeNetwork(2, [denseLayer([[1, 2]], [0.5]), denseLayer([[3]], [0]), denseLayer([[1]], [0])]);
    expect(interiorMargin(fedByDead, [-1, -0.5])).toBeCloseTo(1.5 / 2.5, 15);
    // A first-layer neuron through the origin, at the origin: its hyperplane, margin 0.
    expect(interiorMargin(makeNetwork(2, [denseLayer([[1, -1]], [0]), denseLayer([[1]], [0])]), [0, 0])).toBe(0);
    for (const x of [[0.3, -0.2], [2, 5], [-1, 0.4]]) expect(interiorMargin(DEEP_SUM, x)).toBeLessThanOrEqual(kinkMargin(DEEP_SUM, x));
    // An affine network has no hidden neuron: Infinity.
    expect(interiorMargin(makeNetwork(2, [denseLayer([[1, 2]], [0])]), [1, 1])).toBe(Infinity);
  });
});
