import { describe, expect, it } from 'vitest';
import { enumerateRegions, regionCentre, regionSearchExact, REGION_TOLERANCE } from '../../../../src/lipschitz/exact/regionSearch.js';
import type { ExactOutcome, ExactValue } from '../../../../src/lipschitz/exact/types.js';
import { liftedDomain, queryDomain, toInput, type Domain } from '../../../../src/lipschitz/domain.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { activationPattern, jacobian, regionRadius } from '../../../../src/network/evaluate.js';
import { NORMS, operatorNorm, type Norm } from '../../../../src/linalg/norms.js';
import type { Network } from '../../../../src/network/network.js';
import { CutBudget, patternString, sampledPatterns, shallow, tinyNet } from '../../../support/exactNets.js';
import { exactBruteForce } from '../../../support/exactBruteForce.js';
import { createStream } from '../../../../src/random/stream.js';

const square = boxFromPairs([[-1, 1], [-1, 1]], 2);
const free = () => new Budget(Infinity);
function exact(o: ExactOutcome): ExactValue {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o;
}
function regionsOf(net: Network, domain: Domain): Set<string> {
  const found = new Set<string>();
  const r = enumerateRegions(net, domain, (p, u) => {
    // Every reported point lies strictly inside the region of its pattern.
    const x = toInput(domain, u);
    expect(patternString(activationPattern(net, x))).toBe(patternString(p));
    found.add(patternString(p));
  }, free());
  expect(r).toEqual({ status: 'done', regions: found.size });
  return found;
}

// Three lines in general position (7 cells in ℝ², 6 of them meet the square), and a net of two
// hidden layers whose second-layer kinks bend.
const lines = shallow([[1, 0.2], [-0.3, 1], [1, 1]], [0.1, -0.2, -0.9], [1, -2, 1.5]);
const bent = tinyNet([[[1, 0], [0, 1], [1, -1]], [0, 0.3, -0.2]], [[[1, 1, 0], [1, -2, 1]], [-0.5, 0.1]], [[[1, -1.5]], [0]]);

/** The patterns a 51 × 51 grid of the square meets (computed once per net), and their largest norm. */
const onSquare = new Map<Network, ReturnType<typeof sampledPatterns>>();
const sampledSquare = (net: Network) => onSquare.get(net) ?? onSquare.set(net, sampledPatterns(net, -1, 1, 50)).get(net)!;
const sampledLip = (net: Network, p: Norm) => Math.max(...Array.from(sampledSquare(net).values(), ({ x }) => operatorNorm(jacobian(net, x), p)));
// Globally: the exact brute force of test/support (every pattern, exact LPs; shares nothing with src).
const brute = new Map<string, ReturnType<typeof exactBruteForce>>();
const bruteOf = (net: Network, box: typeof square | null) => {
  const key = `${net === lines ? 'lines' : 'bent'}/${box ? 'square' : 'global'}`;
  return brute.get(key) ?? brute.set(key, exactBruteForce(net, box)).get(key)!;
};
const bruteGlobal = (net: Network) => bruteOf(net, null);

describe('enumerateRegions', () => {
  it('visits on a box every pattern a grid meets, and as many as the exact brute force counts', () => {
    for (const net of [lines, bent]) {
      const found = regionsOf(net, queryDomain(net, square));
      for (const key of sampledSquare(net).keys()) expect(found.has(key)).toBe(true);
      expect(found.size).toBe(bruteOf(net, square).regions);
    }
    expect(regionsOf(lines, queryDomain(lines, square))).toEqual(new Set(sampledSquare(lines).keys()));
  });
  it('visits globally every cell (Zaslavsky: 1 + 3 + 3 = 7 for three lines; the brute force’s count for two layers)', () => {
    const global = regionsOf(lines, liftedDomain(lines));
    expect(global.size).toBe(7);
    for (const key of sampledPatterns(lines, -20, 20, 40).keys()) expect(global.has(key)).toBe(true);
    const deep = regionsOf(bent, liftedDomain(bent));
    expect(deep.size).toBe(bruteGlobal(bent).regions);
    for (const key of sampledSquare(bent).keys()) expect(deep.has(key)).toBe(true);
  });
  it('starts elsewhere when its first deterministic point lies on a kink', () => {
    // The first start is u = (0.05, 0.1): exactly on 2x − y = 0.
    const kinked = shallow([[2, -1], [0, 1]], [0, 0.3], [1, 1]);
    const found = regionsOf(kinked, queryDomain(kinked, square));
    expect(found).toEqual(new Set(sampledPatterns(kinked, -1, 1, 20).keys()));
    expect(found.size).toBe(4);
  });
  it('stops at the region limit and when the time has run out', () => {
    const limited = enumerateRegions(lines, liftedDomain(lines), () => {}, new Budget(Infinity, 2));
    expect(limited.status).toBe('regions');
    expect(limited.regions).toBeGreaterThan(2);
    expect(limited.regions).toBeLessThan(7);
    expect(enumerateRegions(lines, liftedDomain(lines), () => {}, new Budget(-1))).toEqual({ status: 'time', regions: 0 });
  });
});

