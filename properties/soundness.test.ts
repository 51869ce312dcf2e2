import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleNetwork } from '../src/network/sample.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import { enumerateRegions, regionSearchExact } from '../src/lipschitz/exact/regionSearch.js';
import { queryDomain } from '../src/lipschitz/domain.js';
import { Budget } from '../src/lipschitz/budget.js';
import { lowerBound } from '../src/lipschitz/lower/index.js';
import { sampleCandidates } from '../src/lipschitz/lower/sampling.js';
import { certifiedBounds } from '../src/lipschitz/bounds.js';
import { operatorNormProduct } from '../src/lipschitz/upper/operatorNorms.js';
import { intervalJacobianBound } from '../src/lipschitz/upper/intervals.js';
import { zonotopeBoundFor } from '../src/lipschitz/upper/zonotope.js';
import { lipschitzMip } from '../src/lipschitz/upper/lipschitzMip.js';
import { jacobian, jacobianOfPattern, regionRadius } from '../src/network/evaluate.js';
import { operatorNorm } from '../src/linalg/norms.js';
import { hiddenWidths } from '../src/network/network.js';
import { checkProperty } from './support/runner.js';
import { largeSpecArb, normArb, optionalBoxArb, tinySpecArb, networkSpecArb } from './support/arbitraries.js';

const file = import.meta.url;
/** Relative slack for comparing a certified bound with an exact value computed in floating point. */
const SLACK = 1e-9;

const tinyQueryArb = tinySpecArb().chain((spec) => fc.tuple(fc.constant(spec), normArb, optionalBoxArb(spec.inputDim)));

function exactOf(o: ReturnType<typeof exactLipschitz>): { lipschitz: number; witness: Float64Array; regions: number } {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o;
}

describe('the generators', () => {
  it('cover every size class, depth, bias law and norm (fc.statistics, with a health check)', () => {
    const name = 'the generators cover every size class, depth, bias law and norm (fc.statistics, with a health check)';
    const seen = { laws: new Set<string>(), depths: new Set<number>(), outputs: new Set<number>(), boxes: 0 };
    const sample = fc.sample(tinyQueryArb, { seed: 4242, numRuns: 400 });
    for (const [spec, , box] of sample) {
      seen.laws.add(spec.bias.name);
      seen.depths.add(spec.widths.length);
      seen.outputs.add(spec.outputs ?? 1);
      if (box) seen.boxes++;
    }
    // Show the distribution the properties run on (vitest prints it with the test output).
    fc.statistics(tinyQueryArb, ([spec, norm, box]) => `${spec.widths.length} hidden layer(s), p=${norm}, ${box ? 'box' : 'global'}`, { seed: 4242, numRuns: 400 });
    expect([...seen.laws].sort(), name).toEqual(['laplace', 'mixture', 'normal', 'rademacher', 'student-t', 'uniform', 'zero']);
    expect([...seen.depths].sort()).toEqual([1, 2, 3]);
    expect([...seen.outputs].sort()).toEqual([1, 2]);
    expect(seen.boxes).toBeGreaterThan(50);
    expect(seen.boxes).toBeLessThan(350);
  });
});

