import { describe, expect, it } from 'vitest';
import { BISECTION_RESOLUTION, crossFacet, patternKey, stepAcross, THICK, type Landing } from '../../../../src/lipschitz/exact/crossing.js';
import { regionFacets, relevantRows, SLACK_NOISE, slackAt } from '../../../../src/lipschitz/exact/facets.js';
import { cubeConstraints, cubePattern, queryDomain, toInput, type Domain } from '../../../../src/lipschitz/domain.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { activationPattern, regionRadius, type Pattern } from '../../../../src/network/evaluate.js';
import type { Network } from '../../../../src/network/network.js';
import { CutBudget, patternString, shallow, tinyNet } from '../../../support/exactNets.js';

const square = boxFromPairs([[-1, 1], [-1, 1]], 2);
const free = () => new Budget(Infinity);

/** Every landing across every facet of the region of `pattern` (box domain). */
function crossAll(net: Network, domain: Domain, pattern: Pattern, inside: Float64Array): Map<number, Landing[]> {
  const cons = cubeConstraints(net, domain, pattern);
  const rows = relevantRows(cons, domain.n);
  const facets = regionFacets(cons, rows, domain.n, inside, free());
  if (facets === 'stopped') throw new Error('stopped');
  const out = new Map<number, Landing[]>();
  for (const f of facets) {
    const l = crossFacet(net, domain, cons, rows, f, free());
    if (!Array.isArray(l)) throw new Error(String(l));
    out.set(cons.neuron[f.row], l);
  }
  return out;
}

describe('patternKey', () => {
  it('gives equal keys exactly to equal patterns (every pattern of widths 2 and 3)', () => {
    const keys = new Map<string, string>();
    for (let m = 0; m < 32; m++) {
      const p = [Uint8Array.from([m & 1, (m >> 1) & 1]), Uint8Array.from([(m >> 2) & 1, (m >> 3) & 1, (m >> 4) & 1])];
      keys.set(patternKey(p), patternString(p));
    }
    expect(keys.size).toBe(32);
  });
  it('tells apart bits past the 16th and patterns of different lengths', () => {
    const bit = (n: number, i: number) => [Uint8Array.from({ length: n }, (_, k) => (k === i ? 1 : 0))];
    const keys = new Set([16, 17, 31, 32, 33].flatMap((n) => [patternKey(bit(n, -1)), ...Array.from({ length: n }, (_, i) => patternKey(bit(n, i)))]));
    expect(keys.size).toBe(5 + 16 + 17 + 31 + 32 + 33);
  });
});

describe('crossFacet', () => {
  // ρ(x), ρ(y), ρ(x + y − 1.5): three lines in the square.
  const net = shallow([[1, 0], [0, 1], [1, 1]], [0, 0, -1.5], [1, 2, 3]);
  const domain = queryDomain(net, square);
  it('a thick facet is crossed in one step into the neighbour that differs in that neuron only', () => {
    const start = Float64Array.of(0.3, 0.3);
    const pattern = activationPattern(net, start);
    expect(patternString(pattern)).toBe('110');
    const crossed = crossAll(net, domain, pattern, start);
    expect([...crossed.keys()].sort()).toEqual([0, 1, 2]);
    for (const [neuron, landings] of crossed) {
      expect(landings).toHaveLength(1);
      const expected = pattern.map((l) => l.slice());
      expected[0][neuron] ^= 1;
      expect(patternString(landings[0].pattern)).toBe(patternString(expected));
      const x = toInput(domain, landings[0].u);
      expect(patternString(activationPattern(net, x))).toBe(patternString(expected));
      expect(regionRadius(net, x)).toBeGreaterThan(1e-3);
    }
  });
  it('through a slab 1e-11 wide: visits the slab and lands beyond it', () => {
    // ρ(x − 0.1) − ρ(x − 0.1 − 1e-11) + ρ(y): from x < 0.1 the facet x = 0.1 has the second row 1e-11 away.
    const slab = shallow([[1, 0], [1, 0], [0, 1]], [-0.1, -0.1 - 1e-11, 0], [1, -1, 0.5]);
    const d = queryDomain(slab, square);
    const start = Float64Array.of(-0.5, 0.5);
    const crossed = crossAll(slab, d, activationPattern(slab, start), start);
    const across = crossed.get(0)!;
    expect(new Set(across.map((l) => patternString(l.pattern)))).toEqual(new Set(['101', '111']));
    for (const l of across) expect(patternString(cubePattern(slab, d, l.u))).toBe(patternString(l.pattern));
    // From the far side, crossing back through the bundle also finds both.
    const far = Float64Array.of(0.5, 0.5);
    const back = crossAll(slab, d, activationPattern(slab, far), far).get(1)!;
    expect(new Set(back.map((l) => patternString(l.pattern)))).toEqual(new Set(['101', '001']));
    expect(THICK).toBeGreaterThan(1e-11);
    expect(BISECTION_RESOLUTION).toBeLessThan(1e-11);
  });
  it('lands nowhere across a row that lies on the cube’s boundary', () => {
    const edge = shallow([[1, 0], [0, 1]], [-1, 0], [1, 1]);
    const d = queryDomain(edge, square);
    const pattern = activationPattern(edge, [0, 0.5]);
    const cons = cubeConstraints(edge, d, pattern);
    const rows = relevantRows(cons, 2);
    const row = rows.find((r) => cons.neuron[r] === 0)!;
    expect(crossFacet(edge, d, cons, rows, { row, point: null, margin: 0 }, free())).toEqual([]);
    // The same without a point: the LP finds one on the thick facet y = 0.
    const other = rows.find((r) => cons.neuron[r] === 1)!;
    const landings = crossFacet(edge, d, cons, rows, { row: other, point: null, margin: 0 }, free());
    expect(Array.isArray(landings) && landings.map((l) => patternString(l.pattern))).toEqual(['00']);
  });
});

