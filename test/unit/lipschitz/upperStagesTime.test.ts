import { describe, expect, it } from 'vitest';
import { Budget } from '../../../src/lipschitz/budget.js';
import { secondsPerFlop } from '../../../src/lipschitz/costs.js';
import { quickUpperBounds, type MethodReport } from '../../../src/lipschitz/upperStages.js';
import { createStream } from '../../../src/random/stream.js';
import { box, clockPerTest, randomNet } from '../../support/lipschitzUnits.js';

// The linear relaxation on a box under a budget of a few tens of reads of a clock that ticks TICK
// (about 1 µs) per read, the rate measured before the budget starts (its floor, 1e-11 s per
// multiply-add): in 10 µs the interval bound fits and the linear relaxation's estimate no longer
// does; in 20 µs it starts and its share runs out half-way (fixed-seed facts of this net).
const ticking = clockPerTest();
const n = randomNet(createStream(91, 'test/unit/upperStages-linear'), 3, [16, 16, 16]);
const query = { norm: '1' as const, box: box([-1, -1, -1], [1, 1, 1]) };

function quick(seconds: number): { methods: Record<string, MethodReport>; budget: Budget } {
  ticking();
  secondsPerFlop();
  const budget = new Budget(seconds);
  const methods: Record<string, MethodReport> = {};
  quickUpperBounds(n, query, budget, methods);
  return { methods, budget };
}

describe('quickUpperBounds: the linear relaxation in a short budget', () => {
  it('skipped, and named, when its estimate no longer fits after the interval bound', () => {
    const { methods, budget } = quick(1e-5);
    expect(methods['interval-jacobian']).toBeDefined();
    expect(methods['linear-relaxation']).toBeUndefined();
    expect(budget.skipped).toEqual(['the linear-relaxation bound']);
  });
  it('cut short by its share: interval bounds kept where it stopped, said in the skips and the note, looser than in full', () => {
    const { methods, budget } = quick(2e-5);
    expect(budget.skipped).toEqual(['part of the linear relaxation (interval bounds kept there)']);
    expect(methods['linear-relaxation'].note).toMatch(/; cut short by its share of the time$/);
    const full = quick(1);
    expect(full.budget.skipped).toEqual([]);
    expect(full.methods['linear-relaxation'].note).not.toMatch(/cut short/);
    expect(methods['linear-relaxation'].value).toBeGreaterThanOrEqual(full.methods['linear-relaxation'].value);
  });
});
