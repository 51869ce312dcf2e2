import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exactLipschitz, type ExactOutcome, type ExactValue } from '../../src/lipschitz/exact/index.js';
import { networkFromJson } from '../../src/network/format.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { jacobian, regionRadius, evaluate } from '../../src/network/evaluate.js';
import { NORMS, operatorNorm, type Norm } from '../../src/linalg/norms.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { boxFromPairs, type Box } from '../../src/lipschitz/query.js';
import { bruteForceLipschitz } from '../support/bruteForce.js';
import { regionSearchExact } from '../../src/lipschitz/exact/regionSearch.js';
import { Budget } from '../../src/lipschitz/budget.js';

function exact(outcome: ExactOutcome): ExactValue {
  if (outcome.kind !== 'exact') throw new Error(outcome.message);
  return outcome;
}

/** The witness lies strictly inside a region and its Jacobian norm is the reported value. */
function expectWitness(net: Network, r: ExactValue, norm: Norm, box: Box | null = null): void {
  expect(regionRadius(net, r.witness)).toBeGreaterThan(0);
  expect(operatorNorm(jacobian(net, r.witness), norm)).toBeCloseTo(r.lipschitz, 12);
  if (box) r.witness.forEach((x, i) => expect(x > box.lo[i] && x < box.hi[i]).toBe(true));
}

const relClose = (a: number, b: number, rel = 1e-9) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));

const analytic = readdirSync('fixtures/analytic')
  .filter((f) => f.endsWith('.json'))
  .map((f) => {
    const doc = JSON.parse(readFileSync(`fixtures/analytic/${f}`, 'utf8'));
    return { name: f, net: networkFromJson(doc, f), expected: doc.meta.expected as { lipschitz: Record<Norm, number>; regions: number } };
  });

describe('exact solver on analytic fixtures', () => {
  it.each(analytic.flatMap((a) => NORMS.map((p) => [a.name, p, a] as const)))('%s, p = %s', (_n, p, a) => {
    const r = exact(exactLipschitz(a.net, { norm: p, box: null }));
    relClose(r.lipschitz, a.expected.lipschitz[p], 1e-12);
    expect(r.regions).toBe(a.expected.regions);
    if (r.lipschitz > 0) expectWitness(a.net, r, p);
  });
  it('the corner fixture is maximised where the derivation says', () => {
    const a = analytic.find((x) => x.name === 'corner.json')!;
    const r = exact(exactLipschitz(a.net, { norm: '2', box: null }));
    const [x, y] = r.witness;
    expect(x > 0 && y > 0 && x + y > 1).toBe(true);
  });
  it('a cancelling twin is constant on every box too', () => {
    const a = analytic.find((x) => x.name === 'twin.json')!;
    for (const box of [boxFromPairs([[-1, 1], [-1, 1]], 2), boxFromPairs([[5, 6], [5, 6]], 2)]) {
      expect(exact(exactLipschitz(a.net, { norm: '2', box })).lipschitz).toBeLessThan(1e-14);
    }
  });
});

const normal = parseBiasLaw('normal:1');
function random(d: number, widths: number[], seed: number, bias = normal, outputs = 1): Network {
  return sampleNetwork({ inputDim: d, widths, bias, weights: 'he-fanout', seed, outputs });
}

describe('exact solver against brute force (HiGHS feasibility of every pattern)', () => {
  const cases: [number, number[], string, number][] = [
    [1, [3, 3], 'normal:1', 1],
    [2, [5], 'normal:1', 1],
    [2, [4], 'zero', 1],
    [2, [3, 3], 'uniform:1', 1],
    [2, [2, 2, 2], 'laplace:1', 2],
    [3, [6], 'student-t:1', 1],
    [3, [3, 3], 'normal:1', 3],
    [2, [3, 4], 'rademacher:0.5', 2],
    [1, [2, 2, 3], 'mixture:0.1,3,0.5', 1],
    [3, [4, 3], 'zero', 2],
  ];
  it.each(cases)('d=%i widths=%j bias=%s outputs=%i, every norm, global and on a box', (d, widths, bias, outputs) => {
    for (let seed = 0; seed < 3; seed++) {
      const net = random(d, widths, seed, parseBiasLaw(bias), outputs);
      const box = boxFromPairs(Array.from({ length: d }, (_, i) => [-0.7 + 0.1 * i, 0.9 - 0.2 * i] as [number, number]), d);
      for (const p of NORMS) {
        for (const b of [null, box]) {
          const brute = bruteForceLipschitz(net, p, b);
          const r = exact(exactLipschitz(net, { norm: p, box: b }));
          relClose(r.lipschitz, brute.lipschitz, 1e-9);
          expect(r.regions).toBe(brute.regions);
          expectWitness(net, r, p, b);
        }
      }
    }
  });
});

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

