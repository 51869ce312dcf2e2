import type { Norm } from '../linalg/norms.js';
import { type Network } from '../network/network.js';
import type { Seed } from '../random/stream.js';
import { shallowRegionCount } from './costs.js';
import { queryDomain } from './domain.js';
import { exactLipschitz } from './exact/index.js';
import { lowerBound } from './lower/index.js';
import { sampleCandidates } from './lower/sampling.js';
import { isShallowScalar, patternAscent, shallowLineAscent } from './lower/shallowSearch.js';
import { better, NO_WITNESS, type Witness } from './lower/witness.js';
import { intervalJacobianBound } from './upper/intervals.js';
import { relaxedJacobianBound } from './upper/jacobianRelaxation.js';
import { operatorNormProduct } from './upper/operatorNorms.js';
import { UNIT_ROUNDOFF } from './upper/rounding.js';
import { shallowL1PatternMax } from './upper/shallowL1.js';
import { shallowZonotopeBound } from './upper/zonotope.js';

/**
 * Bracket providers: given a network and a norm, a certified [lower, upper] of its global Lip_p
 * and the methods that made each end. The theorem tests, the study and the harness's shape check
 * only see this interface, so a stronger method (a LipSDP-class upper bound, a faster ascent) makes
 * their brackets tighter without touching them. A provider's effort is set by counts (regions,
 * starts, iterations), never by time, so a bracket depends on the network and the seed only.
 */
export interface Bracket {
  /** A witness value: the Jacobian norm at `witness`, strictly inside a region. */
  readonly lower: number;
  readonly witness: Float64Array;
  /** A certified upper bound (see upper/rounding.ts for where floating point enters). */
  readonly upper: number;
  /** True when both ends come from the exact solver. */
  readonly exact: boolean;
  readonly lowerMethod: string;
  readonly upperMethod: string;
}

export interface BracketProvider {
  /** A short name for reports ("standard", "standard+lipsdp", …). */
  readonly name: string;
  /** The bracket of the global constant Lip_p(net). */
  bracket(net: Network, norm: Norm): Promise<Bracket>;
}

/** Effort of the standard provider: counts only. */
export interface BracketEffort {
  /** Regions the exact solver may enumerate (tried for shallow nets predicted below it); 0 never. */
  readonly exactRegions: number;
  /** Deep nets with d ≤ 3 and at most this many hidden neurons are tried exactly too (within `exactRegions`). */
  readonly exactDeepNeurons: number;
  /** Random starts of the realisable-pattern search (shallow scalar nets). */
  readonly patternStarts: number;
  /** Gaussian samples screened for line-ascent starts (shallow) or per round of `lowerBound` (deep). */
  readonly samples: number;
  /** Line ascents from the best samples (shallow scalar nets). */
  readonly lineStarts: number;
  /** Region-crossing climbs of `lowerBound` for networks the shallow searches do not cover (0: the best of `samples` Gaussian samples only). */
  readonly climbs: number;
  /** Iterations of the zonotope bound's weight update. */
  readonly zonotopeIterations: number;
  /** Largest d for the zonotope bound (its d×d eigen-decompositions: about 1 s per iteration at 256). */
  readonly zonotopeMaxInputDim: number;
  readonly seed: Seed;
}

export const DEFAULT_EFFORT: BracketEffort = {
  exactRegions: 20_000,
  exactDeepNeurons: 32,
  patternStarts: 16,
  samples: 1024,
  lineStarts: 2,
  climbs: 2,
  zonotopeIterations: 8,
  zonotopeMaxInputDim: 256,
  seed: 0,
};

/** x·√d rounded up: an upper bound for the exact product (one rounding each for √ and ×). */
function timesSqrt(x: number, d: number): number {
  return x * Math.sqrt(d) * (1 + 4 * UNIT_ROUNDOFF);
}

interface Candidate {
  readonly method: string;
  readonly value: number;
}

/**
 * Sound upper bounds for the global Lip_p that cost about one pass over the weights: the
 * operator-norm product, the interval Jacobian bound, for deeper nets the relaxed Jacobian bound
 * (linear relaxation of the gates; it equals the interval bound on one hidden layer), and for
 * scalar shallow nets the largest pattern's ℓ∞ gradient norm (p = 1; ‖g‖₂ ≤ √d‖g‖_∞ turns it into
 * a p = 2 bound).
 */
function cheapUppers(net: Network, norm: Norm): Candidate[] {
  const out: Candidate[] = [{ method: 'operator-norm-product', value: operatorNormProduct(net, norm) }];
  const domain = queryDomain(net, null);
  out.push({ method: 'interval-jacobian', value: intervalJacobianBound(net, domain, norm).value });
  if (net.layers.length > 2) out.push({ method: 'relaxed-jacobian', value: relaxedJacobianBound(net, domain, norm).value });
  if (isShallowScalar(net) && norm !== 'inf') {
    const l1 = shallowL1PatternMax(net);
    out.push(norm === '1' ? { method: 'pattern-max', value: l1 } : { method: '√d × pattern-max ℓ1', value: timesSqrt(l1, net.inputDim) });
  }
  return out;
}

