import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../../../src/lipschitz/query.js';
import { branchedSdpBound } from '../../../../../src/lipschitz/upper/sdp/branch.js';
import { patternBranchBound } from '../../../../../src/lipschitz/upper/sdp/patternBranch.js';
import { papersNet } from '../../../../support/euclidean.js';
import { clockPerTest } from '../../../../support/lipschitzUnits.js';
import { netOf } from '../../../../support/sdpUnits.js';

// The documented default time limits of the two branch-and-bound searches, on a ticking clock slow
// enough that the SDP solves are cut by their limits: the run with the default and the run with the
// limit it is documented to be give the same bounds, at the same time up to the one read of the
// clock the default takes, while other limits change them. Deterministic: the clock moves only when read.
const ticking = clockPerTest();
// 2 → 8 → 1 on [−2, 2]²: its SDP needs about fifty reads of the clock to converge.
const wide = papersNet(2, [8], 10);
const square = boxFromPairs([[-2, 2], [-2, 2]], 2);

describe('patternBranchBound: the root solve gets a tenth of the budget, at least 2 s and at most 30 s', () => {
  /** Seconds at the first check (after the root's solve and node) and the root's bound. */
  const run = (seconds: number, rootTimeLimit?: number) => {
    const clock = ticking(1000); // one second per read
    const budget = new Budget(seconds);
    let first = NaN;
    const r = patternBranchBound(wide, square, {
      budget,
      lowerShare: 0,
      rootTimeLimit,
      onProgress: () => {
        if (Number.isNaN(first)) first = budget.elapsed();
        clock.advance(1e6);
      },
    })!;
    return { first, rootUpper: r.rootUpper };
  };

  it('the clamps: 2 s of a 10 s budget, 30 s of a 1000 s one', () => {
    const same = (a: ReturnType<typeof run>, b: ReturnType<typeof run>) => {
      expect(a.rootUpper).toBe(b.rootUpper);
      expect(Math.abs(a.first - b.first)).toBeLessThanOrEqual(1);
    };
    const [two, thirty] = [run(1000, 2), run(1000, 30)];
    // Premise: the limit shows, in the time and in the bound.
    expect(two.first + 10).toBeLessThan(thirty.first);
    expect(two.rootUpper).not.toBe(thirty.rootUpper);
    same(run(10), run(10, 2));
    same(run(1000), thirty);
  });
});

describe('branchedSdpBound: a cell’s solve gets a twentieth of the budget, at least 0.5 s (the root’s four times that)', () => {
  // 2 → 8 → 1 again; the runs stop after six cells.
  const run = (seconds: number, cellTimeLimit?: number) => {
    const clock = ticking(50); // 50 ms per read: 0.5 s is ten reads
    const budget = new Budget(seconds);
    let first = NaN;
    const r = branchedSdpBound(wide, square, {
      budget,
      cellTimeLimit,
      onProgress: (_u, _l, cells) => {
        if (Number.isNaN(first)) first = budget.elapsed();
        if (cells >= 6) clock.advance(1e6);
      },
    })!;
    return { bounds: [r.upper, r.rootUpper, r.cells], seconds: r.seconds, first };
  };

  it('the floor: 0.5 s of a 5 s budget', () => {
    const [half, five, byDefault] = [run(5, 0.5), run(5, 5), run(5)];
    expect(half.bounds).not.toEqual(five.bounds); // premise: the limit shows
    // The root's solve, before the first check, was cut at four times the cell limit.
    expect(half.first).toBeGreaterThan(2);
    expect(half.first).toBeLessThan(2.5);
    expect(byDefault.bounds).toEqual(half.bounds);
    expect(Math.abs(byDefault.seconds - half.seconds)).toBeLessThanOrEqual(0.05);
  });
});

describe('branchedSdpBound on a cell too thin to halve', () => {
  // 8·relu(x) − 6·relu(x − 10) − relu(x − 12) on one ulp at 11: slope 2, LipSDP has nothing to
  // certify (the root bound is ∞), and no coordinate has a midpoint strictly inside.
  const f = netOf(1, [[[1], [1], [1]], [0, -10, -12]], [[[8, -6, -1]], [0]]);
  it('bounds its halves (one of them the cell itself) without precomputed bounds, and closes on the slope', () => {
    const clock = ticking();
    const r = branchedSdpBound(f, boxFromPairs([[11, 11 + 2 ** -49]], 1), { budget: new Budget(100), onProgress: (_u, _l, cells) => cells >= 40 && clock.advance(1e6) })!;
    expect(r.rootUpper).toBe(Infinity);
    expect(r.stoppedBy).toBe('gap');
    expect(r.upper).toBeGreaterThanOrEqual(2);
    expect(r.upper).toBeLessThanOrEqual(2 + 1e-8);
  });
});
