import { getHighs } from '../../src/linalg/highs.js';
import { jacobianOfPattern, pieceMaps, type Pattern } from '../../src/network/evaluate.js';
import { hiddenWidths, type Network } from '../../src/network/network.js';
import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import type { Box } from '../../src/lipschitz/query.js';

const highs = await getHighs();

/**
 * Brute force, as independent of lipcheck's solver as a test can be: every 0/1 pattern of the
 * hidden neurons, HiGHS (not lipcheck's simplex) decides whether its region has an interior point
 * (a Chebyshev LP: radius > 1e-7, inside |x_i| ≤ 1e4 for the global case), and the constant is the
 * largest ‖J_P‖ over those patterns. Exponential: for ≤ 12 hidden neurons.
 */
export function bruteForceLipschitz(net: Network, norm: Norm, box: Box | null): { lipschitz: number; regions: number } {
  const widths = hiddenWidths(net);
  const total = widths.reduce((a, b) => a + b, 0);
  if (total > 14) throw new Error('bruteForceLipschitz: too many neurons');
  const d = net.inputDim;
  let best = 0;
  let regions = 0;
  for (let mask = 0; mask < 1 << total; mask++) {
    let bit = 0;
    const pattern: Pattern = widths.map((w) => Uint8Array.from({ length: w }, () => (mask >> bit++) & 1));
    if (!hasInterior(net, pattern, box, d)) continue;
    regions++;
    best = Math.max(best, operatorNorm(jacobianOfPattern(net, pattern), norm));
  }
  return { lipschitz: best, regions };
}

function hasInterior(net: Network, pattern: Pattern, box: Box | null, d: number): boolean {
  const { A, c } = pieceMaps(net, pattern);
  const rows: { a: number[]; c: number }[] = [];
  for (let l = 0; l < A.length; l++) {
    for (let i = 0; i < c[l].length; i++) {
      const a = Array.from(A[l].subarray(i * d, (i + 1) * d));
      const len = Math.hypot(...a);
      const s = pattern[l][i] ? 1 : -1;
      if (len === 0) {
        if ((c[l][i] > 0) !== (pattern[l][i] === 1)) return false; // a constant neuron contradicts the pattern
        continue;
      }
      rows.push({ a: a.map((v) => (s * v) / len), c: (s * c[l][i]) / len });
    }
  }
  // maximise t: a·x + c ≥ t, box faces at distance ≥ t, t ≤ 1.
  const lo = box ? Array.from(box.lo) : Array(d).fill(-1e4);
  const hi = box ? Array.from(box.hi) : Array(d).fill(1e4);
  const numCols = d + 1;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  const add = (coeffs: number[], lower: number) => {
    coeffs.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    });
    starts.push(indices.length);
    rowLower.push(lower);
    rowUpper.push(highs.infinity);
  };
  for (const r of rows) add([...r.a, -1], -r.c);
  for (let k = 0; k < d; k++) {
    const e = Array(numCols).fill(0);
    e[k] = 1;
    e[d] = -1;
    add(e, lo[k]); // x_k − t ≥ lo
    const f = Array(numCols).fill(0);
    f[k] = -1;
    f[d] = -1;
    add(f, -hi[k]); // −x_k − t ≥ −hi
  }
  const model = highs.createModel({
    numCols,
    numRows: rowLower.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost: [...Array(d).fill(0), 1],
    colLower: Array(numCols).fill(-highs.infinity),
    colUpper: [...Array(d).fill(highs.infinity), 1],
    rowLower,
    rowUpper,
    matrix: { format: 'csr', numRows: rowLower.length, numCols, starts: new Int32Array(starts), indices: new Int32Array(indices), values: new Float64Array(values) },
  });
  try {
    model.options.set({ output_flag: false });
    model.run();
    return model.getModelStatus() === highs.constants.modelStatus.optimal && model.getObjectiveValue() > 1e-7;
  } finally {
    model.dispose();
  }
}
