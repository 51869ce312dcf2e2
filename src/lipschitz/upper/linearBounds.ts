import type { Network } from '../../network/network.js';
import type { Budget } from '../budget.js';
import type { Domain } from '../domain.js';
import { absTimes, multiplyRows, roundingFactor, underflowFloor } from './backSubstitution.js';
import { layerInputs, preActivationBounds, type LayerInput, type PreActivationBounds } from './intervals.js';

/**
 * Pre-activation bounds by linear back-substitution (CROWN: Zhang, Weng, Chen, Hsieh, Daniel,
 * "Efficient neural network robustness certification with general activation functions", 2018),
 * over the cube domain of domain.ts — a box, or the homogenised ℝᵈ, where `layerInputs` already
 * writes every layer as z_ℓ = W_ℓ·ρ(z_{ℓ−1}) + P_ℓ·u + q_ℓ, u ∈ [−1, 1]ⁿ.
 *
 * For each hidden neuron of layer m ≥ 1, ±z_m,i is bounded above by a linear function of u: going
 * back one layer at a time, each ReLU a = ρ(z) with proven bounds l ≤ z ≤ h is replaced by a line
 * — above it when its coefficient is ≥ 0 (for l < 0 < h: a ≤ s·(z − l), s ≥ h/(h − l), the chord),
 * below it otherwise (a ≥ α·z with α = 1 if h > −l else 0); active (l ≥ 0) and dead (h ≤ 0) neurons
 * are exact — then z_j is substituted by its affine expression. The final c·u + κ is at most
 * ‖c‖₁ + κ on the cube. Layer 0 is linear in u, so its bounds are exact up to rounding.
 *
 * Floating point (see backSubstitution.ts for the model): each row carries an error bound E that
 * grows, per back-step, by g·|μ|·(|W_j|·A_{j−1} + ‖P_j‖₁·1 + |q_j|) for the computed products
 * (A_{j−1} = max(0, h_{j−1}) bounds the activations it multiplies; |u| ≤ 1), by g·|μ|·(h − l) for
 * each rounded chord coefficient, and by |μ|·e_j, where e_j (`LayerInput.error`) bounds how far
 * `layerInputs`' rounded P_j·u + q_j can be from the exact affine part — on a box it includes the
 * compensated b₀ + W₀·centre and the box's own representation, so the cube is the box exactly. The
 * chord slope is rounded up (any steeper line through (l, 0) stays above ρ on [l, h]). So the
 * computed bounds contain the exact pre-activations of every point of the box (for the lifted
 * domain, t·z(x) at every cube point), at any weight scale and far from the origin, up to
 * underflow, which `underflowFloor` covers.
 */

export interface LinearBoundsOptions {
  /** Checked before each block of neurons; once it runs out, the remaining layers keep `intervals`. */
  readonly budget?: Budget;
  /** Sound interval bounds to intersect with (default: preActivationBounds(net, domain)). */
  readonly intervals?: PreActivationBounds;
}

export interface LinearPreActivationBounds extends PreActivationBounds {
  /** Hidden neurons whose bounds come from back-substitution (the others keep the interval bounds). */
  readonly refined: number;
  readonly total: number;
  /** True when the budget ran out before every layer was refined. */
  readonly stoppedEarly: boolean;
  readonly seconds: number;
}

/** Neurons per block of back-substitution (two rows each: the upper and the lower bound). */
const BLOCK = 32;

