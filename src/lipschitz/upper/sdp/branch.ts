import type { Network } from '../../../network/network.js';
import { Budget } from '../../budget.js';
import { liftedDomain, queryDomain, type Domain } from '../../domain.js';
import { witnessAt, type Witness } from '../../lower/witness.js';
import type { Box } from '../../query.js';
import { intervalJacobianBound, neuronStates, preActivationBounds, type PreActivationBounds } from '../intervals.js';
import { globalFacets } from './facets.js';
import { MaxHeap } from './heap.js';
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
 * The global constant (facets.ts). f's regions are the open cones of a bias-free homogenised
 * network, and each meets the relative interior of a facet of a cube in an open set; on a facet,
 * f's neuron signs are those of an ordinary network (the facet network) over a box one dimension
 * lower than the homogenised cube (two lower when f has no hidden biases). The roots are the
 * facets; a sub-box of a facet bounds, by f's local LipSDP with the states proven there, every
 * ‖J_P‖ of a pattern P realised on an open subset of it (LipSDP-Neuron bounds ‖J‖ for every
 * diagonal slope matrix with the stable slopes fixed and the others in [0, 1]). Every region of f
 * meets some leaf's interior, so Lip over ℝᵈ ≤ max over the leaves.
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
  readonly root: BranchRoot | null;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly upper: number;
  readonly multipliers: NetworkMultipliers | null;
}

/** A cell to start from, and what its sub-boxes say about f. */
interface BranchRoot {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  /** Pre-activation bounds of f's hidden neurons over a sub-box (outward rounded, up to a positive factor). */
  bounds(lo: Float64Array, hi: Float64Array): PreActivationBounds;
  /** A point of ℝᵈ inside the sub-box (its centre), or null. */
  centre(lo: Float64Array, hi: Float64Array): Float64Array | null;
}

/** The domain of a box query: cells are sub-boxes of the box. */
function boxRoots(net: Network, box: Box, bounds: (net: Network, domain: Domain) => PreActivationBounds): BranchRoot[] {
  return [
    {
      lo: box.lo,
      hi: box.hi,
      bounds: (lo, hi) => bounds(net, queryDomain(net, { lo, hi })),
      centre: (lo, hi) => Float64Array.from(lo, (v, i) => 0.5 * (v + hi[i])),
    },
  ];
}

/** The domain of ℝᵈ: the facets of facets.ts, each a box of its facet network's inputs. */
function globalRoots(net: Network, boundsOf: (net: Network, domain: Domain) => PreActivationBounds): BranchRoot[] | null {
  const facets = globalFacets(net, liftedDomain(net).scale);
  if (!facets) return null;
  return facets.map((facet) => ({
    lo: facet.box.lo,
    hi: facet.box.hi,
    bounds: (lo, hi) => {
      const b = boundsOf(facet.net, queryDomain(facet.net, { lo, hi }));
      if (!facet.carrier) return b;
      // f's neurons are all but the last (the carrier of t) in every hidden layer.
      // Stryker disable next-line ArithmeticOperator: a carrier entry kept at the end is read by nobody (the states' readers loop over f's widths)
      return { lo: b.lo.map((v) => v.subarray(0, v.length - 1)), hi: b.hi.map((v) => v.subarray(0, v.length - 1)) };
    },
    centre: (lo, hi) => facet.toInput(Float64Array.from(lo, (v, i) => 0.5 * (v + hi[i]))),
  }));
}

