import type { Network } from '../network/network.js';
import { neuronCount, outputDim } from '../network/network.js';
import type { Pattern } from '../network/evaluate.js';
import type { Seed } from '../random/stream.js';
import { Budget, timed } from './budget.js';
import { queryDomain, toInput } from './domain.js';
import { exactLipschitz } from './exact/index.js';
import { regionCentre } from './exact/regionSearch.js';
import { lowerBound } from './lower/index.js';
import { witnessAt, type Witness } from './lower/witness.js';
import type { LipschitzQuery } from './query.js';
import { euclideanCuttingPlanes } from './upper/euclideanCuts.js';
import { intervalJacobianBound, preActivationBounds } from './upper/intervals.js';
import { lipschitzMip } from './upper/lipschitzMip.js';
import { operatorNormProduct } from './upper/operatorNorms.js';
import { zonotopeBoundFor } from './upper/zonotope.js';

/** What one method contributed. */
export interface MethodReport {
  readonly kind: 'lower' | 'upper' | 'exact';
  readonly value: number;
  readonly seconds: number;
  /** True for upper bounds that ignore which activation patterns are realisable. */
  readonly patternAgnostic?: boolean;
  readonly note?: string;
}

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
  readonly seconds: number;
}

export interface BoundsOptions {
  /** Seconds for the whole computation (default 30). */
  readonly timeLimit?: number;
  /** Stop refining once upper ≤ targetGap · lower (default 1.0001). */
  readonly targetGap?: number;
  readonly seed?: Seed;
  /**
   * Region cap for the exact attempt (default 200,000, or a shallow net's predicted region count up
   * to 2,000,000); a caller that has already tried exact passes 1 to go straight to the bounds.
   */
  readonly maxExactRegions?: number;
  /** Progress: a stage name, the fraction of the time used, and the current bracket. */
  readonly onProgress?: (stage: string, fraction: number, lower: number, upper: number) => void;
}

/** Σ_{j≤d} C(N, j): the number of regions of a shallow network in general position. */
function shallowRegionCount(net: Network): number {
  const N = net.layers[0].outDim;
  let total = 0;
  let c = 1;
  for (let j = 0; j <= net.inputDim; j++) {
    total += c;
    c = (c * (N - j)) / (j + 1);
  }
  return total;
}

/** Neuron count above which the MIP-based bounds are not attempted (the relaxations get too weak). */
const MIP_NEURON_LIMIT = 400;

/**
 * Certified lower and upper bounds on Lip_p of f (global or on a box) within a time limit. Tries
 * the exact solver first (bounded by regions and a share of the time); otherwise runs the
 * lower-bound search (until the bracket meets the target gap) and the upper bounds — the product of
 * operator norms, the interval Jacobian bound over the domain, for p = 2 and one hidden layer the
 * gradient-zonotope bound, and MIP-based bounds over realisable patterns (p = 1, ∞: one MIP per
 * column or row, exact up to boundary patterns; p = 2 scalar: cutting planes; p = 2 with k > 1:
 * √(U₁·U_∞)) — and reports the tightest, with a diagnosis.
 */
