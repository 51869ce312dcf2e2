import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, gradient, regionRadius } from '../src/network/evaluate.js';
import { parseReluMlp, stringifyReluMlp } from '../src/network/format.js';
import { sampleNetwork } from '../src/network/sample.js';
import { parseBiasLaw } from '../src/random/biasLaws.js';
import { checkProperty } from './support/runner.js';
import { networkSpecArb, pointArb } from './support/arbitraries.js';

const file = import.meta.url;

describe('foundation properties', () => {
  it('gradients match central finite differences away from kinks', () => {
    const name = 'gradients match central finite differences away from kinks';
    checkProperty(
      fc.property(networkSpecArb({ maxInputDim: 4, maxDepth: 3, maxWidth: 12, maxOutputs: 1 }), fc.integer({ min: 0, max: 1_000_000 }), (spec, pointSeed) => {
        const net = sampleNetwork(spec);
        const x = pointArbValue(spec.inputDim, pointSeed);
        fc.pre(regionRadius(net, x) > 1e-5); // central differences with h = 1e-6 stay inside the region
        const g = gradient(net, x);
        const h = 1e-6;
        for (let i = 0; i < x.length; i++) {
          const xp = Float64Array.from(x);
          const xm = Float64Array.from(x);
          xp[i] += h;
          xm[i] -= h;
          const fd = (evaluate(net, xp)[0] - evaluate(net, xm)[0]) / (2 * h);
          // Affine on the segment, so the only error is rounding: |f|·ε/h ≈ 1e-10·scale.
          const scale = 1 + Math.abs(evaluate(net, x)[0]) + Math.abs(g[i]);
          expect(Math.abs(fd - g[i])).toBeLessThan(1e-7 * scale);
        }
      }),
      { numRuns: 200, seed: 1001, file, name },
    );
  });

  it('relu-mlp round-trips exactly', () => {
    const name = 'relu-mlp round-trips exactly';
    checkProperty(
      fc.property(networkSpecArb({ maxInputDim: 5, maxDepth: 3, maxWidth: 8, maxOutputs: 3 }), (spec) => {
        const net = sampleNetwork(spec);
        const text = stringifyReluMlp(net);
        const again = parseReluMlp(text, 'roundtrip');
        expect(stringifyReluMlp(again)).toBe(text);
        again.layers.forEach((l, i) => {
          expect(l.weights).toEqual(net.layers[i].weights);
          expect(l.biases).toEqual(net.layers[i].biases);
        });
      }),
      { numRuns: 100, seed: 1002, file, name },
    );
  });

  it('a seed fully determines the network', () => {
    const name = 'a seed fully determines the network';
    checkProperty(
      fc.property(networkSpecArb({ maxInputDim: 4, maxDepth: 3, maxWidth: 8, maxOutputs: 2 }), (spec) => {
        const a = sampleNetwork(spec);
        const b = sampleNetwork({ ...spec, bias: parseBiasLaw(spec.bias.spec) });
        expect(stringifyReluMlp(b)).toBe(stringifyReluMlp(a));
      }),
      { numRuns: 100, seed: 1003, file, name },
    );
  });
});

function pointArbValue(dim: number, seed: number): Float64Array {
  return fc.sample(pointArb(dim), { seed, numRuns: 1 })[0];
}
