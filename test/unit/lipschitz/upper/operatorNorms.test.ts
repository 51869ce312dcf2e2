import { describe, expect, it } from 'vitest';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { boundedNormProduct, cheapSpectralBound, operatorNormProduct } from '../../../../src/lipschitz/upper/operatorNorms.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import type { Mat } from '../../../../src/linalg/mat.js';
import { add, dyadic, sign } from '../../../support/exactArithmetic.js';

/** γ_n = n/(2⁵³ − n) (independent of rounding.ts's formula). */
const g = (n: number) => n / (2 ** 53 - n);
const mat = (rows: number[][]): Mat => ({ rows: rows.length, cols: rows[0].length, data: Float64Array.from(rows.flat()) });
/** ‖W‖₂ by ml-matrix's SVD. */
const svd = (m: Mat) =>
  new SingularValueDecomposition(new Matrix(Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)))), { autoTranspose: true }).diagonal[0];
/** Independent Frobenius and Hölder bounds, by plain loops. */
function plainBounds(m: Mat): { frobenius: number; holder: number } {
  let squares = 0;
  const col = new Array(m.cols).fill(0);
  let rowMax = 0;
  for (let i = 0; i < m.rows; i++) {
    let row = 0;
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      squares += v * v;
      row += Math.abs(v);
      col[j] += Math.abs(v);
    }
    rowMax = Math.max(rowMax, row);
  }
  return { frobenius: Math.sqrt(squares), holder: Math.sqrt(Math.max(...col) * rowMax) };
}
/** A budget that has already run out. */
const spent = () => new Budget(0, Infinity, { origin: performance.now() - 1000 });

describe('cheapSpectralBound', () => {
  it('is min(‖W‖_F, √(‖W‖₁‖W‖∞)) up to its rounding allowance, on random shapes and scales', () => {
    const s = createStream(3, 'test/unit/cheap-spectral');
    for (let t = 0; t < 60; t++) {
      const rows = 1 + Math.floor(7 * s.uniform());
      const cols = 1 + Math.floor(7 * s.uniform());
      const m: Mat = { rows, cols, data: Float64Array.from({ length: rows * cols }, () => (s.uniform() < 0.3 ? 0 : s.gaussian())) };
      if (m.data.every((v) => v === 0)) continue;
      const { frobenius, holder } = plainBounds(m);
      const bound = cheapSpectralBound(m);
      expect(bound).toBeGreaterThanOrEqual(svd(m) * (1 - 1e-13));
      expect(bound).toBeGreaterThanOrEqual(Math.min(frobenius, holder) * (1 - 1e-14));
      expect(bound).toBeLessThanOrEqual(Math.min(frobenius, holder) * (1 + 1e-12));
    }
  });
  it('where Frobenius is exact (rank one, ‖W‖₂ = 5) its margin covers the m·n squares: ≥ 5·(1 + γ_{mn})', () => {
    // √(‖W‖₁‖W‖∞) = √(7·5) > 5 here, so the Frobenius branch is the one taken.
    const rankOne = mat([[3, 0, 0], [4, 0, 0]]);
    expect(cheapSpectralBound(rankOne)).toBeGreaterThanOrEqual(5 * (1 + g(6)));
    expect(cheapSpectralBound(rankOne)).toBeLessThanOrEqual(5 * (1 + 1e-14));
  });
  it('where Hölder is exact (a signed permutation, ‖W‖₂ = 2) its margin covers both sums and the roots', () => {
    // Frobenius is 2√3 > 2: the Hölder branch. Each sum of 3 terms (γ_4), then γ_4 for the roots.
    const permutation = mat([[0, 2, 0], [0, 0, -2], [2, 0, 0]]);
    expect(cheapSpectralBound(permutation)).toBeGreaterThanOrEqual(2 * (1 + g(4)) * (1 + g(4)));
    expect(cheapSpectralBound(permutation)).toBeLessThanOrEqual(2 * (1 + 1e-14));
    // Wide and tall alike: the sums have max(rows, cols) terms.
  });
  it('its allowance is the worst case for the sizes, even where this instance happens to round exactly', () => {
    const wide = (rows: number, cols: number, at: (i: number) => [number, number]) => {
      const data = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) data[i * cols + at(i)[0]] = at(i)[1];
      return { rows, cols, data };
    };
    // Rank one, 2×100: ‖W‖_F = 5 is a sum of 200 squares, worst-case error γ_200 (Higham).
    expect(cheapSpectralBound(wide(2, 100, (i) => [0, i === 0 ? 3 : 4]))).toBeGreaterThanOrEqual(5 * (1 + g(200)));
    // ‖W‖₂ = 2 = √(‖W‖₁‖W‖∞) for 2·I padded to 2×100: its row sums have 100 terms (γ_99 each), its column
    // sums 2, and the bound's square is their product, so the bound needs a relative margin ≥ γ_99/2.
    expect(cheapSpectralBound(wide(2, 100, (i) => [i, 2]))).toBeGreaterThanOrEqual(2 * (1 + g(99) / 2));
    // The same transposed (100×2): now the column sums are the long ones.
    expect(cheapSpectralBound(wide(100, 2, (i) => [Math.min(i, 1), i < 2 ? 2 : 0]))).toBeGreaterThanOrEqual(2 * (1 + g(99) / 2));
  });
  it('neither overflows nor underflows at extreme scales', () => {
    const huge = mat([[1e200, 1e200], [0, 1e200]]);
    expect(cheapSpectralBound(huge)).toBeLessThan(Infinity);
    expect(cheapSpectralBound(huge)).toBeGreaterThanOrEqual(svd(mat([[1, 1], [0, 1]])) * 1e200 * (1 - 1e-13));
    expect(cheapSpectralBound(mat([[3e-200, 4e-200]]))).toBeGreaterThanOrEqual(5e-200);
  });
});

