import type { Network } from '../../../network/network.js';
import { gamma } from '../rounding.js';
import { soundMax, type Polytope } from './soundLp.js';

/**
 * Sound pre-activation bounds on a node of pattern branch and bound (patternBranch.ts): a polytope
 * Q of a root box on which every neuron of layers < l is stable. Layer l is affine on Q (`Forms`,
 * with a rigorous bound on their floating-point error over the box), layer l + 1 is bounded by
 * CROWN's lines over Q, deeper layers by intervals; every sum is widened for rounding (γ terms,
 * plus 2⁻¹⁰⁷⁴ per term for underflow), so lo ≤ z ≤ hi holds for the exact pre-activations on Q.
 */

const ETA = 2 ** -1074;

/** The affine forms of one layer's pre-activations on a node: rows a (width × n), c, error e. */
export interface Forms {
  readonly a: Float64Array;
  readonly c: Float64Array;
  readonly e: Float64Array;
}

/** Layer 0's forms: exactly the first layer's weights and biases. */
export function firstForms(net: Network): Forms {
  const first = net.layers[0];
  return { a: first.weights, c: first.biases, e: new Float64Array(first.outDim) };
}

/** A bound on c + value (dir = 1: upper end; −1: lower end, from a bound on max −a·v), widened by e and rounding. */
export function widenSum(bound: number, c: number, e: number, dir: 1 | -1): number {
  if (!Number.isFinite(bound)) return dir * Infinity;
  const s = dir * bound + c;
  const slack = e + 4 * 2 ** -53 * (Math.abs(bound) + Math.abs(c) + e) + ETA;
  return dir > 0 ? s + slack : s - slack;
}

/**
 * Layer l + 1's affine forms when every neuron of layer l is stable (states s): a' = W·D·a,
 * c' = W·D·c + b, with e' bounding the error of the computed forms over the box: per dot product
 * of m terms γ_{m+2}·Σ|terms| (entries of a, and c), plus Σ|w|·e of the factors, summed over the
 * box (|v_j| ≤ max(|lo_j|, |hi_j|)).
 */
export function nextForms(net: Network, l: number, forms: Forms, s: Int8Array, lo: Float64Array, hi: Float64Array): Forms {
  const layer = net.layers[l + 1];
  const n = lo.length;
  const width = layer.outDim;
  const inDim = layer.inDim;
  const g = gamma(inDim + 2);
  const reach = Float64Array.from(lo, (v, j) => Math.max(Math.abs(v), Math.abs(hi[j])));
  const a = new Float64Array(width * n);
  const c = new Float64Array(width);
  const e = new Float64Array(width);
  const mag = new Float64Array(n);
  for (let i = 0; i < width; i++) {
    mag.fill(0);
    let cSum = layer.biases[i];
    let cMag = Math.abs(cSum);
    let propagated = 0;
    for (let k = 0; k < inDim; k++) {
      const w = layer.weights[i * inDim + k];
      if (w === 0 || s[k] !== 1) continue;
      for (let j = 0; j < n; j++) {
        const t = w * forms.a[k * n + j];
        a[i * n + j] += t;
        mag[j] += Math.abs(t);
      }
      const t = w * forms.c[k];
      cSum += t;
      cMag += Math.abs(t);
      propagated += Math.abs(w) * forms.e[k];
    }
    c[i] = cSum;
    let err = g * cMag + propagated + (inDim + 1) * ETA;
    for (let j = 0; j < n; j++) err += (g * mag[j] + (inDim + 1) * ETA) * reach[j];
    e[i] = err * (1 + gamma(n + 4));
  }
  return { a, c, e };
}

/**
 * Bounds on every hidden layer's pre-activations: layer `layer`'s given, earlier layers' left
 * open (their neurons are stable, states say how), deeper ones by interval propagation widened
 * for rounding (γ_{m+2} times the magnitudes, plus underflow).
 */
