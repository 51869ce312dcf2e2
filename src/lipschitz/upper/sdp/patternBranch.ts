import type { Network } from '../../../network/network.js';
import { Budget } from '../../budget.js';
import { liftedDomain } from '../../domain.js';
import { lowerBound } from '../../lower/index.js';
import { better, NO_WITNESS, witnessAt, type Witness } from '../../lower/witness.js';
import type { Box } from '../../query.js';
import { intervalJacobianBound } from '../intervals.js';
import { globalFacets, type Facet } from './facets.js';
import { MaxHeap } from './heap.js';
import { lipSdpBound } from './lipSdp.js';
import type { NetworkMultipliers } from './problem.js';
import { deeperBounds, firstForms, nextForms, relaxedNextBounds, widenSum, type Forms } from './nodeBounds.js';
import { soundMax, type Polytope } from './soundLp.js';

/**
 * Pattern branch and bound for Lip₂: a certified bracket [lower, upper] on the global constant
 * over ℝᵈ (through the facets of facets.ts) or the local one on a box, for low input dimensions
 * (every node solves LPs in the facet's d − 1 or d variables).
 *
 * Nodes. A node is a polytope Q of a root box (a facet, or the query's box), cut by sign
 * constraints on neurons, and the states of all hidden neurons on Q: fixed by a cut, proven
 * stable, or unstable. Neurons are cut layer by layer: once every neuron of layers < l is stable
 * on Q, the pre-activations of layer l are affine on Q, z = a·v + c, computed in floating point
 * with a rigorous bound e on |z(v) − (a·v + c)| over the box (running error analysis, as in
 * problem.ts), and their ranges over Q are bounded by sound LP bounds (soundLp.ts) over the
 * relaxation {s_k·(a_k·v + c_k) ≥ −e_k} ⊇ Q of the cuts. Deeper layers get interval bounds
 * propagated from layer l's, widened for rounding. A neuron whose bounds exclude 0 is stable on Q.
 * Splitting Q on an unstable neuron of layer l into Q ∩ {z ≥ 0} and Q ∩ {z ≤ 0} covers Q, and every
 * open set meeting Q's interior meets the interior of one of them (z is affine on Q).
 *
 * Bounds. A node's bound is the smallest of its parent's, the interval Jacobian bound with its
 * states, and f's LipSDP-Neuron certificate with its states for the root's multipliers (solved
 * once, restricted to the node's unstable neurons and verified again: lipSdp.ts with a zero
 * budget; fixing slopes restricts the quadratic form to a subspace, so the same multipliers prove
 * at least as much). A verified LipSDP certificate bounds ‖J‖ for every slope matrix with the
 * stable slopes fixed and the others in [0, 1], so every pattern realised on an open subset of Q.
 * Hence the guarantee: every activation pattern of f realised on an open set of the domain is
 * realised on an open subset of some leaf (facets.ts for ℝᵈ), so `upper` = the largest leaf bound
 * ≥ Lip₂. When every neuron is stable the node's pattern is fixed and the interval Jacobian bound
 * is its ‖J‖ up to rounding. Floating point enters through the affine forms (error bounds e), the
 * LPs (soundLp.ts), the interval and CROWN sums (widened by γ terms) and the SDP certificate
 * (certificate.ts); degenerate arrangements (many cuts through one point) stay sound but may keep
 * a loose sliver node open, since a relaxed polytope cannot prove an interior empty.
 *
 * Lower end: witnesses at the LPs' vertices' mean in each node, and `lowerBound` (lower/index.ts)
 * for a share of the budget at the start; every witness is re-checked by `witnessAt`. Best-first:
 * the node with the largest bound is split until upper ≤ targetGap·lower, the budget ends, or no
 * node is left unstable.
 */
