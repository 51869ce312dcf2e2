import { bandFormula, bandScales } from '../theory/bands.js';
import { loadCalibration } from '../theory/calibration.js';
import { NORMS, operatorNorm, type Norm } from '../linalg/norms.js';
import { gammaP, gammaQ } from '../theory/special.js';
import { binomialLowerTail, binomialUpperTail, normalTwoSided, symmetryTest } from '../theory/stats.js';
import { describeArchitecture, hiddenLayerCount, hiddenWidths, neuronCount, outputDim, parameterCount, type DenseLayer, type Network } from './network.js';

/**
 * What `lipcheck info` says about a network: its shape, how its weights and biases compare with the
 * random model of the papers (hidden W⁽ℓ⁾ i.i.d. N(0, 2/N_out), output N(0, 1), biases i.i.d.
 * symmetric), the product of operator norms (an upper bound on Lip_p up to rounding), and which theorem's
 * band speaks about it (`theoremBand`).
 */

/** Significance level of every test here: a law is rejected only when p < ALPHA. */
export const ALPHA = 0.001;
/** A layer is also "near" a variance law when its empirical variance is within this factor of it. */
const VARIANCE_FACTOR = 1.5;

export type LawName = 'he-fanout' | 'he-fanin' | 'standard';

/** One weight law checked against one layer. */
export interface LawCheck {
  readonly law: LawName;
  /** The law's variance: 2/N_out (he-fanout), 2/N_in (he-fanin), 1 (standard, the output layer's). */
  readonly variance: number;
  /** Empirical variance / law variance. */
  readonly ratio: number;
  /** Two-sided chi-square test of H₀: entries i.i.d. N(0, variance) (statistic Σw²/variance ~ χ²_n). */
  readonly chiSquareP: number;
  /** p ≥ ALPHA, or the ratio within VARIANCE_FACTOR. */
  readonly consistent: boolean;
}

export interface LayerInfo {
  readonly index: number;
  readonly role: 'hidden' | 'output';
  readonly inDim: number;
  readonly outDim: number;
  readonly weightMean: number;
  /** Σw²/n: the variance estimate under the model's mean 0. */
  readonly weightVariance: number;
  readonly laws: LawCheck[];
  readonly biasMean: number;
  readonly biasSd: number;
}

export interface BiasInfo {
  /** Hidden-layer biases, pooled (the output bias does not affect any Lipschitz constant). */
  readonly n: number;
  readonly mean: number;
  readonly sd: number;
  /** Sample skewness m₃/m₂^{3/2}; descriptive only (heavy-tailed laws make a skewness test invalid). */
  readonly skewness: number | null;
  readonly positive: number;
  readonly negative: number;
  readonly zeros: number;
  /** Exact two-sided sign test of H₀: median 0 (binomial(n≠0, ½)); null without nonzero biases. */
  readonly signTestP: number | null;
  /** Wilcoxon signed-rank test of H₀: symmetric about 0 (normal approximation, tie-corrected); null for n < 10. */
  readonly signedRankP: number | null;
  /**
   * Kolmogorov–Smirnov-type test of H₀: symmetric about 0 (theory/stats.ts `symmetryTest`, exact
   * given the magnitudes); the one of the three with power against mean-zero, median-zero skewed
   * laws. Null without nonzero biases.
   */
  readonly symmetryP: number | null;
  /** Consistent with a law symmetric about 0: all zero, or none of the three tests rejects at ALPHA. */
  readonly symmetric: boolean | null;
}

/**
 * The band a theorem puts Lip₂ in: c·lowerScale ≤ Lip₂ ≤ C·upperScale, with c and C the
 * calibrated constants (config/calibration.json) when available.
 */
export interface TheoremVerdict {
  readonly kind: 'shallow' | 'deep' | 'none';
  /** The band as the papers write it, or null when no theorem applies. */
  readonly band: string | null;
  readonly lowerScale: number | null;
  readonly upperScale: number | null;
  /** The calibrated constants and the numeric band [c·lowerScale, C·upperScale], when calibrated. */
  readonly calibrated: { readonly c: number; readonly C: number; readonly draws: number; readonly lower: number; readonly upper: number } | null;
  /** Why no theorem applies (empty when one does). */
  readonly reasons: string[];
}

/** The facts about a network that decide which theorem applies. */
export interface TheoremFacts {
  readonly inputDim: number;
  readonly hiddenLayers: number;
  readonly outputs: number;
  /** N, the largest hidden width. */
  readonly maxWidth: number;
  /** Per hidden layer: consistent with he-fanout, and with he-fanin. */
  readonly hidden: readonly { fanout: LawCheck; fanin: LawCheck }[];
  /** The output layer against N(0, 1). */
  readonly output: LawCheck;
  readonly biasesSymmetric: boolean | null;
}

