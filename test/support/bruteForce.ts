import { getHighs } from '../../src/linalg/highs.js';
import { jacobianOfPattern, pieceMaps, type Pattern } from '../../src/network/evaluate.js';
import { hiddenWidths, type Network } from '../../src/network/network.js';
import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import type { Box } from '../../src/lipschitz/query.js';

const highs = await getHighs();

/**
 * Brute force, as independent of lipcheck's solver as a test can be: every 0/1 pattern of the
 * hidden neurons, HiGHS (not lipcheck's simplex) decides whether its region has an interior point
 * (a Chebyshev LP with radius > 1e-7), and the constant is the largest ‖J_P‖ over those patterns.
 * Globally the region is tested in homogeneous coordinates (x, t), t > 0 — a·x + c·t has the sign of
 * a·(x/t) + c — inside the cube |x_i| ≤ 1, t ≤ 1, so regions arbitrarily far out count too.
 * Exponential: for ≤ 14 hidden neurons.
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
  // Variables (x, [s,] τ): maximise τ subject to every row at distance ≥ τ and the cube faces at
  // distance ≥ τ. Globally s is the homogeneous coordinate (rows a·x + c·s), kept in [τ, 1].
  const homogeneous = box === null;
  const n = homogeneous ? d + 1 : d;
  const lo = box ? Array.from(box.lo) : Array(d).fill(-1);
  const hi = box ? Array.from(box.hi) : Array(d).fill(1);
  const numCols = n + 1;
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
  for (const r of rows) {
    if (homogeneous) {
      const len = Math.hypot(...r.a, r.c);
      add([...r.a.map((v) => v / len), r.c / len, -1], 0); // (a·x + c·s)/|(a, c)| − τ ≥ 0
    } else add([...r.a, -1], -r.c); // a·x + c − τ ≥ 0 (unit a)
  }
  for (let k = 0; k < n; k++) {
    const lower = k < d ? lo[k] : 0;
    const upper = k < d ? hi[k] : 1;
    const e = Array(numCols).fill(0);
    e[k] = 1;
    e[n] = -1;
    add(e, lower); // x_k − τ ≥ lo
    const f = Array(numCols).fill(0);
    f[k] = -1;
    f[n] = -1;
    add(f, -upper); // −x_k − τ ≥ −hi
  }
  const model = highs.createModel({
    numCols,
    numRows: rowLower.length,
    sense: highs.constants.objectiveSense.maximize,
    colCost: [...Array(n).fill(0), 1],
    colLower: Array(numCols).fill(-highs.infinity),
    colUpper: [...Array(n).fill(highs.infinity), 1],
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
