import { describe, expect, it } from 'vitest';
import { certifiedBounds, discardBelowWitness, exactPlan, tryExact, witnessSearch, type MethodReport } from '../../../src/lipschitz/bounds.js';
import { makeNetwork, type Network } from '../../../src/network/network.js';
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
    expect(budget.skipped).toContain('the ascent (its first round and a witness re-check would not fit)');
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

describe('certifiedBounds: which stages it plans (read from what a spent budget skips)', () => {
  const s = createStream(41, 'test/unit/bounds-plans');
  /** The MIP count named in the skip, or null when no MIP bound was planned. */
  const plannedMips = async (n: Network, norm: Norm) => {
    const r = await certifiedBounds(n, global(norm), { budget: spent() });
    const skip = r.skipped.find((x) => x.startsWith('the MIP bounds'));
    return skip ? Number(/^the MIP bounds \((\d+) MIPs, each at least [0-9.e+-]+ s here\)$/.exec(skip)![1]) : null;
  };
  it('one MIP per input (p = 1), per output (p = ∞), d + k for ℓ2 with k > 1, one for a scalar ℓ2 net up to d = 12', async () => {
    ticking();
    const wide = randomNet(s, 3, [4], 2);
    expect(await plannedMips(wide, '1')).toBe(3);
    expect(await plannedMips(wide, 'inf')).toBe(2);
    expect(await plannedMips(wide, '2')).toBe(3 + 2);
    expect(await plannedMips(randomNet(s, 12, [3]), '2')).toBe(1);
    const d13 = randomNet(s, 13, [3]);
    expect(await plannedMips(d13, '2')).toBe(null); // ℓ2 scalar above d = 12: none
    expect([await plannedMips(d13, '1'), await plannedMips(d13, 'inf')]).toEqual([13, 1]); // p = 1, ∞: at any d
  });
  it('none where the pattern branch and bound applies (ℓ2, d ≤ 6, two hidden layers), and none past 400 neurons', async () => {
    ticking();
    expect(await plannedMips(randomNet(s, 6, [2, 2]), '2')).toBe(null);
    expect(await plannedMips(randomNet(s, 7, [2, 2]), '2')).toBe(1);
    expect(await plannedMips(randomNet(s, 2, [400]), 'inf')).toBe(1);
    expect(await plannedMips(randomNet(s, 2, [401]), 'inf')).toBe(null);
  });
  it('names the exact solver’s skip when its share of the time ran out mid-way, and keeps its lower bound', async () => {
    ticking();
    const many = randomNet(s, 2, [6, 6]); // region search: far more regions than its share of 0.0003 s can visit
    const r = await certifiedBounds(many, global('1'), { budget: new Budget(0.0003) });
    expect(r.methods.exact.note).toMatch(/^too large for exact: it needs more than --time-limit/);
    expect(r.skipped).toContain('the exact solver (its share of the time ran out)');
    expect(operatorNorm(jacobian(many, r.witness), '1')).toBe(r.lower);
    expect(r.lower).toBeLessThanOrEqual(r.upper);
  });
  it('reports progress as the fraction of its time used, and takes its own time limit when given no budget', async () => {
    ticking();
    const budget = new Budget(0.004);
    const ratios: number[] = [];
    await certifiedBounds(H2, global('2'), { budget, onProgress: (_, fraction) => ratios.push(fraction / (budget.elapsed() / budget.timeLimit)) });
    expect(ratios.length).toBeGreaterThan(0);
    for (const r of ratios) expect(r).toBeCloseTo(1, 1);
    // A time limit far below one exact step: exact is not attempted (30 s, the default, would finish it).
    const r = await certifiedBounds(H2, global('2'), { timeLimit: 1e-9 });
    expect([r.exact, r.methods.exact.note]).toEqual([null, 'not attempted: one step of region enumeration would not fit the time']);
  });
  it('stops at upperBelow only when an upper bound is strictly below it, also right after LipSDP; reports the search’s witnesses as they come', async () => {
    ticking();
    const first = await certifiedBounds(H2, global('2'), { budget: new Budget(0.01), maxExactRegions: 1, stopWhen: { upperBelow: Infinity } });
    expect(first.upper).toBeLessThanOrEqual(Math.sqrt(5) * (1 + 1e-9)); // the quick bounds only: the interval bound, √5
    const lowers: number[] = [];
    await certifiedBounds(H2, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, onProgress: (stage, _, lower) => stage === 'lower bound search' && lowers.push(lower) });
    expect(Math.max(...lowers)).toBe(Math.SQRT2); // the witness of the (1, 1) region, as the search found it
    // LipSDP stops the run when it settles the threshold. On H2 it ties with the interval bound (√5), so
    // take H2 with a second output (1, 1, 0): there LipSDP (√5) lies below every quick bound (the interval
    // bound is 1 + √2).
    const two = makeNetwork(2, [H2.layers[0], { inDim: 3, outDim: 2, weights: Float64Array.of(1, -1, 1, 1, 1, 0), biases: new Float64Array(2) }]);
    const quickTwo = (await certifiedBounds(two, global('2'), { budget: new Budget(0.01), maxExactRegions: 1, stopWhen: { upperBelow: Infinity } })).upper;
    const lipsdp = (await certifiedBounds(two, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1 })).methods.lipsdp.value;
    expect(lipsdp).toBeLessThan(quickTwo);
    expect(lipsdp).toBeLessThan(Math.sqrt(5) * (1 + 1e-9));
    // A threshold between the two is settled by LipSDP, before any search; one equal to LipSDP's is not.
    const settled = await certifiedBounds(two, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, stopWhen: { upperBelow: (lipsdp + quickTwo) / 2 } });
    expect([settled.methods.lipsdp?.value, settled.methods.ascent]).toEqual([lipsdp, undefined]);
    const at = await certifiedBounds(two, global('2'), { budget: new Budget(0.0003), maxExactRegions: 1, stopWhen: { upperBelow: lipsdp } });
    expect(at.methods.ascent).toBeDefined();
  });
});

