import { makeNetwork, type Network } from '../../network/network.js';
import { regionPoints, sweepLine } from '../exact/breakpoints.js';
import { Budget } from '../budget.js';
import { lineSweepFlops, secondsFor } from '../costs.js';
import type { LipschitzQuery } from '../query.js';
import { boxFromPairs } from '../query.js';
import { normsAt } from './sampling.js';
import { witnessAt, NO_WITNESS, type Witness } from './witness.js';

/**
 * An exact line search: every linear region that the line x₀ + t·u crosses (within the box, if
 * any) is found by the one-dimensional breakpoint sweep of the restricted network, and the full
 * Jacobian norm is evaluated in each. Returns the best region's point as a witness.
 *
 * The sweep checks the budget once per layer, so it starts only when its estimated cost fits; the
 * regions' Jacobians are evaluated in chunks, and those not reached in time are left out.
 */
export function lineSearch(net: Network, query: LipschitzQuery, x0: Float64Array, u: Float64Array, budget: Budget = new Budget(Infinity), maxRegions = 100_000): Witness {
  const d = net.inputDim;
  if (!budget.fits(secondsFor(lineSweepFlops(net)))) {
    budget.skip('exact line searches (one sweep would not fit)');
    return NO_WITNESS;
  }
  const first = net.layers[0];
  // The restricted network t ↦ f(x₀ + t u).
  const w = new Float64Array(first.outDim);
  const b = new Float64Array(first.outDim);
  for (let i = 0; i < first.outDim; i++) {
    let wu = 0;
    let wx = first.biases[i];
    for (let j = 0; j < d; j++) {
      wu += first.weights[i * d + j] * u[j];
      wx += first.weights[i * d + j] * x0[j];
    }
    w[i] = wu;
    b[i] = wx;
  }
  const restricted = makeNetwork(1, [{ outDim: first.outDim, inDim: 1, weights: w, biases: b }, ...net.layers.slice(1)]);
  let interval = null;
  if (query.box) {
    let lo = -Infinity;
    let hi = Infinity;
    for (let j = 0; j < d; j++) {
      if (u[j] === 0) continue;
      const a = (query.box.lo[j] - x0[j]) / u[j];
      const c = (query.box.hi[j] - x0[j]) / u[j];
      lo = Math.max(lo, Math.min(a, c));
      hi = Math.min(hi, Math.max(a, c));
    }
    if (!(lo < hi) || !Number.isFinite(lo) || !Number.isFinite(hi)) return NO_WITNESS;
    interval = boxFromPairs([[lo, hi]], 1);
  }
  const sweep = sweepLine(restricted, interval, budget, maxRegions);
  if ('kind' in sweep) return NO_WITNESS;
  const ts = regionPoints(sweep);
  const X = new Float64Array(ts.length * d);
  ts.forEach((t, r) => {
    for (let j = 0; j < d; j++) X[r * d + j] = x0[j] + t * u[j];
  });
  const norms = normsAt(net, X, ts.length, query.norm, budget);
  let best = -1;
  for (let r = 0; r < ts.length; r++) if (norms[r] >= 0 && (best < 0 || norms[r] > norms[best])) best = r;
  return best < 0 ? NO_WITNESS : witnessAt(net, X.slice(best * d, (best + 1) * d), query.norm);
}
