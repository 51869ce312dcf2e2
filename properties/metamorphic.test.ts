import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleNetwork } from '../src/network/sample.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import { operatorNormProduct } from '../src/lipschitz/upper/operatorNorms.js';
import { intervalJacobianBound } from '../src/lipschitz/upper/intervals.js';
import { queryDomain } from '../src/lipschitz/domain.js';
import { permuteNeurons, shuffle, signedPermuteInput, standardTransformations } from '../src/network/transform.js';
import { createStream } from '../src/random/stream.js';
import { checkProperty } from './support/runner.js';
import { normArb, optionalBoxArb, tinySpecArb } from './support/arbitraries.js';

const file = import.meta.url;

function exact(o: ReturnType<typeof exactLipschitz>): number {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o.lipschitz;
}

/**
 * BRIEF §4's exact invariances. The exact value must follow every transformation (factor × Lip);
 * the certified upper bounds must stay sound under all of them, but a sound-yet-loose bound need not
 * be invariant: the operator-norm product is invariant only under permutations of hidden neurons and
 * signed permutations of inputs (not under neuron rescaling, splitting, rotation, or adding a neuron
 * whose outgoing weights enter the norm), and the interval Jacobian bound only under permutations.
 */
describe('metamorphic invariances', () => {
  it('the exact constant changes by exactly each transformation\'s factor (global and mapped boxes)', () => {
    const name = "the exact constant changes by exactly each transformation's factor (global and mapped boxes)";
    checkProperty(
      fc.property(
        tinySpecArb().chain((spec) => fc.tuple(fc.constant(spec), normArb, optionalBoxArb(spec.inputDim), fc.integer({ min: 0, max: 1e6 }))),
        ([spec, norm, box, tseed]) => {
          const net = sampleNetwork(spec);
          const base = exact(exactLipschitz(net, { norm, box }));
          for (const t of standardTransformations(net, createStream(tseed, 'metamorphic'))) {
            if (!t.norms.includes(norm) || (box && !t.mapBox)) continue;
            const after = exact(exactLipschitz(t.net, { norm, box: box && t.mapBox ? t.mapBox(box) : null }));
            expect(Math.abs(after - t.factor * base), t.name).toBeLessThanOrEqual(1e-9 * Math.max(1, t.factor * base));
          }
        },
      ),
      { numRuns: 60, seed: 3001, file, name },
    );
  });

  it('sound upper bounds stay sound under every transformation', () => {
    const name = 'sound upper bounds stay sound under every transformation';
    checkProperty(
      fc.property(tinySpecArb(), normArb, fc.integer({ min: 0, max: 1e6 }), (spec, norm, tseed) => {
        const net = sampleNetwork(spec);
        const base = exact(exactLipschitz(net, { norm, box: null }));
        for (const t of standardTransformations(net, createStream(tseed, 'metamorphic-upper'))) {
          if (!t.norms.includes(norm)) continue;
          const target = t.factor * base * (1 - 1e-9);
          expect(operatorNormProduct(t.net, norm), t.name).toBeGreaterThanOrEqual(target);
          expect(intervalJacobianBound(t.net, queryDomain(t.net, null), norm).value, t.name).toBeGreaterThanOrEqual(target);
        }
      }),
      { numRuns: 60, seed: 3002, file, name },
    );
  });

  it('the operator-norm product is invariant under hidden permutations and signed input permutations', () => {
    const name = 'the operator-norm product is invariant under hidden permutations and signed input permutations';
    checkProperty(
      fc.property(tinySpecArb(), normArb, fc.integer({ min: 0, max: 1e6 }), (spec, norm, s) => {
        const net = sampleNetwork(spec);
        const stream = createStream(s, 'perm');
        const width = net.layers[0].outDim;
        const perm = shuffle(width, stream);
        const inputPerm = shuffle(spec.inputDim, stream);
        const signs = inputPerm.map(() => (stream.uniform() < 0.5 ? -1 : 1));
        const p0 = operatorNormProduct(net, norm);
        for (const t of [permuteNeurons(net, 0, perm), signedPermuteInput(net, inputPerm, signs)]) {
          expect(operatorNormProduct(t.net, norm)).toBeCloseTo(p0, 10);
        }
      }),
      { numRuns: 60, seed: 3003, file, name },
    );
  });
});
