import { describe, expect, it } from 'vitest';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { Budget } from '../../src/lipschitz/budget.js';
import { exactChunkFlops, jacobianFlops, lineSweepFlops, pieceMapsFlops, secondsFor, secondsPerFlop, svdFlops } from '../../src/lipschitz/costs.js';
import { boundedNormProduct, cheapSpectralBound, operatorNormProduct } from '../../src/lipschitz/upper/operatorNorms.js';
import { normsAt, sampleCandidates } from '../../src/lipschitz/lower/sampling.js';
import { lowerBound } from '../../src/lipschitz/lower/index.js';
import { jacobian } from '../../src/network/evaluate.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';
import type { Mat } from '../../src/linalg/mat.js';
import type { Network } from '../../src/network/network.js';

const normal = parseBiasLaw('normal:1');
/** A budget that has already run out. */
const spent = () => new Budget(0, Infinity, { origin: performance.now() - 1000 });

describe('cost estimates', () => {
  it('measure a positive speed and grow with the sizes', () => {
    const s = secondsPerFlop();
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThan(1e-6);
    expect(secondsFor(2e9)).toBeCloseTo(2 * secondsFor(1e9), 6);
    const small = sampleNetwork({ inputDim: 8, widths: [16], bias: normal, weights: 'he-fanout', seed: 1 });
    // Only the shapes matter to the estimates: a 784→1024→1024→10 net without its weights.
    const shape = (outDim: number, inDim: number) => ({ outDim, inDim, weights: new Float64Array(0), biases: new Float64Array(0) });
    const wide = { inputDim: 784, layers: [shape(1024, 784), shape(1024, 1024), shape(10, 1024)] } as unknown as Network;
    for (const f of [jacobianFlops, pieceMapsFlops, lineSweepFlops]) expect(f(wide)).toBeGreaterThan(100 * f(small));
    expect(pieceMapsFlops(wide)).toBe(784 * (784 * 1024 + 1024 * 1024));
    expect(svdFlops(1024, 1024)).toBeGreaterThan(1e10);
    // Vertex enumeration on a shallow 784-input net checks its budget every 1,024 vertices (d×d
    // solves): not startable; region search checks it every 16 rows of a region's maps: it is.
    const global = { norm: '2' as const, box: null };
    const shallowWide = { inputDim: 784, layers: [shape(1024, 784), shape(1, 1024)] } as unknown as Network;
    // In flops, not seconds: the measured speed varies with the machine's load (a loaded run once
    // measured the small net's chunk at 1.03 s). 1e14 flops is over a day at 1 Gflop/s; 1e9, a second.
    expect(exactChunkFlops(shallowWide, global)).toBeGreaterThan(1e14);
    expect(exactChunkFlops(wide, global)).toBeLessThan(pieceMapsFlops(wide) / 10);
    expect(exactChunkFlops(small, global)).toBeLessThan(1e9);
  });
});

/** The exact spectral norm by ml-matrix's SVD. */
function svd(m: Mat): number {
  return new SingularValueDecomposition(new Matrix(Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)))), { autoTranspose: true }).diagonal[0];
}

describe('the norm product within a budget', () => {
  it('min(‖W‖_F, √(‖W‖₁‖W‖∞)) bounds ‖W‖₂, with room for rounding where it is tight', () => {
    const s = createStream(1, 'test/cheap-spectral');
    for (let t = 0; t < 20; t++) {
      const rows = 1 + Math.floor(8 * s.uniform());
      const cols = 1 + Math.floor(8 * s.uniform());
      const m: Mat = { rows, cols, data: Float64Array.from({ length: rows * cols }, () => s.gaussian() * 10 ** (6 * s.uniform() - 3)) };
      expect(cheapSpectralBound(m)).toBeGreaterThanOrEqual(svd(m) * (1 - 1e-12));
    }
    // Tight cases, exact norms: rank one (Frobenius = spectral = 5) and a signed permutation (Hölder = 2).
    expect(cheapSpectralBound({ rows: 2, cols: 3, data: Float64Array.of(3, 0, 0, 4, 0, 0) })).toBeGreaterThan(5);
    expect(cheapSpectralBound({ rows: 2, cols: 2, data: Float64Array.of(0, 2, -2, 0) })).toBeGreaterThan(2);
    // Extreme scales: no overflow to Infinity or underflow to 0.
    expect(cheapSpectralBound({ rows: 2, cols: 2, data: Float64Array.of(1e200, 1e200, 0, 1e200) })).toBeLessThan(Infinity);
    expect(cheapSpectralBound({ rows: 1, cols: 2, data: Float64Array.of(3e-200, 4e-200) })).toBeGreaterThanOrEqual(5e-200);
  });
  it('uses the proven spectral norm when it fits and the cheap bound when it does not, saying so', () => {
    const net = sampleNetwork({ inputDim: 20, widths: [30, 30], bias: normal, weights: 'he-fanout', seed: 2, outputs: 3 });
    const full = boundedNormProduct(net, '2', new Budget(Infinity));
    expect(full).toEqual({ value: operatorNormProduct(net, '2'), cheapLayers: 0 });
    const budget = spent();
    const cheap = boundedNormProduct(net, '2', budget);
    expect(cheap.cheapLayers).toBe(3);
    expect(cheap.value).toBeGreaterThan(full.value);
    expect(budget.skipped.length).toBe(3);
    // Column and row sums cost one pass: never replaced.
    expect(boundedNormProduct(net, '1', spent())).toEqual({ value: operatorNormProduct(net, '1'), cheapLayers: 0 });
  });
});

