import { operatorNorm, vectorNorm, type Norm } from '../../linalg/norms.js';
import type { BatchJacobians } from '../../network/batch.js';
import type { Network } from '../../network/network.js';
import { gradientEngine, type GradientEngine } from '../../network/parallelGradients.js';
import { createStream, type Seed } from '../../random/stream.js';
import { liftedDomain } from '../domain.js';
import type { Box } from '../query.js';

/**
 * Candidate points of a search for large Jacobian norms: drawing them, ranking them by norm on the
 * gradient kernels (float32 to rank, float64 for every number kept), and the one-pass test that
 * they lie strictly inside a region.
 */

/**
 * `count` random points, row-major: Gaussian directions on spheres of radii spread geometrically
 * around the scale of the first layer's kinks (0.25 to 64 times it, jittered), as `lowerBound`'s
 * sampling draws them; uniform in a box. Deterministic for the seed.
 */
export function randomPoints(net: Network, box: Box | null, count: number, seed: Seed): Float64Array {
  const d = net.inputDim;
  const stream = createStream(seed, 'lower/ascent');
  const scale = liftedDomain(net).scale;
  const radii = [0.25, 0.5, 1, 2, 4, 8, 16, 64].map((r) => r * scale);
  const X = new Float64Array(count * d);
  for (let r = 0; r < count; r++) {
    const row = X.subarray(r * d, (r + 1) * d);
    if (box) {
      for (let i = 0; i < d; i++) row[i] = box.lo[i] + (box.hi[i] - box.lo[i]) * stream.uniform();
      continue;
    }
    for (let i = 0; i < d; i++) row[i] = stream.gaussian();
    const f = (radii[r % radii.length] * (0.75 + 0.5 * stream.uniform())) / vectorNorm(row, '2');
    for (let i = 0; i < d; i++) row[i] *= f;
  }
  return X;
}

/**
 * Engines of a search: `exact` (float64) gives every number a climb stands on; `rank` may be a
 * faster float32 one (`gradientEngine(net, n, 'float32')`) that only orders candidates.
 */
export interface Engines {
  readonly exact: GradientEngine;
  readonly rank: GradientEngine;
}

/**
 * The rows of X (n × d) ordered by their norm under `rank`; the first `confirm` re-evaluated by
 * `exact` (all of them when the engines are one) and returned with their float64 norm and
 * Jacobian, best first.
 */
export function rankPoints(engines: Engines, X: Float64Array, d: number, norm: Norm, confirm: number): { r: number; value: number; J: Float64Array }[] {
  const n = X.length / d;
  if (n === 0) return [];
  const normsOf = ({ jacobians, outputs }: BatchJacobians, r: number) => operatorNorm({ rows: outputs, cols: d, data: jacobians.subarray(r * outputs * d, (r + 1) * outputs * d) }, norm);
  const jacobianOf = ({ jacobians, outputs }: BatchJacobians, r: number) => jacobians.slice(r * outputs * d, (r + 1) * outputs * d);
  const first = engines.rank.jacobians(X, n);
  const order = Array.from({ length: n }, (_, r) => ({ r, value: normsOf(first, r) }));
  order.sort((a, b) => (Number.isNaN(b.value) ? -Infinity : b.value) - (Number.isNaN(a.value) ? -Infinity : a.value)); // NaN last
  if (engines.rank === engines.exact) return order.map(({ r, value }) => ({ r, value, J: jacobianOf(first, r) }));
  const top = order.slice(0, confirm);
  const Y = new Float64Array(top.length * d);
  top.forEach(({ r }, i) => Y.set(X.subarray(r * d, (r + 1) * d), i * d));
  const exact = engines.exact.jacobians(Y, top.length);
  return top.map(({ r }, i) => ({ r, value: normsOf(exact, i), J: jacobianOf(exact, i) })).sort((a, b) => b.value - a.value);
}

/** Whether every weight and bias is 0 or within 1e±18 (float32 ranking then stays meaningful). */
function fitsFloat32(net: Network): boolean {
  return net.layers.every((l) => [l.weights, l.biases].every((a) => a.every((v) => v === 0 || (Math.abs(v) <= 1e18 && Math.abs(v) >= 1e-18))));
}

/**
 * The engines for about `points` Jacobians per batch: float32 ranking unless `precision` is
 * 'float64' or a weight or bias is beyond 1e±18 (float32 would overflow or flush there).
 */
export function rankingEngines(net: Network, points: number, precision: 'float32' | 'float64' = 'float32'): Engines {
  const exact = gradientEngine(net, points);
  return { exact, rank: precision === 'float32' && fitsFloat32(net) ? gradientEngine(net, points, 'float32') : exact };
}

/**
 * The smallest |z_i| / (|b_i| + Σ_j |w_ij·h_j|) over the hidden neurons, in one forward pass; a
 * neuron whose denominator is 0 counts only if it is a first-layer neuron with a nonzero weight row
 * (x on its hyperplane: margin 0), since any other is constant on x's piece. It is ≤ `kinkMargin`
 * (which takes the minimum over the neurons not constant on x's piece, found from zero patterns), so
 * a point that passes this test passes `witnessAt`'s.
 */
export function interiorMargin(net: Network, x: ArrayLike<number>): number {
  let h: ArrayLike<number> = x;
  let margin = Infinity;
  for (let l = 0; l < net.layers.length - 1; l++) {
    const { outDim, inDim, weights, biases } = net.layers[l];
    const next = new Float64Array(outDim);
    for (let i = 0; i < outDim; i++) {
      let z = biases[i];
      let magnitude = Math.abs(z);
      const o = i * inDim;
      for (let j = 0; j < inDim; j++) {
        const term = weights[o + j] * h[j];
        z += term;
        magnitude += Math.abs(term);
      }
      // magnitude 0 means z = 0 exactly. In the first layer that is a kink unless the weight row is
      // zero (a constant neuron). Deeper, every nonzero weight then meets an inactive input, so the
      // neuron is constant on the piece as long as those inputs are (their own margins decide that):
      // skipped, as kinkMargin skips it. Scoring it 0 made every point fail (no witness at all).
      if (magnitude > 0) margin = Math.min(margin, Math.abs(z) / magnitude);
      else if (l === 0 && weights.subarray(o, o + inDim).some((w) => w !== 0)) margin = 0;
      next[i] = z > 0 ? z : 0;
    }
    h = next;
  }
  return margin;
}
