import type { Network } from '../network/network.js';
import { neuronCount, outputDim } from '../network/network.js';
import type { Pattern } from '../network/evaluate.js';
import type { Seed } from '../random/stream.js';
import { Budget, timed } from './budget.js';
import { ascentRoundFlops, exactChunkFlops, mipRootFlops, patternRealiseFlops, regionLpFlops, secondsFor, shallowRegionCount, witnessCheckFlops } from './costs.js';
import { toInput } from './domain.js';
import { exactLipschitz, type ExactOutcome } from './exact/index.js';
import { regionCentre } from './exact/regionSearch.js';
import { ascentLowerBound } from './lower/ascent.js';
import { lowerBound } from './lower/index.js';
import { isShallow, spectralPatternAscent } from './lower/spectralPatternAscent.js';
import { better, witnessAt, type Witness } from './lower/witness.js';
import type { LipschitzQuery } from './query.js';
import { euclideanCuttingPlanes } from './upper/euclideanCuts.js';
import { lipschitzMip } from './upper/lipschitzMip.js';
import { branchedSdpBound, patternBranchBound } from './upper/sdp/index.js';
import { lipSdpStage, quickUpperBounds, type MethodReport } from './upperStages.js';

export type { MethodReport } from './upperStages.js';

export interface BoundsResult {
  /** A certified lower bound: the Jacobian norm at `witness`. */
  readonly lower: number;
  readonly witness: Float64Array;
  /** A certified upper bound (see upper/rounding.ts for where floating point enters). */
  readonly upper: number;
  /** The exact value when the exact solver finished, else null. */
  readonly exact: number | null;
  /** upper / lower (1 when exact). */
  readonly gap: number;
  readonly methods: Record<string, MethodReport>;
  readonly diagnosis: { readonly warnings: string[]; readonly lowerOverSqrtD: number; readonly upperOverSqrtD: number };
  /** Seconds since the budget's origin (for the CLI: since the process started). */
  readonly seconds: number;
  /**
   * True when the time limit cut the work short before the bracket met the target gap: the
   * bracket is the best certified so far (both ends are still sound).
   */
  readonly stoppedOnTime: boolean;
  /** Steps left out (their estimated cost did not fit in the time left) or cut short by it. */
  readonly skipped: readonly string[];
}

export interface BoundsOptions {
  /** Seconds for the whole computation (default 30); ignored when `budget` is given. */
  readonly timeLimit?: number;
  /** The budget to keep, e.g. `Budget.sinceProcessStart(S)` so that start-up counts. */
  readonly budget?: Budget;
  /** Stop refining once upper ≤ targetGap · lower (default 1.0001). */
  readonly targetGap?: number;
  readonly seed?: Seed;
  /**
   * Region cap for the exact attempt (default 200,000, or a shallow net's predicted region count up
   * to 2,000,000); a caller that has already tried exact passes 1 to go straight to the bounds.
   */
  readonly maxExactRegions?: number;
  /**
   * Stop as soon as the bracket settles a question: the upper bound below `upperBelow`, or a witness
   * above `lowerAbove` (verify and the conformance reference: a claim refuted or proven). The
   * search then aims at `lowerAbove` rather than at the target gap.
   */
  readonly stopWhen?: { readonly upperBelow?: number; readonly lowerAbove?: number };
  /** Progress: a stage name, the fraction of the time used, and the current bracket. */
  readonly onProgress?: (stage: string, fraction: number, lower: number, upper: number) => void;
}

/** Neuron count above which the MIP-based bounds are not attempted (the relaxations get too weak). */
const MIP_NEURON_LIMIT = 400;

/**
 * How much of the time the exact solver may take: most of it for an affine network or a shallow
 * one whose region count is within reach, some on a box or at small input dimension (small boxes
 * hold few regions), none otherwise (region enumeration cannot finish at large d).
 */
