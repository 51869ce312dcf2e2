import { describe, expect, it } from 'vitest';
import { generateCases } from '../src/harness/cases.js';
import { checkImplementation, type Implementation } from '../src/harness/library.js';
import { decodeRequest, lipcheckImplementation } from '../src/harness/lipcheckImplementation.js';
import type { Reference } from '../src/harness/reference.js';
import type { CheckName } from '../src/harness/checks.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import { bestOfSamples } from '../src/lipschitz/lower/sampling.js';
import { makeNetwork, type Network } from '../src/network/network.js';
import { dualOf } from '../src/linalg/norms.js';

/**
 * The suite has power: lipcheck's checks pass lipcheck itself and fail each planted bug. The
 * estimator bugs are run through the conformance checks on the same cases (tiny ones, where the
 * reference is exact); the model bug (fan-in variance) through the fixed-point theorem property.
 */
const cases = generateCases({ seed: 5, runs: 18 }).filter((c) => c.size === 'tiny');
const cache = new Map<number, Reference>();
// Band checks are left out here (calibration: null): these bugs must be caught by soundness alone.
const run = (impl: Implementation) => checkImplementation(impl, { cases, referenceCache: cache, referenceTime: 1, calibration: null });

function exactOf(net: Network, norm: '1' | '2' | 'inf', box: ReturnType<typeof decodeRequest>['box']): number {
  const r = exactLipschitz(net, { norm, box });
  if (r.kind !== 'exact') throw new Error(r.message);
  return r.lipschitz;
}

/** A planted bug: an exact-claiming estimator computed on a corrupted problem. */
function plantedExact(corrupt: (net: Network, norm: '1' | '2' | 'inf') => { net: Network; norm: '1' | '2' | 'inf'; scale?: number }): Implementation {
  return (request) => {
    const { net, norm, box } = decodeRequest(request);
    const c = corrupt(net, norm);
    return { exact: exactOf(c.net, c.norm, box) * (c.scale ?? 1) };
  };
}

const BUGS: [string, Implementation, CheckName][] = [
  [
    'forgetting the biases',
    plantedExact((net, norm) => ({ net: makeNetwork(net.inputDim, net.layers.map((l, i) => (i < net.layers.length - 1 ? { ...l, biases: new Float64Array(l.outDim) } : l))), norm })),
    'soundness',
  ],
  [
    'one neuron dropped',
    plantedExact((net, norm) => {
      const [first, second, ...rest] = net.layers;
      if (first.outDim < 2) return { net, norm, scale: 1.01 }; // nothing to drop: fail visibly anyway
      const keep = (i: number) => i !== 0;
      const w0 = first.weights.filter((_, idx) => keep(Math.floor(idx / first.inDim)));
      const b0 = first.biases.filter((_, i) => keep(i));
      const w1 = second.weights.filter((_, idx) => keep(idx % second.inDim));
      return {
        net: makeNetwork(net.inputDim, [{ outDim: first.outDim - 1, inDim: first.inDim, weights: w0, biases: b0 }, { outDim: second.outDim, inDim: second.inDim - 1, weights: w1, biases: second.biases }, ...rest]),
        norm,
      };
    }),
    'soundness',
  ],
  ['the wrong dual norm', plantedExact((net, norm) => ({ net, norm: dualOf(norm) })), 'soundness'],
  ['a 0.1% shrink of the exact value', plantedExact((net, norm) => ({ net, norm, scale: 0.999 })), 'soundness'],
  [
    'a maximum over sampled points reported as an upper bound',
    (request) => {
      const { net, norm, box } = decodeRequest(request);
      return { upper: bestOfSamples(net, { norm, box }, 200, request.id) };
    },
    'soundness',
  ],
];

describe('power: the checks catch planted bugs', () => {
  it('lipcheck itself passes', async () => {
    const report = await run(lipcheckImplementation());
    expect(report.exitCode, JSON.stringify(report.checks)).toBe(0);
    expect(report.counts.answered).toBe(cases.length);
  });
  it.each(BUGS)('%s is caught', async (_name, impl, check) => {
    const report = await run(impl);
    expect(report.exitCode).toBe(1);
    expect(report.checks.find((c) => c.name === check)?.status).toBe('failed');
  });
  // The fixed-point statistic's power against the fan-in variance is checked beside the theorem
  // itself (properties/theorems.test.ts, 'has power: …').
});

