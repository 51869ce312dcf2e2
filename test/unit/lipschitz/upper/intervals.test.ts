import { describe, expect, it } from 'vitest';
import { intervalJacobianBound, layerInputs, neuronStates, preActivationBounds } from '../../../../src/lipschitz/upper/intervals.js';
import { queryDomain } from '../../../../src/lipschitz/domain.js';
import { forward, jacobian } from '../../../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../../../src/linalg/norms.js';
import { denseLayer, makeNetwork, type DenseLayer, type Network } from '../../../../src/network/network.js';
import { createStream, type RandomStream } from '../../../../src/random/stream.js';
import type { Box } from '../../../../src/lipschitz/query.js';
import { box } from '../../../support/lipschitzUnits.js';
import { add, dyadic, mul, sign } from '../../../support/exactArithmetic.js';
import { cancellingChain } from '../../../support/upperUnits.js';

function randomNet(s: RandomStream, d: number, widths: number[], k: number, sparsity = 0): Network {
  const dims = [d, ...widths, k];
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const [inDim, outDim] = [dims[l], dims[l + 1]];
    const weights = Float64Array.from({ length: inDim * outDim }, () => (s.uniform() < sparsity ? 0 : s.gaussian()));
    layers.push({ inDim, outDim, weights, biases: Float64Array.from({ length: outDim }, () => s.gaussian()) });
  }
  return makeNetwork(d, layers);
}

/**
 * Plain interval propagation in input coordinates, no rounding allowance: [lo, hi] of every hidden
 * pre-activation over the box (the textbook IBP, written independently of intervals.ts).
 */
function plainIbp(net: Network, b: Box): { lo: number[][]; hi: number[][] } {
  let aLo = Array.from(b.lo);
  let aHi = Array.from(b.hi);
  const lo: number[][] = [];
  const hi: number[][] = [];
  for (const layer of net.layers.slice(0, -1)) {
    const L: number[] = [];
    const H: number[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      let l = layer.biases[i];
      let h = layer.biases[i];
      for (let j = 0; j < layer.inDim; j++) {
        const w = layer.weights[i * layer.inDim + j];
        l += Math.min(w * aLo[j], w * aHi[j]);
        h += Math.max(w * aLo[j], w * aHi[j]);
      }
      L.push(l);
      H.push(h);
    }
    lo.push(L);
    hi.push(H);
    aLo = L.map((v) => Math.max(0, v));
    aHi = H.map((v) => Math.max(0, v));
  }
  return { lo, hi };
}
const randomPoint = (s: RandomStream, b: Box) => Float64Array.from(b.lo, (lo, i) => lo + (b.hi[i] - lo) * s.uniform());

describe('interval bounds on pre-activations over a box', () => {
  it('are the textbook interval propagation, widened only by rounding allowances, and contain every sampled value', () => {
    const s = createStream(11, 'test/unit/intervals-box');
    for (let t = 0; t < 12; t++) {
      const net = randomNet(s, 3, [5, 4, 3], 2, t % 3 === 0 ? 0.4 : 0);
      const b = box([-1, 0.5, -2], [0.5 + s.uniform(), 1, -1 + s.uniform()]);
      const bounds = preActivationBounds(net, queryDomain(net, b));
      const ref = plainIbp(net, b);
      for (let l = 0; l < ref.lo.length; l++) {
        for (let i = 0; i < ref.lo[l].length; i++) {
          const scale = 1 + Math.abs(ref.lo[l][i]) + Math.abs(ref.hi[l][i]);
          expect(bounds.lo[l][i]).toBeLessThanOrEqual(ref.lo[l][i] + 1e-12 * scale);
          expect(bounds.lo[l][i]).toBeGreaterThanOrEqual(ref.lo[l][i] - 1e-12 * scale);
          expect(bounds.hi[l][i]).toBeGreaterThanOrEqual(ref.hi[l][i] - 1e-12 * scale);
          expect(bounds.hi[l][i]).toBeLessThanOrEqual(ref.hi[l][i] + 1e-12 * scale);
          expect(bounds.lo[l][i]).toBeLessThan(bounds.hi[l][i]); // strictly: the allowance is positive
          // The allowance covers the magnitude of every term, not a difference of them: for the first
          // layer at least u·(|centre| + Σ|P|), whatever cancels.
          if (l === 0) {
            const first = net.layers[0];
            let magnitude = Math.abs(ref.lo[0][i] + ref.hi[0][i]) / 2;
            for (let k = 0; k < 3; k++) magnitude += (Math.abs(first.weights[i * 3 + k]) * (b.hi[k] - b.lo[k])) / 2;
            expect(bounds.hi[0][i] - bounds.lo[0][i] - (ref.hi[0][i] - ref.lo[0][i])).toBeGreaterThanOrEqual(2 ** -53 * magnitude);
          }
        }
      }
      for (let p = 0; p < 20; p++) {
        forward(net, randomPoint(s, b)).preActivations.forEach((z, l) => z.forEach((v, i) => {
          expect(v).toBeGreaterThanOrEqual(bounds.lo[l][i]);
          expect(v).toBeLessThanOrEqual(bounds.hi[l][i]);
        }));
      }
    }
  });
  it('a degenerate box (a point) gives the value there, give or take the rounding allowance', () => {
    const s = createStream(12, 'test/unit/intervals-point');
    const net = randomNet(s, 2, [4, 4], 1);
    const x = [0.3, -0.7];
    const bounds = preActivationBounds(net, queryDomain(net, box(x, x)));
    forward(net, x).preActivations.forEach((z, l) => z.forEach((v, i) => {
      expect(bounds.lo[l][i]).toBeLessThanOrEqual(v);
      expect(bounds.hi[l][i]).toBeGreaterThanOrEqual(v);
      expect(bounds.hi[l][i] - bounds.lo[l][i]).toBeLessThan(1e-13 * (1 + Math.abs(v)));
    }));
  });
});

