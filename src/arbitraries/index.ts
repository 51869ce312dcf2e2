import fc from 'fast-check';
import type { AdversarialCase } from './adversarialCase.js';
import { zeroRowsArb, concurrentArb, parallelFamilyArb } from './degenerate.js';
import { cancellingPairsArb, duplicatesArb, nearDuplicatesArb } from './duplicates.js';
import { farBoxArb, scaledWeightsArb, thinBoxArb } from './extremes.js';

/**
 * lipcheck's fast-check arbitraries, for your own property suites (`import … from 'lipcheck/arbitraries'`):
 * the papers' random model (model.ts), and adversarial networks that break Lipschitz tools — each
 * small enough for an exact answer, each with what is known of that answer (AdversarialCase).
 */
export * from './model.js';
export type { AdversarialCase, AdversarialFamily, PerNorm, Neuron } from './adversarialCase.js';
export { shallowNetwork } from './adversarialCase.js';
export { nearDuplicatesArb, duplicatesArb, cancellingPairsArb } from './duplicates.js';
export { zeroRowsArb, concurrentArb, parallelFamilyArb } from './degenerate.js';
export { scaledWeightsArb, farBoxArb, thinBoxArb } from './extremes.js';

/** Every adversarial family by name. */
export const ADVERSARIAL_FAMILIES = {
  'near-duplicates': nearDuplicatesArb,
  duplicates: duplicatesArb,
  'cancelling-pairs': cancellingPairsArb,
  'zero-rows': zeroRowsArb,
  concurrent: concurrentArb,
  parallel: parallelFamilyArb,
  'scaled-weights': scaledWeightsArb,
  'far-box': farBoxArb,
  'thin-box': thinBoxArb,
} as const;

/**
 * A case from any adversarial family, each equally likely (fc.oneof over the nine builders). Shrinks
 * within the family it drew, towards that family's simplest case (each builder says which).
 */
export function adversarialArb(): fc.Arbitrary<AdversarialCase> {
  return fc.oneof(...Object.values(ADVERSARIAL_FAMILIES).map((make) => make()));
}
