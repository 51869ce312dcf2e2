import { describe, expect, it } from 'vitest';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { queryDomain } from '../../src/lipschitz/domain.js';
import { boxFromPairs } from '../../src/lipschitz/query.js';
import { intervalJacobianBound, neuronStates, preActivationBounds } from '../../src/lipschitz/upper/intervals.js';
import { shallowZonotopeBound, zonotopeBoundFor, ZONOTOPE_MAX_INPUT_DIM } from '../../src/lipschitz/upper/zonotope.js';
import { gradient } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { tickingClock } from '../support/lipschitzUnits.js';

/** max over all on/off choices of the free units of ‖Σ_{on} h_j‖ (stable units fixed): by enumeration. */
function zonotopeMaximum(net: Network, states: Int8Array | null): number {
  const d = net.inputDim;
  const [hidden, output] = net.layers;
  const fixed = new Float64Array(d);
  const free: Float64Array[] = [];
  for (let j = 0; j < hidden.outDim; j++) {
    const h = Float64Array.from(hidden.weights.subarray(j * d, (j + 1) * d), (w) => output.weights[j] * w);
    const s = states ? states[j] : -1;
    if (s === 1) h.forEach((x, k) => (fixed[k] += x));
    else if (s === -1) free.push(h);
  }
  let best = 0;
  for (let mask = 0; mask < 1 << free.length; mask++) {
    const g = fixed.slice();
    free.forEach((h, j) => {
      if (mask & (1 << j)) h.forEach((x, k) => (g[k] += x));
    });
    best = Math.max(best, Math.hypot(...g));
  }
  return best;
}

const exact = (net: Network, box: ReturnType<typeof boxFromPairs> | null) => {
  const r = exactLipschitz(net, { norm: '2', box });
  if (r.kind !== 'exact') throw new Error(r.message);
  return r.lipschitz;
};

