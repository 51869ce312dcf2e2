import { makeNetwork, type Network } from '../../network/network.js';
import type { Pattern } from '../../network/evaluate.js';
import type { Domain } from '../domain.js';
import { layerInputs, neuronStates, preActivationBounds, type PreActivationBounds } from './intervals.js';
import { MipModel } from './mipModel.js';
import { MIP_MARGIN, widen } from './rounding.js';

/**
 * Mixed-integer programs over the activation patterns realisable in a domain (LipMIP-style): the
 * network is encoded exactly with one binary per unstable neuron (big-M constants from interval
 * bounds), and the Jacobian along it in forward or reverse mode, where products of a binary and a
 * bounded continuous variable are linearised exactly. Every pattern of a region meeting the cube's
 * interior is feasible (and also patterns realised only on its boundary, which can only loosen the
 * bound), so the maximum is an upper bound on the Lipschitz quantity — exact up to those patterns.
 *
 * Objectives (J is the Jacobian with respect to the original input x):
 * - directional: max vᵀ J w      (p = 2 support function, p = 1 for k = 1 with w = ±e_j)
 * - forward-l1:  max ‖J w‖₁      (‖J‖_{1→1} = max_j ‖J e_j‖₁)
 * - reverse-l1:  max ‖vᵀ J‖₁     (‖J‖_{∞→∞} = max_i ‖e_iᵀ J‖₁; LipMIP's ‖∇f‖₁)
 */
export type MipObjective =
  | { readonly kind: 'directional'; readonly w: Float64Array; readonly v: Float64Array }
  | { readonly kind: 'forward-l1'; readonly w: Float64Array }
  | { readonly kind: 'reverse-l1'; readonly v: Float64Array };

export interface LipschitzMipResult {
  /** A sound upper bound: HiGHS's proven bound times (1 + MIP_MARGIN). Infinity if none. */
  readonly upper: number;
  /** The incumbent's objective (a value attained by some feasible pattern). */
  readonly incumbent: number;
  readonly status: string;
  /** The incumbent's activation pattern, to turn into a witness. */
  readonly pattern: Pattern | null;
  readonly seconds: number;
}

type Interval = { lo: Float64Array; hi: Float64Array };

function intervalThroughReLU(t: Interval, state: Int8Array): Interval {
  const lo = new Float64Array(t.lo.length);
  const hi = new Float64Array(t.lo.length);
  for (let i = 0; i < lo.length; i++) {
    if (state[i] === 1) {
      lo[i] = t.lo[i];
      hi[i] = t.hi[i];
    } else if (state[i] === -1) {
      lo[i] = Math.min(0, t.lo[i]);
      hi[i] = Math.max(0, t.hi[i]);
    }
  }
  return { lo, hi };
}

/** [lo, hi] of M·x for x in an interval (M rows × cols, row-major, or its transpose). */
function intervalProduct(M: Float64Array, rows: number, cols: number, x: Interval, transpose: boolean): Interval {
  const outLen = transpose ? cols : rows;
  const lo = new Float64Array(outLen);
  const hi = new Float64Array(outLen);
  const mag = new Float64Array(outLen);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const m = M[i * cols + j];
      if (m === 0) continue;
      const [o, s] = transpose ? [j, i] : [i, j];
      const a = m * x.lo[s];
      const b = m * x.hi[s];
      lo[o] += Math.min(a, b);
      hi[o] += Math.max(a, b);
      mag[o] += Math.max(Math.abs(a), Math.abs(b));
    }
  }
  const n = transpose ? rows : cols;
  for (let o = 0; o < outLen; o++) {
    const g = widen(n, mag[o]);
    lo[o] -= g;
    hi[o] += g;
  }
  return { lo, hi };
}

/**
 * The network rescaled so that every layer's largest |weight| is 1: W_ℓ/s_ℓ and b_ℓ/(s_0⋯s_ℓ). By
 * positive homogeneity of ReLU it computes f/(s_0⋯s_L) with the same activation regions, so its
 * Jacobians are J/(s_0⋯s_L). MIPs are solved on it: a solver's absolute tolerances (1e-9) then mean
 * the same thing at every weight scale.
 */
