import { makeNetwork, type Network } from '../../network/network.js';
import type { Pattern } from '../../network/evaluate.js';
import type { Domain } from '../domain.js';
import { layerInputs, neuronStates, preActivationBounds, type PreActivationBounds } from './intervals.js';
import { encodeJacobianObjective, powerOfTwoBelow, type MipObjective } from './mipJacobian.js';
import { MipModel } from './mipModel.js';
import { MIP_MARGIN, widen } from './rounding.js';

export type { MipObjective } from './mipJacobian.js';

/**
 * Mixed-integer programs over the activation patterns realisable in a domain (LipMIP-style): the
 * network is encoded exactly with one binary per unstable neuron (big-M constants from interval
 * bounds), and the Jacobian along it in forward or reverse mode, where products of a binary and a
 * bounded continuous variable are linearised exactly. Every pattern of a region meeting the cube's
 * interior is feasible (and also patterns realised only on its boundary, which can only loosen the
 * bound), so the maximum is an upper bound on the Lipschitz quantity — exact up to those patterns.
 *
 * Soundness against the solver's tolerances (1e-9; rounding.ts states the rule): the network is
 * rescaled exactly (powers of two, `normalisedNetwork`), so its kinks are the network's;
 * coefficients the solver would drop are moved into their rows' ranges (mipModel.ts); and the
 * bound gets MIP_MARGIN relative plus MIP_MARGIN × an interval bound on the objective's magnitude
 * absolute.
 *
 * Objectives (J is the Jacobian with respect to the original input x):
 * - directional: max vᵀ J w      (p = 2 support function, p = 1 for k = 1 with w = ±e_j)
 * - forward-l1:  max ‖J w‖₁      (‖J‖_{1→1} = max_j ‖J e_j‖₁)
 * - reverse-l1:  max ‖vᵀ J‖₁     (‖J‖_{∞→∞} = max_i ‖e_iᵀ J‖₁; LipMIP's ‖∇f‖₁)
 */
export interface LipschitzMipResult {
  /** A sound upper bound: HiGHS's proven bound with the margins above. Infinity if none. */
  readonly upper: number;
  /** The incumbent's objective (a value attained by some feasible pattern). */
  readonly incumbent: number;
  readonly status: string;
  /** The incumbent's activation pattern, to turn into a witness. */
  readonly pattern: Pattern | null;
  readonly seconds: number;
}

/**
 * The network rescaled by powers of two, exactly, so that the MIP sees numbers of order 1: every
 * hidden neuron's row in the domain's cube coordinates (layer 0: P = W₀·half or S·W₀ and the offset
 * q; later layers: its weights and bias) has largest magnitude in [1, 2), and so does the output
 * layer. Neuron i has its row and bias divided by s_i and its outgoing column multiplied by s_i,
 * which by positive homogeneity of ReLU changes neither its kink nor the function; the output layer
 * is divided by one power of two `scale`, so the copy computes f/scale with the same activation
 * regions and Jacobians J/scale. Why each neuron: one scaled by 4e8 with its output scaled back
 * would otherwise carry its part of the Jacobian in numbers of 1e-9, inside the solver's
 * tolerances (a bound 3% below the constant). Why powers of two: dividing by the largest weight
 * itself rounds, and that moved a kink 1e-12 on a box 7e3 from the origin, across a sliver 1e-13
 * wide. A row whose division would not be exact (subnormal numbers) keeps its scale; null when a
 * multiplication by a carried factor is not exact (it would overflow).
 */
function normalisedNetwork(net: Network, domain: Domain): { net: Network; scale: number } | null {
  let exact = true;
  const times = (x: number, f: number) => {
    const y = x * f;
    if (y / f !== x || !Number.isFinite(y)) exact = false;
    return y;
  };
  const n = domain.n;
  const firstInput = layerInputs(net, domain)[0];
  let carried: number[] = Array<number>(net.inputDim).fill(1); // what each input of this layer was divided by
  let scale = 1;
  const layers = net.layers.map((layer, l) => {
    const { outDim, inDim } = layer;
    const last = l === net.layers.length - 1;
    const weights = layer.weights.map((w, idx) => times(w, carried[idx % inDim]));
    const biases = Float64Array.from(layer.biases);
    let layerMax = 0;
    for (const w of weights) layerMax = Math.max(layerMax, Math.abs(w));
    const divisors = Array.from({ length: outDim }, (_, i) => {
      let m = 0;
      if (last) m = layerMax;
      else if (l === 0) {
        m = Math.abs(firstInput.q[i]);
        for (let k = 0; k < n; k++) m = Math.max(m, Math.abs(firstInput.P[i * n + k]));
      } else {
        m = Math.abs(biases[i]);
        for (let j = 0; j < inDim; j++) m = Math.max(m, Math.abs(weights[i * inDim + j]));
      }
      // A row whose division would not be exact (subnormal biases) is left as it is.
      let s = powerOfTwoBelow(m);
      const divides = (x: number) => (x / s) * s === x;
      if (!biases.every((_, r) => r !== i || divides(biases[r])) || !weights.subarray(i * inDim, (i + 1) * inDim).every(divides)) s = 1;
      for (let j = 0; j < inDim; j++) weights[i * inDim + j] /= s;
      biases[i] /= s;
      return s;
    });
    if (last) scale = divisors[0] ?? 1;
    carried = divisors;
    return { outDim, inDim, weights, biases };
  });
  if (!exact) return null; // (scale is a power of two from powerOfTwoBelow or 1: positive and finite)
  return { net: makeNetwork(net.inputDim, layers, net.meta), scale };
}

