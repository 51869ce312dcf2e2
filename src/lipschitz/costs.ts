import type { Network } from '../network/network.js';
import type { LipschitzQuery } from './query.js';

/**
 * Cost estimates, from the sizes, of the steps that cannot be interrupted (one factorisation, one region's
 * affine maps, one dense LP, one batch of Jacobians), so that a step that would not fit in a time
 * budget is skipped instead of started (see the pattern in budget.ts).
 *
 * Costs are counted in multiply-adds and turned into seconds with this machine's speed, measured
 * by a short loop of the kind lipcheck's kernels run (`secondsPerFlop`, re-measured at most every
 * few seconds so that the load of the moment counts), times SAFETY. The estimates are meant to be
 * pessimistic by a small factor, never exact: their only use is to decide what not to start.
 */

/** Pessimism of every estimate (measured rates vary by about 2× under load). */
export const SAFETY = 2;

/** How long a measured rate is trusted, in ms. */
const RATE_TTL_MS = 10_000;

let measured: { secondsPerFlop: number; at: number } | null = null;

/** The measured kernel: a dot product, called often enough for V8 to optimise it. */
function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  // Stryker disable next-line all: timing-only (the kernel's work shows in nothing but the time it takes)
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Seconds per multiply-add of a plain loop over Float64Arrays, measured now: the fastest of a few
 * trials (the first ones run before V8 has optimised the loop, and a trial may be descheduled),
 * taking 2–15 ms.
 */
function measureRate(): number {
  const n = 2048;
  const reps = 50;
  const a = new Float64Array(n).fill(1.000001);
  const b = new Float64Array(n).fill(0.5);
  let best = Infinity;
  let sink = 0;
  const deadline = performance.now() + 15;
  for (let trial = 0; trial < 40 && (trial < 8 || performance.now() < deadline); trial++) {
    const t0 = performance.now();
    // Stryker disable next-line all: timing-only (the kernel's work shows in nothing but the time it takes)
    for (let rep = 0; rep < reps; rep++) sink += dot(a, b);
    best = Math.min(best, (performance.now() - t0) / 1000 / (reps * n));
  }
  // Stryker disable next-line ConditionalExpression: the sink is never 42 (reading it keeps the loop alive)
  return sink === 42 ? 0 : Math.max(best, 1e-11);
}

/** Seconds per multiply-add on this machine now (cached for a few seconds). */
export function secondsPerFlop(): number {
  const now = performance.now();
  if (!measured || now - measured.at > RATE_TTL_MS) measured = { secondsPerFlop: measureRate(), at: now };
  return measured.secondsPerFlop;
}

/** Estimated seconds for `flops` multiply-adds (pessimistic by SAFETY). */
export function secondsFor(flops: number): number {
  return SAFETY * flops * secondsPerFlop();
}

/** The memory-bound loop of `pieceMaps` runs about this many times slower per multiply-add. */
export const AXPY_SLOWDOWN = 4;

/**
 * Σ_{j≤d} C(N, j): the number of linear regions of a shallow network with d inputs and N neurons in
 * general position (Zaslavsky), what decides whether enumerating them can finish.
 */
export function shallowRegionCount(d: number, N: number): number {
  let total = 0;
  let c = 1;
  for (let j = 0; j <= Math.min(d, N); j++) {
    total += c;
    c = (c * (N - j)) / (j + 1);
  }
  return total;
}

/** Σ N_ℓ·N_{ℓ−1}: the multiply-adds of one forward pass. */
export function weightCount(net: Network): number {
  let p = 0;
  for (const l of net.layers) p += l.outDim * l.inDim;
  return p;
}

/** One point's Jacobian (forward pass and k reverse rows). */
export function jacobianFlops(net: Network): number {
  return (net.layers[net.layers.length - 1].outDim + 1) * weightCount(net);
}

/** The affine maps of one linear piece, d × every hidden weight (`pieceMaps`, `cubeConstraints`). */
export function pieceMapsFlops(net: Network): number {
  let p = 0;
  for (const l of net.layers.slice(0, -1)) p += l.outDim * l.inDim;
  return net.inputDim * p;
}