function unstableCount(bounds: PreActivationBounds): number {
  let count = 0;
  for (const s of neuronStates(bounds)) for (const v of s) if (v === -1) count++;
  return count;
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
  if (net.layers.length < 2) return null;
  const roots = box ? boxRoots(net, box, boundsOf) : globalRoots(net, boundsOf);
  if (!roots) return null;
  const fDomain = queryDomain(net, box); // only read by the interval bound through its bounds argument
  const cellLimit = options.cellTimeLimit ?? Math.max(0.5, budget.remaining() / 20);
  let witness: Witness = { value: -Infinity, x: new Float64Array(0) };
  let cells = 0;

  /** A cell's bound; `known` = its pre-activation bounds when splitAxis already computed them. */
  const bound = (root: BranchRoot, lo: Float64Array, hi: Float64Array, parent: Cell, known: PreActivationBounds | null = null): Cell => {
    cells++;
    const centre = root.centre(lo, hi);
    if (centre) {
      const w = witnessAt(net, centre, '2');
      if (w.value > witness.value) witness = w;
    }
    const fBounds = known ?? root.bounds(lo, hi);
    const states = neuronStates(fBounds);
    const interval = intervalJacobianBound(net, fDomain, '2', fBounds).value;
    const cellBudget = budget.within(cellLimit);
    const sdp = lipSdpBound(net, null, { states, budget: cellBudget, warmStart: parent.multipliers ?? undefined, relativeGap: 1e-2, closedForm: false });
    const upper = Math.min(interval, sdp?.upper ?? Infinity, parent.upper);
    return { root, lo, hi, upper, multipliers: sdp?.multipliers ?? parent.multipliers };
  };

  // The root: plain LipSDP over the whole domain; its bound caps every cell's.
  const rootStates = box ? neuronStates(roots[0].bounds(box.lo, box.hi)) : null;
  const rootSdp = lipSdpBound(net, null, { states: rootStates, budget: budget.within(cellLimit * 4), relativeGap: 1e-3 });
  const root: Cell = { root: null, lo: new Float64Array(0), hi: new Float64Array(0), upper: rootSdp?.upper ?? Infinity, multipliers: rootSdp?.multipliers ?? null };
  const heap = new MaxHeap<Cell>();
  for (const r of roots) heap.push(box ? { ...root, root: r, lo: r.lo, hi: r.hi } : bound(r, r.lo, r.hi, root));
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
    const cellRoot = top.root!;
    const { axis, children } = splitAxis(cellRoot, top);
    const [leftHi, rightLo] = halves(top, axis);
    heap.push(bound(cellRoot, top.lo, leftHi, top, children?.[0]));
    heap.push(bound(cellRoot, rightLo, top.hi, top, children?.[1]));
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

/** The two halves of a cell along an axis: the left one's upper corner and the right one's lower corner. */
function halves(cell: Cell, axis: number): [Float64Array, Float64Array] {
  const mid = 0.5 * (cell.lo[axis] + cell.hi[axis]);
  const leftHi = cell.hi.slice();
  leftHi[axis] = mid;
  const rightLo = cell.lo.slice();
  rightLo[axis] = mid;
  return [leftHi, rightLo];
}

/**
 * The coordinate whose halving leaves the fewest unstable neurons (ties: the widest), and the two
 * halves' pre-activation bounds when they were computed to decide (up to 16 coordinates), so that
 * bounding the halves does not compute them again.
 */
function splitAxis(root: BranchRoot, cell: Cell): { axis: number; children: [PreActivationBounds, PreActivationBounds] | null } {
  const n = cell.lo.length;
  let best = 0;
  let bestCount = Infinity;
  // Stryker disable next-line UnaryOperator: the first axis not skipped has count < Infinity = bestCount and sets bestWidth before any tie compares with it
  let bestWidth = -Infinity;
  let children: [PreActivationBounds, PreActivationBounds] | null = null;
  // Stryker disable next-line EqualityOperator: at axis = n, hi[n] is undefined, mid is NaN and the thin-axis test skips it
  for (let axis = 0; axis < n; axis++) {
    const width = cell.hi[axis] - cell.lo[axis];
    const mid = 0.5 * (cell.lo[axis] + cell.hi[axis]);
    if (!(mid > cell.lo[axis] && mid < cell.hi[axis])) continue; // too thin to split
    let count = 0;
    let bounds: [PreActivationBounds, PreActivationBounds] | null = null;
    if (n <= 16) {
      const [leftHi, rightLo] = halves(cell, axis);
      bounds = [root.bounds(cell.lo, leftHi), root.bounds(rightLo, cell.hi)];
      count = unstableCount(bounds[0]) + unstableCount(bounds[1]);
    }
    if (count < bestCount || (count === bestCount && width > bestWidth)) {
      best = axis;
      bestCount = count;
      bestWidth = width;
      children = bounds;
    }
  }
  return { axis: best, children };
}
