import { hiddenWidths, type Network } from '../network/network.js';
import { sampleNetwork } from '../network/sample.js';
import { gradient } from '../network/evaluate.js';
import { parseBiasLaw } from '../random/biasLaws.js';
import { childSeed } from '../random/stream.js';
import { vectorNorm, dualNorm } from '../linalg/norms.js';
import { exactLipschitz } from '../lipschitz/exact/index.js';
import { certifiedBounds } from '../lipschitz/bounds.js';
import { standardBrackets } from '../lipschitz/brackets.js';
import type { StudyCell } from './config.js';

/** One network of a study: everything needed to plot it and to recompute it. */
export interface StudyRow {
  readonly cell: string;
  readonly group: string;
  readonly d: number;
  /** Hidden layers. */
  readonly L: number;
  /** The largest hidden width. */
  readonly N: number;
  readonly widths: string;
  readonly bias: string;
  readonly weights: string;
  readonly norm: string;
  readonly draw: number;
  /** The network's seed: `lipcheck sample --seed <seed> …` redraws it. */
  readonly seed: string;
  /** The exact constant, or null when only a bracket was certified. */
  readonly lipschitz: number | null;
  readonly lower: number;
  readonly upper: number;
  /** ‖∇f(x₀)‖₂² at the fixed point x₀ = (1/√d)·(1, …, 1) (E = d for the papers' model). */
  readonly pointNormSquared: number;
  /** ‖∇f(x₀)‖ in the cell's dual norm: a single-point lower bound. */
  readonly pointNorm: number;
  readonly seconds: number;
  /** The methods behind the two ends, `lower / upper` (e.g. `pattern search / zonotope`); absent in older rows. */
  readonly method?: string;
}

/** The fixed point of the single-point statistics: x₀ = (1/√d)·(1, …, 1), a unit vector. */
export function fixedPoint(d: number): Float64Array {
  return new Float64Array(d).fill(1 / Math.sqrt(d));
}

/** The network of a cell's draw (seed derived from the study seed, the cell id and the draw). */
export function cellNetwork(studySeed: number, cell: StudyCell, draw: number): { net: Network; seed: string } {
  const seed = childSeed(studySeed, cell.id, draw);
  const net = sampleNetwork({ inputDim: cell.inputDim, widths: cell.widths, bias: parseBiasLaw(cell.bias), weights: cell.weights, seed });
  return { net, seed };
}

/** A network's constant: exact, or a certified bracket, and the methods that gave it. */
async function constantOf(net: Network, cell: StudyCell, seed: string): Promise<{ lipschitz: number | null; lower: number; upper: number; method: string }> {
  if (cell.brackets) {
    // Effort by counts: the row depends on the seed alone.
    const b = await standardBrackets({ ...cell.brackets, seed }).bracket(net, cell.norm);
    return { lipschitz: b.exact ? b.lower : null, lower: b.lower, upper: b.upper, method: `${b.lowerMethod} / ${b.upperMethod}` };
  }
  const query = { norm: cell.norm, box: null };
  const exact = exactLipschitz(net, query, { timeLimit: cell.timeLimit / 2, maxRegions: 2_000_000 });
  if (exact.kind === 'exact') return { lipschitz: exact.lipschitz, lower: exact.lipschitz, upper: exact.lipschitz, method: 'exact / exact' };
  const b = await certifiedBounds(net, query, { timeLimit: cell.timeLimit / 2, seed, maxExactRegions: 1 });
  return { lipschitz: null, lower: b.lower, upper: b.upper, method: 'certified bounds (time-limited)' };
}

/**
 * Computes every draw of a cell: with the cell's bracket effort when it has one, else exact where
 * the solver finishes in time and a certified bracket otherwise.
 */
export async function computeCell(studySeed: number, cell: StudyCell): Promise<StudyRow[]> {
  const rows: StudyRow[] = [];
  for (let draw = 0; draw < cell.draws; draw++) {
    const { net, seed } = cellNetwork(studySeed, cell, draw);
    const t0 = performance.now();
    const { lipschitz, lower, upper, method } = await constantOf(net, cell, seed);
    const g = gradient(net, fixedPoint(cell.inputDim));
    const widths = hiddenWidths(net);
    rows.push({
      cell: cell.id,
      group: cell.group,
      d: cell.inputDim,
      L: widths.length,
      N: Math.max(...widths),
      widths: widths.join('x'),
      bias: cell.bias,
      weights: cell.weights,
      norm: cell.norm,
      draw,
      seed,
      lipschitz,
      lower,
      upper,
      pointNormSquared: vectorNorm(g, '2') ** 2,
      pointNorm: dualNorm(g, cell.norm),
      seconds: (performance.now() - t0) / 1000,
      method,
    });
  }
  return rows;
}
