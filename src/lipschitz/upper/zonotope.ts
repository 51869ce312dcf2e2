import { eigenDecomposition } from '../../linalg/eigen.js';
import { ldexp } from '../../linalg/verifiedDefinite.js';
import { dot, matmul, transpose, type Mat } from '../../linalg/mat.js';
import { vectorNorm } from '../../linalg/norms.js';
import type { Network } from '../../network/network.js';
import { Budget } from '../budget.js';
import { queryDomain } from '../domain.js';
import type { LipschitzQuery } from '../query.js';
import { neuronStates, preActivationBounds, type PreActivationBounds } from './intervals.js';
import { gamma, SPECTRAL_MARGIN, UNIT_ROUNDOFF } from './rounding.js';

/**
 * An upper bound on Lip₂ of a scalar network with one hidden layer, f(x) = Σ_j v_j ρ(w_j·x + b_j) + c,
 * in closed form: milliseconds where a MIP takes seconds.
 *
 * On a region with active units S the gradient is Σ_{j∈S} h_j, h_j = v_j w_j. Units that are
 * stable on the domain (always on: set A; always off) are fixed; for the free units F write
 * σ_j = ±1 (on/off). Then every gradient is Σ_i σ_i a_i with σ_0 = 1,
 *
 *   a_0 = Σ_{j∈A} h_j + ½ Σ_{j∈F} h_j,   a_j = ½ h_j (j ∈ F),
 *
 * i.e. it lies in a zonotope. For a unit vector u and ANY weights r_i > 0, by Cauchy–Schwarz,
 *
 *   u·g ≤ Σ_i |a_i·u| ≤ √(Σ_i r_i) · √(uᵀ M_r u),   M_r = Σ_i a_i a_iᵀ / r_i,
 *
 * so Lip₂ ≤ √((Σ_i r_i) · λ_max(M_r)) for every r > 0 (★). The weights only decide how tight (★)
 * is, never whether it holds; the best ones solve the dual of the semidefinite relaxation of
 * max_σ ‖Σ σ_i a_i‖² (Nesterov, "Semidefinite relaxation and nonconvex quadratic optimization",
 * 1998: within a factor √(π/2) of the zonotope's largest norm). They are found by the fixed-point
 * iteration r_i = √(a_iᵀ Y a_i), Y ← Y^½ M_r Y^½ / trace, and (★) is evaluated at every iterate.
 *
 * The zonotope ignores which patterns of the free units the biases make realisable, so the bound
 * is pattern-agnostic (on He-random nets it grows like √N at fixed d); it is tight enough to
 * matter when N is a small multiple of d (d = 8, N = 64: within about 1.2 of the true constant).
 *
 * Callers that can afford d×d eigen-decompositions beyond ZONOTOPE_MAX_INPUT_DIM (a study, the
 * theorem tests at d = 256, about a second per iteration there) raise `maxInputDim`.
 *
 * Floating point: (0) everything is computed for h_j·2^−E (exact power-of-two scaling, see below),
 * so the largest entries are about 1; (1) the computed h_j and a_0 differ from the exact ones by at most u·|h_j| and
 * γ_{N+1}·Σ|h_j| entrywise; since u·g is linear in the a_i, the bound for the computed a_i plus
 * Σ_i ‖exact a_i − computed a_i‖ bounds the exact one. (2) Each entry of M_r is a sum of n
 * products with three roundings each: the exact M_r is within γ_{n+4}·Σ_i ‖a_i‖²/r_i in spectral
 * norm of the computed one (‖E‖₂ ≤ ‖|E|‖₂ ≤ trace of Σ |a_i||a_i|ᵀ/r_i). (3) λ_max comes from
 * Jacobi (backward stable) and is multiplied by (1 + SPECTRAL_MARGIN), as all spectral results are.
 */
export interface ZonotopeBound {
  /** The certified upper bound on Lip₂ over the domain. */
  readonly upper: number;
  /** Units whose sign is free on the domain (all of them, globally). */
  readonly free: number;
  readonly iterations: number;
}

/** Largest input dimension for which the d×d eigen-decompositions stay cheap (the default cap). */
export const ZONOTOPE_MAX_INPUT_DIM = 64;

/**
 * The bound (★) for a scalar network with one hidden layer, or null for other shapes or input
 * dimensions above `maxInputDim` (default ZONOTOPE_MAX_INPUT_DIM). `states` (per hidden unit: 1 always on, 0 always off,
 * −1 free on the domain) may be null for the global constant. Anytime: stops at `timeLimit`
 * seconds with the best bound so far.
 */
