import { describe, expect, it } from 'vitest';
import { exactLipschitz, type ExactOutcome, type ExactValue } from '../../src/lipschitz/exact/index.js';
import { certifiedPattern, exactSigns, pieceRowVanishes } from '../../src/lipschitz/exact/certify.js';
import { queryDomain } from '../../src/lipschitz/domain.js';
import { boxFromPairs, type Box } from '../../src/lipschitz/query.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { NORMS } from '../../src/linalg/norms.js';
import { exactBruteForce } from '../support/exactBruteForce.js';

/**
 * Degenerate networks and the LPs that floating point cannot settle, against the exact-arithmetic
 * brute force (test/support/exactBruteForce.ts, which shares nothing with src/lipschitz/). Each case
 * is a counterexample the adversarial suite found (properties/adversarial.test.ts) or a cancellation
 * built by hand; before the fixes exact threw, gave up, or missed the maximising region.
 */

function exact(o: ExactOutcome): ExactValue {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o;
}

function net(d: number, layers: { W: number[][]; b: number[] }[]): Network {
  return makeNetwork(
    d,
    layers.map((l) => denseLayer(l.W, l.b)),
  );
}

/** exactLipschitz equals the exact brute force in every norm (1e-12 relative). */
function expectBruteForce(f: Network, box: Box | null): void {
  const truth = exactBruteForce(f, box).lipschitz;
  for (const p of NORMS) {
    const r = exact(exactLipschitz(f, { norm: p, box }, { timeLimit: 20 }));
    expect(Math.abs(r.lipschitz - truth[p]), `p = ${p}: ${r.lipschitz} vs ${truth[p]}`).toBeLessThanOrEqual(1e-12 * Math.max(1, truth[p]));
  }
}

describe('neurons constant on the domain are no kinks (KNOWN_CORE_BUGS zero-rows, seed 1404)', () => {
  // Every hidden neuron is constant: W₀ = 0, b₀ = 0, then a neuron fed by a dead one.
  const constant = net(2, [
    { W: [[0, 0], [0, 0]], b: [0, 0] },
    { W: [[0, -1], [0, 0]], b: [0, 0] },
    { W: [[0, 0]], b: [0] },
  ]);
  it('one region, constant 0, globally and on the box (it threw "no point strictly inside a linear region")', () => {
    for (const box of [boxFromPairs([[-0.1, 0.1], [-0.1, 0.1]], 2), null]) {
      for (const p of NORMS) {
        const r = exact(exactLipschitz(constant, { norm: p, box }));
        expect(r.lipschitz).toBe(0);
        expect(r.regions).toBe(1);
      }
    }
  });
  it('a neuron fed by a dead one is constant whatever its weight; a live path is not', () => {
    const box = boxFromPairs([[-1, 1], [-1, 1]], 2);
    const domain = queryDomain(constant, box);
    const c = certifiedPattern(constant, domain, [0.3, -0.2]);
    expect(c.certified).toBe(true);
    const live = net(2, [
      { W: [[1, 0], [0, 0]], b: [0, 0] },
      { W: [[0, -1], [1, 0]], b: [0, 0] },
      { W: [[1, 1]], b: [0] },
    ]);
    const d2 = queryDomain(live, box);
    const pattern = [Uint8Array.of(1, 0), Uint8Array.of(0, 1)];
    expect(pieceRowVanishes(live, d2, pattern, 1, 0)).toBe(true); // fed by the zero row only
    expect(pieceRowVanishes(live, d2, pattern, 1, 1)).toBe(false); // fed by x₁
    expect(pieceRowVanishes(live, d2, [Uint8Array.of(0, 0), Uint8Array.of(0, 0)], 1, 1)).toBe(true); // x₁'s neuron inactive
    expect(pieceRowVanishes(live, d2, pattern, 0, 0)).toBe(false);
    // On the kink of x₁'s neuron (u₁ = 0) nothing is certified; beside it, everything.
    expect(certifiedPattern(live, d2, [0, 0.5]).certified).toBe(false);
    expect(certifiedPattern(live, d2, [1e-300, 0.5]).certified).toBe(true);
  });
});