describe('region counts (Zaslavsky)', () => {
  // Counted by the region search, which enumerates regions one by one (the arrangement path
  // returns this very formula for nets in general position, so it cannot check it).
  it.each([[2, 16], [2, 40], [3, 12], [4, 9], [2, 64]])('a shallow net in general position, d=%i N=%i, has Σ_{k≤d} C(N,k) regions', (d, N) => {
    const r = exact(regionSearchExact(random(d, [N], 7), '2', null, new Budget(60)));
    let expected = 0;
    for (let k = 0; k <= d; k++) expected += binomial(N, k);
    expect(r.regions).toBe(expected);
  });
  it.each([[2, 8], [3, 10], [3, 7], [4, 6]])('zero biases, d=%i N=%i: 2·Σ_{k<d} C(N−1,k) cones', (d, N) => {
    const r = exact(exactLipschitz(random(d, [N], 3, parseBiasLaw('zero')), { norm: '2', box: null }));
    let expected = 0;
    for (let k = 0; k < d; k++) expected += binomial(N - 1, k);
    expect(r.regions).toBe(2 * expected);
    expect(r.algorithm).toBe('region-search'); // the central arrangement is not in general position
  });
  it('the arrangement and region search agree on shallow nets (value and count)', () => {
    for (let seed = 0; seed < 6; seed++) {
      const net = random(2 + (seed % 3), [8 + seed], seed, parseBiasLaw(['normal:1', 'laplace:2', 'student-t:1'][seed % 3]), 1 + (seed % 2));
      for (const p of NORMS) {
        const viaArrangement = exact(exactLipschitz(net, { norm: p, box: null }));
        expect(viaArrangement.algorithm).toBe('arrangement');
        const viaSearch = exact(regionSearchExact(net, p, null, new Budget(60)));
        relClose(viaArrangement.lipschitz, viaSearch.lipschitz, 1e-12);
        expect(viaArrangement.regions).toBe(viaSearch.regions);
      }
    }
  });
});

describe('deep networks in d = 1 against a dense grid of slopes', () => {
  it.each([[[8, 8, 8], 1], [[16, 16], 2], [[4, 4, 4, 4, 4], 3]])('widths %j seed %i', (widths, seed) => {
    const net = random(1, widths as number[], seed as number);
    const r = exact(exactLipschitz(net, { norm: '2', box: null }));
    // All kinks of such nets lie well inside [−50, 50]; slopes of a fine grid there approach Lip from below.
    let maxSlope = 0;
    const steps = 200_000;
    let prev = evaluate(net, [-50])[0];
    for (let s = 1; s <= steps; s++) {
      const x = -50 + (100 * s) / steps;
      const v = evaluate(net, [x])[0];
      maxSlope = Math.max(maxSlope, Math.abs(v - prev) / (100 / steps));
      prev = v;
    }
    expect(maxSlope).toBeLessThanOrEqual(r.lipschitz * (1 + 1e-9));
    expect(maxSlope).toBeGreaterThan(r.lipschitz * 0.999);
  });
});

describe('limits: too large is an outcome, never a wrong number', () => {
  it('names the region limit', () => {
    const r = exactLipschitz(random(2, [6, 6], 1), { norm: '2', box: null }, { maxRegions: 5 });
    expect(r.kind).toBe('too-large');
    if (r.kind === 'too-large') {
      expect(r.limit).toBe('regions');
      expect(r.message).toMatch(/--max-regions 5/);
      expect(r.message).toMatch(/lipcheck bounds/);
    }
  });
  it('names the time limit', () => {
    const r = exactLipschitz(random(3, [12, 12, 12], 1), { norm: '2', box: null }, { timeLimit: 0.05 });
    expect(r.kind).toBe('too-large');
    if (r.kind === 'too-large') expect(r.message).toMatch(/--time-limit 0.05 s/);
  });
  it('keeps its time limit on a 300-input net: the budget is checked inside LPs and constraint maps', () => {
    const net = random(300, [64, 64], 1);
    const started = performance.now();
    const r = exactLipschitz(net, { norm: '2', box: null }, { timeLimit: 0.3 });
    expect(r.kind).toBe('too-large');
    if (r.kind === 'too-large') expect(r.limit).toBe('time');
    // Generous: the machine may be shared; before, the first facet LP alone ran for minutes.
    expect((performance.now() - started) / 1000).toBeLessThan(0.3 + 5);
  });
  it('applies the region limit to the arrangement and the breakpoints too', () => {
    expect(exactLipschitz(random(2, [40], 1), { norm: '2', box: null }, { maxRegions: 100 }).kind).toBe('too-large');
    expect(exactLipschitz(random(1, [30, 30], 1), { norm: '2', box: null }, { maxRegions: 3 }).kind).toBe('too-large');
  });
});

