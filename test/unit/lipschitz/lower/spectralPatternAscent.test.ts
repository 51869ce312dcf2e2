import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { isShallow, spectralPatternAscent } from '../../../../src/lipschitz/lower/spectralPatternAscent.js';
import { activationPattern, kinkMargin } from '../../../../src/network/evaluate.js';
import { networkFromJson } from '../../../../src/network/format.js';
import { makeNetwork, type Network } from '../../../../src/network/network.js';
import { bruteForceLipschitz } from '../../../support/bruteForce.js';
import { DEEP_SUM, normAt, randomNet, scriptedBudget, TWO_OUTPUTS, TWO_OUTPUTS_LIP } from '../../../support/lowerUnits.js';

/** max over all 2^N patterns σ of ‖V·diag(σ)·W‖₂ by SVD: the pattern bound, by enumeration. */
function bestPatternNorm(net: Network): number {
  const N = net.layers[0].outDim;
  let best = 0;
  for (let mask = 0; mask < 1 << N; mask++) best = Math.max(best, svdOfPattern(net, Uint8Array.from({ length: N }, (_, j) => (mask >> j) & 1)));
  return best;
}

/** ‖V·diag(σ)·W‖₂ by SVD. */
function svdOfPattern(net: Network, sigma: Uint8Array): number {
  const [hidden, out] = net.layers;
  const d = net.inputDim;
  const N = hidden.outDim;
  const J = Array.from({ length: out.outDim }, (_, r) =>
    Array.from({ length: d }, (_, i) => {
      let s = 0;
      for (let j = 0; j < N; j++) if (sigma[j]) s += out.weights[r * N + j] * hidden.weights[j * d + i];
      return s;
    }),
  );
  const m = new Matrix(J);
  return m.norm('frobenius') === 0 ? 0 : new SingularValueDecomposition(m, { autoTranspose: true }).diagonal[0];
}

