import { makeNetwork, type Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { boxFromPairs, type Box } from '../query.js';
import { Budget } from '../budget.js';
import { queryDomain } from '../domain.js';
import { tooLarge, type ExactOutcome } from './types.js';
import { Candidates } from './witness.js';

/**
 * Exact Lipschitz constants for input dimension d = 1, any depth, any number of outputs, on ℝ or
 * on an interval. Every neuron is a piecewise-linear function of t; layer by layer we keep all
 * pre-activations on a common sorted grid of breakpoints (values at the grid points, slopes on
 * each piece, plus the two unbounded end pieces for the global constant), insert each neuron's
 * zeros, apply ReLU and the next layer. Slopes are propagated, not differenced, so close
 * breakpoints cost no accuracy.
 *
 * Tolerance: in normalised coordinates (see `sweepLine`), zeros closer than 1e-12·max(1, |u|) to
 * an existing breakpoint are merged into it, so pieces narrower than that relative to the interval
 * (or to the kink scale on ℝ) are not resolved; duplicated neurons produce exactly such
 * near-coincident zeros.
 */
export function breakpointsExact(net: Network, norm: Norm, box: Box | null, budget: Budget, maxRegions: number): ExactOutcome {
  const sweep = sweepLine(net, box, budget, maxRegions);
  if ('kind' in sweep) return sweep;
  const { grid, slopes, width, bounded } = sweep;
  const P = bounded ? grid.length - 1 : grid.length + 1;
  const candidates = new Candidates();
  for (let p = 0; p < P; p++) {
    const value = operatorNorm({ rows: width, cols: 1, data: slopes.subarray(p * width, (p + 1) * width) }, norm);
    candidates.offer({ value, points: () => [Float64Array.of(pieceInterior(grid, bounded, p))] });
  }
  const { witness, witnessValue, lipschitz } = candidates.recheck(net, norm, Float64Array.of(pieceInterior(grid, bounded, 0)));
  return {
    kind: 'exact',
    lipschitz,
    witness,
    witnessValue,
    regions: regionPoints(sweep).length,
    seconds: budget.elapsed(),
    algorithm: 'breakpoints',
  };
}

/** The pieces of a network of one input: the breakpoint grid, output slopes per piece, switches. */
export interface LineSweep {
  readonly grid: number[];
  readonly bounded: boolean;
  /** Pieces × outputs: the output slopes (k × 1 Jacobians) of every piece. */
  readonly slopes: Float64Array;
  readonly width: number;
  /** change[g] = 1 when some neuron switches at grid point g. */
  readonly change: Uint8Array;
}

/** One interior point per activation region of a sweep (the first piece of each run of pieces). */
export function regionPoints(sweep: LineSweep): number[] {
  const { grid, bounded, change } = sweep;
  const P = bounded ? grid.length - 1 : grid.length + 1;
  const points = [pieceInterior(grid, bounded, 0)];
  for (let p = 1; p < P; p++) {
    const g = bounded ? p : p - 1; // the grid point between pieces p − 1 and p
    if (change[g]) points.push(pieceInterior(grid, bounded, p));
  }
  return points;
}

/**
 * Computes every piece of a one-input network on ℝ or an interval (see `breakpointsExact`). The
 * sweep runs in normalised coordinates u = (t − centre)/scale (the interval mapped to [−1, 1], or
 * on ℝ the scale of the first layer's kinks), so its merging tolerance is relative to the problem;
 * the grid and slopes it returns are in the original t.
 */
export function sweepLine(net: Network, box: Box | null, budget: Budget, maxRegions: number): LineSweep | ExactOutcome {
  if (net.inputDim !== 1) throw new Error('sweepLine: needs input dimension 1');
  const first = net.layers[0];
  let centre = 0;
  let scale = 1;
  if (box) {
    centre = 0.5 * (box.lo[0] + box.hi[0]);
    scale = 0.5 * (box.hi[0] - box.lo[0]);
  } else {
    const kinks: number[] = [];
    for (let i = 0; i < first.outDim; i++) if (first.weights[i] !== 0 && first.biases[i] !== 0) kinks.push(Math.abs(first.biases[i] / first.weights[i]));
    kinks.sort((a, b) => a - b);
    const median = kinks[kinks.length >> 1]; // undefined without kinks
    if (median > 0 && Number.isFinite(median)) scale = median;
  }
  // t = centre + scale·u: the first layer becomes w·scale·u + (b + w·centre) — on a box the
  // domain's first layer, whose b + w·centre is computed without cancellation (domain.ts).
  const normal = box
    ? queryDomain(net, box).local!
    : makeNetwork(1, [{ outDim: first.outDim, inDim: 1, weights: first.weights.map((w) => w * scale), biases: first.biases }, ...net.layers.slice(1)]);
  const unit = box ? boxFromPairs([[-1, 1]], 1) : null;
  const sweep = sweepNormalised(normal, unit, budget, maxRegions);
  if ('kind' in sweep) return sweep;
  return { ...sweep, grid: sweep.grid.map((u) => centre + scale * u), slopes: sweep.slopes.map((v) => v / scale) };
}

function sweepNormalised(net: Network, box: Box | null, budget: Budget, maxRegions: number): LineSweep | ExactOutcome {
  const bounded = box !== null;
  // The unbounded grid always holds 0 as an anchor (a point where nothing need switch).
  let grid: number[] = bounded ? [box.lo[0], box.hi[0]] : [0];
  const first = net.layers[0];
  // Layer 0: z_i(t) = w_i t + b_i. Seed the grid with its zeros.
  const roots: Root[] = [];
  for (let i = 0; i < first.outDim; i++) {
    if (first.weights[i] !== 0) roots.push({ t: -first.biases[i] / first.weights[i], neuron: i });
  }
  grid = mergeGrid(grid, roots.map((r) => r.t), bounded ? grid[0] : -Infinity, bounded ? grid[grid.length - 1] : Infinity);
  const pieceCount = () => (bounded ? grid.length - 1 : grid.length + 1);
  let width = first.outDim;
  let V: Float64Array = new Float64Array(grid.length * width);
  let S: Float64Array = new Float64Array(pieceCount() * width);
  grid.forEach((t, g) => {
    for (let i = 0; i < width; i++) V[g * width + i] = first.weights[i] * t + first.biases[i];
  });
  pinZeros(grid, V, width, roots);
  // Stryker disable next-line EqualityOperator: an index one past a row writes the next row's first entry, which is written again after it (past the array's end, ignored)
  for (let p = 0; p < pieceCount(); p++) for (let i = 0; i < width; i++) S[p * width + i] = first.weights[i];
  // change[g] = some neuron switches at grid point g (so the pieces on both sides are distinct regions).
  let change: Uint8Array = new Uint8Array(grid.length);

  for (let l = 1; l < net.layers.length; l++) {
    if (budget.exceeded()) return tooLarge('time', budget.timeLimit, pieceCount(), budget.elapsed(), NaN, null);
    // 1. zeros of the current pre-activations inside pieces, 2. the refined grid and values on it.
    const newRoots = zerosOf(grid, V, S, width, bounded);
    const refined = mergeGrid(grid, newRoots.map((r) => r.t), bounded ? grid[0] : -Infinity, bounded ? grid[grid.length - 1] : Infinity);
    if (refined.length > maxRegions + 1) return tooLarge('regions', maxRegions, refined.length, budget.elapsed(), NaN, null);
    ({ V, S, change } = resample(grid, refined, V, S, change, width, bounded));
    grid = refined;
    pinZeros(grid, V, width, newRoots);
    // 3. ReLU: post-activation values and slopes; a piece's sign is read at its midpoint.
    const P = pieceCount();
    const H = new Float64Array(grid.length * width);
    // Stryker disable next-line EqualityOperator: k = H.length is past the end (ignored); V = 0 gives 0 either way
    for (let k = 0; k < H.length; k++) H[k] = V[k] > 0 ? V[k] : 0;
    const HS = new Float64Array(P * width);
    let prevActive: Uint8Array | null = null;
    for (let p = 0; p < P; p++) {
      const active = new Uint8Array(width);
      for (let i = 0; i < width; i++) {
        active[i] = pieceSign(grid, V, S, width, bounded, p, i) > 0 ? 1 : 0;
        if (active[i]) HS[p * width + i] = S[p * width + i];
      }
      if (prevActive) {
        const g = bounded ? p : p - 1; // grid point between piece p−1 and p
        for (let i = 0; i < width && !change[g]; i++) if (active[i] !== prevActive[i]) change[g] = 1;
      }
      prevActive = active;
    }
    // 4. The next affine layer.
    const layer = net.layers[l];
    const WT = transposeWeights(layer.weights, layer.outDim, layer.inDim);
    V = affineRows(H, grid.length, width, WT, layer.outDim, layer.biases);
    S = affineRows(HS, P, width, WT, layer.outDim, null);
    width = layer.outDim;
  }

  return { grid, bounded, slopes: S, width, change };
}

/** A point well inside piece p. */
function pieceInterior(grid: number[], bounded: boolean, p: number): number {
  if (bounded) return 0.5 * (grid[p] + grid[p + 1]);
  const spread = Math.max(1, grid[grid.length - 1] - grid[0]);
  if (p === 0) return grid[0] - spread;
  if (p === grid.length) return grid[grid.length - 1] + spread;
  return 0.5 * (grid[p - 1] + grid[p]);
}

/** Sign of neuron i on piece p (constant there once its zeros are grid points). */
function pieceSign(grid: number[], V: Float64Array, S: Float64Array, w: number, bounded: boolean, p: number, i: number): number {
  const slope = S[p * w + i];
  if (bounded || (p > 0 && p < grid.length)) {
    const left = bounded ? p : p - 1;
    return Math.sign(V[left * w + i] + V[(left + 1) * w + i]);
  }
  if (p === 0) {
    const v = V[i];
    return v !== 0 ? Math.sign(v) : -Math.sign(slope);
  }
  const v = V[(grid.length - 1) * w + i];
  return v !== 0 ? Math.sign(v) : Math.sign(slope);
}

/** A zero of one neuron's pre-activation. */
interface Root {
  readonly t: number;
  readonly neuron: number;
}

/**
 * Sets each neuron's value to exactly 0 at the grid point its zero was merged into, so the signs of
 * the pieces on both sides are read from the neighbours and slopes, not from rounding noise.
 */
function pinZeros(grid: number[], V: Float64Array, w: number, roots: readonly Root[]): void {
  for (const { t, neuron } of roots) {
    let lo = 0;
    let hi = grid.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (grid[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    const g = lo > 0 && Math.abs(grid[lo - 1] - t) < Math.abs(grid[lo] - t) ? lo - 1 : lo;
    if (Math.abs(grid[g] - t) <= 1e-12 * Math.max(1, Math.abs(t))) V[g * w + neuron] = 0;
  }
}

/** Zeros of every neuron strictly inside a piece (interior pieces and the unbounded ends). */
function zerosOf(grid: number[], V: Float64Array, S: Float64Array, w: number, bounded: boolean): Root[] {
  const out: Root[] = [];
  const G = grid.length;
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: g = G − 1 (or G) reads past V's end: undefined compares false, so no root
  for (let g = 0; g + 1 < G; g++) {
    const p = bounded ? g : g + 1;
    for (let i = 0; i < w; i++) {
      const a = V[g * w + i];
      const b = V[(g + 1) * w + i];
      // Stryker disable next-line EqualityOperator: a zero exactly at a grid point gives the root t = that point, which merges into it (and is pinned to 0 already)
      if ((a < 0 && b > 0) || (a > 0 && b < 0)) {
        const s = S[p * w + i];
        let t = s !== 0 ? grid[g] - a / s : 0.5 * (grid[g] + grid[g + 1]);
        t = Math.min(Math.max(t, grid[g]), grid[g + 1]);
        out.push({ t, neuron: i });
      }
    }
  }
  if (!bounded) {
    for (let i = 0; i < w; i++) {
      const s0 = S[i];
      const v0 = V[i];
      // Stryker disable next-line LogicalOperator: v0 = 0 or s0 = 0 alone gives different signs, and both 0 the root 0/0 = NaN, which mergeGrid drops
      if (v0 !== 0 && s0 !== 0 && Math.sign(v0) === Math.sign(s0)) out.push({ t: grid[0] - v0 / s0, neuron: i });
      const sl = S[G * w + i];
      const vl = V[(G - 1) * w + i];
      if (vl !== 0 && sl !== 0 && Math.sign(vl) !== Math.sign(sl)) out.push({ t: grid[G - 1] - vl / sl, neuron: i });
    }
  }
  return out;
}

/** Sorted union of the grid and new points inside (lo, hi), merging points within tolerance. */
function mergeGrid(grid: number[], points: number[], lo: number, hi: number): number[] {
  const tol = (t: number) => 1e-12 * Math.max(1, Math.abs(t));
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: a point within tol of an end, or on it, is merged into that end (grid points win) either way
  const inside = (t: number) => Number.isFinite(t) && (lo === -Infinity || t > lo + tol(lo)) && (hi === Infinity || t < hi - tol(hi));
  const all = [...grid, ...points.filter(inside)].sort((a, b) => a - b);
  const out: number[] = [];
  const keep = new Set(grid);
  for (const t of all) {
    const last = out[out.length - 1];
    if (out.length > 0 && t - last <= tol(t)) {
      if (keep.has(t) && !keep.has(last)) out[out.length - 1] = t; // existing grid points win
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Values on the refined grid and slopes on its pieces, from the coarse ones (exact: linear pieces). */
function resample(
  grid: number[],
  refined: number[],
  V: Float64Array,
  S: Float64Array,
  change: Uint8Array,
  w: number,
  bounded: boolean,
): { V: Float64Array; S: Float64Array; change: Uint8Array } {
  const G = grid.length;
  const nV = new Float64Array(refined.length * w);
  const P = bounded ? refined.length - 1 : refined.length + 1;
  const nS = new Float64Array(P * w);
  const nChange = new Uint8Array(refined.length);
  // For each refined point, the coarse piece holding it and the coarse grid point to extrapolate from.
  let g = 0; // first coarse grid index with grid[g] >= t
  for (let r = 0; r < refined.length; r++) {
    const t = refined[r];
    while (g < G && grid[g] < t) g++;
    if (g < G && grid[g] === t) {
      nV.set(V.subarray(g * w, (g + 1) * w), r * w);
      nChange[r] = change[g];
      continue;
    }
    // t lies in the coarse piece between grid[g−1] and grid[g] (or an end piece).
    const piece = bounded ? g - 1 : g;
    const anchor = g > 0 ? g - 1 : 0;
    for (let i = 0; i < w; i++) nV[r * w + i] = V[anchor * w + i] + S[piece * w + i] * (t - grid[anchor]);
  }
  // Slopes: each refined piece lies inside one coarse piece.
  g = 0;
  for (let p = 0; p < P; p++) {
    // A point inside refined piece p, to locate its coarse piece.
    const left = bounded ? refined[p] : p === 0 ? -Infinity : refined[p - 1];
    while (g < G && grid[g] <= left) g++;
    const coarse = bounded ? g - 1 : g;
    nS.set(S.subarray(coarse * w, (coarse + 1) * w), p * w);
  }
  return { V: nV, S: nS, change: nChange };
}

function transposeWeights(W: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = W[i * cols + j];
  return T;
}

/** rows × inW matrix X times WT (inW × outW), plus biases: the next layer on every row. */
function affineRows(X: Float64Array, rows: number, inW: number, WT: Float64Array, outW: number, biases: Float64Array | null): Float64Array {
  const out = new Float64Array(rows * outW);
  for (let r = 0; r < rows; r++) {
    const o = r * outW;
    if (biases) out.set(biases, o);
    for (let j = 0; j < inW; j++) {
      const x = X[r * inW + j];
      // Stryker disable next-line ConditionalExpression: skipping x = 0 only saves adding 0·w = 0 (weights are finite)
      if (x === 0) continue;
      const wo = j * outW;
      for (let i = 0; i < outW; i++) out[o + i] += x * WT[wo + i];
    }
  }
  return out;
}