export function exactPlan(net: Network, query: LipschitzQuery): { readonly share: number; readonly predicted: number } {
  const d = net.inputDim;
  const predicted = query.box === null && net.layers.length === 2 ? shallowRegionCount(d, net.layers[0].outDim) : Infinity;
  const affine = net.layers.length === 1; // one region: the exact solver answers at once
  // At large d one region's LP takes seconds: on a box the exact attempt then leaves more to LipSDP and the search.
  const box = query.box === null ? 0 : d <= 64 ? 0.6 : 0.3;
  // Where the pattern branch and bound applies it closes the bracket anytime; the exact solver, which
  // only helps if it finishes, gets less.
  const patterns = patternBranchApplies(net, query) ? 0.25 : Infinity;
  return { share: affine || predicted <= 2_000_000 ? 0.8 : Math.min(patterns, d <= 4 ? 0.6 : Math.max(box, d <= 6 ? 0.3 : 0)), predicted };
}

/**
 * The exact solver in `share` of the time that remains, with at most `maxRegions` regions — if one of
 * its uninterruptible steps fits in that time; otherwise (share > 0) the skip is recorded in the
 * budget. Null when not attempted.
 */
export function tryExact(net: Network, query: LipschitzQuery, budget: Budget, share: number, maxRegions: number): ExactOutcome | null {
  if (!(share > 0)) return null;
  const seconds = share * budget.remaining();
  if (seconds >= secondsFor(exactChunkFlops(net, query))) return exactLipschitz(net, query, { timeLimit: seconds, maxRegions });
  budget.skip('the exact solver (one of its steps would not fit)');
  return null;
}

/** ℓ2, d ≤ 6, at least two hidden layers: where patternBranchBound is the strongest upper bound. */
function patternBranchApplies(net: Network, query: LipschitzQuery): boolean {
  return query.norm === '2' && net.inputDim <= PATTERN_BRANCH_MAX_INPUT_DIM && net.layers.length >= 3;
}

/** Shares of the time remaining when each stage starts (see the pattern in budget.ts). */
const SHARES = { searchBeforeMips: 0.4, searchAlone: 0.95, branchAfterSearch: 0.3, patternsAfterSearch: 0.75 } as const;

/** Input dimension up to which branch and bound on the input domain with LipSDP cells is worth its time. */
const BRANCH_MAX_INPUT_DIM = 8;
/** Up to this input dimension the branch and bound splits activation patterns (its LPs have d or d − 1 variables); above it, the input domain. */
const PATTERN_BRANCH_MAX_INPUT_DIM = 6;

/** Starts of the pattern search on one-hidden-layer nets (ℓ2, global), and its share of the search's time at most. */
const PATTERN_STARTS = 100;
const PATTERN_SHARE = 0.25;

/** The ascent's share of the search: most of it at large d (O(parameters) steps), less where local search's LPs are cheap. */
const ascentShare = (d: number) => (d >= 32 ? 0.6 : 0.3);

/**
 * Certified lower and upper bounds on Lip_p of f (global or on a box) within a time budget. Runs
 * the quick upper bounds (upperStages.ts: the product of operator norms, the interval Jacobian
 * bound, for p = 2 with one hidden layer the gradient zonotope, on a box the linear-relaxation
 * Jacobian bound, for p = 2 ECLipsE-Fast), then tries the exact solver (bounded by regions and a
 * share of the time); otherwise, for p = 2, LipSDP-Neuron (verified; on a box with stable neurons
 * fixed), the lower-bound search (the many-start ascent, then local and line searches, until the
 * bracket meets the target gap), MIP-based bounds over realisable patterns (p = 1, ∞: one MIP per
 * column or row, exact up to boundary patterns; p = 2 scalar: cutting planes; p = 2 with k > 1:
 * √(U₁·U_∞)), and for p = 2 on low-dimensional deep nets branch and bound on the input domain
 * with local LipSDP cells. Reports the tightest upper bound and the best re-checked witness, every
 * method's value and time, and a diagnosis.
 *
 * Time: the norm product (SVDs replaced by a cheaper sound bound when they would not fit) and one
 * chunk of samples with one witness are computed whatever the budget; every other stage gets a
 * share of what remains, checks it inside its loops, or is skipped when its estimated cost does
 * not fit (see budget.ts).
 * The result says whether the time cut it short (`stoppedOnTime`) and what was skipped.
 */