/** A 3-layer network with known layer norms. */
function knownNet(): Network {
  return makeNetwork(2, [
    denseLayer([[3, 0], [4, 0], [0, 1]], [0.5, -1, 2]), // ‖·‖₂ = 5, ‖·‖₁ = 7, ‖·‖∞ = 4
    denseLayer([[1, -1, 0], [0, 2, 2]], [0, 0]), // ‖·‖₂ by SVD, ‖·‖₁ = 3, ‖·‖∞ = 4
    denseLayer([[1, 1]], [0]), // ‖·‖₂ = √2, ‖·‖₁ = 1, ‖·‖∞ = 2
  ]);
}

describe('the norm product', () => {
  const net = knownNet();
  const layerMats = net.layers.map((l) => ({ rows: l.outDim, cols: l.inDim, data: l.weights }));
  it('is ∏‖W_ℓ‖ for p = 1 and ∞ (column and row sums) and p = 2 (proven spectral norms), just above the exact product', () => {
    const exact = { '1': 7 * 3 * 1, inf: 4 * 4 * 2, '2': layerMats.map(svd).reduce((a, b) => a * b, 1) };
    for (const p of ['1', 'inf', '2'] as const) {
      const value = operatorNormProduct(net, p);
      expect(value).toBeGreaterThan(exact[p]);
      expect(value).toBeLessThanOrEqual(exact[p] * (1 + (p === '2' ? 1e-8 : 1e-14)));
    }
    // One 1×100 layer: its row sum (p = ∞) and its column sums (p = 1, a 100×1 layer) have up to 100 terms,
    // so the product needs a relative margin ≥ γ_99 even when the sums here are exact.
    const row = makeNetwork(100, [denseLayer([Array.from({ length: 100 }, () => 0.5)], [0])]);
    expect(operatorNormProduct(row, 'inf')).toBeGreaterThanOrEqual(50 * (1 + g(99)));
    const column = makeNetwork(1, [denseLayer(Array.from({ length: 100 }, () => [0.5]), new Array(100).fill(0))]);
    expect(operatorNormProduct(column, '1')).toBeGreaterThanOrEqual(50 * (1 + g(99)));
    // For p = 2 each layer's norm is proven (linalg/verifiedSpectralNorm.ts), not an SVD's value with a margin:
    // the first layer's is 5 exactly (WᵀW = diag(25, 1)), so its factor is above 5 and the product above 5·(the rest).
    const rest = boundedNormProduct(makeNetwork(3, net.layers.slice(1)), '2', new Budget(Infinity)).value;
    expect(operatorNormProduct(net, '2')).toBeGreaterThan(5 * rest * (1 - 1e-15));
  });
  it('for p = 1 and ∞ rounds the column and row sums up: 0.1 + 0.7 computes below the exact sum of the two doubles', () => {
    const exact = add(dyadic(0.1), dyadic(0.7));
    expect(sign(add(exact, dyadic(-(0.1 + 0.7))))).toBe(1);
    for (const [norm, rows] of [['1', [[0.1], [0.7]]], ['inf', [[0.1, 0.7]]]] as const) {
      const net = makeNetwork(rows[0].length, [denseLayer(rows.map((r) => [...r]), rows.map(() => 0))]);
      const value = operatorNormProduct(net, norm);
      expect(sign(add(exact, dyadic(-value)))).toBeLessThanOrEqual(0);
      expect(value).toBeLessThan(0.8 * (1 + 1e-14));
    }
  });

  it('bounds the Jacobian norm of the network at random points (‖D‖ ≤ 1 for every pattern)', () => {
    const s = createStream(9, 'test/unit/norm-product');
    const product = { '1': operatorNormProduct(net, '1'), inf: operatorNormProduct(net, 'inf'), '2': operatorNormProduct(net, '2') };
    for (let t = 0; t < 50; t++) {
      const masks = net.layers.slice(0, -1).map((l) => Array.from({ length: l.outDim }, () => (s.uniform() < 0.5 ? 1 : 0)));
      // J = W₂ D₁ W₁ D₀ W₀ for an arbitrary pattern.
      let J = new Matrix(Array.from({ length: 3 }, (_, i) => [net.layers[0].weights[2 * i], net.layers[0].weights[2 * i + 1]]));
      for (let l = 1; l < net.layers.length; l++) {
        const W = new Matrix(Array.from({ length: net.layers[l].outDim }, (_, i) => Array.from(net.layers[l].weights.subarray(i * net.layers[l].inDim, (i + 1) * net.layers[l].inDim))));
        J = W.mmul(Matrix.diag(masks[l - 1]).mmul(J));
      }
      expect(J.abs().sum('column').reduce((a: number, b: number) => Math.max(a, b), 0)).toBeLessThanOrEqual(product['1']);
      expect(J.abs().sum('row').reduce((a: number, b: number) => Math.max(a, b), 0)).toBeLessThanOrEqual(product.inf);
      expect(J.norm('frobenius') === 0 ? 0 : new SingularValueDecomposition(J, { autoTranspose: true }).diagonal[0]).toBeLessThanOrEqual(product['2']);
    }
  });
  it('within a spent budget bounds each p = 2 layer cheaply, says so once per layer, and stays an upper bound', () => {
    const budget = spent();
    const cheap = boundedNormProduct(net, '2', budget);
    expect(cheap.cheapLayers).toBe(3);
    expect(budget.skipped).toHaveLength(3);
    expect(budget.skipped[0]).toMatch(/spectral norm of a 3×2 layer/);
    const expected = layerMats.map((m) => Math.min(plainBounds(m).frobenius, plainBounds(m).holder)).reduce((a, b) => a * b, 1);
    expect(cheap.value).toBeGreaterThanOrEqual(expected);
    expect(cheap.value).toBeLessThanOrEqual(expected * (1 + 1e-13));
    // p = 1 and ∞ never need the SVD: the same value with or without time.
    for (const p of ['1', 'inf'] as const) expect(boundedNormProduct(net, p, spent())).toEqual({ value: operatorNormProduct(net, p), cheapLayers: 0 });
    expect(boundedNormProduct(net, '2', new Budget(Infinity))).toEqual({ value: operatorNormProduct(net, '2'), cheapLayers: 0 });
  });
  it('on a large layer checks the clock inside the proof too: a budget that runs out after the first check gives the cheap bound and says so', () => {
    // 700×700: about 2.8e8 multiply-adds, above the 1e8 from which the proof checks as it goes.
    const s = createStream(4, 'test/unit/norm-product-large');
    const w: Mat = { rows: 700, cols: 700, data: Float64Array.from({ length: 700 * 700 }, () => s.gaussian()) };
    const big = makeNetwork(700, [{ inDim: 700, outDim: 700, weights: w.data, biases: new Float64Array(700) }]);
    let checks = 0;
    class RunsOut extends Budget {
      override fits(): boolean {
        return ++checks === 1;
      }
    }
    const budget = new RunsOut(Infinity);
    const r = boundedNormProduct(big, '2', budget);
    expect(checks).toBe(2); // the estimate, then the first block of the Gram product
    expect(r.cheapLayers).toBe(1);
    expect(budget.skipped).toEqual(['the spectral norm of a 700×700 layer (bounded by min(‖W‖_F, √(‖W‖₁‖W‖∞)) instead)']);
    expect(r.value).toBeGreaterThanOrEqual(cheapSpectralBound(w));
    // A small layer's proof never looks at the clock after its estimate fitted.
    let asked = 0;
    class Counts extends Budget {
      override fits(): boolean {
        asked++;
        return true;
      }
    }
    expect(boundedNormProduct(net, '2', new Counts(Infinity)).cheapLayers).toBe(0);
    expect(asked).toBe(3); // one estimate per layer
  });
});