describe('the first case seed 1404 reaches (zero-rows draw 29 of 120)', () => {
  it('d = 3, a zero first layer, then neurons fed by dead ones, on [−0.64, 0.64]³ (it threw)', () => {
    const f = makeNetwork(3, [
      { outDim: 3, inDim: 3, weights: new Float64Array(9), biases: new Float64Array(3) },
      { outDim: 4, inDim: 3, weights: Float64Array.of(1.9999999999999996, 0, 1.9999999999999962, 0, 0, 0, 0, 0, 0, 0, 1.999999999999998, 0), biases: new Float64Array(4) },
      { outDim: 1, inDim: 4, weights: new Float64Array(4), biases: new Float64Array(1) },
    ]);
    const h = 0.6397818968869158;
    expectBruteForce(f, { lo: Float64Array.of(-h, -h, -h), hi: Float64Array.of(h, h, h) });
  });
});

describe('exact cancellations are decided exactly', () => {
  it('ρ(ρ(x₁) − ρ(x₁)) is constant: the region x₁ > 0 counts (exact said 0, the truth is 3)', () => {
    const f = net(2, [
      { W: [[1, 0], [1, 0]], b: [0, 0] },
      { W: [[1, -1], [1, 0]], b: [0, 0] },
      { W: [[5, 3]], b: [0] },
    ]);
    for (const box of [boxFromPairs([[-1, 1], [-1, 1]], 2), null]) {
      expect(exact(exactLipschitz(f, { norm: '2', box })).lipschitz).toBe(3);
      expectBruteForce(f, box);
    }
  });
  it('0.1·ρ(3x₁) − 0.3·ρ(x₁) is 2⁻⁵⁵·x₁ > 0, not a rounding error: its sign comes from exact arithmetic (exact said 0, the truth is 9 + 5·2⁻⁵⁵)', () => {
    const f = net(2, [
      { W: [[3, 0], [1, 0]], b: [0, 0] },
      { W: [[0.1, -0.3], [1, 0]], b: [0, 0] },
      { W: [[5, 3]], b: [0] },
    ]);
    const box = boxFromPairs([[-1, 1], [-1, 1]], 2);
    const domain = queryDomain(f, box);
    expect(Array.from(exactSigns(f, domain, [0.5, 0])[1])).toEqual([1, 1]);
    expect(exactSigns(f, domain, [-0.5, 0])[1][0]).toBe(0);
    for (const b of [box, null]) {
      expect(exact(exactLipschitz(f, { norm: '2', box: b })).lipschitz).toBe(9);
      expectBruteForce(f, b);
    }
  });
});

describe('LPs that floating point cannot verify are solved exactly (KNOWN_CORE_BUGS parallel and near-duplicates)', () => {
  it('parallel kinks at x₂ = −1e-10 (twice), 0 and −0.25 with live output weights (seed 1406 gave up)', () => {
    const f = net(2, [
      { W: [[0, -1], [0, -1], [0, -1], [0, -1]], b: [-1e-10, -1e-10, -0, -0.25] },
      { W: [[0.5, -2, 1.5, 1]], b: [0] },
    ]);
    expectBruteForce(f, null);
  });
  it('a tilted near copy 1e-9 away on a box (fresh seed 1971146402 gave up after 2 regions)', () => {
    const f = net(2, [
      { W: [[0.5596782323535684, 0.016391908396910248], [0.5596782323535684, 0.01639190895658848]], b: [-0.47590876290268497, -0.47590876290268497] },
      { W: [[-0.1, 0.1]], b: [0] },
    ]);
    const box = { lo: Float64Array.of(0.6008726736447874, -0.22384113668886443), hi: Float64Array.of(1.0983210929258485, 0.27360728259219663) };
    expectBruteForce(f, box);
  });
  it('the first case seed 1406 reaches (draw 114 of 120): five kinks parallel to (−1, −1), slabs 3.8e-10 thin, globally', () => {
    const f = makeNetwork(2, [
      { outDim: 5, inDim: 2, weights: Float64Array.of(-2, -2, 8, 8, 1, 1, 2, 2, 0.5, 0.5), biases: Float64Array.of(-1.253732980299251, 3.0227188561207756e-9, 5.438090048882896e-10, -1.1600581181157083e-114, 0.49247813155517844) },
      { outDim: 1, inDim: 5, weights: new Float64Array(5), biases: new Float64Array(1) },
    ]);
    expectBruteForce(f, null);
  });
  it('kinks 1e-295 from the origin and a near copy 1.2e-10 away in d = 3 (gave up on an LP of tiny offsets)', () => {
    const f = net(3, [
      { W: [[1, 1, 1], [-4, -4, -4], [-4, -4, -4], [2, 2, 2]], b: [-4.5683020177518765e-295, -1.2287209285814387e-10, -3.372446448383068, -9.136604035503753e-295] },
      { W: [[1, -0.5, 0.25, 2]], b: [0] },
    ]);
    expectBruteForce(f, null);
  });
});