export async function certifiedBounds(net: Network, query: LipschitzQuery, options: BoundsOptions = {}): Promise<BoundsResult> {
  const budget = options.budget ?? new Budget(options.timeLimit ?? 30);
  const targetGap = options.targetGap ?? 1.0001;
  const methods: Record<string, MethodReport> = {};
  const d = net.inputDim;
  const k = outputDim(net);
  const report = (stage: string, lower: number, upper: number) => options.onProgress?.(stage, Math.min(1, budget.elapsed() / budget.timeLimit), lower, upper);
  let best: Witness = { value: -Infinity, x: new Float64Array(d) };

  // Sound upper bounds that take one pass (or a few) over the weights (upperStages.ts).
  const quick = quickUpperBounds(net, query, budget, methods);
  const { domain, interval } = quick;
  let upper = quick.upper;
  /** True once the bracket settles the caller's question (`stopWhen`). */
  const decided = () => upper < (options.stopWhen?.upperBelow ?? -Infinity) || best.value > (options.stopWhen?.lowerAbove ?? Infinity);
  if (decided()) return finish(best.value, best.x, upper, null);
  report('exact', best.value, upper);

  // 1. Exact, when it can fit: on a box (small boxes hold few regions), for small input dimension,
  //    or for a shallow net whose region count is known to be within reach (it may then use most
  //    of the time). Its solvers check the budget between regions (and vertices, layers), so it
  //    starts only when one such step fits in its share.
  const { share: exactShare, predicted } = exactPlan(net, query);
  const exact = tryExact(net, query, budget, exactShare, options.maxExactRegions ?? Math.max(200_000, predicted <= 2_000_000 ? predicted : 0));
  if (exact?.kind === 'exact') {
    methods.exact = { kind: 'exact', value: exact.lipschitz, seconds: exact.seconds, note: `${exact.regions} regions by ${exact.algorithm}; exact as README's "How sure the numbers are" states` };
    return finish(exact.witnessValue, exact.witness, exact.lipschitz, exact.lipschitz);
  }
  if (exact?.limit === 'time') budget.skip('the exact solver (its share of the time ran out)');
  methods.exact = {
    kind: 'exact',
    value: NaN,
    seconds: exact?.seconds ?? 0,
    note: exact ? exact.message : exactShare > 0 ? 'not attempted: one step of region enumeration would not fit the time' : 'not attempted: input dimension too large for region enumeration',
  };

  // 2. LipSDP-Neuron for p = 2 (the stable neurons of a box fixed), then the lower-bound search:
  //    the many-start ascent (O(parameters) per step), then local and line searches.
  report('LipSDP', best.value, upper);
  upper = Math.min(upper, lipSdpStage(net, query, budget, methods, quick.states));
  if (decided()) return finish(best.value, best.x, upper, null);
  if (exact?.lowerBoundWitness) {
    const w = witnessAt(net, exact.lowerBoundWitness, query.norm);
    best = better(best, w);
  }
  // HiGHS looks at its time limit only after the root LP relaxation, so each MIP call is given what
  // is left minus that LP's estimated time, and a family of MIPs (one per column or row, all needed
  // for a bound) is planned only if all its root LPs fit in the time the search leaves.
  const mipCount = query.norm === '1' ? d : query.norm === 'inf' ? k : k === 1 ? 1 : d + k;
  let mipRoot = secondsFor(mipRootFlops(net));
  // For ℓ2 on scalar nets the pattern branch and bound (below) supersedes the cutting planes where it applies.
  let mipsApply = neuronCount(net) <= MIP_NEURON_LIMIT && (query.norm !== '2' || k > 1 || (d <= 12 && !patternBranchApplies(net, query)));
  if (mipsApply && !((1 - SHARES.searchBeforeMips) * budget.remaining() >= mipCount * mipRoot)) {
    mipsApply = false;
    budget.skip(`the MIP bounds (${mipCount} MIPs, each at least ${mipRoot.toPrecision(2)} s here)`);
  }
  const branches = query.norm === '2' && d <= BRANCH_MAX_INPUT_DIM && net.layers.length >= 3;
  const searchBudget = budget.share(
    mipsApply ? SHARES.searchBeforeMips : patternBranchApplies(net, query) ? 1 - SHARES.patternsAfterSearch : branches ? 1 - SHARES.branchAfterSearch : SHARES.searchAlone,
  );
  const stopAbove = Math.min(upper / targetGap, options.stopWhen?.lowerAbove ?? Infinity);
  const search = witnessSearch(net, query, searchBudget, methods, { seed: options.seed ?? 0, stopAbove, onProgress: (v) => report('lower bound search', Math.max(v, best.value), upper) });
  best = better(best, search);
  if (decided()) return finish(best.value, best.x, upper, null);

  /** A witness inside a MIP's maximising pattern: its region's centre, by an LP when one fits. */
  const fromPattern = (pattern: Pattern) => {
    if (!budget.fits(secondsFor(regionLpFlops(net, domain.n)))) return;
    const u = regionCentre(net, domain, pattern);
    if (!u) return;
    const w = witnessAt(net, toInput(domain, u), query.norm);
    best = better(best, w);
  };

  // 3. MIP-based bounds over realisable patterns, one HiGHS call at a time with its own time limit.
  if (mipsApply && budget.remaining() > 0.05 && upper > targetGap * best.value) {
    const t0 = performance.now();
    let mipUpper = Infinity;
    const columnsOrRows = async (kind: 'forward-l1' | 'reverse-l1', count: number, size: number) => {
      let m = 0;
      for (let i = 0; i < count; i++) {
        if (!budget.fits((count - i) * mipRoot)) {
          budget.skip(`${count - i} of ${count} MIPs`);
          return Infinity; // a maximum over some columns or rows only bounds nothing
        }
        const e = new Float64Array(size);
        e[i] = 1;
        const started = performance.now();
        const limit = Math.max(0.01, budget.remaining() / 2 / (count - i) - mipRoot);
        const r = await lipschitzMip(net, domain, kind === 'forward-l1' ? { kind, w: e } : { kind, v: e }, limit);
        mipRoot = Math.max(mipRoot, (performance.now() - started) / 1000 - limit); // what HiGHS overran, learnt
        if (r.pattern) fromPattern(r.pattern);
        m = Math.max(m, r.upper);
        report('MIP', best.value, Math.min(upper, m));
      }
      return m;
    };
    if (query.norm === '1') mipUpper = await columnsOrRows('forward-l1', d, d);
    else if (query.norm === 'inf') mipUpper = await columnsOrRows('reverse-l1', k, k);
    else if (k === 1 && d <= 12 && interval) {
      const cuts = await euclideanCuttingPlanes(net, domain, {
        timeLimit: (branches ? 0.5 : 1) * budget.remaining() - mipRoot,
        start: { lo: interval.lo, hi: interval.hi },
        lower: () => best.value,
        targetGap,
        onPattern: fromPattern,
        onProgress: (u) => report('cutting planes', best.value, Math.min(upper, u)),
      });
      mipUpper = cuts.upper;
      methods['cutting-planes'] = { kind: 'upper', value: cuts.upper, seconds: cuts.seconds, note: `${cuts.cuts} directional MIPs, stopped by ${cuts.stoppedBy}` };
    } else if (k > 1) {
      const u1 = await columnsOrRows('forward-l1', d, d);
      const uInf = u1 < Infinity ? await columnsOrRows('reverse-l1', k, k) : Infinity;
      mipUpper = Math.sqrt(u1 * uInf);
    }
    if (query.norm !== '2' || k > 1) methods['mip'] = { kind: 'upper', value: mipUpper, seconds: (performance.now() - t0) / 1000, note: query.norm === '2' ? '√(‖J‖₁·‖J‖∞) from MIPs' : 'one MIP per column/row (LipMIP-style)' };
    upper = Math.min(upper, mipUpper);
  }

  // 4. Low-dimensional deep nets: branch and bound on activation patterns (d ≤ 6: each node's LPs
  //    live in d or d − 1 variables) or on the input domain with local LipSDP cells.
  if (patternBranchApplies(net, query) && budget.remaining() > 0.05 && upper > targetGap * best.value) {
    const [b, tb] = timed(() =>
      patternBranchBound(net, query.box, {
        budget: budget.share(0.95),
        lower: () => best.value,
        lowerShare: 0,
        targetGap,
        onProgress: (u, l) => report('pattern branch and bound', l, Math.min(upper, u)),
      }),
    );
    if (b) {
      methods['pattern-branch'] = { kind: 'upper', value: b.upper, seconds: tb, note: `${b.nodes} activation-pattern nodes (root LipSDP ${b.rootUpper.toPrecision(6)}, its multipliers re-certified per node), ${b.open} open, stopped by ${b.stoppedBy}` };
      best = better(best, b.witness);
    }
  } else if (branches && budget.remaining() > 0.05 && upper > targetGap * best.value) {
    const [b, tb] = timed(() =>
      branchedSdpBound(net, query.box, {
        budget: budget.share(0.95),
        lower: () => best.value,
        targetGap,
        onProgress: (u, l) => report('branched LipSDP', l, Math.min(upper, u)),
      }),
    );
    if (b) {
      methods['branched-lipsdp'] = { kind: 'upper', value: b.upper, seconds: tb, note: `${b.cells} cells with local LipSDP bounds, ${b.leaves} leaves open, stopped by ${b.stoppedBy}` };
      best = better(best, b.witness);
    }
  }
  return finish(best.value, best.x, upper, null);

  /** The result; unless exact, the upper bound is the least of the methods' (after discarding the broken ones), whatever `up` says. */
  function finish(lower: number, witness: Float64Array, up: number, exactValue: number | null): BoundsResult {
    const warnings = exactValue === null ? discardBelowWitness(methods, lower) : [];
    if (exactValue === null) up = Math.min(...Object.values(methods).filter((m) => m.kind === 'upper').map((m) => m.value), Infinity);
    const bestUpper = Object.entries(methods).filter(([, m]) => m.kind === 'upper').sort((a, b) => a[1].value - b[1].value)[0];
    if (exactValue === null && bestUpper && bestUpper[1].patternAgnostic) {
      warnings.push(
        `the best upper bound (${bestUpper[0]}) ignores which activation patterns are realisable: on random networks such bounds grow like √N while Lip ≍ √d, so the gap cannot close`,
      );
    }
    const sqrtD = Math.sqrt(d);
    const gap = exactValue !== null ? 1 : lower > 0 ? up / lower : Infinity;
    return {
      lower,
      witness,
      upper: up,
      exact: exactValue,
      gap,
      methods,
      diagnosis: { warnings, lowerOverSqrtD: lower / sqrtD, upperOverSqrtD: up / sqrtD },
      seconds: budget.elapsed(),
      stoppedOnTime: exactValue === null && !(gap <= targetGap) && budget.stoppedOnTime,
      skipped: budget.skipped,
    };
  }
}

