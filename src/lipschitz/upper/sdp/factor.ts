import { cholesky, inverseFromFactor, logDetFromFactor } from '../../../linalg/cholesky.js';
import { fullMatrix, hiddenBlock } from './lmi.js';
import type { SdpMultipliers, SdpProblem } from './problem.js';

/**
 * F(ρ, τ, β) for the solver: whether it is positive definite, its log-determinant and its inverse,
 * in the solver's coordinates (the input block carried through a factor R, N₁ × r, with
 * RRᵀ = W₀W₀ᵀ; see barrier.ts).
 *
 * When the input block is ρ·I (no β on the first layer) the work is done on the Schur complement
 * K = H − (1/ρ)·D_c G D_c ⊕ 0 (n × n, G = RRᵀ, c = β − τ on the first layer): F ≻ 0 ⇔ K ≻ 0,
 * log det F = r·log ρ + log det K, and with Y = K⁻¹, B = [D_c R; 0] the blocks of F⁻¹ are
 * Y, −BᵀY/ρ and I/ρ + BᵀYB/ρ² — O(n³ + r·N₁·n) instead of O((r + n)³). Otherwise F itself is
 * factored.
 */
export interface Point {
  readonly rho: number;
  readonly tau: Float64Array;
  readonly beta: Float64Array;
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
  private readonly schur: boolean;
  private readonly gram: Float64Array | null;

  constructor(
    private readonly problem: SdpProblem,
    private readonly first: Float64Array,
    private readonly r: number,
  ) {
    this.size = r + problem.hidden;
    this.schur = !problem.hasBeta.subarray(0, problem.widths[0]).some((b) => b === 1);
    this.gram = this.schur ? gramOf(first, problem.widths[0], r) : null;
  }

  /** The factorisation at a point, or null when F is not numerically positive definite there. */
  factor(point: Point): Factored | null {
    if (!(point.rho > 0)) return null;
    const m: SdpMultipliers = { tau: point.tau, beta: point.beta };
    if (!this.schur) {
      const f = cholesky(fullMatrix(this.problem, this.first, this.r, point.rho, m, false).values, this.size);
      return f ? { point, logDet: logDetFromFactor(f, this.size), factor: f, schur: false } : null;
    }
    const n = this.problem.hidden;
    const N = this.problem.widths[0];
    const k = hiddenBlock(this.problem, m, false).values;
    const g = this.gram!;
    for (let i = 0; i < N; i++) {
      const ci = (point.beta[i] - point.tau[i]) / point.rho;
      for (let j = 0; j < N; j++) k[i * n + j] -= ci * (point.beta[j] - point.tau[j]) * g[i * N + j];
    }
    const f = cholesky(k, n);
    return f ? { point, logDet: this.r * Math.log(point.rho) + logDetFromFactor(f, n), factor: f, schur: true } : null;
  }

  /** Z = F⁻¹ (size × size, row-major) from a factorisation. */
  inverse(f: Factored): Float64Array {
    if (!f.schur) return inverseFromFactor(f.factor, this.size);
    const { rho, tau, beta } = f.point;
    const n = this.problem.hidden;
    const N = this.problem.widths[0];
    const r = this.r;
    const D = this.size;
    const R = this.first;
    const Y = inverseFromFactor(f.factor, n);
    const Z = new Float64Array(D * D);
    for (let i = 0; i < n; i++) Z.set(Y.subarray(i * n, i * n + n), (r + i) * D + r);
    // Z₀h = −(1/ρ)·Rᵀ·D_c·Y[layer 1, :]  (r × n)
    const Z0h = new Float64Array(r * n);
    for (let a = 0; a < N; a++) {
      const ca = (beta[a] - tau[a]) / rho;
      if (ca === 0) continue;
      for (let i = 0; i < r; i++) {
        const w = -ca * R[a * r + i];
        if (w === 0) continue;
        const zi = i * n;
        const ya = a * n;
        for (let j = 0; j < n; j++) Z0h[zi + j] += w * Y[ya + j];
      }
    }
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < n; j++) Z[i * D + r + j] = Z[(r + j) * D + i] = Z0h[i * n + j];
    }
    // Z₀₀ = I/ρ − Z₀h[:, layer 1]·D_c·R/ρ
    for (let i = 0; i < r; i++) {
      for (let a = 0; a < N; a++) {
        const w = (-Z0h[i * n + a] * (beta[a] - tau[a])) / rho;
        if (w === 0) continue;
        const zi = i * D;
        for (let j = 0; j < r; j++) Z[zi + j] += w * R[a * r + j];
      }
      Z[i * D + i] += 1 / rho;
    }
    // Symmetrise the input block (the two halves differ by rounding only).
    for (let i = 0; i < r; i++) {
      for (let j = i + 1; j < r; j++) {
        const v = 0.5 * (Z[i * D + j] + Z[j * D + i]);
        Z[i * D + j] = Z[j * D + i] = v;
      }
    }
    return Z;
  }
}

/** R·Rᵀ for R (rows × cols). */
function gramOf(R: Float64Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += R[i * cols + k] * R[j * cols + k];
      g[i * rows + j] = g[j * rows + i] = s;
    }
  }
  return g;
}