export interface NetworkInfo {
  readonly architecture: string;
  readonly inputDim: number;
  readonly widths: number[];
  readonly outputs: number;
  readonly hiddenLayers: number;
  readonly neurons: number;
  readonly parameters: number;
  readonly layers: LayerInfo[];
  readonly biases: BiasInfo;
  /**
   * ∏ ‖W⁽ℓ⁾‖_{p→p} in plain floating point: an upper bound on Lip_p up to rounding (exact for an
   * affine network); `lipcheck bounds` reports the certified version, with rounding guarded.
   */
  readonly operatorNormProduct: Record<Norm, number>;
  readonly theorem: TheoremVerdict;
}

function meanOf(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length === 0 ? NaN : s / xs.length;
}

function sdOf(xs: ArrayLike<number>): number {
  if (xs.length < 2) return NaN;
  const m = meanOf(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Two-sided chi-square test of H₀: xs i.i.d. N(0, variance). */
export function chiSquareVarianceTest(xs: ArrayLike<number>, variance: number): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] * xs[i];
  const stat = s / variance;
  const half = xs.length / 2;
  return Math.min(1, 2 * Math.min(gammaP(half, stat / 2), gammaQ(half, stat / 2)));
}

function checkLaw(layer: DenseLayer, law: LawName): LawCheck {
  const variance = law === 'he-fanout' ? 2 / layer.outDim : law === 'he-fanin' ? 2 / layer.inDim : 1;
  let s = 0;
  for (const w of layer.weights) s += w * w;
  const ratio = s / layer.weights.length / variance;
  const chiSquareP = chiSquareVarianceTest(layer.weights, variance);
  const consistent = chiSquareP >= ALPHA || (ratio >= 1 / VARIANCE_FACTOR && ratio <= VARIANCE_FACTOR);
  return { law, variance, ratio, chiSquareP, consistent };
}

/** Exact two-sided sign test: p for `positive` successes in `n` fair coin flips. */
export function signTest(positive: number, n: number): number {
  if (n === 0) return 1;
  return Math.min(1, 2 * Math.min(binomialLowerTail(positive, n, 0.5), binomialUpperTail(positive, n, 0.5)));
}

/** Wilcoxon signed-rank test of symmetry about 0 (zeros dropped, average ranks for ties, continuity-corrected normal approximation). */
export function signedRankTest(xs: readonly number[]): number | null {
  const nz = xs.filter((x) => x !== 0).sort((a, b) => Math.abs(a) - Math.abs(b));
  const n = nz.length;
  if (n < 10) return null;
  let wPlus = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && Math.abs(nz[j + 1]) === Math.abs(nz[i])) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (nz[k] > 0) wPlus += rank;
    i = j + 1;
  }
  const mean = (n * (n + 1)) / 4;
  const variance = (n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48;
  const diff = Math.abs(wPlus - mean);
  const z = variance > 0 ? Math.max(0, diff - 0.5) / Math.sqrt(variance) : 0;
  return normalTwoSided(z);
}

function biasInfo(net: Network): BiasInfo {
  const xs = net.layers.slice(0, -1).flatMap((l) => Array.from(l.biases));
  const positive = xs.filter((x) => x > 0).length;
  const negative = xs.filter((x) => x < 0).length;
  const zeros = xs.length - positive - negative;
  const mean = meanOf(xs);
  let m2 = 0;
  let m3 = 0;
  for (const x of xs) {
    m2 += (x - mean) ** 2;
    m3 += (x - mean) ** 3;
  }
  const skewness = xs.length >= 3 && m2 > 0 ? m3 / xs.length / (m2 / xs.length) ** 1.5 : null;
  const signTestP = positive + negative > 0 ? signTest(positive, positive + negative) : null;
  const signedRankP = signedRankTest(xs);
  const symmetryP = positive + negative > 0 ? symmetryTest(xs).pValue : null;
  // Three tests at ALPHA each: a symmetric law is flagged with probability at most 3·ALPHA.
  const symmetric =
    xs.length === 0 ? null : zeros === xs.length ? true : [signTestP, signedRankP, symmetryP].every((p) => (p ?? 1) >= ALPHA);
  return { n: xs.length, mean, sd: sdOf(xs), skewness, positive, negative, zeros, signTestP, signedRankP, symmetryP, symmetric };
}

function fmtRatio(r: number): string {
  return Number(r.toPrecision(3)).toString();
}

function fmtP(p: number): string {
  return p === 0 ? '≈ 0' : `= ${Number(p.toPrecision(2))}`;
}

