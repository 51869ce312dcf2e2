import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileKernels } from '../../scripts/buildKernels.js';
import { batchJacobians } from '../../src/network/batch.js';
import { jacobian, evaluate } from '../../src/network/evaluate.js';
import { GradientKernel, kernelsSupported } from '../../src/network/gradientKernel.js';
import { KERNELS_WASM_BASE64 } from '../../src/network/kernelsBinary.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { gradientEngine, ParallelGradients, waitWhile } from '../../src/network/parallelGradients.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { createStream } from '../../src/random/stream.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { networkSpecArb } from '../../properties/support/arbitraries.js';
import { checkProperty } from '../../properties/support/runner.js';

/** Inputs with the awkward cases mixed in: exact zeros, points on kinks, large and tiny values. */
function inputs(net: Network, batch: number, seed: number): Float64Array {
  const s = createStream(seed, 'kernel-test');
  const X = Float64Array.from({ length: batch * net.inputDim }, () => s.gaussian() * 3);
  for (let i = 0; i < X.length; i += 5) X[i] = 0;
  if (X.length > 3) X[3] = 1e150;
  if (X.length > 7) X[7] = -1e-300;
  return X;
}

const same = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('the WebAssembly gradient kernel', () => {
  it('is what kernels.wat compiles to (the embedded binary is not stale)', async () => {
    const binary = await compileKernels(readFileSync(new URL('../../src/network/kernels.wat', import.meta.url), 'utf8'));
    expect(Buffer.from(binary).toString('base64')).toBe(KERNELS_WASM_BASE64);
  });

  it('runs here', () => expect(kernelsSupported()).toBe(true));

  it('agrees bit for bit with batchJacobians, and with the single-point jacobian to rounding', () =>
    checkProperty(
      fc.property(
        networkSpecArb({ maxInputDim: 20, maxDepth: 3, maxWidth: 40, maxOutputs: 3 }),
        fc.integer({ min: 1, max: 37 }),
        (spec, batch) => {
          const net = sampleNetwork(spec);
          const X = inputs(net, batch, Number(spec.seed));
          const ref = batchJacobians(net, X, batch);
          const got = new GradientKernel(net).jacobians(X, batch);
          expect(same(got.jacobians, ref.jacobians)).toBe(true);
          expect(same(got.values, ref.values)).toBe(true);
          // An independent path (one point at a time, dense products): equal up to summation order.
          const d = net.inputDim;
          const k = got.outputs;
          for (const r of [0, batch - 1]) {
            const x = X.subarray(r * d, (r + 1) * d);
            const J = jacobian(net, x).data;
            const y = evaluate(net, x);
            J.forEach((v, i) => expect(got.jacobians[r * k * d + i]).toBeCloseTo(v, 9 - Math.max(0, Math.ceil(Math.log10(Math.abs(v) + 1)))));
            y.forEach((v, i) => expect(Math.abs(got.values[r * k + i] - v)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(v))));
          }
        },
      ),
      { numRuns: 60, seed: 7101, file: import.meta.url, name: 'agrees bit for bit with batchJacobians, and with the single-point jacobian to rounding' },
    ));

  it('computes |x| and an affine map by hand, and reuses its buffers across batch sizes', () => {
    const abs = makeNetwork(1, [denseLayer([[1], [-1]], [0, 0]), denseLayer([[1, 1]], [0])]);
    const kernel = new GradientKernel(abs);
    const r = kernel.jacobians(Float64Array.of(-2, 3, 0), 3);
    expect(Array.from(r.jacobians)).toEqual([-1, 1, 0]); // ρ′(0) = 0 at the kink
    expect(Array.from(r.values)).toEqual([2, 3, 0]);
    expect(Array.from(kernel.jacobians(Float64Array.of(5), 1).jacobians)).toEqual([1]);
    const affine = makeNetwork(2, [denseLayer([[1, 2], [3, 4]], [5, 6])]);
    const a = new GradientKernel(affine).jacobians(Float64Array.of(1, 1, 0, 0), 2);
    expect(Array.from(a.jacobians)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(Array.from(a.values)).toEqual([8, 13, 5, 6]);
    expect(() => kernel.jacobians(Float64Array.of(1, 2), 1)).toThrow(/expected 1×1 inputs/);
  });
});

