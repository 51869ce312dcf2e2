import { describe, expect, it } from 'vitest';
import { regionFacets, relevantRows, SLACK_NOISE, slackAt, slackLp } from '../../../../src/lipschitz/exact/facets.js';
import type { CubeConstraints } from '../../../../src/lipschitz/domain.js';
import { Budget } from '../../../../src/lipschitz/budget.js';

/** Constraints g·u + h > 0 on the square [−1, 1]² from (g, h) pairs (rows normalised here). */
function constraints(rows: [number, number, number][]): CubeConstraints {
  const g = new Float64Array(rows.length * 2);
  const h = new Float64Array(rows.length);
  rows.forEach(([a, b, c], i) => {
    const len = Math.hypot(a, b);
    g[i * 2] = a / len;
    g[i * 2 + 1] = b / len;
    h[i] = c / len;
  });
  return { g, h, layer: new Int32Array(rows.length), neuron: Int32Array.from(rows, (_, i) => i), count: rows.length };
}

const r2 = Math.SQRT2;
// The region −0.5 < x < 0.5, y < 0.2, x + y > −1.2 (a cut corner), in the square.
const region = constraints([
  [1, 0, 0.5], // 0: x > −0.5 (facet)
  [-1, 0, 0.5], // 1: x < 0.5 (facet)
  [1, 0, 0.9], // 2: x > −0.9 (redundant given 0)
  [0, 1, 3], // 3: y > −3 (misses the square)
  [1, 0, 0.5], // 4: row 0 again, bit for bit
  [0, -1, 0.2], // 5: y < 0.2 (facet)
  [1, 1, 1.2], // 6: x + y > −1.2 (facet: cuts the corner (−0.5, −1))
]);

describe('relevantRows', () => {
  it('drops rows that miss the cube and exact repeats, keeps redundant rows that meet it', () => {
    expect(relevantRows(region, 2)).toEqual([0, 1, 2, 5, 6]);
  });
  it('a row touching the cube only at its boundary still counts', () => {
    // y > −1 touches the square's bottom edge: h − ‖g‖₁ = 0.
    expect(relevantRows(constraints([[0, 1, 1]]), 2)).toEqual([0]);
  });
  it('keeps different rows whose hashes collide, and rows differing only in h or only in g', () => {
    const h2 = 0.5 + 1.618 - 2.618;
    const a = constraints([[1, 0, 0.5]]);
    const hashA = a.h[0] + a.g[0] * 1.618 + a.g[1] * 2.618;
    const hashB = h2 + 0 * 1.618 + 1 * 2.618;
    expect(hashB).toBe(hashA); // the premise: an honest collision
    expect(relevantRows(constraints([[1, 0, 0.5], [0, 1, h2], [1, 0, 0.5]]), 2)).toEqual([0, 1]);
    expect(relevantRows(constraints([[1, 0, 0.5], [1, 0, 0.25]]), 2)).toEqual([0, 1]);
    expect(relevantRows(constraints([[1, 0, 0], [0, 1, 0], [1, 1e-300, 0]]), 2)).toEqual([0, 1, 2]);
  });
});

describe('slackAt', () => {
  it('is g·u + h', () => {
    expect(slackAt(region, 2, 6, [0.5, 1])).toBeCloseTo((0.5 + 1 + 1.2) / r2, 15);
    expect(slackAt(region, 2, 1, [0.25, 7])).toBe(0.25);
  });
});

