import { describe, expect, it } from 'vitest';
import { verifiedMatrix } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import type { Network } from '../../../../../src/network/network.js';
import { add, dyadic, mul, type Dyadic } from '../../../../support/exactArithmetic.js';
import { abs, less, neg } from '../../../../support/exactLp.js';
import { deepNet, netOf, pairNet, problemOf } from '../../../../support/sdpUnits.js';

/**
 * Step 2 of certificate.ts in both directions, in exact dyadic arithmetic: the radius of every entry
 * of the Schur complement K = H − CCᵀ/ρ covers the first-order worst case of the rounding of the
 * computation as written (so a radius that holds for these numbers only by luck fails), and it is not
 * grossly loose (at most 8 times that worst case, plus 2⁻¹⁰⁰⁰ for the underflow allowances).
 *
 * Worst case, u = 2⁻⁵³: an entry x₀ − Σ_{i≤k} fl(p_i) of F (x₀ exact, k products subtracted in turn)
 * is off by up to (k + 1)·u·M, M = |x₀| + Σ|p_i|. On two neurons p, q of the first layer (both coupled
 * to the input) K_pq = fl(Ĥ_pq − fl(fl(fl(τ_p·τ_q)·Ĝ_pq)/ρ)) adds one subtraction to Ĥ's chain
 * ((k + 2)·u·M), four roundings to the Schur term S = τ_pτ_q·G_pq/ρ (4u·|S|), and Ĝ = fl(Σ_j W_pj·W_qj)
 * is off by up to d·u·(|W||W|ᵀ)_pq, times τ_pτ_q/ρ.
 */

const U: Dyadic = { m: 1n, e: -53 };
/** a ≤ b exactly. */
const atMost = (a: Dyadic, b: Dyadic) => !less(b, a);

interface Entry {
  first: Dyadic;
  terms: Dyadic[];
}

/**
 * H (F's hidden block) of a global problem entry by entry, from the weights (every neuron unstable,
 * layer exponents 0): 2τ_p on the diagonal, the products τ_q·W[q ← p] where p feeds q, and b_p·b_q
 * of every output row b on the last hidden layer. Also each first-layer neuron's input row τ_p·W₀[p].
 */
function hiddenEntries(net: Network, tau: Float64Array): { H: Entry[]; coupling: Dyadic[][]; coupled: number; n: number } {
  const L = net.layers.length - 1;
  const offsets: number[] = [];
  let n = 0;
  for (let l = 0; l < L; l++) {
    offsets.push(n);
    n += net.layers[l].outDim;
  }
  const H: Entry[] = Array.from({ length: n * n }, () => ({ first: dyadic(0), terms: [] }));
  const at = (p: number, q: number) => H[Math.min(p, q) * n + Math.max(p, q)];
  for (let p = 0; p < n; p++) at(p, p).first = dyadic(2 * tau[p]);
  for (let l = 1; l < L; l++) {
    const layer = net.layers[l];
    for (let i = 0; i < layer.outDim; i++) {
      for (let j = 0; j < layer.inDim; j++) at(offsets[l - 1] + j, offsets[l] + i).terms.push(mul(dyadic(tau[offsets[l] + i]), dyadic(layer.weights[i * layer.inDim + j])));
    }
  }
  const out = net.layers[L];
  for (let o = 0; o < out.outDim; o++) {
    for (let i = 0; i < out.inDim; i++) {
      for (let j = i; j < out.inDim; j++) at(offsets[L - 1] + i, offsets[L - 1] + j).terms.push(mul(dyadic(out.weights[o * out.inDim + i]), dyadic(out.weights[o * out.inDim + j])));
    }
  }
  const first = net.layers[0];
  const coupling = Array.from({ length: first.outDim }, (_, p) => Array.from(first.weights.subarray(p * first.inDim, (p + 1) * first.inDim), (w) => mul(dyadic(tau[p]), dyadic(w))));
  return { H, coupling, coupled: first.outDim, n };
}

/**
 * For every entry of K: the exact ρ·K_pq, ρ times the worst case of its rounding (above), and
 * whether the computed radius covers it and stays within 8 times it (+ 2⁻¹⁰⁰⁰).
 */