/**
 * Which theorem of the random-network papers speaks about a network, and why none does. Kinds:
 * `shallow` (L = 1): c·√d ≤ Lip₂ ≤ C·√d; `deep` (L ≥ 2): c·√d ≤ Lip₂ ≤ C·√d·L·√(log N), N the
 * largest hidden width; `none`, with every reason (k > 1, L = 0, weights far from the papers' laws,
 * biases not symmetric). The scales returned are the factors multiplying c and C, so calibrated
 * constants plug in as c·lowerScale and C·upperScale (filled in from the calibration file).
 */
export function theoremBand(f: TheoremFacts): TheoremVerdict {
  const reasons: string[] = [];
  if (f.hiddenLayers === 0) reasons.push('the network is affine (L = 0): Lip_p is exactly the operator norm of its one layer');
  if (f.outputs > 1) reasons.push(`k = ${f.outputs} outputs: the theorems are about scalar networks (k = 1); apply them to c·f (--c) if c·W_out has N(0, 1) entries`);
  f.hidden.forEach(({ fanout, fanin }, l) => {
    if (fanout.consistent) return;
    const alt = fanin.consistent ? '; it matches the fan-in variant 2/N_in, for which the theorems are not stated' : '';
    reasons.push(`layer ${l} weights: variance is ${fmtRatio(fanout.ratio)} × the papers' 2/N_out (chi-square p ${fmtP(fanout.chiSquareP)})${alt}`);
  });
  if (f.hiddenLayers > 0 && !f.output.consistent) {
    reasons.push(`output weights: variance is ${fmtRatio(f.output.ratio)} × the papers' 1 (chi-square p ${fmtP(f.output.chiSquareP)})`);
  }
  if (f.biasesSymmetric === false) reasons.push(`hidden biases are not symmetric about 0 (sign, signed-rank or symmetry test p < ${ALPHA})`);
  if (f.hiddenLayers >= 2 && f.maxWidth < 2) reasons.push('the largest hidden width is 1: log N = 0 and the deep band is void');
  if (reasons.length > 0) return { kind: 'none', band: null, lowerScale: null, upperScale: null, calibrated: null, reasons };
  const kind = f.hiddenLayers === 1 ? 'shallow' : 'deep';
  const scales = bandScales(kind, f.inputDim, f.hiddenLayers, f.maxWidth);
  let constants = null;
  try {
    constants = loadCalibration().bands[kind] ?? null;
  } catch {
    constants = null; // no calibration file: the band stays symbolic
  }
  return {
    kind,
    band: bandFormula(kind),
    lowerScale: scales.lower,
    upperScale: scales.upper,
    calibrated: constants ? { c: constants.c, C: constants.C, draws: constants.draws, lower: constants.c * scales.lower, upper: constants.C * scales.upper } : null,
    reasons,
  };
}

/**
 * Everything `lipcheck info` reports, computed from the network alone (no sampling). `normProducts`
 * replaces the products of operator norms (e.g. computed within a time budget by the caller).
 */
export function networkInfo(net: Network, normProducts?: Record<Norm, number>): NetworkInfo {
  const L = hiddenLayerCount(net);
  const layers: LayerInfo[] = net.layers.map((layer, index) => {
    const role = index < L ? 'hidden' : 'output';
    return {
      index,
      role,
      inDim: layer.inDim,
      outDim: layer.outDim,
      weightMean: meanOf(layer.weights),
      weightVariance: meanOf(layer.weights.map((w) => w * w)),
      laws: role === 'hidden' ? [checkLaw(layer, 'he-fanout'), checkLaw(layer, 'he-fanin')] : [checkLaw(layer, 'standard')],
      biasMean: meanOf(layer.biases),
      biasSd: sdOf(layer.biases),
    };
  });
  const biases = biasInfo(net);
  const widths = hiddenWidths(net);
  const operatorNormProduct = normProducts ?? Object.fromEntries(
    NORMS.map((p) => [p, net.layers.reduce((acc, l) => acc * operatorNorm({ rows: l.outDim, cols: l.inDim, data: l.weights }, p), 1)]),
  ) as Record<Norm, number>;
  const theorem = theoremBand({
    inputDim: net.inputDim,
    hiddenLayers: L,
    outputs: outputDim(net),
    maxWidth: widths.length ? Math.max(...widths) : 0,
    hidden: layers.slice(0, L).map((l) => ({ fanout: l.laws[0], fanin: l.laws[1] })),
    output: layers[L].laws[0],
    biasesSymmetric: biases.symmetric,
  });
  return {
    architecture: describeArchitecture(net),
    inputDim: net.inputDim,
    widths,
    outputs: outputDim(net),
    hiddenLayers: L,
    neurons: neuronCount(net),
    parameters: parameterCount(net),
    layers,
    biases,
    operatorNormProduct,
    theorem,
  };
}