describe('scales, boxes and affine networks', () => {
  it('very large and very small weight scales: Lip scales exactly with the output layer', () => {
    const net = random(2, [6, 5], 4);
    const base = exact(exactLipschitz(net, { norm: '2', box: null })).lipschitz;
    const [h1, h2, last] = net.layers;
    for (const alpha of [1e-6, 1e6]) {
      const scaled = makeNetwork(2, [h1, h2, { ...last, weights: last.weights.map((w) => w * alpha) }]);
      const r1 = exact(exactLipschitz(scaled, { norm: '2', box: null }));
      relClose(r1.lipschitz, alpha * base, 1e-12 * alpha);
      // Scaling the first hidden layer (weights and biases) by α > 0 keeps every region and scales f by α.
      const inner = makeNetwork(2, [{ ...h1, weights: h1.weights.map((w) => w * alpha), biases: h1.biases.map((b) => b * alpha) }, { ...h2, biases: h2.biases.map((b) => b * alpha) }, last]);
      const r2 = exact(exactLipschitz(inner, { norm: '2', box: null }));
      relClose(r2.lipschitz, alpha * base, 1e-12 * alpha);
      // Scaling the inputs, x ↦ x/α, moves every kink by α: the constant scales by 1/α.
      const input = makeNetwork(2, [{ ...h1, weights: h1.weights.map((w) => w / alpha) }, h2, last]);
      const r3 = exact(exactLipschitz(input, { norm: '2', box: null }));
      relClose(r3.lipschitz, base / alpha, 1e-12 / alpha);
      expect(r1.regions).toBe(r2.regions);
      expect(r3.regions).toBe(r2.regions);
    }
  });
  it('a box inside one region gives that region\'s norm; a huge box gives the global constant', () => {
    const net = random(2, [5, 5], 8);
    const global = exact(exactLipschitz(net, { norm: '2', box: null }));
    const x = global.witness;
    const r = regionRadius(net, x);
    const tiny = boxFromPairs([[x[0] - r / 4, x[0] + r / 4], [x[1] - r / 4, x[1] + r / 4]], 2);
    const local = exact(exactLipschitz(net, { norm: '2', box: tiny }));
    expect(local.regions).toBe(1);
    relClose(local.lipschitz, global.lipschitz, 1e-12);
    // (Deep nets can have regions far out: this one has one beyond 1e3, so the box is 1e6 wide.)
    const huge = boxFromPairs([[-1e6, 1e6], [-1e6, 1e6]], 2);
    const all = exact(exactLipschitz(net, { norm: '2', box: huge }));
    relClose(all.lipschitz, global.lipschitz, 1e-12);
    expect(all.regions).toBe(global.regions);
  });
  it('an affine network has one region', () => {
    const net = makeNetwork(3, [denseLayer([[1, -2, 2]], [4])]);
    const r = exact(exactLipschitz(net, { norm: '2', box: null }));
    expect(r.lipschitz).toBe(3);
    expect(r.regions).toBe(1);
  });
});

describe('regressions from review: d = 1 tolerances are relative', () => {
  it('a ramp of width 1e-13 has Lip 1, globally and on boxes narrower than 1e-12', () => {
    const net = networkFromJson(JSON.parse(readFileSync('fixtures/regression/thin-ramp.json', 'utf8')), 'ramp');
    expect(exact(exactLipschitz(net, { norm: '2', box: null })).lipschitz).toBeCloseTo(1, 12);
    for (const [lo, hi] of [[0, 1e-12], [1.2e-13, 1.8e-13], [1e6, 1e6 + 5e-7]] as [number, number][]) {
      const r = exact(exactLipschitz(net, { norm: '2', box: boxFromPairs([[lo, hi]], 1) }));
      expect(r.lipschitz).toBeGreaterThanOrEqual(0);
      expect(r.witness[0] >= lo && r.witness[0] <= hi).toBe(true);
      expect(operatorNorm(jacobian(net, r.witness), '2')).toBe(r.lipschitz);
    }
  });
});
