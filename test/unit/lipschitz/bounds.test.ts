import { describe, expect, it } from 'vitest';
import { discardBelowWitness, exactPlan, tryExact, witnessSearch, type MethodReport } from '../../../src/lipschitz/bounds.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { jacobian } from '../../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../../src/linalg/norms.js';
import { createStream } from '../../../src/random/stream.js';
import { box, CANCELLING, CANCELLING_LIP, randomNet, clockPerTest, globalQuery, spent } from '../../support/lipschitzUnits.js';

// Budgets count reads of a clock that advances TICK (about 1 µs) per read: a budget of 0.0003 s is
// 307 reads, whatever the machine's speed.
const ticking = clockPerTest();

const H2 = CANCELLING;
const global = globalQuery;

describe('exactPlan: how much of the time the exact solver may take', () => {
  const s = createStream(31, 'test/unit/bounds-plan');
  const shape = (d: number, widths: number[], k = 1) => randomNet(s, d, widths, k);
  const cube = (d: number) => box(Array(d).fill(0), Array(d).fill(1));
  it('most of it for an affine net or a shallow one whose Σ_{j≤d} C(N, j) regions are at most 2,000,000', () => {
    expect(exactPlan(shape(9, []), global('2'))).toEqual({ share: 0.8, predicted: Infinity });
    expect(exactPlan(shape(2, [3]), global('2'))).toEqual({ share: 0.8, predicted: 1 + 3 + 3 });
    expect(exactPlan(shape(3, [5]), global('1'))).toEqual({ share: 0.8, predicted: 1 + 5 + 10 + 10 });
    expect(exactPlan(shape(3, [2]), global('1')).predicted).toBe(1 + 2 + 1 + 0);
    // d = 4, N = 120: 1 + 120 + 7,140 + 280,840 + 8,214,570 regions, above the cap.
    expect(exactPlan(shape(4, [120]), global('2'))).toEqual({ share: 0.6, predicted: 8_502_671 });
    // d = 2, N = 2,000: 2,001,001 regions, just above; N = 1,999: 1,999,001, within.
    expect(exactPlan(shape(2, [2000]), global('1')).share).toBe(0.6);
    expect(exactPlan(shape(2, [1999]), global('1'))).toEqual({ share: 0.8, predicted: 1_999_001 });
  });
  it('by input dimension otherwise: 0.6 up to d = 4, 0.3 up to 6, none above (globally)', () => {
    expect(exactPlan(shape(4, [3, 3]), global('1')).share).toBe(0.6);
    expect(exactPlan(shape(5, [3, 3]), global('1')).share).toBe(0.3);
    expect(exactPlan(shape(6, [3, 3]), global('inf')).share).toBe(0.3);
    expect(exactPlan(shape(7, [3, 3]), global('1'))).toEqual({ share: 0, predicted: Infinity });
    expect(exactPlan(shape(7, [60]), global('2')).share).toBe(0); // 3.4e8 regions
  });
  it('on a box: at least 0.6 up to d = 64 and 0.3 above', () => {
    expect(exactPlan(shape(2, [3]), { norm: '2', box: cube(2) })).toEqual({ share: 0.6, predicted: Infinity });
    expect(exactPlan(shape(64, [2]), { norm: '1', box: cube(64) }).share).toBe(0.6);
    expect(exactPlan(shape(65, [2]), { norm: '1', box: cube(65) }).share).toBe(0.3);
    expect(exactPlan(shape(5, [2, 2]), { norm: '1', box: cube(5) }).share).toBe(0.6);
  });
  it('a quarter where the pattern branch and bound applies (ℓ2, d ≤ 6, two hidden layers or more)', () => {
    expect(exactPlan(shape(2, [3, 3]), global('2')).share).toBe(0.25);
    expect(exactPlan(shape(6, [3, 3]), { norm: '2', box: cube(6) }).share).toBe(0.25);
    expect(exactPlan(shape(7, [3, 3]), { norm: '2', box: cube(7) }).share).toBe(0.6);
    expect(exactPlan(shape(2, [3, 3]), global('inf')).share).toBe(0.6);
    expect(exactPlan(shape(2, [3]), { norm: '2', box: cube(2) }).share).toBe(0.6); // shallow: no pattern branch
  });
});

