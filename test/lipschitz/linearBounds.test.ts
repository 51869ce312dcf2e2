import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/lipschitz/budget.js';
import { cubePreActivations, queryDomain, type Domain } from '../../src/lipschitz/domain.js';
import { boxFromPairs, type Box } from '../../src/lipschitz/query.js';
import { preActivationBounds, type PreActivationBounds } from '../../src/lipschitz/upper/intervals.js';
import { linearPreActivationBounds } from '../../src/lipschitz/upper/linearBounds.js';
import { forward, pieceMaps } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';
import { add, dyadic, mul, sign, type Dyadic } from '../support/exactArithmetic.js';

/** Cube points: every vertex (d ≤ 4) and `random` uniform points, from a fixed stream. */
function cubePoints(n: number, random: number, seed: number): Float64Array[] {
  const points: Float64Array[] = [];
  if (n <= 4) for (let mask = 0; mask < 1 << n; mask++) points.push(Float64Array.from({ length: n }, (_, k) => ((mask >> k) & 1 ? 1 : -1)));
  const s = createStream(seed, 'cube-points');
  for (let i = 0; i < random; i++) points.push(Float64Array.from({ length: n }, () => 2 * s.uniform() - 1));
  return points;
}

const ZERO: Dyadic = { m: 0n, e: 0 };
const HALF = dyadic(0.5);
const relu = (z: Dyadic): Dyadic => (z.m > 0n ? z : ZERO);
/** The sign of a − b, exactly. */
const compare = (a: Dyadic, b: number): number => sign(add(a, mul(dyadic(-1), dyadic(b))));

/**
 * The exact hidden pre-activations at a cube point u: on a box at x = (lo + hi)/2 + u ⊙ (hi − lo)/2
 * (the box itself, not the domain's rounded centre), on the lifted domain t·z(S·u/t) with
 * t = (u_{d+1} + 1)/2 — all in BigInt arithmetic, so no rounding is shared with the code under test.
 */
function exactCubePreActivations(net: Network, domain: Domain, u: ArrayLike<number>): Dyadic[][] {
  const d = domain.inputDim;
  const box = domain.box;
  let t = dyadic(1);
  let h: Dyadic[];
  if (box) {
    h = Array.from({ length: d }, (_, k) => {
      const lo = dyadic(box.lo[k]);
      const hi = dyadic(box.hi[k]);
      return mul(HALF, add(add(lo, hi), mul(dyadic(u[k]), add(hi, mul(dyadic(-1), lo)))));
    });
  } else {
    t = mul(HALF, add(dyadic(u[d]), dyadic(1)));
    h = Array.from({ length: d }, (_, k) => mul(dyadic(domain.scale), dyadic(u[k])));
  }
  const out: Dyadic[][] = [];
  for (let l = 0; l < net.layers.length - 1; l++) {
    const layer = net.layers[l];
    const z = Array.from({ length: layer.outDim }, (_, i) => {
      let s = mul(dyadic(layer.biases[i]), t);
      for (let j = 0; j < layer.inDim; j++) s = add(s, mul(dyadic(layer.weights[i * layer.inDim + j]), h[j]));
      return s;
    });
    out.push(z);
    h = z.map(relu);
  }
  return out;
}

/** Every exact pre-activation at every point lies in the bounds (exact comparison). */
function expectContainsExactly(net: Network, domain: Domain, bounds: PreActivationBounds, points: Float64Array[]): void {
  for (const u of points) {
    const z = exactCubePreActivations(net, domain, u);
    z.forEach((layer, l) =>
      layer.forEach((v, i) => {
        expect(compare(v, bounds.lo[l][i]), `layer ${l} neuron ${i} below its lower bound at u = ${Array.from(u)}`).toBeGreaterThanOrEqual(0);
        expect(compare(v, bounds.hi[l][i]), `layer ${l} neuron ${i} above its upper bound at u = ${Array.from(u)}`).toBeLessThanOrEqual(0);
      }),
    );
  }
}

const he = (d: number, widths: number[], bias: string, seed: number, outputs = 1) =>
  sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(bias), weights: 'he-fanout', seed, outputs });

