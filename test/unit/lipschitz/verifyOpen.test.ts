import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/lipschitz/budget.js';
import { exactLipschitz } from '../../../src/lipschitz/exact/index.js';
import { verifyClaim, type Claim, type Verdict } from '../../../src/lipschitz/verify.js';
import { jacobian } from '../../../src/network/evaluate.js';
import { operatorNorm } from '../../../src/linalg/norms.js';
import { createStream } from '../../../src/random/stream.js';
import { clockPerTest, globalQuery, randomNet } from '../../support/lipschitzUnits.js';

// verifyClaim where it does not try the exact solver (d = 7, two hidden layers, globally): the
// bracket stays open in the budget (about 300 reads of a clock that ticks about 1 µs per read), so
// claims between its ends stay undecided. The constant comes from the exact solver, run here.
const ticking = clockPerTest();
const net = randomNet(createStream(41, 'test/unit/verify'), 7, [2, 2]);
const e = exactLipschitz(net, globalQuery('2'));
const LIP = e.kind === 'exact' ? e.lipschitz : NaN;

async function verify(kind: Claim['kind'], factor: number): Promise<Verdict> {
  ticking();
  return verifyClaim(net, globalQuery('2'), { kind, value: factor * LIP }, { timeLimit: NaN, budget: new Budget(0.0003) });
}

function expectSoundVerdict(v: Verdict) {
  expect(v.exact).toBeNull();
  expect(v.lower).toBeLessThanOrEqual(LIP * (1 + 1e-12));
  expect(v.upper).toBeGreaterThanOrEqual(LIP * (1 - 1e-9));
  if (v.witness) expect(operatorNorm(jacobian(net, v.witness.x), '2')).toBe(v.witness.value);
}

describe('verifyClaim with an open bracket', () => {
  it('upper claims: below the constant refuted by the search, far above proven, just above undecided', async () => {
    expect(Number.isFinite(LIP)).toBe(true);
    const low = await verify('upper', 0.5);
    expect([low.status, low.proven, low.upper, low.stoppedOnTime]).toEqual(['refuted', true, Infinity, false]);
    expect(low.witness!.value).toBeGreaterThan(0.5 * LIP);
    expectSoundVerdict(low);
    const high = await verify('upper', 3);
    expect([high.status, high.proven, high.lower, high.witness]).toEqual(['consistent', true, -Infinity, null]);
    expect(high.upper).toBeLessThanOrEqual(3 * LIP);
    expectSoundVerdict(high);
    const near = await verify('upper', 1.01);
    expect(near.upper).toBeGreaterThan(1.01 * LIP); // the premise: no bound proves it in this budget
    expect([near.status, near.proven, near.witness, near.stoppedOnTime]).toEqual(['consistent', false, null, true]);
    expect(near.message).toMatch(new RegExp(`^not refuted: the best lower bound found in [0-9.e-]+ s is ${near.lower} ≤ ${1.01 * LIP} \\(a search, not a proof\\)$`));
    expectSoundVerdict(near);
  });
  it('lower claims: below the constant proven by a witness, far above refuted by a certified bound, just above undecided', async () => {
    const low = await verify('lower', 0.5);
    expect([low.status, low.proven, low.stoppedOnTime]).toEqual(['consistent', true, false]);
    expect(low.lower).toBeGreaterThanOrEqual(0.5 * LIP);
    expectSoundVerdict(low);
    const high = await verify('lower', 3);
    expect([high.status, high.proven, high.witness]).toEqual(['refuted', true, null]);
    expect(high.certifiedUpper).toBe(high.upper);
    expect(high.upper).toBeLessThan(3 * LIP);
    expectSoundVerdict(high);
    const near = await verify('lower', 1.01);
    expect(near.upper).toBeGreaterThan(1.01 * LIP);
    expect([near.status, near.proven, near.stoppedOnTime]).toEqual(['consistent', false, true]);
    expect(near.message).toBe(`not refuted: ${1.01 * LIP} lies within lipcheck's bracket [${near.lower}, ${near.upper}]`);
  });
  it('exact claims: far below refuted by a witness, far above by a certified bound, at the constant undecided', async () => {
    const low = await verify('exact', 0.5);
    expect([low.status, low.proven, low.certifiedUpper]).toEqual(['refuted', true, null]);
    expect(low.witness!.value).toBe(low.lower);
    expect(low.message).toBe(`refuted: at the witness the Jacobian norm is ${low.lower}, above the claimed exact value ${0.5 * LIP}`);
    expectSoundVerdict(low);
    const high = await verify('exact', 3);
    expect([high.status, high.proven, high.witness, high.certifiedUpper]).toEqual(['refuted', true, null, high.upper]);
    expect(high.message).toBe(`refuted: lipcheck's certified upper bound ${high.upper} is below the claimed exact value ${3 * LIP}`);
    const at = await verify('exact', 1);
    expect([at.status, at.proven, at.witness, at.certifiedUpper, at.stoppedOnTime]).toEqual(['consistent', false, null, null, true]);
    expect(at.message).toBe(`not refuted: ${LIP} lies within lipcheck's bracket [${at.lower}, ${at.upper}]`);
    expectSoundVerdict(at);
  });
});
