import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * The matrix F = −M(ρ, τ, β) of LipSDP-Neuron, block tridiagonal over (x₀, x₁, …, x_L):
 *
 *   (0,0)   ρ·I − 2·W₀ᵀ B₁ W₀
 *   (k,k)   2·T_k − 2·W_kᵀ B_{k+1} W_k     (1 ≤ k < L)
 *   (L,L)   2·T_L − W_Lᵀ W_L
 *   (k,k−1) (B_k − T_k)·W_{k−1}, and its transpose
 *
 * with T_k = diag(τ) and B_k = diag(β) over layer k's neurons (β = 0 where a neuron has none).
 * F ⪰ 0 certifies ‖Δy‖² ≤ ρ‖Δx₀‖² (problem.ts says why). `hiddenBlock` assembles the rows and
 * columns of x₁ … x_L; `fullMatrix` adds the input block, given as a first-layer matrix of any
 * width r with the same Gram matrix W₀W₀ᵀ (W₀ itself, or a thin factor of it for the solver).
 *
 * When `track` is set, every entry also gets the sum of the absolute values of its terms, for the
 * rounding-error bounds of certificate.ts. Every entry is computed the same way: a first exact term
 * (ρ, 2τ or 0), then products subtracted one at a time; a product has at most two roundings
 * (fl(fl(2β·w)·w′), fl(w·w′), or fl(c·w) with c = fl(β − τ)), so the computed entry is within
 * γ_{terms+3}·(sum of |terms|) of the exact one, plus underflow terms (certificate.ts). Only the
 * upper triangle is computed; the lower one is a copy, so the matrix is exactly symmetric.
 */
export interface Assembly {
  readonly size: number;
  readonly values: Float64Array;
  /** Σ|terms| per entry (only when tracked). */
  readonly magnitude: Float64Array | null;
  /** The largest number of terms of any entry. */
  readonly terms: number;
}

/** The hidden block (n × n) of F. */
export function hiddenBlock(problem: SdpProblem, multipliers: SdpMultipliers, track: boolean): Assembly {
  const n = problem.hidden;
  const L = problem.widths.length;
  const h = new Float64Array(n * n);
  const mag = track ? new Float64Array(n * n) : null;
  const { tau, beta } = multipliers;
  let terms = 1;
  for (let l = 0; l < L; l++) {
    const off = problem.offsets[l];
    const N = problem.widths[l];
    for (let i = 0; i < N; i++) {
      const p = off + i;
      h[p * n + p] = 2 * tau[p];
      if (mag) mag[p * n + p] = Math.abs(2 * tau[p]);
    }
    if (l === 0) continue;
    const prev = problem.offsets[l - 1];
    const inW = problem.widths[l - 1];
    const W = problem.weights[l];
    let betaTerms = 0;
    for (let i = 0; i < N; i++) {
      const p = off + i;
      const c = beta[p] - tau[p];
      const row = i * inW;
      for (let j = 0; j < inW; j++) {
        const v = c * W[row + j];
        h[(prev + j) * n + p] = v; // upper triangle: row prev + j < column p
        if (mag) mag[(prev + j) * n + p] = Math.abs(v);
      }
      if (problem.hasBeta[p] && beta[p] !== 0) {
        betaTerms++;
        subtractRankOne(h, mag, n, prev, W, row, inW, 2 * beta[p]);
      }
    }
    terms = Math.max(terms, betaTerms + 1);
  }
  // The output block: −W_LᵀW_L on the last hidden layer.
  const last = problem.offsets[L - 1];
  const NL = problem.widths[L - 1];
  const WL = problem.weights[L];
  for (let r = 0; r < problem.outputs; r++) subtractRankOne(h, mag, n, last, WL, r * NL, NL, 1);
  terms = Math.max(terms, problem.outputs + 1);
  mirror(h, n);
  if (mag) mirror(mag, n);
  return { size: n, values: h, magnitude: mag, terms };
}

/**
 * The whole F, of size r + n, with the input block and the first layer's coupling taken from
 * `first` (N₁ × r, row-major) in place of W₀.
 */
export function fullMatrix(problem: SdpProblem, first: Float64Array, r: number, rho: number, multipliers: SdpMultipliers, track: boolean): Assembly {
  const n = problem.hidden;
  const D = r + n;
  const hidden = hiddenBlock(problem, multipliers, track);
  const f = new Float64Array(D * D);
  const mag = track ? new Float64Array(D * D) : null;
  for (let i = 0; i < n; i++) {
    f.set(hidden.values.subarray(i * n, i * n + n), (r + i) * D + r);
    if (mag && hidden.magnitude) mag.set(hidden.magnitude.subarray(i * n, i * n + n), (r + i) * D + r);
  }
  const { tau, beta } = multipliers;
  for (let i = 0; i < r; i++) {
    f[i * D + i] = rho;
    if (mag) mag[i * D + i] = Math.abs(rho);
  }
  let betaTerms = 0;
  for (let i = 0; i < problem.widths[0]; i++) {
    const c = beta[i] - tau[i];
    for (let j = 0; j < r; j++) {
      const v = c * first[i * r + j];
      f[j * D + r + i] = v;
      if (mag) mag[j * D + r + i] = Math.abs(v);
    }
    if (problem.hasBeta[i] && beta[i] !== 0) {
      betaTerms++;
      subtractRankOne(f, mag, D, 0, first, i * r, r, 2 * beta[i]);
    }
  }
  mirror(f, D);
  if (mag) mirror(mag, D);
  return { size: D, values: f, magnitude: mag, terms: Math.max(hidden.terms, betaTerms + 1) };
}

/** m[o+a, o+b] −= fl(fl(s·w_a)·w_b) for a ≤ b over the row w = source[start … start+len). */
function subtractRankOne(m: Float64Array, mag: Float64Array | null, size: number, o: number, source: Float64Array, start: number, len: number, s: number): void {
  for (let a = 0; a < len; a++) {
    const wa = source[start + a];
    if (wa === 0) continue;
    const sa = s * wa;
    const row = (o + a) * size + o;
    for (let b = a; b < len; b++) {
      const t = sa * source[start + b];
      m[row + b] -= t;
      if (mag) mag[row + b] += Math.abs(t);
    }
  }
}

/** Copies the upper triangle onto the lower one. */
function mirror(m: Float64Array, size: number): void {
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) m[j * size + i] = m[i * size + j];
}
