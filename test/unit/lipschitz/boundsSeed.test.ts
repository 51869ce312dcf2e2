import { describe, expect, it } from 'vitest';
import { certifiedBounds, witnessSearch } from '../../../src/lipschitz/bounds.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import type { Seed } from '../../../src/random/stream.js';
import { CANCELLING, CANCELLING_LIP, clockPerTest, globalQuery, spent } from '../../support/lipschitzUnits.js';

// Each run gets a fresh clock of TICK per read (the rate costs.ts caches is measured afresh on it), so
// two runs with the same seed see the same budget decisions and must give the same witness. Witnesses
// are points drawn from the seeded streams: two seeds giving the same point would be a coincidence of
// probability 0, so a different point is what "the seed was used" looks like.
const ticking = clockPerTest();
const query = globalQuery('2');

/** The witness of witnessSearch in `budget()` with `seed` (undefined: the default). */
function searched(budget: () => Budget, seed: Seed | undefined): number[] {
  ticking();
  const w = witnessSearch(CANCELLING, query, budget(), {}, seed === undefined ? {} : { seed });
  expect(w.value).toBe(CANCELLING_LIP['2']); // every seed finds the (1, 1) region: only the point differs
  return Array.from(w.x);
}

async function bracketed(budget: () => Budget, seed: Seed | undefined): Promise<number[]> {
  ticking();
  const r = await certifiedBounds(CANCELLING, query, { budget: budget(), maxExactRegions: 1, ...(seed === undefined ? {} : { seed }) });
  return Array.from(r.witness);
}

describe('the seed of the witness search', () => {
  const small = () => new Budget(0.0003);
  it('the ascent: the same seed gives the same witness, another seed another one', () => {
    const seven = searched(small, 7);
    expect(searched(small, 7)).toEqual(seven);
    expect(searched(small, 0)).not.toEqual(seven);
  });
  it('the sampling and local search (the ascent skipped in a spent budget): likewise', () => {
    const seven = searched(spent, 7);
    expect(searched(spent, 7)).toEqual(seven);
    expect(searched(spent, 0)).not.toEqual(seven);
  });
  it('certifiedBounds hands its seed to the search', async () => {
    for (const budget of [small, spent]) {
      const seven = await bracketed(budget, 7);
      expect(await bracketed(budget, 7)).toEqual(seven);
      expect(await bracketed(budget, undefined)).not.toEqual(seven);
    }
  });
});
