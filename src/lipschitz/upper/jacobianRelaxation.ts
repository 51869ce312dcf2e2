import type { Network } from '../../network/network.js';
import { vectorNorm, type Norm } from '../../linalg/norms.js';
import type { Budget } from '../budget.js';
import type { Domain } from '../domain.js';
import { absTimes, multiplyRows, roundingFactor, transpose, underflowFloor } from './backSubstitution.js';
import { intervalJacobianBound, neuronStates, type PreActivationBounds } from './intervals.js';
import { linearPreActivationBounds } from './linearBounds.js';

/**
 * A Jacobian-norm bound by linear relaxation of the activation gates (in the spirit of Fast-Lip and
 * RecurJac: Weng et al. 2018, Zhang et al. 2019), sound in floating point.
 *
 * On every linear region meeting the domain, J = W_L D_{L−1} W_{L−1} ⋯ D₀ W₀ with D_ℓ diagonal,
 * 1 on neurons proven active, 0 on neurons proven dead, and 0 or 1 on unstable ones. For p = ∞,
 * ‖J‖ = max_r max_{σ ∈ [−1,1]ᵈ} (Jσ)_r: the value at row r of a "gated chain"
 *   h₀ = W₀σ,  g_ℓ = d_ℓ ⊙ h_ℓ (d ∈ [0, 1] on unstable neurons),  h_{ℓ+1} = W_{ℓ+1} g_ℓ,
 * maximised over σ and the gates. The chain is odd in σ, so every h_ℓ ranges over a symmetric set
 * [−ρ, ρ]; a free gate satisfies λ·g ≤ max(0, λh) ≤ λh/2 + |λ|ρ/2 (the chord of ρ(±h) on [−ρ, ρ]:
 * slope 1/2 gives the smallest constant, and tuning the slopes per row did not help on the nets we
 * tried — at the last layer the bound is convex in them with its minimum there). Back-substituting
 * from the objective row down to σ gives c·σ + κ ≤ ‖c‖₁ + κ; the ranges ρ_ℓ come from the same
 * back-substitution (intersected with the interval ranges |W_ℓ|·ρ_{ℓ−1}). For p = 1 the same runs
 * on the transposed chain (σ ∈ [−1,1]ᵏ enters through W_Lᵀ; row c of the result is ‖J e_c‖₁).
 * For p = 2 the input is the unit ℓ2 ball (ρ₀ are row 2-norms, the final dual norm is ‖c‖₂), each
 * output row r gives ‖J_r‖₂, and ‖J‖₂ ≤ (Σ_r ‖J_r‖₂²)^{1/2}.
 *
 * Floating point: every term of the chain's constants is non-negative, so their sums only need a
 * relative margin; each computed product row Λ' = fl(μ·M_ℓ) is off by at most γ·|μ|·|M_ℓ|, which
 * multiplies |g_{ℓ−1}| ≤ ρ̂_{ℓ−1} (ρ on gates not proven dead, |σ_k| ≤ 1 at the input), so the
 * row's error grows by g·|μ|·(|M_ℓ|·ρ̂_{ℓ−1}) — the interval range of h_ℓ, computed anyway (see
 * backSubstitution.ts for g and underflow). A free gate's coefficient λ/2 is exact.
 */

export interface RelaxedJacobianOptions {
  /** Checked before each block of rows; what is left when it runs out falls back to interval bounds. */
  readonly budget?: Budget;
  /** Sound pre-activation bounds (default: linearPreActivationBounds with the same budget). */
  readonly preBounds?: PreActivationBounds;
}

export interface RelaxedJacobianBound {
  /** A certified upper bound on ‖J_R‖_{p→p} over every region R meeting the domain. */
  readonly value: number;
  /** The gated-chain bound alone, or null when the budget stopped it before every row was done. */
  readonly chain: number | null;
  /** intervalJacobianBound on the same pre-activation bounds (value ≤ this, by construction). */
  readonly interval: number;
  /** Fraction of hidden neurons not proven stable. */
  readonly unstable: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
}

/** Rows (of the objective or of a range computation) per block of back-substitution. */
const BLOCK = 32;

/** The gated chain: h₀ = M₀σ, h_ℓ = M_ℓ g_{ℓ−1}, g_ℓ = gate_ℓ(h_ℓ) for ℓ < m. */
interface Chain {
  /** M_ℓ as rows × cols, row-major. */
  readonly mats: readonly { readonly rows: number; readonly cols: number; readonly data: Float64Array }[];
  /** 1 pass, 0 block, −1 free, per h_ℓ (ℓ < m). */
  readonly gates: readonly Int8Array[];
  /** '1' when σ ranges over the cube, '2' over the unit ℓ2 ball: the norm that concretises c·σ. */
  readonly dual: '1' | '2';
}