describe('tryExact', () => {
  it('runs the exact solver in its share when one step fits, else names the skip; not at all for a share of 0', () => {
    ticking();
    const budget = new Budget(0.01);
    const r = tryExact(H2, global('2'), budget, 0.5, 100);
    expect(r?.kind === 'exact' && r.lipschitz).toBeCloseTo(Math.SQRT2, 14);
    expect(tryExact(H2, global('2'), budget, 0.5, 1)).toMatchObject({ kind: 'too-large', limit: 'regions' });
    expect(tryExact(H2, global('2'), budget, 0, 100)).toBeNull();
    expect(budget.skipped).toEqual([]);
    const none = spent();
    expect(tryExact(H2, global('2'), none, 0.5, 100)).toBeNull();
    expect(none.skipped).toEqual(['the exact solver (one of its steps would not fit)']);
  });
});

describe('witnessSearch', () => {
  it('runs the ascent, then local and line searches, and returns the best re-checked witness', () => {
    ticking();
    const methods: Record<string, MethodReport> = {};
    const seen: number[] = [];
    const w = witnessSearch(H2, global('inf'), new Budget(0.0003), methods, { onProgress: (v) => seen.push(v) });
    expect(w.value).toBe(CANCELLING_LIP.inf);
    expect(operatorNorm(jacobian(H2, w.x), 'inf')).toBe(w.value);
    expect(Object.keys(methods)).toEqual(['ascent', 'sampling', 'local-search', 'line-search']);
    expect(methods.ascent.note).toMatch(/^\d+ climbs, \d+ steps \(many-start ascent on ‖J\(x\)‖\)$/);
    expect(methods['local-search'].note).toMatch(/^\d+ climbs$/);
    expect([methods.sampling.seconds, methods['line-search'].seconds]).toEqual([NaN, NaN]);
    for (const m of Object.values(methods)) expect(m.value).toBeLessThanOrEqual(CANCELLING_LIP.inf);
    expect(seen.length).toBeGreaterThan(0);
    seen.forEach((v, i) => i > 0 && expect(v).toBeGreaterThanOrEqual(seen[i - 1]));
  });
  it('stops after the ascent once a witness is above stopAbove, and skips the ascent when one re-check would not fit', () => {
    ticking();
    const methods: Record<string, MethodReport> = {};
    const w = witnessSearch(H2, global('1'), new Budget(0.0003), methods, { stopAbove: 0.5 });
    expect(w.value).toBe(1);
    expect(Object.keys(methods)).toEqual(['ascent']);
    const none: Record<string, MethodReport> = {};
    const budget = spent();
    witnessSearch(H2, global('1'), budget, none, {});
    expect(budget.skipped).toContain('the ascent (one witness re-check would not fit)');
    expect(none.ascent).toBeUndefined();
    expect(Object.keys(none)).toEqual(['sampling', 'local-search', 'line-search']);
  });
});

describe('discardBelowWitness', () => {
  it('sets upper bounds below the witness (beyond 1e-9 relative) to Infinity with a note and a warning each', () => {
    const methods: Record<string, MethodReport> = {
      low: { kind: 'upper', value: 1.9, seconds: 0 },
      noted: { kind: 'upper', value: 1, seconds: 0, note: 'n' },
      edge: { kind: 'upper', value: 2 * (1 - 0.5e-9), seconds: 0 },
      fine: { kind: 'upper', value: 2.5, seconds: 0 },
      lowerBound: { kind: 'lower', value: 1, seconds: 0 },
      exact: { kind: 'exact', value: 1, seconds: 0 },
    };
    expect(discardBelowWitness(methods, 2)).toEqual(['low gave 1.9, below the witness value 2: discarded as a numerical failure', 'noted gave 1, below the witness value 2: discarded as a numerical failure']);
    expect(methods.low).toEqual({ kind: 'upper', value: Infinity, seconds: 0, note: 'discarded: 1.9 fell below a witness (2), a numerical failure' });
    expect(methods.noted.note).toBe('n; discarded: 1 fell below a witness (2), a numerical failure');
    expect([methods.edge.value, methods.fine.value, methods.lowerBound.value, methods.exact.value]).toEqual([2 * (1 - 0.5e-9), 2.5, 1, 1]);
    expect(discardBelowWitness(methods, -Infinity)).toEqual([]);
  });
});