/**
 * A dense LP with m rows and n variables by the simplex method (src/linalg/simplex.ts): a pivot
 * costs n·(m + n) and a solve takes a few times n pivots (observed: 2n–4n on region LPs).
 */
export function denseLpFlops(m: number, n: number): number {
  return 4 * n * n * (m + n);
}

/**
 * A proven spectral norm (linalg/verifiedSpectralNorm.ts) of an m × n matrix, k = min(m, n): the
 * Gram product (max(m, n)·k²/2, one triangle), Lanczos (160·k²), and a proof (a k×k copy, scaling
 * and Cholesky: k³/3 and a few k²).
 */
export function spectralProofFlops(m: number, n: number): number {
  const [big, k] = [Math.max(m, n), Math.min(m, n)];
  return (big * k * k) / 2 + 170 * k * k + (k * k * k) / 3;
}

/** The singular values of an m × n matrix (Golub–Kahan bidiagonalisation dominates: 4·m·n²). */
export function svdFlops(m: number, n: number): number {
  const [big, small] = [Math.max(m, n), Math.min(m, n)];
  if (small <= 16) return 2 * big * small * small + 100 * small ** 3; // Jacobi on the small Gram matrix
  return 4 * big * small * small + 8 * small ** 3;
}

/**
 * The longest step of `exactLipschitz` that no budget check interrupts, for this network and
 * query: for d = 1 one layer of the breakpoint sweep; for a shallow network without a box (the
 * hyperplane arrangement) 1,024 vertices between checks, each a d×d solve and 2^d cells; otherwise
 * the region search's longest uninterrupted step: 16 rows of a region's affine maps, 32 simplex
 * pivots, 64 probes of a facet crossing (one forward pass each), or one region's Jacobian.
 */
export function exactChunkFlops(net: Network, query: LipschitzQuery): number {
  const d = net.inputDim;
  const hidden = net.layers.slice(0, -1);
  const H = hidden.reduce((s, l) => s + l.outDim, 0);
  const k = net.layers[net.layers.length - 1].outDim;
  if (net.layers.length === 1) return weightCount(net);
  if (d === 1) return hidden.reduce((worst, l) => Math.max(worst, (hidden[0].outDim + 2) * l.outDim * l.inDim), 0);
  const n = d + 1;
  const widest = Math.max(...hidden.map((l) => l.inDim));
  const P = weightCount(net);
  const regionSearch = Math.max(16 * AXPY_SLOWDOWN * d * widest, 32 * n * (H + 3 * n), 64 * P, k * P);
  if (query.box === null && net.layers.length === 2) {
    // Each cell around a vertex sums d rank-one terms and, when regions must be counted, builds a
    // key of one character per hyperplane (about 20 multiply-adds' time per character, measured).
    const N = hidden[0].outDim;
    const cells = 2 ** Math.min(d, 60) * (d * k * d + 20 * N);
    return Math.max(regionSearch, 1024 * (d ** 3 / 3 + N * d * (1 + k) + cells));
  }
  return regionSearch;
}


/**
 * The breakpoint sweep of the line x₀ + t·u through the network (`lineSearch`): each later layer
 * maps every grid point, and the grid holds about as many points as the earlier layers have
 * neurons, so a layer costs 2·(N₀ + … + N_{ℓ−1})·N_ℓ·N_{ℓ−1} (the first is d·N₀ to restrict it).
 */
export function lineSweepFlops(net: Network): number {
  let grid = 2;
  let flops = net.inputDim * net.layers[0].outDim;
  for (let l = 1; l < net.layers.length; l++) {
    grid += net.layers[l - 1].outDim;
    flops += 2 * AXPY_SLOWDOWN * grid * net.layers[l].outDim * net.layers[l].inDim; // memory-bound, like pieceMaps
  }
  return flops;
}

/**
 * A facet or centring LP over one region's rows in an n-dimensional cube, with the region's affine
 * maps it needs first. The dense simplex's pivot count varies widely (measured: 200 times the 4n
 * pivots of `denseLpFlops` for n = 129 with 256 rows), so the estimate assumes the worst seen.
 */