/**
 * The lower-bound search: for p = 2 on one-hidden-layer nets with N ≤ d, without a box, the pattern search
 * (lower/spectralPatternAscent.ts), then the many-start ascent on ‖J(x)‖ (ascent.ts; O(parameters)
 * per step, its share larger at large d), then local and line searches (lower/index.ts) in the rest
 * of `budget`, all stopping once a witness exceeds `stopAbove`. Records 'pattern-ascent', 'ascent',
 * 'sampling', 'local-search' and 'line-search' in `methods`; returns the best witness (re-checked
 * by `witnessAt`).
 */
export function witnessSearch(
  net: Network,
  query: LipschitzQuery,
  budget: Budget,
  methods: Record<string, MethodReport>,
  options: { readonly seed?: Seed; readonly stopAbove?: number; readonly onProgress?: (value: number) => void },
): Witness {
  let best: Witness = { value: -Infinity, x: new Float64Array(net.inputDim) };
  const stopAbove = options.stopAbove ?? Infinity;
  // One hidden layer of N ≤ d neurons (every pattern realisable in general position), ℓ2, global:
  // climb over activation patterns first (each step O(N·(d + k))).
  const patternsRealisable = isShallow(net) && net.layers[0].outDim <= net.inputDim;
  if (patternsRealisable && query.norm === '2' && query.box === null && budget.fits(secondsFor(patternRealiseFlops(net)) * 2)) {
    const [pattern, tp] = timed(() => spectralPatternAscent(net, { starts: PATTERN_STARTS, seed: options.seed ?? 0, budget: budget.share(PATTERN_SHARE) }));
    methods['pattern-ascent'] = { kind: 'lower', value: pattern.witness.value, seconds: tp, note: `${pattern.climbs} climbs over activation patterns, the best realised by a point` };
    best = better(best, pattern.witness);
    options.onProgress?.(best.value);
    if (best.value > stopAbove) return best;
  }
  if (budget.fits(secondsFor(witnessCheckFlops(net)) * 4 + secondsFor(ascentRoundFlops(net)))) {
    const [ascent, ta] = timed(() => ascentLowerBound(net, query, { budget: budget.share(ascentShare(net.inputDim)), seed: options.seed ?? 0, stopAbove }));
    methods['ascent'] = { kind: 'lower', value: ascent.witness.value, seconds: ta, note: `${ascent.climbs} climbs, ${ascent.steps} steps (many-start ascent on ‖J(x)‖)` };
    best = better(best, ascent.witness);
    options.onProgress?.(best.value);
  } else budget.skip('the ascent (its first round and a witness re-check would not fit)');
  if (best.value > stopAbove) return best;
  const rest = budget.share(1); // the search's own clock starts after the ascent
  // (best.value ≤ stopAbove here: the local search stops where the ascent would have.)
  const search = lowerBound(net, query, { timeLimit: rest.timeLimit, budget: rest, seed: options.seed ?? 0, stopAbove, onProgress: (v) => options.onProgress?.(Math.max(v, best.value)) });
  methods['sampling'] = { kind: 'lower', value: search.methods.sampling, seconds: NaN };
  methods['local-search'] = { kind: 'lower', value: search.methods.localSearch, seconds: search.seconds, note: `${search.restarts} climbs` };
  methods['line-search'] = { kind: 'lower', value: search.methods.lineSearch, seconds: NaN };
  return better(best, search.witness);
}

/**
 * The safety net: an upper bound below a witness's Jacobian norm is numerically broken (a solver
 * tolerance, an extreme scale). Sets each such method's value to Infinity, with a note, and
 * returns one warning per method discarded.
 */
export function discardBelowWitness(methods: Record<string, MethodReport>, lower: number): string[] {
  const warnings: string[] = [];
  for (const [name, m] of Object.entries(methods)) {
    if (m.kind === 'upper' && m.value < lower * (1 - 1e-9)) {
      methods[name] = { ...m, value: Infinity, note: `${m.note ? m.note + '; ' : ''}discarded: ${m.value} fell below a witness (${lower}), a numerical failure` };
      warnings.push(`${name} gave ${m.value}, below the witness value ${lower}: discarded as a numerical failure`);
    }
  }
  return warnings;
}
