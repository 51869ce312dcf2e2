import { describe, expect, it } from 'vitest';
import { globalFacets } from '../../../src/lipschitz/upper/sdp/facets.js';
import { forward } from '../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../../src/network/network.js';
import { sampleNetwork } from '../../../src/network/sample.js';
import { parseBiasLaw } from '../../../src/random/biasLaws.js';
import { createStream } from '../../../src/random/stream.js';

const zeroBias = (n: Network): Network => makeNetwork(n.inputDim, n.layers.map((l) => ({ ...l, biases: new Float64Array(l.outDim) })));

/** At random facet points v: the facet network's hidden pre-activations are t·(f's at x = toInput(v)), t > 0. */
function checkFacets(f: Network, expected: number) {
  const facets = globalFacets(f, 3)!; // S = 4 (the nearest power of two)
  expect(facets).toHaveLength(expected);
  const s = createStream(7, 'facets');
  for (const facet of facets) {
    for (let k = 0; k < 10; k++) {
      const v = Array.from(facet.box.lo, (lo, j) => lo + (facet.box.hi[j] - lo) * (0.05 + 0.9 * s.uniform()));
      const x = facet.toInput(v)!;
      const fz = forward(f, x).preActivations;
      const gz = forward(facet.net, v).preActivations;
      // The positive factor t is the ratio on any neuron; the carrier, if any, holds t itself.
      const t = facet.carrier ? gz[0][gz[0].length - 1] : 1;
      expect(t).toBeGreaterThan(0);
      fz.forEach((z, l) => z.forEach((value, i) => expect(gz[l][i]).toBeCloseTo(t * value, 9)));
      if (facet.carrier) gz.forEach((z) => expect(z[z.length - 1]).toBeCloseTo(t, 12));
      // The facet point lies on the cube's boundary: some |u_i| = 1 or t = 1.
      expect(Math.max(...x.map((xi) => Math.abs(xi) * (facet.carrier ? t / 4 : 1)), t)).toBeCloseTo(1, 12);
    }
  }
}

describe('facets of the homogenised cube (the global domain of branch and bound)', () => {
  it('biased f: 2d + 1 facets of dimension d whose neurons are t times f’s', () => {
    checkFacets(sampleNetwork({ inputDim: 3, widths: [5, 4], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1, outputs: 2 }), 7);
  });

  it('bias-free f: 2d facets of dimension d − 1 (f itself on the faces of [−1, 1]ᵈ; for d = 1 the points ±1)', () => {
    checkFacets(zeroBias(sampleNetwork({ inputDim: 3, widths: [5, 4], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 2 })), 6);
    const line = makeNetwork(1, [denseLayer([[1], [-2]], [0, 0]), denseLayer([[1, 1]], [0])]);
    const facets = globalFacets(line)!;
    expect(facets.map((f) => f.net.inputDim)).toEqual([0, 0]);
    expect(facets.map((f) => Array.from(f.toInput([])!))).toEqual([[1], [-1]]);
    expect(facets.map((f) => Array.from(forward(f.net, []).output))).toEqual([[1], [2]]);
  });

  it('refuses a scale at which the first layer would not scale exactly', () => {
    const f = makeNetwork(1, [denseLayer([[Number.MIN_VALUE * 3]], [1]), denseLayer([[1]], [0])]);
    expect(globalFacets(f, 2 ** -4)).toBeNull();
  });
});
