import type { Network } from '../../network/network.js';
import { gradientEngine } from '../../network/parallelGradients.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { createStream, type Seed } from '../../random/stream.js';
import { liftedDomain } from '../domain.js';
import type { LipschitzQuery } from '../query.js';
import { witnessAt, type Witness } from './witness.js';

/**
 * Random points, evaluated in batches. On ℝᵈ the points lie on spheres of radii spread
 * geometrically (and jittered) around the scale of the first layer's kinks (the largest gradients
 * sit in regions away from the origin); on a box they are uniform in it. Returns the best distinct
 * points that are strictly inside a region (a point on a kink is no witness), best first.
 */
export function sampleCandidates(net: Network, query: LipschitzQuery, count: number, seed: Seed, keep = 16): Witness[] {
  const d = net.inputDim;
  const stream = createStream(seed, 'lower/sampling');
  const scale = liftedDomain(net).scale;
  const radii = [0.25, 0.5, 1, 2, 4, 8, 16, 64].map((r) => r * scale);
  const chunk = 256;
  const top: { value: number; x: Float64Array }[] = [];
  const engine = gradientEngine(net, count);
  try {
    for (let done = 0; done < count; done += chunk) {
      const batch = Math.min(chunk, count - done);
      const X = new Float64Array(batch * d);
      for (let r = 0; r < batch; r++) {
        if (query.box) {
          for (let i = 0; i < d; i++) X[r * d + i] = query.box.lo[i] + (query.box.hi[i] - query.box.lo[i]) * stream.uniform();
        } else {
          // Jittered: in d = 1 a point at exactly the median kink distance S sits on a kink.
          const radius = radii[(done + r) % radii.length] * (0.75 + 0.5 * stream.uniform());
          let norm2 = 0;
          for (let i = 0; i < d; i++) {
            const g = stream.gaussian();
            X[r * d + i] = g;
            norm2 += g * g;
          }
          const f = radius / Math.sqrt(norm2);
          for (let i = 0; i < d; i++) X[r * d + i] *= f;
        }
      }
      const { jacobians, outputs } = engine.jacobians(X, batch);
      for (let r = 0; r < batch; r++) {
        const value = operatorNorm({ rows: outputs, cols: d, data: jacobians.subarray(r * outputs * d, (r + 1) * outputs * d) }, query.norm);
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
  return top.map((t) => witnessAt(net, t.x, query.norm)).filter((w) => w.value > -Infinity);
}

/** The largest of `count` sampled Jacobian norms (the baseline a search must beat). */
export function bestOfSamples(net: Network, query: LipschitzQuery, count: number, seed: Seed): number {
  const best = sampleCandidates(net, query, count, seed, 1);
  return best.length > 0 ? best[0].value : 0;
}

/** Jacobian norms of many points, for callers that only need the numbers. */
export function normsAt(net: Network, X: Float64Array, batch: number, norm: Norm): Float64Array {
  const d = net.inputDim;
  const engine = gradientEngine(net, batch);
  const { jacobians, outputs } = engine.jacobians(X, batch);
  engine.close();
  const out = new Float64Array(batch);
  for (let r = 0; r < batch; r++) out[r] = operatorNorm({ rows: outputs, cols: d, data: jacobians.subarray(r * outputs * d, (r + 1) * outputs * d) }, norm);
  return out;
}
