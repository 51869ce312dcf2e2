import { describe, expect, it } from 'vitest';
import { regionFacets, relevantRows, SLACK_NOISE, slackAt, slackLp } from '../../../../src/lipschitz/exact/facets.js';
import type { CubeConstraints } from '../../../../src/lipschitz/domain.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { createStream } from '../../../../src/random/stream.js';

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
    // The bucket key is h + Σ g_k·(k + 1.618); (1, 0, 0.5) and (0, 1, h2) share it.
    const h2 = 0.5 + 1.618 - (1 + 1.618);
    const a = constraints([[1, 0, 0.5]]);
    const hashA = a.h[0] + a.g[0] * 1.618 + a.g[1] * (1 + 1.618);
    const hashB = h2 + 0 * 1.618 + 1 * (1 + 1.618);
    expect(hashB).toBe(hashA); // the premise: an honest collision
    expect(relevantRows(constraints([[1, 0, 0.5], [0, 1, h2], [1, 0, 0.5]]), 2)).toEqual([0, 1]);
    // A repeat of the second row of a shared bucket (after an unrelated row) is dropped too; the
    // first of the bucket is not mistaken for it.
    expect(relevantRows(constraints([[1, 1, 0], [0, 1, h2], [1, 0, 0.5], [0, 1, h2], [1, 0, 0.5]]), 2)).toEqual([0, 1, 2]);
    // Rows whose h differ in the last bit land in one bucket (the key rounds alike) but stay two rows.
    const next = 0.1 + 2 ** -56;
    expect(next).not.toBe(0.1);
    expect(next + 1.618).toBe(0.1 + 1.618);
    expect(relevantRows(constraints([[1, 0, 0.1], [1, 0, next]]), 2)).toEqual([0, 1]);
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
  it('a row touching the region only at a vertex is not a facet', () => {
    // x > 0, y > 0 and x + y > 0 (through their corner): the last meets the region's closure in one point.
    const corner = constraints([[1, 0, 0], [0, 1, 0], [1, 1, 0]]);
    const facets = regionFacets(corner, [0, 1, 2], 2, Float64Array.of(0.5, 0.5), new Budget(Infinity));
    expect(facets !== 'stopped' && facets.map((f) => f.row).sort()).toEqual([0, 1]);
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
  it('with a floor, the cube’s faces keep their distance ≥ floor too', () => {
    // On x = −0.5, the exempt y < 0.2 earns σ = 0.2 − y while the faces keep 1 − |y| ≥ 0.25: y = −0.75.
    const two = constraints([[1, 0, 0.5], [0, -1, 0.2]]);
    const fl = slackLp(two, [0, 1], 2, 0, { exempt: new Set([1]), floor: 0.25 });
    expect(fl.tau).toBeCloseTo(0.95, 12);
    expect(fl.u[1]).toBeCloseTo(-0.75, 12);
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

describe('regionFacets and slackLp on seeded random regions, against the geometry of each line', () => {
  /** Seven random lines through the square, each oriented so that `inside` satisfies it. */
  function randomRegion(seed: number): { cons: CubeConstraints; inside: Float64Array } {
    const s = createStream(seed, 'facets-test');
    const inside = Float64Array.of(s.uniform() - 0.5, s.uniform() - 0.5);
    const rows: [number, number, number][] = [];
    while (rows.length < 7) {
      const angle = 2 * Math.PI * s.uniform();
      const [a, b] = [Math.cos(angle), Math.sin(angle)];
      const c = -(a * (2 * s.uniform() - 1) + b * (2 * s.uniform() - 1));
      const side = a * inside[0] + b * inside[1] + c;
      if (Math.abs(side) > 0.05) rows.push(side > 0 ? [a, b, c] : [-a, -b, -c]);
    }
    return { cons: constraints(rows), inside };
  }
  /** The region's piece of row i's line inside the open square, as an interval of arc length [lo, hi]. */
  function piece(cons: CubeConstraints, rows: number[], i: number): [number, number] {
    const g = [cons.g[2 * i], cons.g[2 * i + 1]];
    const p0 = [-cons.h[i] * g[0], -cons.h[i] * g[1]];
    const dir = [-g[1], g[0]];
    let [lo, hi] = [-Infinity, Infinity];
    const keep = (a: number, b: number) => {
      // a + s·b > 0
      if (b > 0) lo = Math.max(lo, -a / b);
      else if (b < 0) hi = Math.min(hi, -a / b);
      else if (a <= 0) hi = -Infinity;
    };
    for (const r of rows) if (r !== i) keep(slackAt(cons, 2, r, p0), cons.g[2 * r] * dir[0] + cons.g[2 * r + 1] * dir[1]);
    for (let k = 0; k < 2; k++) {
      keep(1 - p0[k], -dir[k]);
      keep(1 + p0[k], dir[k]);
    }
    return [lo, hi];
  }
  const seeds = Array.from({ length: 12 }, (_, i) => i + 1);
  it('lists every row whose line bounds the region over a stretch, and a point with its margin on each listed one', () => {
    let facetsSeen = 0;
    let redundantSeen = 0;
    for (const seed of seeds) {
      const { cons, inside } = randomRegion(seed);
      const rows = relevantRows(cons, 2);
      const facets = regionFacets(cons, rows, 2, inside, new Budget(Infinity));
      if (facets === 'stopped') throw new Error('stopped');
      const listed = new Set(facets.map((f) => f.row));
      expect(listed.size).toBe(facets.length);
      for (const i of rows) {
        const [lo, hi] = piece(cons, rows, i);
        if (hi - lo > 1e-6) {
          expect(listed.has(i)).toBe(true);
          facetsSeen++;
        } else if (hi - lo < -1e-6 || hi === -Infinity) {
          expect(listed.has(i)).toBe(false);
          redundantSeen++;
        }
      }
      for (const f of facets) {
        const p = f.point!;
        expect(p).not.toBe(null);
        expect(Math.abs(slackAt(cons, 2, f.row, p))).toBeLessThan(1e-12);
        let margin = Math.min(1 - Math.abs(p[0]), 1 - Math.abs(p[1]));
        for (const i of rows) if (i !== f.row) margin = Math.min(margin, slackAt(cons, 2, i, p));
        expect(margin).toBeGreaterThan(0);
        expect(f.margin).toBeCloseTo(margin, 14);
      }
    }
    // The premise: the seeds give both kinds, plenty of each.
    expect(facetsSeen).toBeGreaterThan(20);
    expect(redundantSeen).toBeGreaterThan(10);
  });
  it('slackLp’s margin is the largest on a 51 × 51 grid (no grid point beats it; the best is within a grid step), on the region and on each facet', () => {
    for (const seed of seeds.slice(0, 4)) {
      const { cons, inside } = randomRegion(seed);
      const rows = relevantRows(cons, 2);
      const minSlack = (u: ArrayLike<number>, skip: number | null) => {
        let m = Math.min(1 - Math.abs(u[0]), 1 - Math.abs(u[1]));
        for (const i of rows) if (i !== skip) m = Math.min(m, slackAt(cons, 2, i, u));
        return m;
      };
      const { u, tau, status } = slackLp(cons, rows, 2, null);
      expect(status).toBe('optimal');
      expect(minSlack(u, null)).toBeGreaterThanOrEqual(tau - 1e-12);
      let best = -Infinity;
      for (let a = 0; a <= 50; a++) for (let b = 0; b <= 50; b++) best = Math.max(best, minSlack([a / 25 - 1, b / 25 - 1], null));
      expect(best).toBeLessThanOrEqual(tau + 1e-12);
      expect(best).toBeGreaterThan(tau - 0.03); // min of 1-Lipschitz functions: within half a grid diagonal
      expect(tau).toBeGreaterThanOrEqual(minSlack(inside, null) - 1e-12);
      // On each facet: the same along its line (arc-length grid of 501 points over its piece).
      const facets = regionFacets(cons, rows, 2, inside, new Budget(Infinity));
      if (facets === 'stopped') throw new Error('stopped');
      for (const f of facets) {
        const on = slackLp(cons, rows, 2, f.row);
        expect(Math.abs(slackAt(cons, 2, f.row, on.u))).toBeLessThan(1e-12);
        expect(minSlack(on.u, f.row)).toBeGreaterThanOrEqual(on.tau - 1e-12);
        const [lo, hi] = piece(cons, rows, f.row);
        const g = [cons.g[2 * f.row], cons.g[2 * f.row + 1]];
        const p0 = [-cons.h[f.row] * g[0], -cons.h[f.row] * g[1]];
        let bestOn = -Infinity;
        for (let k = 0; k <= 500; k++) {
          const s = lo + ((hi - lo) * k) / 500;
          bestOn = Math.max(bestOn, minSlack([p0[0] - s * g[1], p0[1] + s * g[0]], f.row));
        }
        expect(bestOn).toBeLessThanOrEqual(on.tau + 1e-12);
        expect(bestOn).toBeGreaterThan(on.tau - (hi - lo) / 500);
        expect(on.tau).toBeGreaterThanOrEqual(f.margin - 1e-12);
      }
    }
  });
});
