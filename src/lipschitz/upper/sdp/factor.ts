import { cholesky, inverseFromFactor, logDetFromFactor } from '../../../linalg/cholesky.js';
import { addRowCombinations } from '../../../linalg/rowCombinations.js';
import { fullMatrix, hiddenBlock, type Embedding } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * F(ρ, τ) for the solver: whether it is positive definite, its log-determinant and its inverse, in
 * the solver's coordinates (lmi.ts, with the input carried through a thin first-layer factor).
 *
 * When F's input block is ρ·I (no output row reaches the input through active neurons only) the
 * work is done on the Schur complement K = H − C·Cᵀ/ρ (n × n; C the neurons' input couplings, so
 * C·Cᵀ = diag(τ)·Γ·diag(τ) with Γ the fixed Gram matrix of their input parts): F ≻ 0 ⇔ K ≻ 0,
 * log det F = r·log ρ + log det K, and with Y = K⁻¹ the blocks of F⁻¹ are Y, −CᵀY/ρ and
 * I/ρ + CᵀYC/ρ² — O(n³ + r·n²) instead of O((r + n)³). Otherwise F itself is factored.
 */
export interface Point {
  readonly rho: number;
  readonly tau: SdpMultipliers;
}

export interface Factored {
  readonly point: Point;
  readonly logDet: number;
  /** The Cholesky factor of K (Schur) or of F (full). */
  readonly factor: Float64Array;
  readonly schur: boolean;
}

export class LmiEvaluator {
  readonly size: number;
  private readonly gram: Float64Array | null;
  /** Neurons with an input part, and the parts (r each). */
  private readonly coupled: number[];

  constructor(
    private readonly problem: SdpProblem,
    private readonly embedding: Embedding,
  ) {
    const n = problem.hidden;
    const r = embedding.r;
    this.size = r + n;
    this.coupled = embedding.incoming.map((a, p) => (a.input ? p : -1)).filter((p) => p >= 0);
    if (!embedding.plainInputBlock) {
      this.gram = null;
      return;
    }
    const g = new Float64Array(n * n);
    const c = this.coupled;
    for (let x = 0; x < c.length; x++) {
      const p = c[x];
      const a = embedding.incoming[p].input!;
      for (let y = x; y < c.length; y++) {
        const q = c[y];
        const b = embedding.incoming[q].input!;
        let s = 0;
        for (let j = 0; j < r; j++) s += a[j] * b[j];
        g[p * n + q] = g[q * n + p] = s;
      }
    }
    this.gram = g;
  }

  /** The factorisation at a point, or null when F is not numerically positive definite there. */
  factor(point: Point): Factored | null {
    if (!(point.rho > 0)) return null;
    if (!this.gram) {
      // Stryker disable next-line BooleanLiteral: equivalent — tracking only adds the magnitude arrays, the values are the same
      const f = cholesky(fullMatrix(this.problem, this.embedding, point.rho, point.tau, false).values, this.size);
      return f ? { point, logDet: logDetFromFactor(f, this.size), factor: f, schur: false } : null;
    }
    const n = this.problem.hidden;
    // Stryker disable next-line BooleanLiteral: equivalent — tracking only adds the magnitude arrays, the values are the same
    const k = hiddenBlock(this.problem, this.embedding, point.tau, false).values;
    const g = this.gram;
    const tau = point.tau;
    for (const p of this.coupled) {
      const cp = tau[p] / point.rho;
      for (const q of this.coupled) k[p * n + q] -= cp * tau[q] * g[p * n + q];
    }
    const f = cholesky(k, n);
    return f ? { point, logDet: this.embedding.r * Math.log(point.rho) + logDetFromFactor(f, n), factor: f, schur: true } : null;
  }

  /** Z = F⁻¹ (size × size, row-major) from a factorisation. */
  inverse(f: Factored): Float64Array {
    if (!f.schur) return inverseFromFactor(f.factor, this.size);
    const { rho, tau } = f.point;
    const n = this.problem.hidden;
    const r = this.embedding.r;
    const D = this.size;
    const Y = inverseFromFactor(f.factor, n);
    const Z = new Float64Array(D * D);
    for (let i = 0; i < n; i++) Z.set(Y.subarray(i * n, i * n + n), (r + i) * D + r);
    // Z₀h = −CᵀY/ρ with C[p] = −τ_p·input_p: Z₀h[j, ·] = Σ_p (τ_p/ρ)·input_p[j]·Y[p, ·]  (r × n)
    const c = this.coupled;
    const Yc = new Float64Array(c.length * n);
    c.forEach((p, i) => Yc.set(Y.subarray(p * n, p * n + n), i * n));
    const weights = Array.from({ length: r }, (_, j) => Float64Array.from(c, (p) => (tau[p] / rho) * this.embedding.incoming[p].input![j]));
    const Z0h = new Float64Array(r * n);
    addRowCombinations(Z0h, 0, weights, Yc, 0, c.length, n);
    for (let j = 0; j < r; j++) for (let q = 0; q < n; q++) Z[j * D + r + q] = Z[(r + q) * D + j] = Z0h[j * n + q];
    // Z₀₀ = I/ρ + CᵀYC/ρ² = I/ρ + Σ_p Z₀h[·, p]·(τ_p/ρ)·input_pᵀ
    const inputs = new Float64Array(c.length * r);
    c.forEach((p, i) => inputs.set(this.embedding.incoming[p].input!, i * r));
    const Z00 = new Float64Array(r * r);
    addRowCombinations(Z00, 0, Array.from({ length: r }, (_, j) => Float64Array.from(c, (p) => (Z0h[j * n + p] * tau[p]) / rho)), inputs, 0, c.length, r);
    for (let j = 0; j < r; j++) Z00[j * r + j] += 1 / rho;
    // Copied symmetrised (the sum above is not symmetric in floating point): Z is exactly symmetric.
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) Z[i * D + j] = 0.5 * (Z00[i * r + j] + Z00[j * r + i]);
    return Z;
  }
}
