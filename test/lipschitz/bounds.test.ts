import { describe, expect, it } from 'vitest';
import { exactLipschitz, type ExactOutcome } from '../../src/lipschitz/exact/index.js';
import { certifiedBounds, discardBelowWitness, type MethodReport } from '../../src/lipschitz/bounds.js';
import { lowerBound } from '../../src/lipschitz/lower/index.js';
import { sampleCandidates } from '../../src/lipschitz/lower/sampling.js';
import { lineSearch } from '../../src/lipschitz/lower/lineSearch.js';
import { operatorNormProduct } from '../../src/lipschitz/upper/operatorNorms.js';
import { intervalJacobianBound, preActivationBounds } from '../../src/lipschitz/upper/intervals.js';
import { lipschitzMip } from '../../src/lipschitz/upper/lipschitzMip.js';
import { euclideanCuttingPlanes } from '../../src/lipschitz/upper/euclideanCuts.js';
import { queryDomain } from '../../src/lipschitz/domain.js';
import { boxFromPairs, type Box, type LipschitzQuery } from '../../src/lipschitz/query.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';
import { jacobian, regionRadius } from '../../src/network/evaluate.js';
import { NORMS, operatorNorm, type Norm } from '../../src/linalg/norms.js';
import type { Network } from '../../src/network/network.js';
import { standardTransformations } from '../../src/network/transform.js';

function exactValue(o: ExactOutcome): number {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o.lipschitz;
}

/** Relative slack for comparing a certified bound with an exact value computed in floating point. */
const SLACK = 1e-9;

async function mipUpper(net: Network, query: LipschitzQuery): Promise<number> {
  const domain = queryDomain(net, query.box);
  const bounds = preActivationBounds(net, domain);
  const d = net.inputDim;
  const k = net.layers[net.layers.length - 1].outDim;
  let best = 0;
  if (query.norm === '1') {
    for (let j = 0; j < d; j++) {
      const w = new Float64Array(d);
      w[j] = 1;
      best = Math.max(best, (await lipschitzMip(net, domain, { kind: 'forward-l1', w }, 30)).upper);
    }
  } else if (query.norm === 'inf') {
    for (let i = 0; i < k; i++) {
      const v = new Float64Array(k);
      v[i] = 1;
      best = Math.max(best, (await lipschitzMip(net, domain, { kind: 'reverse-l1', v }, 30)).upper);
    }
  } else {
    const interval = intervalJacobianBound(net, domain, '2', bounds);
    best = (await euclideanCuttingPlanes(net, domain, { timeLimit: 3, start: { lo: interval.lo, hi: interval.hi }, lower: () => 0, targetGap: 1 })).upper;
  }
  return best;
}

const cases: { d: number; widths: number[]; bias: string; outputs: number }[] = [
  { d: 2, widths: [6], bias: 'normal:1', outputs: 1 },
  { d: 2, widths: [4, 4], bias: 'uniform:1', outputs: 1 },
  { d: 3, widths: [5], bias: 'zero', outputs: 1 },
  { d: 2, widths: [3, 3, 3], bias: 'student-t:1', outputs: 2 },
];

describe('every bound brackets the exact constant', () => {
  it.each(cases)('$d-d $widths $bias, $outputs output(s): every method and norm, global and on a box', async ({ d, widths, bias, outputs }) => {
    for (let seed = 0; seed < 2; seed++) {
      const net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(bias), weights: 'he-fanout', seed, outputs });
      const box: Box = boxFromPairs(Array.from({ length: d }, (_, i) => [-0.8 + 0.1 * i, 0.6] as [number, number]), d);
      for (const p of NORMS) {
        for (const b of [null, box]) {
          const query = { norm: p, box: b };
          const exact = exactValue(exactLipschitz(net, query));
          const tol = SLACK * Math.max(1, exact);
          expect(operatorNormProduct(net, p)).toBeGreaterThanOrEqual(exact - tol);
          expect(intervalJacobianBound(net, queryDomain(net, b), p).value).toBeGreaterThanOrEqual(exact - tol);
          if (p !== '2' || outputs === 1) {
            const m = await mipUpper(net, query);
            expect(m).toBeGreaterThanOrEqual(exact - tol);
            // The MIPs are exact up to patterns realised only on lower-dimensional sets (and HiGHS's
            // tolerances). With zero biases every hyperplane passes through 0, where every pattern
            // is "realised", so there they are sound but not tight.
            if (p !== '2' && bias !== 'zero') expect(m).toBeLessThanOrEqual(exact * (1 + 1e-4) + 1e-9);
          }
          const lower = lowerBound(net, query, { timeLimit: 0.1, seed });
          expect(lower.witness.value).toBeLessThanOrEqual(exact + tol);
          expect(regionRadius(net, lower.witness.x)).toBeGreaterThan(0);
          expect(operatorNorm(jacobian(net, lower.witness.x), p)).toBe(lower.witness.value);
          if (b) lower.witness.x.forEach((x, i) => expect(x >= b.lo[i] && x <= b.hi[i]).toBe(true));
          for (const s of sampleCandidates(net, query, 200, seed)) expect(s.value).toBeLessThanOrEqual(exact + tol);
        }
      }
    }
  });
});