describe('gradients on several threads', () => {
  it('give the kernel\'s results in row order, over several rounds and with uneven shares', () => {
    const net = sampleNetwork({ inputDim: 7, widths: [33, 17], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 3, outputs: 2 });
    const pool = new ParallelGradients(net, 3, 5); // capacity 5 rows per helper: many rounds
    try {
      expect(pool.threads).toBe(3);
      for (const batch of [1, 2, 11, 64]) {
        const X = inputs(net, batch, batch);
        const ref = batchJacobians(net, X, batch);
        const got = pool.jacobians(X, batch);
        expect(same(got.jacobians, ref.jacobians)).toBe(true);
        expect(same(got.values, ref.values)).toBe(true);
      }
    } finally {
      pool.close();
    }
  });

  it('gradientEngine picks threads only for large jobs from the main thread, with the same results', () => {
    const net = sampleNetwork({ inputDim: 5, widths: [20], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 4 });
    const X = inputs(net, 50, 1);
    const small = gradientEngine(net, 100);
    const large = gradientEngine(net, 1e6);
    expect(small.threads).toBe(1);
    expect(large.threads).toBe(isMainThread ? availableParallelism() : 1); // a worker thread is already one of several
    expect(same(small.jacobians(X, 50).jacobians, large.jacobians(X, 50).jacobians)).toBe(true);
    small.close();
    large.close();
  });

  it('waitWhile sees a change that no notify announces (it never trusts a notify alone)', async () => {
    const ctl = new Int32Array(new SharedArrayBuffer(4));
    // Stores after 20 ms without Atomics.notify: a plain Atomics.wait without timeout would never return.
    const worker = new Worker("const a = new Int32Array(require('node:worker_threads').workerData); setTimeout(() => Atomics.store(a, 0, 7), 20);", { eval: true, workerData: ctl.buffer });
    try {
      expect(waitWhile(ctl, 0, 0)).toBe(7);
    } finally {
      await worker.terminate();
    }
  });

  it('a pool gives the reference results over many rounds, and carries on alone once closed', () => {
    const net = sampleNetwork({ inputDim: 6, widths: [24, 8], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 6 });
    const pool = new ParallelGradients(net, 2, 16);
    const X = inputs(net, 100, 2);
    const ref = batchJacobians(net, X, 100);
    expect(same(pool.jacobians(X, 100).jacobians, ref.jacobians)).toBe(true);
    pool.close();
    expect(pool.threads).toBe(1);
    expect(same(pool.jacobians(X, 100).jacobians, ref.jacobians)).toBe(true);
    pool.close(); // twice is fine
  });
});

describe('the float32 kernel (for ranking candidates)', () => {
  it('agrees with the float64 reference to float32 accuracy, on one thread and on several, and ranks as it does', () => {
    for (const [d, widths, outputs, seed] of [[5, [30, 20], 3, 1], [64, [40, 33], 1, 2], [3, [7], 2, 3]] as [number, number[], number, number][]) {
      const net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed, outputs });
      const batch = 37;
      const s = createStream(seed, 'float32');
      const X = Float64Array.from({ length: batch * d }, () => 3 * s.gaussian());
      const ref = batchJacobians(net, X, batch);
      const got = new GradientKernel(net, 'float32').jacobians(X, batch);
      const frobenius = (a: Float64Array, r: number) => Math.hypot(...a.subarray(r * outputs * d, (r + 1) * outputs * d));
      for (let r = 0; r < batch; r++) {
        // Float32 rounding (2⁻²⁴ ≈ 6e-8) accumulated over a few hundred terms, with room to spare.
        expect(Math.abs(frobenius(got.jacobians, r) - frobenius(ref.jacobians, r))).toBeLessThanOrEqual(1e-4 * frobenius(ref.jacobians, r));
        for (let o = 0; o < outputs; o++) expect(Math.abs(got.values[r * outputs + o] - ref.values[r * outputs + o])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(ref.values[r * outputs + o])));
      }
      const rank = (J: Float64Array) => Array.from({ length: batch }, (_, r) => r).sort((a, b) => frobenius(J, b) - frobenius(J, a));
      expect(rank(got.jacobians)[0]).toBe(rank(ref.jacobians)[0]);
      const pool = new ParallelGradients(net, 2, 8, 'float32');
      try {
        expect(same(pool.jacobians(X, batch).jacobians, got.jacobians)).toBe(true);
      } finally {
        pool.close();
      }
      expect(same(gradientEngine(net, 10, 'float32').jacobians(X, batch).jacobians, got.jacobians)).toBe(true);
    }
  });
});
