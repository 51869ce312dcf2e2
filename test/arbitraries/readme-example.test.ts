import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { operatorNorm, type Network, type Norm } from 'lipcheck';
import { adversarialArb, normArb, parallelFamilyArb, randomNetworkArb } from 'lipcheck/arbitraries';

// Your estimator goes here. This one, the product of the layers' operator norms, is sound but loose.
function myUpperBound(net: Network, p: Norm): number {
  return net.layers.reduce((u, l) => u * operatorNorm({ rows: l.outDim, cols: l.inDim, data: l.weights }, p), 1);
}

describe('my Lipschitz upper bound', () => {
  it('is never below the constant on networks built to break Lipschitz tools', () => {
    fc.assert(
      fc.property(fc.oneof(adversarialArb(), parallelFamilyArb()), normArb, (c, p) => {
        fc.pre(c.analytic !== null); // the cases whose constant has a formula
        expect(myUpperBound(c.network, p)).toBeGreaterThanOrEqual(c.analytic![p] * (1 - 1e-9));
      }),
      { seed: 42, numRuns: 50 },
    );
  });
  it('is finite and positive on random networks of the papers\' model', () => {
    fc.assert(
      fc.property(randomNetworkArb({ maxInputDim: 4, maxDepth: 2, maxWidth: 16 }), normArb, (net, p) => {
        const u = myUpperBound(net, p);
        expect(Number.isFinite(u) && u > 0).toBe(true);
      }),
      { seed: 42, numRuns: 20 },
    );
  });
});
