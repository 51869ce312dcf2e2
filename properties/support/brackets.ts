import type { Norm } from '../../src/linalg/norms.js';
import type { Bracket, BracketProvider } from '../../src/lipschitz/brackets.js';
import type { Network } from '../../src/network/network.js';
import { sampleNetwork, type WeightConvention } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { witnessAt } from '../../src/lipschitz/lower/witness.js';
import type { BracketPoint } from '../../src/theory/shape.js';

/**
 * Designs for the shape tests: fresh networks of one architecture family, bracketed by a provider,
 * as points (x = the design variable) for `bracketSlopeTest` and `quantileGrowthTest`.
 */
export interface DesignCell {
  /** The design variable of these draws (d, N or L). */
  readonly x: number;
  readonly d: number;
  readonly widths: readonly number[];
  readonly draws: number;
}

export interface DesignOptions {
  readonly provider: BracketProvider;
  readonly norm: Norm;
  readonly seed: number;
  /** Names the design in the seeds, so two designs never share networks. */
  readonly tag: string;
  readonly bias?: string;
  readonly weights?: WeightConvention;
}

/** A bracket with where it was drawn (for failure messages). */
export interface DesignPoint extends BracketPoint {
  readonly d: number;
  readonly widths: string;
  readonly lowerMethod: string;
  readonly upperMethod: string;
}

/** Brackets of every draw of every cell, in order. */
export async function bracketDesign(cells: readonly DesignCell[], options: DesignOptions): Promise<DesignPoint[]> {
  const out: DesignPoint[] = [];
  const bias = parseBiasLaw(options.bias ?? 'normal:1');
  const weights = options.weights ?? 'he-fanout';
  for (const cell of cells) {
    for (let i = 0; i < cell.draws; i++) {
      const net = sampleNetwork({ inputDim: cell.d, widths: cell.widths, bias, weights, seed: `${options.seed}:${options.tag}:${cell.d}:${cell.widths.join('x')}:${i}` });
      const b = await options.provider.bracket(net, options.norm);
      out.push({ x: cell.x, d: cell.d, widths: cell.widths.join('x'), lower: b.lower, upper: b.upper, lowerMethod: b.lowerMethod, upperMethod: b.upperMethod });
    }
  }
  return out;
}

/**
 * A DELIBERATELY WRONG estimator, for the power tests only: the provider's lower bound doubled on
 * networks with d ≥ `fromDim` (the kind of ×2 slip a refactoring of one estimator can make; 0: on
 * every network).
 */
export function doublingLowerBounds(provider: BracketProvider, fromDim: number): BracketProvider {
  return {
    name: `${provider.name} with lower bounds ×2 for d ≥ ${fromDim} (deliberately wrong)`,
    async bracket(net: Network, norm: Norm): Promise<Bracket> {
      const b = await provider.bracket(net, norm);
      return net.inputDim >= fromDim ? { ...b, lower: 2 * b.lower, exact: false } : b;
    },
  };
}

/**
 * The same provider with its brackets remembered per network (by its sampling metadata and the
 * norm), so a power test that wraps it re-uses what the statistical test computed.
 */
export function cachedProvider(provider: BracketProvider): BracketProvider {
  const cache = new Map<string, Promise<Bracket>>();
  return {
    name: provider.name,
    bracket(net: Network, norm: Norm): Promise<Bracket> {
      const key = net.meta ? JSON.stringify({ ...net.meta, inputDim: net.inputDim, norm }) : null;
      if (key === null) return provider.bracket(net, norm);
      let hit = cache.get(key);
      if (!hit) {
        hit = provider.bracket(net, norm);
        cache.set(key, hit);
      }
      return hit;
    },
  };
}

/** Relative agreement asked of the weights of a drawn network and c × the papers' network. */
const RESCALE_TOLERANCE = 1e-13;

/**
 * c when `net` is the papers' network `papers` with its first layer's weights times c (up to the
 * rounding of drawing them: ≤ RESCALE_TOLERANCE relative, entry by entry) and every bias and later
 * layer bit-identical; null otherwise.
 */
export function firstLayerScale(net: Network, papers: Network): number | null {
  if (net.layers.length !== papers.layers.length || net.inputDim !== papers.inputDim) return null;
  const [a, b] = [net.layers[0].weights, papers.layers[0].weights];
  if (a.length !== b.length || a.length === 0) return null;
  let k = 0;
  while (k < b.length && b[k] === 0) k++;
  if (k === b.length) return null;
  const c = a[k] / b[k];
  if (!(c > 0) || a.some((w, i) => Math.abs(w - c * b[i]) > RESCALE_TOLERANCE * Math.abs(c * b[i]))) return null;
  const same = (x: Float64Array, y: Float64Array) => x.length === y.length && x.every((v, i) => v === y[i]);
  if (!same(net.layers[0].biases, papers.layers[0].biases)) return null;
  return net.layers.slice(1).every((l, i) => same(l.weights, papers.layers[i + 1].weights) && same(l.biases, papers.layers[i + 1].biases)) ? c : null;
}

/**
 * The provider, with brackets of first-layer rescalings derived instead of recomputed: when a
 * drawn network is the papers' network of the same seed with its first layer's weights × c
 * (`firstLayerScale`: input-scaled always, fan-in at equal hidden widths, unnormalised on one
 * hidden layer), then f(x) = f_papers(c·x), so Lip_p = c·Lip_p(papers) in every norm. The papers'
 * bracket (from the cache when its test ran first) is scaled: the lower end is recomputed as a
 * witness on the drawn network at x/c, the upper end is c × the papers' upper bound with 1e-9
 * relative slack for the weights' rounding. For the power tests only, where what is measured is
 * whether a statistic rejects the model; any other network is bracketed by the provider itself.
 */
export function rescalingProvider(provider: BracketProvider): BracketProvider {
  return {
    name: `${provider.name} (first-layer rescalings derived)`,
    async bracket(net: Network, norm: Norm): Promise<Bracket> {
      const { weights, widths, bias, seed } = net.meta ?? {};
      const drawn = Array.isArray(widths) && typeof bias === 'string' && (typeof seed === 'string' || typeof seed === 'number');
      if (!drawn || weights === 'he-fanout') return provider.bracket(net, norm);
      const outputs = net.layers[net.layers.length - 1].outDim;
      const papers = sampleNetwork({ inputDim: net.inputDim, widths: widths as number[], bias: parseBiasLaw(bias), weights: 'he-fanout', seed, outputs });
      const c = firstLayerScale(net, papers);
      if (c === null) return provider.bracket(net, norm);
      const b = await provider.bracket(papers, norm);
      const w = witnessAt(net, b.witness.map((x) => x / c), norm);
      return { lower: w.value, witness: w.x, upper: c * b.upper * (1 + 1e-9), exact: false, lowerMethod: `${b.lowerMethod} (rescaled)`, upperMethod: `${b.upperMethod} (rescaled)` };
    },
  };
}
