import { describe, expect, it } from 'vitest';
import { MipModel } from '../../../../src/lipschitz/upper/mipModel.js';
import { powerOfTwoBelow } from '../../../../src/lipschitz/upper/mipJacobian.js';

describe('MipModel', () => {
  it('solves a 0/1 knapsack to its integer optimum, not the LP relaxation (9, not 10⅔)', async () => {
    // max 5a + 4b + 3c, 2a + 3b + c ≤ 5, a, b, c ∈ {0, 1}: the best subset is {a, b} (enumerated: 9).
    const mip = new MipModel();
    const cols = [5, 4, 3].map((cost) => mip.addColumn(0, 1, { cost, integer: true }));
    expect(cols).toEqual([0, 1, 2]);
    expect(mip.columns).toBe(3);
    mip.addRow([[cols[0], 2], [cols[1], 3], [cols[2], 1]], -Infinity, 5);
    const before = performance.now();
    const r = await mip.maximise({ timeLimit: 10 });
    const wall = (performance.now() - before) / 1000;
    expect(r.status).toBe('optimal');
    expect(r.bound).toBeGreaterThanOrEqual(9 - 1e-9);
    expect(r.bound).toBeLessThan(9 + 1e-5);
    expect(r.incumbent).toBeCloseTo(9, 9);
    expect(Array.from(r.solution!, Math.round)).toEqual([1, 1, 0]);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThanOrEqual(wall); // the solve's own time, within the call's
  });

  it('a program without integer columns reports its LP optimum; setCost changes the objective', async () => {
    // max x + 2y, x + y ≤ 1, x − y ≥ −0.5, box [0, 1]²: optimum at y = 0.75, x = 0.25 → 1.75.
    const mip = new MipModel();
    const x = mip.addColumn(0, 1, { cost: 1 });
    const y = mip.addColumn(0, 1);
    mip.setCost(y, 2);
    mip.addRow([[x, 1], [y, 1]], -Infinity, 1);
    mip.addRow([[x, 1], [y, -1]], -0.5, Infinity);
    const r = await mip.maximise({ timeLimit: 10 });
    expect(r.status).toBe('optimal');
    expect(r.bound).toBeCloseTo(1.75, 9);
    expect(r.incumbent).toBeCloseTo(1.75, 9);
    expect(r.solution![0]).toBeCloseTo(0.25, 9);
    expect(r.solution![1]).toBeCloseTo(0.75, 9);
  });

  it('sums terms on the same column and drops zero coefficients: x + x − 0·y ≤ 1 is 2x ≤ 1', async () => {
    const mip = new MipModel();
    const x = mip.addColumn(-5, 5, { cost: 1 });
    const y = mip.addColumn(-5, 5, { cost: 0 });
    mip.addRow([[x, 1], [y, 0], [x, 1]], -Infinity, 1);
    const r = await mip.maximise({ timeLimit: 10 });
    expect(r.bound).toBeCloseTo(0.5, 9);
    // Terms that cancel leave an empty row: x − x ≤ −1 is infeasible as written, and so it stays.
    const bad = new MipModel();
    const z = bad.addColumn(0, 1, { cost: 1, integer: true });
    bad.addRow([[z, 1], [z, -1]], -Infinity, -1);
    const s = await bad.maximise({ timeLimit: 10 });
    expect(s.status).toBe('infeasible');
    expect(s.bound).toBe(Infinity);
    expect(s.incumbent).toBe(-Infinity);
    expect(s.solution).toBeNull();
  });

  it('moves a coefficient ≤ 1e-10 into the row range, outward by |coef|·max|x| and no more (both sides)', async () => {
    // x + 1e-11·y ∈ [−1, 0.5], |y| ≤ 1e4: the relaxation is x ∈ [−1 − 1e-7, 0.5 + 1e-7].
    for (const sense of [1, -1]) {
      const mip = new MipModel();
      const x = mip.addColumn(-10, 10, { cost: sense });
      const y = mip.addColumn(-2e3, 1e4);
      mip.addRow([[x, 1], [y, 1e-11]], -1, 0.5);
      const r = await mip.maximise({ timeLimit: 10 });
      const target = sense === 1 ? 0.5 + 1e-7 : 1 + 1e-7;
      expect(r.bound).toBeGreaterThanOrEqual(target - 1e-12);
      expect(r.bound).toBeLessThan(target + 1e-12);
    }
    // A coefficient just above the threshold is kept: x + 2e-10·y ≤ 0 with y = −1e4 allows x = 2e-6 exactly.
    const kept = new MipModel();
    const x = kept.addColumn(-10, 10, { cost: 1 });
    const y = kept.addColumn(-1e4, -1e4);
    kept.addRow([[x, 1], [y, 2e-10]], -Infinity, 0);
    expect((await kept.maximise({ timeLimit: 10 })).bound).toBeCloseTo(2e-6, 12);
    // Exactly at the threshold it is moved (≤), and a zero upper bound stays at 0 plus the slack only.
    const at = new MipModel();
    const a = at.addColumn(-10, 10, { cost: 1 });
    const b = at.addColumn(-1, 1);
    at.addRow([[a, 1], [b, 1e-10]], -Infinity, 0);
    const rAt = await at.maximise({ timeLimit: 10 });
    expect(rAt.bound).toBeGreaterThanOrEqual(1e-10);
    expect(rAt.bound).toBeLessThan(1e-10 * (1 + 1e-9) + 1e-300 + 1e-15);
  });

  it('an unbounded LP gives no bound (Infinity), and a model HiGHS refuses gives no bound rather than a crash', async () => {
    const mip = new MipModel();
    mip.addColumn(0, Infinity, { cost: 1 });
    const r = await mip.maximise({ timeLimit: 10 });
    expect(r.bound).toBe(Infinity);
    const nan = new MipModel();
    nan.addColumn(NaN, 1, { cost: 1 });
    const s = await nan.maximise({ timeLimit: 10 });
    expect(s.bound).toBe(Infinity);
    expect(s.status).not.toBe('optimal');
  });
});

describe('powerOfTwoBelow', () => {
  it('is the largest power of two ≤ m, and 1 for 0, negatives and non-finite m', () => {
    for (const [m, p] of [[1, 1], [3, 2], [4, 4], [0.3, 0.25], [1e300, 2 ** 996], [2 ** -1074, 2 ** -1074], [0, 1], [-8, 1], [Infinity, 1], [NaN, 1]]) {
      expect(powerOfTwoBelow(m)).toBe(p);
    }
  });
});
