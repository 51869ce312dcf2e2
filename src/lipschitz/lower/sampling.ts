import type { Network } from '../../network/network.js';
import { gradientEngine } from '../../network/parallelGradients.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { createStream, type Seed } from '../../random/stream.js';
import { Budget } from '../budget.js';
import { jacobianFlops, secondsFor } from '../costs.js';
import { liftedDomain } from '../domain.js';
import type { LipschitzQuery } from '../query.js';
import { witnessAt, type Witness } from './witness.js';

/** Seconds one chunk of samples may take, at most (the granularity of the budget checks). */
const CHUNK_SECONDS = 0.1;

/** Points per chunk: up to 256, fewer when one point's Jacobian is expensive. */
function chunkSize(net: Network): number {
  return Math.max(1, Math.min(256, Math.floor(CHUNK_SECONDS / secondsFor(jacobianFlops(net)))));
}

/**
 * Random points, evaluated in batches. On ℝᵈ the points lie on spheres of radii spread
 * geometrically (and jittered) around the scale of the first layer's kinks (the largest gradients
 * sit in regions away from the origin); on a box they are uniform in it. Returns the best distinct
 * points that are strictly inside a region (a point on a kink is no witness), best first.
 *
 * Anytime: the budget is checked before every chunk but the first (a chunk is sized to take about
 * 0.1 s here), so the count shrinks to what fits, and before re-checking each witness but the first
 * that stands; the points drawn are the same, in the same order, whatever the budget.
 */
export function sampleCandidates(net: Network, query: LipschitzQuery, count: number, seed: Seed, keep = 16, budget: Budget = new Budget(Infinity)): Witness[] {
  const d = net.inputDim;
  const stream = createStream(seed, 'lower/sampling');
  const scale = liftedDomain(net).scale;
  const radii = [0.25, 0.5, 1, 2, 4, 8, 16, 64].map((r) => r * scale);
  const chunk = chunkSize(net);
  const top: { value: number; x: Float64Array }[] = [];
  const engine = gradientEngine(net, count);
  try {
    for (let done = 0; done < count && (done === 0 || !budget.exceeded()); done += chunk) {
      const batch = Math.min(chunk, count - done);
      const X = new Float64Array(batch * d);
      for (let r = 0; r < batch; r++) {
        if (query.box) {
          for (let i = 0; i < d; i++) X[r * d + i] = query.box.lo[i] + (query.box.hi[i] - query.box.lo[i]) * stream.uniform();
        } else {
          // Jittered: in d = 1 a point at exactly the median kink distance S sits on a kink.
          const radius = radii[(done + r) % radii.length] * (0.75 + 0.5 * stream.uniform());
          const point = X.subarray(r * d, (r + 1) * d);
          let norm2 = 0;
          for (let i = 0; i < d; i++) {
            const g = stream.gaussian();
            point[i] = g;
            norm2 += g * g;
          }
          const f = radius / Math.sqrt(norm2);
          for (let i = 0; i < d; i++) point[i] *= f; // in place: this loop runs for every sampled point
        }
      }
      const { jacobians, outputs } = engine.jacobians(X, batch);
      for (let r = 0; r < batch; r++) {
        const value = operatorNorm({ rows: outputs, cols: d, data: jacobians.subarray(r * outputs * d, (r + 1) * outputs * d) }, query.norm);
        // A shortcut: a point no better than the last of a full list would be pushed, sorted after its equals
        // (stable sort) and popped again. Its 'true', `length <= keep` and `>=` mutants are equivalent.
        // Stryker disable next-line ConditionalExpression,EqualityOperator: see above
        if (top.length < keep || value > top[top.length - 1].value) {
          const x = X.slice(r * d, (r + 1) * d);
          if (top.some((t) => t.x.every((v, i) => v === x[i]))) continue; // the same point again
          top.push({ value, x });
          top.sort((a, b) => b.value - a.value);
          if (top.length > keep) top.pop();
        }
      }
    }
  } finally {
    engine.close();
  }
  // Each re-check costs a Jacobian: past the budget, only until one witness stands.
  const out: Witness[] = [];
  for (const t of top) {
    if (out.length > 0 && budget.exceeded()) break;
    const w = witnessAt(net, t.x, query.norm);
    if (w.value > -Infinity) out.push(w);
  }
  return out;
}

/** The largest of `count` sampled Jacobian norms (the baseline a search must beat). */
export function bestOfSamples(net: Network, query: LipschitzQuery, count: number, seed: Seed): number {
  const best = sampleCandidates(net, query, count, seed, 1);
  return best.length > 0 ? best[0].value : 0;
}

/**
 * Jacobian norms of many points, for callers that only need the numbers, in chunks with a budget
 * check before each but the first: the points not reached when it runs out get NaN.
 */
export function normsAt(net: Network, X: Float64Array, batch: number, norm: Norm, budget: Budget = new Budget(Infinity)): Float64Array {
  const d = net.inputDim;
  const out = new Float64Array(batch).fill(NaN);
  const chunk = chunkSize(net);
  const engine = gradientEngine(net, batch);
  try {
    for (let from = 0; from < batch && (from === 0 || !budget.exceeded()); from += chunk) {
      const rows = Math.min(chunk, batch - from);
      const { jacobians, outputs } = engine.jacobians(X.subarray(from * d, (from + rows) * d), rows);
      for (let r = 0; r < rows; r++) out[from + r] = operatorNorm({ rows: outputs, cols: d, data: jacobians.subarray(r * outputs * d, (r + 1) * outputs * d) }, norm);
    }
  } finally {
    engine.close();
  }
  return out;
}