export function shallowZonotopeBound(net: Network, states: Int8Array | null, options: { timeLimit: number; maxIterations?: number; maxInputDim?: number }): ZonotopeBound | null {
  if (net.layers.length !== 2 || net.layers[1].outDim !== 1 || net.inputDim > (options.maxInputDim ?? ZONOTOPE_MAX_INPUT_DIM)) return null;
  const d = net.inputDim;
  const [hidden, output] = net.layers;
  const N = hidden.outDim;
  // Work with h_j·2^−E, E the exponent of the largest max_k |v_j w_jk| (exact power-of-two
  // scalings, applied in steps that cannot overflow), so the largest vectors have entries of size
  // about 1 and nothing that matters underflows; the bound is scaled back at the end.
  const rowMax = Array.from({ length: N }, (_, j) => vectorNorm(hidden.weights.subarray(j * d, (j + 1) * d), 'inf'));
  const exponents = Array.from({ length: N }, (_, j) => [exponentOf(Math.abs(output.weights[j])), exponentOf(rowMax[j])]);
  let E = -Infinity;
  // Stryker disable next-line EqualityOperator: at j = N, rowMax[N] > 0 is false (undefined)
  for (let j = 0; j < N; j++) {
    if (output.weights[j] !== 0 && rowMax[j] > 0 && states?.[j] !== 0) E = Math.max(E, exponents[j][0] + exponents[j][1]);
  }
  if (E === -Infinity) E = 0;
  const rows: Float64Array[] = [new Float64Array(d)]; // a_0, then ½h_j for the free units
  let perturbation = 0; // Σ_i ‖exact a_i − computed a_i‖ (see (1))
  const absSum = new Float64Array(d);
  for (let j = 0; j < N; j++) {
    const state = states ? states[j] : -1;
    if (state === 0) continue;
    const [ev, ew] = exponents[j];
    const v = ldexp(output.weights[j], -ev);
    const h = Float64Array.from(hidden.weights.subarray(j * d, (j + 1) * d), (w) => ldexp(v * ldexp(w, -ew), ev + ew - E));
    if (h.every((x) => x === 0)) continue;
    const share = state === 1 ? 1 : 0.5; // h_j's share of a_0 (½·h rounds only when subnormal: allowed for below)
    // Stryker disable next-line EqualityOperator: at k = d the writes fall past the typed arrays' ends, which is a no-op
    for (let k = 0; k < d; k++) {
      // Stryker disable next-line AssignmentOperator: only its 2-norm is read, the same for −absSum
      absSum[k] += Math.abs(h[k]);
      // Stryker disable next-line AssignmentOperator: a_0 ↦ −a_0 mirrors the zonotope (the σ_i = ±1 are symmetric): the same norms and the same Σ|a_i·u|
      rows[0][k] += share * h[k];
    }
    if (state !== 1) {
      rows.push(Float64Array.from(h, (x) => 0.5 * x));
      // Stryker disable next-line StringLiteral: (for the argument '2' → '') vectorNorm reads any name other than '1' and 'inf' as the 2-norm
      perturbation += UNIT_ROUNDOFF * vectorNorm(h, '2');
    }
  }
  // Scaling down into the subnormal range loses at most 2⁻¹⁰⁷³ per entry (absolute): added too.
  // Stryker disable next-line StringLiteral: vectorNorm reads any name other than '1' and 'inf' as the 2-norm
  perturbation = (perturbation + gamma(N + 1) * vectorNorm(absSum, '2') + 4 * (N + 1) * d * Number.MIN_VALUE) * (1 + gamma(N + d + 2));
  const free = rows.length - 1;
  const a = rows.filter((r) => r.some((x) => x !== 0)); // zero vectors add nothing to Σ|a_i·u|
  if (a.length === 0) return { upper: unscale(perturbation, E), free, iterations: 0 };

  const budget = new Budget(options.timeLimit);
  const maxIterations = options.maxIterations ?? 200;
  let Y = identityOver(d);
  let best = Infinity;
  let previous = Infinity;
  let iterations = 0; // run so far
  while (iterations < maxIterations) {
    iterations++;
    const r = a.map((ai) => Math.sqrt(Math.max(0, dot(ai, matmul(square(Y, d), { rows: d, cols: 1, data: ai }).data))));
    const largest = r.reduce((m, x) => Math.max(m, x), 0); // not Math.max(...r): spreading ~10⁵ free units overflows the stack
    const weights = r.map((x) => Math.max(x, 1e-12 * largest + Number.MIN_VALUE));
    const { bound, M } = certify(a, weights, d);
    if (!Number.isFinite(bound)) break; // overflow at extreme weight scales: no bound from here
    best = Math.min(best, bound);
    if ((iterations > 6 && previous - bound < 1e-7 * bound) || budget.exceeded()) break;
    previous = Math.min(previous, bound);
    Y = nextDesign(Y, M, d);
  }
  return { upper: unscale(best + perturbation, E), free, iterations };
}