function normalisedNetwork(net: Network): { net: Network; scale: number } {
  let cumulative = 1;
  const layers = net.layers.map((l) => {
    let m = 0;
    for (let i = 0; i < l.weights.length; i++) m = Math.max(m, Math.abs(l.weights[i]));
    const s = m > 0 ? m : 1;
    cumulative *= s;
    return { outDim: l.outDim, inDim: l.inDim, weights: l.weights.map((w) => w / s), biases: l.biases.map((b) => b / cumulative) };
  });
  return { net: makeNetwork(net.inputDim, layers, net.meta), scale: cumulative };
}

/**
 * Builds and solves the MIP for one objective, on the normalised network (see `normalisedNetwork`),
 * and returns the bound for the original one. Any failure of the solver gives an infinite bound.
 */
export async function lipschitzMip(net: Network, domain: Domain, objective: MipObjective, timeLimit: number): Promise<LipschitzMipResult> {
  if (net.layers.length === 1) return affineObjective(net, objective);
  const { net: normal, scale } = normalisedNetwork(net);
  if (!(scale > 0 && Number.isFinite(scale))) return { upper: Infinity, incumbent: -Infinity, status: 'scale out of range', pattern: null, seconds: 0 };
  const bounds = preActivationBounds(normal, domain);
  if (unresolvable(bounds)) return { upper: Infinity, incumbent: -Infinity, status: 'domain too small for the solver', pattern: null, seconds: 0 };
  const r = await solveLipschitzMip(normal, domain, bounds, objective, timeLimit);
  const upper = r.upper === Infinity ? Infinity : r.upper * scale * (1 + 4 * 2 ** -53);
  return { ...r, upper, incumbent: r.incumbent * scale };
}

/**
 * True when an unstable neuron's pre-activation range (on the normalised network) is within 1e-6
 * of zero width: HiGHS's tolerances (1e-9) cannot then place its kink (a tiny box far from the
 * origin), and a bound from it would rest on nothing.
 */
function unresolvable(bounds: PreActivationBounds): boolean {
  return bounds.lo.some((lo, l) => lo.some((v, i) => v < 0 && bounds.hi[l][i] > 0 && bounds.hi[l][i] - v < 1e-6));
}

/**
 * An affine network has one Jacobian, J = W: the objective is a number, no MIP needed. Its
 * computed value is widened by γ·Σ|products| (`widen`), so the upper bound holds however the
 * terms cancel.
 */
function affineObjective(net: Network, objective: MipObjective): LipschitzMipResult {
  const { outDim: k, inDim: d, weights: W } = net.layers[0];
  let value = 0;
  let magnitude = 0;
  if (objective.kind === 'forward-l1') {
    for (let r = 0; r < k; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        s += W[r * d + j] * objective.w[j];
        magnitude += Math.abs(W[r * d + j] * objective.w[j]);
      }
      value += Math.abs(s);
    }
  } else {
    const v = objective.v;
    for (let j = 0; j < d; j++) {
      let s = 0;
      let m = 0;
      for (let r = 0; r < k; r++) {
        s += v[r] * W[r * d + j];
        m += Math.abs(v[r] * W[r * d + j]);
      }
      value += objective.kind === 'directional' ? s * objective.w[j] : Math.abs(s);
      magnitude += objective.kind === 'directional' ? m * Math.abs(objective.w[j]) : m;
    }
  }
  return { upper: value + widen(d * k + 2, magnitude), incumbent: value, status: 'optimal', pattern: [], seconds: 0 };
}

