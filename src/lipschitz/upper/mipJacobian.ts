import type { Network } from '../../network/network.js';
import type { MipModel } from './mipModel.js';
import { widen } from './rounding.js';

/**
 * The Jacobian half of lipschitzMip.ts's programs: given the network's gates δ (binaries, or
 * fixed for stable neurons), the objective — vᵀJw, ‖Jw‖₁ or ‖vᵀJ‖₁ — in forward or reverse mode,
 * where every product of a gate and a bounded quantity is linearised exactly.
 *
 * Every quantity is held in a column scaled by its own power of two (`Scaled`: true value =
 * scale × column), chosen from its interval bound so that each column lies in [−2, 2]: Jacobian
 * entries range over many orders of magnitude (a neuron scaled by 4e8 with its output scaled back,
 * a box 1e-11 wide whose first layer is 1e11 in input units), and a solver with absolute tolerances
 * (1e-9) would see the small ones as noise. Powers of two keep every rescaling exact; a coefficient
 * that becomes negligible (≤ MIP_SMALL_COEFFICIENT) is moved into its row's range by mipModel.ts,
 * which then costs at most that much relative to an O(1) column. The costs are rescaled by one more
 * power of two, `costScale`, so the objective is of order 1 too.
 */
export type MipObjective =
  | { readonly kind: 'directional'; readonly w: Float64Array; readonly v: Float64Array }
  | { readonly kind: 'forward-l1'; readonly w: Float64Array }
  | { readonly kind: 'reverse-l1'; readonly v: Float64Array };

/** A quantity held as scale × column. */
interface Scaled {
  readonly col: number;
  readonly scale: number;
}

type Interval = { lo: Float64Array; hi: Float64Array };

/** The largest power of two ≤ m (1 for 0 or a non-finite m). */
export function powerOfTwoBelow(m: number): number {
  return m > 0 && Number.isFinite(m) ? 2 ** Math.floor(Math.log2(m)) : 1;
}

function intervalThroughReLU(t: Interval, state: Int8Array): Interval {
  const lo = new Float64Array(t.lo.length);
  const hi = new Float64Array(t.lo.length);
  // Stryker disable next-line EqualityOperator: at i = lo.length, state[i] is undefined: neither branch writes
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

/** [lo, hi] of M·x for x in an interval (M rows × cols, row-major, or its transpose), widened for rounding. */
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
 * Adds the objective's columns and rows to `mip` (whose first columns encode the network, with
 * gate `delta[ℓ][i]` per hidden neuron and `states` from the interval bounds) and sets its costs.
 * The MIP's optimum times `costScale` is the objective's maximum; `objectiveScale` is an interval
 * bound on its magnitude over every pattern (true units), for the solver's absolute errors.
 */
