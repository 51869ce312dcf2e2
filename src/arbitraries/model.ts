import fc from 'fast-check';
import { biasLawNames, biasLawSignature, makeBiasLaw, type BiasLaw } from '../random/biasLaws.js';
import { sampleNetwork, type SampleSpec, type WeightConvention } from '../network/sample.js';
import type { Network } from '../network/network.js';
import type { Norm } from '../linalg/norms.js';
import type { Box } from '../lipschitz/query.js';

/**
 * Arbitraries for the papers' random model (BRIEF §1): He-scaled Gaussian weights, any symmetric
 * bias law. Everything shrinks towards the simplest case — small input dimension, one hidden layer,
 * narrow layers, the normal bias law, the papers' weight convention, one output — so a failure
 * reports the smallest network that shows it.
 */

export interface ArchitectureLimits {
  maxInputDim: number;
  maxDepth: number;
  maxWidth: number;
  maxOutputs?: number;
  minWidth?: number;
  minInputDim?: number;
}

/**
 * Hidden widths: 1 … maxDepth layers of minWidth … maxWidth neurons. Shrinks to fewer layers and
 * narrower ones (one layer of minWidth).
 */
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

/**
 * A bias law with parameters: the symmetric laws (the papers' assumption), and the asymmetric ones
 * too with `includeAsymmetric`. Shrinks to `normal` with its smallest parameter.
 */
export function biasLawArb(options: { includeAsymmetric?: boolean } = {}): fc.Arbitrary<BiasLaw> {
  const names = biasLawNames({ symmetricOnly: !options.includeAsymmetric });
  const ordered = ['normal', ...names.filter((n) => n !== 'normal')];
  return fc.constantFrom(...ordered).chain((name) => paramArb(name).map((params) => makeBiasLaw(name, params)));
}

/** A weight convention: `he-fanout` (the papers', N(0, 2/N_out)) or `he-fanin`. Shrinks to `he-fanout`. */
export const weightConventionArb: fc.Arbitrary<WeightConvention> = fc.constantFrom<WeightConvention>('he-fanout', 'he-fanin');

/**
 * A full sampling spec for `sampleNetwork`: input dimension, widths, bias law, convention, seed and
 * number of outputs within `limits`. Shrinks every part towards the simplest (see widthsArb,
 * biasLawArb; dimension and outputs to their minimum, the seed to 0).
 */
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

/**
 * A random network of the papers' model (networkSpecArb drawn with `sampleNetwork`; the spec is
 * kept in `meta`, so a counterexample can be redrawn). Shrinks as its spec does.
 */
export function randomNetworkArb(limits: ArchitectureLimits, options: { includeAsymmetric?: boolean; convention?: WeightConvention } = {}): fc.Arbitrary<Network> {
  return networkSpecArb(limits, options).map(sampleNetwork);
}

/** A point in [−radius, radius]^dim (default radius 3). Shrinks towards the origin. */
export function pointArb(dim: number, radius = 3): fc.Arbitrary<Float64Array> {
  return fc
    .array(fc.double({ min: -radius, max: radius, noNaN: true }), { minLength: dim, maxLength: dim })
    .map((xs) => Float64Array.from(xs));
}

/**
 * Specs small enough for exact Lipschitz constants: d 1–3, 1–3 hidden layers of 1–6 neurons, one or
 * two outputs. Shrinks like networkSpecArb.
 */
export function tinySpecArb(options: { includeAsymmetric?: boolean } = {}): fc.Arbitrary<SampleSpec> {
  return networkSpecArb({ maxInputDim: 3, maxDepth: 3, maxWidth: 6, maxOutputs: 2 }, options);
}

/**
 * Specs too large for exact constants (bounds only): d 4–10, 1–3 hidden layers of 8–64, one or two
 * outputs. Shrinks like networkSpecArb.
 */
export function largeSpecArb(): fc.Arbitrary<SampleSpec> {
  return networkSpecArb({ minInputDim: 4, maxInputDim: 10, maxDepth: 3, minWidth: 8, maxWidth: 64, maxOutputs: 2 });
}

/** A norm p: 2, 1 or ∞. Shrinks to 2. */
export const normArb: fc.Arbitrary<Norm> = fc.constantFrom<Norm>('2', '1', 'inf');

/**
 * No box (a global constant: the shrink target), or a box of d intervals of width 0.05–3 starting in
 * [−3, 3]. Shrinks to null, then towards the box [0, 0.05]^d.
 */
export function optionalBoxArb(d: number): fc.Arbitrary<Box | null> {
  const interval = fc
    .tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }))
    .map(([lo, w]) => [lo, lo + w] as const);
  return fc.option(
    fc.array(interval, { minLength: d, maxLength: d }).map((pairs) => ({ lo: Float64Array.from(pairs, (p) => p[0]), hi: Float64Array.from(pairs, (p) => p[1]) })),
    { freq: 2, nil: null },
  );
}
