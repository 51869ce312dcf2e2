import type { BatchJacobians } from './batch.js';
import { KERNELS_WASM_BASE64 } from './kernelsBinary.js';
import type { Network } from './network.js';

/**
 * Batched Jacobians with the inner products in WebAssembly SIMD (src/network/kernels.wat): the
 * same computation as `batchJacobians`, summed in the same order with the same float64 operations,
 * so the results are bit-identical to it, NaN payloads aside (test/network/gradientKernel.test.ts
 * checks this). A kernel holds
 * one network's weights in its own WebAssembly memory; reuse it across batches.
 *
 * A `float32` kernel does the same in single precision (weights, inputs and sums rounded to
 * float32; four SIMD lanes instead of two, about twice the throughput): its numbers are only good
 * for ranking candidates, which must then be re-evaluated in float64 before anything is reported.
 */

// The few WebAssembly types used here (the project's lib settings do not include them).
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
};

interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  compress(A: number, M: number, masked: number, div: number, rows: number, m: number, bRowBytes: number, idx: number, val: number, count: number): void;
  spmm(rows: number, m: number, idx: number, val: number, count: number, B: number, n: number, C: number): void;
  compress32: KernelExports['compress'];
  spmm32: KernelExports['spmm'];
}

/** The arithmetic of a kernel: float64 (bit-identical to `batchJacobians`) or float32 (for ranking only). */
export type KernelPrecision = 'float64' | 'float32';

let compiled: object | null = null;

/** Whether this runtime can run the SIMD kernels (Node ≥ 16.4 can). */
export function kernelsSupported(): boolean {
  try {
    compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    return true;
  } catch {
    return false;
  }
}

const PAGE = 65536;
/** Bytes of per-batch buffers a kernel plans for at most (larger batches go in chunks). */
const BUFFER_BYTES = 64 * 2 ** 20;
const align = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Bump allocation of 16-byte aligned regions, in bytes from `start`. */
class Regions {
  constructor(private end: number) {}
  take(bytes: number): number {
    const at = this.end;
    this.end += align(bytes);
    return at;
  }
  get size(): number {
    return this.end;
  }
}

export class GradientKernel {
  private readonly wasm: KernelExports;
  /** Byte offsets of each layer's Wᵀ (inDim × outDim, for the forward pass) and W (outDim × inDim). */
  private readonly forwardWeights: number[] = [];
  private readonly backwardWeights: number[] = [];
  private readonly weightBytes: number;
  /** Rows whose per-batch buffers fit in BUFFER_BYTES. */
  private readonly rowsPerChunk: number;
  private layout: ReturnType<GradientKernel['planBuffers']> | null = null;
  /** Bytes per number: 8 (float64) or 4 (float32). */
  private readonly size: number;

  /** Copies the network's weights into a fresh WebAssembly instance. Throws if SIMD is unavailable. */
  constructor(
    private readonly net: Network,
    readonly precision: KernelPrecision = 'float64',
  ) {
    if (!kernelsSupported()) throw new Error('this runtime cannot compile WebAssembly SIMD');
    this.wasm = new WebAssembly.Instance(compiled!).exports as unknown as KernelExports;
    this.size = precision === 'float64' ? 8 : 4;
    const regions = new Regions(0);
    for (const layer of net.layers) {
      this.forwardWeights.push(regions.take(layer.weights.length * this.size));
      this.backwardWeights.push(regions.take(layer.weights.length * this.size));
    }
    this.weightBytes = regions.size;
    this.rowsPerChunk = Math.max(1, Math.floor(BUFFER_BYTES / (this.planBuffers(1).bytes - this.weightBytes)));
    this.ensureMemory(this.weightBytes);
    const mem = this.numbers();
    net.layers.forEach((layer, l) => {
      const { outDim, inDim, weights } = layer;
      const t = this.forwardWeights[l] / this.size;
      for (let i = 0; i < outDim; i++) for (let j = 0; j < inDim; j++) mem[t + j * outDim + i] = weights[i * inDim + j];
      mem.set(weights, this.backwardWeights[l] / this.size);
    });
  }

  /** The whole memory as numbers of the kernel's precision (valid until memory grows). */
  private numbers(): Float64Array | Float32Array {
    return this.size === 8 ? new Float64Array(this.wasm.memory.buffer) : new Float32Array(this.wasm.memory.buffer);
  }

