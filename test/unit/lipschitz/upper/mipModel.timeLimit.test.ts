import { describe, expect, it } from 'vitest';
import { MipModel } from '../../../../src/lipschitz/upper/mipModel.js';
import { createStream } from '../../../../src/random/stream.js';

// A market split instance (Cornuéjols and Dawande, 1999): 30 binaries, four rows Σ a_ij x_j = b_i with
// a_ij uniform in 0–99 and b_i half the row sum, each row's miss paid through two continuous slacks:
// maximise −Σ (s⁺ + s⁻). Proving the optimum takes a branch and bound of ~2¹⁵ nodes and more, far
// beyond 0.3 s, while a feasible point (any x, slacks taking up the miss) is found at once.
function marketSplit() {
  const stream = createStream(3, 'test/unit/mipModel');
  const mip = new MipModel();
  const x = Array.from({ length: 30 }, () => mip.addColumn(0, 1, { integer: true }));
  const rows = Array.from({ length: 4 }, () => {
    const a = x.map(() => Math.floor(stream.uniform() * 100));
    const b = Math.floor(a.reduce((s, v) => s + v, 0) / 2);
    const plus = mip.addColumn(0, Infinity, { cost: -1 });
    const minus = mip.addColumn(0, Infinity, { cost: -1 });
    mip.addRow([...x.map((c, j) => [c, a[j]] as const), [plus, 1], [minus, -1]], b, b);
    return { a, b, plus, minus };
  });
  return { mip, x, rows };
}

describe('MipModel at its time limit', () => {
  it("reports HiGHS's proven bound, and the incumbent with a feasible solution attaining it", async () => {
    const { mip, x, rows } = marketSplit();
    const r = await mip.maximise({ timeLimit: 0.3 });
    expect(r.status).toBe('time-limit');
    // The proven bound: finite, at most 0 (no slack can be negative), at least the incumbent.
    expect(Number.isFinite(r.bound)).toBe(true);
    expect(r.bound).toBeLessThanOrEqual(1e-9);
    expect(Number.isFinite(r.incumbent)).toBe(true);
    expect(r.incumbent).toBeLessThanOrEqual(r.bound);
    // The incumbent's solution: 0/1 on x, each row met with its slacks, its objective the incumbent.
    const sol = r.solution!;
    expect(sol.length).toBe(mip.columns);
    for (const c of x) expect(Math.abs(sol[c] - Math.round(sol[c]))).toBeLessThan(1e-6);
    let objective = 0;
    for (const { a, b, plus, minus } of rows) {
      expect(a.reduce((s, v, j) => s + v * Math.round(sol[x[j]]), 0) + sol[plus] - sol[minus]).toBeCloseTo(b, 6);
      objective -= sol[plus] + sol[minus];
    }
    expect(objective).toBeCloseTo(r.incumbent, 6);
  });

  it('an unbounded program is neither optimal nor infeasible: status other, no bound, no incumbent', async () => {
    const mip = new MipModel();
    const x = mip.addColumn(0, Infinity, { cost: 1, integer: true });
    mip.addRow([[x, 1]], 1, Infinity);
    const r = await mip.maximise({ timeLimit: 10 });
    expect([r.status, r.bound, r.incumbent]).toEqual(['other', Infinity, -Infinity]);
  });

  it('a model HiGHS refuses (a NaN bound, a NaN coefficient) reports no bound, no incumbent and no solution', async () => {
    const nanBound = new MipModel();
    nanBound.addColumn(NaN, 1, { cost: 1 });
    const nanCoefficient = new MipModel();
    nanCoefficient.addRow([[nanCoefficient.addColumn(0, 1, { cost: 1 }), NaN]], -Infinity, 1);
    for (const mip of [nanBound, nanCoefficient]) {
      const r = await mip.maximise({ timeLimit: 10 });
      expect([r.status, r.bound, r.incumbent, r.solution]).toEqual(['other', Infinity, -Infinity, null]);
    }
  });
});