describe('certified bounds', () => {
  it('uses the exact solver when the net is small enough', async () => {
    const net = sampleNetwork({ inputDim: 2, widths: [8], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 3 });
    const r = await certifiedBounds(net, { norm: '2', box: null }, { timeLimit: 5 });
    expect(r.exact).not.toBeNull();
    expect(r.lower).toBe(r.exact);
    expect(r.upper).toBe(r.exact);
    expect(r.gap).toBe(1);
    expect(operatorNorm(jacobian(net, r.witness), '2')).toBeCloseTo(r.exact!, 12);
  });
  it('brackets the exact value when exact is forbidden, and stays sound under every transformation', async () => {
    const net = sampleNetwork({ inputDim: 2, widths: [5, 5], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 5 });
    const stream = createStream(2, 'bounds-transform');
    for (const p of ['2', 'inf'] as Norm[]) {
      const exact = exactValue(exactLipschitz(net, { norm: p, box: null }));
      for (const t of [{ name: 'identity', net, factor: 1, norms: NORMS }, ...standardTransformations(net, stream)]) {
        if (!t.norms.includes(p)) continue;
        const r = await certifiedBounds(t.net, { norm: p, box: null }, { timeLimit: 0.6, maxExactRegions: 1 });
        expect(r.exact).toBeNull();
        const target = t.factor * exact;
        expect(r.lower, t.name).toBeLessThanOrEqual(target * (1 + SLACK));
        expect(r.upper, t.name).toBeGreaterThanOrEqual(target * (1 - SLACK));
        expect(r.gap).toBeGreaterThanOrEqual(1);
        expect(operatorNorm(jacobian(t.net, r.witness), p)).toBeCloseTo(r.lower, 12);
      }
    }
  });
  it('closes the ℓ2 bracket of a low-dimensional deep net by branching on activation patterns when exact is forbidden', async () => {
    const net = sampleNetwork({ inputDim: 3, widths: [6, 6, 6], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 11 });
    const exact = exactValue(exactLipschitz(net, { norm: '2', box: null }));
    const r = await certifiedBounds(net, { norm: '2', box: null }, { timeLimit: 4, maxExactRegions: 1, targetGap: 1.01 });
    const branch = r.methods['pattern-branch'];
    expect(branch, Object.keys(r.methods).join(', ')).toBeDefined();
    expect(branch.value).toBeGreaterThanOrEqual(exact * (1 - SLACK));
    expect(r.lower).toBeLessThanOrEqual(exact * (1 + SLACK));
    // LipSDP alone stays well above the constant on deep nets; the branch and bound gets within the target gap.
    expect(r.methods['lipsdp'].value).toBeGreaterThan(1.05 * exact);
    expect(r.upper).toBeLessThanOrEqual(1.01 * r.lower * (1 + SLACK));
  });
  it('flags a pattern-agnostic best upper bound', async () => {
    // Large enough that no MIP or exact run happens in the time given.
    const net = sampleNetwork({ inputDim: 12, widths: [256, 256], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 1 });
    const r = await certifiedBounds(net, { norm: '2', box: null }, { timeLimit: 1 });
    expect(r.lower).toBeLessThanOrEqual(r.upper);
    expect(r.diagnosis.warnings.join(' ')).toMatch(/ignores which activation patterns are realisable/);
    expect(r.methods['operator-norm-product'].patternAgnostic).toBe(true);
  });
});