  private ensureMemory(bytes: number): void {
    const have = this.wasm.memory.buffer.byteLength;
    if (bytes > have) this.wasm.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** Byte offsets of the per-batch buffers after the weights. */
  private planBuffers(batch: number) {
    const net = this.net;
    const k = net.layers[net.layers.length - 1].outDim;
    const widest = Math.max(net.inputDim, ...net.layers.map((l) => l.outDim));
    const rows = batch * Math.max(1, k);
    const regions = new Regions(this.weightBytes);
    const size = this.size;
    const input = regions.take(batch * net.inputDim * size);
    const activations = net.layers.map((l) => regions.take(batch * l.outDim * size));
    const gradients = [regions.take(rows * widest * size), regions.take(rows * widest * size)];
    const idx = regions.take(rows * widest * 4);
    const val = regions.take(rows * widest * size);
    const count = regions.take(rows * 4);
    return { rows: batch, input, activations, gradients, idx, val, count, bytes: regions.size };
  }

  /**
   * out (rows × n) += A′ (rows × m) · B (m × n), all offsets in bytes, where A′ is A with the entries
   * zeroed whose mask entry M[⌊r/div⌋, j] is not > 0 (no mask: `mask` null).
   */
  private multiply(A: number, mask: { M: number; div: number } | null, rows: number, m: number, B: number, n: number, out: number): void {
    const { idx, val, count } = this.layout!;
    const [compress, spmm] = this.size === 8 ? [this.wasm.compress, this.wasm.spmm] : [this.wasm.compress32, this.wasm.spmm32];
    compress(A, mask?.M ?? 0, mask ? 1 : 0, mask?.div ?? 1, rows, m, n * this.size, idx, val, count);
    spmm(rows, m, idx, val, count, B, n, out);
  }

  /**
   * The formal Jacobians (ReLU′(0) = 0) and values at every row of X (batch × d), as
   * `batchJacobians` (float32: the same computation in single precision, widened to float64).
   */
  jacobians(X: Float64Array, batch: number): BatchJacobians {
    const d = this.net.inputDim;
    const k = this.net.layers[this.net.layers.length - 1].outDim;
    if (X.length !== batch * d) throw new Error(`expected ${batch}×${d} inputs, got ${X.length} numbers`);
    // Per-batch buffers stay below BUFFER_BYTES: larger batches go in chunks.
    const chunk = this.rowsPerChunk;
    if (batch <= chunk) return this.run(X, batch);
    const jacobians = new Float64Array(batch * k * d);
    const values = new Float64Array(batch * k);
    for (let from = 0; from < batch; from += chunk) {
      const rows = Math.min(chunk, batch - from);
      const r = this.run(X.subarray(from * d, (from + rows) * d), rows);
      jacobians.set(r.jacobians, from * k * d);
      values.set(r.values, from * k);
    }
    return { batch, outputs: k, inputDim: d, jacobians, values };
  }

  private run(X: Float64Array, batch: number): BatchJacobians {
    const net = this.net;
    const d = net.inputDim;
    const L = net.layers.length;
    const k = net.layers[L - 1].outDim;
    if (!this.layout || batch > this.layout.rows) {
      const plan = this.planBuffers(batch);
      this.ensureMemory(plan.bytes); // may throw; the old plan then still holds
      this.layout = plan;
    }
    const { input, activations, gradients } = this.layout;
    const size = this.size;
    // The kernels never grow memory (only ensureMemory does), so one view serves the whole call.
    const mem = this.numbers();
    mem.set(X, input / size);
    // Forward: Z_ℓ = ρ(Z_{ℓ−1}) W_ℓᵀ + b_ℓ, where ρ is applied on the fly (only positive entries of
    // Z_{ℓ−1} enter the product; Z_{−1} = X enters whole).
    for (let l = 0; l < L; l++) {
      const { outDim, inDim, biases } = net.layers[l];
      const Z = activations[l] / size;
      for (let r = 0; r < batch; r++) mem.set(biases, Z + r * outDim);
      if (l === 0) this.multiply(input, null, batch, inDim, this.forwardWeights[0], outDim, activations[0]);
      else this.multiply(activations[l - 1], { M: activations[l - 1], div: 1 }, batch, inDim, this.forwardWeights[l], outDim, activations[l]);
    }
    const values = new Float64Array(mem.subarray(activations[L - 1] / size, activations[L - 1] / size + batch * k));
    // Backward: G (batch·k × N_ℓ) starts as the rows of W_L; in each product only the entries of
    // units that are on (Z_ℓ > 0, row ⌊r/k⌋ for row r of G) take part.
    const last = net.layers[L - 1];
    let G = gradients[0];
    let next = gradients[1];
    for (let r = 0; r < batch; r++) mem.set(last.weights, G / size + r * k * last.inDim);
    for (let l = L - 2; l >= 0; l--) {
      const { outDim: n, inDim } = net.layers[l];
      mem.fill(0, next / size, next / size + batch * k * inDim);
      this.multiply(G, { M: activations[l], div: k }, batch * k, n, this.backwardWeights[l], inDim, next);
      [G, next] = [next, G];
    }
    const jacobians = new Float64Array(mem.subarray(G / size, G / size + batch * k * d));
    return { batch, outputs: k, inputDim: d, jacobians, values };
  }
}