async function solveLipschitzMip(
  net: Network,
  domain: Domain,
  bounds: PreActivationBounds,
  objective: MipObjective,
  timeLimit: number,
): Promise<LipschitzMipResult> {
  const mip = new MipModel();
  const n = domain.n;
  const L = net.layers.length;
  const states = neuronStates(bounds);
  const inputs = layerInputs(net, domain);

  // The network: u ∈ cube, z_ℓ, a_ℓ = ρ(z_ℓ), δ_ℓ.
  const u = Array.from({ length: n }, () => mip.addColumn(-1, 1));
  if (domain.kind === 'lifted') {
    // At the apex u = (0, −1) of the homogenised cube every pre-activation is 0 and every pattern
    // would be feasible. Each cone meets the cube's surface away from the face t = 0, so restrict
    // u to the faces u_j = ±1 (j ≤ d) and t = 1, one binary per face.
    const faces: number[] = [];
    for (let j = 0; j < n; j++) {
      for (const side of j === n - 1 ? [1] : [1, -1]) {
        const beta = mip.addColumn(0, 1, { integer: true });
        faces.push(beta);
        // side·u_j ≥ 1 − 2(1 − β)  ⇔  side·u_j − 2β ≥ −1
        mip.addRow([[u[j], side], [beta, -2]], -1, Infinity);
      }
    }
    mip.addRow(faces.map((f) => [f, 1] as [number, number]), 1, Infinity);
  }
  const delta: number[][] = [];
  let prevA: number[] = [];
  for (let l = 0; l < L - 1; l++) {
    const layer = net.layers[l];
    const { P, q, error } = inputs[l];
    const lo = bounds.lo[l];
    const hi = bounds.hi[l];
    const zs: number[] = [];
    const as: number[] = [];
    const ds: number[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      const z = mip.addColumn(lo[i], hi[i]);
      const terms: [number, number][] = [[z, 1]];
      for (let k = 0; k < n; k++) terms.push([u[k], -P[i * n + k]]);
      if (l > 0) for (let j = 0; j < layer.inDim; j++) terms.push([prevA[j], -layer.weights[i * layer.inDim + j]]);
      mip.addRow(terms, q[i] - error[i], q[i] + error[i]); // q and P carry rounding (intervals.ts)
      const state = states[l][i];
      const a = mip.addColumn(0, state === 0 ? 0 : Math.max(0, hi[i]));
      const dlt = state === -1 ? mip.addColumn(0, 1, { integer: true }) : mip.addColumn(state, state);
      if (state === 1) mip.addRow([[a, 1], [z, -1]], 0, 0);
      else if (state === -1) {
        mip.addRow([[a, 1], [z, -1]], 0, Infinity); // a ≥ z
        mip.addRow([[a, 1], [z, -1], [dlt, -lo[i]]], -Infinity, -lo[i]); // a ≤ z − lo(1 − δ)
        mip.addRow([[a, 1], [dlt, -hi[i]]], -Infinity, 0); // a ≤ hi·δ
      }
      zs.push(z);
      as.push(a);
      ds.push(dlt);
    }
    delta.push(ds);
    prevA = as;
  }

  /** s = δ ⊙ t for one neuron, with t ∈ [tl, tu] given as a column or a constant. */
  const gated = (state: number, dlt: number, t: number | { constant: number }, tl: number, tu: number): number => {
    if (typeof t !== 'number') {
      // A constant times a binary: s = c·δ.
      const s = mip.addColumn(Math.min(0, t.constant), Math.max(0, t.constant));
      mip.addRow([[s, 1], [dlt, -t.constant]], 0, 0);
      return s;
    }
    if (state === 0) return mip.addColumn(0, 0);
    const s = mip.addColumn(state === 1 ? tl : Math.min(0, tl), state === 1 ? tu : Math.max(0, tu));
    if (state === 1) mip.addRow([[s, 1], [t, -1]], 0, 0);
    else {
      mip.addRow([[s, 1], [dlt, -tu]], -Infinity, 0);
      mip.addRow([[s, 1], [dlt, -tl]], 0, Infinity);
      mip.addRow([[s, 1], [t, -1], [dlt, -tl]], -Infinity, -tl);
      mip.addRow([[s, 1], [t, -1], [dlt, -tu]], -tu, Infinity);
    }
    return s;
  };

  /** ‖x‖₁ of columns with known bounds, as Σ q with one binary per entry; returns the q columns. */
  const absoluteValues = (cols: number[], bound: number[]): number[] =>
    cols.map((x, r) => {
      const B = Math.max(bound[r], 1e-300);
      const q = mip.addColumn(-B, B);
      const sigma = mip.addColumn(0, 1, { integer: true });
      mip.addRow([[q, 1], [x, -1], [sigma, 2 * B]], -Infinity, 2 * B); // q ≤ x + 2B(1 − σ)
      mip.addRow([[q, 1], [x, 1], [sigma, -2 * B]], -Infinity, 0); // q ≤ −x + 2Bσ
      return q;
    });

  /** Columns equal to M·x (or Mᵀ·x with `transpose`) for the columns x, bounded by `bounds`. */
  const productColumns = (M: Float64Array, rows: number, cols: number, x: readonly number[], bounds: Interval, transpose: boolean): number[] =>
    Array.from({ length: transpose ? cols : rows }, (_, o) => {
      const col = mip.addColumn(bounds.lo[o], bounds.hi[o]);
      const terms: [number, number][] = [[col, 1]];
      const inner = transpose ? rows : cols;
      for (let m = 0; m < inner; m++) terms.push([x[m], -(transpose ? M[m * cols + o] : M[o * cols + m])]);
      mip.addRow(terms, 0, 0);
      return col;
    });

  /** δ ⊙ c for constants c through a layer of states (the first step of either mode). */
  const gatedConstants = (c: Float64Array, layer: number): number[] =>
    Array.from(c, (value, i) => (states[layer][i] === 0 ? mip.addColumn(0, 0) : states[layer][i] === 1 ? mip.addColumn(value, value) : gated(-1, delta[layer][i], { constant: value }, value, value)));

  const last = net.layers[L - 1];
  const k = last.outDim;
  const d = net.inputDim;
  if (objective.kind === 'directional' || objective.kind === 'forward-l1') {
    // Forward mode along w: t₀ = W₀w (constants), s_ℓ = δ_ℓ ⊙ t_ℓ, t_{ℓ+1} = W_{ℓ+1} s_ℓ.
    const w = objective.w;
    const first = net.layers[0];
    const t0 = new Float64Array(first.outDim);
    for (let i = 0; i < first.outDim; i++) for (let j = 0; j < d; j++) t0[i] += first.weights[i * d + j] * w[j];
    let sInterval = intervalThroughReLU({ lo: t0, hi: t0 }, states[0]);
    let s = gatedConstants(t0, 0);
    for (let l = 1; l < L; l++) {
      const layer = net.layers[l];
      const tInterval = intervalProduct(layer.weights, layer.outDim, layer.inDim, sInterval, false);
      const t = productColumns(layer.weights, layer.outDim, layer.inDim, s, tInterval, false);
      if (l === L - 1) {
        // t is the output J w.
        if (objective.kind === 'directional') t.forEach((col, r) => mip.setCost(col, objective.v[r]));
        else {
          const B = Array.from({ length: k }, (_, r) => Math.max(Math.abs(tInterval.lo[r]), Math.abs(tInterval.hi[r])));
          absoluteValues(t, B).forEach((q) => mip.setCost(q, 1));
        }
        break;
      }
      s = t.map((col, i) => gated(states[l][i], delta[l][i], col, tInterval.lo[i], tInterval.hi[i]));
      sInterval = intervalThroughReLU(tInterval, states[l]);
    }
  } else {
    // Reverse mode for vᵀJ: y_{L−1} = W_Lᵀ v (constants), r_ℓ = δ_ℓ ⊙ y_ℓ, y_{ℓ−1} = W_ℓᵀ r_ℓ, g = W₀ᵀ r₀.
    const v = objective.v;
    const yLast = new Float64Array(last.inDim);
    for (let r = 0; r < k; r++) for (let j = 0; j < last.inDim; j++) yLast[j] += v[r] * last.weights[r * last.inDim + j];
    let rInterval = intervalThroughReLU({ lo: yLast, hi: yLast }, states[L - 2]);
    let rCols = gatedConstants(yLast, L - 2);
    for (let l = L - 2; l >= 0; l--) {
      const layer = net.layers[l];
      const yInterval = intervalProduct(layer.weights, layer.outDim, layer.inDim, rInterval, true);
      const y = productColumns(layer.weights, layer.outDim, layer.inDim, rCols, yInterval, true);
      if (l === 0) {
        const B = Array.from({ length: d }, (_, j) => Math.max(Math.abs(yInterval.lo[j]), Math.abs(yInterval.hi[j])));
        absoluteValues(y, B).forEach((q) => mip.setCost(q, 1));
        break;
      }
      rCols = y.map((col, j) => gated(states[l - 1][j], delta[l - 1][j], col, yInterval.lo[j], yInterval.hi[j]));
      rInterval = intervalThroughReLU(yInterval, states[l - 1]);
    }
  }

  const sol = await mip.maximise({ timeLimit });
  const pattern = sol.solution ? delta.map((ds) => Uint8Array.from(ds, (c) => (sol.solution![c] > 0.5 ? 1 : 0))) : null;
  const upper = sol.bound === Infinity ? Infinity : Math.max(0, sol.bound) * (1 + MIP_MARGIN) + 1e-12 * Math.abs(sol.bound) + Number.MIN_VALUE;
  return { upper, incumbent: sol.incumbent, status: sol.status, pattern, seconds: sol.seconds };
}
