import { describe, expect, it } from 'vitest';
import { shallowL1PatternMax } from '../../../../src/lipschitz/upper/shallowL1.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import { add, dyadic, sign } from '../../../support/exactArithmetic.js';

/** max over every 0/1 choice σ of ‖Σ_j σ_j v_j w_j‖_∞, by enumerating the 2^N choices. */
function enumeratedMax(net: Network): number {
  const [hidden, output] = net.layers;
  const d = net.inputDim;
  let best = 0;
  for (let mask = 0; mask < 1 << hidden.outDim; mask++) {
    for (let k = 0; k < d; k++) {
      let s = 0;
      for (let j = 0; j < hidden.outDim; j++) if (mask & (1 << j)) s += output.weights[j] * hidden.weights[j * d + k];
      best = Math.max(best, Math.abs(s));
    }
  }
  return best;
}

describe('shallowL1PatternMax', () => {
  it('is the largest ‖Σ_{on} h_j‖_∞ over all patterns (by enumeration), from above and within rounding', () => {
    const s = createStream(3, 'test/unit/shallowL1');
    for (let t = 0; t < 20; t++) {
      const d = 1 + (t % 3);
      const N = 1 + (t % 6);
      const W = Array.from({ length: N }, () => Array.from({ length: d }, () => (s.uniform() < 0.2 ? 0 : s.gaussian())));
      const v = Array.from({ length: N }, () => s.gaussian());
      const net = makeNetwork(d, [denseLayer(W, Array.from({ length: N }, () => s.gaussian())), denseLayer([v], [0.5])]);
      const truth = enumeratedMax(net);
      const bound = shallowL1PatternMax(net);
      expect(bound).toBeGreaterThanOrEqual(truth);
      expect(bound).toBeLessThanOrEqual(truth * (1 + 1e-14) + 1e-300);
    }
  });

  it('takes each coordinate on its own, with units of one sign: h = (1, −2), (3, 1), (−4, 0.5) give max(4, 2, 1.5) = 4', () => {
    const net = makeNetwork(2, [denseLayer([[1, -2], [3, 1], [-4, 0.5]], [0, 0, 0]), denseLayer([[1, 1, 1]], [0])]);
    // Coordinate 0: positives 1 + 3 = 4, negatives 4; coordinate 1: positives 1.5, negatives 2.
    expect(shallowL1PatternMax(net)).toBeGreaterThanOrEqual(4);
    expect(shallowL1PatternMax(net)).toBeLessThan(4 * (1 + 1e-14));
    const flipped = makeNetwork(2, [denseLayer([[1, -2], [3, 1], [-4, 0.5]], [0, 0, 0]), denseLayer([[-1, -1, 2]], [0])]);
    // h = (−1, 2), (−3, −1), (−8, 1): coordinate 0 negatives sum to 12.
    expect(shallowL1PatternMax(flipped)).toBeGreaterThanOrEqual(12);
    expect(shallowL1PatternMax(flipped)).toBeLessThan(12 * (1 + 1e-14));
  });

  it('rounds its sums up: 0.1 + 0.7 computes to 0.7999999999999999, below the exact sum of the two doubles', () => {
    const net = makeNetwork(1, [denseLayer([[0.1], [0.7]], [0, 0]), denseLayer([[1, 1]], [0])]);
    const exact = add(dyadic(0.1), dyadic(0.7));
    expect(sign(add(exact, dyadic(-(0.1 + 0.7))))).toBe(1); // the computed sum is below the exact one
    const bound = shallowL1PatternMax(net);
    expect(sign(add(exact, dyadic(-bound)))).toBeLessThanOrEqual(0);
    expect(bound).toBeLessThan(0.8 * (1 + 1e-14));
  });

  it('covers products that underflow to zero (2⁻¹⁰⁷⁴ · 0.5) and is 0 only for a zero network', () => {
    const tiny = makeNetwork(1, [denseLayer([[Number.MIN_VALUE], [Number.MIN_VALUE]], [0, 0]), denseLayer([[0.5, 0.5]], [0])]);
    expect(shallowL1PatternMax(tiny)).toBeGreaterThanOrEqual(2 ** -1074);
    expect(shallowL1PatternMax(tiny)).toBeLessThan(1e-300);
  });

  it('refuses deeper networks and vector outputs', () => {
    const deep = makeNetwork(1, [denseLayer([[1]], [0]), denseLayer([[1]], [0]), denseLayer([[1]], [0])]);
    const vector = makeNetwork(1, [denseLayer([[1]], [0]), denseLayer([[1], [2]], [0, 0])]);
    expect(() => shallowL1PatternMax(deep)).toThrow(/one hidden layer/);
    expect(() => shallowL1PatternMax(vector)).toThrow(/scalar/);
  });
});
