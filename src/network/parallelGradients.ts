import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { batchJacobians, type BatchJacobians } from './batch.js';
import { GradientKernel, kernelsSupported, type KernelPrecision } from './gradientKernel.js';
import type { Network } from './network.js';
import { compiledModule } from '../packagePath.js';

/**
 * Batched Jacobians on several cores, synchronously: the calling thread computes one share of each
 * round of rows and worker threads the others, exchanging inputs and results through shared memory.
 * The results are those of `GradientKernel` (bit-identical to `batchJacobians`), in row order. A
 * worker that cannot start is left out; one that fails is stopped; one that is late has its rows
 * computed by the calling thread and gets no new rows until it has caught up (one that never
 * does, e.g. a dead one, is never waited for again). The workers never keep the process alive;
 * `close()` stops them.
 */

/** Indices of the shared control words (Int32). */
export const CONTROL = { ready: 0, command: 1, done: 2, rows: 3, failed: 4 } as const;

/** How long a waiting thread polls before it blocks, in ms (see `waitWhile`). */
const SPIN_MS = 2;

/** The longest a blocked thread sleeps before it looks again, in ms. */
const SLICE_MS = 1;

/**
 * Waits while ctl[index] === value, for at most `timeoutMs`: polls for SPIN_MS, then blocks in
 * slices of SLICE_MS, looking again after each, so that no wait depends on a notify arriving
 * (a sleeping waiter wakes within a slice whatever happens). Returns the value then held.
 */
export function waitWhile(ctl: Int32Array, index: number, value: number, timeoutMs = Infinity): number {
  const start = performance.now();
  while (Atomics.load(ctl, index) === value && performance.now() - start < Math.min(SPIN_MS, timeoutMs));
  for (;;) {
    const left = timeoutMs - (performance.now() - start);
    if (Atomics.load(ctl, index) !== value || left <= 0) break;
    Atomics.wait(ctl, index, value, Math.min(SLICE_MS, left));
  }
  return Atomics.load(ctl, index);
}

/** The shared buffer of a worker: inputs, then Jacobians, then values, `capacity` rows of each. */
export function sharedViews(data: SharedArrayBuffer, capacity: number, d: number, k: number): { inputs: Float64Array; jacobians: Float64Array; values: Float64Array } {
  const f64 = new Float64Array(data);
  return {
    inputs: f64.subarray(0, capacity * d),
    jacobians: f64.subarray(capacity * d, capacity * d * (1 + k)),
    values: f64.subarray(capacity * d * (1 + k), capacity * (d * (1 + k) + k)),
  };
}

export interface GradientWorkerData {
  readonly inputDim: number;
  readonly layers: Network['layers'];
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  /** Rows the shared buffers hold. */
  readonly capacity: number;
  readonly precision: KernelPrecision;
}

interface Helper {
  readonly worker: Worker;
  readonly ctl: Int32Array;
  readonly views: ReturnType<typeof sharedViews>;
  sent: number;
}

/** How long all workers together may take to start, in ms. */
const START_TIMEOUT_MS = 5_000;

export class ParallelGradients implements GradientEngine {
  private readonly own: GradientKernel;
  private readonly helpers: Helper[] = [];
  private readonly k: number;

  /**
   * `threads` in total, the calling one included (default: the machine's parallelism); `capacity`
   * rows per thread and round; every thread's kernel of the given precision. Uses the calling
   * thread alone when workers cannot start.
   */
  constructor(
    private readonly net: Network,
    threads = availableParallelism(),
    private readonly capacity = 1024,
    precision: KernelPrecision = 'float64',
  ) {
    this.own = new GradientKernel(net, precision);
    this.k = net.layers[net.layers.length - 1].outDim;
    const file = compiledModule('network/gradientWorker.js');
    if (threads < 2 || !existsSync(file)) return;
    const d = net.inputDim;
    const starting: Helper[] = [];
    for (let t = 1; t < threads; t++) {
      const control = new SharedArrayBuffer(8 * 4);
      const data = new SharedArrayBuffer(capacity * (d + this.k * d + this.k) * 8);
      const workerData: GradientWorkerData = { inputDim: d, layers: net.layers, control, data, capacity, precision };
      const worker = new Worker(file, { workerData });
      worker.on('error', () => {}); // a failure shows in the control words; never crash the caller
      worker.unref();
      starting.push({ worker, ctl: new Int32Array(control), views: sharedViews(data, capacity, d, this.k), sent: 0 });
    }
    const deadline = performance.now() + START_TIMEOUT_MS;
    for (const helper of starting) {
      Atomics.wait(helper.ctl, CONTROL.ready, 0, Math.max(0, deadline - performance.now()));
      if (Atomics.load(helper.ctl, CONTROL.ready) === 1) this.helpers.push(helper);
      else void helper.worker.terminate();
    }
  }

