import type { Network } from '../network/network.js';
import { outputDim } from '../network/network.js';
import { timed, type Budget } from './budget.js';
import { intervalFlops, sdpSetupFlops, secondsFor, zonotopeIterationFlops } from './costs.js';
import { queryDomain, type Domain } from './domain.js';
import type { LipschitzQuery } from './query.js';
import { intervalJacobianBound, neuronStates, preActivationBounds, type PreActivationBounds } from './upper/intervals.js';
import { relaxedJacobianBound } from './upper/jacobianRelaxation.js';
import { linearPreActivationBounds } from './upper/linearBounds.js';
import { boundedNormProduct } from './upper/operatorNorms.js';
import { eclipseFastBound, lipSdpBound } from './upper/sdp/index.js';
import { zonotopeBoundFor } from './upper/zonotope.js';

/**
 * The certified upper bounds that scale to the networks people train, as stages of one budget:
 * what `bounds`, `verify`, `info` and the conformance reference share. Each stage is sound on its
 * own (upper/rounding.ts lists where floating point enters); the answer is their minimum.
 *
 * Quick stages (one pass, or a few, over the weights): the product of operator norms, the interval
 * Jacobian bound, for p = 2 with one hidden layer and one output the gradient zonotope, on a box
 * the linear-relaxation Jacobian bound (CROWN-like pre-activation bounds, then a Fast-Lip/RecurJac
 * style gated chain; every norm), and for p = 2 ECLipsE-Fast's closed form proven by the LipSDP
 * verifier. Then, for p = 2, LipSDP-Neuron itself (anytime; on a box with the neurons proven
 * stable fixed), in a share of the time.
 */

/** What one method contributed. */
export interface MethodReport {
  readonly kind: 'lower' | 'upper' | 'exact';
  readonly value: number;
  /** Seconds the method took (NaN when it ran inside another method's time). */
  readonly seconds: number;
  /** True for upper bounds that ignore which activation patterns are realisable. */
  readonly patternAgnostic?: boolean;
  readonly note?: string;
}

export interface QuickUppers {
  /** The smallest certified upper bound so far. */
  readonly upper: number;
  readonly domain: Domain;
  /** Interval pre-activation bounds over the domain (undefined when they would not fit). */
  readonly preBounds?: PreActivationBounds;
  readonly interval?: ReturnType<typeof intervalJacobianBound>;
  /** Hidden neurons' states on the box from the tightest bounds computed (null: global query). */
  readonly states: Int8Array[] | null;
}

export interface StageOptions {
  /** Leave out the remaining stages once the upper bound is below this (a lower claim is then refuted). */
  readonly stopBelow?: number;
}

/** Shares of the time remaining when each stage starts (see the pattern in budget.ts). */
const SHARES = { product: 0.5, zonotope: 0.1, linear: 0.3 } as const;

/** Default share of the remaining time for LipSDP (it returns it as soon as it converges). */
const LIPSDP_SHARE = 0.5;

/**
 * The quick certified upper bounds, each recorded in `methods` with its time. Every stage is
 * skipped (and named in `budget.skipped`) when its estimated cost does not fit, except the norm
 * product, which replaces SVDs that would not fit by a cheaper sound bound.
 */
export function quickUpperBounds(net: Network, query: LipschitzQuery, budget: Budget, methods: Record<string, MethodReport>, options: StageOptions = {}): QuickUppers {
  const domain = queryDomain(net, query.box);
  const done = () => options.stopBelow !== undefined && upper < options.stopBelow;
  const [product, tp] = timed(() => boundedNormProduct(net, query.norm, budget.share(SHARES.product)));
  methods['operator-norm-product'] = {
    kind: 'upper',
    value: product.value,
    seconds: tp,
    patternAgnostic: true,
    ...(product.cheapLayers > 0 ? { note: `${product.cheapLayers} layer(s) bounded by min(‖W‖_F, √(‖W‖₁‖W‖∞)): their proven spectral norm would not fit the time (or its proof failed)` } : {}),
  };
  let upper = product.value;
  let preBounds: PreActivationBounds | undefined;
  let interval: ReturnType<typeof intervalJacobianBound> | undefined;
  let states: Int8Array[] | null = null;
  const hidden = net.layers.length > 1;
  if (budget.fits(secondsFor(intervalFlops(net)))) {
    const [pre, tb] = timed(() => preActivationBounds(net, domain));
    const [value, ti] = timed(() => intervalJacobianBound(net, domain, query.norm, pre));
    [preBounds, interval] = [pre, value];
    if (query.box) states = neuronStates(pre);
    methods['interval-jacobian'] = { kind: 'upper', value: value.value, seconds: tb + ti, patternAgnostic: value.unstable === 1, note: `${(100 * value.unstable).toFixed(0)}% of neurons unstable on the domain` };
    upper = Math.min(upper, value.value);
  } else budget.skip('the interval Jacobian bound');
  // p = 2, one hidden layer, one output: the zonotope of gradients, bounded in closed form.
  if (!done() && query.norm === '2' && net.layers.length === 2 && outputDim(net) === 1 && (query.box === null || preBounds)) {
    if (budget.fits(secondsFor(zonotopeIterationFlops(net)))) {
      const [zonotope, tz] = timed(() => zonotopeBoundFor(net, query, SHARES.zonotope * budget.remaining(), preBounds));
      if (zonotope) {
        methods['zonotope'] = { kind: 'upper', value: zonotope.upper, seconds: tz, patternAgnostic: true, note: `Cauchy–Schwarz over the gradient zonotope of ${zonotope.free} free units (${zonotope.iterations} iterations)` };
        upper = Math.min(upper, zonotope.upper);
      }
    } else budget.skip('the gradient-zonotope bound');
  }
  // On a box: CROWN-like pre-activation bounds (more neurons proven stable), then the gated chain.
  if (!done() && query.box && hidden && preBounds) {
    if (budget.fits(secondsFor(intervalFlops(net)))) {
      const [r, t] = timed(() => {
        const pre = linearPreActivationBounds(net, domain, { budget: budget.share(SHARES.linear), intervals: preBounds });
        return { pre, bound: relaxedJacobianBound(net, domain, query.norm, { budget: budget.share(SHARES.linear), preBounds: pre }) };
      });
      states = neuronStates(r.pre);
      const short = r.pre.stoppedEarly || r.bound.stoppedEarly;
      if (short) budget.skip('part of the linear relaxation (interval bounds kept there)');
      methods['linear-relaxation'] = {
        kind: 'upper',
        value: r.bound.value,
        seconds: t,
        patternAgnostic: r.bound.unstable === 1,
        note: `gated-chain Jacobian bound on back-substituted pre-activation bounds; ${(100 * r.bound.unstable).toFixed(0)}% of neurons unstable${short ? '; cut short by its share of the time' : ''}`,
      };
      upper = Math.min(upper, r.bound.value);
    } else budget.skip('the linear-relaxation bound');
  }
  if (!done() && query.norm === '2' && hidden) {
    const sdp = sdpStates(net, states, budget, 1);
    if (budget.fits(secondsFor(sdpSetupFlops(net)))) {
      const [value, t] = timed(() => eclipseFastBound(net, query.box, sdp.states));
      if (value !== null) {
        methods['eclipse-fast'] = { kind: 'upper', value, seconds: t, note: `ECLipsE-Fast closed form (one multiplier per layer), proven by the LipSDP verifier${sdp.note}` };
        upper = Math.min(upper, value);
      }
    } else budget.skip('ECLipsE-Fast (its set-up would not fit)');
  }
  return { upper, domain, preBounds, interval, states };
}

