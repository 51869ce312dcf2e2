import { describe, expect, it } from 'vitest';
import { NORMS, type Norm } from '../../../../src/linalg/norms.js';
import { smoothedAscentDirection } from '../../../../src/lipschitz/lower/smoothedSlope.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { randomNet } from '../../../support/lowerUnits.js';

/**
 * An independent model of the smoothed network: ReLU → τ_ℓ·softplus(z/τ_ℓ) (written the stable way,
 * max(r, 0) + log1p(e^−|r|)), τ_ℓ = temperature × RMS of layer ℓ's pre-activations at x (1 if they
 * are all 0), fixed at x. Its Jacobian J_τ(y) (k × d) by forward tangents along each unit vector.
 */
function smoothedModel(net: Network, x: number[], temperature: number): (y: number[]) => number[][] {
  const taus: number[] = [];
  let a = x;
  for (let l = 0; l < net.layers.length - 1; l++) {
    const z = affine(net, l, a, true);
    const rms = Math.sqrt(z.reduce((s, v) => s + v * v, 0) / z.length);
    taus.push(temperature * rms || 1);
    a = z.map((v) => taus[l] * softplus(v / taus[l]));
  }
  return (y) => {
    const d = y.length;
    let value = y;
    let T: number[][] = Array.from({ length: d }, (_, j) => y.map((_, i) => (i === j ? 1 : 0))); // T[j] = ∂a/∂y_j
    for (let l = 0; l < net.layers.length; l++) {
      const z = affine(net, l, value, true);
      const dz = T.map((t) => affine(net, l, t, false));
      if (l === net.layers.length - 1) return z.map((_, r) => dz.map((col) => col[r])); // k × d
      const gate = z.map((v) => 1 / (1 + Math.exp(-v / taus[l])));
      value = z.map((v) => taus[l] * softplus(v / taus[l]));
      T = dz.map((col) => col.map((v, i) => v * gate[i]));
    }
    throw new Error('unreachable');
  };
}
const softplus = (r: number) => Math.max(r, 0) + Math.log1p(Math.exp(-Math.abs(r)));
function affine(net: Network, l: number, a: number[], bias: boolean): number[] {
  const { outDim, inDim, weights, biases } = net.layers[l];
  return Array.from({ length: outDim }, (_, i) => {
    let s = bias ? biases[i] : 0;
    for (let j = 0; j < inDim; j++) s += weights[i * inDim + j] * a[j];
    return s;
  });
}

/**
 * The objective whose gradient the direction is, as the module's comment defines it: p = 2,
 * ½‖J_τ(y)ᵀc‖²; p = ∞, cᵀJ_τ(y)u with u = sign(J_τ(x)ᵀc); p = 1, cᵀJ_τ(y)u with c = sign(J_τ(x)u).
 */
function objective(J: (y: number[]) => number[][], x: number[], p: Norm, u: number[], c: number[]): (y: number[]) => number {
  const Jx = J(x);
  const cT = (M: number[][], w: number[]) => M[0].map((_, j) => M.reduce((s, row, r) => s + w[r] * row[j], 0));
  if (p === '2') return (y) => 0.5 * cT(J(y), c).reduce((s, v) => s + v * v, 0);
  const uu = p === 'inf' ? cT(Jx, c).map(Math.sign) : u;
  const cc = p === '1' ? Jx.map((row) => Math.sign(row.reduce((s, v, j) => s + v * uu[j], 0))) : c;
  return (y) => J(y).reduce((s, row, r) => s + cc[r] * row.reduce((t, v, j) => t + v * uu[j], 0), 0);
}

/** The gradient of φ by central differences (step h). */
const numericGradient = (phi: (y: number[]) => number, x: number[], h: number) =>
  x.map((_, j) => (phi(x.map((v, i) => (i === j ? v + h : v))) - phi(x.map((v, i) => (i === j ? v - h : v)))) / (2 * h));

function expectGradient(net: Network, x: number[], p: Norm, u: number[], c: number[], temperature: number): void {
  const got = Array.from(smoothedAscentDirection(net, x, p, { u: Float64Array.from(u), c: Float64Array.from(c) }, temperature));
  const want = numericGradient(objective(smoothedModel(net, x, temperature), x, p, u, c), x, 1e-5);
  const scale = Math.max(...want.map(Math.abs));
  expect(scale).toBeGreaterThan(1e-4); // a direction worth comparing
  got.forEach((g, j) => expect(Math.abs(g - want[j])).toBeLessThan(1e-6 * scale));
}

describe('smoothedAscentDirection', () => {
  it('is the gradient of the smoothed objective for each norm, two hidden layers, two outputs', () => {
    const f = randomNet(3, [5, 4], 2, 21);
    const x = [0.4, -0.7, 1.1];
    for (const p of NORMS) {
      for (const temperature of [0.3, 0.05]) {
        // u (for p = 1: a coordinate vector) and c (for p = 2, ∞: a unit output combination).
        expectGradient(f, x, p, p === '1' ? [0, 1, 0] : [0.48, -0.6, 0.64], [0.6, -0.8], temperature);
      }
    }
  });
  it('one hidden layer, one output', () => {
    const f = randomNet(2, [6], 1, 4);
    for (const p of NORMS) expectGradient(f, [0.9, -0.3], p, p === '1' ? [1, 0] : [0.6, 0.8], [1], 0.2);
  });
  it('takes τ = 1 where every pre-activation is 0, and stays finite where z/τ is beyond e^709', () => {
    // Zero biases at x = 0: every z = 0, the RMS is 0.
    const zero = makeNetwork(2, [denseLayer([[1, 2], [-1, 1]], [0, 0]), denseLayer([[1, -2], [0.5, 1]], [0, 0]), denseLayer([[1, 1]], [0])]);
    expectGradient(zero, [0, 0], '2', [0.6, 0.8], [1], 0.3);
    // z = (1e6, 1) at x = 1 with temperature 1e-3: τ ≈ 707, z/τ ≈ 1414 (e^1414 overflows).
    const wide = makeNetwork(1, [denseLayer([[1e6], [1]], [0, 0]), denseLayer([[1e-6, 1]], [0.5]), denseLayer([[1]], [0])]);
    const h = smoothedAscentDirection(wide, [1], '2', { u: Float64Array.of(1), c: Float64Array.of(1) }, 1e-3);
    expect(Number.isFinite(h[0])).toBe(true);
    expectGradient(wide, [1], '2', [1], [1], 1e-3);
  });
});