export function encodeJacobianObjective(
  mip: MipModel,
  net: Network,
  states: readonly Int8Array[],
  delta: readonly (readonly number[])[],
  objective: MipObjective,
): { costScale: number; objectiveScale: number } {
  const L = net.layers.length;
  /**
   * A column for a quantity known to lie in [lo, hi] (true units), formed from terms of magnitude
   * up to `largestTerm`: its scale is not taken below 2⁻⁴⁰ of that, so no coefficient of its row
   * exceeds 2⁴⁰ (a sum that cancels to nothing stays a small column, not a huge coefficient).
   */
  const scaledColumn = (lo: number, hi: number, largestTerm = 0): Scaled => {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: (for `true` and `>=`: largestTerm = 0 then gives the floor 2⁻⁴⁰) only the column's power-of-two scale changes, not the quantity it encodes
    const scale = Math.max(powerOfTwoBelow(Math.max(Math.abs(lo), Math.abs(hi))), largestTerm > 0 ? powerOfTwoBelow(largestTerm) * 2 ** -40 : 0);
    // Dividing by a power of two is exact unless the result is subnormal: then widen by one.
    return { col: mip.addColumn(lo / scale - Number.MIN_VALUE, hi / scale + Number.MIN_VALUE), scale };
  };

  /** δ ⊙ t for one neuron, t ∈ [tl, tu] given as a scaled column or a constant; same scale as t. */
  const gated = (state: number, dlt: number, t: Scaled | { constant: number }, tl: number, tu: number): Scaled => {
    if (!('col' in t)) {
      const scale = powerOfTwoBelow(Math.abs(t.constant));
      const c = t.constant / scale;
      // Stryker disable next-line ConditionalExpression: (for `false`) a stable neuron then gets the free gate's column and row s = c·δ with δ fixed at its state: s = c or 0 all the same
      if (state !== -1) return { col: state === 1 ? mip.addColumn(c, c) : mip.addColumn(0, 0), scale };
      const s = mip.addColumn(Math.min(0, c), Math.max(0, c));
      mip.addRow([[s, 1], [dlt, -c]], 0, 0); // s = c·δ
      return { col: s, scale };
    }
    const scale = t.scale;
    const [l, u] = [tl / scale, tu / scale];
    // Stryker disable next-line ConditionalExpression: (for `false`) a dead neuron then gets the free gate's rows with δ fixed at 0, which say s = 0 too
    if (state === 0) return { col: mip.addColumn(0, 0), scale };
    const s = mip.addColumn(state === 1 ? l : Math.min(0, l), state === 1 ? u : Math.max(0, u));
    // Stryker disable next-line ConditionalExpression: (for `false`) an active neuron then gets the free gate's rows with δ fixed at 1, which say s = t too
    if (state === 1) mip.addRow([[s, 1], [t.col, -1]], 0, 0);
    else {
      mip.addRow([[s, 1], [dlt, -u]], -Infinity, 0);
      mip.addRow([[s, 1], [dlt, -l]], 0, Infinity);
      mip.addRow([[s, 1], [t.col, -1], [dlt, -l]], -Infinity, -l);
      mip.addRow([[s, 1], [t.col, -1], [dlt, -u]], -u, Infinity);
    }
    return { col: s, scale };
  };

  /** Scaled columns equal to M·x (or Mᵀ·x with `transpose`), bounded by `bounds` (true units). */
  const product = (M: Float64Array, rows: number, cols: number, x: readonly Scaled[], bounds: Interval, transpose: boolean): Scaled[] =>
    Array.from({ length: transpose ? cols : rows }, (_, o) => {
      const inner = transpose ? rows : cols;
      const coefficient = (m: number) => (transpose ? M[m * cols + o] : M[o * cols + m]);
      let largest = 0;
      for (let m = 0; m < inner; m++) largest = Math.max(largest, Math.abs(coefficient(m) * x[m].scale));
      const out = scaledColumn(bounds.lo[o], bounds.hi[o], largest);
      const terms: [number, number][] = [[out.col, 1]];
      for (let m = 0; m < inner; m++) if (coefficient(m) !== 0) terms.push([x[m].col, -(coefficient(m) * x[m].scale) / out.scale]);
      mip.addRow(terms, 0, 0);
      return out;
    });

  /** Columns q_r ≥ |x_r| at the optimum (one binary each), for x_r ∈ [−B_r, B_r] in column units. */
  const absoluteValues = (xs: readonly Scaled[], bound: readonly number[]): Scaled[] =>
    xs.map((x, r) => {
      const B = Math.max(bound[r] / x.scale, 1e-300);
      const q = mip.addColumn(-B, B);
      const sign = mip.addColumn(0, 1, { integer: true });
      mip.addRow([[q, 1], [x.col, -1], [sign, 2 * B]], -Infinity, 2 * B); // q ≤ x + 2B(1 − σ)
      mip.addRow([[q, 1], [x.col, 1], [sign, -2 * B]], -Infinity, 0); // q ≤ −x + 2Bσ
      return { col: q, scale: x.scale };
    });

  const gatedConstants = (c: Float64Array, layer: number): Scaled[] => Array.from(c, (value, i) => gated(states[layer][i], delta[layer][i], { constant: value }, value, value));
  const costs: [number, number][] = []; // (column, cost in true units)
  const magnitude = (t: Interval, r: number) => Math.max(Math.abs(t.lo[r]), Math.abs(t.hi[r]));
  const last = net.layers[L - 1];
  const k = last.outDim;
  const d = net.inputDim;
  let objectiveScale = 0;
  if (objective.kind === 'directional' || objective.kind === 'forward-l1') {
    // Forward mode along w: t₀ = W₀w (constants), s_ℓ = δ_ℓ ⊙ t_ℓ, t_{ℓ+1} = W_{ℓ+1} s_ℓ.
    const first = net.layers[0];
    const t0 = new Float64Array(first.outDim);
    // Stryker disable next-line EqualityOperator: at i = first.outDim the writes fall past the end of t0 (no-ops)
    for (let i = 0; i < first.outDim; i++) for (let j = 0; j < d; j++) t0[i] += first.weights[i * d + j] * objective.w[j];
    let sInterval = intervalThroughReLU({ lo: t0, hi: t0 }, states[0]);
    let s = gatedConstants(t0, 0);
    // Stryker disable next-line EqualityOperator: the loop always leaves by the break at l = L − 1
    for (let l = 1; l < L; l++) {
      const layer = net.layers[l];
      const tInterval = intervalProduct(layer.weights, layer.outDim, layer.inDim, sInterval, false);
      const t = product(layer.weights, layer.outDim, layer.inDim, s, tInterval, false);
      if (l === L - 1) {
        // t is the output J w.
        const B = Array.from({ length: k }, (_, r) => magnitude(tInterval, r));
        if (objective.kind === 'directional') {
          t.forEach((x, r) => costs.push([x.col, objective.v[r] * x.scale]));
          objectiveScale = B.reduce((acc, b, r) => acc + b * Math.abs(objective.v[r]), 0);
        } else {
          absoluteValues(t, B).forEach((q) => costs.push([q.col, q.scale]));
          objectiveScale = B.reduce((acc, b) => acc + b, 0);
        }
        break;
      }
      s = t.map((x, i) => gated(states[l][i], delta[l][i], x, tInterval.lo[i], tInterval.hi[i]));
      sInterval = intervalThroughReLU(tInterval, states[l]);
    }
  } else {
    // Reverse mode for vᵀJ: y_{L−1} = W_Lᵀ v (constants), r_ℓ = δ_ℓ ⊙ y_ℓ, y_{ℓ−1} = W_ℓᵀ r_ℓ, g = W₀ᵀ r₀.
    const v = objective.v;
    const yLast = new Float64Array(last.inDim);
    // Stryker disable next-line AssignmentOperator,EqualityOperator: reverse mode serves only ‖vᵀJ‖₁, which −yLast (every column negated) leaves unchanged; at j = last.inDim the write falls past the end
    for (let r = 0; r < k; r++) for (let j = 0; j < last.inDim; j++) yLast[j] += v[r] * last.weights[r * last.inDim + j];
    let rInterval = intervalThroughReLU({ lo: yLast, hi: yLast }, states[L - 2]);
    let rCols = gatedConstants(yLast, L - 2);
    for (let l = L - 2; l >= 0; l--) {
      const layer = net.layers[l];
      const yInterval = intervalProduct(layer.weights, layer.outDim, layer.inDim, rInterval, true);
      const y = product(layer.weights, layer.outDim, layer.inDim, rCols, yInterval, true);
      if (l === 0) {
        const B = Array.from({ length: d }, (_, j) => magnitude(yInterval, j));
        absoluteValues(y, B).forEach((q) => costs.push([q.col, q.scale]));
        objectiveScale = B.reduce((acc, b) => acc + b, 0);
        break;
      }
      rCols = y.map((x, j) => gated(states[l - 1][j], delta[l - 1][j], x, yInterval.lo[j], yInterval.hi[j]));
      rInterval = intervalThroughReLU(yInterval, states[l - 1]);
    }
  }
  const costScale = powerOfTwoBelow(costs.reduce((m, [, c]) => Math.max(m, Math.abs(c)), 0));
  for (const [col, c] of costs) mip.setCost(col, c / costScale);
  return { costScale, objectiveScale };
}
