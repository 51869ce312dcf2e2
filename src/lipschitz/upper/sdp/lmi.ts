import { gamma } from '../rounding.js';
import type { SdpMultipliers, SdpProblem, SparseRow } from './problem.js';

/**
 * The matrix F = −M(ρ, τ) of LipSDP-Neuron for the problem of problem.ts, over the coordinates
 * z = (x₀, x_U): the input increment (in some r-dimensional coordinates, below) and the unstable
 * neurons' increments. Its quadratic form is
 *
 *   zᵀFz = ρ‖x₀‖² + Σ_p 2τ_p·x_p·(x_p − a_p·z) − ‖B·z‖²,
 *
 * i.e. F = ρ·E₀ + Σ_p τ_p·(e_p (e_p − a_p)ᵀ + (e_p − a_p) e_pᵀ) − BᵀB, E₀ the input block's identity.
 * F ⪰ 0 certifies ‖Δy‖² ≤ ρ‖Δx₀‖², since on increments of the network x_p(a_p·z − x_p) ≥ 0.
 *
 * The input part of a_p and B is given over ξ = W₀Δx₀; here it is written over x₀ through a
 * first-layer matrix X (N₁ × r): ξ-coefficients c become Xᵀc. With X = W₀ this is the LMI itself;
 * any X with XXᵀ = W₀W₀ᵀ gives the same LMI up to an orthogonal change of the input coordinates
 * (the solver uses a thin factor).
 *
 * When `track` is set every entry also gets the sum of the absolute values of its terms and the
 * bound on the error inherited from a_p and B (problem.ts), for certificate.ts. Every entry is a
 * first exact term (ρ, 2τ or 0) and then products subtracted one at a time, each with one rounding
 * (τ_p·a_pj, or b_i·b_j): the computed entry is within γ_{terms+2}·(sum of |terms|) of the exact
 * one for the computed a and B. Only the upper triangle is computed; the lower one is a copy.
 */
export interface Assembly {
  readonly size: number;
  readonly values: Float64Array;
  /** Σ|terms| per entry (when tracked). */
  readonly magnitude: Float64Array | null;
  /** Bound on the entry's error inherited from a and B (when tracked). */
  readonly inherited: Float64Array | null;
  /** The largest number of terms of any entry. */
  readonly terms: number;
}

/** A row of a or B written over F's coordinates: a dense input part (or none) and a hidden part. */
export interface EmbeddedRow {
  /** Over x₀ (length r), or null when the row has no ξ part. */
  readonly input: Float64Array | null;
  readonly inputError: Float64Array | null;
  /** Hidden coordinates start … start + values.length − 1 (0-based among the unstable neurons). */
  readonly start: number;
  readonly values: Float64Array;
  readonly error: Float64Array;
  /** ξ index when the ξ part is exactly the unit vector e_i (the input part is then row i of X, exactly); else −1. */
  readonly unitInput: number;
}

/** a's and B's rows over F's coordinates for the first-layer matrix X (N₁ × r). */
export interface Embedding {
  readonly r: number;
  readonly incoming: readonly EmbeddedRow[];
  readonly output: readonly EmbeddedRow[];
  /** True when no row of B has a ξ part (F's input block is then exactly ρ·I). */
  readonly plainInputBlock: boolean;
}

/** Writes the problem's rows over F's coordinates (see `EmbeddedRow`). */
export function embed(problem: SdpProblem, X: Float64Array, r: number): Embedding {
  const N1 = problem.firstWidth;
  const row = (s: SparseRow): EmbeddedRow => {
    const end = s.start + s.values.length;
    // The ξ part: coordinates below N₁.
    let input: Float64Array | null = null;
    let inputError: Float64Array | null = null;
    let unitInput = -1;
    // (A row that starts at or after N₁, or is empty, has no ξ coordinates: the loop below is empty.)
    const xiEnd = Math.min(end, N1);
    const nonZero: number[] = [];
    for (let c = s.start; c < xiEnd; c++) if (s.values[c - s.start] !== 0 || s.error[c - s.start] !== 0) nonZero.push(c);
    if (nonZero.length === 1 && s.values[nonZero[0] - s.start] === 1 && s.error[nonZero[0] - s.start] === 0) {
      unitInput = nonZero[0];
      input = X.slice(unitInput * r, unitInput * r + r);
      inputError = new Float64Array(r);
    } else if (nonZero.length > 0) {
      input = new Float64Array(r);
      inputError = new Float64Array(r);
      const magnitude = new Float64Array(r);
      for (const c of nonZero) {
        const v = s.values[c - s.start];
        const e = s.error[c - s.start];
        for (let j = 0; j < r; j++) {
          const x = X[c * r + j];
          const t = v * x;
          input[j] += t;
          magnitude[j] += Math.abs(t);
          inputError[j] += e * Math.abs(x);
        }
      }
      const g = gamma(nonZero.length + 1) * (1 + 1e-10);
      for (let j = 0; j < r; j++) inputError[j] = inputError[j] * (1 + g) + g * magnitude[j] + 2 * 2 ** -1074 * nonZero.length;
    }
    const hStart = Math.max(s.start, N1);
    const values = hStart < end ? s.values.slice(hStart - s.start) : new Float64Array(0);
    const error = hStart < end ? s.error.slice(hStart - s.start) : new Float64Array(0);
    return { input, inputError, start: hStart - N1, values, error, unitInput };
  };
  const output = problem.output.map(row);
  return { r, incoming: problem.incoming.map(row), output, plainInputBlock: output.every((b) => b.input === null) };
}

