import { describe, expect, it } from 'vitest';
import { Budget } from '../../src/lipschitz/budget.js';
import { queryDomain } from '../../src/lipschitz/domain.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { boxFromPairs, type Box } from '../../src/lipschitz/query.js';
import { intervalJacobianBound, neuronStates } from '../../src/lipschitz/upper/intervals.js';
import { relaxedJacobianBound } from '../../src/lipschitz/upper/jacobianRelaxation.js';
import { linearPreActivationBounds } from '../../src/lipschitz/upper/linearBounds.js';
import { operatorNormProduct } from '../../src/lipschitz/upper/operatorNorms.js';
import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import { forward, jacobian } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';
import { add, dyadic, mul, sign, type Dyadic } from '../support/exactArithmetic.js';
import { python } from '../support/python.js';

const he = (d: number, widths: number[], bias: string, seed: number, outputs = 1) =>
  sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(bias), weights: 'he-fanout', seed, outputs });

function exact(net: Network, norm: Norm, box: Box | null): number {
  const r = exactLipschitz(net, { norm, box });
  if (r.kind !== 'exact') throw new Error(r.message);
  return r.lipschitz;
}

const NORMS: Norm[] = ['inf', '1', '2'];

/**
 * Whether `value` ≥ ‖J(x)‖_{p→p} exactly, J the exact product W_L D ⋯ D W₀ at x's pattern in
 * BigInt arithmetic (p = 2 only for one output: the gradient's norm, compared squared).
 */
function exceedsExactNorm(net: Network, x: number[], p: Norm, value: number): boolean {
  const pattern = forward(net, x).preActivations.map((z) => Array.from(z, (v) => v > 0));
  const L = net.layers.length;
  let J: Dyadic[][] = Array.from({ length: net.layers[L - 1].outDim }, (_, r) =>
    Array.from(net.layers[L - 1].weights.subarray(r * net.layers[L - 1].inDim, (r + 1) * net.layers[L - 1].inDim), dyadic),
  );
  for (let l = L - 2; l >= 0; l--) {
    const layer = net.layers[l];
    J = J.map((row) =>
      Array.from({ length: layer.inDim }, (_, c) => {
        let s = dyadic(0);
        row.forEach((y, i) => {
          if (pattern[l][i]) s = add(s, mul(y, dyadic(layer.weights[i * layer.inDim + c])));
        });
        return s;
      }),
    );
  }
  const abs = (a: Dyadic): Dyadic => (a.m < 0n ? { m: -a.m, e: a.e } : a);
  const sum = (xs: Dyadic[]) => xs.reduce(add, dyadic(0));
  const bound = dyadic(value);
  let sums: Dyadic[];
  if (p === 'inf') sums = J.map((row) => sum(row.map(abs)));
  else if (p === '1') sums = J[0].map((_, c) => sum(J.map((row) => abs(row[c]))));
  else return sign(add(mul(bound, bound), mul(dyadic(-1), sum(J[0].map((v) => mul(v, v)))))) >= 0;
  return sums.every((t) => sign(add(bound, mul(dyadic(-1), t))) >= 0);
}