describe('interval bounds on the homogenised domain (global constants)', () => {
  it('bound t·z for every x and t ∈ (0, 1]: the cube point (x·t/S, 2t − 1) maps to x', () => {
    const s = createStream(13, 'test/unit/intervals-lifted');
    for (let t = 0; t < 8; t++) {
      const net = randomNet(s, 2, [4, 3], 1);
      const domain = queryDomain(net, null);
      expect(domain.kind).toBe('lifted');
      const bounds = preActivationBounds(net, domain);
      // The first layer's affine part in cube coordinates: P = [S·W, b/2], q = b/2, error u·Σ|S·W|.
      const [first, second] = layerInputs(net, domain);
      const W = net.layers[0];
      for (let i = 0; i < W.outDim; i++) {
        for (let j = 0; j < 2; j++) expect(first.P[i * 3 + j]).toBe(domain.scale * W.weights[i * 2 + j]);
        expect(first.P[i * 3 + 2]).toBe(W.biases[i] / 2);
        expect(first.q[i]).toBe(W.biases[i] / 2);
        expect(first.error[i]).toBeGreaterThanOrEqual(2 ** -53 * (Math.abs(first.P[i * 3]) + Math.abs(first.P[i * 3 + 1])));
      }
      // Later layers take only the bias, through t: P[:, d] = b/2 = q, no error.
      const V = net.layers[1];
      for (let i = 0; i < V.outDim; i++) {
        expect([second.P[i * 3], second.P[i * 3 + 1], second.P[i * 3 + 2], second.q[i], second.error[i]]).toEqual([0, 0, V.biases[i] / 2, V.biases[i] / 2, 0]);
      }
      for (let p = 0; p < 30; p++) {
        const tt = 0.05 + 0.95 * s.uniform();
        // A point x with S·|x|·t/S ≤ 1 in every coordinate: x = S·v/t with |v| ≤ 1.
        const v = [2 * s.uniform() - 1, 2 * s.uniform() - 1];
        const x = v.map((vi) => (domain.scale * vi) / tt);
        forward(net, x).preActivations.forEach((z, l) => z.forEach((zi, i) => {
          const scaled = tt * zi;
          const slack = 1e-12 * (1 + Math.abs(scaled));
          expect(scaled).toBeGreaterThanOrEqual(bounds.lo[l][i] - slack);
          expect(scaled).toBeLessThanOrEqual(bounds.hi[l][i] + slack);
        }));
      }
    }
  });
});

describe('neuron states', () => {
  it('are active only above 0, inactive only below 0, and unstable otherwise (a bound at 0 is unstable)', () => {
    const states = neuronStates({ lo: [Float64Array.of(1e-300, 0, -1, -2, -1)], hi: [Float64Array.of(1, 1, 0, -1e-300, 1)] });
    expect(Array.from(states[0])).toEqual([1, -1, -1, 0, -1]);
  });
});

/** The Jacobian W_L D_{L−1} ⋯ D₀ W₀ for given 0/1 masks of the hidden layers (k × d, row-major). */
function jacobianOfMasks(net: Network, masks: number[][]): Float64Array {
  const last = net.layers[net.layers.length - 1];
  let m = Array.from(last.weights);
  let cols = last.inDim;
  for (let l = net.layers.length - 2; l >= 0; l--) {
    const layer = net.layers[l];
    const next = new Array(last.outDim * layer.inDim).fill(0);
    for (let r = 0; r < last.outDim; r++)
      for (let i = 0; i < cols; i++)
        for (let j = 0; j < layer.inDim; j++) next[r * layer.inDim + j] += m[r * cols + i] * masks[l][i] * layer.weights[i * layer.inDim + j];
    m = next;
    cols = layer.inDim;
  }
  return Float64Array.from(m);
}

