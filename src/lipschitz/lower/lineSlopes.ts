import type { Network } from '../../network/network.js';

/**
 * The regions crossed by a line, with their slopes, by an event-driven sweep: along x + t·u every
 * hidden pre-activation is piecewise linear in t, and a region boundary is a time where one of them
 * crosses 0. Starting from x's pattern the sweep keeps every neuron's value and slope at the current
 * time, jumps to the next zero crossing, flips that neuron and updates the slopes downstream of it
 * only: the next layer by a rank-one update (O(N_{ℓ+1})), the later layers by one matrix–vector
 * product each, the output slope by a dot product. Finding the next event scans the neurons. For
 * one hidden layer, or two, an event costs O(number of neurons); the whole sweep costs about
 * (regions on the line) × (neurons) plus d·N₁ to restrict the first layer — not
 * (regions) × (parameters) as a layer-by-layer sweep does.
 *
 * Floating point: values are advanced event by event, so they drift by about (events) × ulp of the
 * largest |term|; a neuron near 0 may then switch a little early or late, or a tiny region be
 * missed. The slopes this returns are therefore predictions: callers re-evaluate the points they
 * use (the ascent evaluates the full Jacobian at them and keeps them only if the norm increased).
 */

/** A region on the line: an interior point t and the slope of t ↦ cᵀf(x + t·u) there. */
export interface LineRegion {
  readonly t: number;
  readonly slope: number;
}

/** State of the sweep in one direction: per hidden layer, values, slopes and switches. */
interface SweepState {
  readonly values: Float64Array[];
  readonly slopes: Float64Array[];
  readonly active: Uint8Array[];
  /** cᵀW⁽ᴸ⁾: the output layer, scalarised. */
  readonly cw: Float64Array;
  /** Slope of the scalar output. */
  outSlope: number;
}

/**
 * The regions the line x + t·u crosses for t in (lo, hi) (lo < 0 < hi; either may be infinite),
 * other than x's own, in the order met going out from x: `ahead` for t > 0, `behind` for t < 0.
 * Each comes with the slope of t ↦ cᵀf(x + t·u) there. Stops after `maxEvents` zero crossings in
 * each direction (regions beyond are not seen). x should be strictly inside its region (on a kink,
 * the pattern read at x decides which side it starts on).
 */
export function lineRegions(
  net: Network,
  x: ArrayLike<number>,
  u: ArrayLike<number>,
  c: ArrayLike<number>,
  lo: number,
  hi: number,
  maxEvents = 100_000,
): { ahead: LineRegion[]; behind: LineRegion[] } {
  const ahead: LineRegion[] = [];
  const behind: LineRegion[] = [];
  // Stryker disable next-line ConditionalExpression: a shortcut only; with no hidden layer the sweep below finds no event and reports nothing either
  if (net.layers.length < 2) return { ahead, behind }; // affine: a single region
  const start = initialState(net, x, u, c);
  const reversed = negated(start); // before the forward sweep changes `start`
  for (const dir of [1, -1]) {
    const state = dir === 1 ? start : reversed;
    const out = dir === 1 ? ahead : behind;
    sweep(net, state, dir === 1 ? hi : -lo, maxEvents, (from, to, slope) => {
      const tau = Number.isFinite(to) ? 0.5 * (from + to) : 2 * from;
      out.push({ t: dir * tau, slope: dir * slope });
    });
  }
  return { ahead, behind };
}

/** Values, slopes and pattern of the restricted network at t = 0. */
function initialState(net: Network, x: ArrayLike<number>, u: ArrayLike<number>, c: ArrayLike<number>): SweepState {
  const L = net.layers.length;
  const values: Float64Array[] = [];
  const slopes: Float64Array[] = [];
  const active: Uint8Array[] = [];
  let h: ArrayLike<number> = x;
  let dh: ArrayLike<number> = u;
  for (let l = 0; l < L - 1; l++) {
    const { outDim, inDim, weights, biases } = net.layers[l];
    const v = new Float64Array(outDim);
    const s = new Float64Array(outDim);
    const a = new Uint8Array(outDim);
    for (let i = 0; i < outDim; i++) {
      let z = biases[i];
      let dz = 0;
      const o = i * inDim;
      for (let j = 0; j < inDim; j++) {
        z += weights[o + j] * h[j];
        dz += weights[o + j] * dh[j];
      }
      v[i] = z;
      s[i] = dz;
      a[i] = z > 0 ? 1 : 0;
    }
    values.push(v);
    slopes.push(s);
    active.push(a);
    h = v.map((z, i) => (a[i] ? z : 0));
    dh = s.map((z, i) => (a[i] ? z : 0));
  }
  const last = net.layers[L - 1];
  const cw = new Float64Array(last.inDim);
  for (let i = 0; i < last.outDim; i++) {
    // Stryker disable next-line ConditionalExpression: skips adding 0·row, which changes nothing
    if (c[i] === 0) continue;
    for (let j = 0; j < last.inDim; j++) cw[j] += c[i] * last.weights[i * last.inDim + j];
  }
  let outSlope = 0;
  for (let j = 0; j < cw.length; j++) outSlope += cw[j] * dh[j];
  return { values, slopes, active, cw, outSlope };
}