describe('spectralPatternAscent: realisable-pattern search for Lip₂ of one-hidden-layer nets', () => {
  it('with N ≤ d every pattern is realisable: it finds the best one, as a re-checked witness (k = 1, 2, 3)', () => {
    for (const [d, N, k, seed] of [[6, 5, 1, 1], [8, 6, 2, 2], [7, 7, 3, 3], [10, 8, 2, 4]] as const) {
      const net = randomNet(d, [N], k, seed);
      const best = bestPatternNorm(net);
      const r = spectralPatternAscent(net, { starts: 40, seed: 5 });
      expect(r.witness.value).toBeCloseTo(best, 9);
      expect(r.patternValue).toBeCloseTo(best, 9);
      // The witness is what anyone recomputes: the Jacobian norm at a point strictly inside a region.
      expect(kinkMargin(net, r.witness.x)).toBeGreaterThan(1e-10);
      expect(r.witness.value).toBe(normAt(net, r.witness.x, '2'));
      expect(r.climbs).toBe(41); // the all-active start and the 40 random ones
      // The reported pattern is the best climbed to, and the witness lies in it.
      expect(Array.from(activationPattern(net, r.witness.x)[0])).toEqual(Array.from(r.pattern!));
    }
  });
  it('with N > d it is still a lower bound: never above the constant (brute force over realisable patterns)', () => {
    for (const [d, N, k, seed] of [[2, 7, 2, 11], [3, 8, 1, 12], [2, 8, 3, 13]] as const) {
      const net = randomNet(d, [N], k, seed);
      const lip = bruteForceLipschitz(net, '2', null).lipschitz;
      const r = spectralPatternAscent(net, { starts: 20, seed: 1 });
      expect(r.witness.value).toBeLessThanOrEqual(lip * (1 + 1e-12));
      expect(r.witness.value).toBeGreaterThan(0);
      // The pattern value may be unrealisable, so it may exceed the constant — never the witness.
      expect(r.patternValue).toBeGreaterThanOrEqual(r.witness.value * (1 - 1e-12));
    }
  });
  it('a hand-made two-output net: ‖M‖₂ = √(15 + √221) from the all-active pattern', () => {
    const r = spectralPatternAscent(TWO_OUTPUTS, { starts: 0, seed: 0 });
    expect(r.climbs).toBe(1);
    expect(r.witness.value).toBeCloseTo(TWO_OUTPUTS_LIP['2'], 12);
  });
  it('climbs from given points: from inside the best region it keeps that region, which the all-active start misses here', () => {
    const net = randomNet(6, [6], 2, 19);
    const best = bestPatternNorm(net);
    const all = spectralPatternAscent(net, { starts: 40, seed: 5 });
    expect(all.witness.value).toBeCloseTo(best, 9);
    const alone = spectralPatternAscent(net, { starts: 0, seed: 0 }); // the all-active start only
    expect(alone.climbs).toBe(1);
    expect(alone.witness.value).toBeLessThan(best * 0.9);
    const from = spectralPatternAscent(net, { starts: 0, seed: 0, fromPoints: [all.witness.x] });
    expect(from.climbs).toBe(2);
    expect(from.witness.value).toBeCloseTo(best, 9);
    // The climb starts from the point's own pattern.
    expect(Array.from(from.pattern!)).toEqual(Array.from(activationPattern(net, all.witness.x)[0]));
  });
  it('its pattern value is the pattern\'s ‖V·diag(σ)·W‖₂ (the power steps converge), realised or not', () => {
    for (const [d, N, k, seed] of [[6, 5, 1, 1], [8, 6, 2, 2], [2, 7, 2, 11], [3, 8, 3, 12]] as const) {
      const net = randomNet(d, [N], k, seed);
      const r = spectralPatternAscent(net, { starts: 10, seed: 3 });
      const sigma = svdOfPattern(net, r.pattern!);
      expect(r.patternValue).toBeLessThanOrEqual(sigma * (1 + 1e-12));
      expect(r.patternValue).toBeGreaterThan(sigma * (1 - 1e-6));
    }
  });
  it('a network whose output weights are zero: value 0 everywhere, a witness of 0', () => {
    const net = randomNet(4, [3], 2, 8);
    const zero = makeNetwork(4, [net.layers[0], { ...net.layers[1], weights: new Float64Array(6) }]);
    const r = spectralPatternAscent(zero, { starts: 3, seed: 0 });
    expect([r.patternValue, r.witness.value]).toEqual([0, 0]);
  });
  it('stops between climbs when its budget runs out: nothing climbed, no witness', () => {
    const net = randomNet(4, [4], 1, 3);
    const none = spectralPatternAscent(net, { starts: 10, seed: 0, budget: scriptedBudget(['time']) });
    expect([none.climbs, none.witness.value, none.patternValue]).toEqual([0, -Infinity, -Infinity]);
    const two = spectralPatternAscent(net, { starts: 10, seed: 0, budget: scriptedBudget([null, null, 'time']) });
    expect(two.climbs).toBe(2);
  });
  it('checks its budget inside a climb too: cut after its first alternation, the climb keeps the best so far', () => {
    const net = randomNet(8, [8], 2, 7);
    const counting = scriptedBudget([null]);
    const free = spectralPatternAscent(net, { starts: 3, seed: 2, budget: counting });
    expect(counting.calls).toBeGreaterThan(free.climbs); // one check per start, and more within the climbs
    const uncut = spectralPatternAscent(net, { starts: 0, seed: 2 }); // the all-active climb alone
    const cut = spectralPatternAscent(net, { starts: 3, seed: 2, budget: scriptedBudget([null, 'time']) });
    expect(cut.climbs).toBe(1);
    expect(cut.patternValue).toBeGreaterThan(0);
    expect(cut.patternValue).toBeLessThan(uncut.patternValue); // this climb needs more than one alternation
  });
  it('realises at most `realise` distinct patterns (default 4), the best first', () => {
    const net = randomNet(8, [8], 2, 7);
    const one = spectralPatternAscent(net, { starts: 30, seed: 2, realise: 1 });
    const four = spectralPatternAscent(net, { starts: 30, seed: 2 });
    expect(one.witness.value).toBeCloseTo(four.witness.value, 12); // N ≤ d: the best pattern is realised exactly
    const none = spectralPatternAscent(net, { starts: 30, seed: 2, realise: 0 });
    expect(none.witness.value).toBe(-Infinity);
  });
  it('applies to one hidden layer only', () => {
    expect(isShallow(TWO_OUTPUTS)).toBe(true);
    expect(isShallow(DEEP_SUM)).toBe(false);
    expect(() => spectralPatternAscent(DEEP_SUM, { starts: 1, seed: 0 })).toThrow(/one hidden layer/);
  });
  it('LipSDP\'s MNIST net (784→50→10, zero biases, every pattern realisable): at the published realisable-pattern lower bound 24.30, below LipSDP\'s 24.37', () => {
    const raw = JSON.parse(readFileSync('fixtures/peers/lipsdp-mnist.json', 'utf8'));
    const net = networkFromJson(raw.network ?? raw, 'lipsdp-mnist.json');
    const r = spectralPatternAscent(net, { starts: 10, seed: 1 });
    expect(r.witness.value).toBeGreaterThan(24.29);
    expect(r.witness.value).toBeLessThan(24.3664); // LipSDP-Neuron's certified value (bench/sdp.ts)
    expect(kinkMargin(net, r.witness.x)).toBeGreaterThan(1e-10);
  });
});
