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

/** Networks small enough for the exact solver: d 1–3, 1–3 hidden layers of 1–6, one or two outputs. */
export function tinySpecArb(options: { includeAsymmetric?: boolean } = {}): fc.Arbitrary<SampleSpec> {
  return networkSpecArb({ maxInputDim: 3, maxDepth: 3, maxWidth: 6, maxOutputs: 2 }, options);
}

/** Networks too large for the exact solver: d 4–10, 1–3 hidden layers of 8–64. */
export function largeSpecArb(): fc.Arbitrary<SampleSpec> {
  return networkSpecArb({ minInputDim: 4, maxInputDim: 10, maxDepth: 3, minWidth: 8, maxWidth: 64, maxOutputs: 2 });
}

/** A norm, shrinking to 2. */
export const normArb: fc.Arbitrary<'2' | '1' | 'inf'> = fc.constantFrom('2', '1', 'inf');

/** No box (global, the shrink target) or a box of d intervals inside [-3, 3]. */
export function optionalBoxArb(d: number): fc.Arbitrary<{ lo: Float64Array; hi: Float64Array } | null> {
  const interval = fc
    .tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }))
    .map(([lo, w]) => [lo, lo + w] as const);
  return fc.option(
    fc.array(interval, { minLength: d, maxLength: d }).map((pairs) => ({ lo: Float64Array.from(pairs, (p) => p[0]), hi: Float64Array.from(pairs, (p) => p[1]) })),
    { freq: 2, nil: null },
  );
}
