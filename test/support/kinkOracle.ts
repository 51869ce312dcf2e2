import { forward, pieceMaps } from '../../src/network/evaluate.js';
import { vectorNorm } from '../../src/linalg/norms.js';
import type { Network } from '../../src/network/network.js';

/**
 * The kink-margin and region-radius tests as they were before they became O(parameters): every row
 * of the piece's affine maps from `pieceMaps` (cost d·Σ N_ℓ N_{ℓ−1}). Kept as the oracle the fast
 * versions in src/network/evaluate.ts are compared with.
 */
function pieceAt(net: Network, x: ArrayLike<number>): { preActivations: Float64Array[]; A: Float64Array[] } {
  const { preActivations } = forward(net, x);
  const pattern = preActivations.map((z) => Uint8Array.from(z, (v) => (v > 0 ? 1 : 0)));
  return { preActivations, A: pieceMaps(net, pattern).A };
}

export function kinkMarginOracle(net: Network, x: ArrayLike<number>): number {
  const { preActivations, A } = pieceAt(net, x);
  const d = net.inputDim;
  let margin = Infinity;
  let h: ArrayLike<number> = x;
  for (let l = 0; l < preActivations.length; l++) {
    const layer = net.layers[l];
    const z = preActivations[l];
    for (let i = 0; i < z.length; i++) {
      let varies = false;
      for (let k = 0; k < d && !varies; k++) varies = A[l][i * d + k] !== 0;
      if (!varies) continue;
      let magnitude = Math.abs(layer.biases[i]);
      for (let j = 0; j < layer.inDim; j++) magnitude += Math.abs(layer.weights[i * layer.inDim + j] * h[j]);
      margin = Math.min(margin, magnitude > 0 ? Math.abs(z[i]) / magnitude : 0);
    }
    h = z.map((v) => (v > 0 ? v : 0));
  }
  return margin;
}

export function regionRadiusOracle(net: Network, x: ArrayLike<number>): number {
  const { preActivations, A } = pieceAt(net, x);
  const d = net.inputDim;
  let radius = Infinity;
  for (let l = 0; l < A.length; l++) {
    const z = preActivations[l];
    for (let i = 0; i < z.length; i++) {
      const norm = vectorNorm(A[l].subarray(i * d, (i + 1) * d), '2');
      if (norm === 0) continue;
      radius = Math.min(radius, Math.abs(z[i]) / norm);
    }
  }
  return radius;
}