  /** Threads started, the calling one included (a helper that died is still counted). */
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
    const computeHere = (from: number, rows: number) => {
      const r = this.own.jacobians(X.subarray(from * d, (from + rows) * d), rows);
      jacobians.set(r.jacobians, from * k * d);
      values.set(r.values, from * k);
    };
    for (let start = 0; start < batch; ) {
      // One round: up to `capacity` rows for the calling thread and each idle helper, shared evenly.
      const idle = this.helpers.filter((h) => Atomics.load(h.ctl, CONTROL.done) === h.sent);
      const round = Math.min(batch - start, (1 + idle.length) * this.capacity);
      const share = Math.ceil(round / (1 + idle.length)); // the calling thread's, and each helper's at most
      const assigned: { helper: Helper; from: number; rows: number }[] = [];
      let next = start + share;
      for (const helper of idle) {
        const rows = Math.min(share, start + round - next);
        if (rows <= 0) break;
        helper.views.inputs.set(X.subarray(next * d, (next + rows) * d));
        Atomics.store(helper.ctl, CONTROL.rows, rows);
        helper.sent++;
        Atomics.store(helper.ctl, CONTROL.command, helper.sent);
        Atomics.notify(helper.ctl, CONTROL.command);
        assigned.push({ helper, from: next, rows });
        next += rows;
      }
      const t0 = performance.now();
      computeHere(start, share);
      // A helper gets about as long again as the calling thread took for its share; a late one
      // keeps its rows' old inputs and is skipped until it has caught up, and its rows are done
      // here (measured on this project's VM: now and then a helper stalls for seconds).
      const own = performance.now() - t0;
      const patience = performance.now() + Math.max(2 * own, own + 2);
      for (const { helper, from, rows } of assigned) {
        waitWhile(helper.ctl, CONTROL.done, helper.sent - 1, patience - performance.now());
        if (Atomics.load(helper.ctl, CONTROL.done) !== helper.sent) {
          computeHere(from, rows);
          continue;
        }
        if (Atomics.load(helper.ctl, CONTROL.failed)) {
          this.drop(helper);
          computeHere(from, rows);
          continue;
        }
        jacobians.set(helper.views.jacobians.subarray(0, rows * k * d), from * k * d);
        values.set(helper.views.values.subarray(0, rows * k), from * k);
      }
      start += round;
    }
    return { batch, outputs: k, inputDim: d, jacobians, values };
  }

  private drop(helper: Helper): void {
    this.helpers.splice(this.helpers.indexOf(helper), 1);
    Atomics.store(helper.ctl, CONTROL.command, -1);
    Atomics.notify(helper.ctl, CONTROL.command);
    void helper.worker.terminate();
  }

  /** Stops the workers (the calling thread still answers afterwards). */
  close(): void {
    for (const helper of [...this.helpers]) this.drop(helper);
  }
}

/** Computes many Jacobians of one network; `close()` releases what it holds. */
export interface GradientEngine {
  jacobians(X: Float64Array, batch: number): BatchJacobians;
  close(): void;
  /** Threads it computes on. */
  readonly threads: number;
}

/** Points from which worker threads pay for their start-up (about 0.1 s). */
const PARALLEL_FROM_POINTS = 20_000;

const kernels = { float64: new WeakMap<Network, GradientKernel>(), float32: new WeakMap<Network, GradientKernel>() };
/** The last pool, kept for the next large job on the same network (one pool at a time). */
let pool: { net: Network; precision: KernelPrecision; engine: ParallelGradients } | null = null;

/**
 * The fastest available engine for about `points` Jacobians of `net`: the WebAssembly kernel, on
 * every core for large jobs started from the main thread (a worker thread, e.g. of the study, is
 * already one of several); the plain TypeScript `batchJacobians` where WebAssembly SIMD is missing
 * or the network does not fit in its memory. All float64 engines give bit-identical results. A
 * `float32` engine (twice as fast; `batchJacobians` itself where the kernel cannot run) is for
 * ranking candidates only: re-evaluate what you keep with a float64 one.
 */
export function gradientEngine(net: Network, points: number, precision: KernelPrecision = 'float64'): GradientEngine {
  const plain: GradientEngine = { jacobians: (X, batch) => batchJacobians(net, X, batch), close: () => {}, threads: 1 };
  if (!kernelsSupported()) return plain;
  try {
    if (points >= PARALLEL_FROM_POINTS && isMainThread && availableParallelism() > 1) {
      if (pool?.net !== net || pool.precision !== precision) {
        pool?.engine.close();
        pool = { net, precision, engine: new ParallelGradients(net, availableParallelism(), 1024, precision) };
      }
      const engine = pool.engine;
      return { jacobians: (X, batch) => engine.jacobians(X, batch), close: () => {}, threads: engine.threads }; // kept for reuse
    }
    let kernel = kernels[precision].get(net);
    if (!kernel) kernels[precision].set(net, (kernel = new GradientKernel(net, precision)));
    return { jacobians: (X, batch) => kernel.jacobians(X, batch), close: () => {}, threads: 1 };
  } catch {
    return plain;
  }
}