/** The same state seen along −u: every slope changes sign. */
function negated(state: SweepState): SweepState {
  return {
    values: state.values.map((v) => v.slice()),
    slopes: state.slopes.map((s) => s.map((v) => -v)),
    active: state.active.map((a) => a.slice()),
    cw: state.cw,
    outSlope: -state.outSlope,
  };
}

/**
 * Sweeps τ from 0 to `limit`, calling `region(from, to, slope)` for every region after the first
 * (x's own), with `to` = Infinity for an unbounded last one. Mutates the state.
 */
function sweep(net: Network, state: SweepState, limit: number, maxEvents: number, region: (from: number, to: number, slope: number) => void): void {
  const { values, slopes, active } = state;
  const hidden = values.length;
  let tau = 0;
  let from = NaN; // start of the current region (NaN while in x's own region)
  for (let events = 0; ; events++) {
    if (events >= maxEvents) return; // the current region's end is unknown
    // The next zero crossing: a neuron whose value heads to 0 (or is at 0 and about to change side).
    let dt = Infinity;
    // Stryker disable next-line UnaryOperator: read only after an event sets it (dt finite)
    let layer = -1;
    // Stryker disable next-line UnaryOperator: read only after an event sets it (dt finite)
    let neuron = -1;
    for (let l = 0; l < hidden; l++) {
      const v = values[l];
      const s = slopes[l];
      const a = active[l];
      for (let i = 0; i < v.length; i++) {
        const wrongSide = a[i] ? v[i] < 0 || (v[i] === 0 && s[i] < 0) : v[i] > 0 || (v[i] === 0 && s[i] > 0);
        let when = Infinity;
        if (wrongSide) when = 0;
        else if (v[i] !== 0 && (v[i] > 0) !== (s[i] > 0) && s[i] !== 0) when = -v[i] / s[i];
        if (when < dt) {
          dt = when;
          layer = l;
          neuron = i;
        }
      }
    }
    if (!(tau + dt < limit)) break;
    if (dt > 0) {
      for (let l = 0; l < hidden; l++) {
        const v = values[l];
        const s = slopes[l];
        for (let i = 0; i < v.length; i++) v[i] += s[i] * dt;
      }
      if (!Number.isNaN(from)) region(from, tau + dt, state.outSlope);
      tau += dt;
      from = tau;
    }
    flip(net, state, layer, neuron);
  }
  if (!Number.isNaN(from)) region(from, limit, state.outSlope);
}

/** Switches neuron (l, i) and updates the slopes downstream of it. */
function flip(net: Network, state: SweepState, l: number, i: number): void {
  const { values, slopes, active, cw } = state;
  const hidden = values.length;
  values[l][i] = 0;
  active[l][i] ^= 1;
  // The change of the neuron's post-activation slope.
  const delta = active[l][i] ? slopes[l][i] : -slopes[l][i];
  // Stryker disable next-line ConditionalExpression: a shortcut; a zero change adds 0 to every slope downstream
  if (delta === 0) return;
  if (l === hidden - 1) {
    state.outSlope += cw[i] * delta;
    return;
  }
  // Next layer: a rank-one update with column i of W⁽ℓ⁺¹⁾.
  let { outDim, inDim, weights } = net.layers[l + 1];
  let change = new Float64Array(outDim);
  for (let r = 0; r < outDim; r++) change[r] = weights[r * inDim + i] * delta;
  for (let m = l + 1; ; m++) {
    const s = slopes[m];
    const a = active[m];
    for (let r = 0; r < s.length; r++) s[r] += change[r];
    if (m === hidden - 1) {
      let d = 0;
      for (let r = 0; r < s.length; r++) if (a[r]) d += cw[r] * change[r];
      state.outSlope += d;
      return;
    }
    ({ outDim, inDim, weights } = net.layers[m + 1]);
    const next = new Float64Array(outDim);
    for (let r = 0; r < outDim; r++) {
      let d = 0;
      const o = r * inDim;
      for (let j = 0; j < inDim; j++) if (a[j]) d += weights[o + j] * change[j];
      next[r] = d;
    }
    change = next;
  }
}