describe('stepAcross', () => {
  const net = shallow([[1, 0], [0, 1]], [0, 0], [1, 1]);
  const domain = queryDomain(net, square);
  const pattern = activationPattern(net, [0.5, 0.5]);
  const cons = cubeConstraints(net, domain, pattern);
  const row = Array.from({ length: cons.count }, (_, i) => i).find((i) => cons.neuron[i] === 0)!;
  const g = cons.g.slice(row * 2, row * 2 + 2);
  it('steps just across the facet and keeps every other sign', () => {
    const uf = Float64Array.of(0, 0.5);
    expect(slackAt(cons, 2, row, uf)).toBe(0);
    const u = stepAcross(net, domain, uf, g, 0.5, cons, pattern)!;
    expect(u[0]).toBeLessThan(0);
    expect(u[0]).toBeGreaterThanOrEqual(-0.25);
    expect(u[1]).toBe(0.5);
    expect(patternString(activationPattern(net, toInput(domain, u)))).toBe('01');
  });
  it('halves the step until the other rows keep their signs, or gives up', () => {
    // From (0, 0.01) a step of 0.5 along −g stays clear of y = 0 (the step is along x only)…
    expect(stepAcross(net, domain, Float64Array.of(0, 0.01), g, 0.5, cons, pattern)).not.toBe(null);
    // …but a pattern whose other neuron disagrees with the region can never be kept.
    const wrong = [Uint8Array.of(1, 0)];
    expect(stepAcross(net, domain, Float64Array.of(0, 0.5), g, 0.5, cons, wrong)).toBe(null);
    // A diagonal direction from near y = 0 must shrink the step below 0.01 to keep y > 0.
    const diag = Float64Array.of(Math.SQRT1_2, Math.SQRT1_2);
    const u = stepAcross(net, domain, Float64Array.of(0, 0.01), diag, 1, cons, pattern)!;
    // The first of δ = 0.5, 0.25, … with 0.01 − δ/√2 > 0 is 2⁻⁷.
    let delta = 0.5;
    while (!(0.01 - delta * Math.SQRT1_2 > 0)) delta /= 2;
    expect(delta).toBe(2 ** -7);
    expect(u[1]).toBeCloseTo(0.01 - delta * Math.SQRT1_2, 15);
    expect(u[0]).toBeCloseTo(-delta * Math.SQRT1_2, 15);
  });
});

/** The facet of neuron `neuron` (first layer) of the region around `start`, with no point: the crossing's LP finds one. */
function bareFacet(net: Network, domain: Domain, start: number[], neuron: number) {
  const cons = cubeConstraints(net, domain, activationPattern(net, start));
  const rows = relevantRows(cons, domain.n);
  const row = rows.find((r) => cons.layer[r] === 0 && cons.neuron[r] === neuron)!;
  return { cons, rows, facet: { row, point: null, margin: 0 } };
}

