import { describe, expect, it } from 'vitest';
import { certifiedBounds, type BoundsResult } from '../../../src/lipschitz/bounds.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { jacobian } from '../../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../../src/linalg/norms.js';
import type { Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { CANCELLING, randomNet, clockPerTest, globalQuery, spent } from '../../support/lipschitzUnits.js';

// Budgets count reads of a clock that advances TICK (about 1 µs) per read: a budget of 0.0003 s is
// 307 reads, whatever the machine's speed.
const ticking = clockPerTest();

const H2 = CANCELLING;
const global = globalQuery;
const SLACK = 1e-9;

/** The witness re-evaluates to `lower`; lower ≤ lip ≤ upper; the gap is upper/lower. */
function expectSound(n: Network, norm: Norm, r: BoundsResult, lip: number) {
  expect(operatorNorm(jacobian(n, r.witness), norm)).toBe(r.lower);
  expect(r.lower).toBeLessThanOrEqual(lip * (1 + SLACK));
  expect(r.upper).toBeGreaterThanOrEqual(lip * (1 - SLACK));
  for (const [name, m] of Object.entries(r.methods)) {
    if (m.kind === 'upper') expect(m.value, name).toBeGreaterThanOrEqual(lip * (1 - SLACK));
    if (m.kind === 'lower') expect(m.value, name).toBeLessThanOrEqual(lip * (1 + SLACK));
  }
  expect(r.upper).toBe(Math.min(...Object.values(r.methods).filter((m) => m.kind === 'upper').map((m) => m.value)));
  expect(r.gap).toBe(r.upper / r.lower);
  expect(r.diagnosis.lowerOverSqrtD).toBe(r.lower / Math.sqrt(n.inputDim));
  expect(r.diagnosis.upperOverSqrtD).toBe(r.upper / Math.sqrt(n.inputDim));
}

describe('certifiedBounds', () => {
  it('returns the exact constant when the exact solver finishes, with the quick bounds beside it', async () => {
    ticking();
    const stages: string[] = [];
    const r = await certifiedBounds(H2, global('2'), { budget: new Budget(0.004), onProgress: (stage, fraction) => (stages.push(stage), expect(fraction).toBeGreaterThanOrEqual(0), expect(fraction).toBeLessThanOrEqual(1)) });
    expect([r.exact, r.lower, r.upper, r.gap]).toEqual([r.upper, r.upper, r.upper, 1]);
    expect(r.exact).toBeCloseTo(Math.SQRT2, 14);
    expect(operatorNorm(jacobian(H2, r.witness), '2')).toBe(r.lower);
    expect(r.methods.exact.kind).toBe('exact');
    expect(r.methods.exact.note).toMatch(/^\d+ regions by (arrangement|region-search); exact as README's "How sure the numbers are" states$/);
    expect(Object.keys(r.methods)).toEqual(['operator-norm-product', 'interval-jacobian', 'zonotope', 'eclipse-fast', 'exact']);
    expect([r.stoppedOnTime, r.skipped, r.diagnosis.warnings, stages]).toEqual([false, [], [], ['exact']]);
    expect(r.diagnosis.lowerOverSqrtD).toBeCloseTo(1, 14);
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThan(0.004);
  });
  it('without exact (one region allowed): LipSDP and the searches, sound, and stopped by the time', async () => {
    ticking();
    const stages: string[] = [];
    const r = await certifiedBounds(H2, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, onProgress: (stage) => stages.push(stage) });
    expect(r.exact).toBeNull();
    expectSound(H2, '2', r, Math.SQRT2);
    expect(r.lower).toBe(Math.SQRT2); // the witness of the (1, 1) region, found by the searches
    expect(r.methods.exact).toEqual({ kind: 'exact', value: NaN, seconds: expect.any(Number), note: expect.stringMatching(/^too large for exact: it needs more than --max-regions 1 linear regions/) });
    for (const m of ['lipsdp', 'ascent', 'sampling', 'local-search', 'line-search']) expect(r.methods[m], m).toBeDefined();
    expect(stages.slice(0, 3)).toEqual(['exact', 'LipSDP', 'lower bound search']);
    expect(r.stoppedOnTime).toBe(true); // the bracket [√2, √5] stays open
    expect(r.gap).toBeGreaterThan(1.5);
  });
  it('within a spent budget: the norm product and one sample, naming every step it skipped, and warns that the bound ignores the patterns', async () => {
    ticking();
    const r = await certifiedBounds(H2, global('2'), { budget: spent() });
    expect(r.exact).toBeNull();
    expect(r.skipped).toEqual(expect.arrayContaining(['the exact solver (one of its steps would not fit)', 'LipSDP (its set-up would not fit)', 'the ascent (its first round and a witness re-check would not fit)']));
    expect(r.skipped.some((x) => /^the MIP bounds \(1 MIPs, each at least [0-9.e-]+ s here\)$/.test(x))).toBe(true);
    expect(r.methods.exact.note).toBe('not attempted: one step of region enumeration would not fit the time');
    expect(r.methods.exact.seconds).toBe(0);
    expect(r.upper).toBe(r.methods['operator-norm-product'].value);
    expect(r.diagnosis.warnings).toEqual([
      'the best upper bound (operator-norm-product) ignores which activation patterns are realisable: on random networks such bounds grow like √N while Lip ≍ √d, so the gap cannot close',
    ]);
    expect(r.stoppedOnTime).toBe(true);
    expect(r.lower).toBeLessThanOrEqual(Math.SQRT2);
  });
  it('does not try exact at large d without a box, and says why', async () => {
    ticking();
    const s = createStream(32, 'test/unit/bounds-d7');
    const n = randomNet(s, 7, [2, 2]);
    const r = await certifiedBounds(n, global('1'), { budget: new Budget(0.0003) });
    expect(r.methods.exact).toEqual({ kind: 'exact', value: NaN, seconds: 0, note: 'not attempted: input dimension too large for region enumeration' });
    expect(r.skipped).not.toContain('the exact solver (one of its steps would not fit)');
    expect(r.lower).toBeLessThanOrEqual(r.upper);
  });
  it('stops as soon as the bracket settles the question: an upper bound below upperBelow, a witness above lowerAbove', async () => {
    ticking();
    const quick = await certifiedBounds(H2, global('2'), { budget: new Budget(0.01), maxExactRegions: 1, stopWhen: { upperBelow: Infinity } });
    expect(Object.keys(quick.methods)).toEqual(['operator-norm-product', 'interval-jacobian', 'zonotope', 'eclipse-fast']);
    expect([quick.lower, quick.gap, quick.stoppedOnTime]).toEqual([-Infinity, Infinity, false]);
    // The best bound (the interval bound, ‖(2, 1)‖₂ = √5, every neuron unstable) ignores the patterns.
    expect(quick.diagnosis.warnings[0]).toMatch(/^the best upper bound \(interval-jacobian\) ignores/);
    expect(quick.upper).toBeCloseTo(Math.sqrt(5), 8);
    const witnessed = await certifiedBounds(H2, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, stopWhen: { lowerAbove: 1 } });
    expect(witnessed.lower).toBeGreaterThan(1);
    expect(witnessed.methods.ascent).toBeDefined();
    expect(witnessed.methods['local-search']).toBeUndefined(); // the ascent already settled it
    const notYet = await certifiedBounds(H2, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, stopWhen: { lowerAbove: Math.SQRT2, upperBelow: 2 } });
    expect(notYet.methods['local-search']).toBeDefined(); // √2 is not above √2: the search goes on
  });
  it('counts a bracket within the target gap as finished, not stopped on time', async () => {
    ticking();
    const r = await certifiedBounds(H2, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, targetGap: 1.6 });
    expect(r.gap).toBeLessThanOrEqual(1.6);
    expect(r.stoppedOnTime).toBe(false);
    expect(r.methods['local-search']).toBeUndefined(); // the ascent's witness is within the gap
  });
});

