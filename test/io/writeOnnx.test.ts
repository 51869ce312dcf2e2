import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { float32RoundingError, networkToOnnx } from '../../src/io/writeOnnx.js';
import { parseOnnx } from '../../src/io/onnx.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { evaluate } from '../../src/network/evaluate.js';
import { stringifyReluMlp } from '../../src/network/format.js';
import { createStream } from '../../src/random/stream.js';
import type { Network } from '../../src/network/network.js';

const net = sampleNetwork({ inputDim: 3, widths: [7, 5], bias: parseBiasLaw('laplace:1'), weights: 'he-fanout', seed: 11, outputs: 2 });

async function runOrt(bytes: Uint8Array, x: number[], double: boolean, level: 'basic' | 'all' = 'basic'): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level });
  const tensor = new ort.Tensor(double ? 'float64' : 'float32', double ? Float64Array.from(x) : Float32Array.from(x), [1, x.length]);
  const out = await session.run({ input: tensor });
  return Array.from(out.output.data as Float64Array);
}

function points(n: number, d: number): number[][] {
  const rng = createStream(5, 'writeOnnx');
  return Array.from({ length: n }, () => Array.from({ length: d }, () => Math.fround(2 * rng.gaussian())));
}

describe('writing ONNX', () => {
  it('float64 round-trips bit for bit, meta included', () => {
    const again = parseOnnx(networkToOnnx(net, 'float64'), 'net.onnx');
    expect(stringifyReluMlp(again)).toBe(stringifyReluMlp(net));
  });
  it('float32 rounds each weight to the nearest float32 and says by how much', () => {
    const again = parseOnnx(networkToOnnx(net), 'net.onnx');
    again.layers.forEach((l, i) => {
      expect(l.weights).toEqual(net.layers[i].weights.map(Math.fround));
      expect(l.biases).toEqual(net.layers[i].biases.map(Math.fround));
    });
    const err = float32RoundingError(net);
    expect(err).toBeGreaterThan(0);
    expect(err).toBeLessThan(1e-6);
    expect(float32RoundingError(again)).toBe(0);
  });
  it('ONNX Runtime evaluates the written files like lipcheck (float64 exactly, float32 with default optimisations)', async () => {
    const f64 = networkToOnnx(net, 'float64');
    const f32 = networkToOnnx(net, 'float32');
    const rounded: Network = parseOnnx(f32, 'f32.onnx');
    for (const x of points(10, 3)) {
      const want = Array.from(evaluate(net, x));
      const theirs64 = await runOrt(f64, x, true);
      want.forEach((v, i) => expect(Math.abs(theirs64[i] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))));
      const theirs32 = await runOrt(f32, x, false, 'all');
      const ours32 = Array.from(evaluate(rounded, x));
      ours32.forEach((v, i) => expect(Math.abs(theirs32[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
    }
  });
  it('writes a network without meta and an affine network', () => {
    const affine: Network = { inputDim: 2, layers: [{ inDim: 2, outDim: 1, weights: Float64Array.of(1, -2), biases: Float64Array.of(3) }] };
    const again = parseOnnx(networkToOnnx(affine, 'float64'), 'a.onnx');
    expect(Array.from(evaluate(again, [1, 1]))).toEqual([2]);
    expect(again.meta).toMatchObject({ importedFrom: { format: 'onnx', producer: 'lipcheck 0.1.0', opset: 13, inputShape: '[batch, 2]' } });
  });
});