describe('soundness: lower ≤ exact ≤ upper for every estimator and norm', () => {
  it('on exact-feasible networks (global and boxes), with every witness reproducing its value', () => {
    const name = 'on exact-feasible networks (global and boxes), with every witness reproducing its value';
    checkProperty(
      fc.property(tinyQueryArb, ([spec, norm, box]) => {
        const net = sampleNetwork(spec);
        const query = { norm, box };
        const exact = exactOf(exactLipschitz(net, query));
        const tol = SLACK * Math.max(1, exact.lipschitz);
        // The exact witness lies inside a region and its Jacobian norm is the value.
        expect(regionRadius(net, exact.witness)).toBeGreaterThan(0);
        expect(Math.abs(operatorNorm(jacobian(net, exact.witness), norm) - exact.lipschitz)).toBeLessThanOrEqual(tol);
        // Upper bounds.
        expect(operatorNormProduct(net, norm)).toBeGreaterThanOrEqual(exact.lipschitz - tol);
        expect(intervalJacobianBound(net, queryDomain(net, box), norm).value).toBeGreaterThanOrEqual(exact.lipschitz - tol);
        const zonotope = zonotopeBoundFor(net, query, 1);
        expect(zonotope === null).toBe(norm !== '2' || net.layers.length !== 2 || net.layers[1].outDim !== 1);
        if (zonotope) expect(zonotope.upper).toBeGreaterThanOrEqual(exact.lipschitz - tol);
        // Lower bounds, each a reproducible witness.
        const lower = lowerBound(net, query, { timeLimit: Infinity, maxRestarts: 2, seed: spec.seed });
        expect(lower.witness.value).toBeLessThanOrEqual(exact.lipschitz + tol);
        if (lower.witness.value > -Infinity) expect(operatorNorm(jacobian(net, lower.witness.x), norm)).toBe(lower.witness.value);
        for (const s of sampleCandidates(net, query, 64, spec.seed, 4)) expect(s.value).toBeLessThanOrEqual(exact.lipschitz + tol);
      }),
      { numRuns: 150, seed: 2001, file, name },
    );
  });

  it('the MIP bounds (p = 1, ∞) never fall below the exact value', async () => {
    const name = 'the MIP bounds (p = 1, ∞) never fall below the exact value';
    await checkProperty(
      fc.asyncProperty(tinySpecArb(), fc.constantFrom('1' as const, 'inf' as const), fc.boolean(), async (spec, norm, local) => {
        const net = sampleNetwork(spec);
        const box = local ? { lo: new Float64Array(spec.inputDim).fill(-1), hi: new Float64Array(spec.inputDim).fill(1) } : null;
        const exact = exactOf(exactLipschitz(net, { norm, box })).lipschitz;
        const domain = queryDomain(net, box);
        const size = norm === '1' ? spec.inputDim : (spec.outputs ?? 1);
        let mip = 0;
        for (let i = 0; i < size; i++) {
          const e = new Float64Array(size);
          e[i] = 1;
          const r = await lipschitzMip(net, domain, norm === '1' ? { kind: 'forward-l1', w: e } : { kind: 'reverse-l1', v: e }, 10);
          mip = Math.max(mip, r.upper);
        }
        expect(mip).toBeGreaterThanOrEqual(exact * (1 - SLACK) - 1e-12);
      }),
      { numRuns: 25, seed: 2002, file, name },
    );
  });

  it('lower ≤ upper on networks too large for the exact solver', async () => {
    const name = 'lower ≤ upper on networks too large for the exact solver';
    await checkProperty(
      fc.asyncProperty(largeSpecArb(), normArb, async (spec, norm) => {
        const net = sampleNetwork(spec);
        const r = await certifiedBounds(net, { norm, box: null }, { timeLimit: 0.3, maxExactRegions: 1 });
        expect(r.exact).toBeNull();
        expect(r.lower).toBeLessThanOrEqual(r.upper);
        expect(operatorNorm(jacobian(net, r.witness), norm)).toBe(r.lower);
        expect(regionRadius(net, r.witness)).toBeGreaterThan(0);
      }),
      { numRuns: 12, seed: 2003, file, name },
    );
  });
});

describe('the exact solver', () => {
  it('equals the maximum over the regions it enumerates', () => {
    const name = 'equals the maximum over the regions it enumerates';
    checkProperty(
      fc.property(tinyQueryArb, ([spec, norm, box]) => {
        fc.pre(spec.inputDim > 1); // d = 1 uses the breakpoint sweep, checked against brute force in test/
        const net = sampleNetwork(spec);
        let max = -Infinity;
        let count = 0;
        enumerateRegions(net, queryDomain(net, box), (pattern) => {
          max = Math.max(max, operatorNorm(jacobianOfPattern(net, pattern), norm));
          count++;
        }, new Budget(30));
        const exact = exactOf(exactLipschitz(net, { norm, box }));
        expect(exact.lipschitz).toBeCloseTo(max, 12);
        expect(exact.regions).toBe(count);
      }),
      { numRuns: 80, seed: 2004, file, name },
    );
  });

  it('counts Σ_{k≤d} C(N, k) regions for shallow nets in general position', () => {
    const name = 'counts Σ_{k≤d} C(N, k) regions for shallow nets in general position';
    // Counted by the region search, which enumerates regions one by one (the arrangement path returns
    // the formula itself for nets in general position, so it cannot check it); widths ≤ 12 keep it quick.
    const shallow = networkSpecArb({ minInputDim: 1, maxInputDim: 4, maxDepth: 1, minWidth: 1, maxWidth: 12 }).filter((s) => s.bias.name !== 'zero' && s.bias.name !== 'rademacher');
    checkProperty(
      fc.property(shallow, (spec) => {
        const net = sampleNetwork(spec);
        const N = hiddenWidths(net)[0];
        let expected = 0;
        let c = 1;
        for (let k = 0; k <= spec.inputDim; k++) {
          expected += c;
          c = (c * (N - k)) / (k + 1);
        }
        expect(exactOf(regionSearchExact(net, '2', null, new Budget(60))).regions).toBe(Math.round(expected));
      }),
      { numRuns: 60, seed: 2005, file, name },
    );
  });
});
