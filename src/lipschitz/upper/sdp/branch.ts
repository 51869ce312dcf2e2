import { makeNetwork, type DenseLayer, type Network } from '../../../network/network.js';
import { ldexp } from '../../../linalg/verifiedDefinite.js';
import { Budget } from '../../budget.js';
import { liftedDomain, queryDomain, type Domain } from '../../domain.js';
import { witnessAt, type Witness } from '../../lower/witness.js';
import type { Box } from '../../query.js';
import { intervalJacobianBound, neuronStates, preActivationBounds, type PreActivationBounds } from '../intervals.js';
import { lipSdpBound } from './lipSdp.js';
import type { NetworkMultipliers } from './problem.js';

/**
 * Branch and bound on the input domain with local LipSDP bounds: an upper bound on Lip₂ of f over
 * a box, or over ℝᵈ, that tightens as the domain is split.
 *
 * Soundness. The local constant on a box B is the largest ‖J_R‖ over the linear regions R that
 * meet B's interior. If B is split into sub-boxes B_i, every open set meeting B's interior meets
 * some B_i's interior (the boundaries are null sets), so Lip on B ≤ max_i (a bound on B_i); and a
 * bound proven for B holds for each B_i, so a child's bound is the smaller of its own and its
 * parent's. Each sub-box's bound is the local LipSDP certificate (lipSdp.ts) with the neuron
 * states proven by outward-rounded interval bounds on the sub-box, or the interval Jacobian bound
 * with the same states, whichever is smaller.
 *
 * The global constant. With x = S·u/t, t = (w + 1)/2 (domain.ts), the network
 * g(u, w) = 2t·f(S·u/t) is a ReLU network of (u, w) ∈ [−1, 1]^{d+1} whose weights are exact
 * (2S is a power of two): its first layer is [2S·W₀ | b₀] with bias b₀, an extra neuron carries
 * 2t = w + 1 through every layer, and later layers are [W_k | b_k]. Its hidden neurons are f's
 * neurons at x times 2t > 0, so a neuron stable over a sub-box of the cube (where t > 0) is stable
 * for f at every point x = S·u/t it covers. Every region of f is an open cone in (u, t > 0) that
 * meets the open cube, hence the interior of some sub-box; on that sub-box, pairs of points with
 * the same t differ by Δx = S·Δu/t and their increments are f's own, so the sub-box's local
 * LipSDP certificate for f's weights with those states bounds ‖J_R‖. Lip over ℝᵈ ≤ max over the
 * leaves.
 *
 * The cell with the largest bound is split first, in half along the coordinate that leaves the
 * fewest unstable neurons in the two halves (interval bounds only, cheap). Anytime: stops at the
 * budget, at `targetGap` (upper ≤ targetGap·lower) or when every cell is proven constant.
 */
export interface BranchedSdpOptions {
  readonly budget?: Budget;
  readonly timeLimit?: number;
  /** The best certified lower bound known (e.g. witnesses found elsewhere); polled as it improves. */
  readonly lower?: () => number;
  /** Stop once upper ≤ targetGap·lower (default 1.0001). */
  readonly targetGap?: number;
  /** Seconds for one cell's SDP at most (default: a twentieth of the budget, at least 0.5). */
  readonly cellTimeLimit?: number;
  readonly onProgress?: (upper: number, lower: number, cells: number) => void;
  /**
   * Sound pre-activation bounds over a cube domain (default: interval bounds, intervals.ts); tighter
   * ones (CROWN-like linear bounds) prove more neurons stable and make cells pay off sooner.
   */
  readonly bounds?: (net: Network, domain: Domain) => PreActivationBounds;
}

export interface BranchedSdpResult {
  /** The certified upper bound on Lip₂ over the domain. */
  readonly upper: number;
  /** The root cell's bound (plain local or global LipSDP). */
  readonly rootUpper: number;
  /** The best witness met at cell centres (value −Infinity if none). */
  readonly witness: Witness;
  /** Cells bounded, and leaves left open. */
  readonly cells: number;
  readonly leaves: number;
  readonly stoppedBy: 'gap' | 'time' | 'exhausted';
  readonly seconds: number;
}

interface Cell {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly upper: number;
  readonly multipliers: NetworkMultipliers | null;
}

/** The cells to start from, and what a cell says about f. */
interface BranchDomain {
  /** Boxes whose interiors together meet every region that counts. */
  readonly roots: readonly { readonly lo: Float64Array; readonly hi: Float64Array }[];
  /** Pre-activation bounds of f's hidden neurons over the cell (outward rounded). */
  bounds(lo: Float64Array, hi: Float64Array): PreActivationBounds;
  /** A point of ℝᵈ inside the cell (its centre), or null. */
  centre(lo: Float64Array, hi: Float64Array): Float64Array | null;
}