describe('the lower-bound search within a budget', () => {
  const net = sampleNetwork({ inputDim: 3, widths: [12, 12], bias: normal, weights: 'he-fanout', seed: 4, outputs: 2 });
  const query = { norm: '2' as const, box: null };
  it('sampling past its budget evaluates one chunk (the same points) and still re-checks one witness', () => {
    const cut = sampleCandidates(net, query, 4096, 'seed', 8, spent());
    expect(cut.length).toBe(1);
    expect(cut[0]).toEqual(sampleCandidates(net, query, 256, 'seed', 8)[0]); // a chunk is 256 points on a net this small
    expect(operatorNorm(jacobian(net, cut[0].x), '2')).toBe(cut[0].value);
    const X = Float64Array.from({ length: 600 * 3 }, (_, i) => Math.sin(i));
    const norms = normsAt(net, X, 600, '2', spent());
    expect(norms.slice(0, 256).every((v) => v >= 0)).toBe(true);
    expect(norms.slice(256).every((v) => Number.isNaN(v))).toBe(true);
  });
  it('a search out of time returns at once with a witness', () => {
    const started = performance.now();
    const r = lowerBound(net, query, { timeLimit: 0, budget: spent() });
    expect(r.restarts).toBe(0);
    expect(r.witness.value).toBe(operatorNorm(jacobian(net, r.witness.x), '2'));
    expect(performance.now() - started).toBeLessThan(5_000); // a guard against hanging, not a speed target
  });
});

describe('bounds and verify with no time left', () => {
  // Everything that can be skipped is: what remains is one pass over the weights (the norm product,
  // by the cheap spectral bound) and one chunk of samples with one witness — sound, and said so.
  const net = sampleNetwork({ inputDim: 3, widths: [8], bias: normal, weights: 'he-fanout', seed: 6 });
  const query = { norm: '2' as const, box: null };
  it('certifiedBounds returns a sound bracket at once, marked stopped on time, naming what it left out', async () => {
    const { certifiedBounds } = await import('../../src/lipschitz/bounds.js');
    const { exactLipschitz } = await import('../../src/lipschitz/exact/index.js');
    const r = await certifiedBounds(net, query, { budget: spent() });
    const exact = exactLipschitz(net, query);
    if (exact.kind !== 'exact') throw new Error('expected an exact value');
    expect(r.stoppedOnTime).toBe(true);
    expect(r.exact).toBe(null);
    expect(r.lower).toBeLessThanOrEqual(exact.lipschitz * (1 + 1e-12));
    expect(r.upper).toBeGreaterThanOrEqual(exact.lipschitz);
    expect(r.lower).toBe(operatorNorm(jacobian(net, r.witness), '2'));
    expect(r.skipped.join('; ')).toMatch(/spectral norm.*interval Jacobian.*zonotope.*exact solver/);
  });
  it('verifyClaim: an upper claim between the constant and the cheap bound ends unproven, on time; a lower claim above that bound is refuted', async () => {
    const { verifyClaim } = await import('../../src/lipschitz/verify.js');
    const { exactLipschitz } = await import('../../src/lipschitz/exact/index.js');
    const exact = exactLipschitz(net, query);
    if (exact.kind !== 'exact') throw new Error('expected an exact value');
    const cheap = boundedNormProduct(net, '2', spent()).value;
    expect(cheap).toBeGreaterThan(1.01 * exact.lipschitz);
    const between = await verifyClaim(net, query, { kind: 'upper', value: Math.sqrt(exact.lipschitz * cheap) }, { timeLimit: 0, budget: spent() });
    expect([between.status, between.proven, between.stoppedOnTime]).toEqual(['consistent', false, true]);
    expect(between.skipped.join('; ')).toMatch(/exact solver.*spectral norm.*interval Jacobian/);
    const above = await verifyClaim(net, query, { kind: 'lower', value: 2 * cheap }, { timeLimit: 0, budget: spent() });
    expect([above.status, above.proven, above.stoppedOnTime]).toEqual(['refuted', true, false]);
  });
});