/** Landings sorted by their first coordinate, as [pattern, u]. */
function landed(result: Landing[] | 'stopped' | 'failed'): [string, number[]][] {
  if (!Array.isArray(result)) throw new Error(result);
  return result.map((l): [string, number[]] => [patternString(l.pattern), Array.from(l.u)]).sort((a, b) => a[1][0] - b[1][0]);
}

describe('patternKey format', () => {
  it('packs 16 neurons per character, then the last partial word and its bit count', () => {
    for (const n of [1, 13, 15, 16, 17, 30, 40]) {
      const ones = [Uint8Array.from({ length: n }, () => 1), Uint8Array.of(0)];
      expect(patternKey(ones)).toHaveLength(Math.floor((n + 1) / 16) + 2);
    }
  });
});

describe('crossFacet: where it lands (analytic nets)', () => {
  it('a thick facet with a point: one step of half the margin along the outward normal', () => {
    // ρ(x), ρ(y) on the square; from x > 0 the facet x = 0 at (0, 0.3): other rows / faces are 0.3, 0.7, 1 away.
    const net = shallow([[1, 0], [0, 1]], [0, 0], [1, 1]);
    const domain = queryDomain(net, square);
    const { cons, rows, facet } = bareFacet(net, domain, [0.5, 0.5], 0);
    const result = crossFacet(net, domain, cons, rows, { row: facet.row, point: Float64Array.of(0, 0.3), margin: 0.3 }, free());
    expect(landed(result)).toEqual([['01', [-0.15, 0.3]]]);
  });
  it('lands only beyond the facet, never in the region it leaves (whose pattern a facet point rounded to its side has)', () => {
    // Kinks at 1/3 and −1/7 are not doubles: the facet point rounds to one side of them.
    for (const [w, b, start] of [[3, -1, 0], [-3, 1, 0.9], [7, 1, -0.9], [-7, -1, 0]] as const) {
      const net = shallow([[w]], [b], [1]);
      const domain = queryDomain(net, boxFromPairs([[-1, 1]], 1));
      const { cons, rows, facet } = bareFacet(net, domain, [start], 0);
      const here = patternString(activationPattern(net, [start]));
      expect(landed(crossFacet(net, domain, cons, rows, facet, free())).map(([p]) => p)).toEqual([here === '1' ? '0' : '1']);
    }
  });
  it('a facet point whose margin is exactly THICK is not thick: the facet LP’s segment lands well inside the neighbour', () => {
    const net = shallow([[1, 0], [0, 1]], [0, 0], [1, 1]);
    const domain = queryDomain(net, square);
    const { cons, rows, facet } = bareFacet(net, domain, [0.5, 0.5], 0);
    const step = landed(crossFacet(net, domain, cons, rows, { row: facet.row, point: Float64Array.of(0, 0.3), margin: 2 * THICK }, free()));
    expect(step).toEqual([['01', [-THICK, 0.3]]]);
    const l = landed(crossFacet(net, domain, cons, rows, { row: facet.row, point: Float64Array.of(0, 0.3), margin: THICK }, free()));
    expect(l.map(([p]) => p)).toEqual(['01']);
    expect(l[0][1][0]).toBeLessThan(-0.1);
  });
  it('when the half-margin step lands on a kink of the next layer, the segment search finds both regions beyond', () => {
    // Layer 2: ρ(−2ρ(x) + ρ(y + 2) − 1.75) = ρ(−2ρ(x) + y + 0.25). From x < 0 (y > −0.25) the
    // facet x = 0 at (0, 0) has margin 0.25; the step to (0.125, 0) meets −2x + y + 0.25 = 0.
    const net = tinyNet([[[1, 0], [0, 1]], [0, 2]], [[[-2, 1]], [-1.75]], [[[1]], [0]]);
    const domain = queryDomain(net, square);
    const { cons, rows, facet } = bareFacet(net, domain, [-0.5, 0.5], 0);
    const result = crossFacet(net, domain, cons, rows, { row: facet.row, point: Float64Array.of(0, 0), margin: 0.25 }, free());
    // The facet LP's point: x = 0, y maximising min(y + 0.25, 1 − |y|): y = 0.375, τ = 0.625; the
    // segment x ∈ (0, 0.9τ] at y = 0.375 meets the kink −2x + 0.625 = 0 at x = 0.3125. Each pattern
    // lands in the middle of its stretch: 0.15625 and (0.3125 + 0.5625)/2.
    const l = landed(result);
    expect(l.map(([p]) => p)).toEqual(['11|1', '11|0']);
    expect(l[0][1][0]).toBeCloseTo(0.15625, 13);
    expect(l[1][1][0]).toBeCloseTo(0.4375, 13);
    for (const [, u] of l) expect(u[1]).toBeCloseTo(0.375, 13);
  });
  it('a bundle: exempts the near row (not the far one), centres, and lands in the slab’s middle and beyond', () => {
    // ρ(x − 0.1) − ρ(x − 0.1 − 1e-11) + ρ(x − 0.6) on [−1, 1]. From x < 0.1, on the facet x = 0.1:
    // - the first facet LP has τ = 1e-11 (the slab) ≤ THICK, so the slab row is exempt, the far
    //   row x < 0.6 (slack 0.5) is not;
    // - again: τ = min(0.5, 0.9) = 0.5; centring among the slab keeps x = 0.1 (the only point);
    // - the segment x ∈ (0.1, 0.1 + 0.45·0.5]: the slab, then beyond up to 0.325.
    const net = shallow([[1], [1], [1]], [-0.1, -0.1 - 1e-11, -0.6], [1, -1, 1]);
    const domain = queryDomain(net, boxFromPairs([[-1, 1]], 1));
    const { cons, rows, facet } = bareFacet(net, domain, [-0.5], 0);
    const l = landed(crossFacet(net, domain, cons, rows, facet, free()));
    expect(l.map(([p]) => p)).toEqual(['100', '110']);
    const far = 0.1 + 1e-11;
    expect(Math.abs(l[0][1][0] - (0.1 + far) / 2)).toBeLessThan(1e-14);
    expect(l[1][1][0]).toBeCloseTo((far + 0.1 + 0.45 * 0.5) / 2, 12);
  });
  it('a facet 2⁻³³ from the cube’s face (no rows near): a segment of 0.9τ, landing in its middle', () => {
    const b = 1 - 2 ** -33;
    const net = shallow([[1]], [-b], [1]);
    const domain = queryDomain(net, boxFromPairs([[-1, 1]], 1));
    const { cons, rows, facet } = bareFacet(net, domain, [0], 0);
    const l = landed(crossFacet(net, domain, cons, rows, facet, free()));
    expect(l.map(([p]) => p)).toEqual(['1']);
    expect(l[0][1][0] - b).toBeCloseTo(0.45 * 2 ** -33, 14);
  });
  it('a region thinner than SLACK_NOISE against the cube’s face is not landed in; one just thicker is', () => {
    const across = (width: number) => {
      const net = shallow([[1]], [-(1 - width)], [1]);
      const domain = queryDomain(net, boxFromPairs([[-1, 1]], 1));
      const { cons, rows, facet } = bareFacet(net, domain, [0], 0);
      return landed(crossFacet(net, domain, cons, rows, facet, free())).map(([p]) => p);
    };
    expect(2 ** -45).toBeLessThan(SLACK_NOISE);
    expect(across(2 ** -45)).toEqual([]);
    expect(2 ** -40).toBeGreaterThan(SLACK_NOISE);
    expect(across(2 ** -40)).toEqual(['1']);
  });
  it('a row whose hyperplane misses the region (a listed non-facet) lands nowhere: the LP proves it infeasible', () => {
    // From x < 0.1, the row x < 0.5 is redundant: on x = 0.5 the row x < 0.1 is violated.
    const net = shallow([[1], [1]], [-0.1, -0.5], [1, 1]);
    const domain = queryDomain(net, boxFromPairs([[-1, 1]], 1));
    const { cons, rows, facet } = bareFacet(net, domain, [-0.5], 1);
    expect(crossFacet(net, domain, cons, rows, facet, free())).toEqual([]);
  });
  it('a slab thinner than the bisection resolution is still found: the exempt rows’ crossings seed the search', () => {
    // Rows (1, 1)·x < 0.2 and < 0.2 + 6e-16 (tilted, so both coordinates enter the crossing
    // rate): the slab between them is ~4e-16 wide in cube units, below BISECTION_RESOLUTION, so
    // halving alone cannot resolve it; the crossing points of the exempt row in R's linear map can.
    const net = shallow([[1, 1], [1, 1], [0, 1]], [-0.2, -0.2 - 6e-16, -0.9], [1, -1, 1]);
    const domain = queryDomain(net, square);
    const { cons, rows, facet } = bareFacet(net, domain, [-0.5, -0.5], 0);
    const l = landed(crossFacet(net, domain, cons, rows, facet, free()));
    expect(new Set(l.map(([p]) => p))).toEqual(new Set(['100', '110']));
    // The slab's landing really is strictly between the two lines (exact sign of each).
    const slab = l.find(([p]) => p === '100')![1];
    const x = toInput(domain, slab);
    expect(patternString(activationPattern(net, x))).toBe('100');
    expect(regionRadius(net, x)).toBeGreaterThan(0);
    expect(regionRadius(net, x)).toBeLessThan(BISECTION_RESOLUTION);
  });
  it('a bundle of 20 rows 1e-12 apart: every slab, in order, then beyond; stopped at any check of the clock, it says so', () => {
    const B = 20;
    const net = shallow(Array.from({ length: B }, () => [1]), Array.from({ length: B }, (_, k) => -0.1 - k * 1e-12), Array(B).fill(1));
    const domain = queryDomain(net, boxFromPairs([[-1, 1]], 1));
    const { cons, rows, facet } = bareFacet(net, domain, [-0.5], 0);
    const l = landed(crossFacet(net, domain, cons, rows, facet, free()));
    expect(l.map(([p]) => p)).toEqual(Array.from({ length: B }, (_, k) => '1'.repeat(k + 1) + '0'.repeat(B - k - 1)));
    // Slab k (k = 1 … 19 neurons active) is (0.1 + (k−1)e-12, 0.1 + k·e-12): landed near its middle.
    for (let k = 1; k < B; k++) expect(Math.abs(l[k - 1][1][0] - (0.1 + (k - 0.5) * 1e-12))).toBeLessThan(1e-14);
    expect(crossFacet(net, domain, cons, rows, facet, new Budget(-1))).toBe('stopped');
    // Stopped at any of its checks of the clock (LPs and bisection), it says so at that check.
    const counted = new CutBudget(Infinity);
    expect(landed(crossFacet(net, domain, cons, rows, facet, counted))).toEqual(l);
    expect(counted.checks).toBeGreaterThan(1);
    for (let cut = 0; cut < counted.checks; cut++) {
      const budget = new CutBudget(cut);
      expect(crossFacet(net, domain, cons, rows, facet, budget)).toBe('stopped');
      expect(budget.checks).toBe(cut + 1);
    }
  });
});