describe('regionCentre', () => {
  it('is a point deep inside the region of each pattern, and null for an empty one', () => {
    const domain = queryDomain(lines, square);
    for (const { pattern } of sampledSquare(lines).values()) {
      const x = toInput(domain, regionCentre(lines, domain, pattern)!);
      expect(patternString(activationPattern(lines, x))).toBe(patternString(pattern));
      expect(regionRadius(lines, x)).toBeGreaterThan(0.01);
    }
    // x + 0.2y > −0.1 and x + y < 0.9 with y < … : pattern 0,0,1 needs x < −0.1 − 0.2y, y < 0.2 − 0.3x… and x + y > 0.9: empty in the square.
    const empty = [Uint8Array.of(0, 0, 1)];
    expect(sampledSquare(lines).has('001')).toBe(false);
    expect(regionCentre(lines, domain, empty)).toBe(null);
  });
});

describe('regionSearchExact', () => {
  it.each(NORMS)('equals the largest norm over the sampled regions, with a re-checked witness (p = %s)', (p: Norm) => {
    for (const net of [lines, bent]) {
      for (const box of [square, null]) {
        const r = exact(regionSearchExact(net, p, box, free()));
        expect(r.lipschitz).toBeCloseTo(bruteOf(net, box).lipschitz[p], 12);
        if (box) expect(r.lipschitz).toBeGreaterThanOrEqual(sampledLip(net, p));
        expect(r.witnessValue).toBe(r.lipschitz);
        expect(operatorNorm(jacobian(net, r.witness), p)).toBeCloseTo(r.lipschitz, 12);
        expect(regionRadius(net, r.witness)).toBeGreaterThan(0);
        expect(r.algorithm).toBe('region-search');
      }
    }
  });
  it('resolves a slab 1e-10 wide in ℝ² (the only region of gradient (1, 0.5))', () => {
    const slab = shallow([[1, 0], [1, 0], [0, 1]], [-1, -1 - 1e-10, 0], [1, -1, 0.5]);
    const r = exact(regionSearchExact(slab, '2', null, free()));
    expect(r.lipschitz).toBeCloseTo(Math.hypot(1, 0.5), 5);
    expect(r.regions).toBe(6);
    expect(exact(regionSearchExact(slab, 'inf', null, free())).lipschitz).toBeCloseTo(1.5, 5);
  });
  it('a far, small box sees the regions near it', () => {
    const box = boxFromPairs([[1e6, 1e6 + 1e-3], [-1e-3, 1e-3]], 2);
    const net = shallow([[1, 0], [0, 1]], [-1e6 - 5e-4, 0], [3, 4]);
    const r = exact(regionSearchExact(net, '2', box, free()));
    expect([r.lipschitz, r.regions]).toEqual([5, 4]);
    expect(r.witness[0]).toBeGreaterThan(1e6 + 5e-4);
    expect(r.witness[1]).toBeGreaterThan(0);
  });
  it('stopped by the region limit: too large, with the best re-checked point as a lower bound', () => {
    const r = regionSearchExact(lines, '2', null, new Budget(Infinity, 3));
    if (r.kind !== 'too-large') throw new Error('expected too-large');
    expect([r.limit, r.limitValue, r.regionsVisited]).toEqual(['regions', 3, 4]);
    expect(r.lowerBound).toBeGreaterThan(0);
    expect(r.lowerBound).toBeLessThanOrEqual(bruteGlobal(lines).lipschitz['2'] + 1e-12);
    expect(operatorNorm(jacobian(lines, r.lowerBoundWitness!), '2')).toBe(r.lowerBound);
  });
  it('stopped by time before the first region: no lower bound, no witness', () => {
    const r = regionSearchExact(lines, '1', square, new Budget(-1));
    if (r.kind !== 'too-large') throw new Error('expected too-large');
    expect([r.limit, r.limitValue, r.regionsVisited, r.lowerBound, r.lowerBoundWitness]).toEqual(['time', -1, 0, -Infinity, null]);
  });
  it('REGION_TOLERANCE is the crossing’s THICK', () => {
    expect(REGION_TOLERANCE).toBe(1e-9);
  });
});

