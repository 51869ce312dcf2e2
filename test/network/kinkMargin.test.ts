import { describe, expect, it } from 'vitest';
import { kinkMargin, regionRadius } from '../../src/network/evaluate.js';
import { makeNetwork, type DenseLayer, type Network } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream, type RandomStream } from '../../src/random/stream.js';
import { kinkMarginOracle, regionRadiusOracle } from '../support/kinkOracle.js';

// The O(parameters) kink-margin and region-radius tests against the O(d·parameters) ones they
// replaced (kept in test/support/kinkOracle.ts): the same margins exactly, the same radii to
// rounding, on random networks and on the degenerate structures the fast path decides without
// the piece's affine maps (zero rows, neurons fed only through inactive neurons, cancelling
// duplicates, points on kinks, extreme scales).

const normal = parseBiasLaw('normal:1');

function copy(net: Network): DenseLayer[] {
  return net.layers.map((l) => ({ outDim: l.outDim, inDim: l.inDim, weights: l.weights.slice(), biases: l.biases.slice() }));
}

function pick(s: RandomStream, n: number): number {
  return Math.floor(s.uniform() * n);
}

/** One degenerate edit of a random network, chosen by the stream. */
function degenerate(net: Network, s: RandomStream): Network {
  const layers = copy(net);
  const hidden = layers.length - 1;
  const l = pick(s, hidden);
  const layer = layers[l];
  const next = layers[l + 1];
  const i = pick(s, layer.outDim);
  const j = (i + 1 + pick(s, layer.outDim - 1)) % layer.outDim;
  switch (pick(s, 6)) {
    case 0: // a zero row (and sometimes a zero bias): constant on every piece
      layer.weights.fill(0, i * layer.inDim, (i + 1) * layer.inDim);
      if (s.uniform() < 0.5) layer.biases[i] = 0;
      break;
    case 1: // neuron j duplicates neuron i, with negated outgoing weights: they cancel downstream
      layer.weights.copyWithin(j * layer.inDim, i * layer.inDim, (i + 1) * layer.inDim);
      layer.biases[j] = layer.biases[i];
      for (let r = 0; r < next.outDim; r++) next.weights[r * next.inDim + j] = -next.weights[r * next.inDim + i];
      break;
    case 2: // neuron i always inactive, and the next layer's first neuron fed through it alone
      layer.biases[i] = -1e6;
      for (let q = 0; q < next.inDim; q++) next.weights[q] = q === i ? 1 : 0;
      break;
    case 3: // a negated duplicate (a hyperplane shared with opposite orientation)
      for (let q = 0; q < layer.inDim; q++) layer.weights[j * layer.inDim + q] = -layer.weights[i * layer.inDim + q];
      layer.biases[j] = -layer.biases[i];
      break;
    case 4: // zero biases everywhere: every hyperplane through the origin
      for (const m of layers) m.biases.fill(0);
      break;
    default: {
      // weights scaled by 1e±8
      const f = s.uniform() < 0.5 ? 1e8 : 1e-8;
      for (let q = 0; q < layer.weights.length; q++) layer.weights[q] *= f;
    }
  }
  return makeNetwork(net.inputDim, layers);
}

function points(net: Network, s: RandomStream): Float64Array[] {
  const d = net.inputDim;
  const out = [new Float64Array(d)]; // the origin: on every kink when biases are zero
  for (let r = 0; r < 4; r++) {
    const scale = [0.1, 1, 10, 1e4][r];
    out.push(Float64Array.from({ length: d }, () => scale * s.gaussian()));
  }
  // A point exactly on the first neuron's hyperplane, when it is axis-aligned.
  const first = net.layers[0];
  if (first.weights[0] === 1 && first.weights.subarray(1, d).every((w) => w === 0)) {
    const x = Float64Array.from({ length: d }, () => s.gaussian());
    x[0] = -first.biases[0];
    out.push(x);
  }
  return out;
}

function expectSameRadius(fast: number, oracle: number): void {
  if (!Number.isFinite(oracle) || oracle === 0) expect(fast).toBe(oracle);
  else expect(Math.abs(fast - oracle)).toBeLessThanOrEqual(1e-12 * oracle);
}

describe('kink margin and region radius in O(parameters)', () => {
  it('agree with the O(d·parameters) oracle on random and degenerate networks', () => {
    const s = createStream(1, 'test/kink-margin');
    let onKink = 0;
    for (let n = 0; n < 120; n++) {
      const d = 1 + pick(s, 6);
      const widths = Array.from({ length: 1 + pick(s, 3) }, () => 2 + pick(s, 9));
      let net = sampleNetwork({ inputDim: d, widths, bias: normal, weights: 'he-fanout', seed: `kink/${n}`, outputs: 1 + pick(s, 2) });
      for (let e = n % 3; e > 0; e--) net = degenerate(net, s);
      if (n % 7 === 0) {
        // An axis-aligned first neuron, so that a point can sit exactly on its kink.
        const layers = copy(net);
        layers[0].weights.fill(0, 0, d);
        layers[0].weights[0] = 1;
        net = makeNetwork(d, layers);
      }
      for (const x of points(net, s)) {
        const oracle = kinkMarginOracle(net, x);
        expect(kinkMargin(net, x)).toBe(oracle);
        expectSameRadius(regionRadius(net, x), regionRadiusOracle(net, x));
        if (oracle === 0) onKink++;
      }
    }
    // The families did what they are for: some points sit on kinks.
    expect(onKink).toBeGreaterThan(5);
  });

  it('a neuron whose inputs cancel exactly is constant on the piece (not a kink)', () => {
    // h1 = h2 = ρ(x), z = h1 − h2 − 0 = 0 everywhere: without the exact-zero check it would be a kink at every x.
    const net = makeNetwork(1, [
      { outDim: 2, inDim: 1, weights: Float64Array.of(1, 1), biases: Float64Array.of(0, 0) },
      { outDim: 2, inDim: 2, weights: Float64Array.of(1, -1, 1, 0), biases: Float64Array.of(0, -0.5) },
      { outDim: 1, inDim: 2, weights: Float64Array.of(1, 1), biases: Float64Array.of(0) },
    ]);
    const x = [2];
    expect(kinkMargin(net, x)).toBe(kinkMarginOracle(net, x));
    expect(kinkMargin(net, x)).toBeGreaterThan(0.1); // the cancelling neuron (z = 0) is skipped
    expect(regionRadius(net, x)).toBe(1.5); // the kink of the second neuron: x = 0.5
  });

  it('agrees on a wide input (the regime the fast path is for)', () => {
    const net = sampleNetwork({ inputDim: 200, widths: [60, 60], bias: normal, weights: 'he-fanout', seed: 3 });
    const s = createStream(2, 'test/kink-margin/wide');
    const x = Float64Array.from({ length: 200 }, () => s.gaussian());
    expect(kinkMargin(net, x)).toBe(kinkMarginOracle(net, x));
    expectSameRadius(regionRadius(net, x), regionRadiusOracle(net, x));
  });
});