describe('the relaxed (gated-chain) Jacobian bound', () => {
  it('bounds the exact constant from above, never above the interval bound: every norm, boxes and ℝᵈ, k = 1 and 2', () => {
    const cases: [number, number[], string, number][] = [
      [2, [6], 'normal:1', 1],
      [2, [4, 4], 'uniform:1', 2],
      [3, [5], 'zero', 1],
      [2, [3, 3, 3], 'student-t:1', 2],
    ];
    for (const [d, widths, bias, outputs] of cases) {
      for (let seed = 0; seed < 2; seed++) {
        const net = he(d, widths, bias, seed, outputs);
        const box = boxFromPairs(Array.from({ length: d }, (_, k) => [-0.6 + 0.1 * k, 0.4] as [number, number]), d);
        for (const b of [box, null]) {
          const domain = queryDomain(net, b);
          for (const p of NORMS) {
            const value = exact(net, p, b);
            const r = relaxedJacobianBound(net, domain, p);
            const label = `${d}-d ${widths} ${bias} k=${outputs} seed ${seed} p=${p} ${b ? 'box' : 'global'}`;
            expect(r.value, label).toBeGreaterThanOrEqual(value * (1 - 1e-12));
            expect(r.value, label).toBeLessThanOrEqual(intervalJacobianBound(net, domain, p).value * (1 + 1e-12));
            expect(r.value).toBeLessThanOrEqual(r.interval);
            expect(r.stoppedEarly).toBe(false);
          }
        }
      }
    }
  });

  it('stays sound with near-duplicate, negated, cancelling and zero neurons', () => {
    const w = [0.7, -1.1];
    const net = makeNetwork(2, [
      denseLayer([w, w.map((v) => v * (1 + 1e-6)), w.map((v) => -v), [0, 0], [1, 1]], [0.3, 0.3, -0.3, 0.5, -0.2]),
      denseLayer([[1, -1, 1, 2, 0.5], [1, 1, 0, 0, -1]], [0.1, -0.1]),
      denseLayer([[1, -2]], [0]),
    ]);
    const box = boxFromPairs([[-1, 1], [-0.5, 1.5]], 2);
    for (const b of [box, null]) {
      for (const p of NORMS) {
        const r = relaxedJacobianBound(net, queryDomain(net, b), p);
        expect(r.value, `${p} ${b ? 'box' : 'global'}`).toBeGreaterThanOrEqual(exact(net, p, b) * (1 - 1e-12));
      }
    }
  });

  it('equals the exact constant on a box where every neuron is stable (p = 1, ∞; p = 2 for k = 1)', () => {
    for (const outputs of [1, 3]) {
      const net = he(3, [6, 5], 'normal:1', 11, outputs);
      const x0 = [0.2, -0.4, 0.7];
      // Shrink the box until the pre-activation bounds prove every neuron stable.
      let r = 0.1;
      let domain = queryDomain(net, boxFromPairs(x0.map((v) => [v - r, v + r] as [number, number]), 3));
      while (neuronStates(linearPreActivationBounds(net, domain)).some((s) => s.some((v) => v === -1))) {
        r /= 2;
        domain = queryDomain(net, boxFromPairs(x0.map((v) => [v - r, v + r] as [number, number]), 3));
      }
      for (const p of outputs === 1 ? NORMS : (['inf', '1'] as Norm[])) {
        const target = operatorNorm(jacobian(net, x0), p);
        const bound = relaxedJacobianBound(net, domain, p);
        expect(bound.unstable).toBe(0);
        expect(Math.abs(bound.value - target)).toBeLessThan(1e-12 * target);
        // Not below the exact norm of the exact Jacobian (BigInt arithmetic): the rounding margin is there.
        expect(exceedsExactNorm(net, x0, p, bound.value)).toBe(true);
      }
    }
  });

  it('agrees with an independent numpy implementation of the chain bound, and beats intervals there', () => {
    const net = he(20, [30, 30], 'normal:1', 3, 3);
    const s = createStream(5, 'centre');
    const box = boxFromPairs(Array.from({ length: 20 }, () => {
      const c = s.gaussian();
      return [c - 0.05, c + 0.05] as [number, number];
    }), 20);
    const domain = queryDomain(net, box);
    const pre = linearPreActivationBounds(net, domain);
    const states = neuronStates(pre);
    const unstable = states.flat().length;
    expect(unstable).toBeGreaterThan(0);
    const layers = net.layers.map((l) => Array.from({ length: l.outDim }, (_, i) => Array.from(l.weights.subarray(i * l.inDim, (i + 1) * l.inDim))));
    // Plain numpy, no rounding margins: ranges by back-substitution with the chord λh/2 + |λ|ρ/2 on
    // free gates, objective rows the same way (rows of W_L for ∞ and 2, of W₀ᵀ on the transposed chain for 1).
    const reference = python<Record<string, number>>(
      `
import json, sys, numpy as np
inp = json.load(sys.stdin)
W = [np.array(w) for w in inp['layers']]; S = [np.array(s) for s in inp['states']]
def chain(Ms, gates, dual):
    nrm = (lambda M: np.abs(M).sum(1)) if dual == 1 else (lambda M: np.sqrt((M ** 2).sum(1)))
    rho = [nrm(Ms[0])]
    def back(lam, top):
        const = np.zeros(lam.shape[0])
        for l in range(top, -1, -1):
            g = gates[l]
            const += (np.abs(lam) * rho[l] / 2 * (g == -1)).sum(1)
            lam = np.where(g == 1, lam, np.where(g == 0, 0.0, lam / 2)) @ Ms[l]
        return const + nrm(lam)
    for l in range(1, len(Ms) - 1):
        ibp = np.abs(Ms[l]) @ np.where(gates[l - 1] == 0, 0.0, rho[-1])
        rho.append(np.minimum(ibp, back(Ms[l], l - 1)))
    return back(Ms[-1], len(Ms) - 2)
out = {'inf': chain(W, S, 1).max(), '1': chain([w.T for w in W[::-1]], S[::-1], 1).max(), '2': float(np.sqrt((chain(W, S, 2) ** 2).sum()))}
print(json.dumps({k: float(v) for k, v in out.items()}))
`,
      { layers, states: states.map((a) => Array.from(a)) },
    );
    for (const p of NORMS) {
      const r = relaxedJacobianBound(net, domain, p, { preBounds: pre });
      expect(r.chain).not.toBeNull();
      expect(Math.abs(r.chain! - reference[p])).toBeLessThan(1e-10 * reference[p]);
      expect(r.chain!).toBeGreaterThanOrEqual(reference[p]);
      expect(r.chain!, p).toBeLessThan(r.interval);
    }
  });

  it('stays sound on a box far from the origin with kinks inside (centre 1e8, width 1e-3)', () => {
    const c = 1e8;
    const rows = [[1, 0.5], [-0.7, 1.3], [0.25, -1], [2, 1]];
    const offsets = [1e-4, -2e-4, 5e-5, 0];
    const net = makeNetwork(2, [
      denseLayer(rows, rows.map((w, i) => -(w[0] + w[1]) * c + offsets[i])),
      denseLayer([[1, -1, 0.5, 0.25], [-0.5, 1, 1, -1], [0.2, 0.2, -1, 1]], [1e-5, -2e-5, 0]),
      denseLayer([[1, -1, 2], [0.5, 1, -1]], [0, 0]),
    ]);
    const box = boxFromPairs([[c - 5e-4, c + 5e-4], [c - 5e-4, c + 5e-4]], 2);
    const domain = queryDomain(net, box);
    for (const p of NORMS) {
      const r = relaxedJacobianBound(net, domain, p);
      expect(r.unstable).toBeGreaterThan(0);
      expect(r.value, p).toBeGreaterThanOrEqual(exact(net, p, box) * (1 - 1e-12));
    }
  });

  it('overflowing weights give infinite bounds, never NaN', () => {
    const base = he(2, [4, 4, 4], 'normal:1', 1);
    const net = makeNetwork(2, base.layers.map((l) => ({ ...l, weights: l.weights.map((w) => w * 1e120), biases: l.biases.map((b) => b * 1e120) })));
    for (const b of [null, boxFromPairs([[-1, 1], [-1, 1]], 2)]) {
      const domain = queryDomain(net, b);
      const pre = linearPreActivationBounds(net, domain);
      expect(pre.hi.flatMap((a) => Array.from(a)).some((v) => v === Infinity)).toBe(true);
      expect([...pre.lo, ...pre.hi].every((a) => a.every((v) => !Number.isNaN(v)))).toBe(true);
      for (const p of NORMS) {
        const r = relaxedJacobianBound(net, domain, p, { preBounds: pre });
        expect([r.value, r.chain, r.interval]).toEqual([Infinity, Infinity, Infinity]);
      }
    }
  });

  it('is the operator norm for an affine network (p = 1, ∞; p = 2 for k = 1)', () => {
    for (const rows of [[[1, -2, 0.5], [0.25, 3, -1]], [[1, -2, 0.5]]]) {
      const net = makeNetwork(3, [denseLayer(rows, rows.map(() => 1))]);
      for (const p of rows.length === 1 ? NORMS : (['inf', '1'] as Norm[])) {
        const target = operatorNorm({ rows: rows.length, cols: 3, data: net.layers[0].weights }, p);
        const r = relaxedJacobianBound(net, queryDomain(net, null), p);
        expect(r.value).toBeGreaterThanOrEqual(target);
        expect(r.value).toBeLessThan(target * (1 + 1e-12));
      }
    }
  });

  it('falls back to the interval bound, row by row, when the budget runs out, and stays sound', () => {
    const net = he(3, [5, 5], 'normal:1', 6, 2);
    const domain = queryDomain(net, null);
    const pre = linearPreActivationBounds(net, domain);
    for (const p of NORMS) {
      const target = exact(net, p, null);
      const none = relaxedJacobianBound(net, domain, p, { preBounds: pre, budget: new Budget(-1) });
      expect(none.stoppedEarly).toBe(true);
      expect(none.chain).toBeNull();
      expect(none.value).toBe(none.interval);
      // Ranges done (one block), objective rows not reached: still the interval value, and sound.
      let calls = 0;
      const partial = { exceeded: () => (++calls > 1 ? 'time' : null) } as unknown as Budget;
      const some = relaxedJacobianBound(net, domain, p, { preBounds: pre, budget: partial });
      expect(some.stoppedEarly).toBe(true);
      expect(some.value).toBeGreaterThanOrEqual(target * (1 - 1e-12));
      expect(some.value).toBeLessThanOrEqual(some.interval);
    }
  });
});