describe('stopped at every check of the clock', () => {
  it('enumerateRegions: time, with a growing subset of the regions, until it is done with all of them', () => {
    const domain = liftedDomain(lines);
    const all = regionsOf(lines, domain);
    let previous = 0;
    let cut = 0;
    for (; cut < 10_000; cut++) {
      const seen = new Set<string>();
      const budget = new CutBudget(cut);
      const r = enumerateRegions(lines, domain, (p) => seen.add(patternString(p)), budget);
      for (const key of seen) expect(all.has(key)).toBe(true);
      expect(r.regions).toBeGreaterThanOrEqual(previous);
      expect(r.regions).toBeGreaterThanOrEqual(seen.size);
      previous = r.regions;
      if (r.status === 'done') {
        expect(seen).toEqual(all);
        expect(r.regions).toBe(all.size);
        break;
      }
      expect(r.status).toBe('time');
      expect(budget.checks).toBe(cut + 1); // it stops at the first check that says so
    }
    expect(cut).toBeGreaterThan(all.size); // at least one check per region
  });
  it('regionSearchExact: too large (time) with a sound lower bound, or the exact value (every check up to 16, then every 9th)', () => {
    const exactValue = bruteOf(lines, square).lipschitz['2'];
    let cut = 0;
    for (; cut < 10_000; cut += cut < 16 ? 1 : 9) {
      const r = regionSearchExact(lines, '2', square, new CutBudget(cut));
      if (r.kind === 'exact') {
        expect(r.lipschitz).toBeCloseTo(exactValue, 12);
        break;
      }
      expect([r.limit, r.limitValue]).toEqual(['time', Infinity]);
      expect(r.lowerBound).toBeLessThanOrEqual(exactValue + 1e-12);
      if (r.lowerBoundWitness) expect(operatorNorm(jacobian(lines, r.lowerBoundWitness), '2')).toBe(r.lowerBound);
      else expect(r.lowerBound).toBe(-Infinity);
      expect(r.regionsVisited).toBeLessThanOrEqual(bruteOf(lines, square).regions);
    }
    expect(cut).toBeGreaterThan(0);
  });
});

describe('where the search starts, and the witness it reports', () => {
  const firstVisit = (net: Network, domain: Domain) => {
    let first: Float64Array | null = null;
    enumerateRegions(net, domain, (_, u) => (first ??= u), free());
    return first!;
  };
  it('starts at u_k = 0.1·k/n when that is inside a region, else at a certified point of [−0.8, 0.8]ⁿ', () => {
    expect(Array.from(firstVisit(lines, queryDomain(lines, square)))).toEqual([0.05, 0.1]);
    const lifted = firstVisit(lines, liftedDomain(lines));
    [0.1 / 3, 0.2 / 3, 0.1].forEach((v, k) => expect(lifted[k]).toBeCloseTo(v, 15));
    // (0.05, 0.1) lies on 2x − y = 0:
    const kinked = shallow([[2, -1], [0, 1]], [0, 0.3], [1, 1]);
    const domain = queryDomain(kinked, square);
    const u = firstVisit(kinked, domain);
    expect(Array.from(u)).not.toEqual([0.05, 0.1]);
    for (const v of u) expect(Math.abs(v)).toBeLessThanOrEqual(0.8);
    expect(regionRadius(kinked, toInput(domain, u))).toBeGreaterThan(0);
  });
  it('a maximising region entered 1e-13 from its kink is witnessed at its centre, not at that point', () => {
    // 3ρ(x − 0.05 + 1e-13) + ρ(y): the start (0.05, 0.1) is in the region of gradient (3, 1) but
    // fails the 1e-10 kink margin; the region's centre passes.
    const net = shallow([[1, 0], [0, 1]], [-(0.05 - 1e-13), 0], [3, 1]);
    expect(Array.from(firstVisit(net, queryDomain(net, square)))).toEqual([0.05, 0.1]);
    const r = exact(regionSearchExact(net, '2', square, free()));
    expect(r.lipschitz).toBeCloseTo(exactBruteForce(net, square).lipschitz['2'], 12);
    expect(r.witnessValue).toBe(r.lipschitz);
    expect(regionRadius(net, r.witness)).toBeGreaterThan(0.1);
  });
  it('stopped inside the constraints of a 16-neuron region or inside a bundle’s crossing, it says time at that check', () => {
    // Two inputs passed through, then 16 neurons: the constraints of the second layer check the clock.
    const sixteen = tinyNet(
      [[[1, 0], [0, 1]], [2, 2]],
      [Array.from({ length: 16 }, (_, i) => [Math.cos(i), Math.sin(i)]), Array.from({ length: 16 }, (_, i) => 0.05 * i - 0.4 - 2 * (Math.cos(i) + Math.sin(i)))],
      [[Array(16).fill(1)], [0]],
    );
    const bundle = shallow(Array.from({ length: 20 }, () => [1]), Array.from({ length: 20 }, (_, k) => 0.1 - k * 1e-12), Array(20).fill(1));
    for (const [net, domain, cuts] of [
      [sixteen, queryDomain(sixteen, square), 6],
      [bundle, queryDomain(bundle, boxFromPairs([[-1, 1]], 1)), 40],
    ] as const) {
      for (let cut = 0; cut < cuts; cut++) {
        const budget = new CutBudget(cut);
        expect(enumerateRegions(net, domain, () => {}, budget).status).toBe('time');
        expect(budget.checks).toBe(cut + 1);
      }
    }
  });
});

