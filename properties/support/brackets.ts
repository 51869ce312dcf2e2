import type { Norm } from '../../src/linalg/norms.js';
import type { Bracket, BracketProvider } from '../../src/lipschitz/brackets.js';
import type { Network } from '../../src/network/network.js';
import { sampleNetwork, type WeightConvention } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
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
 * networks with d ≥ `fromDim` (the kind of ×2 slip a refactoring of one estimator can make).
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
