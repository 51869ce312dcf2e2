import { describe, expect, it } from 'vitest';
import { Polytope } from '../../../../src/lipschitz/upper/polytope.js';
import { createStream } from '../../../../src/random/stream.js';

type Facet = { a: number[]; b: number };

/** Solves the d×d system A x = b by Gaussian elimination with partial pivoting (null if singular). */
function solve(A: number[][], b: number[]): number[] | null {
  const d = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    if (Math.abs(M[p][c]) < 1e-12) return null;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= d; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((row, i) => row[d] / row[i]);
}

/** Every vertex of {g : a_f·g ≤ b_f}: each d-subset of facets, solved, kept if feasible (brute force). */
function verticesByEnumeration(facets: Facet[], d: number): number[][] {
  const out: number[][] = [];
  const choose = (start: number, picked: number[]) => {
    if (picked.length === d) {
      const x = solve(picked.map((f) => facets[f].a), picked.map((f) => facets[f].b));
      if (!x) return;
      if (!facets.every((f) => f.a.reduce((s, a, j) => s + a * x[j], 0) <= f.b + 1e-9)) return;
      if (!out.some((y) => y.every((v, j) => Math.abs(v - x[j]) < 1e-9))) out.push(x);
      return;
    }
    for (let f = start; f < facets.length; f++) choose(f + 1, [...picked, f]);
  };
  choose(0, []);
  return out;
}

function boxFacets(lo: number[], hi: number[]): Facet[] {
  return lo.flatMap((l, j) => [
    { a: lo.map((_, k) => (k === j ? 1 : 0)), b: hi[j] },
    { a: lo.map((_, k) => (k === j ? -1 : 0)), b: -l },
  ]);
}

/** The two vertex sets agree (as sets, up to 1e-9). */
function expectSameVertices(q: Polytope, truth: number[][]) {
  const got = q.vertices.map((v) => Array.from(v.x));
  expect(got.length).toBe(truth.length);
  for (const x of truth) expect(got.some((y) => y.every((v, j) => Math.abs(v - x[j]) < 1e-9))).toBe(true);
}