/**
 * The hidden block H of F (n × n): 2τ on the diagonal, −τ_p·a_p's hidden part coupling p to
 * earlier neurons, minus the hidden part of BᵀB.
 */
export function hiddenBlock(problem: SdpProblem, embedding: Embedding, tau: SdpMultipliers, track: boolean): Assembly {
  return assemble(problem, embedding, 0, tau, track, false);
}

/** The whole F, of size r + n. */
export function fullMatrix(problem: SdpProblem, embedding: Embedding, rho: number, tau: SdpMultipliers, track: boolean): Assembly {
  return assemble(problem, embedding, rho, tau, track, true);
}

function assemble(problem: SdpProblem, embedding: Embedding, rho: number, tau: SdpMultipliers, track: boolean, withInput: boolean): Assembly {
  const n = problem.hidden;
  const r = withInput ? embedding.r : 0;
  const size = r + n;
  const f = new Float64Array(size * size);
  // Σ|terms| and the inherited error, tracked together or not at all.
  const tracked = track ? { mag: new Float64Array(size * size), inh: new Float64Array(size * size) } : null;
  for (let i = 0; i < r; i++) {
    f[i * size + i] = rho;
    if (tracked) tracked.mag[i * size + i] = Math.abs(rho);
  }
  for (let p = 0; p < n; p++) {
    const at = (r + p) * size + r + p;
    f[at] = 2 * tau[p];
    if (tracked) tracked.mag[at] = Math.abs(2 * tau[p]);
  }
  // −τ_p·a_p in column r + p (rows are earlier coordinates: the upper triangle).
  embedding.incoming.forEach((a, p) => {
    const t = tau[p];
    const col = r + p;
    if (withInput && a.input) {
      for (let j = 0; j < r; j++) {
        const v = t * a.input[j];
        f[j * size + col] -= v;
        if (tracked) {
          tracked.mag[j * size + col] += Math.abs(v);
          tracked.inh[j * size + col] += Math.abs(t) * a.inputError![j];
        }
      }
    }
    for (let k = 0; k < a.values.length; k++) {
      const row = r + a.start + k;
      const v = t * a.values[k];
      f[row * size + col] -= v;
      if (tracked) {
        tracked.mag[row * size + col] += Math.abs(v);
        tracked.inh[row * size + col] += Math.abs(t) * a.error[k];
      }
    }
  });
  // −BᵀB over the coordinates B's rows touch.
  for (const b of embedding.output) {
    const coords: number[] = [];
    const vals: number[] = [];
    const errs: number[] = [];
    if (withInput && b.input) {
      for (let j = 0; j < r; j++) {
        coords.push(j);
        vals.push(b.input[j]);
        errs.push(b.inputError![j]);
      }
    }
    for (let k = 0; k < b.values.length; k++) {
      coords.push(r + b.start + k);
      vals.push(b.values[k]);
      errs.push(b.error[k]);
    }
    for (let x = 0; x < coords.length; x++) {
      const vx = vals[x];
      const ex = errs[x];
      const row = coords[x] * size;
      for (let y = x; y < coords.length; y++) {
        const v = vx * vals[y];
        f[row + coords[y]] -= v;
        if (tracked) {
          tracked.mag[row + coords[y]] += Math.abs(v);
          tracked.inh[row + coords[y]] += Math.abs(vx) * errs[y] + ex * Math.abs(vals[y]) + ex * errs[y];
        }
      }
    }
  }
  mirror(f, size);
  if (tracked) {
    mirror(tracked.mag, size);
    mirror(tracked.inh, size);
  }
  return { size, values: f, magnitude: tracked ? tracked.mag : null, inherited: tracked ? tracked.inh : null, terms: problem.outputs + 2 };
}

/** Copies the upper triangle onto the lower one. */
function mirror(m: Float64Array, size: number): void {
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) m[j * size + i] = m[i * size + j];
}