describe('the gradient-zonotope bound (one hidden layer, p = 2)', () => {
  it('lies between the exact constant and √(π/2) times the zonotope maximum, globally and on boxes', () => {
    let checked = 0;
    for (let seed = 0; seed < 24; seed++) {
      const d = 1 + (seed % 3);
      const N = 3 + (seed % 9);
      const net = sampleNetwork({ inputDim: d, widths: [N], bias: parseBiasLaw(seed % 4 === 0 ? 'zero' : 'normal:1'), weights: seed % 2 ? 'he-fanin' : 'he-fanout', seed });
      const box = boxFromPairs(Array.from({ length: d }, (_, i) => [-0.5 + 0.2 * i, 0.4 + 0.1 * i] as [number, number]), d);
      for (const b of [null, box]) {
        const states = b ? neuronStates(preActivationBounds(net, queryDomain(net, b)))[0] : null;
        const z = shallowZonotopeBound(net, states, { timeLimit: 5 })!;
        const Z = zonotopeMaximum(net, states);
        const lip = exact(net, b);
        expect(Z).toBeGreaterThanOrEqual(lip * (1 - 1e-12)); // the zonotope holds every gradient
        expect(z.upper).toBeGreaterThanOrEqual(Z); // (★) bounds the zonotope
        expect(z.upper).toBeLessThanOrEqual(Math.sqrt(Math.PI / 2) * Z * 1.001 + 1e-12); // Nesterov's factor: the weights are near optimal
        checked++;
      }
    }
    expect(checked).toBe(48);
  });

  it('is exact for a single unit and for |x|, and counts the free units', () => {
    const one = makeNetwork(3, [denseLayer([[1, -2, 2]], [0.5]), denseLayer([[-2]], [0])]);
    const z1 = shallowZonotopeBound(one, null, { timeLimit: 1 })!;
    expect(z1.upper).toBeGreaterThanOrEqual(6);
    expect(z1.upper).toBeCloseTo(6, 7);
    expect(z1.free).toBe(1);
    const abs = makeNetwork(1, [denseLayer([[1], [-1]], [0, 0]), denseLayer([[1, 1]], [0])]);
    expect(shallowZonotopeBound(abs, null, { timeLimit: 1 })!.upper).toBeCloseTo(1, 8);
    // On a box where the first unit is always on and the second always off, nothing is free.
    const fixed = shallowZonotopeBound(abs, Int8Array.of(1, 0), { timeLimit: 1 })!;
    expect(fixed.free).toBe(0);
    expect(fixed.upper).toBeCloseTo(1, 8);
  });

  it('scales: weights ×1e-100 in each layer give the bound ×1e-200 (no underflow), ×1e200 give Infinity, never NaN', () => {
    const net = sampleNetwork({ inputDim: 3, widths: [7], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 9 });
    const scaled = (f: number) => makeNetwork(3, net.layers.map((l) => ({ ...l, weights: l.weights.map((w) => w * f) })));
    const base = shallowZonotopeBound(net, null, { timeLimit: 1 })!.upper;
    const tiny = shallowZonotopeBound(scaled(1e-100), null, { timeLimit: 1 })!.upper;
    expect(tiny / 1e-200 / base).toBeCloseTo(1, 9);
    expect(tiny).toBeGreaterThanOrEqual(exact(scaled(1e-100), null));
    expect(shallowZonotopeBound(scaled(1e200), null, { timeLimit: 1 })!.upper).toBe(Infinity);
  });

  it('stays sound when units differ wildly in scale (regressions from review: underflow, rescaling)', () => {
    // Only the third unit has a nonzero gradient, v·w = 1e-20·1e-20: the others set the scales.
    const tiny = makeNetwork(1, [denseLayer([[0], [1e300], [1e-20]], [0, 0, 0.5]), denseLayer([[1e300, 0, 1e-20]], [0])]);
    expect(shallowZonotopeBound(tiny, null, { timeLimit: 1 })!.upper).toBeGreaterThanOrEqual(1e-40);
    // Output and first-layer scales of opposite signs (2^−1000 and 2^950): Lip = 2^−50·‖(1, t)‖.
    for (const t of [0.33, 0.5, 0.7]) {
      const net = makeNetwork(2, [denseLayer([[0, 0], [2 ** 1000, 0], [2 ** 950, t * 2 ** 950]], [0, 0, 0.5]), denseLayer([[2 ** -1000, 0, 2 ** -1000]], [0])]);
      expect(shallowZonotopeBound(net, null, { timeLimit: 1 })!.upper).toBeGreaterThanOrEqual(2 ** -50 * Math.hypot(1, t));
    }
    // The same function written with units scaled by (v·α, w/α, b/α): the same bound at every α.
    const base = sampleNetwork({ inputDim: 2, widths: [5], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 2 });
    const at = (alpha: number) =>
      shallowZonotopeBound(
        makeNetwork(2, [
          { ...base.layers[0], weights: base.layers[0].weights.map((w) => w / alpha), biases: base.layers[0].biases.map((b) => b / alpha) },
          { ...base.layers[1], weights: base.layers[1].weights.map((v) => v * alpha) },
        ]),
        null,
        { timeLimit: 1 },
      )!.upper;
    for (const alpha of [1e-120, 1e81, 1e150]) expect(at(alpha) / at(1)).toBeCloseTo(1, 6);
  });

  it('works with 200,000 free units (no argument spread over them: Math.max(...r) overflows the stack there)', () => {
    // f(x) = Σ_j ρ(cos j·x₁ + sin j·x₂): every unit free globally; the gradient at (1, 0) sums the unit
    // vectors pointing into the half-plane x₁ > 0, about N/π long.
    const N = 200_000;
    const net = makeNetwork(2, [denseLayer(Array.from({ length: N }, (_, j) => [Math.cos(j), Math.sin(j)]), new Array(N).fill(0)), denseLayer([new Array(N).fill(1)], [0])]);
    const r = shallowZonotopeBound(net, null, { timeLimit: 5, maxIterations: 1 })!;
    expect(r.free).toBe(N);
    expect(r.upper).toBeGreaterThanOrEqual(Math.hypot(...gradient(net, [1, 0])));
    expect(r.upper).toBeLessThan(N);
  });

  it('applies only to scalar networks with one hidden layer and d ≤ ZONOTOPE_MAX_INPUT_DIM', () => {
    const bias = parseBiasLaw('normal:1');
    expect(shallowZonotopeBound(sampleNetwork({ inputDim: 2, widths: [3, 3], bias, weights: 'he-fanout', seed: 1 }), null, { timeLimit: 1 })).toBeNull();
    expect(shallowZonotopeBound(sampleNetwork({ inputDim: 2, widths: [3], bias, weights: 'he-fanout', seed: 1, outputs: 2 }), null, { timeLimit: 1 })).toBeNull();
    expect(shallowZonotopeBound(sampleNetwork({ inputDim: ZONOTOPE_MAX_INPUT_DIM + 1, widths: [3], bias, weights: 'he-fanout', seed: 1 }), null, { timeLimit: 1 })).toBeNull();
  });

  it('lets verify prove an upper claim that the other instant bounds cannot', async () => {
    const { verifyClaim } = await import('../../src/lipschitz/verify.js');
    const net = sampleNetwork({ inputDim: 8, widths: [64], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1 });
    const query = { norm: '2' as const, box: null };
    // On a clock that stands still both zonotope runs stop where they converge (or at their iteration
    // cap), not where a loaded machine's time ran out, so they agree exactly.
    const clock = tickingClock(0);
    try {
      const z = zonotopeBoundFor(net, query, 1)!.upper;
      const claim = 1.01 * z;
      expect(intervalJacobianBound(net, queryDomain(net, null), '2').value).toBeGreaterThan(claim);
      const v = await verifyClaim(net, query, { kind: 'upper', value: claim }, { timeLimit: 1 });
      expect([v.status, v.proven]).toEqual(['consistent', true]);
      expect(v.upper).toBe(z);
    } finally {
      clock.restore();
    }
  });

  it('brackets d = 8, N = 64 He-random nets within 1.5 of the best witness in certifiedBounds', async () => {
    const { certifiedBounds } = await import('../../src/lipschitz/bounds.js');
    const net = sampleNetwork({ inputDim: 8, widths: [64], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1 });
    const r = await certifiedBounds(net, { norm: '2', box: null }, { timeLimit: 20, targetGap: 1.5 });
    // The zonotope bound alone brackets within 1.5 (LipSDP, run beside it, may be tighter still).
    expect(r.methods.zonotope.value).toBeGreaterThanOrEqual(r.upper);
    expect(r.methods.zonotope.value).toBeLessThanOrEqual(1.5 * r.lower);
    expect(r.gap).toBeLessThanOrEqual(1.5);
  });
});