/**
 * Builds and solves the MIP for one objective, on the normalised network (see `normalisedNetwork`),
 * and returns the bound for the original one. Any failure of the solver gives an infinite bound.
 */
export async function lipschitzMip(net: Network, domain: Domain, objective: MipObjective, timeLimit: number): Promise<LipschitzMipResult> {
  if (net.layers.length === 1) return affineObjective(net, objective);
  const normalised = normalisedNetwork(net, domain);
  if (!normalised) return { upper: Infinity, incumbent: -Infinity, status: 'scale out of range', pattern: null, seconds: 0 };
  const { net: normal, scale } = normalised;
  const bounds = preActivationBounds(normal, domain);
  const r = await solveLipschitzMip(normal, domain, bounds, objective, timeLimit);
  // Stryker disable next-line ConditionalExpression: scale is a positive finite power of two, so Infinity·scale is Infinity anyway
  const upper = r.upper === Infinity ? Infinity : r.upper * scale * (1 + 4 * 2 ** -53); // the product may overflow: Infinity
  return { ...r, upper, incumbent: r.incumbent * scale };
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
        // Stryker disable next-line AssignmentOperator: s −= … gives −s exactly (rounding to nearest is symmetric), and only |s| is used
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
  // Stryker disable next-line ArrayDeclaration: read only for l > 0, after layer 0 has set it
  let prevA: number[] = [];
  for (let l = 0; l < L - 1; l++) {
    const layer = net.layers[l];
    const { P, q, error } = inputs[l];
    const lo = bounds.lo[l];
    const hi = bounds.hi[l];
    const as: number[] = [];
    const ds: number[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      const z = mip.addColumn(lo[i], hi[i]);
      const terms: [number, number][] = [[z, 1]];
      for (let k = 0; k < n; k++) terms.push([u[k], -P[i * n + k]]);
      if (l > 0) for (let j = 0; j < layer.inDim; j++) terms.push([prevA[j], -layer.weights[i * layer.inDim + j]]);
      mip.addRow(terms, q[i] - error[i], q[i] + error[i]); // q and P carry rounding (intervals.ts)
      const state = states[l][i];
      // Stryker disable next-line ConditionalExpression: state 0 means hi < 0 (neuronStates), where max(0, hi) is 0 too
      const a = mip.addColumn(0, state === 0 ? 0 : Math.max(0, hi[i]));
      const dlt = state === -1 ? mip.addColumn(0, 1, { integer: true }) : mip.addColumn(state, state);
      if (state === 1) mip.addRow([[a, 1], [z, -1]], 0, 0);
      // Stryker disable next-line ConditionalExpression: (for `true`) a dead neuron (a = δ = 0, lo ≤ z ≤ hi < 0) satisfies the three rows anyway
      if (state === -1) {
        mip.addRow([[a, 1], [z, -1]], 0, Infinity); // a ≥ z (and a ≥ 0)
        mip.addRow([[a, 1], [z, -1], [dlt, -lo[i]]], -Infinity, -lo[i]); // a ≤ z − lo(1 − δ)
        mip.addRow([[a, 1], [dlt, -hi[i]]], -Infinity, 0); // a ≤ hi·δ
      }
      as.push(a);
      ds.push(dlt);
    }
    delta.push(ds);
    prevA = as;
  }

  const { costScale, objectiveScale } = encodeJacobianObjective(mip, net, states, delta, objective);
  const sol = await mip.maximise({ timeLimit });
  // Stryker disable next-line EqualityOperator: integer columns come back as 0 or 1 (to within the solver's 1e-9), never 0.5
  const pattern = sol.solution ? delta.map((ds) => Uint8Array.from(ds, (c) => (sol.solution![c] > 0.5 ? 1 : 0))) : null;
  // Stryker disable next-line ConditionalExpression: costScale is a positive finite power of two, so the product is Infinity anyway
  const upper = sol.bound === Infinity ? Infinity : Math.max(0, sol.bound) * costScale * (1 + MIP_MARGIN) + MIP_MARGIN * objectiveScale + Number.MIN_VALUE;
  return { upper, incumbent: sol.incumbent * costScale, status: sol.status, pattern, seconds: sol.seconds };
}