describe('regionFacets', () => {
  it('finds exactly the facets, each with a point on it inside the region and its margin', () => {
    const rows = relevantRows(region, 2);
    const facets = regionFacets(region, rows, 2, Float64Array.of(0, -0.2), new Budget(Infinity));
    if (facets === 'stopped') throw new Error('stopped');
    expect(facets.map((f) => f.row).sort()).toEqual([0, 1, 5, 6]);
    for (const f of facets) {
      const p = f.point!;
      expect(Math.abs(slackAt(region, 2, f.row, p))).toBeLessThan(1e-12);
      let margin = Math.min(1 - Math.abs(p[0]), 1 - Math.abs(p[1]));
      for (const i of rows) if (i !== f.row) margin = Math.min(margin, slackAt(region, 2, i, p));
      expect(margin).toBeGreaterThan(0);
      expect(f.margin).toBeCloseTo(margin, 14);
    }
  });
  it('a region bounded only by the cube has no facets; an empty row list none either', () => {
    const loose = constraints([[1, 0, 1.5], [0, 1, 1.5]]);
    // Both rows meet the cube's closure only outside it: h − ‖g‖₁ = 0.5 > 0, so they are dropped…
    expect(relevantRows(loose, 2)).toEqual([]);
    // …and a row that meets the cube but not the region around the start is redundant.
    const far = constraints([[1, 0, 0.95]]);
    expect(regionFacets(far, [0], 2, Float64Array.of(0.5, 0), new Budget(Infinity))).toHaveLength(1);
    const cut = constraints([[1, 0, 0.95], [1, 0, 0.5]]);
    const f = regionFacets(cut, [0, 1], 2, Float64Array.of(0.5, 0), new Budget(Infinity));
    expect(f !== 'stopped' && f.map((x) => x.row)).toEqual([1]);
  });
  it('stops when the budget has run out', () => {
    expect(regionFacets(region, [0, 1, 5, 6], 2, Float64Array.of(0, -0.2), new Budget(-1))).toBe('stopped');
  });
});

describe('slackLp', () => {
  const rows = [0, 1, 5, 6];
  const minSlack = (u: Float64Array, skip: number[] = []) => {
    let m = Math.min(1 - Math.abs(u[0]), 1 - Math.abs(u[1]));
    for (const i of rows) if (!skip.includes(i)) m = Math.min(m, slackAt(region, 2, i, u));
    return m;
  };
  it('finds the largest margin of a point in the region (0.5: its width in x is 1)', () => {
    const { u, tau, status } = slackLp(region, rows, 2, null);
    expect(status).toBe('optimal');
    expect(tau).toBeCloseTo(0.5, 12);
    expect(minSlack(u)).toBeGreaterThanOrEqual(tau - 1e-12);
  });
  it('on a facet: the point lies on the row, with the largest margin from the others', () => {
    // On y = 0.2: |x| < 0.5 gives 0.5.
    const { u, tau } = slackLp(region, rows, 2, 5);
    expect(tau).toBeCloseTo(0.5, 12);
    expect(Math.abs(slackAt(region, 2, 5, u))).toBeLessThan(1e-12);
    expect(minSlack(u, [5])).toBeGreaterThanOrEqual(tau - 1e-12);
  });
  it('exempt rows need only be ≥ 0; with a floor they earn the margin instead', () => {
    // Exempting x > −0.5 on y = 0.2: min(0.5 − x, 1 − |x|) is largest, 0.75, at x = −0.25.
    const ex = slackLp(region, rows, 2, 5, { exempt: new Set([0]) });
    expect(ex.tau).toBeCloseTo(0.75, 12);
    expect(ex.u[0]).toBeCloseTo(-0.25, 12);
    expect(slackAt(region, 2, 0, ex.u)).toBeGreaterThanOrEqual(-1e-12);
    // With floor 0.25 the others (and the cube) keep ≥ 0.25 while x + 0.5 is made largest: x = 0.25.
    const fl = slackLp(region, rows, 2, 5, { exempt: new Set([0]), floor: 0.25 });
    expect(fl.tau).toBeCloseTo(0.75, 12);
    expect(fl.u[0]).toBeCloseTo(0.25, 12);
    expect(minSlack(fl.u, [0, 5])).toBeGreaterThanOrEqual(0.25 - 1e-12);
    // A floor the cube cannot keep makes it infeasible.
    expect(slackLp(region, rows, 2, 5, { exempt: new Set([0]), floor: 0.9 }).tau).toBe(-Infinity);
  });
  it('with every row exempt the margin is the cube’s; a row missing the region gives a negative margin', () => {
    const all = slackLp(region, rows, 2, null, { exempt: new Set(rows) });
    expect(all.tau).toBeCloseTo(1, 12);
    // On x = −0.9 the row x > −0.5 has slack −0.4 at best.
    const miss = slackLp(region, [0, 1, 2], 2, 2);
    expect(miss.status).toBe('optimal');
    expect(miss.tau).toBeCloseTo(-0.4, 12);
  });
  it('noise threshold is far below any margin used here', () => {
    expect(SLACK_NOISE).toBe(1e-13);
  });
});