/**
 * The gradient-zonotope bound on Lip₂ of a scalar shallow net and what it gives in the query's
 * norm (‖g‖₁ ≤ √d‖g‖₂ for p = ∞, ‖g‖_∞ ≤ ‖g‖₂ for p = 1); none for other nets or d above the cap.
 */
function zonotopeUppers(net: Network, norm: Norm, effort: BracketEffort): Candidate[] {
  if (!isShallowScalar(net)) return [];
  const z = shallowZonotopeBound(net, null, { timeLimit: Infinity, maxIterations: effort.zonotopeIterations, maxInputDim: effort.zonotopeMaxInputDim });
  if (!z) return [];
  if (norm === '2') return [{ method: 'zonotope', value: z.upper }];
  return [norm === 'inf' ? { method: '√d × zonotope', value: timesSqrt(z.upper, net.inputDim) } : { method: 'zonotope (ℓ∞ ≤ ℓ2)', value: z.upper }];
}

/** The smallest candidate not below the witness (one below it is a numerical failure: dropped). */
function tightest(candidates: readonly Candidate[], lower: number): Candidate {
  return candidates.filter((c) => c.value >= lower * (1 - 1e-9)).reduce((a, c) => (c.value < a.value ? c : a), { method: 'none', value: Infinity });
}

/** Closed up to rounding: no search can do better. */
function closed(lower: number, upper: number): boolean {
  return lower >= upper * (1 - 1e-12);
}

/**
 * The provider built from what lipcheck has today: the exact solver where it fits the region
 * budget; else, for scalar shallow nets, the realisable-pattern search, then (while the bracket is
 * open) line ascents from the best Gaussian samples, against the cheap bounds and the zonotope
 * bound; for other nets the region-crossing climbs of `lowerBound` against the cheap bounds. An
 * upper bound below the witness (a numerical failure; never seen) is dropped, not reported.
 */
export function standardBrackets(effort: Partial<BracketEffort> = {}): BracketProvider {
  const e: BracketEffort = { ...DEFAULT_EFFORT, ...effort };
  const finish = (w: Witness, lowerMethod: string, uppers: readonly Candidate[]): Bracket => {
    const best = tightest(uppers, w.value);
    return { lower: w.value, witness: w.x, upper: best.value, exact: false, lowerMethod, upperMethod: best.method };
  };
  return {
    name: 'standard',
    async bracket(net: Network, norm: Norm): Promise<Bracket> {
      const d = net.inputDim;
      const query = { norm, box: null };
      const shallow = net.layers.length === 2;
      const neurons = net.layers.slice(0, -1).reduce((a, l) => a + l.outDim, 0);
      const fits = e.exactRegions > 0 && (shallow ? shallowRegionCount(d, net.layers[0].outDim) <= e.exactRegions : d <= 3 && neurons <= e.exactDeepNeurons);
      if (fits || net.layers.length === 1) {
        const exact = exactLipschitz(net, query, { timeLimit: Infinity, maxRegions: Math.max(e.exactRegions, 1) });
        if (exact.kind === 'exact') return { lower: exact.lipschitz, witness: exact.witness, upper: exact.lipschitz, exact: true, lowerMethod: 'exact', upperMethod: 'exact' };
      }
      const uppers = cheapUppers(net, norm);
      if (!isShallowScalar(net)) {
        if (e.climbs === 0) return finish(sampleCandidates(net, query, Math.max(1, e.samples), `${String(e.seed)}:brackets`, 1)[0] ?? NO_WITNESS, 'sampling', uppers);
        const r = lowerBound(net, query, { timeLimit: Infinity, maxRestarts: e.climbs, seed: e.seed });
        return finish(r.witness, `lower-bound search (${r.restarts} climbs)`, uppers);
      }
      const pattern = patternAscent(net, norm, { starts: e.patternStarts, seed: e.seed }).witness;
      if (closed(pattern.value, tightest(uppers, pattern.value).value)) return finish(pattern, 'pattern search', uppers);
      uppers.push(...zonotopeUppers(net, norm, e));
      if (closed(pattern.value, tightest(uppers, pattern.value).value)) return finish(pattern, 'pattern search', uppers);
      const samples = e.samples > 0 ? sampleCandidates(net, query, e.samples, `${String(e.seed)}:brackets`, Math.max(1, e.lineStarts)) : [];
      const starts = [...samples.slice(0, e.lineStarts), ...(pattern.value > -Infinity ? [pattern] : [])];
      const climbed = starts.length > 0 ? shallowLineAscent(net, norm, starts, { seed: e.seed }) : NO_WITNESS;
      const witness = better(better(pattern, samples[0] ?? NO_WITNESS), climbed);
      return finish(witness, witness === pattern ? 'pattern search' : witness === climbed ? 'line ascent' : 'sampling', uppers);
    },
  };
}