export function deeperBounds(net: Network, layer: number, lo: Float64Array, hi: Float64Array, states: Int8Array[], next: { lo: Float64Array; hi: Float64Array } | null): { lo: Float64Array[]; hi: Float64Array[] } {
  const L = net.layers.length - 1;
  const outLo: Float64Array[] = [];
  const outHi: Float64Array[] = [];
  for (let l = 0; l < layer; l++) {
    outLo.push(Float64Array.from(states[l], (v) => (v === 1 ? 1 : -1)));
    outHi.push(Float64Array.from(states[l], (v) => (v === 1 ? 1 : -1)));
  }
  outLo.push(lo);
  outHi.push(hi);
  let pLo = lo;
  let pHi = hi;
  for (let l = layer + 1; l < L; l++) {
    const W = net.layers[l];
    const prev = states[l - 1];
    const aLo = Float64Array.from(pLo, (v, k) => (prev[k] === 0 ? 0 : Math.max(v, 0)));
    const aHi = Float64Array.from(pHi, (v, k) => (prev[k] === 0 ? 0 : Math.max(v, 0)));
    const g = gamma(W.inDim + 2);
    const nLo = new Float64Array(W.outDim);
    const nHi = new Float64Array(W.outDim);
    for (let i = 0; i < W.outDim; i++) {
      let sLo = W.biases[i];
      let sHi = W.biases[i];
      let mag = Math.abs(W.biases[i]);
      for (let k = 0; k < W.inDim; k++) {
        const w = W.weights[i * W.inDim + k];
        if (w === 0) continue;
        const x = w > 0 ? w * aLo[k] : w * aHi[k];
        const y = w > 0 ? w * aHi[k] : w * aLo[k];
        sLo += x;
        sHi += y;
        mag += Math.abs(w) * Math.max(Math.abs(aLo[k]), Math.abs(aHi[k]));
      }
      const slack = g * mag + (W.inDim + 2) * ETA;
      nLo[i] = sLo - slack;
      nHi[i] = sHi + slack;
      if (next && l === layer + 1) {
        nLo[i] = Math.max(nLo[i], next.lo[i]);
        nHi[i] = Math.min(nHi[i], next.hi[i]);
      }
      if (states[l][i] === -1) states[l][i] = nLo[i] > 0 ? 1 : nHi[i] < 0 ? 0 : -1;
    }
    outLo.push(nLo);
    outHi.push(nHi);
    pLo = nLo;
    pHi = nHi;
  }
  return { lo: outLo, hi: outHi };
}

/**
 * Bounds on layer l + 1's pre-activations over the node from a linear relaxation of layer l's
 * ReLUs (CROWN's lines, with layer l's exact LP bounds lo ≤ z ≤ hi): for an unstable neuron,
 * σ·z ≤ ρ(z) ≤ σ·(z − lo) with σ ≥ hi/(hi − lo) rounded up and at most 1; stable ones are exact.
 * z' = b + Σ w·ρ(z_k) is then bounded above and below by affine functions of v, which soundMax
 * maximises over the node's polytope. Errors: layer l's form errors e_k times |μ_k|, the rounding
 * of μ_k = w·σ (u·|μ_k|·(hi − lo)), and γ_{m+3} times the magnitudes of the sums over the box.
 */
export function relaxedNextBounds(net: Network, l: number, forms: Forms, s: Int8Array, lo: Float64Array, hi: Float64Array, poly: Polytope): { lo: Float64Array; hi: Float64Array } {
  const layer = net.layers[l + 1];
  const n = poly.n;
  const inDim = layer.inDim;
  const g = gamma(inDim + 3);
  const reach = Float64Array.from(poly.lo, (v, j) => Math.max(Math.abs(v), Math.abs(poly.hi[j])));
  const sigma = Float64Array.from(s, (v, k) => (v === -1 ? Math.min(1, (hi[k] / (hi[k] - lo[k])) * (1 + 2 ** -51)) : v));
  const outLo = new Float64Array(layer.outDim).fill(-Infinity);
  const outHi = new Float64Array(layer.outDim).fill(Infinity);
  const r = new Float64Array(n);
  const mag = new Float64Array(n);
  for (let i = 0; i < layer.outDim; i++) {
    r.fill(0);
    mag.fill(0);
    let c = layer.biases[i];
    let cMag = Math.abs(c);
    let kUp = 0; // the chords' constants −μ·lo for the upper bound (w > 0) and the lower one (w < 0)
    let kDown = 0;
    let err = 0;
    let finite = true;
    for (let k = 0; k < inDim; k++) {
      const w = layer.weights[i * inDim + k];
      if (w === 0 || s[k] === 0) continue;
      if (s[k] === -1 && !(Number.isFinite(lo[k]) && Number.isFinite(hi[k]))) {
        finite = false;
        break;
      }
      const mu = w * sigma[k];
      for (let j = 0; j < n; j++) {
        const t = mu * forms.a[k * n + j];
        r[j] += t;
        mag[j] += Math.abs(t);
      }
      const t = mu * forms.c[k];
      c += t;
      cMag += Math.abs(t);
      err += Math.abs(mu) * forms.e[k];
      if (s[k] === -1) {
        const chord = -mu * lo[k];
        if (w > 0) kUp += chord;
        else kDown += chord;
        cMag += Math.abs(chord);
        err += 2 * 2 ** -53 * Math.abs(mu) * (hi[k] - lo[k]);
      }
    }
    if (!finite) continue;
    for (let j = 0; j < n; j++) err += (g * mag[j] + (inDim + 1) * ETA) * reach[j];
    err = (err + g * cMag + (inDim + 2) * ETA) * (1 + gamma(n + 4));
    outHi[i] = widenSum(soundMax(poly, r).bound, c + kUp, err, 1);
    outLo[i] = widenSum(soundMax(poly, r.map((x) => -x)).bound, c + kDown, err, -1);
  }
  return { lo: outLo, hi: outHi };
}