describe('regionSearch, edges', () => {
  it('regionCentre: null for the pattern of a line (a region without interior: w·x ≤ 0 and −w·x ≤ 0)', () => {
    const net = shallow([[1, 2], [-1, -2], [0, 1]], [0, 0, 0.5], [1, 1, 1]);
    for (const domain of [liftedDomain(net), queryDomain(net, square)]) {
      expect(regionCentre(net, domain, [Uint8Array.of(0, 0, 1)])).toBe(null);
      const centre = regionCentre(net, domain, [Uint8Array.of(1, 0, 1)]);
      expect(regionRadius(net, toInput(domain, centre!))).toBeGreaterThan(0);
    }
  });
  it('stopped after its first region, solves no centring LP: the lower bound is witnessed where the search started', () => {
    const r = regionSearchExact(lines, '2', square, new CutBudget(1));
    if (r.kind !== 'too-large') throw new Error('expected too-large');
    expect([r.limit, r.regionsVisited]).toEqual(['time', 1]);
    expect(Array.from(r.lowerBoundWitness!)).toEqual([0.05, 0.1]); // u = (0.1, 0.2)/2 on the square
    expect(r.lowerBound).toBe(operatorNorm(jacobian(lines, [0.05, 0.1]), '2'));
  });
  it('stopped after its first region, re-checks that point only when d·Σ(layer sizes) < 1e7 (exactly 1e7 is not cheap)', () => {
    // d = 1000, 8 hidden neurons, k outputs: 1000·(1000·8 + 8·k) = 1e7 for k = 250.
    const s = createStream(29, 'region-search-cheap');
    const wide = (k: number) => tinyNet(
      [Array.from({ length: 8 }, () => Array.from({ length: 1000 }, () => 2 * s.uniform() - 1)), Array.from({ length: 8 }, () => s.uniform() - 0.5)],
      [Array.from({ length: k }, () => Array.from({ length: 8 }, () => 2 * s.uniform() - 1)), new Array<number>(k).fill(0)],
    );
    const stopped = (net: Network) => {
      const r = regionSearchExact(net, 'inf', null, new CutBudget(1)); // the start, one region, then 'time'
      if (r.kind !== 'too-large') throw new Error('expected too-large');
      expect([r.limit, r.regionsVisited]).toEqual(['time', 1]);
      return r;
    };
    const big = stopped(wide(250));
    expect([big.lowerBound, big.lowerBoundWitness]).toEqual([-Infinity, null]);
    const cheaper = wide(249);
    const small = stopped(cheaper);
    expect(small.lowerBound).toBeGreaterThan(0);
    expect(operatorNorm(jacobian(cheaper, small.lowerBoundWitness!), 'inf')).toBe(small.lowerBound);
  });
});