/** The domain of a box query: cells are sub-boxes of the box. */
function boxDomain(net: Network, box: Box, bounds: (net: Network, domain: Domain) => PreActivationBounds): BranchDomain {
  return {
    roots: [{ lo: box.lo.slice(), hi: box.hi.slice() }],
    bounds: (lo, hi) => bounds(net, queryDomain(net, { lo, hi })),
    centre: (lo, hi) => Float64Array.from(lo, (v, i) => 0.5 * (v + hi[i])),
  };
}

/**
 * g(u, w) = 2t·f(S·u/t) as a network (see the module comment), with S a power of two; null when a
 * weight would not scale exactly.
 */
export function liftedNetwork(net: Network, scale: number): Network | null {
  const L = net.layers.length - 1;
  const d = net.inputDim;
  const layers: DenseLayer[] = [];
  const exponent = Math.log2(2 * scale);
  for (let l = 0; l <= L; l++) {
    const layer = net.layers[l];
    const carry = l < L ? 1 : 0; // the neuron that carries 2t
    const inDim = layer.inDim + 1;
    const outDim = layer.outDim + carry;
    const weights = new Float64Array(outDim * inDim);
    const biases = new Float64Array(outDim);
    for (let i = 0; i < layer.outDim; i++) {
      for (let j = 0; j < layer.inDim; j++) {
        const w = layer.weights[i * layer.inDim + j];
        const v = l === 0 ? ldexp(w, exponent) : w;
        if (l === 0 && ldexp(v, -exponent) !== w) return null;
        weights[i * inDim + j] = v;
      }
      weights[i * inDim + layer.inDim] = layer.biases[i];
      if (l === 0) biases[i] = layer.biases[i];
    }
    if (carry) {
      weights[layer.outDim * inDim + layer.inDim] = 1;
      if (l === 0) biases[layer.outDim] = 1;
    }
    layers.push({ outDim, inDim, weights, biases });
  }
  return makeNetwork(d + 1, layers);
}

/**
 * The homogenised domain of ℝᵈ: sub-boxes of [−1, 1]^{d+1} in (u, w), t = (w + 1)/2. Regions are
 * cones in (u, t) with apex at the origin, so cells around the apex never get stable neurons;
 * but every open cone meeting {t > 0} contains a point with max(|u_i|, t) = ¾, so the shell
 * {max(|u_i|, t) ≥ ½} suffices: the 2d faces |u_i| ≥ ½ and the face t ≥ ½ (w ≥ 0). When every
 * hidden bias is zero, f is positively homogeneous, its regions are cones in x = S·u/t alone, and
 * the t-face (which holds x = 0, the apex of them all) is left out.
 */
function globalDomain(net: Network, boundsOf: (net: Network, domain: Domain) => PreActivationBounds): BranchDomain | null {
  const scale = 2 ** Math.round(Math.log2(liftedDomain(net).scale));
  const g = liftedNetwork(net, scale);
  if (!g) return null;
  const d = net.inputDim;
  const roots: { lo: Float64Array; hi: Float64Array }[] = [];
  for (let i = 0; i < d; i++) {
    for (const sign of [1, -1]) {
      const lo = new Float64Array(d + 1).fill(-1);
      const hi = new Float64Array(d + 1).fill(1);
      if (sign > 0) lo[i] = 0.5;
      else hi[i] = -0.5;
      roots.push({ lo, hi });
    }
  }
  const biasFree = net.layers.slice(0, -1).every((layer) => layer.biases.every((b) => b === 0));
  if (!biasFree) {
    const lo = new Float64Array(d + 1).fill(-1);
    lo[d] = 0;
    roots.push({ lo, hi: new Float64Array(d + 1).fill(1) });
  }
  return {
    roots,
    bounds: (lo, hi) => {
      const b = boundsOf(g, queryDomain(g, { lo, hi }));
      // f's neurons are all but the last (the carrier of 2t) in every hidden layer.
      return { lo: b.lo.map((v) => v.subarray(0, v.length - 1)), hi: b.hi.map((v) => v.subarray(0, v.length - 1)) };
    },
    centre: (lo, hi) => {
      const t = 0.25 * (lo[d] + hi[d] + 2);
      if (!(t > 1e-12)) return null;
      return Float64Array.from({ length: d }, (_, i) => (scale * 0.5 * (lo[i] + hi[i])) / t);
    },
  };
}

function unstableCount(bounds: PreActivationBounds): number {
  let count = 0;
  for (const s of neuronStates(bounds)) for (const v of s) if (v === -1) count++;
  return count;
}

/** A max-heap of cells by upper bound. */
class CellHeap {
  readonly items: Cell[] = [];

  push(c: Cell): void {
    const a = this.items;
    a.push(c);
    for (let i = a.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (a[parent].upper >= a[i].upper) break;
      [a[parent], a[i]] = [a[i], a[parent]];
      i = parent;
    }
  }

  pop(): Cell | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l].upper > a[m].upper) m = l;
        if (r < a.length && a[r].upper > a[m].upper) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }

  peek(): Cell | undefined {
    return this.items[0];
  }
}

