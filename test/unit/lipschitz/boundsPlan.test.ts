import { describe, expect, it } from 'vitest';
import { certifiedBounds, witnessSearch, type MethodReport } from '../../../src/lipschitz/bounds.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { secondsPerFlop } from '../../../src/lipschitz/costs.js';
import { createStream } from '../../../src/random/stream.js';
import { CANCELLING, CANCELLING_LIP, clockPerTest, globalQuery, randomNet } from '../../support/lipschitzUnits.js';

// certifiedBounds' diagnosis, and how the search shares its time, on a clock of TICK per read (budgets
// are counts of reads).
const ticking = clockPerTest();
const s = createStream(61, 'test/unit/boundsPlan');

describe('certifiedBounds: the diagnosis', () => {
  it('the warning about a pattern-agnostic best bound names the least UPPER bound, whatever the lower bounds beside it', async () => {
    ticking();
    // p = 1, globally, in 300 reads: no MIP fits, so the best bound is the interval or norm product (both 2, agnostic).
    const r = await certifiedBounds(CANCELLING, globalQuery('1'), { budget: new Budget(0.0003), maxExactRegions: 1 });
    const uppers = Object.entries(r.methods).filter(([, m]) => m.kind === 'upper');
    const [name, best] = uppers.reduce((a, b) => (b[1].value < a[1].value ? b : a));
    expect(best.patternAgnostic).toBe(true);
    expect(r.upper).toBe(best.value);
    expect(Object.values(r.methods).some((m) => m.kind === 'lower' && m.value < best.value)).toBe(true); // the premise
    expect(r.lower).toBe(CANCELLING_LIP['1']);
    expect(r.diagnosis.warnings).toEqual([expect.stringMatching(new RegExp(`^the best upper bound \\(${name}\\) ignores which activation patterns are realisable`))]);
  });
});

describe('certifiedBounds: stoppedOnTime', () => {
  it('a bracket within the target gap is finished, even in a budget that had already skipped a step', async () => {
    ticking();
    const budget = new Budget(0.0003);
    budget.skip('an earlier step');
    const r = await certifiedBounds(CANCELLING, globalQuery('2'), { budget, maxExactRegions: 1, targetGap: 1.6 });
    expect(r.gap).toBeLessThanOrEqual(1.6);
    expect([r.stoppedOnTime, budget.stoppedOnTime]).toEqual([false, true]);
    expect(r.skipped).toContain('an earlier step');
  });
});

describe('witnessSearch: the ascent’s share of the search', () => {
  /** The ascent's seconds over the search's budget, for a one-neuron net with d inputs (the ascent climbs until its share is spent). */
  const ascentShareAt = (d: number) => {
    const clock = ticking();
    secondsPerFlop(); // the rate measured now, not inside the budget
    const n = randomNet(s, d, [1]);
    const methods: Record<string, MethodReport> = {};
    const seconds = 0.0002;
    // After the ascent (its report) the clock jumps past the budget: the local search that follows is cut short.
    witnessSearch(n, globalQuery('inf'), new Budget(seconds), methods, { onProgress: () => clock.advance(1) }); // ℓ∞: no pattern search before the ascent
    return methods.ascent.seconds / seconds;
  };
  it('0.3 below d = 32 (where local search’s LPs are cheap), 0.6 from d = 32 on (O(parameters) steps)', () => {
    // The share is taken of what remains after a check or two, and the ascent ends with a re-check of
    // its best point after its budget ran out (tens of reads here): a band above each share.
    const [below, at] = [ascentShareAt(31), ascentShareAt(32)];
    expect(below).toBeGreaterThan(0.28);
    expect(below).toBeLessThan(0.45);
    expect(at).toBeGreaterThan(0.58);
    expect(at).toBeLessThan(0.75);
  });
});

describe('witnessSearch: progress', () => {
  it('reports after the ascent and as the local search goes, never decreasing, ending at the witness', () => {
    ticking();
    const seen: number[] = [];
    const methods: Record<string, MethodReport> = {};
    const w = witnessSearch(CANCELLING, globalQuery('inf'), new Budget(0.0003), methods, { onProgress: (v) => seen.push(v) });
    expect(methods['local-search']).toBeDefined(); // the premise: the local search ran
    expect(seen.length).toBeGreaterThan(1);
    seen.forEach((v, i) => i > 0 && expect(v).toBeGreaterThanOrEqual(seen[i - 1]));
    expect(seen.at(-1)).toBe(w.value);
  });
});

describe('witnessSearch: the pattern search on one hidden layer with N ≤ d (ℓ2, global)', () => {
  /** A budget (of clock reads) whose `fits` always answers yes and records the seconds it was asked about. */
  class Recording extends Budget {
    readonly asked: number[] = [];
    constructor() {
      super(0.0003);
    }
    override fits(seconds: number): boolean {
      this.asked.push(seconds);
      return true;
    }
  }
  const net = randomNet(s, 6, [4], 2); // 6 → 4 → 2: every pattern realisable
  it('starts only when realising its patterns fits twice over, then gates the ascent on four witness re-checks', () => {
    secondsPerFlop(); // the rate measured now, not inside the budget
    ticking();
    const budget = new Recording();
    const methods: Record<string, MethodReport> = {};
    witnessSearch(net, globalQuery('2'), budget, methods, {});
    // Independent of bounds.ts: one 4×4 Gram matrix over 6 inputs and its factor, then per pattern (four)
    // a solve, a point and a re-check (four passes over the 32 weights at AXPY_SLOWDOWN 4, and a Jacobian of 3 × 32).
    const N = 4;
    const d = 6;
    const check = 4 * 4 * 32 + 3 * 32;
    const realise = (N * N * d) / 2 + (N * N * N) / 3 + 4 * (N * N + N * d + check);
    const perFlop = secondsPerFlop() * 2; // SAFETY
    expect(budget.asked[0] / perFlop).toBeCloseTo(2 * realise, 6);
    // The ascent's gate: four re-checks and its first round (8 × 64 ranked points at a sixth of a Jacobian each).
    expect(budget.asked).toContainEqual(expect.closeTo((4 * check + (8 * 64 * 3 * 32) / 6) * perFlop, 12));
    // Its random starts too (here as many as a quarter of 300 clock reads allows), not the all-active one alone.
    const climbs = /^(\d+) climbs over activation patterns, the best realised by a point$/.exec(methods['pattern-ascent'].note!);
    expect(Number(climbs![1])).toBeGreaterThan(1);
  });
  it('returns at once when its witness is above stopAbove: no ascent, no local search', () => {
    ticking();
    const first: Record<string, MethodReport> = {};
    const w = witnessSearch(net, globalQuery('2'), new Budget(0.01), first, { stopAbove: 0 });
    expect(Object.keys(first)).toEqual(['pattern-ascent']);
    expect(w.value).toBe(first['pattern-ascent'].value);
    // At its own value it is not above: the search goes on.
    const next: Record<string, MethodReport> = {};
    ticking();
    witnessSearch(net, globalQuery('2'), new Budget(0.0003), next, { stopAbove: w.value });
    expect(Object.keys(next)).toContain('ascent');
  });
});