export async function certifiedBounds(net: Network, query: LipschitzQuery, options: BoundsOptions = {}): Promise<BoundsResult> {
  const timeLimit = options.timeLimit ?? 30;
  const targetGap = options.targetGap ?? 1.0001;
  const budget = new Budget(timeLimit);
  const methods: Record<string, MethodReport> = {};
  const d = net.inputDim;
  const k = outputDim(net);
  const report = (stage: string, lower: number, upper: number) => options.onProgress?.(stage, Math.min(1, budget.elapsed() / timeLimit), lower, upper);

  // Cheap sound upper bounds first.
  const domain = queryDomain(net, query.box);
  const [product, tp] = timed(() => operatorNormProduct(net, query.norm));
  methods['operator-norm-product'] = { kind: 'upper', value: product, seconds: tp, patternAgnostic: true };
  const [preBounds, tb] = timed(() => preActivationBounds(net, domain));
  const [interval, ti] = timed(() => intervalJacobianBound(net, domain, query.norm, preBounds));
  methods['interval-jacobian'] = { kind: 'upper', value: interval.value, seconds: tb + ti, patternAgnostic: interval.unstable === 1, note: `${(100 * interval.unstable).toFixed(0)}% of neurons unstable on the domain` };
  let upper = Math.min(product, interval.value);
  // p = 2, one hidden layer, one output: the zonotope of gradients, bounded in closed form.
  const [zonotope, tz] = timed(() => zonotopeBoundFor(net, query, 0.05 * timeLimit, preBounds));
  if (zonotope) {
    methods['zonotope'] = { kind: 'upper', value: zonotope.upper, seconds: tz, patternAgnostic: true, note: `Cauchy–Schwarz over the gradient zonotope of ${zonotope.free} free units (${zonotope.iterations} iterations)` };
    upper = Math.min(upper, zonotope.upper);
  }
  report('exact', 0, upper);

  // 1. Exact, when it can fit: on a box (small boxes hold few regions), for small input dimension,
  //    or for a shallow net whose region count is known to be within reach (it may then use most
  //    of the time).
  const predicted = query.box === null && net.layers.length === 2 ? shallowRegionCount(net) : Infinity;
  const affine = net.layers.length === 1; // one region: the exact solver answers at once
  const exactShare = affine || predicted <= 2_000_000 ? 0.8 : d <= 4 || query.box !== null ? 0.6 : d <= 6 ? 0.3 : 0;
  const exact =
    exactShare > 0
      ? exactLipschitz(net, query, { timeLimit: exactShare * timeLimit, maxRegions: options.maxExactRegions ?? Math.max(200_000, predicted <= 2_000_000 ? predicted : 0) })
      : null;
  if (exact?.kind === 'exact') {
    methods.exact = { kind: 'exact', value: exact.lipschitz, seconds: exact.seconds, note: `${exact.regions} regions by ${exact.algorithm}; exact as README's "How sure the numbers are" states` };
    return finish(exact.witnessValue, exact.witness, exact.lipschitz, exact.lipschitz);
  }
  methods.exact = { kind: 'exact', value: NaN, seconds: exact?.seconds ?? 0, note: exact ? exact.message : 'not attempted: input dimension too large for region enumeration' };

  // 2. Lower bound search.
  let best: Witness = { value: -Infinity, x: new Float64Array(d) };
  if (exact?.lowerBoundWitness) best = witnessAt(net, exact.lowerBoundWitness, query.norm);
  const mipsApply = neuronCount(net) <= MIP_NEURON_LIMIT && (query.norm !== '2' || k > 1 || d <= 12);
  const search = lowerBound(net, query, {
    timeLimit: (mipsApply ? 0.4 : 0.95) * budget.remaining(),
    seed: options.seed ?? 0,
    stopAbove: upper / targetGap,
    onProgress: (v) => report('lower bound search', Math.max(v, best.value), upper),
  });
  methods['sampling'] = { kind: 'lower', value: search.methods.sampling, seconds: NaN };
  methods['local-search'] = { kind: 'lower', value: search.methods.localSearch, seconds: search.seconds, note: `${search.restarts} climbs` };
  methods['line-search'] = { kind: 'lower', value: search.methods.lineSearch, seconds: NaN };
  if (search.witness.value > best.value) best = search.witness;

  const fromPattern = (pattern: Pattern) => {
    const u = regionCentre(net, domain, pattern);
    if (!u) return;
    const w = witnessAt(net, toInput(domain, u), query.norm);
    if (w.value > best.value) best = w;
  };

  // 3. MIP-based bounds over realisable patterns.
  if (mipsApply && budget.remaining() > 0.05 && upper > targetGap * best.value) {
    const t0 = performance.now();
    const share = () => Math.max(0.05, budget.remaining() / 2);
    let mipUpper = Infinity;
    const columnsOrRows = async (kind: 'forward-l1' | 'reverse-l1', count: number, size: number) => {
      let m = 0;
      for (let i = 0; i < count; i++) {
        const e = new Float64Array(size);
        e[i] = 1;
        const r = await lipschitzMip(net, domain, kind === 'forward-l1' ? { kind, w: e } : { kind, v: e }, share() / (count - i));
        if (r.pattern) fromPattern(r.pattern);
        m = Math.max(m, r.upper);
        report('MIP', best.value, Math.min(upper, m));
      }
      return m;
    };
    if (query.norm === '1') mipUpper = await columnsOrRows('forward-l1', d, d);
    else if (query.norm === 'inf') mipUpper = await columnsOrRows('reverse-l1', k, k);
    else if (k === 1 && d <= 12) {
      const cuts = await euclideanCuttingPlanes(net, domain, {
        timeLimit: budget.remaining(),
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
      const uInf = await columnsOrRows('reverse-l1', k, k);
      mipUpper = Math.sqrt(u1 * uInf);
    }
    if (query.norm !== '2' || k > 1) methods['mip'] = { kind: 'upper', value: mipUpper, seconds: (performance.now() - t0) / 1000, note: query.norm === '2' ? '√(‖J‖₁·‖J‖∞) from MIPs' : 'one MIP per column/row (LipMIP-style)' };
    upper = Math.min(upper, mipUpper);
  }
  return finish(best.value, best.x, upper, null);

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
    return {
      lower,
      witness,
      upper: up,
      exact: exactValue,
      gap: exactValue !== null ? 1 : lower > 0 ? up / lower : Infinity,
      methods,
      diagnosis: { warnings, lowerOverSqrtD: lower / sqrtD, upperOverSqrtD: up / sqrtD },
      seconds: budget.elapsed(),
    };
  }
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
