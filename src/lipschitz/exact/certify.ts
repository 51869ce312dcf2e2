import { add, DYADIC_ZERO, fromDouble, mul, sign, type Dyadic } from '../../linalg/dyadic.js';
import type { Pattern } from '../../network/evaluate.js';
import type { Network } from '../../network/network.js';
import { cubeForward, type Domain } from '../domain.js';

/**
 * Certifying the activation pattern at a cube point: region search counts a region only at a point
 * where this proves every neuron's sign, so no pattern is counted that f does not realise on a set
 * of positive measure, and no degenerate network (zero rows, dead or constant neurons, exact
 * cancellations) keeps a region from being counted.
 *
 * - Floating point first: a pre-activation farther from 0 than its running error bound
 *   (domain.ts `cubeForward`) has a certain sign.
 * - What floating point cannot decide is decided in exact arithmetic (dyadic.ts), for networks of
 *   up to EXACT_WORK multiply-adds per pass: the pre-activations at the exact point x(u) — the box's
 *   centre and half-widths taken exactly, or the homogenised point — so a neuron 1e-17 from its kink
 *   (or one computing ε·x₁ with ε = 0.1·3 − 0.3 in doubles) gets its true sign.
 * - A pre-activation that is 0 (exactly, or within its error bound when the exact pass is too
 *   large) is allowed only when the neuron is constant on the piece (`pieceRowVanishes`): its row
 *   of the piece's affine map is exactly zero, so its bit does not change the piece's Jacobian.
 *   Anything else is a point on a kink: not certified.
 */

/** Past this many multiply-adds an exact pass (forward: Σ N_ℓ·N_{ℓ−1}; one row: d times that) is not attempted. */
export const EXACT_WORK = 200_000;

/**
 * The activation pattern at a cube point, and whether it is certified (see the module comment). A
 * certified pattern is the pattern of f at the real point x(u), up to the bits of neurons constant
 * on the piece (whose bits do not change its Jacobian): x(u) is an interior point of a region with
 * that Jacobian, which therefore has positive measure and meets the domain.
 */
export function certifiedPattern(net: Network, domain: Domain, u: ArrayLike<number>): { pattern: Pattern; certified: boolean } {
  const errors: Float64Array[] = [];
  const { z } = cubeForward(net, domain, u, errors);
  const pattern: Pattern = z.map((zl) => Uint8Array.from(zl, (v) => (v > 0 ? 1 : 0)));
  const uncertain = z.some((zl, l) => zl.some((v, i) => !(Math.abs(v) > errors[l][i])));
  if (!uncertain) return { pattern, certified: true };
  const hidden = net.layers.slice(0, -1);
  if (hidden.reduce((w, layer) => w + layer.outDim * layer.inDim, 0) <= EXACT_WORK) {
    const exact = exactSigns(net, domain, u);
    const exactPattern: Pattern = exact.map((sl) => Uint8Array.from(sl, (s) => (s > 0 ? 1 : 0)));
    for (let l = 0; l < exact.length; l++) {
      for (let i = 0; i < exact[l].length; i++) {
        if (exact[l][i] === 0 && !pieceRowVanishes(net, domain, exactPattern, l, i)) return { pattern: exactPattern, certified: false };
      }
    }
    return { pattern: exactPattern, certified: true };
  }
  for (let l = 0; l < z.length; l++) {
    for (let i = 0; i < z[l].length; i++) {
      if (!(Math.abs(z[l][i]) > errors[l][i]) && !pieceRowVanishes(net, domain, pattern, l, i)) return { pattern, certified: false };
    }
  }
  return { pattern, certified: true };
}

/**
 * The exact signs of every hidden pre-activation at the real point of cube point u: on a box
 * x = (lo + hi)/2 + (hi − lo)/2 ⊙ u, on the homogenised domain t·z with t = (u_{d+1} + 1)/2 > 0 and
 * t·x = S·u_{1..d} (the same signs as z at x = S·u/t). No rounding anywhere.
 */
