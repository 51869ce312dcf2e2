import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NORMS } from '../../src/linalg/norms.js';
import { ADVERSARIAL_FAMILIES, type AdversarialCase } from '../../src/arbitraries/index.js';
import { exactBruteForce } from '../support/exactBruteForce.js';

/** The cases of a family that have a formula, `count` of them for each kind named in `kinds`. */
function withFormula(make: () => fc.Arbitrary<AdversarialCase>, kinds: string[], count: number): AdversarialCase[] {
  const all = fc.sample(make(), { seed: 77, numRuns: 500 }).filter((c) => c.analytic !== null);
  return kinds.flatMap((k) => {
    const some = all.filter((c) => c.description.includes(k)).slice(0, count);
    expect(some.length, `${k}: too few cases with a formula drawn`).toBe(count);
    return some;
  });
}

// Each family's formula, against the exact brute force: two independent ways to the same constant.
describe('the adversarial families\' formulas', () => {
  it.each([
    ['near-duplicates', ['shift', 'tilt']],
    ['duplicates', ['exact', 'negated']],
    ['cancelling-pairs', ['negated', 'same']],
    ['parallel', ['group(s), thinnest', 'group(s), global', 'group(s), on']],
  ] as const)('%s: %j', (family, kinds) => {
    for (const c of withFormula(ADVERSARIAL_FAMILIES[family], [...kinds], 3)) {
      const brute = exactBruteForce(c.network, c.box).lipschitz;
      for (const p of NORMS) expect(c.analytic![p], `p = ${p}: ${c.description}`).toBeCloseTo(brute[p], 12);
      if (c.withoutThin && c.analyticWithoutThin) {
        const thick = exactBruteForce(c.withoutThin.network, c.withoutThin.box).lipschitz;
        for (const p of NORMS) expect(c.analyticWithoutThin[p], `without thin regions, p = ${p}: ${c.description}`).toBeCloseTo(thick[p], 12);
      }
    }
  });
});
