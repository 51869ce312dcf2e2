import { describe, expect, it } from 'vitest';
import { certifiedPattern, EXACT_WORK, exactSigns, pieceRowVanishes } from '../../../../src/lipschitz/exact/certify.js';
import { liftedDomain, queryDomain, toInput, type Domain } from '../../../../src/lipschitz/domain.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { activationPattern } from '../../../../src/network/evaluate.js';
import { makeNetwork, type Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import { add, dyadic, mul, sign, type Dyadic } from '../../../support/exactArithmetic.js';
import { patternString, tinyNet } from '../../../support/exactNets.js';

const square = boxFromPairs([[-1, 1], [-1, 1]], 2);

/** The hidden pre-activations' signs at the real point of u, by the test's own BigInt arithmetic. */
function oracleSigns(net: Network, domain: Domain, u: number[]): number[][] {
  const d = net.inputDim;
  const half = dyadic(0.5);
  let h: Dyadic[];
  let t: Dyadic;
  if (domain.box) {
    const { lo, hi } = domain.box;
    h = u.map((uk, k) => add(mul(half, add(dyadic(lo[k]), dyadic(hi[k]))), mul(mul(half, add(dyadic(hi[k]), dyadic(-lo[k]))), dyadic(uk))));
    t = dyadic(1);
  } else {
    h = u.slice(0, d).map((uk) => mul(dyadic(domain.scale), dyadic(uk)));
    t = mul(half, add(dyadic(u[d]), dyadic(1)));
  }
  const out: number[][] = [];
  for (const layer of net.layers.slice(0, -1)) {
    const z = Array.from({ length: layer.outDim }, (_, i) => h.reduce((s, hj, j) => add(s, mul(dyadic(layer.weights[i * layer.inDim + j]), hj)), mul(dyadic(layer.biases[i]), t)));
    out.push(z.map(sign));
    h = z.map((v) => (sign(v) > 0 ? v : dyadic(0)));
  }
  return out;
}

/** A random network with small integer-ish weights (seeded). */
function randomNet(seed: number, d: number, widths: number[]): Network {
  const s = createStream(seed, 'certify-test');
  const dims = [d, ...widths, 1];
  return tinyNet(
    ...dims.slice(1).map((out, l): [number[][], number[]] => [
      Array.from({ length: out }, () => Array.from({ length: dims[l] }, () => 2 * s.uniform() - 1)),
      Array.from({ length: out }, () => s.uniform() - 0.5),
    ]),
  );
}

describe('exactSigns', () => {
  it('agrees with an independent exact evaluation at random points, on a box and lifted', () => {
    const s = createStream(7, 'certify-points');
    for (let seed = 0; seed < 4; seed++) {
      const net = randomNet(seed, 2, [3, 2]);
      const box = boxFromPairs([[-0.5, 1.25], [2, 3.5]], 2);
      for (const domain of [queryDomain(net, box), liftedDomain(net)]) {
        for (let k = 0; k < 5; k++) {
          const u = Array.from({ length: domain.n }, () => 1.8 * s.uniform() - 0.9);
          expect(exactSigns(net, domain, u).map((l) => Array.from(l))).toEqual(oracleSigns(net, domain, u));
        }
      }
    }
  });
  it('finds the true sign where floating point rounds it to 0', () => {
    // z₂ = −3·ρ(0.1·x) + 0.30000000000000004: exactly +2.8e-17 at x = 1, but 0 in doubles.
    const net = tinyNet([[[0.1]], [0]], [[[-3]], [0.30000000000000004]], [[[1]], [0]]);
    expect(sign(add(mul(dyadic(-3), dyadic(0.1)), dyadic(0.30000000000000004)))).toBe(1);
    const box = queryDomain(net, boxFromPairs([[0.5, 1.5]], 1));
    expect(activationPattern(net, toInput(box, [0]))[1][0]).toBe(0);
    expect(Array.from(exactSigns(net, box, [0])[1])).toEqual([1]);
    const lifted = liftedDomain(net);
    expect(Array.from(toInput(lifted, [0.5, 0]))).toEqual([1]);
    expect(Array.from(exactSigns(net, lifted, [0.5, 0])[1])).toEqual([1]);
    // …and certifiedPattern reports that sign, certified.
    for (const [domain, u] of [[box, [0]], [lifted, [0.5, 0]]] as const) {
      const c = certifiedPattern(net, domain, u);
      expect(c.certified).toBe(true);
      expect(patternString(c.pattern)).toBe('1|1');
    }
  });
});

describe('certifiedPattern', () => {
  const net = tinyNet([[[1, -1], [1, 1], [0, 0]], [0, -0.5, 0]], [[[1, 1, 1]], [0]]);
  it('certifies the floating-point pattern well inside a region', () => {
    const domain = queryDomain(net, square);
    const c = certifiedPattern(net, domain, [0.6, 0.1]);
    expect(c.certified).toBe(true);
    expect(patternString(c.pattern)).toBe(patternString(activationPattern(net, toInput(domain, [0.6, 0.1]))));
    expect(patternString(c.pattern)).toBe('110');
  });
  it('does not certify a point on a first-layer kink, exactly or within rounding', () => {
    const domain = queryDomain(net, square);
    expect(certifiedPattern(net, domain, [0.3, 0.3]).certified).toBe(false);
    // x₁ + x₂ − 0.5 at (0.2, 0.3) is 0 in exact arithmetic but not in doubles (0.2 + 0.3 rounds).
    expect(certifiedPattern(net, domain, [0.2, 0.3]).certified).toBe(false);
    expect(certifiedPattern(net, domain, [0.2, 0.3 + 1e-15]).certified).toBe(true);
  });
  it('certifies constant neurons (zero rows) and exact cancellations deeper down, not a deeper kink', () => {
    // Layer 2: ρ(x) − ρ(x) ≡ 0 (constant), ρ(x) − 1 (a kink at x = 1).
    const twin = tinyNet([[[1], [1]], [0, 0]], [[[1, -1], [1, 0]], [0, -1]], [[[1, 1]], [0]]);
    const domain = queryDomain(twin, boxFromPairs([[0, 2]], 1));
    const inside = certifiedPattern(twin, domain, [0.5]);
    expect(inside.certified).toBe(true);
    expect(patternString(inside.pattern)).toBe('11|01');
    expect(certifiedPattern(twin, domain, [0]).certified).toBe(false);
    // A near-cancellation is no constant: −2⁻⁵²·x < 0 is its exact sign.
    const near = tinyNet([[[1], [1 + 2 ** -52]], [0, 0]], [[[1, -1]], [0]], [[[1]], [0]]);
    const c = certifiedPattern(near, queryDomain(near, boxFromPairs([[0, 2]], 1)), [0]);
    expect(c.certified).toBe(true);
    expect(patternString(c.pattern)).toBe('11|0');
  });
  it('past EXACT_WORK decides by the error bound and the structural zero test alone', () => {
    // 1 → 2 → 101000 weights: the exact pass is skipped. Neuron 0 of layer 2 reads only the inactive
    // neuron (structurally constant, value 0); neuron 1 reads ρ(x) − 1 (a kink at x = 1).
    const wide = 100_500;
    const w1 = new Float64Array(2 * 1);
    w1.set([-1, 1]);
    const w2 = new Float64Array(2 * 2);
    w2.set([1, 0, 0, 1]);
    // (every neuron of the wide layer is ρ(h₁) + ρ(h₂) + 1 > 0: certain, so no zero test is needed there)
    const w3 = new Float64Array(wide * 2).fill(1);
    const net = makeNetwork(1, [
      { outDim: 2, inDim: 1, weights: w1, biases: new Float64Array(2) },
      { outDim: 2, inDim: 2, weights: w2, biases: Float64Array.of(0, -1) },
      { outDim: wide, inDim: 2, weights: w3, biases: new Float64Array(wide).fill(1) },
      { outDim: 1, inDim: wide, weights: new Float64Array(wide), biases: new Float64Array(1) },
    ]);
    expect(2 + 4 + 2 * wide).toBeGreaterThan(EXACT_WORK);
    const domain = queryDomain(net, boxFromPairs([[0, 2]], 1));
    const at = certifiedPattern(net, domain, [0]); // x = 1: the kink of layer 2, neuron 1
    expect(at.certified).toBe(false);
    const off = certifiedPattern(net, domain, [0.5]);
    expect(off.certified).toBe(true);
    expect(off.pattern[1][0]).toBe(0);
    expect(off.pattern[1][1]).toBe(1);
    // x = 1 + 2⁻⁵²: ρ(x) − 1 = 2⁻⁵² > 0 exactly, but within its error bound; only exact arithmetic,
    // skipped here, could tell (the small network of the same two layers is certified there).
    const near = certifiedPattern(net, domain, [2 ** -52]);
    expect(near.certified).toBe(false);
    const small = makeNetwork(1, [net.layers[0], net.layers[1], { outDim: 1, inDim: 2, weights: Float64Array.of(1, 1), biases: new Float64Array(1) }]);
    const exactly = certifiedPattern(small, queryDomain(small, boxFromPairs([[0, 2]], 1)), [2 ** -52]);
    expect([exactly.certified, exactly.pattern[1][1]]).toEqual([true, 1]);
    // Only the hidden layers count: a wide output layer (2 × 100500 weights) does not stop the exact pass.
    const wideOut = makeNetwork(1, [net.layers[0], net.layers[1], { outDim: wide, inDim: 2, weights: new Float64Array(2 * wide), biases: new Float64Array(wide) }]);
    expect(certifiedPattern(wideOut, queryDomain(wideOut, boxFromPairs([[0, 2]], 1)), [2 ** -52]).certified).toBe(true);
  });
});

describe('pieceRowVanishes', () => {
  const net = tinyNet([[[1, 0], [0, 1], [0, 0]], [0, 0, 1]], [[[1, 0, 0], [1, -1, 0], [2, -2, 1]], [0, 0, 0]], [[[1, 1, 1]], [0]]);
  const domain = queryDomain(net, square);
  it('a first-layer row vanishes only when its weights are zero', () => {
    expect([0, 1, 2].map((i) => pieceRowVanishes(net, domain, [Uint8Array.of(1, 1, 1)], 0, i))).toEqual([false, false, true]);
  });
  it('deeper: when every path meets a zero weight or an inactive neuron', () => {
    const p = (a: number[], b: number[]) => [Uint8Array.from(a), Uint8Array.from(b)];
    expect(pieceRowVanishes(net, domain, p([0, 1, 1], [0, 0, 0]), 1, 0)).toBe(true);
    expect(pieceRowVanishes(net, domain, p([1, 1, 1], [0, 0, 0]), 1, 0)).toBe(false);
    // x₁ − x₂ vanishes when both are inactive; 2x₁ − 2x₂ + 1 reads the constant neuron only then.
    expect(pieceRowVanishes(net, domain, p([0, 0, 1], [0, 0, 0]), 1, 1)).toBe(true);
    expect(pieceRowVanishes(net, domain, p([0, 0, 1], [0, 0, 0]), 1, 2)).toBe(true);
    expect(pieceRowVanishes(net, domain, p([1, 0, 1], [0, 0, 0]), 1, 2)).toBe(false);
  });
  it('deeper: an exact cancellation of two paths, in the layer after next too', () => {
    const twin = tinyNet([[[1], [1]], [0, 0]], [[[1, -1], [1, 1]], [0, 0]], [[[1, 0], [0, 1]], [0, 0]], [[[1, 1]], [0]]);
    const lifted = liftedDomain(twin);
    const all = [Uint8Array.of(1, 1), Uint8Array.of(1, 1), Uint8Array.of(1, 1)];
    expect(pieceRowVanishes(twin, lifted, all, 1, 0)).toBe(true);
    expect(pieceRowVanishes(twin, lifted, all, 1, 1)).toBe(false);
    expect(pieceRowVanishes(twin, lifted, all, 2, 0)).toBe(true);
    expect(pieceRowVanishes(twin, lifted, all, 2, 1)).toBe(false);
    expect(pieceRowVanishes(twin, lifted, [Uint8Array.of(1, 0), Uint8Array.of(1, 1), Uint8Array.of(1, 1)], 1, 0)).toBe(false);
  });
  it('past EXACT_WORK: the structural test alone (an exact cancellation is undecided: false)', () => {
    // 1 → 2 → wide: layer 1's neuron 0 reads ρ(x) − ρ(x) (cancels), neuron 1 reads only neuron 1 of
    // layer 0, neuron 2 reads ρ(x) + ρ(x).
    const wide = 100_001;
    const w2 = new Float64Array(wide * 2);
    w2.set([1, -1, 0, 1, 1, 1]);
    const big = makeNetwork(1, [
      { outDim: 2, inDim: 1, weights: Float64Array.of(1, 1), biases: new Float64Array(2) },
      { outDim: wide, inDim: 2, weights: w2, biases: new Float64Array(wide) },
      { outDim: 1, inDim: wide, weights: new Float64Array(wide), biases: new Float64Array(1) },
    ]);
    expect(1 * (2 + 2 * wide)).toBeGreaterThan(EXACT_WORK);
    const lifted = liftedDomain(big);
    const p = (a: number[]) => [Uint8Array.from(a), new Uint8Array(wide).fill(1)];
    expect(pieceRowVanishes(big, lifted, p([1, 1]), 1, 0)).toBe(false); // cancels, but only exact arithmetic could tell
    expect(pieceRowVanishes(big, lifted, p([1, 0]), 1, 1)).toBe(true);
    expect(pieceRowVanishes(big, lifted, p([1, 1]), 1, 1)).toBe(false);
    expect(pieceRowVanishes(big, lifted, p([0, 0]), 1, 2)).toBe(true);
    expect(pieceRowVanishes(big, lifted, p([0, 1]), 1, 2)).toBe(false);
    expect(pieceRowVanishes(big, lifted, p([1, 1]), 1, 3)).toBe(true); // a zero row
    // The same cancellation in a small network is decided exactly.
    const small = tinyNet([[[1], [1]], [0, 0]], [[[1, -1]], [0]], [[[1]], [0]]);
    expect(pieceRowVanishes(small, liftedDomain(small), [Uint8Array.of(1, 1), Uint8Array.of(1)], 1, 0)).toBe(true);
  });
  it('counts only the active neurons below, and the row of the layer asked for', () => {
    // Layer 1: n₀ = ρ(x) − ρ(x) (cancels), n₁ = ρ(x) + ρ(−x) (row 1 where only ρ(x) is active, not 1 − 1);
    // layer 2: m₀ = ρ(n₁), m₁ = ρ(n₀).
    const net = tinyNet([[[1], [1], [-1]], [0, 0, 0]], [[[1, -1, 0], [1, 0, 1]], [0, 0]], [[[0, 1], [1, 0]], [0, 0]], [[[1, 1]], [0]]);
    const lifted = liftedDomain(net);
    const right = [Uint8Array.of(1, 1, 0), Uint8Array.of(1, 1), Uint8Array.of(1, 1)];
    expect(pieceRowVanishes(net, lifted, right, 1, 0)).toBe(true);
    expect(pieceRowVanishes(net, lifted, right, 1, 1)).toBe(false);
    expect(pieceRowVanishes(net, lifted, right, 2, 0)).toBe(false);
    expect(pieceRowVanishes(net, lifted, right, 2, 1)).toBe(true);
  });
  it('on a box, a coordinate of width 0 contributes nothing', () => {
    const flat = queryDomain(net, { lo: Float64Array.of(-1, 0.5), hi: Float64Array.of(1, 0.5) });
    expect(pieceRowVanishes(net, flat, [Uint8Array.of(1, 1, 1)], 0, 1)).toBe(true);
    expect(pieceRowVanishes(net, flat, [Uint8Array.of(1, 1, 1)], 0, 0)).toBe(false);
    expect(pieceRowVanishes(net, flat, [Uint8Array.of(0, 1, 1), Uint8Array.of(1, 1, 1)], 1, 1)).toBe(true);
  });
});
