import { describe, expect, it } from 'vitest';
import { getHighs } from '../../src/linalg/highs.js';
import { solveLp, verify, type DenseLp } from '../../src/linalg/simplex.js';
import { EXACT_LP_MAX_ENTRIES } from '../../src/linalg/exactSimplex.js';
import { Budget } from '../../src/lipschitz/budget.js';
import { solveLinear } from '../../src/linalg/solve.js';
import { createStream } from '../../src/random/stream.js';

const highs = await getHighs();

/** The same LP solved by HiGHS (an independent, widely used solver). */
function highsMax(lp: DenseLp): { status: string; value: number } {
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < lp.m; i++) {
    for (let k = 0; k < lp.n; k++) {
      if (lp.A[i * lp.n + k] !== 0) {
        indices.push(k);
        values.push(lp.A[i * lp.n + k]);
      }
    }
    starts.push(indices.length);
  }
  const model = highs.createModel({
    numCols: lp.n,
    numRows: lp.m,
    sense: highs.constants.objectiveSense.maximize,
    colCost: Array.from(lp.c),
    colLower: Array(lp.n).fill(-highs.infinity),
    colUpper: Array(lp.n).fill(highs.infinity),
    rowLower: Array(lp.m).fill(-highs.infinity),
    rowUpper: Array.from(lp.b),
    matrix: { format: 'csr', numRows: lp.m, numCols: lp.n, starts: new Int32Array(starts), indices: new Int32Array(indices), values: new Float64Array(values) },
  });
  try {
    model.options.set({ output_flag: false, primal_feasibility_tolerance: 1e-10, dual_feasibility_tolerance: 1e-10 });
    model.run();
    const status = model.getModelStatus();
    const name = status === highs.constants.modelStatus.optimal ? 'optimal' : status === highs.constants.modelStatus.infeasible ? 'infeasible' : 'other';
    return { status: name, value: name === 'optimal' ? model.getObjectiveValue() : NaN };
  } finally {
    model.dispose();
  }
}

/** A random LP over the cube [-1, 1]^n with m random rows (unit normals) and some degeneracy. */
function randomLp(seed: number, n: number, m: number, options: { degenerate?: boolean; infeasible?: boolean } = {}): DenseLp {
  const s = createStream(seed, 'lp');
  const rows: number[][] = [];
  const rhs: number[] = [];
  for (let k = 0; k < n; k++) {
    const e = Array(n).fill(0);
    e[k] = 1;
    rows.push(e, e.map((v) => -v));
    rhs.push(1, 1);
  }
  const anchor = Array.from({ length: n }, () => 0.3 * s.gaussian());
  for (let i = 0; i < m; i++) {
    const a = Array.from({ length: n }, () => s.gaussian());
    const norm = Math.hypot(...a);
    const unit = a.map((v) => v / norm);
    // Degenerate LPs: every row passes through the same anchor point; some rows repeat.
    const offset = options.degenerate ? unit.reduce((acc, v, k) => acc + v * anchor[k], 0) : 0.2 + Math.abs(s.gaussian());
    rows.push(unit);
    rhs.push(offset);
    if (options.degenerate && i % 3 === 0) {
      rows.push(unit);
      rhs.push(offset);
    }
  }
  if (options.infeasible) {
    const e = Array(n).fill(0);
    e[0] = -1;
    rows.push(e);
    rhs.push(-2); // u₀ ≥ 2 contradicts u₀ ≤ 1
  }
  const c = Array.from({ length: n }, () => s.gaussian());
  return { n, m: rows.length, A: Float64Array.from(rows.flat()), b: Float64Array.from(rhs), c: Float64Array.from(c) };
}

