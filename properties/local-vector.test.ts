import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleNetwork } from '../src/network/sample.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import { enumerateRegions, regionCentre } from '../src/lipschitz/exact/regionSearch.js';
import { queryDomain, toInput } from '../src/lipschitz/domain.js';
import { Budget } from '../src/lipschitz/budget.js';
import { scalarize, boxFromPairs } from '../src/lipschitz/query.js';
import { jacobian, regionRadius } from '../src/network/evaluate.js';
import { dualNorm, operatorNorm } from '../src/linalg/norms.js';
import { makeNetwork, outputDim } from '../src/network/network.js';
import { checkProperty } from './support/runner.js';
import { networkSpecArb, normArb, optionalBoxArb, pointArb, tinySpecArb } from './support/arbitraries.js';

const file = import.meta.url;

function exact(o: ReturnType<typeof exactLipschitz>): { lipschitz: number; witness: Float64Array } {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o;
}

describe('local constants on a box', () => {
  it('never exceed the global one and grow with the box', () => {
    const name = 'never exceed the global one and grow with the box';
    checkProperty(
      fc.property(
        tinySpecArb().chain((spec) => fc.tuple(fc.constant(spec), normArb, optionalBoxArb(spec.inputDim), fc.double({ min: 1.1, max: 4, noNaN: true }))),
        ([spec, norm, box, grow]) => {
          fc.pre(box !== null);
          const net = sampleNetwork(spec);
          const global = exact(exactLipschitz(net, { norm, box: null })).lipschitz;
          const local = exact(exactLipschitz(net, { norm, box })).lipschitz;
          const bigger = { lo: box!.lo.map((lo, i) => lo - (grow - 1) * (box!.hi[i] - lo)), hi: box!.hi.map((hi, i) => hi + (grow - 1) * (hi - box!.lo[i])) };
          const larger = exact(exactLipschitz(net, { norm, box: bigger })).lipschitz;
          expect(local).toBeLessThanOrEqual(global * (1 + 1e-12));
          expect(local).toBeLessThanOrEqual(larger * (1 + 1e-12));
          expect(larger).toBeLessThanOrEqual(global * (1 + 1e-12));
        },
      ),
      { numRuns: 80, seed: 4001, file, name },
    );
  });

  it('equal the global one on a box that holds a point of every region', () => {
    const name = 'equal the global one on a box that holds a point of every region';
    checkProperty(
      fc.property(tinySpecArb(), normArb, (spec, norm) => {
        const net = sampleNetwork(spec);
        const domain = queryDomain(net, null);
        const points: Float64Array[] = [];
        enumerateRegions(net, domain, (pattern) => {
          const u = regionCentre(net, domain, pattern);
          if (u) points.push(toInput(domain, u));
        }, new Budget(30));
        const pairs = Array.from({ length: spec.inputDim }, (_, i) => {
          const xs = points.map((p) => p[i]);
          return [Math.min(...xs) - 1, Math.max(...xs) + 1] as [number, number];
        });
        const local = exact(exactLipschitz(net, { norm, box: boxFromPairs(pairs, spec.inputDim) })).lipschitz;
        expect(local).toBeCloseTo(exact(exactLipschitz(net, { norm, box: null })).lipschitz, 10);
      }),
      { numRuns: 50, seed: 4002, file, name },
    );
  });

  it('shrink to the norm of the region holding the box, when the box sits inside one region', () => {
    const name = 'shrink to the norm of the region holding the box, when the box sits inside one region';
    checkProperty(
      fc.property(tinySpecArb().chain((spec) => fc.tuple(fc.constant(spec), normArb, pointArb(spec.inputDim))), ([spec, norm, x]) => {
        const net = sampleNetwork(spec);
        const r = regionRadius(net, x);
        fc.pre(r > 1e-6 && Number.isFinite(r));
        // A cube of half-width r/(2√d) fits in the ball of radius r/2 around x.
        const h = r / (2 * Math.sqrt(spec.inputDim));
        const box = boxFromPairs(Array.from(x, (v) => [v - h, v + h] as [number, number]), spec.inputDim);
        expect(exact(exactLipschitz(net, { norm, box })).lipschitz).toBeCloseTo(operatorNorm(jacobian(net, x), norm), 12);
      }),
      { numRuns: 100, seed: 4003, file, name },
    );
  });
});

describe('vector-valued networks', () => {
  it('for k = 1 the operator norm of the Jacobian is the dual norm of the gradient', () => {
    const name = 'for k = 1 the operator norm of the Jacobian is the dual norm of the gradient';
    checkProperty(
      fc.property(networkSpecArb({ maxInputDim: 6, maxDepth: 2, maxWidth: 10, maxOutputs: 1 }), normArb, pointArb(6), (spec, norm, p) => {
        const net = sampleNetwork(spec);
        const J = jacobian(net, p.subarray(0, spec.inputDim));
        expect(operatorNorm(J, norm)).toBeCloseTo(dualNorm(J.data, norm), 12);
      }),
      { numRuns: 100, seed: 4004, file, name },
    );
  });

  it('c·f with c = e_i has the constant of output i alone, never more than the vector constant', () => {
    const name = 'c·f with c = e_i has the constant of output i alone, never more than the vector constant';
    checkProperty(
      fc.property(networkSpecArb({ maxInputDim: 3, maxDepth: 2, maxWidth: 5, maxOutputs: 3 }).filter((s) => (s.outputs ?? 1) > 1), normArb, (spec, norm) => {
        const net = sampleNetwork(spec);
        const k = outputDim(net);
        const whole = exact(exactLipschitz(net, { norm, box: null })).lipschitz;
        for (let i = 0; i < k; i++) {
          const e = Array.from({ length: k }, (_, j) => (j === i ? 1 : 0));
          const viaC = exact(exactLipschitz(scalarize(net, e), { norm, box: null })).lipschitz;
          const last = net.layers[net.layers.length - 1];
          const alone = makeNetwork(net.inputDim, [...net.layers.slice(0, -1), { outDim: 1, inDim: last.inDim, weights: last.weights.slice(i * last.inDim, (i + 1) * last.inDim), biases: last.biases.slice(i, i + 1) }]);
          expect(viaC).toBeCloseTo(exact(exactLipschitz(alone, { norm, box: null })).lipschitz, 12);
          expect(viaC).toBeLessThanOrEqual(whole * (1 + 1e-12));
        }
      }),
      { numRuns: 40, seed: 4005, file, name },
    );
  });
});
