import { describe, expect, it } from 'vitest';
import { DEFAULT_EFFORT, standardBrackets, type Bracket, type BracketEffort } from '../../../src/lipschitz/brackets.js';
import { queryDomain } from '../../../src/lipschitz/domain.js';
import { intervalJacobianBound } from '../../../src/lipschitz/upper/intervals.js';
import { relaxedJacobianBound } from '../../../src/lipschitz/upper/jacobianRelaxation.js';
import { operatorNormProduct } from '../../../src/lipschitz/upper/operatorNorms.js';
import { shallowL1PatternMax } from '../../../src/lipschitz/upper/shallowL1.js';
import { shallowZonotopeBound } from '../../../src/lipschitz/upper/zonotope.js';
import { jacobian } from '../../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../../src/linalg/norms.js';
import type { Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { CANCELLING, CANCELLING_LIP, net, randomNet } from '../../support/lipschitzUnits.js';

// Hand-made shallow nets whose constants follow from their gradients, region by region (k = 1, so
// Lip_p = max over regions of ‖g‖_{p′}: ‖g‖₂ for p = 2, ‖g‖_∞ for p = 1, ‖g‖₁ for p = ∞).
/** relu(x₁) + relu(x₂): gradients (0,0), (1,0), (0,1), (1,1). */
const H1 = net(2, [[[1, 0], [0, 1]], [0, 0]], [[[1, 1]], [0]]);
/** x₁ + relu(x₂) with a cancelling pair (test/support/lipschitzUnits.ts). */
const H2 = CANCELLING;
/** relu(x₁ + x₂) + relu(x₁ − x₂): gradients (0,0), (1,1), (1,−1), (2,0). */
const H3 = net(2, [[[1, 1], [1, -1]], [0, 0]], [[[1, 1]], [0]]);
const LIP: Record<string, Record<Norm, number>> = {
  H1: { '2': Math.SQRT2, '1': 1, inf: 2 },
  H2: CANCELLING_LIP,
  H3: { '2': 2, '1': 2, inf: 2 },
};
const NETS = { H1, H2, H3 };
const NORMS: Norm[] = ['2', '1', 'inf'];
const SLACK = 1e-12;

/** A candidate upper bound, its value known up to [lo, hi] (the provider rounds products up). */
type Expected = { method: string; lo: number; hi: number };
const exactly = (method: string, v: number): Expected => ({ method, lo: v, hi: v });
const roundedUp = (method: string, v: number): Expected => ({ method, lo: v, hi: v * (1 + 1e-15) });

/** The bounds the provider should weigh, computed here from the modules that make each one. */
function candidates(n: Network, norm: Norm, zonotope: boolean, effort: BracketEffort = DEFAULT_EFFORT): Expected[] {
  const domain = queryDomain(n, null);
  const out = [exactly('operator-norm-product', operatorNormProduct(n, norm)), exactly('interval-jacobian', intervalJacobianBound(n, domain, norm).value)];
  if (n.layers.length > 2) out.push(exactly('relaxed-jacobian', relaxedJacobianBound(n, domain, norm).value));
  if (n.layers.length === 2 && n.layers[1].outDim === 1) {
    const sqrtD = Math.sqrt(n.inputDim);
    if (norm === '1') out.push(exactly('pattern-max', shallowL1PatternMax(n)));
    if (norm === '2') out.push(roundedUp('√d × pattern-max ℓ1', shallowL1PatternMax(n) * sqrtD));
    const z = zonotope ? shallowZonotopeBound(n, null, { timeLimit: Infinity, maxIterations: effort.zonotopeIterations, maxInputDim: effort.zonotopeMaxInputDim }) : null;
    if (z) out.push(norm === '2' ? exactly('zonotope', z.upper) : norm === 'inf' ? roundedUp('√d × zonotope', z.upper * sqrtD) : exactly('zonotope (ℓ∞ ≤ ℓ2)', z.upper));
  }
  return out;
}

/** The bracket's upper end is its method's value and no candidate is lower (the first of equals wins). */
function expectTightest(b: Bracket, expected: Expected[]) {
  const i = expected.findIndex((c) => c.method === b.upperMethod);
  expect(i, `${b.upperMethod} among ${expected.map((c) => c.method).join(', ')}`).toBeGreaterThanOrEqual(0);
  expect(b.upper).toBeGreaterThanOrEqual(expected[i].lo);
  expect(b.upper).toBeLessThanOrEqual(expected[i].hi);
  expected.forEach((c, j) => (j < i ? expect(c.lo, c.method).toBeGreaterThan(b.upper) : expect(c.hi, c.method).toBeGreaterThanOrEqual(b.upper)));
}

/** The witness re-evaluates to the lower end, which is at most the constant, and the upper end at least. */
function expectSound(n: Network, norm: Norm, b: Bracket, lip: number) {
  expect(operatorNorm(jacobian(n, b.witness), norm)).toBe(b.lower);
  expect(b.lower).toBeLessThanOrEqual(lip * (1 + SLACK));
  expect(b.upper).toBeGreaterThanOrEqual(lip * (1 - SLACK));
}

describe('standardBrackets: exact where the region count allows', () => {
  it('closes the bracket by the exact solver for small shallow nets, at the hand-computed constant', async () => {
    const provider = standardBrackets();
    expect(provider.name).toBe('standard');
    for (const [name, n] of Object.entries(NETS)) {
      for (const norm of NORMS) {
        const b = await provider.bracket(n, norm);
        expect([b.exact, b.lowerMethod, b.upperMethod], name).toEqual([true, 'exact', 'exact']);
        expect(b.lower).toBe(b.upper);
        expect(b.upper).toBeCloseTo(LIP[name][norm], 12);
        expectSound(n, norm, b, LIP[name][norm]);
      }
    }
  });
  it('tries exact only up to Σ_{j≤d} C(N, j) regions (7 for d = 2, N = 3), or for an affine net always', async () => {
    expect((await standardBrackets({ exactRegions: 7 }).bracket(H2, '2')).exact).toBe(true);
    expect((await standardBrackets({ exactRegions: 6, samples: 8 }).bracket(H2, '2')).exact).toBe(false);
    // d = 3, N = 2: 1 + 2 + 1 regions (C(2, 3) = 0).
    const wide = net(3, [[[1, 0, 0], [0, 1, 1]], [0, 0]], [[[1, 1]], [0]]);
    expect((await standardBrackets({ exactRegions: 4 }).bracket(wide, '2')).exact).toBe(true);
    expect((await standardBrackets({ exactRegions: 3, samples: 8 }).bracket(wide, '2')).exact).toBe(false);
    const affine = net(2, [[[3, -4]], [1]]);
    for (const norm of NORMS) {
      const b = await standardBrackets({ exactRegions: 0 }).bracket(affine, norm);
      expect([b.exact, b.lower, b.upper]).toEqual([true, ...Array(2).fill(norm === '2' ? 5 : norm === '1' ? 4 : 7)]);
    }
  });
  it('tries deep nets exactly when d ≤ 3 and the hidden neurons are at most exactDeepNeurons', async () => {
    const quick = { climbs: 0, samples: 8 }; // where exact is not tried, a short search
    const s = createStream(12, 'test/unit/brackets-deep');
    const deep = randomNet(s, 2, [2, 2]);
    expect((await standardBrackets({ exactDeepNeurons: 4 }).bracket(deep, '2')).exact).toBe(true);
    expect((await standardBrackets({ exactDeepNeurons: 3, ...quick }).bracket(deep, '2')).exact).toBe(false);
    expect((await standardBrackets({ exactRegions: 0, exactDeepNeurons: 4, ...quick }).bracket(deep, '2')).exact).toBe(false);
    const deep3 = randomNet(s, 3, [2, 2]);
    expect((await standardBrackets({ exactDeepNeurons: 4 }).bracket(deep3, '1')).exact).toBe(true);
    const deep4 = randomNet(s, 4, [1, 1]);
    expect((await standardBrackets({ exactDeepNeurons: 4, ...quick }).bracket(deep4, '1')).exact).toBe(false);
  });
});

describe('standardBrackets without the exact solver', () => {
  it('shallow scalar nets: the tightest of the cheap bounds (and the zonotope while open), sound on every norm', async () => {
    for (const [name, n] of Object.entries(NETS)) {
      for (const norm of NORMS) {
        const b = await standardBrackets({ exactRegions: 0 }).bracket(n, norm);
        expect(b.exact).toBe(false);
        expectSound(n, norm, b, LIP[name][norm]);
        const closedEarly = b.lower >= b.upper * (1 - 1e-12);
        expectTightest(b, candidates(n, norm, !closedEarly));
        expect(['pattern search', 'line ascent', 'sampling']).toContain(b.lowerMethod);
      }
    }
  });
  it('stops at the pattern search once it meets a cheap bound (no zonotope), goes on while open', async () => {
    // H1, p = 1: the pattern search finds ‖(1,1)‖_∞ = 1, which pattern-max (also 1) meets.
    const h1 = await standardBrackets({ exactRegions: 0 }).bracket(H1, '1');
    expect([h1.lowerMethod, h1.upperMethod]).toEqual(['pattern search', 'pattern-max']);
    // H3, p = ∞: the cheap bounds stay at 3 and 4 (all four patterns count), the zonotope gives 2√2.
    const h3 = await standardBrackets({ exactRegions: 0 }).bracket(H3, 'inf');
    expect(h3.upperMethod).toBe('√d × zonotope');
    expect(h3.upper).toBeLessThan(3);
    // Without the zonotope (d above its cap) the interval bound is the best.
    const capped = await standardBrackets({ exactRegions: 0, zonotopeMaxInputDim: 1 }).bracket(H3, 'inf');
    expect(capped.upperMethod).toBe('interval-jacobian');
    expect(capped.upper).toBeCloseTo(3, 12);
  });
  it('names the search that found the witness: pattern search, line ascent from samples, or the best sample', async () => {
    const noPatterns = await standardBrackets({ exactRegions: 0, patternStarts: 0 }).bracket(H1, '2');
    expect(noPatterns.lowerMethod).toBe('line ascent');
    expect(noPatterns.lower).toBeCloseTo(Math.SQRT2, 14);
    const samplesOnly = await standardBrackets({ exactRegions: 0, patternStarts: 0, lineStarts: 0 }).bracket(H2, '1');
    expect(samplesOnly.lowerMethod).toBe('sampling');
    expectSound(H2, '1', samplesOnly, 1);
    const nothing = await standardBrackets({ exactRegions: 0, patternStarts: 0, lineStarts: 0, samples: 0 }).bracket(H2, '2');
    expect([nothing.lower, nothing.lowerMethod]).toEqual([-Infinity, 'pattern search']);
    expect(nothing.upper).toBeGreaterThanOrEqual(Math.SQRT2);
  });
  it('deep nets: the best of the samples or the region-crossing climbs, against the norm product, interval and relaxed bounds', async () => {
    const s = createStream(13, 'test/unit/brackets-deep-open');
    const deep = randomNet(s, 2, [3, 2]);
    for (const norm of NORMS) {
      const e = await standardBrackets({ exactDeepNeurons: 32 }).bracket(deep, norm);
      expect(e.exact).toBe(true);
      const sampled = await standardBrackets({ exactRegions: 0, climbs: 0, samples: 64 }).bracket(deep, norm);
      expect(sampled.lowerMethod).toBe('sampling');
      expectSound(deep, norm, sampled, e.lower);
      expectTightest(sampled, candidates(deep, norm, false));
      const one = await standardBrackets({ exactRegions: 0, climbs: 0, samples: 0 }).bracket(deep, norm);
      expect(one.lower).toBeGreaterThan(0); // at least one sample
      const climbed = await standardBrackets({ exactRegions: 0, climbs: 2 }).bracket(deep, norm);
      expect(climbed.lowerMethod).toMatch(/^lower-bound search \([12] climbs\)$/);
      expectSound(deep, norm, climbed, e.lower);
      expect(climbed.upper).toBe(sampled.upper);
    }
  });
  it('with the pattern search off, the zonotope is the tightest bound of fixed-seed shallow nets: ℓ2 as it is, p = ∞ times √d', async () => {
    const s = createStream(81, 'test/unit/brackets-zonotope');
    const [first, , , fourth] = Array.from({ length: 4 }, () => randomNet(s, 3, [6]));
    const noPatterns = standardBrackets({ exactRegions: 0, patternStarts: 0 });
    const two = await noPatterns.bracket(first, '2');
    expect(two.upperMethod).toBe('zonotope');
    expectTightest(two, candidates(first, '2', true));
    const inf = await noPatterns.bracket(fourth, 'inf');
    expect(inf.upperMethod).toBe('√d × zonotope');
    expectTightest(inf, candidates(fourth, 'inf', true));
  });
  it('two-output shallow nets take the deep route (no pattern search), and the same seed gives the same bracket', async () => {
    const s = createStream(14, 'test/unit/brackets-k2');
    const n = randomNet(s, 2, [3], 2);
    const a = await standardBrackets({ exactRegions: 0, climbs: 0, samples: 16 }).bracket(n, '2');
    expect(a.lowerMethod).toBe('sampling');
    expectTightest(a, candidates(n, '2', false));
    const b = await standardBrackets({ exactRegions: 0, climbs: 0, samples: 16 }).bracket(n, '2');
    expect([b.lower, b.upper, Array.from(b.witness)]).toEqual([a.lower, a.upper, Array.from(a.witness)]);
  });
});