/**
 * LipSDP-Neuron for p = 2 (global, or on the box with `states` fixed), verified, in `share` of the
 * time that remains: recorded in `methods` as 'lipsdp' with its time; returns its bound (Infinity
 * when not applicable, not proven, or skipped because its set-up would not fit).
 */
export function lipSdpStage(net: Network, query: LipschitzQuery, budget: Budget, methods: Record<string, MethodReport>, states: Int8Array[] | null, share = LIPSDP_SHARE): number {
  if (query.norm !== '2' || net.layers.length < 2) return Infinity;
  const sdp = sdpStates(net, states, budget, 2);
  if (!budget.fits(2 * secondsFor(sdpSetupFlops(net)))) {
    budget.skip('LipSDP (its set-up would not fit)');
    return Infinity;
  }
  const [r, t] = timed(() => lipSdpBound(net, query.box, { budget: budget.share(share), states: sdp.states }));
  if (!r) {
    methods['lipsdp'] = { kind: 'upper', value: Infinity, seconds: t, note: 'no bound: the network is affine on the domain (the interval bound is exact there), or no proof went through' };
    return Infinity;
  }
  if (r.stoppedBy === 'time') budget.skip('LipSDP (its share of the time ran out: the bound is the best proven so far)');
  const n = r.neurons;
  methods['lipsdp'] = {
    kind: 'upper',
    value: r.upper,
    seconds: t,
    note: `LipSDP-Neuron, proven in floating point; ${r.iterations} solver iterations, stopped by ${r.stoppedBy}; neurons ${n.unstable} unstable${query.box ? `, ${n.active} active, ${n.inactive} inactive (fixed)` : ''}${sdp.note}`,
  };
  return r.upper;
}

/**
 * The neuron states LipSDP may use on a box: all of them when the proof with active neurons fixed
 * (over x₀ too, (d + n)-sized) fits `times` over in the budget; else active neurons are treated as
 * unstable (sound: their slope lies in [0, 1] too), which keeps the proof n-sized.
 */
function sdpStates(net: Network, states: Int8Array[] | null, budget: Budget, times: number): { states: Int8Array[] | null; note: string } {
  if (!states || !states.some((s) => s.includes(1)) || budget.fits(times * secondsFor(sdpSetupFlops(net, true)))) return { states, note: '' };
  return { states: states.map((s) => s.map((v) => (v === 1 ? -1 : v))), note: '; active neurons not fixed (that proof, over the input too, would not fit the time)' };
}

/**
 * The tightest certified upper bound lipcheck can compute within the budget without region
 * enumeration or MIPs: the quick stages, then LipSDP for p = 2. Stops early once below `stopBelow`.
 */
export function tightestUpperBound(net: Network, query: LipschitzQuery, budget: Budget, options: StageOptions & { readonly sdpShare?: number } = {}): { readonly upper: number; readonly methods: Record<string, MethodReport> } {
  const methods: Record<string, MethodReport> = {};
  const quick = quickUpperBounds(net, query, budget, methods, options);
  let upper = quick.upper;
  if (!(options.stopBelow !== undefined && upper < options.stopBelow)) upper = Math.min(upper, lipSdpStage(net, query, budget, methods, quick.states, options.sdpShare));
  return { upper, methods };
}
