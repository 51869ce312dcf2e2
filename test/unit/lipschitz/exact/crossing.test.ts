import { describe, expect, it } from 'vitest';
import { BISECTION_RESOLUTION, crossFacet, patternKey, stepAcross, THICK, type Landing } from '../../../../src/lipschitz/exact/crossing.js';
import { regionFacets, relevantRows, slackAt } from '../../../../src/lipschitz/exact/facets.js';
import { cubeConstraints, cubePattern, queryDomain, toInput, type Domain } from '../../../../src/lipschitz/domain.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { activationPattern, regionRadius, type Pattern } from '../../../../src/network/evaluate.js';
import type { Network } from '../../../../src/network/network.js';
import { patternString, shallow } from '../../../support/exactNets.js';

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
