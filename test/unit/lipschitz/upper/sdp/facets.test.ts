import { describe, expect, it } from 'vitest';
import { biasFree, globalFacets, type Facet } from '../../../../../src/lipschitz/upper/sdp/facets.js';
import { forward } from '../../../../../src/network/evaluate.js';
import { parameterCount, type Network } from '../../../../../src/network/network.js';
import { netOf } from '../../../../support/sdpUnits.js';

/**
 * The facets of the homogenised cube on hand-built nets whose facets can be written down: which
 * faces exist, their names, boxes and points x = S·u/t, and the facet networks' neurons against
 * f's own (evaluate.ts, no code shared with facets.ts).
 */

/** d = 2, one hidden layer with biases, an output bias (dropped by the homogenisation). */
const biased = netOf(2, [[[1, 2], [-1, 1]], [1, -2]], [[[1, -1]], [5]]);
/** d = 3, two bias-free hidden layers, an output bias (f − b_L is positively homogeneous). */
const homogeneous = netOf(3, [[[1, -1, 2], [0.5, 1, -1]], [0, 0]], [[[1, 1], [-1, 2]], [0, 0]], [[[2, -1]], [7]]);

const byName = (facets: Facet[]) => new Map(facets.map((f) => [f.name, f]));

/** Every layer's arrays have the sizes its shape says (parameterCount reads the arrays' lengths). */
function expectWellFormed(net: Network) {
  expect(parameterCount(net)).toBe(net.layers.reduce((s, l) => s + l.outDim * (l.inDim + 1), 0));
}

/**
 * At facet point v with x = toInput(v) and t > 0 (t = 1 without carrier): every hidden
 * pre-activation of the facet network is t·z(x), the carrier is t, and the output is t·(f(x) − b_L).
 */
function expectHomogenised(f: Network, facet: Facet, v: number[], t: number) {
  const x = facet.toInput(v)!;
  const fPass = forward(f, x);
  const gPass = forward(facet.net, v);
  const L = f.layers.length - 1;
  fPass.preActivations.slice(0, L).forEach((z, l) => {
    const g = gPass.preActivations[l];
    expect(g.length).toBe(z.length + (facet.carrier ? 1 : 0));
    z.forEach((value, i) => expect(g[i]).toBeCloseTo(t * value, 12));
    if (facet.carrier) expect(g[z.length]).toBeCloseTo(t, 12);
  });
  const bL = f.layers[L].biases;
  expect(gPass.output.length).toBe(fPass.output.length);
  fPass.output.forEach((y, k) => expect(gPass.output[k]).toBeCloseTo(t * (y - bL[k]), 12));
}

describe('globalFacets (facets.ts): the faces of the homogenised cube', () => {
  it('biasFree looks at every hidden bias and at no output bias', () => {
    expect(biasFree(homogeneous)).toBe(true);
    expect(biasFree(biased)).toBe(false);
    // A zero first layer but a bias in the second hidden layer; one bias of two non-zero.
    expect(biasFree(netOf(1, [[[1], [2]], [0, 0]], [[[1, 1], [1, -1]], [0, 3]], [[[1, 1]], [0]]))).toBe(false);
    expect(biasFree(netOf(1, [[[1], [2]], [0, 1]], [[[1, 1]], [0]]))).toBe(false);
  });

  it('biased f, S = 4: the 2d + 1 faces u_i = ±1 (t ∈ [0, 1] free) and t = 1, named by their fixed coordinate', () => {
    const facets = globalFacets(biased, 3)!; // 3 rounds to S = 4
    expect(facets.map((f) => f.name)).toEqual(['u1 = +1', 'u1 = −1', 'u2 = +1', 'u2 = −1', 't = 1']);
    const named = byName(facets);
    // x = S·u/t at the facet point v = (free u, t) or (u1, u2) on t = 1, worked out by hand.
    const cases: [string, number[], number[]][] = [
      ['u1 = +1', [0.5, 0.5], [8, 4]],
      ['u1 = −1', [0.5, 0.5], [-8, 4]],
      ['u2 = +1', [-0.25, 0.5], [-2, 8]],
      ['u2 = −1', [-0.25, 0.25], [-4, -16]],
      ['t = 1', [0.5, -0.25], [2, -1]],
    ];
    for (const [name, v, x] of cases) {
      const facet = named.get(name)!;
      expect(facet.carrier).toBe(true);
      expect(Array.from(facet.toInput(v)!)).toEqual(x);
      expect(facet.net.inputDim).toBe(2);
      expect(Array.from(facet.box.lo)).toEqual(name === 't = 1' ? [-1, -1] : [-1, 0]);
      expect(Array.from(facet.box.hi)).toEqual([1, 1]);
      expectWellFormed(facet.net);
      expectHomogenised(biased, facet, v, name === 't = 1' ? 1 : v[1]);
    }
  });

  it('toInput: no point of ℝᵈ where t = 0, and far points as t → 0', () => {
    const facets = byName(globalFacets(biased, 1)!);
    expect(facets.get('u1 = +1')!.toInput([0.5, 0])).toBeNull();
    expect(facets.get('u2 = −1')!.toInput([-1, 0])).toBeNull();
    expect(Array.from(facets.get('u1 = −1')!.toInput([0.5, 2 ** -20])!)).toEqual([-(2 ** 20), 2 ** 19]);
  });

  it('the scale S: the power of two nearest a positive finite scale, else 1', () => {
    const tFacet = (scale?: number) => byName(globalFacets(biased, scale)!).get('t = 1')!;
    for (const scale of [Number.NaN, -3, Infinity, undefined, 1, 0]) expect(Array.from(tFacet(scale).toInput([0.5, -0.25])!)).toEqual([0.5, -0.25]);
    expect(Array.from(tFacet(3).toInput([0.5, -0.25])!)).toEqual([2, -1]);
    expect(Array.from(tFacet(0.3).toInput([0.5, -0.25])!)).toEqual([0.125, -0.0625]);
  });

  it('bias-free f (output bias aside): the 2d faces of [−1, 1]ᵈ, f itself on each, no t', () => {
    const facets = globalFacets(homogeneous, 4)!; // the scale plays no part without t
    expect(facets.map((f) => f.name)).toEqual(['u1 = +1', 'u1 = −1', 'u2 = +1', 'u2 = −1', 'u3 = +1', 'u3 = −1']);
    const expected: Record<string, number[]> = {
      'u1 = +1': [1, 0.5, -0.25],
      'u1 = −1': [-1, 0.5, -0.25],
      'u2 = +1': [0.5, 1, -0.25],
      'u2 = −1': [0.5, -1, -0.25],
      'u3 = +1': [0.5, -0.25, 1],
      'u3 = −1': [0.5, -0.25, -1],
    };
    for (const facet of facets) {
      expect(facet.carrier).toBe(false);
      expect(facet.net.inputDim).toBe(2);
      expect(Array.from(facet.box.lo)).toEqual([-1, -1]);
      expect(Array.from(facet.box.hi)).toEqual([1, 1]);
      expect(Array.from(facet.toInput([0.5, -0.25])!)).toEqual(expected[facet.name]);
      expectWellFormed(facet.net);
      // f's own hidden neurons; the output keeps f's bias here (the facet network is f, restricted).
      const x = facet.toInput([0.5, -0.25])!;
      const fz = forward(homogeneous, x).preActivations;
      forward(facet.net, [0.5, -0.25]).preActivations.forEach((z, l) => z.forEach((value, i) => expect(value).toBeCloseTo(fz[l][i], 12)));
    }
  });
});
