import fc from 'fast-check';
import { biasLawNames, biasLawSignature, makeBiasLaw, type BiasLaw } from '../../src/random/biasLaws.js';
import type { SampleSpec, WeightConvention } from '../../src/network/sample.js';

/**
 * Generators for lipcheck's properties. Everything shrinks towards the simplest case: small input
 * dimension, one hidden layer, narrow layers, the normal bias law, the papers' weight convention,
 * one output — so a failure reports the smallest network that shows it.
 */

export interface ArchitectureLimits {
  maxInputDim: number;
  maxDepth: number;
  maxWidth: number;
  maxOutputs?: number;
  minWidth?: number;
  minInputDim?: number;
}

/** Hidden widths: 1 … maxDepth layers of minWidth … maxWidth neurons. */
export function widthsArb(limits: ArchitectureLimits): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: limits.minWidth ?? 1, max: limits.maxWidth }), { minLength: 1, maxLength: limits.maxDepth });
}

/** Parameters that make each law interesting without being degenerate. */
function paramArb(name: string): fc.Arbitrary<number[]> {
  const { paramNames } = biasLawSignature(name);
  const positive = fc.double({ min: 0.05, max: 4, noNaN: true });
  switch (name) {
    case 'student-t':
      return fc.tuple(fc.constantFrom(1, 2, 3, 5), fc.double({ min: 0.1, max: 3, noNaN: true }));
    case 'mixture':
      return fc.tuple(positive, positive, fc.double({ min: 0, max: 1, noNaN: true }));
    case 'shifted-normal':
      return fc.tuple(fc.double({ min: 0.5, max: 3, noNaN: true }), positive);
    default:
      return fc.tuple(...paramNames.map(() => positive));
  }
}

/** A bias law with parameters; symmetric laws only unless `includeAsymmetric`. Shrinks to normal. */
export function biasLawArb(options: { includeAsymmetric?: boolean } = {}): fc.Arbitrary<BiasLaw> {
  const names = biasLawNames({ symmetricOnly: !options.includeAsymmetric });
  const ordered = ['normal', ...names.filter((n) => n !== 'normal')];
  return fc.constantFrom(...ordered).chain((name) => paramArb(name).map((params) => makeBiasLaw(name, params)));
}

/** A weight convention, shrinking to the papers' `he-fanout`. */
export const weightConventionArb: fc.Arbitrary<WeightConvention> = fc.constantFrom<WeightConvention>('he-fanout', 'he-fanin');

/** A full sampling spec: architecture, bias law, convention, seed. */
export function networkSpecArb(limits: ArchitectureLimits, options: { includeAsymmetric?: boolean; convention?: WeightConvention } = {}): fc.Arbitrary<SampleSpec> {
  return fc.record({
    inputDim: fc.integer({ min: limits.minInputDim ?? 1, max: limits.maxInputDim }),
    widths: widthsArb(limits),
    bias: biasLawArb(options),
    weights: options.convention ? fc.constant(options.convention) : weightConventionArb,
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    outputs: fc.integer({ min: 1, max: limits.maxOutputs ?? 1 }),
  });
}

/** A point in [-3, 3]^dim. */
export function pointArb(dim: number, radius = 3): fc.Arbitrary<Float64Array> {
  return fc
    .array(fc.double({ min: -radius, max: radius, noNaN: true }), { minLength: dim, maxLength: dim })
    .map((xs) => Float64Array.from(xs));
}
