import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import type { Box } from '../../src/lipschitz/query.js';
import type { Network } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';

/** A network of the papers' model (He fan-out weights) with the given bias law. */
export const papersNet = (d: number, widths: number[], seed: number, outputs = 1, bias = 'normal:1'): Network =>
  sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(bias), weights: 'he-fanout', seed, outputs });

/** Lip₂ of a small net by region enumeration (the independent reference); throws if it cannot finish in 20 s. */
export function exactLip2(n: Network, box: Box | null): number {
  const r = exactLipschitz(n, { norm: '2', box }, { timeLimit: 20 });
  if (r.kind !== 'exact') throw new Error(r.message);
  return r.lipschitz;
}