export function regionLpFlops(net: Network, n: number): number {
  const rows = net.layers.slice(0, -1).reduce((s, l) => s + l.outDim, 0) + 2 * n;
  return AXPY_SLOWDOWN * pieceMapsFlops(net) + 200 * denseLpFlops(rows, n + 1);
}

/** Interval pre-activation bounds and the interval Jacobian bound (a few passes over the weights). */
export function intervalFlops(net: Network): number {
  const k = net.layers[net.layers.length - 1].outDim;
  return AXPY_SLOWDOWN * ((k + 4) * weightCount(net) + net.inputDim * net.layers[0].outDim);
}

/** One iteration of the gradient-zonotope bound (shallow nets): a d×d product per free unit, then Jacobi. */
export function zonotopeIterationFlops(net: Network): number {
  const d = net.inputDim;
  return (net.layers[0].outDim + 30) * d ** 3;
}

/**
 * One MIP over the network's activation patterns (upper/lipschitzMip.ts): HiGHS honours its time
 * limit only after the root LP relaxation, whose cost grows like (weights × neurons); measured on
 * 2 busy cores, 0.06 s for 32 neurons to 1.6–3 s for 256 neurons with d = 64, whatever the limit.
 */
export function mipRootFlops(net: Network): number {
  const H = net.layers.slice(0, -1).reduce((s, l) => s + l.outDim, 0);
  return 400 * weightCount(net) * H + 2e7;
}

/**
 * What LipSDP does before its solver can be interrupted (upper/sdp/): the Gram matrix W₀W₀ᵀ of the
 * first layer (N₀²·d), ECLipsE-Fast's layer-by-layer Cholesky factorisations and inverses, and the
 * verified Cholesky proofs of the certificate (a few n³/3 for n hidden neurons; with `fullForm`,
 * neurons fixed active on a box, of the (d + n)-sized matrix).
 */
export function sdpSetupFlops(net: Network, fullForm = false): number {
  const hidden = net.layers.slice(0, -1);
  if (hidden.length === 0) return 0;
  const n = hidden.reduce((s, l) => s + l.outDim, 0);
  const layers = hidden.reduce((s, l) => s + 2 * l.outDim ** 3 + l.outDim * l.outDim * l.inDim, 0);
  // With neurons fixed active, the proof is over x₀ too: (d + n)-sized factorisations, a few dozen
  // n³-sized steps in all (measured: 14 s for d + n = 834 on a busy core).
  const proof = fullForm ? 40 * (net.inputDim + n) ** 3 : 2 * n ** 3;
  return hidden[0].outDim ** 2 * net.inputDim + layers + proof;
}

/**
 * What the pattern search (lower/spectralPatternAscent.ts) does after its climbs, without a clock
 * check: one N×N Gram matrix and its factor (N²·d/2 and N³/3; shared by the patterns), then for
 * each of up to four patterns a solve, a point and the witness's re-check.
 */
export function patternRealiseFlops(net: Network): number {
  const N = net.layers[0].outDim;
  return (N * N * net.inputDim) / 2 + (N * N * N) / 3 + 4 * (N * N + N * net.inputDim + witnessCheckFlops(net));
}

/**
 * The many-start ascent's first round (lower/ascent.ts), which no budget check interrupts: the
 * gradient engines set up and 8 × 64 random points ranked by their Jacobians on the WebAssembly
 * kernel (about six times this model's plain loop per multiply-add). Measured at 784→1024→1024→10:
 * 1.6 s on two shared cores, where this gives 1.6e9 multiply-adds.
 */
export function ascentRoundFlops(net: Network): number {
  return (8 * 64 * jacobianFlops(net)) / 6;
}

/**
 * Re-checking one witness (`witnessAt`): the kink-margin test — a forward pass, the magnitudes of
 * every sum, which neurons can vary, and a reverse pass for each deeper neuron that decides the
 * margin (one on every network seen; a network whose dead chains make several such neurons constant
 * costs a pass more for each) — and the Jacobian. Measured at 784→1024→1024→10: 0.05–0.1 s (the
 * kink-margin test was d × every weight until 2026-12-04, and this estimate with it: 17 s).
 */
export function witnessCheckFlops(net: Network): number {
  return AXPY_SLOWDOWN * 4 * weightCount(net) + jacobianFlops(net);
}