describe('the interval Jacobian bound', () => {
  it('for one hidden layer is the analytic interval: Σ over active neurons plus negative/positive parts over unstable ones', () => {
    const s = createStream(14, 'test/unit/interval-jacobian');
    for (let t = 0; t < 10; t++) {
      const net = randomNet(s, 3, [6], 2);
      const b = box([-0.5, -0.5, -0.5], [0.2, 0.4, 0.1 + s.uniform()]);
      const domain = queryDomain(net, b);
      const states = neuronStates(preActivationBounds(net, domain));
      const ref = plainIbp(net, b);
      // The states agree with plain IBP wherever it is not within rounding of 0.
      ref.lo[0].forEach((lo, i) => {
        if (lo > 1e-9) expect(states[0][i]).toBe(1);
        if (ref.hi[0][i] < -1e-9) expect(states[0][i]).toBe(0);
        if (lo < -1e-9 && ref.hi[0][i] > 1e-9) expect(states[0][i]).toBe(-1);
      });
      const [W0, W1] = net.layers;
      const lo = new Float64Array(2 * 3);
      const hi = new Float64Array(2 * 3);
      for (let r = 0; r < 2; r++)
        for (let j = 0; j < 3; j++)
          for (let i = 0; i < 6; i++) {
            const term = W1.weights[r * 6 + i] * W0.weights[i * 3 + j];
            if (states[0][i] === 1) {
              lo[r * 3 + j] += term;
              hi[r * 3 + j] += term;
            } else if (states[0][i] === -1) {
              lo[r * 3 + j] += Math.min(0, term);
              hi[r * 3 + j] += Math.max(0, term);
            }
          }
      for (const norm of ['1', '2', 'inf'] as Norm[]) {
        const bound = intervalJacobianBound(net, domain, norm);
        for (let o = 0; o < 6; o++) {
          expect(bound.lo[o]).toBeLessThanOrEqual(lo[o] + 1e-12);
          expect(bound.lo[o]).toBeGreaterThanOrEqual(lo[o] - 1e-12);
          expect(bound.hi[o]).toBeGreaterThanOrEqual(hi[o] - 1e-12);
          expect(bound.hi[o]).toBeLessThanOrEqual(hi[o] + 1e-12);
        }
        const abs = Float64Array.from(lo, (v, o) => Math.max(Math.abs(v), Math.abs(hi[o])));
        const exact = operatorNorm({ rows: 2, cols: 3, data: abs }, norm);
        // p = 1, ∞: sums of 3 terms rounded up by γ; p = 2: a proven spectral norm (above the SVD's value).
        expect(bound.value).toBeGreaterThanOrEqual(exact * (1 + (norm === '2' ? 1e-13 : (3 / 2 ** 53))));
        expect(bound.value).toBeLessThanOrEqual(exact * (1 + 1e-8) + 1e-12);
        expect(bound.unstable).toBe(states[0].filter((v) => v === -1).length / 6);
      }
    }
  });
  it('bounds ‖J‖ at every sampled point of the box, and every pattern of its unstable neurons, on deeper nets', () => {
    const s = createStream(15, 'test/unit/interval-jacobian-deep');
    for (let t = 0; t < 8; t++) {
      const net = randomNet(s, 2, [4, 3], 2, 0.2);
      const b = box([-0.3, 0.1], [0.3, 0.2 + s.uniform()]);
      const domain = queryDomain(net, b);
      const states = neuronStates(preActivationBounds(net, domain));
      for (const norm of ['1', '2', 'inf'] as Norm[]) {
        const bound = intervalJacobianBound(net, domain, norm);
        for (let p = 0; p < 10; p++) {
          const J = jacobian(net, randomPoint(s, b));
          expect(operatorNorm(J, norm)).toBeLessThanOrEqual(bound.value);
          J.data.forEach((v, o) => {
            expect(v).toBeGreaterThanOrEqual(bound.lo[o]);
            expect(v).toBeLessThanOrEqual(bound.hi[o]);
          });
        }
        // Any pattern consistent with the states (unstable ones free) stays inside the interval matrix.
        for (let p = 0; p < 10; p++) {
          const masks = states.map((st) => Array.from(st, (v) => (v === -1 ? (s.uniform() < 0.5 ? 1 : 0) : v)));
          jacobianOfMasks(net, masks).forEach((v, o) => {
            expect(v).toBeGreaterThanOrEqual(bound.lo[o] - 1e-12);
            expect(v).toBeLessThanOrEqual(bound.hi[o] + 1e-12);
          });
        }
      }
    }
  });
  it('at a point where every neuron is stable it is ‖J‖ there; with every neuron unstable it counts them all', () => {
    const s = createStream(16, 'test/unit/interval-jacobian-stable');
    const net = randomNet(s, 3, [5, 5], 2);
    const x = [0.1, 0.2, -0.3];
    const tiny = box(x.map((v) => v - 1e-9), x.map((v) => v + 1e-9));
    const domain = queryDomain(net, tiny);
    for (const norm of ['1', '2', 'inf'] as Norm[]) {
      const bound = intervalJacobianBound(net, domain, norm);
      expect(bound.unstable).toBe(0);
      const exact = operatorNorm(jacobian(net, x), norm);
      expect(bound.value).toBeGreaterThanOrEqual(exact);
      expect(bound.value).toBeLessThanOrEqual(exact * (1 + 1e-8));
    }
    // Every entry of the interval matrix carries a rounding allowance, though here it is a point.
    for (const norm of ['1', 'inf'] as Norm[]) {
      const bound = intervalJacobianBound(net, domain, norm);
      bound.lo.forEach((lo, o) => expect(bound.hi[o] - lo).toBeGreaterThan(0));
    }
    // A 1×100 Jacobian (p = ∞: one row sum of 100 terms) needs a relative margin of at least γ_99.
    const wide = makeNetwork(100, [
      { inDim: 100, outDim: 1, weights: new Float64Array(100).fill(0.5), biases: Float64Array.of(1000) },
      { inDim: 1, outDim: 1, weights: Float64Array.of(1), biases: Float64Array.of(0) },
    ]);
    const wideBound = intervalJacobianBound(wide, queryDomain(wide, box(new Array(100).fill(-1), new Array(100).fill(1))), 'inf');
    expect(wideBound.unstable).toBe(0);
    expect(wideBound.value).toBeGreaterThanOrEqual(50 * (1 + 99 / (2 ** 53 - 99)));
    // Zero biases, global: every hyperplane passes through the origin, so every neuron is unstable.
    const cone = makeNetwork(2, [
      { inDim: 2, outDim: 3, weights: Float64Array.of(1, 2, -1, 1, 3, -2), biases: new Float64Array(3) },
      { inDim: 3, outDim: 1, weights: Float64Array.of(1, -1, 2), biases: new Float64Array(1) },
    ]);
    expect(intervalJacobianBound(cone, queryDomain(cone, null), '1').unstable).toBe(1);
    // An affine network (no hidden layer): its only Jacobian, no unstable fraction.
    const affine = makeNetwork(2, [{ inDim: 2, outDim: 2, weights: Float64Array.of(1, -2, 3, 4), biases: Float64Array.of(0, 1) }]);
    const a = intervalJacobianBound(affine, queryDomain(affine, null), 'inf');
    expect(a.unstable).toBe(0);
    expect(a.value).toBeGreaterThanOrEqual(7);
    expect(a.value).toBeLessThanOrEqual(7 * (1 + 1e-14));
  });
});