describe('stepAcross with several rows kept', () => {
  it('every kept row must keep its sign, not just one', () => {
    // ρ(x), ρ(y), ρ(y + 0.5) active at (0.5, 0.5). From (0, 0.01) along the diagonal, y + 0.5 stays
    // positive at once, but y > 0 needs δ/√2 < 0.01: the first δ = 2⁻ᵏ·½ is 2⁻⁷.
    const net = shallow([[1, 0], [0, 1], [0, 1]], [0, 0, 0.5], [1, 1, 1]);
    const domain = queryDomain(net, square);
    const pattern = activationPattern(net, [0.5, 0.5]);
    const cons = cubeConstraints(net, domain, pattern);
    const diag = Float64Array.of(Math.SQRT1_2, Math.SQRT1_2);
    const u = stepAcross(net, domain, Float64Array.of(0, 0.01), diag, 1, cons, pattern)!;
    expect(u[1]).toBeCloseTo(0.01 - 2 ** -7 * Math.SQRT1_2, 15);
  });
  it('gives up after 40 halvings (δ = τ/2 … τ/2⁴⁰)', () => {
    // y0 = 5e-7 is kept only by steps δ < √2·y0 ≈ 7.07e-7 along the diagonal: with τ = 2¹⁹ the 40th
    // step δ = 2⁻²⁰ qualifies, with τ = 2²⁰ only a 41st (δ = 2⁻²¹) would.
    const net = shallow([[1, 0], [0, 1]], [0, 0], [1, 1]);
    const domain = queryDomain(net, square);
    const pattern = activationPattern(net, [0.5, 0.5]);
    const cons = cubeConstraints(net, domain, pattern);
    const diag = Float64Array.of(Math.SQRT1_2, Math.SQRT1_2);
    const uf = Float64Array.of(0, 5e-7);
    expect(stepAcross(net, domain, uf, diag, 2 ** 19, cons, pattern)).not.toBe(null);
    expect(stepAcross(net, domain, uf, diag, 2 ** 20, cons, pattern)).toBe(null);
  });
});
