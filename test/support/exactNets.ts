import { Budget } from '../../src/lipschitz/budget.js';
import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import { activationPattern, jacobianOfPattern, regionRadius, type Pattern } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';

/**
 * Tiny networks and a grid-sampling oracle for the unit tests of src/lipschitz/exact. The oracle
 * shares nothing with the exact solvers: it evaluates the network on a grid of points and keeps the
 * activation patterns of the points that lie strictly inside a region (regionRadius > 0).
 */

/** A network from nested arrays: `[weights, biases]` per layer, input dimension taken from the first. */
export function tinyNet(...layers: [number[][], number[]][]): Network {
  return makeNetwork(
    layers[0][0][0].length,
    layers.map(([w, b]) => denseLayer(w, b)),
  );
}

/** A shallow scalar network Σ v_i ρ(w_i·x + b_i). */
export function shallow(rows: number[][], biases: number[], outer: number[]): Network {
  return tinyNet([rows, biases], [[outer], [0]]);
}

/** A pattern as a string, e.g. "101|01". */
export function patternString(pattern: Pattern): string {
  return pattern.map((l) => Array.from(l).join('')).join('|');
}

/**
 * The activation patterns met on a regular grid of `steps`+1 points per side of the box [lo, hi]ᵈ
 * (only points strictly inside a region), each with one such point.
 */
export function sampledPatterns(net: Network, lo: number, hi: number, steps: number): Map<string, { pattern: Pattern; x: Float64Array }> {
  const d = net.inputDim;
  const found = new Map<string, { pattern: Pattern; x: Float64Array }>();
  const index = new Array<number>(d).fill(0);
  for (;;) {
    const x = Float64Array.from(index, (i) => lo + ((hi - lo) * i) / steps);
    if (regionRadius(net, x) > 0) {
      const pattern = activationPattern(net, x);
      const key = patternString(pattern);
      if (!found.has(key)) found.set(key, { pattern, x });
    }
    let k = 0;
    while (k < d && index[k] === steps) index[k++] = 0;
    if (k === d) break;
    index[k]++;
  }
  return found;
}

/** The largest ‖J‖_{p→p} over the sampled patterns (a lower bound; exact when the grid meets every region). */
export function sampledLipschitz(net: Network, norm: Norm, lo: number, hi: number, steps: number): number {
  let best = 0;
  for (const { pattern } of sampledPatterns(net, lo, hi, steps).values()) best = Math.max(best, operatorNorm(jacobianOfPattern(net, pattern), norm));
  return best;
}

/**
 * A budget whose clock runs out at its `cut`-th check (calls to exceeded() counted from 0), so a
 * test can stop a search at every point it checks the time, deterministically. `checks` counts them.
 */
export class CutBudget extends Budget {
  checks = 0;
  constructor(
    private readonly cut: number,
    maxCount = Infinity,
  ) {
    super(Infinity, maxCount);
  }
  override exceeded(count = 0): 'time' | 'count' | null {
    if (count > this.maxCount) return 'count';
    return this.checks++ >= this.cut ? 'time' : null;
  }
}