describe('preActivationBounds: rounding', () => {
  it('contain the exact pre-activation when a later layer cancels its terms: −0.1x − 0.2x + 0.3x at x = 1e8 computes to 0, is −2.8e-9', () => {
    const net = makeNetwork(1, [denseLayer([[0.1], [0.2], [0.3]], [0, 0, 0]), denseLayer([[-1, -1, 1]], [0]), denseLayer([[1]], [0])]);
    const b = box([1e8], [1e8]);
    const bounds = preActivationBounds(net, queryDomain(net, b));
    const z = mul(dyadic(1e8), add(add(dyadic(0.3), dyadic(-0.1)), dyadic(-0.2)));
    expect(sign(z)).toBe(-1);
    expect(sign(add(z, dyadic(-bounds.lo[1][0])))).toBeGreaterThanOrEqual(0); // lo ≤ z
    expect(sign(add(z, dyadic(-bounds.hi[1][0])))).toBeLessThanOrEqual(0); // z ≤ hi
    expect(bounds.hi[1][0] - bounds.lo[1][0]).toBeLessThan(1e-5);
  });
});

describe('intervalJacobianBound: rounding', () => {
  it('contains J in exact arithmetic when the computed product cancels to 0: J = 0.1 + 0.3 − 0.4 = −2⁻⁵⁵, every unit active', () => {
    const { net, bounds, J } = cancellingChain();
    expect(sign(J)).toBe(-1);
    for (const p of ['1', '2', 'inf'] as Norm[]) {
      const r = intervalJacobianBound(net, queryDomain(net, null), p, bounds);
      expect(sign(add(J, dyadic(-r.lo[0])))).toBeGreaterThanOrEqual(0); // lo ≤ J
      expect(sign(add(J, dyadic(-r.hi[0])))).toBeLessThanOrEqual(0); // J ≤ hi
      expect(sign(add(J, dyadic(r.value)))).toBeGreaterThanOrEqual(0); // |J| ≤ value
      expect(r.value).toBeLessThan(1e-14);
      expect(r.unstable).toBe(0);
    }
  });
});