export interface PatternBranchOptions {
  readonly budget?: Budget;
  readonly timeLimit?: number;
  /** Stop once upper ≤ targetGap·lower (default 1.0001). */
  readonly targetGap?: number;
  /** Seconds for the root's SDP solve, whose multipliers every node re-certifies (default: a tenth of the budget, 2 to 30 s). */
  readonly rootTimeLimit?: number;
  /** Share of the budget spent on `lowerBound` first (default 0.1; 0 skips it). */
  readonly lowerShare?: number;
  /** A certified lower bound known elsewhere, polled as it improves. */
  readonly lower?: () => number;
  readonly seed?: number;
  readonly onProgress?: (upper: number, lower: number, nodes: number) => void;
}

export interface PatternBranchResult {
  /** Certified: Lip₂ over the domain is at most this. */
  readonly upper: number;
  /** Certified: the witness's value (or the caller's lower bound, whichever is larger). */
  readonly lower: number;
  readonly witness: Witness;
  /** f's plain LipSDP-Neuron bound on the domain (the root's). */
  readonly rootUpper: number;
  readonly nodes: number;
  /** Leaves still open (bound above the target) when it stopped. */
  readonly open: number;
  readonly stoppedBy: 'gap' | 'time' | 'exhausted';
  readonly seconds: number;
}

/** A root box with its network (hidden layers: f's neurons, then possibly the carrier of t). */
interface Root {
  readonly net: Network;
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly carrier: boolean;
  toInput(v: ArrayLike<number>): Float64Array | null;
}

const ETA = 2 ** -1074;

interface Node {
  readonly root: Root;
  /** The cuts: rows and right-hand sides of the relaxed polytope (−s·a·v ≤ s·c + e). */
  readonly rows: number[];
  readonly rhs: number[];
  /** The layer being cut, and its affine forms. */
  readonly layer: number;
  readonly forms: Forms;
  /** States of the root network's hidden neurons (1 on, 0 off, −1 unstable). */
  readonly states: Int8Array[];
  /** Bounds of layer `layer`'s pre-activations on the node. */
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly upper: number;
  readonly multipliers: NetworkMultipliers | null;
}

/**
 * The certified bracket on Lip₂ of f over ℝᵈ (box null) or the box by pattern branch and bound
 * (see the module comment), or null when f has no hidden layer or the facets cannot be built
 * exactly. Anytime: at the budget it returns the best certified bracket so far.
 */