describe('linear (CROWN) pre-activation bounds', () => {
  it('contain every exact pre-activation, on boxes and globally, and are never looser than intervals', () => {
    for (const [d, widths, bias] of [[2, [6, 5, 4], 'normal:1'], [3, [5, 5], 'uniform:1'], [2, [4, 4, 4, 3], 'zero'], [4, [8, 6], 'student-t:2']] as [number, number[], string][]) {
      for (let seed = 0; seed < 2; seed++) {
        const net = he(d, widths, bias, seed);
        const box = boxFromPairs(Array.from({ length: d }, (_, k) => [-0.4 + 0.1 * k, 0.5 + 0.05 * k] as [number, number]), d);
        for (const b of [box, null]) {
          const domain = queryDomain(net, b);
          const intervals = preActivationBounds(net, domain);
          const bounds = linearPreActivationBounds(net, domain);
          expect(bounds.stoppedEarly).toBe(false);
          expect(bounds.refined).toBe(bounds.total);
          expectContainsExactly(net, domain, bounds, cubePoints(domain.n, 20, seed));
          bounds.lo.forEach((lo, l) =>
            lo.forEach((v, i) => {
              expect(v).toBeGreaterThanOrEqual(intervals.lo[l][i]);
              expect(bounds.hi[l][i]).toBeLessThanOrEqual(intervals.hi[l][i]);
            }),
          );
        }
      }
    }
  });

  it('are exact (up to rounding) where every earlier neuron is stable, and there beat intervals', () => {
    // A small box around a point where layer 0 is far from its kinks: layer 1 is affine on the box,
    // so its range is A·centre + c ± |A|·half exactly — CROWN must find it, intervals do not.
    const net = he(3, [6, 5], 'normal:1', 4);
    const x0 = [0.3, -0.2, 0.5];
    const z0 = forward(net, x0).preActivations[0];
    const margin = Math.min(...Array.from(z0, Math.abs));
    const r = margin / 20;
    const box: Box = boxFromPairs(x0.map((v) => [v - r, v + r] as [number, number]), 3);
    const domain = queryDomain(net, box);
    const bounds = linearPreActivationBounds(net, domain);
    const intervals = preActivationBounds(net, domain);
    const { A, c } = pieceMaps(net, [Uint8Array.from(z0, (v) => (v > 0 ? 1 : 0)), new Uint8Array(5)]);
    let strictlyTighter = 0;
    for (let i = 0; i < 5; i++) {
      let mid = c[1][i];
      let spread = 0;
      for (let k = 0; k < 3; k++) {
        mid += A[1][i * 3 + k] * domain.centre[k];
        spread += Math.abs(A[1][i * 3 + k]) * domain.half[k];
      }
      const tol = 1e-12 * (Math.abs(mid) + spread + 1);
      expect(bounds.hi[1][i]).toBeCloseTo(mid + spread, 10);
      expect(Math.abs(bounds.hi[1][i] - (mid + spread))).toBeLessThan(tol);
      expect(Math.abs(bounds.lo[1][i] - (mid - spread))).toBeLessThan(tol);
      if (intervals.hi[1][i] - bounds.hi[1][i] > 1e-6 * spread) strictlyTighter++;
    }
    expect(strictlyTighter).toBeGreaterThan(0);
  });

  it('stay sound far from the origin: centre 1e8, widths 1e-3 and 1e-7, kinks inside (exact arithmetic)', () => {
    const c = 1e8;
    const rows = [[1, 0.5], [-0.7, 1.3], [0.25, -1], [2, 1], [1e-3, 3]];
    const offsets = [1e-4, -2e-4, 5e-5, 0, 3e-4];
    for (const width of [1e-3, 1e-7]) {
      const bias = rows.map((w, i) => -(w[0] + w[1]) * c + offsets[i] * (width / 1e-3));
      // Two more first-layer neurons, x₁ and x₁ + 1e-9·x₂ (about 1e8 and 1e8 + 0.1, always active,
      // the second not a double), whose difference the second layer takes: a layer-1 pre-activation
      // within 1e-12 of 0 on the box, built from terms of 1e8 — only the rounding bookkeeping
      // (the first layer's rounding error, carried through) keeps it inside its bounds.
      const net = makeNetwork(2, [
        denseLayer([...rows, [1, 0], [1, 1e-9]], [...bias, 0, 0]),
        denseLayer([[1, -1, 0.5, 0.25, -2, 0, 0], [-0.5, 1, 1, -1, 0.3, 0, 0], [0.2, 0.2, -1, 1, 1, 0, 0], [0, 0, 0, 0, 0, -1, 1]], [1e-5, -2e-5, 0, -0.1]),
        denseLayer([[1, -1, 2, 1]], [0]),
      ]);
      const box = boxFromPairs([[c - width / 2, c + width / 2], [c - width / 2, c + width / 2]], 2);
      const domain = queryDomain(net, box);
      const bounds = linearPreActivationBounds(net, domain);
      const points = cubePoints(2, 300, 7);
      expectContainsExactly(net, domain, bounds, points);
      // A kink inside: some first-layer neuron takes both signs on the box.
      const signs = new Set(points.flatMap((u) => Array.from(cubePreActivations(net, domain, u)[0], Math.sign)));
      expect(signs.has(1) && signs.has(-1)).toBe(true);
      // Not vacuous: the first layer's bounds are within 2 % of its exact range Σ|w|·width/2.
      rows.forEach((w, i) => {
        const exactRange = (Math.abs(w[0]) + Math.abs(w[1])) * domain.half[0] * 2;
        expect(bounds.hi[0][i] - bounds.lo[0][i]).toBeLessThan(1.02 * exactRange + 1e-6 * width);
      });
    }
  });

  it('scale with the weights from 1e-8 to 1e8 and stay sound there', () => {
    const base = he(2, [5, 4], 'normal:1', 9);
    const box = boxFromPairs([[-0.3, 0.4], [0.1, 0.9]], 2);
    const reference = linearPreActivationBounds(base, queryDomain(base, box));
    for (const s of [1e-8, 1e8]) {
      // Weights of layer ℓ and biases × s^{ℓ+1}: every pre-activation of layer ℓ scales by s^{ℓ+1}.
      const net = makeNetwork(2, base.layers.map((layer, l) => ({
        ...layer,
        weights: layer.weights.map((w) => w * s),
        biases: layer.biases.map((b) => b * s ** (l + 1)),
      })));
      const domain = queryDomain(net, box);
      const bounds = linearPreActivationBounds(net, domain);
      expectContainsExactly(net, domain, bounds, cubePoints(2, 30, 3));
      bounds.hi.forEach((hi, l) =>
        hi.forEach((v, i) => {
          const f = s ** (l + 1);
          expect(Math.abs(v / f - reference.hi[l][i])).toBeLessThan(1e-9 * (1 + Math.abs(reference.hi[l][i])));
          expect(Math.abs(bounds.lo[l][i] / f - reference.lo[l][i])).toBeLessThan(1e-9 * (1 + Math.abs(reference.lo[l][i])));
        }),
      );
    }
  });

  it('fall back to the interval bounds when the budget runs out, and stay sound part-way', () => {
    const net = he(3, [6, 6, 6], 'normal:1', 2);
    const domain = queryDomain(net, boxFromPairs([[-0.5, 0.5], [-0.2, 0.3], [0, 1]], 3));
    const intervals = preActivationBounds(net, domain);
    const none = linearPreActivationBounds(net, domain, { budget: new Budget(-1) });
    expect(none.stoppedEarly).toBe(true);
    expect(none.refined).toBe(0);
    expect(none.lo).toEqual(intervals.lo);
    expect(none.hi).toEqual(intervals.hi);
    // A budget that allows two blocks (layer 0 and layer 1 with 16 neurons per block), then stops.
    let calls = 0;
    const partial = { exceeded: () => (++calls > 2 ? 'time' : null) } as unknown as Budget;
    const some = linearPreActivationBounds(net, domain, { budget: partial });
    expect(some.stoppedEarly).toBe(true);
    expect(some.refined).toBe(12);
    expect(some.lo[2]).toEqual(intervals.lo[2]);
    expectContainsExactly(net, domain, some, cubePoints(3, 40, 1));
    const full = linearPreActivationBounds(net, domain);
    for (let i = 0; i < 6; i++) expect(some.hi[1][i]).toBe(full.hi[1][i]);
  });
});
