import { describe, expect, it } from 'vitest';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { activationPattern, jacobianOfPattern } from '../../src/network/evaluate.js';
import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import { createStream } from '../../src/random/stream.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { dualDirection, patternAscent, realisePattern, shallowLineAscent } from '../../src/lipschitz/lower/shallowSearch.js';
import { witnessAt } from '../../src/lipschitz/lower/witness.js';
import { shallowL1PatternMax } from '../../src/lipschitz/upper/shallowL1.js';
import { shallowZonotopeBound } from '../../src/lipschitz/upper/zonotope.js';
import { standardBrackets } from '../../src/lipschitz/brackets.js';
import { eigenDecomposition } from '../../src/linalg/eigen.js';
import { symmetricEigen } from '../../src/linalg/jacobi.js';
import { makeNetwork, type Network } from '../../src/network/network.js';
import { bruteForceLipschitz } from '../support/bruteForce.js';

const normal = parseBiasLaw('normal:1');
const NORMS: Norm[] = ['2', '1', 'inf'];
const shallow = (d: number, N: number, seed: string, weights: 'he-fanout' | 'unnormalised' = 'he-fanout') => sampleNetwork({ inputDim: d, widths: [N], bias: normal, weights, seed });

/** max over every 0/1 pattern (realisable or not) of the gradient's dual norm: the independent answer. */
function allPatternsMax(net: Network, norm: Norm): number {
  const N = net.layers[0].outDim;
  let best = 0;
  for (let mask = 0; mask < 1 << N; mask++) {
    const pattern = [Uint8Array.from({ length: N }, (_, j) => (mask >> j) & 1)];
    best = Math.max(best, operatorNorm(jacobianOfPattern(net, pattern), norm));
  }
  return best;
}

describe('realisable-pattern search (one hidden layer)', () => {
  it('realises any pattern exactly when N ≤ d', () => {
    const s = createStream(1, 'realise');
    for (const [d, N] of [[5, 5], [12, 7], [40, 40]]) {
      const net = shallow(d, N, `realise-${d}`);
      for (let r = 0; r < 5; r++) {
        const sigma = Uint8Array.from({ length: N }, () => (s.uniform() < 0.5 ? 1 : 0));
        const x = realisePattern(net, sigma)!;
        expect(Array.from(activationPattern(net, x)[0])).toEqual(Array.from(sigma));
        expect(witnessAt(net, x, '2').value).toBeGreaterThan(-Infinity); // well inside its region
      }
    }
  });
  it('finds the largest pattern when N ≤ d, which is then the exact constant (every norm)', () => {
    for (const norm of NORMS) {
      for (const [d, N, seed] of [[3, 3, 'a'], [6, 6, 'b'], [10, 8, 'c']] as const) {
        const net = shallow(d, N, seed);
        const best = allPatternsMax(net, norm);
        const r = patternAscent(net, norm, { starts: 32, seed: 1 });
        expect(r.witness.value).toBeCloseTo(best, 10);
        expect(witnessAt(net, r.witness.x, norm).value).toBe(r.witness.value); // a true witness
      }
      // And the exact solver agrees with the all-patterns maximum at N ≤ d.
      const net = shallow(3, 3, 'a');
      const exact = exactLipschitz(net, { norm, box: null });
      expect(exact.kind === 'exact' && exact.lipschitz).toBeCloseTo(allPatternsMax(net, norm), 10);
    }
  });
  it('never exceeds the exact constant when N > d (patterns are not all realisable then)', () => {
    for (const norm of NORMS) {
      const net = shallow(2, 12, `wide-${norm}`);
      const r = patternAscent(net, norm, { starts: 16, seed: 2 });
      const exact = exactLipschitz(net, { norm, box: null });
      if (exact.kind !== 'exact') throw new Error('exact failed');
      expect(r.witness.value).toBeLessThanOrEqual(exact.lipschitz * (1 + 1e-12));
      expect(r.patternValue).toBeGreaterThanOrEqual(r.witness.value); // the unrealised optimum is an over-estimate
    }
    expect(() => patternAscent(sampleNetwork({ inputDim: 2, widths: [3, 3], bias: normal, weights: 'he-fanout', seed: 1 }), '2', { starts: 1, seed: 0 })).toThrow(/one hidden layer/);
  });
});

describe('line ascent (one hidden layer)', () => {
  it('climbs from its starts to certified witnesses at or below the exact constant', () => {
    for (const norm of NORMS) {
      const net = shallow(3, 24, `climb-${norm}`);
      const start = witnessAt(net, Float64Array.from([0.1, -0.2, 0.3]), norm);
      const w = shallowLineAscent(net, norm, [start], { seed: 3 });
      const exact = exactLipschitz(net, { norm, box: null });
      if (exact.kind !== 'exact') throw new Error('exact failed');
      expect(w.value).toBeGreaterThan(start.value);
      expect(w.value).toBeLessThanOrEqual(exact.lipschitz * (1 + 1e-12));
      expect(witnessAt(net, w.x, norm).value).toBe(w.value);
      expect(w.value).toBeGreaterThan(0.5 * exact.lipschitz); // a local climb, but not a weak one
    }
  });
  it('gives the dual direction of each norm', () => {
    const g = Float64Array.from([3, -4, 0]);
    expect(Array.from(dualDirection(g, '2'))).toEqual([0.6, -0.8, 0]);
    expect(Array.from(dualDirection(g, 'inf'))).toEqual([1, -1, 1]);
    expect(Array.from(dualDirection(g, '1'))).toEqual([0, -1, 0]);
    expect(Array.from(dualDirection(new Float64Array(2), '2'))).toEqual([1, 0]);
  });
});