export function patternBranchBound(net: Network, box: Box | null, options: PatternBranchOptions = {}): PatternBranchResult | null {
  const budget = options.budget ?? new Budget(options.timeLimit ?? 60);
  const targetGap = options.targetGap ?? 1.0001;
  if (net.layers.length < 2) return null;
  const roots = box ? [boxRoot(net, box)] : globalFacets(net, liftedDomain(net).scale)?.map(facetRoot);
  if (!roots) return null;
  const fDomain = liftedDomain(net); // read only through the bounds handed to intervalJacobianBound
  let witness: Witness = NO_WITNESS;
  const share = options.lowerShare ?? 0.1;
  if (share > 0) {
    const found = lowerBound(net, { norm: '2', box }, { timeLimit: Infinity, budget: budget.share(share), seed: options.seed ?? 1 });
    witness = better(witness, found.witness);
  }
  const lowerNow = () => Math.max(witness.value, options.lower?.() ?? -Infinity);
  let nodes = 0;

  const rootLimit = options.rootTimeLimit ?? Math.min(30, Math.max(2, budget.remaining() / 10));
  const rootSdp = lipSdpBound(net, box, { budget: budget.within(rootLimit), relativeGap: 1e-3 });
  const rootUpper = rootSdp?.upper ?? Infinity;

  /** Completes a node: LP bounds on its layer, moving down while a layer is all stable, then its bound. */
  const evaluate = (root: Root, rows: number[], rhs: number[], layer: number, forms: Forms, states: Int8Array[], parent: { upper: number; multipliers: NetworkMultipliers | null }): Node => {
    nodes++;
    const L = root.net.layers.length - 1;
    const poly: Polytope = { n: root.lo.length, rows, rhs, lo: root.lo, hi: root.hi };
    let lo: Float64Array;
    let hi: Float64Array;
    const points: Float64Array[] = [];
    for (;;) {
      const width = forms.c.length;
      lo = new Float64Array(width);
      hi = new Float64Array(width);
      const s = states[layer];
      for (let i = 0; i < width; i++) {
        const a = forms.a.subarray(i * poly.n, (i + 1) * poly.n);
        const up = soundMax(poly, a);
        const down = soundMax(poly, a.map((x) => -x));
        if (up.point) points.push(up.point);
        if (down.point) points.push(down.point);
        hi[i] = widenSum(up.bound, forms.c[i], forms.e[i], 1);
        lo[i] = widenSum(down.bound, forms.c[i], forms.e[i], -1);
        const carrier = root.carrier && i === width - 1;
        if (carrier) s[i] = 1; // t ≥ 0 on every facet box: ρ(t) = t
        else if (s[i] === -1) s[i] = lo[i] > 0 ? 1 : hi[i] < 0 ? 0 : -1;
      }
      if (layer === L - 1 || s.some((v) => v === -1)) break;
      forms = nextForms(root.net, layer, forms, s, root.lo, root.hi);
      layer++;
    }
    const next = layer + 1 < L ? relaxedNextBounds(root.net, layer, forms, states[layer], lo, hi, poly) : null;
    const bounds = deeperBounds(root.net, layer, lo, hi, states, next);
    // Stryker disable next-line ArithmeticOperator,MethodExpression: a state kept for the carrier (always 1) or a shared array changes nothing: every reader loops over f's widths and none writes
    const fStates = states.map((s) => (root.carrier ? s.slice(0, s.length - 1) : s.slice()));
    const fBounds = {
      // Stryker disable next-line ArithmeticOperator: a carrier entry kept at the end is read by nobody (intervalJacobianBound loops over f's widths)
      lo: bounds.lo.map((v, l) => (root.carrier ? v.subarray(0, v.length - 1) : v).map((x, i) => (fStates[l][i] === 1 ? Math.max(x, ETA) : fStates[l][i] === 0 ? Math.min(x, -1) : x))),
      // Stryker disable next-line ArithmeticOperator: a carrier entry kept at the end is read by nobody (intervalJacobianBound loops over f's widths)
      hi: bounds.hi.map((v, l) => (root.carrier ? v.subarray(0, v.length - 1) : v).map((x, i) => (fStates[l][i] === 0 ? Math.min(x, -ETA) : fStates[l][i] === 1 ? Math.max(x, 1) : x))),
    };
    let upper = Math.min(parent.upper, intervalJacobianBound(net, fDomain, '2', fBounds).value);
    let multipliers = parent.multipliers;
    const target = targetGap * lowerNow();
    if (upper > target && parent.multipliers && fStates.some((s) => s.some((v) => v === -1))) {
      // The parent's multipliers, restricted to this node's unstable neurons, certified as they are:
      // one verification (milliseconds). Re-solving the SDP per node gains a few per cent for ten
      // times the cost; measured on ECLipsE's lyr5n20, more nodes win (bench/sdp.ts).
      const quick = lipSdpBound(net, null, { states: fStates, budget: new Budget(0), warmStart: parent.multipliers, closedForm: false });
      if (quick && quick.upper < upper) ({ upper, multipliers } = { upper: quick.upper, multipliers: quick.multipliers });
    }
    {
      // The mean of the LPs' vertices (inside the node when it is convex and they are), else the box centre.
      const mean = new Float64Array(poly.n);
      if (points.length > 0) for (const p of points) for (let j = 0; j < poly.n; j++) mean[j] += p[j] / points.length;
      else for (let j = 0; j < poly.n; j++) mean[j] = 0.5 * (root.lo[j] + root.hi[j]);
      const x = root.toInput(mean);
      if (x) witness = better(witness, witnessAt(net, x, '2'));
    }
    return { root, rows, rhs, layer, forms, states, lo, hi, upper, multipliers };
  };

  const heap = new MaxHeap<Node>();
  const rootParent = { upper: rootUpper, multipliers: rootSdp?.multipliers ?? null };
  for (const root of roots) {
    if (budget.exceeded() && heap.items.length > 0) break;
    heap.push(evaluate(root, [], [], 0, firstForms(root.net), initialStates(root.net), rootParent));
  }
  // Roots not reached keep the root bound (a node without cuts).
  const unreached = roots.length - heap.items.length;
  let stoppedBy: PatternBranchResult['stoppedBy'] = 'time';
  for (;;) {
    const top = heap.peek();
    // Stryker disable next-line OptionalChaining: the heap is never empty here (the roots loop always pushes the first root, and each pop pushes two)
    const upperNow = Math.max(top?.upper ?? 0, unreached > 0 ? rootUpper : 0);
    options.onProgress?.(upperNow, lowerNow(), nodes);
    if (!top || (top.upper === 0 && unreached === 0)) {
      stoppedBy = 'exhausted';
      break;
    }
    if (upperNow <= targetGap * lowerNow()) {
      stoppedBy = 'gap';
      break;
    }
    if (budget.exceeded()) break;
    const neuron = splitNeuron(top);
    if (neuron < 0) {
      // Every neuron is stable: the bound is the pattern's own ‖J‖ (up to rounding); nothing to split.
      stoppedBy = 'exhausted';
      break;
    }
    heap.pop();
    const n = top.root.lo.length;
    const a = Array.from(top.forms.a.subarray(neuron * n, (neuron + 1) * n));
    for (const sign of [1, -1]) {
      // s·(a·v + c) ≥ −e, i.e. −s·a·v ≤ s·c + e (rounded up).
      const rhs = sign * top.forms.c[neuron] + top.forms.e[neuron];
      const rows = [...top.rows, ...a.map((x) => -sign * x)];
      const states = top.states.map((s) => s.slice());
      // Stryker disable next-line EqualityOperator: sign is 1 or −1, never 0
      states[top.layer][neuron] = sign > 0 ? 1 : 0;
      heap.push(evaluate(top.root, rows, [...top.rhs, rhs + Math.abs(rhs) * 4 * 2 ** -53 + ETA], top.layer, top.forms, states, top));
    }
  }
  const lower = lowerNow();
  // Stryker disable next-line OptionalChaining: the heap is never empty here (the roots loop always pushes the first root, and each pop pushes two)
  const upper = Math.max(heap.peek()?.upper ?? 0, unreached > 0 ? rootUpper : 0);
  return { upper, lower, witness, rootUpper, nodes, open: heap.items.filter((p) => p.upper > targetGap * lower).length, stoppedBy, seconds: budget.elapsed() };
}

function boxRoot(net: Network, box: Box): Root {
  return { net, lo: box.lo, hi: box.hi, carrier: false, toInput: (v) => Float64Array.from(v) };
}

function facetRoot(facet: Facet): Root {
  return { net: facet.net, lo: facet.box.lo, hi: facet.box.hi, carrier: facet.carrier, toInput: facet.toInput };
}

function initialStates(net: Network): Int8Array[] {
  return net.layers.slice(0, -1).map((l) => new Int8Array(l.outDim).fill(-1));
}

/** The unstable neuron of the node's layer to cut: the most balanced, min(hi, −lo) largest; −1 if none. */
function splitNeuron(node: Node): number {
  let best = -1;
  let score = -Infinity;
  const s = node.states[node.layer];
  // Stryker disable next-line EqualityOperator: s[s.length] is undefined, not −1: skipped
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== -1) continue;
    const v = Math.min(node.hi[i], -node.lo[i]) / (node.hi[i] - node.lo[i]);
    if (v > score) {
      score = v;
      best = i;
    }
  }
  return best;
}