function checkRadius(net: Network, tau: Float64Array, rho: number): { covers: boolean; tight: boolean; contains: boolean } {
  const problem = problemOf(net);
  const m = verifiedMatrix(problem, tau, rho);
  expect(m.form).toBe('schur');
  const { H, coupling, coupled, n } = hiddenEntries(net, tau);
  expect(m.size).toBe(n);
  const d = net.inputDim;
  const R = dyadic(rho);
  let covers = true;
  let tight = true;
  let contains = true;
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      const h = H[Math.min(p, q) * n + Math.max(p, q)];
      let exactH = h.first;
      let magnitude = abs(h.first);
      for (const t of h.terms) {
        exactH = add(exactH, neg(t));
        magnitude = add(magnitude, abs(t));
      }
      let rhoK = mul(R, exactH);
      let worst: Dyadic;
      if (p < coupled && q < coupled) {
        // ρ·S = Σ_j (τ_p W_pj)(τ_q W_qj) exactly; the Gram error d·u·τ_pτ_q·Σ|W_pj W_qj| = d·u·Σ|(τ_pW_pj)(τ_qW_qj)|.
        let rhoS = dyadic(0);
        let gramMagnitude = dyadic(0);
        for (let j = 0; j < d; j++) {
          const t = mul(coupling[p][j], coupling[q][j]);
          rhoS = add(rhoS, t);
          gramMagnitude = add(gramMagnitude, abs(t));
        }
        rhoK = add(rhoK, neg(rhoS));
        worst = add(add(mul(mul(R, dyadic(h.terms.length + 2)), mul(U, magnitude)), mul(dyadic(4), mul(U, abs(rhoS)))), mul(dyadic(d), mul(U, gramMagnitude)));
      } else {
        worst = mul(R, mul(dyadic(h.terms.length + 1), mul(U, magnitude)));
      }
      const rhoRadius = mul(R, dyadic(m.radius[p * n + q]));
      const difference = add(mul(R, dyadic(m.values[p * n + q])), neg(rhoK));
      if (!atMost(abs(difference), rhoRadius)) contains = false;
      if (!atMost(worst, rhoRadius)) covers = false;
      if (!atMost(rhoRadius, add(mul(dyadic(8), worst), mul(R, dyadic(2 ** -1000))))) tight = false;
    }
  }
  return { covers, tight, contains };
}

describe('the verified matrix’s radius: the worst case of its rounding, not much more (exact arithmetic)', () => {
  it('one hidden layer: every entry of K couples to the input and meets the output row', () => {
    for (const [tau, rho] of [[Float64Array.of(3, 0.7), 5], [Float64Array.of(0.9, 2.2), 0.6]] as const) {
      expect(checkRadius(pairNet, tau, rho)).toEqual({ covers: true, tight: true, contains: true });
    }
  });

  it('three hidden layers: Schur entries, entries of later layers (H only) and exact zeros', () => {
    for (const [tau, rho] of [[Float64Array.of(2.6, 2.9, 2.4, 1.2, 1.3), 12], [Float64Array.of(0.4, 1.9, 0.8, 3.1, 0.2), 1.5]] as const) {
      expect(checkRadius(deepNet, tau, rho)).toEqual({ covers: true, tight: true, contains: true });
    }
  });

  it('four hidden layers: layers 1 and 3 never meet, so those entries are exact zeros with an allowance of order 2⁻¹⁰⁷⁴ only', () => {
    const four = netOf(2, [[[1, 0.4], [-0.6, 1.3]], [0.1, -0.2]], [[[0.8, -1.1], [0.5, 0.9]], [0, 0]], [[[1.2, 0.3], [-0.7, 1.0]], [0, 0]], [[[1.1, -0.8]], [0]]);
    expect(checkRadius(four, Float64Array.of(2.1, 1.7, 1.4, 2.2, 0.9, 1.6), 4)).toEqual({ covers: true, tight: true, contains: true });
  });

  it('more inputs than first-layer neurons: the Gram matrix’s own error grows with d', () => {
    const wide = netOf(5, [[[0.9, -0.5, 0.2, 0.7, -1.1], [0.3, 1.2, -0.7, -0.4, 0.6]], [0.1, -0.2]], [[[1.0, -0.8]], [0]]);
    expect(checkRadius(wide, Float64Array.of(1.4, 0.9), 3)).toEqual({ covers: true, tight: true, contains: true });
  });

  it('multipliers so small that τ_p·τ_q underflows: the absolute allowance still contains the exact K', () => {
    // Layer 1's neurons of deepNet meet no output row: K_pq = −τ_pτ_q·G_pq/ρ for p ≠ q there, all of it below 2⁻¹⁰⁷⁴.
    const tiny = Float64Array.of(1.3 * 2 ** -560, 0.7 * 2 ** -560, 1.1 * 2 ** -561, 1.2, 1.3);
    for (const rho of [0.01, 3]) expect(checkRadius(deepNet, tiny, rho).contains).toBe(true);
  });
});