function chainFor(net: Network, states: Int8Array[], norm: Norm): Chain {
  const layers = net.layers.map((l) => ({ rows: l.outDim, cols: l.inDim, data: l.weights }));
  // Stryker disable next-line StringLiteral: (the dual '2' → '') vectorNorm reads any name other than '1' and 'inf' as the 2-norm, and chain.dual !== '1' either way
  if (norm !== '1') return { mats: layers, gates: states, dual: norm === 'inf' ? '1' : '2' };
  const mats = layers.reverse().map((M) => ({ rows: M.cols, cols: M.rows, data: transpose(M.data, M.rows, M.cols) }));
  return { mats, gates: [...states].reverse(), dual: '1' };
}

/** Symmetric ranges ρ_ℓ ≥ max|h_ℓ| and the interval ranges |M_ℓ|·ρ̂_{ℓ−1} that weigh the rounding. */
interface Ranges {
  readonly rho: Float64Array[];
  /** |M_ℓ|·ρ̂_{ℓ−1} rounded up (ρ̂_{−1} = 1: |σ_k| ≤ 1 for both input sets). */
  readonly weights: Float64Array[];
}

/**
 * A certified upper bound on Lip_p over the domain (every region meeting it), p ∈ {1, 2, ∞}, for
 * scalar and vector outputs: the smaller of the gated-chain bound above and intervalJacobianBound
 * on the same pre-activation bounds (rows the budget did not reach use the interval bound's rows).
 * Costs O(width · parameters) for the ranges and O(rows · parameters) for the objective, where rows
 * = k for p = ∞, 2 and d for p = 1.
 */
export function relaxedJacobianBound(net: Network, domain: Domain, norm: Norm, options: RelaxedJacobianOptions = {}): RelaxedJacobianBound {
  const t0 = performance.now();
  const budget = options.budget;
  const preBounds = options.preBounds ?? linearPreActivationBounds(net, domain, { budget });
  const states = neuronStates(preBounds);
  const interval = intervalJacobianBound(net, domain, norm, preBounds);
  const hidden = states.reduce((s, a) => s + a.length, 0);
  const unstable = hidden === 0 ? 0 : states.reduce((s, a) => s + a.filter((v) => v === -1).length, 0) / hidden;
  const chain = chainFor(net, states, norm);
  const m = chain.mats.length - 1;
  const widest = Math.max(...chain.mats.map((M) => Math.max(M.rows, M.cols)));
  const g = roundingFactor(chain.mats.reduce((s, M) => s + M.rows, 0) + widest + 2);
  const floor = underflowFloor(chain.mats.reduce((s, M) => s + M.data.length, 0), 1);
  const ranges = chainRanges(chain, g, floor, budget);
  let stoppedEarly = ranges.stoppedEarly;

  // Objective rows: rows of M_m, on g_{m−1}.
  const last = chain.mats[m];
  const fallback = intervalRows(interval.lo, interval.hi, net, norm, g);
  const rows = new Float64Array(last.rows);
  let complete = true;
  for (let first = 0; first < last.rows; first += BLOCK) {
    // Stryker disable next-line MethodExpression,ArithmeticOperator: a count past the last row only adds rows whose writes fall past the end of rows (the blocks and budget checks stay the same)
    const count = Math.min(BLOCK, last.rows - first);
    if (budget?.exceeded()) {
      complete = false;
      stoppedEarly = true;
      // Stryker disable next-line EqualityOperator: at r = last.rows the write falls past the end (a no-op)
      for (let r = first; r < last.rows; r++) rows[r] = fallback[r];
      break;
    }
    const lam = last.data.slice(first * last.cols, (first + count) * last.cols);
    const bounds = backSubstitute(chain, ranges, lam, count, m - 1, g, floor);
    // Stryker disable next-line EqualityOperator: row first + count belongs to the next block, which writes it (bounds or fallback) after, or lies past the end
    for (let b = 0; b < count; b++) rows[first + b] = bounds[b];
  }
  const chainValue = complete ? orInfinity(combine(rows, norm, g)) : null;
  for (let r = 0; r < rows.length; r++) if (!(rows[r] <= fallback[r])) rows[r] = fallback[r];
  const value = Math.min(orInfinity(interval.value), orInfinity(combine(rows, norm, g)));
  return { value, chain: chainValue, interval: interval.value, unstable, stoppedEarly, seconds: (performance.now() - t0) / 1000 };
}

/** NaN (an overflow met ∞ − ∞ somewhere) means no bound: +∞. */
const orInfinity = (v: number) => (Number.isNaN(v) ? Infinity : v);

/** max_r B_r for p = 1, ∞; (Σ_r B_r²)^{1/2} for p = 2, rounded up. */
function combine(rows: Float64Array, norm: Norm, g: number): number {
  // Stryker disable next-line StringLiteral: (the argument '2' → '') vectorNorm reads any name other than '1' and 'inf' as the 2-norm
  if (norm === '2') return vectorNorm(rows, '2') * (1 + g);
  let best = 0;
  for (const v of rows) best = Math.max(best, v);
  return best;
}