describe('exactPlan at the region cap, and the MIP-free methods’ kinds', () => {
  it('a shallow net predicted at exactly 2,000,000 regions gets most of the time', () => {
    // d = 1: Σ_{j≤1} C(N, j) = 1 + N; N = 1,999,999 neurons (zero weights: only the shape matters).
    const N = 1_999_999;
    const n = makeNetwork(1, [{ inDim: 1, outDim: N, weights: new Float64Array(N), biases: new Float64Array(N) }, { inDim: N, outDim: 1, weights: new Float64Array(N), biases: new Float64Array(1) }]);
    expect(exactPlan(n, global('1'))).toEqual({ share: 0.8, predicted: 2_000_000 });
  });
  it('witnessSearch records its methods as lower bounds, and discardBelowWitness keeps a bound exactly 1e-9 below', () => {
    ticking();
    const methods: Record<string, MethodReport> = {};
    witnessSearch(H2, global('2'), new Budget(0.0003), methods, {});
    // H2 has N = 3 > d = 2 hidden neurons: not every pattern is realisable, so no pattern search.
    expect(Object.keys(methods)).toEqual(['ascent', 'sampling', 'local-search', 'line-search']);
    expect(Object.values(methods).map((m) => m.kind)).toEqual(['lower', 'lower', 'lower', 'lower']);
    // One hidden layer with N ≤ d, ℓ2, global: the pattern search runs first, and finds the constant.
    const twoAxes = makeNetwork(2, [
      { inDim: 2, outDim: 2, weights: Float64Array.of(1, 0, 0, 1), biases: new Float64Array(2) },
      { inDim: 2, outDim: 1, weights: Float64Array.of(3, 2), biases: new Float64Array(1) },
    ]);
    const shallow: Record<string, MethodReport> = {};
    witnessSearch(twoAxes, global('2'), new Budget(0.0003), shallow, {});
    expect(Object.keys(shallow)[0]).toBe('pattern-ascent');
    expect(shallow['pattern-ascent'].kind).toBe('lower');
    expect(shallow['pattern-ascent'].value).toBeCloseTo(Math.sqrt(13), 14); // 3ρ(x₁) + 2ρ(x₂): ‖(3, 2)‖
    for (const q of [{ norm: '2', box: box([0, 0], [1, 1]) }, global('inf')] as const) {
      const other: Record<string, MethodReport> = {};
      witnessSearch(twoAxes, q, new Budget(0.0003), other, {});
      expect(other['pattern-ascent']).toBeUndefined(); // its points ignore a box; its climb is ℓ2's
    }
    const edge: Record<string, MethodReport> = { at: { kind: 'upper', value: 2 * (1 - 1e-9), seconds: 0 } };
    expect(discardBelowWitness(edge, 2)).toEqual([]);
    expect(edge.at.value).toBe(2 * (1 - 1e-9));
  });
});
