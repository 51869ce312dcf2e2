import { workerData } from 'node:worker_threads';
import type { GradientKernel } from './gradientKernel.js';
import type { DenseLayer } from './network.js';
import { CONTROL, sharedViews, waitWhile, type GradientWorkerData } from './parallelGradients.js';

/**
 * A worker thread of `ParallelGradients`: waits on the shared control words for a batch, computes
 * its Jacobians with its own kernel, writes them to shared memory and signals that it is done. It
 * never uses the event loop, so the calling thread can wait for it synchronously. If it cannot
 * start (e.g. a stale build), it says so through `ready` instead of leaving the caller waiting.
 */
const { inputDim, layers, control, data, capacity, precision } = workerData as GradientWorkerData;
const ctl = new Int32Array(control);
let kernel: GradientKernel;
try {
  const [{ GradientKernel: Kernel }, { makeNetwork }] = await Promise.all([import('./gradientKernel.js'), import('./network.js')]);
  kernel = new Kernel(makeNetwork(inputDim, layers as DenseLayer[]), precision);
} catch {
  Atomics.store(ctl, CONTROL.ready, -1);
  Atomics.notify(ctl, CONTROL.ready);
  process.exit(0);
}
const k = layers[layers.length - 1].outDim;
const { inputs, jacobians, values } = sharedViews(data, capacity, inputDim, k);

Atomics.store(ctl, CONTROL.ready, 1);
Atomics.notify(ctl, CONTROL.ready);
let seen = 0;
for (;;) {
  const command = waitWhile(ctl, CONTROL.command, seen);
  if (command < 0) break;
  seen = command;
  try {
    const rows = Atomics.load(ctl, CONTROL.rows);
    const r = kernel.jacobians(inputs.subarray(0, rows * inputDim), rows);
    jacobians.set(r.jacobians);
    values.set(r.values);
    Atomics.store(ctl, CONTROL.failed, 0);
  } catch {
    Atomics.store(ctl, CONTROL.failed, 1);
  }
  Atomics.store(ctl, CONTROL.done, seen);
  Atomics.notify(ctl, CONTROL.done);
}