describe('line search', () => {
  it('finds the exact maximum along a line through a 1-D problem', () => {
    const net = sampleNetwork({ inputDim: 1, widths: [6, 6], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 2 });
    const exact = exactValue(exactLipschitz(net, { norm: '2', box: null }));
    const w = lineSearch(net, { norm: '2', box: null }, Float64Array.of(0), Float64Array.of(1));
    expect(w.value).toBeCloseTo(exact, 12);
  });
});

describe('regressions from review', () => {
  it('MIP-based upper bounds stay sound at tiny weight scales (outputs ×1e-10)', async () => {
    const net = (await import('../../src/io/readNetwork.js')).readNetworkFile('fixtures/regression/tiny-outputs.json');
    for (const p of NORMS) {
      const r = await certifiedBounds(net, { norm: p, box: null }, { timeLimit: 2 });
      expect(r.lower).toBeGreaterThan(0);
      expect(r.upper, p).toBeGreaterThanOrEqual(r.lower);
      expect(r.diagnosis.warnings.join(' ')).not.toMatch(/discarded/);
    }
  });
  it('a first layer scaled ×1e10 still gets witnesses (the kink test is relative)', async () => {
    const net = (await import('../../src/io/readNetwork.js')).readNetworkFile('fixtures/regression/huge-first-layer.json');
    const r = await certifiedBounds(net, { norm: '2', box: null }, { timeLimit: 2 });
    expect(r.lower).toBeGreaterThan(0);
    expect(Number.isFinite(r.gap)).toBe(true);
  });
  it('the safety net discards a planted upper bound below the witness, and only that one', () => {
    const methods: Record<string, MethodReport> = {
      broken: { kind: 'upper', value: 0.9, seconds: 0, note: 'planted' },
      sound: { kind: 'upper', value: 1.5, seconds: 0 },
      'rounding-level': { kind: 'upper', value: 1 - 1e-12, seconds: 0 },
      search: { kind: 'lower', value: 0.5, seconds: 0 },
    };
    const warnings = discardBelowWitness(methods, 1);
    expect(warnings).toEqual(['broken gave 0.9, below the witness value 1: discarded as a numerical failure']);
    expect(methods.broken.value).toBe(Infinity);
    expect(methods.broken.note).toMatch(/^planted; discarded: 0.9 fell below a witness/);
    expect([methods.sound.value, methods['rounding-level'].value, methods.search.value]).toEqual([1.5, 1 - 1e-12, 0.5]);
  });
});

describe('affine networks (no hidden layer)', () => {
  it('bounds are exact at any input dimension, and the MIP objectives are the numbers themselves', async () => {
    const stream = createStream(4, 'affine');
    const rows = Array.from({ length: 3 }, () => Array.from({ length: 10 }, () => stream.gaussian()));
    const net = { inputDim: 10, layers: [{ outDim: 3, inDim: 10, weights: Float64Array.from(rows.flat()), biases: Float64Array.of(0, 1, 2) }] };
    for (const p of NORMS) {
      const expected = operatorNorm({ rows: 3, cols: 10, data: net.layers[0].weights }, p);
      const r = await certifiedBounds(net, { norm: p, box: null }, { timeLimit: 2 });
      expect(r.exact).toBeCloseTo(expected, 12);
      expect(r.gap).toBe(1);
    }
    const domain = queryDomain(net, null);
    const e = new Float64Array(10);
    e[0] = 1;
    const col = (await lipschitzMip(net, domain, { kind: 'forward-l1', w: e }, 1)).upper;
    expect(col).toBeGreaterThanOrEqual(rows.reduce((s, r) => s + Math.abs(r[0]), 0));
    expect(col).toBeLessThanOrEqual(rows.reduce((s, r) => s + Math.abs(r[0]), 0) * (1 + 1e-9));
  });
  it('the affine objective stays an upper bound when its terms cancel', async () => {
    // −0.1 − 0.2 + 0.3 computes to −5.55e-17; the exact sum of these doubles is −2.78e-17.
    const net = { inputDim: 3, layers: [{ outDim: 1, inDim: 3, weights: Float64Array.of(-0.1, -0.2, 0.3), biases: Float64Array.of(0) }] };
    const r = await lipschitzMip(net, queryDomain(net, null), { kind: 'directional', w: Float64Array.of(1, 1, 1), v: Float64Array.of(1) }, 1);
    expect(r.upper).toBeGreaterThanOrEqual(-2.7755575615628914e-17);
  });
});