export function exactSigns(net: Network, domain: Domain, u: ArrayLike<number>): Int8Array[] {
  const d = net.inputDim;
  const half = fromDouble(0.5);
  let h: Dyadic[];
  let t: Dyadic;
  if (domain.box) {
    const { lo, hi } = domain.box;
    h = Array.from({ length: d }, (_, k) => {
      const l = fromDouble(lo[k]);
      const r = fromDouble(hi[k]);
      const centre = mul(half, add(l, r));
      const radius = mul(half, add(r, { m: -l.m, e: l.e }));
      return add(centre, mul(radius, fromDouble(u[k])));
    });
    t = fromDouble(1);
  } else {
    const S = fromDouble(domain.scale);
    h = Array.from({ length: d }, (_, k) => mul(S, fromDouble(u[k])));
    t = mul(half, add(fromDouble(u[d]), fromDouble(1)));
  }
  const signs: Int8Array[] = [];
  for (let l = 0; l < net.layers.length - 1; l++) {
    const { outDim, inDim, weights, biases } = net.layers[l];
    const z = Array.from({ length: outDim }, (_, i) => {
      let s = mul(fromDouble(biases[i]), t);
      for (let j = 0; j < inDim; j++) {
        const w = weights[i * inDim + j];
        if (w !== 0 && h[j].m !== 0n) s = add(s, mul(fromDouble(w), h[j]));
      }
      return s;
    });
    signs.push(Int8Array.from(z, sign));
    h = z.map((v) => (v.m > 0n ? v : DYADIC_ZERO));
  }
  return signs;
}

/**
 * Whether neuron i of hidden layer l is constant on the piece of `pattern` (its bits below layer
 * l are used): its row A_ℓ[i] of the piece's affine map z_ℓ = A_ℓ·x + c_ℓ is exactly zero. Decided
 * structurally first (every path to the input passes a zero weight or an inactive neuron), then,
 * for small networks (d·work ≤ EXACT_WORK), in exact arithmetic, so that ρ(x₁) − ρ(x₁) is
 * recognised too. On a box, a coordinate of width 0 contributes nothing. False when undecided.
 */
export function pieceRowVanishes(net: Network, domain: Domain, pattern: Pattern, l: number, i: number): boolean {
  const d = net.inputDim;
  const flat = (k: number) => domain.box !== null && domain.box.lo[k] === domain.box.hi[k];
  const first = net.layers[0];
  // zero[j]: every term of row j is a zero weight, an inactive input neuron or a structurally zero one.
  let zero = Array.from({ length: first.outDim }, (_, j) => {
    for (let k = 0; k < d; k++) if (first.weights[j * d + k] !== 0 && !flat(k)) return false;
    return true;
  });
  for (let layer = 1; layer <= l; layer++) {
    const { outDim, inDim, weights } = net.layers[layer];
    const below = zero;
    zero = Array.from({ length: outDim }, (_, j) => {
      for (let k = 0; k < inDim; k++) if (weights[j * inDim + k] !== 0 && pattern[layer - 1][k] === 1 && !below[k]) return false;
      return true;
    });
  }
  if (zero[i]) return true;
  let work = 0;
  for (let layer = 0; layer <= l; layer++) work += d * net.layers[layer].outDim * net.layers[layer].inDim;
  if (l === 0 || work > EXACT_WORK) return false; // a first-layer row is its weights: not zero
  let rows: Dyadic[][] = Array.from({ length: first.outDim }, (_, j) => Array.from({ length: d }, (_, k) => (flat(k) ? DYADIC_ZERO : fromDouble(first.weights[j * d + k]))));
  for (let layer = 1; layer <= l; layer++) {
    const { outDim, inDim, weights } = net.layers[layer];
    const below = rows;
    const row = (j: number): Dyadic[] => {
      const out: Dyadic[] = Array.from({ length: d }, () => DYADIC_ZERO);
      for (let k = 0; k < inDim; k++) {
        const w = weights[j * inDim + k];
        if (w === 0 || pattern[layer - 1][k] === 0) continue;
        const wd = fromDouble(w);
        for (let c = 0; c < d; c++) out[c] = add(out[c], mul(wd, below[k][c]));
      }
      return out;
    };
    if (layer === l) return row(i).every((v) => v.m === 0n);
    rows = Array.from({ length: outDim }, (_, j) => (pattern[layer][j] === 1 ? row(j) : []));
  }
  return false;
}