/** The interval bound's per-row norms (rows of the chain's objective), rounded up. */
function intervalRows(lo: Float64Array, hi: Float64Array, net: Network, norm: Norm, g: number): Float64Array {
  const k = net.layers[net.layers.length - 1].outDim;
  const d = net.inputDim;
  const abs = Float64Array.from(lo, (v, i) => Math.max(Math.abs(v), Math.abs(hi[i])));
  const A = norm === '1' ? transpose(abs, k, d) : abs;
  const rows = norm === '1' ? d : k;
  const cols = norm === '1' ? k : d;
  return Float64Array.from({ length: rows }, (_, r) => vectorNorm(A.subarray(r * cols, (r + 1) * cols), norm === '2' ? '2' : '1') * (1 + g));
}

function chainRanges(chain: Chain, g: number, floor: number, budget: Budget | undefined): Ranges & { stoppedEarly: boolean } {
  const M0 = chain.mats[0];
  const rho: Float64Array[] = [];
  const weights: Float64Array[] = [absTimes(M0.data, M0.rows, M0.cols, new Float64Array(M0.cols).fill(1))];
  let stoppedEarly = false;
  for (let l = 0; l < chain.mats.length - 1; l++) {
    const M = chain.mats[l];
    let r: Float64Array;
    if (l === 0) {
      // Stryker disable next-line StringLiteral,MethodExpression: (the argument '2' → '') vectorNorm reads '' as the 2-norm; r is not written for l = 0, so sharing weights[0] changes nothing
      r = chain.dual === '1' ? weights[0].slice() : Float64Array.from({ length: M.rows }, (_, i) => vectorNorm(M.data.subarray(i * M.cols, (i + 1) * M.cols), '2') * (1 + g));
    } else {
      r = weights[l].slice();
      for (let first = 0; first < M.rows && !stoppedEarly; first += BLOCK) {
        if (budget?.exceeded()) {
          stoppedEarly = true;
          break;
        }
        // Stryker disable next-line MethodExpression,ArithmeticOperator: a count past the last row only adds NaN bounds (never < r) and writes past the end of r
        const count = Math.min(BLOCK, M.rows - first);
        const bounds = backSubstitute(chain, { rho, weights }, M.data.slice(first * M.cols, (first + count) * M.cols), count, l - 1, g, floor);
        // Stryker disable next-line EqualityOperator: on equality the same value is assigned; at b = count, bounds[count] is undefined (never < r)
        for (let b = 0; b < count; b++) if (bounds[b] < r[first + b]) r[first + b] = bounds[b];
      }
    }
    rho.push(r);
    const gated = Float64Array.from(r, (v, k) => (chain.gates[l][k] === 0 ? 0 : v));
    const next = chain.mats[l + 1];
    weights.push(absTimes(next.data, next.rows, next.cols, gated));
  }
  return { rho, weights, stoppedEarly };
}

/**
 * Upper bounds of max λ_r·g_top over the input set and the free gates, one per row of `lam`
 * (count × width of g_top); top = −1 means λ acts on σ directly.
 */
function backSubstitute(chain: Chain, ranges: Ranges, lam: Float64Array, count: number, top: number, g: number, floor: number): Float64Array {
  const kappa = new Float64Array(count);
  const errors = new Float64Array(count);
  let L = lam;
  for (let l = top; l >= 0; l--) {
    const M = chain.mats[l];
    const N = M.rows;
    const gate = chain.gates[l];
    const rho = ranges.rho[l];
    const weights = ranges.weights[l];
    const mu = new Float64Array(count * N);
    // Stryker disable next-line EqualityOperator: at r = count every write falls past the ends of kappa, errors and mu (no-ops)
    for (let r = 0; r < count; r++) {
      let k0 = kappa[r];
      let err = errors[r];
      for (let k = 0; k < N; k++) {
        const lambda = L[r * N + k];
        if (lambda === 0) continue;
        const s = gate[k];
        if (s === 0) continue;
        let v = lambda;
        if (s === -1) {
          v = 0.5 * lambda;
          k0 += Math.abs(v) * rho[k];
        }
        mu[r * N + k] = v;
        err += Math.abs(v) * weights[k];
      }
      kappa[r] = k0;
      errors[r] = err;
    }
    L = multiplyRows(mu, count, N, M.data, M.cols);
  }
  const n = chain.mats[0].cols;
  const out = new Float64Array(count);
  // Stryker disable next-line EqualityOperator: at r = count the write falls past the end of out (a no-op)
  for (let r = 0; r < count; r++) {
    const S = vectorNorm(L.subarray(r * n, (r + 1) * n), chain.dual);
    out[r] = (S + kappa[r] + g * errors[r]) * (1 + 4 * g) + floor;
  }
  return out;
}