/**
 * The bound for a query: null unless p = 2 and the network is scalar with one hidden layer (and
 * d ≤ ZONOTOPE_MAX_INPUT_DIM). On a box, units stable on it (by interval bounds) are fixed;
 * pass the box's `preBounds` if they are at hand.
 */
export function zonotopeBoundFor(net: Network, query: LipschitzQuery, timeLimit: number, preBounds?: PreActivationBounds): ZonotopeBound | null {
  // Stryker disable next-line ConditionalExpression: (for the depth test → false) shallowZonotopeBound returns null for other depths too; the test only spares the interval bounds
  if (query.norm !== '2' || net.layers.length !== 2) return null;
  const states = query.box ? neuronStates(preBounds ?? preActivationBounds(net, queryDomain(net, query.box)))[0] : null;
  return shallowZonotopeBound(net, states, { timeLimit });
}

/** (★) for the computed vectors a_i and weights r_i, with the rounding of M_r and λ_max guarded. */
function certify(a: readonly Float64Array[], r: readonly number[], d: number): { bound: number; M: Float64Array } {
  const M = new Float64Array(d * d);
  let sumR = 0;
  let traceAbs = 0;
  a.forEach((ai, i) => {
    const inv = 1 / r[i];
    sumR += r[i];
    for (let k = 0; k < d; k++) {
      const s = ai[k] * inv;
      traceAbs += Math.abs(s * ai[k]);
      for (let l = 0; l < d; l++) M[k * d + l] += s * ai[l];
    }
  });
  // Stryker disable next-line EqualityOperator: at k = d the inner loop is empty
  for (let k = 0; k < d; k++) {
    // Stryker disable next-line ArithmeticOperator: from l = k − 1 it re-averages a pair already made equal, and M[k][k] with itself
    for (let l = k + 1; l < d; l++) {
      const s = 0.5 * (M[k * d + l] + M[l * d + k]);
      M[k * d + l] = s;
      M[l * d + k] = s;
    }
  }
  const n = a.length;
  const lambda = (Math.max(...eigenDecomposition(M, d).values, 0) + gamma(n + 4) * traceAbs * (1 + gamma(n + 2))) * (1 + SPECTRAL_MARGIN);
  const bound = Math.sqrt(sumR * (1 + gamma(n + 1)) * lambda) * (1 + 4 * UNIT_ROUNDOFF);
  return { bound, M };
}

/** Y ← Y^½ M Y^½ / trace, kept positive definite by a little of I/d (it only steers the weights). */
function nextDesign(Y: Float64Array, M: Float64Array, d: number): Float64Array {
  const { values, vectors } = eigenDecomposition(Y, d);
  // Y^½ = V·diag(√λ)·Vᵀ, eigenvector m in column m of V (eigenvalues below 0 by rounding count as 0).
  const scaledColumns = Float64Array.from(vectors, (x, idx) => x * Math.sqrt(Math.max(values[idx % d], 0)));
  const root = matmul(square(scaledColumns, d), transpose(square(vectors, d)));
  const next = matmul(matmul(root, square(M, d)), root).data;
  let trace = 0;
  for (let k = 0; k < d; k++) trace += next[k * d + k];
  if (!(trace > 0)) return identityOver(d);
  const out = new Float64Array(d * d);
  // Stryker disable next-line EqualityOperator: at k = d every write falls past the end of out, a no-op
  for (let k = 0; k < d; k++) {
    // Stryker disable next-line EqualityOperator: at l = d the write lands on out[k + 1][0] (or past the end), written again right after
    for (let l = 0; l < d; l++) out[k * d + l] = ((0.5 * (next[k * d + l] + next[l * d + k])) / trace) * (1 - 1e-9) + (k === l ? 1e-9 / d : 0);
  }
  return out;
}

/** The exponent e with 2^e nearest to x > 0 (0 for x = 0 or x not finite). */
function exponentOf(x: number): number {
  return x > 0 && Number.isFinite(x) ? Math.round(Math.log2(x)) : 0;
}

/** bound·2^E, rounded up: Infinity past the largest double, one step up in the subnormal range. */
function unscale(bound: number, E: number): number {
  const value = ldexp(bound, E); // Infinity stays Infinity, and so does a value past the largest double (bound > 0: it includes the perturbation, and it is never NaN)
  return value < 2 ** -1022 ? value + 2 * Number.MIN_VALUE : value;
}

function identityOver(d: number): Float64Array {
  const Y = new Float64Array(d * d);
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: at k = d the write falls past the end of Y, a no-op; Y = d·I instead of I/d scales every r_i by d, and (★) is invariant under r ↦ c·r (nextDesign renormalises Y)
  for (let k = 0; k < d; k++) Y[k * d + k] = 1 / d;
  return Y;
}

/** A d×d row-major array as a matrix. */
function square(data: Float64Array, d: number): Mat {
  return { rows: d, cols: d, data };
}
