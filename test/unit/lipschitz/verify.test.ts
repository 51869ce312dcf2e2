import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/lipschitz/budget.js';
import { verifyClaim, type Claim, type Verdict } from '../../../src/lipschitz/verify.js';
import { jacobian } from '../../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../../src/linalg/norms.js';
import { CANCELLING, CANCELLING_LIP, clockPerTest, globalQuery, spent } from '../../support/lipschitzUnits.js';

// The cancelling pair x₁ + relu(x₂) (Lip₂ = √2, Lip_∞ = 2), whose constant the exact solver finds
// within any budget here; budgets count reads of a clock that ticks about 1 µs per read.
const ticking = clockPerTest();
const H2 = CANCELLING;
const LIP = CANCELLING_LIP['2'];

/** verifyClaim on H2 with a fresh ticking clock and a budget of `seconds` (or the budget `given`). */
async function verify(claim: Claim, norm: Norm = '2', seconds = 0.01, rtol?: number, given?: Budget): Promise<Verdict> {
  ticking();
  return verifyClaim(H2, globalQuery(norm), claim, { timeLimit: NaN, budget: given ?? new Budget(seconds), rtol });
}

/** A refuting witness re-evaluates to its value, which is above the claim. */
function expectWitness(v: Verdict, norm: Norm, claim: number) {
  expect(v.witness).not.toBeNull();
  expect(operatorNorm(jacobian(H2, v.witness!.x), norm)).toBe(v.witness!.value);
  expect(v.witness!.value).toBeGreaterThan(claim);
}

describe('verifyClaim where the exact constant is within reach', () => {
  it('an upper claim at or above the constant is proven, one below it refuted at a witness', async () => {
    const above = await verify({ kind: 'upper', value: 1.5 });
    expect([above.status, above.proven, above.exact, above.lower, above.upper, above.witness, above.certifiedUpper]).toEqual(['consistent', true, LIP, LIP, LIP, null, null]);
    expect(above.message).toBe(`consistent: the exact constant ${LIP} is at most 1.5 (exact as README's "How sure the numbers are" states)`);
    expect([above.stoppedOnTime, above.skipped]).toEqual([false, []]);
    // Equal, or below by less than the floating-point slack (1e-9 relative): not refuted.
    for (const v of [LIP, LIP * (1 - 1e-10)]) expect((await verify({ kind: 'upper', value: v })).status).toBe('consistent');
    const below = await verify({ kind: 'upper', value: 1.4 });
    expect([below.status, below.proven, below.exact]).toEqual(['refuted', true, LIP]);
    expectWitness(below, '2', 1.4);
    expect(below.message).toBe(`refuted: the exact constant is ${LIP}, attained at the witness, above the claimed upper bound 1.4`);
    const zero = await verify({ kind: 'upper', value: 0 });
    expect(zero.status).toBe('refuted');
  });
  it('a lower claim is proven by a witness attaining it and refuted by the constant below it', async () => {
    const proven = await verify({ kind: 'lower', value: 1 });
    expect([proven.status, proven.proven, proven.witness, proven.certifiedUpper]).toEqual(['consistent', true, null, null]);
    expect(proven.message).toBe(`consistent: a witness attains ${proven.lower} ≥ 1 (proven)`);
    expect(proven.lower).toBeGreaterThanOrEqual(1);
    const atIt = await verify({ kind: 'lower', value: LIP });
    expect([atIt.status, atIt.proven]).toEqual(['consistent', true]);
    const refuted = await verify({ kind: 'lower', value: 2, }, 'inf');
    expect([refuted.status, refuted.proven, refuted.exact]).toEqual(['consistent', true, 2]); // Lip_∞ = 2 exactly
    const over = await verify({ kind: 'lower', value: 1.5 });
    expect([over.status, over.proven, over.certifiedUpper]).toEqual(['refuted', true, LIP]);
    expect(over.message).toBe(`refuted: lipcheck's certified upper bound ${LIP} is below the claimed lower bound 1.5`);
    expect((await verify({ kind: 'lower', value: LIP * (1 + 1e-10) })).status).toBe('consistent'); // within the slack
  });
  it('an exact claim is consistent within rtol and refuted beyond it, by a witness or by the constant', async () => {
    const right = await verify({ kind: 'exact', value: LIP });
    expect([right.status, right.proven, right.witness, right.certifiedUpper]).toEqual(['consistent', true, null, null]);
    expect(right.message).toBe(`consistent: the exact constant is ${LIP}, within --rtol 0.000001 (exact as README's "How sure the numbers are" states)`.replace('0.000001', String(1e-6)));
    expect((await verify({ kind: 'exact', value: LIP * (1 + 5e-7) })).status).toBe('consistent');
    expect((await verify({ kind: 'exact', value: LIP * (1 + 5e-7) }, '2', 0.01, 1e-7)).status).toBe('refuted');
    const low = await verify({ kind: 'exact', value: 1.3 });
    expect([low.status, low.proven, low.certifiedUpper]).toEqual(['refuted', true, null]);
    expect(low.witness?.value).toBe(LIP);
    expect(operatorNorm(jacobian(H2, low.witness!.x), '2')).toBeCloseTo(LIP, 14);
    expect(low.message).toBe(`refuted: the exact constant is ${LIP}, the claim 1.3 is off by ${Math.abs(LIP - 1.3) / LIP} (relative; --rtol ${1e-6})`);
    const high = await verify({ kind: 'exact', value: 1.5 });
    expect([high.status, high.witness, high.certifiedUpper]).toEqual(['refuted', null, LIP]);
  });
  it('within a spent budget: no exact attempt (named as skipped); an upper claim above the norm product is still proven, one below Lip by a sample refuted', async () => {
    ticking();
    const budget = spent();
    const proven = await verify({ kind: 'upper', value: 10 }, '2', 0, undefined, budget);
    expect([proven.status, proven.proven, proven.lower]).toEqual(['consistent', true, -Infinity]);
    expect(proven.upper).toBeLessThanOrEqual(10);
    expect(proven.message).toBe(`consistent: lipcheck's certified upper bound ${proven.upper} is at most 10 (proven)`);
    expect(budget.skipped).toContain('the exact solver (one of its steps would not fit)');
    const refuted = await verify({ kind: 'upper', value: 0.5 }, 'inf', 0, undefined, spent());
    expect([refuted.status, refuted.proven, refuted.exact, refuted.upper]).toEqual(['refuted', true, null, Infinity]);
    expectWitness(refuted, 'inf', 0.5);
    expect(refuted.message).toBe(`refuted: at the witness the Jacobian norm is ${refuted.witness!.value}, above the claimed upper bound 0.5`);
    expect(refuted.stoppedOnTime).toBe(false); // refuted: the time did not matter
  });
});
