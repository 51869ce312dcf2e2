import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/lipschitz/budget.js';
import { exactLipschitz } from '../../../src/lipschitz/exact/index.js';
import { verifyClaim, type Claim, type Verdict } from '../../../src/lipschitz/verify.js';
import { lipSdpStage, quickUpperBounds } from '../../../src/lipschitz/upperStages.js';
import type { Norm } from '../../../src/linalg/norms.js';
import type { Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { CANCELLING, CANCELLING_LIP, clockPerTest, globalQuery, randomNet, spent } from '../../support/lipschitzUnits.js';

// verifyClaim's verdicts: a settled verdict never says the time stopped it, whatever the budget went
// through before; LipSDP proves upper claims the quick bounds cannot; the seed reaches the search;
// rtol is a bound, not a strict one. Budgets count reads of a clock that ticks about 1 µs per read.
const ticking = clockPerTest();
/** d = 7, two hidden layers, globally: no exact attempt; a fixed-seed net on which LipSDP is within 1e-9 of the constant. */
const deep = randomNet(createStream(71, 'test/unit/verifyProofs'), 7, [2, 2]);

/** A budget that has already skipped a step (so it reports stopping on time) before the verification starts. */
function marked(seconds: number): Budget {
  const b = new Budget(seconds);
  b.skip('an earlier step');
  return b;
}

/** verifyClaim on a fresh ticking clock, in the budget `budget()` makes on it. */
async function verify(n: Network, claim: Claim, budget: () => Budget, norm: Norm = '2', options: { rtol?: number; seed?: number } = {}): Promise<Verdict> {
  ticking();
  return verifyClaim(n, globalQuery(norm), claim, { timeLimit: NaN, budget: budget(), ...options });
}

describe('verifyClaim: settled verdicts are not "stopped on time"', () => {
  it('exact within reach: an upper claim proven, a lower claim refuted by the constant, an exact claim refuted', async () => {
    for (const claim of [{ kind: 'upper', value: 1.5 }, { kind: 'lower', value: 1.5 }, { kind: 'exact', value: 1.3 }] as const) {
      const v = await verify(CANCELLING, claim, () => marked(0.01));
      expect(v.exact).toBe(CANCELLING_LIP['2']);
      expect([v.proven, v.stoppedOnTime], claim.kind).toEqual([true, false]);
      expect(v.skipped).toContain('an earlier step');
    }
  });
  it('an open bracket: exact claims refuted by a witness or a certified bound, a lower claim refuted by a bound, an upper one proven by a bound', async () => {
    for (const claim of [{ kind: 'exact', value: 0 }, { kind: 'exact', value: 1e6 }, { kind: 'lower', value: 1e6 }, { kind: 'upper', value: 1e6 }] as const) {
      const v = await verify(deep, claim, () => marked(0.0003));
      expect(v.exact).toBeNull();
      expect([v.proven, v.stoppedOnTime], `${claim.kind} ${claim.value}`).toEqual([true, false]);
    }
  });
  it('in a spent budget (the exact attempt skipped): an upper claim proven by the quick bounds', async () => {
    const v = await verify(CANCELLING, { kind: 'upper', value: 10 }, spent);
    expect(v.skipped).toContain('the exact solver (one of its steps would not fit)');
    expect([v.status, v.proven, v.stoppedOnTime]).toEqual(['consistent', true, false]);
  });
});

describe('verifyClaim: what settles a claim', () => {
  it('for p = 2, LipSDP proves an upper claim that every quick bound is above', async () => {
    const e = exactLipschitz(deep, globalQuery('2'));
    const lip = e.kind === 'exact' ? e.lipschitz : NaN;
    const quick = quickUpperBounds(deep, globalQuery('2'), new Budget(Infinity), {}).upper;
    const claim = (lip + quick) / 2;
    expect(quick).toBeGreaterThan(claim); // the premise: the quick bounds cannot prove it
    const v = await verify(deep, { kind: 'upper', value: claim }, () => new Budget(0.0003));
    expect([v.status, v.proven, v.witness]).toEqual(['consistent', true, null]);
    expect(v.upper).toBeLessThanOrEqual(claim);
    expect(v.upper).toBeGreaterThanOrEqual(lip * (1 - 1e-9));
    expect(v.message).toBe(`consistent: lipcheck's certified upper bound ${v.upper} is at most ${claim} (proven)`);
  });
  it('an upper claim refuted by the search: the same seed gives the same witness, another seed another one', async () => {
    const at = async (seed?: number) => (await verify(CANCELLING, { kind: 'upper', value: 0.5 }, spent, 'inf', seed === undefined ? {} : { seed })).witness!.x;
    const seven = await at(7);
    expect(await at(7)).toEqual(seven);
    expect(await at()).not.toEqual(seven);
  });
  it('an exact claim off by exactly rtol is within it (Lip₁ = 1, claim 1.5, rtol 0.5: the difference 0.5 is exact)', async () => {
    const v = await verify(CANCELLING, { kind: 'exact', value: 1.5 }, () => new Budget(0.01), '1', { rtol: 0.5 });
    expect([v.exact, v.status, v.proven]).toEqual([CANCELLING_LIP['1'], 'consistent', true]);
    expect((await verify(CANCELLING, { kind: 'exact', value: 1.5 }, () => new Budget(0.01), '1', { rtol: 0.4999 })).status).toBe('refuted');
  });
  it('a lower claim 5e-7 above LipSDP is refuted by it before any search; an exact claim there is within rtol (1e-6), so the search runs', async () => {
    const methods = {};
    const quick = quickUpperBounds(deep, globalQuery('2'), new Budget(Infinity), methods);
    const sdp = lipSdpStage(deep, globalQuery('2'), new Budget(Infinity), methods, quick.states);
    const claim = sdp * (1 + 5e-7);
    expect(quick.upper).toBeGreaterThan(claim); // the premise: only LipSDP gets below the claim
    const lower = await verify(deep, { kind: 'lower', value: claim }, () => new Budget(0.0003));
    expect([lower.status, lower.proven, lower.upper, lower.lower]).toEqual(['refuted', true, lower.certifiedUpper, -Infinity]); // settled, no witness sought
    expect(lower.upper).toBeLessThan(claim);
    const exact = await verify(deep, { kind: 'exact', value: claim }, () => new Budget(0.0003));
    expect([exact.status, exact.proven]).toEqual(['consistent', false]);
    expect(exact.lower).toBeGreaterThan(-Infinity); // the search ran
    expect(exact.upper).toBeLessThan(claim);
  });
});
