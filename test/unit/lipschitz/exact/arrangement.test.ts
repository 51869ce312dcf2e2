import { describe, expect, it } from 'vitest';
import { arrangementExact } from '../../../../src/lipschitz/exact/arrangement.js';
import type { ExactOutcome, ExactValue } from '../../../../src/lipschitz/exact/types.js';
import { Budget } from '../../../../src/lipschitz/budget.js';
import { jacobian, regionRadius } from '../../../../src/network/evaluate.js';
import { NORMS, operatorNorm, type Norm } from '../../../../src/linalg/norms.js';
import type { Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import { CutBudget, sampledPatterns, shallow, tinyNet } from '../../../support/exactNets.js';
import { exactBruteForce } from '../../../support/exactBruteForce.js';

const free = () => new Budget(Infinity);
function exact(o: ExactOutcome | null): ExactValue {
  if (!o || o.kind !== 'exact') throw new Error(o ? o.message : 'null');
  return o;
}
function expectWitness(net: Network, r: ExactValue, p: Norm): void {
  expect(r.witnessValue).toBe(r.lipschitz);
  expect(regionRadius(net, r.witness)).toBeGreaterThan(0);
  expect(operatorNorm(jacobian(net, r.witness), p)).toBe(r.lipschitz);
}

// Three lines in general position: 7 cells.
const lines = shallow([[1, 0.2], [-0.3, 1], [1, 1]], [0.1, -0.2, -0.9], [1, -2, 1.5]);
// Two of four lines parallel: 1 + 4 + (6 − 1) = 10 cells (one pair of lines does not meet).
const parallel = shallow([[1, 0], [2, 0], [0, 1], [1, 1]], [0, -1, 0.3, 0.2], [1, 2, -1, 0.5]);
// Two outputs, and a neuron that repeats another's hyperplane (×2, and reversed: −(w, b)), and a
// constant neuron: the same 7 cells as `lines`.
const grouped = tinyNet(
  [[[1, 0.2], [-0.3, 1], [1, 1], [2, 0.4], [-1, -1], [0, 0]], [0.1, -0.2, -0.9, 0.2, 0.9, 1]],
  [[[1, -2, 1.5, 0.5, 1, 3], [0, 1, 1, -1, 2, 0]], [0, 0]],
);

describe('arrangementExact', () => {
  it.each(NORMS)('equals the exact brute force, with a re-checked witness (p = %s)', (p: Norm) => {
    for (const [net, cells] of [[lines, 7], [parallel, 10], [grouped, 7]] as const) {
      const r = exact(arrangementExact(net, p, free(), 1000));
      const b = exactBruteForce(net, null);
      expect(r.lipschitz).toBeCloseTo(b.lipschitz[p], 12);
      expect(r.regions).toBe(cells);
      expect(b.regions).toBe(cells);
      expect(r.algorithm).toBe('arrangement');
      expectWitness(net, r, p);
    }
  });
  it('counts Zaslavsky’s Σ C(N, j) cells for lines in general position, as a grid sees them', () => {
    const s = createStream(3, 'arrangement-test');
    const N = 5;
    const net = shallow(
      Array.from({ length: N }, () => [2 * s.uniform() - 1, 2 * s.uniform() - 1]),
      Array.from({ length: N }, () => s.uniform() - 0.5),
      Array.from({ length: N }, () => 2 * s.uniform() - 1),
    );
    const r = exact(arrangementExact(net, '2', free(), 1000));
    expect(r.regions).toBe(1 + 5 + 10);
    expect(r.lipschitz).toBeGreaterThanOrEqual(Math.max(...Array.from(sampledPatterns(net, -4, 4, 40).values(), ({ x }) => operatorNorm(jacobian(net, x), '2'))));
    expect(r.lipschitz).toBeCloseTo(exactBruteForce(net, null).lipschitz['2'], 12);
  });
  it('counts the distinct cells of 18 lines with one parallel pair: 1 + 18 + (C(18, 2) − 1) = 171', () => {
    // More than 16 hyperplanes: a cell's key spans two characters.
    const s = createStream(11, 'arrangement-parallel');
    const rows = Array.from({ length: 18 }, () => [2 * s.uniform() - 1, 2 * s.uniform() - 1]);
    rows[17] = [-2 * rows[16][0], -2 * rows[16][1]];
    const net = shallow(rows, Array.from({ length: 18 }, () => s.uniform() - 0.5), Array.from({ length: 18 }, () => 2 * s.uniform() - 1));
    const r = exact(arrangementExact(net, '1', free(), 10_000));
    expect(r.regions).toBe(171);
    expectWitness(net, r, '1');
  });
  it('groups a reversed neuron whose normalised normal has a −0 with the one that has +0', () => {
    // (1, 0)·x + 0.5 and (−2, 0)·x − 1: normalised (1, 0, 0.5) and (1, −0, 0.5), one line x = −0.5.
    const net = shallow([[1, 0], [-2, 0], [0, 1]], [0.5, -1, 0.2], [1, 3, -2]);
    const r = exact(arrangementExact(net, '2', free(), 100));
    const b = exactBruteForce(net, null);
    expect([r.regions, b.regions]).toEqual([4, 4]);
    expect(r.lipschitz).toBeCloseTo(b.lipschitz['2'], 12);
  });
  it('two crossing lines (as many hyperplanes as dimensions): 4 cells', () => {
    const cross = shallow([[1, 0], [0, 1]], [0.5, -0.5], [2, -3]);
    const r = exact(arrangementExact(cross, '1', free(), 100));
    expect([r.regions, r.lipschitz]).toEqual([4, 3]);
    expect(arrangementExact(shallow([[1, 1]], [1], [1]), '2', free(), 100)).toBe(null);
  });
  it('declines what it cannot do: depth, d = 1, too few or parallel hyperplanes, a triple point, zero biases', () => {
    expect(arrangementExact(tinyNet([[[1, 0], [0, 1]], [0, 1]], [[[1, 1]], [0]], [[[1]], [0]]), '2', free(), 100)).toBe(null);
    expect(arrangementExact(shallow([[1], [-1]], [1, 1], [1, 1]), '2', free(), 100)).toBe(null);
    expect(arrangementExact(shallow([[1, 1], [2, 2]], [1, 1], [1, 1]), '2', free(), 100)).toBe(null);
    expect(arrangementExact(shallow([[1, 1], [2, 2], [-1, -1]], [1, 0, 3], [1, 1, 1]), '2', free(), 100)).toBe(null);
    expect(arrangementExact(shallow([[1, 0], [0, 1], [1, 1]], [-1, -1, -2], [1, 1, 1]), '2', free(), 100)).toBe(null);
    expect(arrangementExact(shallow([[1, 0], [0, 1], [1, 2]], [0, 0, 0], [1, 1, 1]), '2', free(), 100)).toBe(null);
    // A third line 1e-12 from the vertex of the other two is too close to tell.
    expect(arrangementExact(shallow([[1, 0], [0, 1], [1, 1]], [-1, -1, -2 + 1e-12], [1, 1, 1]), '2', free(), 100)).toBe(null);
    // …one 1e-6 away is not.
    expect(exact(arrangementExact(shallow([[1, 0], [0, 1], [1, 1]], [-1, -1, -2 + 1e-6], [1, 1, 1]), '2', free(), 100)).regions).toBe(7);
  });
  it('in three dimensions: four planes in general position make 1 + 4 + 6 + 4 = 15 cells', () => {
    const net = shallow([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [0.1, -0.2, 0.3, -0.5], [1, -1, 2, 0.5]);
    const r = exact(arrangementExact(net, 'inf', free(), 1000));
    expect(r.regions).toBe(15);
    expect(r.lipschitz).toBeCloseTo(exactBruteForce(net, null).lipschitz.inf, 12);
    expectWitness(net, r, 'inf');
  });
  it('past the region limit: counts distinct cells, and stops when there are more', () => {
    const over = arrangementExact(lines, '2', free(), 6);
    expect(over?.kind === 'too-large' && [over.limit, over.limitValue]).toEqual(['regions', 6]);
    // With parallel lines fewer cells exist than Σ C(G, j) = 11: a limit of 10 still suffices.
    expect(exact(arrangementExact(parallel, '2', free(), 10)).regions).toBe(10);
    const tight = arrangementExact(parallel, '2', free(), 9);
    expect(tight?.kind).toBe('too-large');
  });
  it('checks the time every 1024 vertices', () => {
    const s = createStream(5, 'arrangement-time');
    const N = 46; // C(46, 2) = 1035 vertices
    const net = shallow(
      Array.from({ length: N }, () => [2 * s.uniform() - 1, 2 * s.uniform() - 1]),
      Array.from({ length: N }, () => s.uniform() - 0.5),
      Array.from({ length: N }, () => 1),
    );
    const r = arrangementExact(net, '2', new Budget(-1), 1e9);
    expect(r?.kind === 'too-large' && r.limit).toBe('time');
    const small = arrangementExact(lines, '2', new Budget(-1), 1e9);
    expect(small?.kind).toBe('exact');
  });
});

describe('arrangementExact, edges', () => {
  const randomLines = (seed: string, N: number): number[][] => {
    const s = createStream(5, seed);
    return Array.from({ length: N }, () => [2 * s.uniform() - 1, 2 * s.uniform() - 1]);
  };
  const biasesFor = (seed: string, N: number): number[] => {
    const s = createStream(6, seed);
    return Array.from({ length: N }, () => s.uniform() - 0.5);
  };
  it('constant neurons (w = 0) are active iff their bias is > 0 and move no hyperplane; a reversed pair (0, 1), (0, −2) is one line', () => {
    // Lines x + 0.2y + 0.1 = 0, y = 0.2 (twice: (0, 1)·x − 0.2 and (0, −2)·x + 0.4), x − y − 0.5 = 0; constant
    // neurons with biases 1, 0 and −1 (only the first is ever active; none changes a Jacobian).
    const net = tinyNet(
      [[[1, 0.2], [0, 1], [0, -2], [1, -1], [0, 0], [0, 0], [0, 0]], [0.1, -0.2, 0.4, -0.5, 1, 0, -1]],
      [[[1, -2, 1.5, 0.7, 3, -4, 5]], [0]],
    );
    for (const p of NORMS) {
      const r = exact(arrangementExact(net, p, free(), 100));
      const b = exactBruteForce(net, null);
      expect([r.regions, b.regions]).toEqual([7, 7]);
      expect(r.lipschitz).toBeCloseTo(b.lipschitz[p], 12);
      expectWitness(net, r, p);
    }
  });
  it('finds constants below 1 (weights ×0.01), equal to the brute force', () => {
    const small = shallow([[1, 0.2], [-0.3, 1], [1, 1]], [0.1, -0.2, -0.9], [0.01, -0.02, 0.015]);
    const r = exact(arrangementExact(small, '2', free(), 100));
    const b = exactBruteForce(small, null);
    expect(b.lipschitz['2']).toBeLessThan(0.05);
    expect(r.lipschitz).toBeCloseTo(b.lipschitz['2'], 14);
    expectWitness(small, r, '2');
  });
  it('declines parallel hyperplanes at once, before any time check (the fallback decides)', () => {
    // 46 parallel lines: C(46, 2) = 1035 pairs, none of which meets.
    const rows = Array.from({ length: 46 }, (_, i) => [1 + i, 2 + 2 * i]);
    const net = shallow(rows, biasesFor('parallel', 46), rows.map(() => 1));
    const budget = new CutBudget(0);
    expect(arrangementExact(net, '2', budget, 1e9)).toBe(null);
    expect(budget.checks).toBe(0);
  });
  it('declines a triple point also when it counts cells (more possible cells than the limit)', () => {
    expect(arrangementExact(shallow([[1, 0], [0, 1], [1, 1]], [-1, -1, -2], [1, 1, 1]), '2', free(), 3)).toBe(null);
  });
  it('enumerates lines in general position in one pass; with a parallel pair it counts in a second, where the time can run out', () => {
    // 46 lines: C(46, 2) = 1035 vertices, so one time check per pass (every 1024 vertices).
    const rows = randomLines('arrangement-one-pass', 46);
    const biases = biasesFor('arrangement-one-pass', 46);
    const outer = rows.map((_, i) => (i % 3) - 1);
    const general = shallow(rows, biases, outer);
    const once = new CutBudget(1); // the second check says 'time'
    const r = exact(arrangementExact(general, '2', once, 1e9));
    expect(r.regions).toBe(1 + 46 + 1035);
    expect(once.checks).toBe(1);
    // Line 45 made parallel to line 44: one pair does not meet, so the cells are counted in a second pass.
    const parallelRows = rows.map((w, i) => (i === 45 ? [-2 * rows[44][0], -2 * rows[44][1]] : w));
    const withPair = shallow(parallelRows, biases, outer);
    const stopped = arrangementExact(withPair, '2', new CutBudget(1), 1e9);
    expect(stopped?.kind === 'too-large' && [stopped.limit, stopped.regionsVisited > 0]).toEqual(['time', true]);
    expect(exact(arrangementExact(withPair, '2', free(), 1e9)).regions).toBe(1 + 46 + 1034);
  });
  it('judges a near-triple point relative to the vertex’s distance from the origin', () => {
    // Lines x = c, y = c and x + y = 2c − √2·δ: the third passes δ from the vertex (c, c).
    const triangle = (c: number, delta: number) => shallow([[1, 0], [0, 1], [1, 1]], [-c, -c, -2 * c + Math.SQRT2 * delta], [1, 1, 1]);
    // δ = 5e-6 near (1, 1): far beyond (1e-9 + …)(1 + ‖v‖) ≈ 2.4e-9, so 7 cells.
    const near = exact(arrangementExact(triangle(1, 5e-6), '2', free(), 100));
    expect(near.regions).toBe(7);
    expect(near.lipschitz).toBeCloseTo(exactBruteForce(triangle(1, 5e-6), null).lipschitz['2'], 12);
    // The same δ at (1e4, 1e4): within 1e-9·(1 + 1.4e4) ≈ 1.4e-5, too close to tell.
    expect(arrangementExact(triangle(1e4, 5e-6), '2', free(), 100)).toBe(null);
  });
});