describe('dense simplex', () => {
  it('agrees with HiGHS on random bounded LPs', () => {
    for (let seed = 0; seed < 120; seed++) {
      const n = 1 + (seed % 12);
      const lp = randomLp(seed, n, 5 + ((seed * 7) % 60), { degenerate: seed % 4 === 0 });
      const mine = solveLp(lp);
      const ref = highsMax(lp);
      expect(mine.status).toBe(ref.status);
      expect(Math.abs(mine.value - ref.value)).toBeLessThan(1e-8 * (1 + Math.abs(ref.value)));
      // The point is feasible and attains the value.
      for (let i = 0; i < lp.m; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += lp.A[i * n + k] * mine.point[k];
        expect(s).toBeLessThanOrEqual(lp.b[i] + 1e-9);
      }
    }
  });
  it('reports infeasibility as HiGHS does', () => {
    for (let seed = 0; seed < 10; seed++) {
      const lp = randomLp(seed, 3, 10, { infeasible: true });
      expect(solveLp(lp).status).toBe('infeasible');
      expect(highsMax(lp).status).toBe('infeasible');
    }
  });
  it('does not take the float solver\'s word for infeasibility where exact arithmetic is too costly: unverified', () => {
    const lp = randomLp(1, 10, 2100, { infeasible: true }); // 2,121 rows × 10 > EXACT_LP_MAX_ENTRIES
    expect(lp.m * lp.n).toBeGreaterThan(EXACT_LP_MAX_ENTRIES);
    expect(solveLp(lp).status).toBe('unverified');
    expect(solveLp(randomLp(1, 3, 10, { infeasible: true })).status).toBe('infeasible'); // small: proven exactly
  });
  it('reports an unbounded LP instead of a wrong number', () => {
    // max u subject to −u ≤ 0 only.
    const r = solveLp({ n: 1, m: 1, A: Float64Array.of(-1), b: Float64Array.of(0), c: Float64Array.of(1) });
    expect(r.status).toBe('unbounded');
    expect(Number.isNaN(r.value)).toBe(true);
  });
  it('solves a hand-checked LP', () => {
    // max x + y s.t. x ≤ 1, y ≤ 2, x + y ≤ 2.5, x, y ≥ 0 → 2.5
    const r = solveLp({ n: 2, m: 5, A: Float64Array.of(1, 0, 0, 1, 1, 1, -1, 0, 0, -1), b: Float64Array.of(1, 2, 2.5, 0, 0), c: Float64Array.of(1, 1) });
    expect(r.status).toBe('optimal');
    expect(r.value).toBeCloseTo(2.5, 12);
  });
  it('never calls a basis optimal at the pivot cap: it is checked, and reported as iteration-limit when it fails', () => {
    let capped = 0;
    for (let seed = 0; seed < 40; seed++) {
      const lp = randomLp(seed, 6, 40);
      const full = solveLp(lp);
      expect(full.status).toBe('optimal');
      for (const maxIterations of [1, 2, 4]) {
        const r = solveLp(lp, { maxIterations });
        if (r.status === 'optimal') {
          // Only a basis that passes the a-posteriori check may be called optimal.
          expect(Math.abs(r.value - full.value)).toBeLessThan(1e-8 * (1 + Math.abs(full.value)));
        } else {
          expect(r.status).toBe('iteration-limit');
          expect(Number.isNaN(r.value)).toBe(true);
          capped++;
        }
      }
    }
    expect(capped).toBeGreaterThan(20);
  });
  it('stops when its budget runs out', () => {
    const lp = randomLp(3, 12, 300);
    expect(solveLp(lp, { budget: new Budget(0) }).status).toBe('stopped');
    expect(solveLp(lp, { budget: new Budget(60) }).status).toBe('optimal');
  });
  it('the a-posteriori check rejects an infeasible point, a wrong dual and a gap, and bounds the optimum', () => {
    // max x + y s.t. x ≤ 1, y ≤ 2, x + y ≤ 2.5, x, y ≥ 0: optimum 2.5 with dual y = (0, 0, 1, 0, 0).
    const lp: DenseLp = { n: 2, m: 5, A: Float64Array.of(1, 0, 0, 1, 1, 1, -1, 0, 0, -1), b: Float64Array.of(1, 2, 2.5, 0, 0), c: Float64Array.of(1, 1) };
    const dual = Float64Array.of(0, 0, 1, 0, 0);
    const good = verify(lp, Float64Array.of(0.5, 2), dual, 2);
    expect(good.verified).toBe(true);
    expect(good.gap).toBeLessThan(1e-12);
    expect(verify(lp, Float64Array.of(1, 2), dual, 2).verified).toBe(false); // violates x + y ≤ 2.5
    expect(verify(lp, Float64Array.of(0.5, 2), Float64Array.of(1, 0, 0, 0, 0), 2).verified).toBe(false); // Aᵀy ≠ c
    const suboptimal = verify(lp, Float64Array.of(0.5, 1), dual, 2);
    expect(suboptimal.verified).toBe(false);
    expect(suboptimal.gap).toBeGreaterThanOrEqual(1); // 2.5 − 1.5
    const r = solveLp(lp, { variableBound: 2 });
    expect(r.status).toBe('optimal');
    expect(r.gap).toBeLessThan(1e-12);
  });
  it('solveLinear solves and reports singular systems', () => {
    const r = solveLinear([2, 1, 1, 3], [3, 5], 2);
    expect(Array.from(r.x).map((v) => +v.toFixed(12))).toEqual([0.8, 1.4]);
    expect(r.minPivot).toBeGreaterThan(1);
    expect(solveLinear([1, 2, 2, 4], [1, 1], 2).minPivot).toBe(0);
    expect(solveLinear([1, 0, 0, 1e-9], [1, 1], 2).minPivot).toBe(1e-9);
  });
});
