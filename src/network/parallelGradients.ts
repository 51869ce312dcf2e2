import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isMainThread, Worker } from 'node:worker_threads';
import { batchJacobians, type BatchJacobians } from './batch.js';
import { GradientKernel, kernelsSupported } from './gradientKernel.js';
import type { Network } from './network.js';

/**
 * Batched Jacobians on several cores, synchronously: the calling thread computes one share of each
 * batch and worker threads the others, exchanging inputs and results through shared memory. The
 * results are those of `GradientKernel` (bit-identical to `batchJacobians`), in the order of the rows.
 * Call `close()` when done; the workers never keep the process alive.
 */

/** Indices of the shared control words (Int32). */
export const CONTROL = { ready: 0, command: 1, done: 2, rows: 3, failed: 4 } as const;

export interface GradientWorkerData {
  readonly inputDim: number;
  readonly layers: Network['layers'];
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  /** Rows the shared buffers hold. */
  readonly capacity: number;
}

interface Helper {
  readonly worker: Worker;
  readonly ctl: Int32Array;
  readonly f64: Float64Array;
  sent: number;
}

/** The compiled worker (dist/network/gradientWorker.js), also when this module runs from src/. */
function workerFile(): string {
  return fileURLToPath(new URL('../../dist/network/gradientWorker.js', import.meta.url));
}

const READY_TIMEOUT_MS = 10_000;

export class ParallelGradients implements GradientEngine {
  private readonly own: GradientKernel;
  private readonly helpers: Helper[] = [];
  private readonly k: number;

  /**
   * `threads` in total, the calling one included (default: the machine's parallelism). Falls back
   * to the calling thread alone when workers cannot start (e.g. no compiled worker file).
   */
  constructor(
    private readonly net: Network,
    threads = availableParallelism(),
    private readonly capacity = 1024,
  ) {
    this.own = new GradientKernel(net);
    this.k = net.layers[net.layers.length - 1].outDim;
    const file = workerFile();
    if (threads < 2 || !existsSync(file)) return;
    const d = net.inputDim;
    for (let t = 1; t < threads; t++) {
      const control = new SharedArrayBuffer(8 * 4);
      const data = new SharedArrayBuffer(capacity * (d + this.k * d + this.k) * 8);
      const workerData: GradientWorkerData = { inputDim: d, layers: net.layers, control, data, capacity };
      const worker = new Worker(file, { workerData });
      worker.unref();
      const ctl = new Int32Array(control);
      if (Atomics.wait(ctl, CONTROL.ready, 0, READY_TIMEOUT_MS) === 'timed-out' && Atomics.load(ctl, CONTROL.ready) !== 1) {
        void worker.terminate();
        continue;
      }
      this.helpers.push({ worker, ctl, f64: new Float64Array(data), sent: 0 });
    }
  }

  /** Threads in use, the calling one included. */
  get threads(): number {
    return 1 + this.helpers.length;
  }

  /** The formal Jacobians and values at every row of X (batch × d), as `batchJacobians`. */
  jacobians(X: Float64Array, batch: number): BatchJacobians {
    const d = this.net.inputDim;
    const k = this.k;
    if (X.length !== batch * d) throw new Error(`expected ${batch}×${d} inputs, got ${X.length} numbers`);
    const jacobians = new Float64Array(batch * k * d);
    const values = new Float64Array(batch * k);
    const share = Math.ceil(batch / this.threads);
    for (let start = 0; start < batch; ) {
      // One round: the calling thread takes rows [start, start + mine), each helper up to `capacity` after.
      const mine = Math.min(share, batch - start);
      const assigned: { helper: Helper; from: number; rows: number }[] = [];
      let next = start + mine;
      for (const helper of this.helpers) {
        const rows = Math.min(share, this.capacity, batch - next);
        if (rows <= 0) break;
        helper.f64.set(X.subarray(next * d, (next + rows) * d));
        Atomics.store(helper.ctl, CONTROL.rows, rows);
        helper.sent++;
        Atomics.store(helper.ctl, CONTROL.command, helper.sent);
        Atomics.notify(helper.ctl, CONTROL.command);
        assigned.push({ helper, from: next, rows });
        next += rows;
      }
      const r = this.own.jacobians(X.subarray(start * d, (start + mine) * d), mine);
      jacobians.set(r.jacobians, start * k * d);
      values.set(r.values, start * k);
      for (const { helper, from, rows } of assigned) {
        while (Atomics.load(helper.ctl, CONTROL.done) !== helper.sent) Atomics.wait(helper.ctl, CONTROL.done, helper.sent - 1);
        if (Atomics.load(helper.ctl, CONTROL.failed)) throw new Error('a gradient worker failed');
        const cap = this.capacity;
        jacobians.set(helper.f64.subarray(cap * d, cap * d + rows * k * d), from * k * d);
        values.set(helper.f64.subarray(cap * d * (1 + k), cap * d * (1 + k) + rows * k), from * k);
      }
      start = next;
    }
    return { batch, outputs: k, inputDim: d, jacobians, values };
  }

  /** Stops the workers. */
  close(): void {
    for (const helper of this.helpers) {
      Atomics.store(helper.ctl, CONTROL.command, -1);
      Atomics.notify(helper.ctl, CONTROL.command);
      void helper.worker.terminate();
    }
    this.helpers.length = 0;
  }
}

/** Computes many Jacobians of one network; `close()` releases its threads. */
export interface GradientEngine {
  jacobians(X: Float64Array, batch: number): BatchJacobians;
  close(): void;
}

/** Points from which worker threads pay for their start-up (about 0.1 s). */
const PARALLEL_FROM_POINTS = 20_000;

const kernels = new WeakMap<Network, GradientKernel>();

/**
 * The fastest available engine for about `points` Jacobians of `net`: the WebAssembly kernel, on
 * every core for large jobs started from the main thread (a worker thread, e.g. of the study, is
 * already one of several); the plain TypeScript `batchJacobians` where WebAssembly SIMD is missing.
 * All give bit-identical results.
 */
export function gradientEngine(net: Network, points: number): GradientEngine {
  if (!kernelsSupported()) return { jacobians: (X, batch) => batchJacobians(net, X, batch), close: () => {} };
  if (points >= PARALLEL_FROM_POINTS && isMainThread && availableParallelism() > 1) return new ParallelGradients(net);
  let kernel = kernels.get(net);
  if (!kernel) kernels.set(net, (kernel = new GradientKernel(net)));
  return { jacobians: (X, batch) => kernel.jacobians(X, batch), close: () => {} };
}