/** How layer j's ReLU is replaced, from its final bounds. */
interface Relaxation {
  /** 1 active (a = z), 0 dead (a = 0), −1 unstable (lines below), 2 unusable (a bound is not finite). */
  readonly kind: Int8Array;
  /** Upper chord slope s ≥ h/(h − l), at most 1. */
  readonly slope: Float64Array;
  /** Lower slope α ∈ {0, 1}. */
  readonly alpha: Float64Array;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

function relaxation(lo: Float64Array, hi: Float64Array): Relaxation {
  const n = lo.length;
  const kind = new Int8Array(n);
  const slope = new Float64Array(n);
  const alpha = new Float64Array(n);
  // Stryker disable next-line EqualityOperator: at k = n the write to kind[n] falls past the end (a no-op)
  for (let k = 0; k < n; k++) {
    const l = lo[k];
    const h = hi[k];
    if (l >= 0 && h < Infinity) kind[k] = 1;
    else if (h <= 0) kind[k] = 0;
    else if (!Number.isFinite(l) || !Number.isFinite(h)) kind[k] = 2;
    else {
      kind[k] = -1;
      // h/(h − l) computed with two roundings is ≥ (1 − 2u) times the exact slope; 1 + 2⁻⁵¹ lifts it.
      slope[k] = Math.min(1, (h / (h - l)) * (1 + 2 ** -51));
      alpha[k] = h > -l ? 1 : 0;
    }
  }
  return { kind, slope, alpha, lo, hi };
}

/** What substituting z_j = W_j a_{j−1} + P_j u + q_j costs in rounding, per neuron of layer j. */
interface Substitution {
  readonly input: LayerInput;
  /** Columns of P_j with a nonzero entry (P_j is dense for j = 0, one column at most later). */
  readonly columns: number[];
  /** |W_j|·A_{j−1} + ‖P_j row‖₁ + |q_j|, rounded up: the magnitudes the products sum. */
  readonly magnitude: Float64Array;
  /** ‖P_j row‖₁ + |q_j|, rounded up (for the first row of a target neuron). */
  readonly own: Float64Array;
}

function substitution(net: Network, domain: Domain, inputs: LayerInput[], j: number, previousHi: Float64Array | null): Substitution {
  const layer = net.layers[j];
  const n = domain.n;
  const { P, q } = inputs[j];
  // Stryker disable next-line ArrayDeclaration: (a stray entry is a string: c[r·n + 'Stryker…'] is no array index, and the dense-product switch sums the same terms within the same error bound) the columns only skip zero work: a superset adds zero terms (or takes the dense product, the same sums within the same error bound)
  const columns: number[] = [];
  for (let k = 0; k < n; k++) {
    // Stryker disable next-line EqualityOperator,UpdateOperator: (for `<=` and `i--`, which read undefined ≠ 0 and so list a column whether or not it is zero) the columns only skip zero work: a superset adds zero terms (or takes the dense product, the same sums within the same error bound)
    for (let i = 0; i < layer.outDim; i++) {
      // Stryker disable next-line ConditionalExpression,ArithmeticOperator: (for `true`, `i·n − k` and `i / n`, which list a superset of the nonzero columns) the columns only skip zero work: a superset adds zero terms (or takes the dense product, the same sums within the same error bound)
      if (P[i * n + k] !== 0) {
        columns.push(k);
        break;
      }
    }
  }
  const ones = new Float64Array(n).fill(1);
  const own = absTimes(P, layer.outDim, n, ones);
  const magnitude = new Float64Array(layer.outDim);
  const A = previousHi ? Float64Array.from(previousHi, (h) => Math.max(0, h)) : null;
  const wa = A ? absTimes(layer.weights, layer.outDim, layer.inDim, A) : null;
  for (let i = 0; i < layer.outDim; i++) {
    own[i] += Math.abs(q[i]);
    magnitude[i] = own[i] + (wa ? wa[i] : 0);
  }
  return { input: inputs[j], columns, magnitude, own };
}

/**
 * Sound bounds lo ≤ z ≤ hi on every hidden pre-activation over the domain's cube (up to the factor
 * t > 0 on the homogenised domain), from linear back-substitution, intersected with `intervals`, so
 * never looser than them. Costs O(N_m · Σ_{j<m} N_j·N_{j−1}) for layer m (O(L · parameters · width)
 * in all). With a budget, layers not reached keep the interval bounds: still sound.
 */
export function linearPreActivationBounds(net: Network, domain: Domain, options: LinearBoundsOptions = {}): LinearPreActivationBounds {
  const t0 = performance.now();
  const intervals = options.intervals ?? preActivationBounds(net, domain);
  const inputs = layerInputs(net, domain);
  const hidden = inputs.length;
  const n = domain.n;
  const widths = inputs.map((_, l) => net.layers[l].outDim);
  const total = widths.reduce((a, b) => a + b, 0);
  const g = roundingFactor(2 * total + n + Math.max(n, ...widths, net.inputDim));
  const productsPerRow = net.layers.reduce((s, l) => s + l.weights.length, 0) + n * (widths[0] ?? 0) + total * (n + 2);
  const lo: Float64Array[] = [];
  const hi: Float64Array[] = [];
  const relaxations: Relaxation[] = [];
  const substitutions: Substitution[] = [];
  let refined = 0;
  let stoppedEarly = false;
  let magnitudeBound = 1;

  for (let m = 0; m < hidden; m++) {
    // An interval bound that overflowed into NaN (∞ − ∞) bounds nothing: read it as ∓∞.
    const L = intervals.lo[m].map((v) => (Number.isNaN(v) ? -Infinity : v));
    const H = intervals.hi[m].map((v) => (Number.isNaN(v) ? Infinity : v));
    substitutions.push(substitution(net, domain, inputs, m, m > 0 ? hi[m - 1] : null));
    const floor = underflowFloor(productsPerRow, magnitudeBound);
    for (let first = 0; first < widths[m] && !stoppedEarly; first += BLOCK) {
      if (options.budget?.exceeded()) {
        stoppedEarly = true;
        break;
      }
      const count = Math.min(BLOCK, widths[m] - first);
      const upper = backSubstitute(net, n, m, first, count, relaxations, substitutions, g, floor);
      for (let b = 0; b < count; b++) {
        const i = first + b;
        // Stryker disable next-line EqualityOperator: on equality the same value is assigned
        if (upper[2 * b] < H[i]) H[i] = upper[2 * b];
        // Stryker disable next-line EqualityOperator: on equality the same value is assigned
        if (-upper[2 * b + 1] > L[i]) L[i] = -upper[2 * b + 1];
        refined++;
      }
    }
    lo.push(L);
    hi.push(H);
    relaxations.push(relaxation(L, H));
    for (let i = 0; i < widths[m]; i++) magnitudeBound = Math.max(magnitudeBound, Math.abs(L[i]), Math.abs(H[i]));
  }
  return { lo, hi, refined, total, stoppedEarly, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Upper bounds of +z_m,i (even rows) and −z_m,i (odd rows) for neurons first … first+count−1 of
 * layer m: back-substitution down to the cube, with the rounding bookkeeping of the module comment.
 */
function backSubstitute(
  net: Network,
  n: number,
  m: number,
  first: number,
  count: number,
  relaxations: Relaxation[],
  substitutions: Substitution[],
  g: number,
  floor: number,
): Float64Array {
  const R = 2 * count;
  const layer = net.layers[m];
  const own = substitutions[m];
  const { P, q } = own.input;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: for m = 0 the back-substitution loop (j from −1) never runs, so lam is never read
  let width = m > 0 ? layer.inDim : 0;
  let lam: Float64Array = new Float64Array(R * width);
  const c = new Float64Array(R * n);
  const kappa = new Float64Array(R);
  /** Σ|terms| summed into κ and into c (their rounding is g times this), and Σ|μ|·e_j. */
  const mags = new Float64Array(R);
  const errors = new Float64Array(R);
  // Stryker disable next-line EqualityOperator: at b = count every write falls past the ends of lam, c, kappa, mags, errors (no-ops)
  for (let b = 0; b < count; b++) {
    const i = first + b;
    for (const [r, s] of [[2 * b, 1], [2 * b + 1, -1]]) {
      // Stryker disable next-line EqualityOperator: at k = width the write lands on the next row's first entry, which that row writes right after (or past the end)
      for (let k = 0; k < width; k++) lam[r * width + k] = s * layer.weights[i * width + k];
      // Stryker disable next-line EqualityOperator: at k = n the write lands on the next row's first entry, which that row writes right after (or past the end)
      for (let k = 0; k < n; k++) c[r * n + k] = s * P[i * n + k];
      kappa[r] = s * q[i];
      mags[r] = own.own[i];
      errors[r] = own.input.error[i];
    }
  }
  for (let j = m - 1; j >= 0; j--) {
    const rel = relaxations[j];
    const sub = substitutions[j];
    const N = width;
    const mu = new Float64Array(R * N);
    // Stryker disable next-line EqualityOperator: at r = R every write falls past the ends of kappa, mags, errors, mu (no-ops)
    for (let r = 0; r < R; r++) {
      let k0 = kappa[r];
      let mag = mags[r];
      let err = errors[r];
      // Stryker disable next-line EqualityOperator: at k = N, rel.kind[N] is undefined: no branch applies, v = 0 and the term is skipped
      for (let k = 0; k < N; k++) {
        const lambda = lam[r * N + k];
        if (lambda === 0) continue;
        const kind = rel.kind[k];
        let v = 0;
        if (kind === 1) v = lambda;
        else if (kind === -1) {
          // Stryker disable next-line EqualityOperator: λ = 0 was skipped above
          if (lambda > 0) {
            v = lambda * rel.slope[k];
            const t = -v * rel.lo[k];
            k0 += t;
            mag += Math.abs(t);
            err += g * v * (rel.hi[k] - rel.lo[k]);
          } else v = lambda * rel.alpha[k];
        } else if (kind === 2) v = NaN;
        if (v === 0) continue;
        mu[r * N + k] = v;
        const a = Math.abs(v);
        const t = v * sub.input.q[k];
        k0 += t;
        mag += a * sub.magnitude[k];
        err += a * sub.input.error[k];
      }
      kappa[r] = k0;
      mags[r] = mag;
      errors[r] = err;
    }
    // c += μ·P_j (dense for j = 0, a few columns later).
    // On the first step the two rows of a neuron are ±W_m,i on active neurons: share that product.
    const product = j === m - 1 ? (B: Float64Array, cols: number) => pairedProduct(mu, count, N, rel.kind, B, cols) : (B: Float64Array, cols: number) => multiplyRows(mu, R, N, B, cols);
    if (j === 0 && sub.columns.length > 1) {
      const add = product(sub.input.P, n);
      // Stryker disable next-line EqualityOperator: at o = c.length the write falls past the end (a no-op)
      for (let o = 0; o < c.length; o++) c[o] += add[o];
    } else {
      for (const col of sub.columns) {
        // Stryker disable next-line EqualityOperator: at r = R the write falls past the end of c (a no-op)
        for (let r = 0; r < R; r++) {
          let s = 0;
          for (let k = 0; k < N; k++) s += mu[r * N + k] * sub.input.P[k * n + col];
          c[r * n + col] += s;
        }
      }
    }
    // Stryker disable next-line ConditionalExpression,EqualityOperator: at j = 0 the product would be computed and never read (the loop ends)
    if (j > 0) {
      width = net.layers[j].inDim;
      lam = product(net.layers[j].weights, width);
    }
  }
  const out = new Float64Array(R);
  // Stryker disable next-line EqualityOperator: at r = R the write falls past the end of out (a no-op)
  for (let r = 0; r < R; r++) {
    let S = 0;
    for (let k = 0; k < n; k++) S += Math.abs(c[r * n + k]);
    const slack = errors[r] + g * (mags[r] + S);
    out[r] = S + kappa[r] + slack * (1 + g) + g * (S + Math.abs(kappa[r]) + slack) + floor;
  }
  return out;
}

/**
 * μ·B for pairs of rows (+, −) that are exact negatives on the columns where kind = 1: the shared
 * part is multiplied once, the rest (unstable columns) per row. Each entry is then the sum of two
 * partial sums of the same terms, so its error stays within γ_N·|μ|·|B| (the bound used above).
 */
function pairedProduct(mu: Float64Array, count: number, N: number, kind: Int8Array, B: Float64Array, cols: number): Float64Array {
  const shared = new Float64Array(count * N);
  const rest = mu.slice();
  // Stryker disable next-line EqualityOperator: at b = count the writes fall past the ends of shared and rest (no-ops)
  for (let b = 0; b < count; b++) {
    // Stryker disable next-line EqualityOperator: at k = N, kind[N] is undefined and the iteration is skipped
    for (let k = 0; k < N; k++) {
      if (kind[k] !== 1) continue;
      shared[b * N + k] = mu[2 * b * N + k];
      rest[2 * b * N + k] = 0;
      rest[(2 * b + 1) * N + k] = 0;
    }
  }
  const common = multiplyRows(shared, count, N, B, cols);
  const out = multiplyRows(rest, 2 * count, N, B, cols);
  // Stryker disable next-line EqualityOperator: at b = count the writes fall past the end of out (no-ops)
  for (let b = 0; b < count; b++) {
    for (let c = 0; c < cols; c++) {
      out[2 * b * cols + c] += common[b * cols + c];
      out[(2 * b + 1) * cols + c] -= common[b * cols + c];
    }
  }
  return out;
}