describe('Polytope: the box, and cuts by the double-description method', () => {
  it('starts as the box: 2^d corners, each on d of its facets, and the farthest corner', () => {
    const lo = [-1, 0.5, -3];
    const hi = [2, 1, -2];
    const q = new Polytope(Float64Array.from(lo), Float64Array.from(hi));
    expect(q.dim).toBe(3);
    expectSameVertices(q, verticesByEnumeration(boxFacets(lo, hi), 3));
    for (const v of q.vertices) {
      expect(v.facets.length).toBe(3);
      // facet 2j is g_j ≤ hi_j, 2j + 1 is −g_j ≤ −lo_j: each corner lies on the ones it names.
      v.facets.forEach((f, j) => expect(v.x[j]).toBe(f % 2 === 0 ? hi[j] : lo[j]));
    }
    const far = q.farthest();
    expect(far.norm).toBeCloseTo(Math.hypot(2, 1, 3), 14);
    expect(Array.from(far.x)).toEqual([2, 1, -3]);
  });

  it('after a run of random cuts has exactly the vertices of the cut polytope (2-D and 3-D, by enumeration)', () => {
    const s = createStream(8, 'test/unit/polytope');
    for (let t = 0; t < 16; t++) {
      const d = 2 + (t % 2);
      const lo = Array.from({ length: d }, () => -1 - s.uniform());
      const hi = Array.from({ length: d }, () => 1 + s.uniform());
      const facets = boxFacets(lo, hi);
      const q = new Polytope(Float64Array.from(lo), Float64Array.from(hi));
      for (let c = 0; c < 4; c++) {
        const a = Array.from({ length: d }, () => s.gaussian());
        const b = 0.3 + s.uniform();
        const before = q.vertices.length;
        const changed = q.cut(Float64Array.from(a), b);
        // It cuts iff some vertex was strictly outside.
        const outside = verticesByEnumeration(facets, d).some((x) => a.reduce((acc, ai, j) => acc + ai * x[j], 0) > b + 1e-9);
        expect(changed).toBe(outside);
        if (!changed) expect(q.vertices.length).toBe(before);
        facets.push({ a, b });
        const truth = verticesByEnumeration(facets, d);
        expectSameVertices(q, truth);
        expect(q.farthest().norm).toBeCloseTo(Math.max(...truth.map((x) => Math.hypot(...x))), 9);
      }
    }
  });

  it('a cut through a vertex keeps it (on the new facet) and a cut that removes nothing returns false', () => {
    const q = new Polytope(Float64Array.of(-1, -1), Float64Array.of(1, 1));
    // g₀ + g₁ ≤ 0 passes through (1, −1) and (−1, 1) and removes (1, 1).
    expect(q.cut(Float64Array.of(1, 1), 0)).toBe(true);
    expectSameVertices(q, [[-1, -1], [1, -1], [-1, 1]]);
    const onFacet = q.vertices.filter((v) => v.facets.includes(4));
    expect(onFacet.length).toBe(2);
    expect(q.cut(Float64Array.of(1, 0), 1)).toBe(false); // g₀ ≤ 1 holds already
    expect(q.cut(Float64Array.of(1, 1), 0)).toBe(false);
    // Cutting (−1, −1) off across two edges adds the two crossings.
    expect(q.cut(Float64Array.of(-1, -1), 1)).toBe(true);
    expectSameVertices(q, [[1, -1], [-1, 1], [0, -1], [-1, 0]]);
    expect(q.farthest().norm).toBeCloseTo(Math.SQRT2, 14);
  });

  it('a box shrunk to the origin (allowance 0) is kept whole by a cut through it, and its farthest point is 0', () => {
    // Every gradient 0 (all units dead): the start box is the point 0, and a cut g₀ ≤ 0 passes through it.
    const q = new Polytope(Float64Array.of(0, 0), Float64Array.of(0, 0));
    expect(q.cut(Float64Array.of(1, 0), 0)).toBe(false);
    expect(q.vertices.length).toBe(4);
    expect(q.farthest()).toEqual({ x: Float64Array.of(0, 0), norm: 0 });
  });

  it('does not join two vertices that share facets but are not adjacent (a square cut along a diagonal band)', () => {
    // In 3-D two corners of the same face share one facet (fewer than d − 1 = 2): no crossing
    // between them. Cut off one corner of the cube: exactly the three edge crossings appear.
    const q = new Polytope(Float64Array.of(0, 0, 0), Float64Array.of(1, 1, 1));
    expect(q.cut(Float64Array.of(1, 1, 1), 2.5)).toBe(true);
    expectSameVertices(q, [
      [0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, 0, 1], [0, 1, 1],
      [1, 1, 0.5], [1, 0.5, 1], [0.5, 1, 1],
    ]);
    // Now a cut through the whole middle: every crossing must come from a true edge.
    expect(q.cut(Float64Array.of(1, 0, 0), 0.5)).toBe(true);
    // (0.5, 1, 1) lies on both new facets: the polytope is the box [0, ½]×[0, 1]², that corner degenerate.
    expectSameVertices(q, [[0, 0, 0], [0.5, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 1, 0], [0.5, 0, 1], [0, 1, 1], [0.5, 1, 1]]);
  });

  it('keeps a vertex outside the cut by less than its rounding allowance, on the new facet', () => {
    const q = new Polytope(Float64Array.of(0, 0), Float64Array.of(1, 1));
    // (1, 1) is outside g₀ + g₁ ≤ 2 − 1e-15 by 1e-15, below eps = 1e-12·(√2·1·2 + 2): nothing removed.
    expect(q.cut(Float64Array.of(1, 1), 2 - 1e-15)).toBe(false);
    expect(q.vertices.length).toBe(4);
    // Outside by 1e-10, beyond eps: the corner goes, the two crossings (1, 1 − 1e-10) come in.
    expect(q.cut(Float64Array.of(1, 1), 2 - 1e-10)).toBe(true);
    expect(q.vertices.length).toBe(5);
    expect(q.farthest().norm).toBeLessThan(Math.SQRT2);
    expect(q.farthest().norm).toBeGreaterThan(Math.SQRT2 - 1e-9);
    // One corner outside by 1e-14 (within eps), another by 0.01: the first stays, now also on the
    // new facet (it would otherwise be replaced by a crossing 1e-14 away on a facet it lacks).
    const r = new Polytope(Float64Array.of(0, 0), Float64Array.of(1, 1));
    expect(r.cut(Float64Array.of(1, 0.01), 1 - 1e-14)).toBe(true);
    expect(r.vertices.length).toBe(4);
    const corner = r.vertices.find((v) => v.x[0] === 1 && v.x[1] === 0)!;
    expect(corner.facets).toEqual([0, 3, 4]);
  });
  it('finds the farthest vertex inside the unit ball too, and scales its tolerance with the vertices (far-out boxes)', () => {
    const small = new Polytope(Float64Array.of(-0.5, -0.25), Float64Array.of(0.5, 0.1));
    expect(small.farthest().norm).toBe(Math.hypot(0.5, 0.25));
    // Vertices of size 1e6: a corner outside g₀ + 1e-6·g₁ ≤ 0 by 1e-6 is within eps = 1e-12·(|a|·1e6·d + |b|)
    // = 2e-6 and stays (on the new facet); the far corner (outside by 1) goes. With eps measured without
    // the vertices' size the near corner would be replaced by a crossing 1e-6 away.
    const big = new Polytope(Float64Array.of(-1e6, 0), Float64Array.of(1e-6, 1e6));
    expect(big.cut(Float64Array.of(1, 1e-6), 0)).toBe(true);
    const corner = big.vertices.find((v) => v.x[0] === 1e-6 && v.x[1] === 0);
    expect(corner).toBeDefined();
    expect(corner!.facets).toEqual([0, 3, 4]);
    expect(big.vertices.length).toBe(4);
    // Outside by 4e-6 (above eps, below 2·eps): removed.
    const bigger = new Polytope(Float64Array.of(-1e6, 0), Float64Array.of(4e-6, 1e6));
    expect(bigger.cut(Float64Array.of(1, 1e-6), 0)).toBe(true);
    expect(bigger.vertices.some((v) => v.x[0] === 4e-6 && v.x[1] === 0)).toBe(false);
  });
});
