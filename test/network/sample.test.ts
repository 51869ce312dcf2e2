import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DELIBERATE_VIOLATIONS, hiddenWeightVariance, sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { stringifyReluMlp } from '../../src/network/format.js';
import { describeArchitecture, hiddenWidths, neuronCount, parameterCount } from '../../src/network/network.js';
import { chiSquareVarianceTest } from '../../src/network/info.js';

const normal = parseBiasLaw('normal:1');

describe('sampling the papers\' model', () => {
  it('has the requested architecture', () => {
    const net = sampleNetwork({ inputDim: 3, widths: [4, 5], bias: normal, weights: 'he-fanout', seed: 1, outputs: 2 });
    expect(describeArchitecture(net)).toBe('3→4→5→2');
    expect(hiddenWidths(net)).toEqual([4, 5]);
    expect(neuronCount(net)).toBe(9);
    expect(parameterCount(net)).toBe(3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2);
    expect(net.meta).toMatchObject({ seed: 1, bias: 'normal:1', weights: 'he-fanout', widths: [4, 5] });
  });
  it('is a function of the seed', () => {
    const spec = { inputDim: 3, widths: [6, 6], bias: normal, weights: 'he-fanout' as const, seed: 'abc' };
    expect(stringifyReluMlp(sampleNetwork(spec))).toBe(stringifyReluMlp(sampleNetwork(spec)));
    expect(stringifyReluMlp(sampleNetwork({ ...spec, seed: 'abd' }))).not.toBe(stringifyReluMlp(sampleNetwork(spec)));
  });
  it('adding a layer leaves the earlier layers bit-identical', () => {
    const base = { inputDim: 3, bias: normal, weights: 'he-fanout' as const, seed: 5 };
    const a = sampleNetwork({ ...base, widths: [7, 8] });
    const b = sampleNetwork({ ...base, widths: [7, 8, 9] });
    for (let l = 0; l < 2; l++) {
      expect(b.layers[l].weights).toEqual(a.layers[l].weights);
      expect(b.layers[l].biases).toEqual(a.layers[l].biases);
    }
  });
  it('reproduces the committed golden networks bit for bit (same bits on every machine)', () => {
    // fixtures/golden/*.json were written by `lipcheck sample` when this test was introduced; any
    // change in the generator, the streams or the arithmetic shows up here.
    const golden = JSON.parse(readFileSync('fixtures/golden/samples.json', 'utf8')) as { args: { inputDim: number; widths: number[]; bias: string; weights: 'he-fanout' | 'he-fanin'; seed: number | string; outputs: number }; network: unknown }[];
    expect(golden.length).toBeGreaterThanOrEqual(3);
    for (const g of golden) {
      const net = sampleNetwork({ ...g.args, bias: parseBiasLaw(g.args.bias) });
      expect(stringifyReluMlp(net)).toBe(JSON.stringify(g.network));
    }
  });

  // Exact χ² tests of the variance of zero-mean normal entries (chiSquareVarianceTest), each at
  // α = 1e-6 with a fixed seed: false-failure probability ≤ 3e-6 for a fresh seed.
  it('hidden weights have variance 2/N_out (papers) or 2/N_in (fan-in); output weights 1', () => {
    const fanout = sampleNetwork({ inputDim: 300, widths: [100], bias: normal, weights: 'he-fanout', seed: 21, outputs: 1 });
    expect(chiSquareVarianceTest(fanout.layers[0].weights, 2 / 100)).toBeGreaterThan(1e-6);
    const fanin = sampleNetwork({ inputDim: 300, widths: [100], bias: normal, weights: 'he-fanin', seed: 22 });
    expect(chiSquareVarianceTest(fanin.layers[0].weights, 2 / 300)).toBeGreaterThan(1e-6);
    const out = sampleNetwork({ inputDim: 2, widths: [20_000], bias: normal, weights: 'he-fanout', seed: 23 });
    expect(chiSquareVarianceTest(out.layers[1].weights, 1)).toBeGreaterThan(1e-6);
    expect(hiddenWeightVariance('he-fanout', 300, 100)).toBe(0.02);
    expect(hiddenWeightVariance('he-fanin', 300, 100)).toBeCloseTo(2 / 300, 15);
    // Power: the wrong convention is rejected by the same test.
    expect(chiSquareVarianceTest(fanin.layers[0].weights, 2 / 100)).toBeLessThan(1e-6);
  });
  it('the deliberate violations: unnormalised hidden weights have variance 2, input-scaled a first layer ×√d', () => {
    // χ² at α = 1e-6 each (false-failure ≤ 4e-6 with fresh seeds); the second layer of input-scaled is he-fanout.
    const raw = sampleNetwork({ inputDim: 30, widths: [100, 50], bias: normal, weights: 'unnormalised', seed: 24 });
    expect(chiSquareVarianceTest(raw.layers[0].weights, 2)).toBeGreaterThan(1e-6);
    expect(chiSquareVarianceTest(raw.layers[1].weights, 2)).toBeGreaterThan(1e-6);
    const scaled = sampleNetwork({ inputDim: 30, widths: [100, 50], bias: normal, weights: 'input-scaled', seed: 25 });
    expect(chiSquareVarianceTest(scaled.layers[0].weights, (2 * 30) / 100)).toBeGreaterThan(1e-6);
    expect(chiSquareVarianceTest(scaled.layers[1].weights, 2 / 50)).toBeGreaterThan(1e-6);
    expect(hiddenWeightVariance('input-scaled', 30, 100, 0)).toBeCloseTo(0.6, 15);
    expect(hiddenWeightVariance('input-scaled', 100, 50, 1)).toBe(0.04);
    expect(DELIBERATE_VIOLATIONS).toEqual(['unnormalised', 'input-scaled']);
  });
});