describe('pattern-max ℓ1 bound', () => {
  it('equals the all-patterns maximum of ‖∇f‖_∞ and bounds Lip₁ from above', () => {
    for (const [d, N] of [[2, 10], [5, 9], [8, 4]]) {
      const net = shallow(d, N, `l1-${d}`);
      const bound = shallowL1PatternMax(net);
      const all = allPatternsMax(net, '1');
      expect(bound).toBeGreaterThanOrEqual(all);
      expect(bound).toBeLessThanOrEqual(all * (1 + 1e-13));
      const exact = exactLipschitz(net, { norm: '1', box: null });
      expect(exact.kind === 'exact' && bound >= exact.lipschitz).toBe(true);
    }
    expect(() => shallowL1PatternMax(sampleNetwork({ inputDim: 2, widths: [3, 3], bias: normal, weights: 'he-fanout', seed: 1 }))).toThrow(/one hidden layer/);
  });
});

describe('eigenDecomposition', () => {
  it('matches Jacobi and satisfies A·v = λ·v beyond the Jacobi size (n = 48, entries ×1e-200)', () => {
    const n = 48;
    const s = createStream(4, 'eigen');
    for (const scale of [1, 1e-200]) {
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = scale * s.gaussian();
      const fast = eigenDecomposition(A, n);
      const slow = symmetricEigen(A, n);
      const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
      sorted(fast.values).forEach((v, i) => expect(Math.abs(v - sorted(slow.values)[i])).toBeLessThan(1e-10 * scale));
      for (let c = 0; c < n; c += 7) {
        for (let i = 0; i < n; i++) {
          let av = 0;
          for (let j = 0; j < n; j++) av += A[i * n + j] * fast.vectors[j * n + c];
          expect(Math.abs(av - fast.values[c] * fast.vectors[i * n + c])).toBeLessThan(1e-10 * scale);
        }
      }
    }
  });
});

describe('standardBrackets', () => {
  it('brackets the exact constant on tiny nets in every norm when made to search (shallow; deep for p = 2, ∞)', async () => {
    const provider = standardBrackets({ exactRegions: 0, samples: 256, climbs: 1 });
    for (const norm of NORMS) {
      for (const widths of norm === '1' ? [[5]] : [[5], [4, 4]]) {
        const net = sampleNetwork({ inputDim: 2, widths, bias: normal, weights: 'he-fanout', seed: `tiny-${norm}-${widths.length}` });
        const b = await provider.bracket(net, norm);
        const truth = bruteForceLipschitz(net, norm, null).lipschitz; // independent of lipcheck's solver
        expect(b.exact).toBe(false);
        expect(b.lower).toBeLessThanOrEqual(truth * (1 + 1e-9));
        expect(b.upper).toBeGreaterThanOrEqual(truth * (1 - 1e-9));
        expect(witnessAt(net, b.witness, norm).value).toBe(b.lower);
        if (widths.length === 2 && norm === 'inf') expect(b.upperMethod).toBe('relaxed-jacobian'); // tighter than the interval bound here
      }
    }
  });
  it('is exact where the region budget allows and tight at N = d otherwise (d = 20)', async () => {
    const provider = standardBrackets();
    const small = await provider.bracket(shallow(3, 8, 'small'), '2');
    expect(small.exact).toBe(true);
    expect(small.lowerMethod).toBe('exact');
    const net = shallow(20, 20, 'mid');
    const l1 = await provider.bracket(net, '1');
    expect(l1.upper / l1.lower).toBeLessThan(1 + 1e-9); // the pattern-max bound is reached: every pattern is realisable
    expect(l1.upperMethod).toBe('pattern-max');
    const l2 = await provider.bracket(net, '2');
    expect(l2.upper / l2.lower).toBeLessThan(1.1);
    expect(l2.upperMethod).toBe('zonotope');
    const linf = await provider.bracket(net, 'inf');
    expect(linf.upper / linf.lower).toBeLessThan(1.5);
    expect(linf.upperMethod).toBe('√d × zonotope');
    // A deterministic effort: the same bracket twice.
    expect((await provider.bracket(net, '2')).lower).toBe(l2.lower);
  });
  it('uses the zonotope beyond its default cap when allowed, and falls back to cheap bounds when not', async () => {
    const net = shallow(80, 80, 'wide80');
    expect(shallowZonotopeBound(net, null, { timeLimit: Infinity, maxIterations: 2 })).toBeNull();
    const z = shallowZonotopeBound(net, null, { timeLimit: Infinity, maxIterations: 4, maxInputDim: 80 })!;
    const lower = patternAscent(net, '2', { starts: 8, seed: 0 }).witness.value;
    expect(z.upper).toBeGreaterThanOrEqual(lower);
    expect(z.upper / lower).toBeLessThan(1.2);
    const capped = await standardBrackets({ zonotopeMaxInputDim: 64, samples: 0 }).bracket(net, '2');
    expect(capped.upperMethod).not.toBe('zonotope');
    expect(capped.upper).toBeGreaterThan(z.upper);
  });
  it('handles an affine network (no hidden layer) exactly', async () => {
    const net = makeNetwork(3, [{ inDim: 3, outDim: 1, weights: Float64Array.from([3, -4, 0]), biases: Float64Array.from([1]) }]);
    const b = await standardBrackets({ exactRegions: 0 }).bracket(net, '2');
    expect(b.exact).toBe(true);
    expect(b.lower).toBeCloseTo(5, 12);
  });
});
