import { describe, expect, it } from 'vitest';
import { ldexp } from '../../../src/linalg/verifiedDefinite.js';
import { boxFromPairs } from '../../../src/lipschitz/query.js';
import { verifiedMatrix } from '../../../src/lipschitz/upper/sdp/certificate.js';
import { eclipseFastMultipliers } from '../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { boxStates } from '../../../src/lipschitz/upper/sdp/lipSdp.js';
import { sdpProblem, type SdpProblem } from '../../../src/lipschitz/upper/sdp/problem.js';
import type { Network } from '../../../src/network/network.js';
import { sampleNetwork } from '../../../src/network/sample.js';
import { parseBiasLaw } from '../../../src/random/biasLaws.js';
import { add, dyadic, mul, sign, type Dyadic } from '../../support/exactArithmetic.js';

const ZERO: Dyadic = { m: 0n, e: 0 };
const neg = (a: Dyadic): Dyadic => ({ m: -a.m, e: a.e });

/**
 * F(ρ, τ) of LipSDP with the stable neurons eliminated, in exact dyadic arithmetic, written here
 * independently of lmi.ts and problem.ts: over (x₀, unstable neurons), from the (rescaled) weights.
 */
function exactF(net: Network, states: Int8Array[] | null, problem: SdpProblem, tau: Float64Array, rho: number): Dyadic[] {
  const d = net.inputDim;
  const n = problem.hidden;
  const size = d + n;
  const L = net.layers.length - 1;
  const W = net.layers.map((l, k) => Array.from(l.weights, (w) => dyadic(ldexp(w, problem.layerExponents[k]))));
  const incoming: Dyadic[][] = [];
  let E: (Dyadic[] | null)[] = Array.from({ length: d }, (_, j) => Array.from({ length: size }, (_, c) => (c === j ? dyadic(1) : ZERO)));
  let B: Dyadic[][] = [];
  for (let l = 0; l <= L; l++) {
    const layer = net.layers[l];
    const next: (Dyadic[] | null)[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      const state = l < L ? (states ? states[l][i] : -1) : 2;
      if (state === 0) {
        next.push(null);
        continue;
      }
      let v: Dyadic[] = Array(size).fill(ZERO);
      for (let j = 0; j < layer.inDim; j++) {
        const e = E[j];
        if (!e) continue;
        const w = W[l][i * layer.inDim + j];
        v = v.map((x, c) => add(x, mul(w, e[c])));
      }
      if (state === 1) next.push(v);
      else if (state === -1) {
        const p = incoming.length;
        incoming.push(v);
        next.push(Array.from({ length: size }, (_, c) => (c === d + p ? dyadic(1) : ZERO)));
      } else B.push(v);
    }
    E = next;
  }
  const F: Dyadic[] = Array(size * size).fill(ZERO);
  const addAt = (i: number, j: number, x: Dyadic) => (F[i * size + j] = add(F[i * size + j], x));
  for (let i = 0; i < d; i++) addAt(i, i, dyadic(rho));
  incoming.forEach((a, p) => {
    const t = dyadic(tau[p]);
    addAt(d + p, d + p, mul(dyadic(2), t));
    for (let c = 0; c < size; c++) {
      if (a[c].m === 0n) continue;
      const x = neg(mul(t, a[c]));
      addAt(c, d + p, x);
      addAt(d + p, c, x);
    }
  });
  for (const b of B) for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) addAt(i, j, neg(mul(b[i], b[j])));
  return F;
}

/** |computed − exact| ≤ radius, exactly (scale: both sides times `factor`, a double). */
function contains(values: Float64Array, radius: Float64Array, exact: Dyadic[], factor = 1): boolean {
  const f = dyadic(factor);
  return exact.every((x, i) => {
    const diff = add(mul(f, dyadic(values[i])), neg(x));
    const r = mul(f, dyadic(radius[i]));
    return sign(add(diff, neg(r))) <= 0 && sign(add(neg(diff), neg(r))) <= 0;
  });
}

const normal = parseBiasLaw('normal:1');

describe('the certificate matrix contains the exact one (step 2 of certificate.ts, checked in exact arithmetic)', () => {
  it('global problems: the Schur complement K, with ρ·K compared exactly', () => {
    for (const [d, widths, k, seed] of [[3, [5, 4], 2, 1], [2, [6, 3, 3], 1, 2]] as [number, number[], number, number][]) {
      const net = sampleNetwork({ inputDim: d, widths, bias: normal, weights: 'he-fanout', seed, outputs: k });
      const setup = sdpProblem(net, null);
      if (setup.kind !== 'problem') throw new Error(setup.kind);
      const problem = setup.problem;
      const start = eclipseFastMultipliers(problem)!;
      const tau = start.tau;
      const rho = start.rho * 1.3;
      const m = verifiedMatrix(problem, tau, rho);
      expect(m.form).toBe('schur');
      // Exact K = H − CCᵀ/ρ: ρ·K = ρ·H − CCᵀ, from the exact F's blocks.
      const F = exactF(net, null, problem, tau, rho);
      const size = d + problem.hidden;
      const n = problem.hidden;
      const rhoK: Dyadic[] = [];
      for (let p = 0; p < n; p++) {
        for (let q = 0; q < n; q++) {
          let v = mul(dyadic(rho), F[(d + p) * size + d + q]);
          for (let j = 0; j < d; j++) v = add(v, neg(mul(F[j * size + d + p], F[j * size + d + q])));
          rhoK.push(v);
        }
      }
      expect(contains(m.values, m.radius, rhoK, rho)).toBe(true);
      // And a radius of zero would not do: rounding is real.
      expect(contains(m.values, new Float64Array(m.radius.length), rhoK, rho)).toBe(false);
    }
  });

  it('local problems with active neurons (rows composed through them): the full F', () => {
    let checked = 0;
    for (const seed of [3, 4, 5, 6]) {
      const net = sampleNetwork({ inputDim: 2, widths: [6, 6, 4], bias: normal, weights: 'he-fanout', seed, outputs: 2 });
      const box = boxFromPairs([[0.6, 1.2], [-0.9, -0.3]], 2);
      const states = boxStates(net, box)!;
      const setup = sdpProblem(net, states);
      if (setup.kind !== 'problem') continue;
      const problem = setup.problem;
      const composed = problem.incoming.some((a) => a.error.some((e) => e > 0)) || problem.output.some((b) => b.error.some((e) => e > 0));
      const tau = eclipseFastMultipliers(problem)!.tau;
      const rho = 3;
      const m = verifiedMatrix(problem, tau, rho);
      const F = exactF(net, states, problem, tau, rho);
      expect(contains(m.values, m.radius, F)).toBe(true);
      if (composed) {
        checked++;
        expect(m.form).toBe('full');
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