/**
 * The certified upper bound on Lip₂ of f over ℝᵈ (box null) or a box by branch and bound with
 * local LipSDP bounds; null when not even the root could be bounded (a network without hidden
 * layers, or a global domain whose weights do not scale exactly).
 */
export function branchedSdpBound(net: Network, box: Box | null, options: BranchedSdpOptions = {}): BranchedSdpResult | null {
  const budget = options.budget ?? new Budget(options.timeLimit ?? 60);
  const targetGap = options.targetGap ?? 1.0001;
  const boundsOf = options.bounds ?? preActivationBounds;
  const domain = box ? boxDomain(net, box, boundsOf) : globalDomain(net, boundsOf);
  if (!domain || net.layers.length < 2) return null;
  const fDomain = queryDomain(net, box); // only read by the interval bound through its bounds argument
  const cellLimit = options.cellTimeLimit ?? Math.max(0.5, budget.remaining() / 20);
  let witness: Witness = { value: -Infinity, x: new Float64Array(0) };
  let cells = 0;

  const bound = (lo: Float64Array, hi: Float64Array, parent: Cell | null): Cell => {
    cells++;
    const centre = domain.centre(lo, hi);
    if (centre) {
      const w = witnessAt(net, centre, '2');
      if (w.value > witness.value) witness = w;
    }
    const fBounds = domain.bounds(lo, hi);
    const states = neuronStates(fBounds);
    const interval = intervalJacobianBound(net, fDomain, '2', fBounds).value;
    const cellBudget = budget.within(cellLimit);
    const sdp = lipSdpBound(net, null, { states, budget: cellBudget, warmStart: parent?.multipliers ?? undefined, relativeGap: 1e-2, closedForm: false });
    const upper = Math.min(interval, sdp?.upper ?? Infinity, parent?.upper ?? Infinity);
    return { lo, hi, upper, multipliers: sdp?.multipliers ?? parent?.multipliers ?? null };
  };

  // The root: plain LipSDP over the whole domain; its bound caps every cell's.
  const rootStates = box ? neuronStates(domain.bounds(box.lo, box.hi)) : null;
  const rootSdp = lipSdpBound(net, null, { states: rootStates, budget: budget.within(cellLimit * 4), relativeGap: 1e-3 });
  const root: Cell = { lo: new Float64Array(0), hi: new Float64Array(0), upper: rootSdp?.upper ?? Infinity, multipliers: rootSdp?.multipliers ?? null };
  const heap = new CellHeap();
  for (const r of domain.roots) heap.push(box ? { ...root, lo: r.lo, hi: r.hi } : bound(r.lo, r.hi, root));
  const lowerNow = () => Math.max(witness.value, options.lower?.() ?? -Infinity);
  let stoppedBy: BranchedSdpResult['stoppedBy'] = 'time';
  for (;;) {
    const top = heap.peek()!;
    options.onProgress?.(top.upper, lowerNow(), cells);
    if (top.upper === 0) {
      stoppedBy = 'exhausted';
      break;
    }
    if (top.upper <= targetGap * lowerNow()) {
      stoppedBy = 'gap';
      break;
    }
    if (budget.exceeded()) break;
    heap.pop();
    const axis = splitAxis(domain, top);
    const mid = 0.5 * (top.lo[axis] + top.hi[axis]);
    const leftHi = top.hi.slice();
    leftHi[axis] = mid;
    const rightLo = top.lo.slice();
    rightLo[axis] = mid;
    heap.push(bound(top.lo, leftHi, top));
    heap.push(bound(rightLo, top.hi, top));
  }
  return {
    upper: heap.peek()!.upper,
    rootUpper: root.upper,
    witness,
    cells,
    leaves: heap.items.length,
    stoppedBy,
    seconds: budget.elapsed(),
  };
}

/** The coordinate whose halving leaves the fewest unstable neurons (ties: the widest). */
function splitAxis(domain: BranchDomain, cell: Cell): number {
  const n = cell.lo.length;
  let best = 0;
  let bestCount = Infinity;
  let bestWidth = -Infinity;
  for (let axis = 0; axis < n; axis++) {
    const width = cell.hi[axis] - cell.lo[axis];
    const mid = 0.5 * (cell.lo[axis] + cell.hi[axis]);
    if (!(mid > cell.lo[axis] && mid < cell.hi[axis])) continue; // too thin to split
    let count = 0;
    if (n <= 16) {
      const leftHi = cell.hi.slice();
      leftHi[axis] = mid;
      const rightLo = cell.lo.slice();
      rightLo[axis] = mid;
      count = unstableCount(domain.bounds(cell.lo, leftHi)) + unstableCount(domain.bounds(rightLo, cell.hi));
    }
    if (count < bestCount || (count === bestCount && width > bestWidth)) {
      best = axis;
      bestCount = count;
      bestWidth = width;
    }
  }
  return best;
}
