import { SingularValueDecomposition, Matrix } from 'ml-matrix';
import type { Mat } from './mat.js';
import { symmetricEigenvalues } from './jacobi.js';

/** The three norms lipcheck supports, as spelled on the command line and in the protocol. */
export type Norm = '1' | '2' | 'inf';

export const NORMS: readonly Norm[] = ['2', '1', 'inf'];

/** The Hölder dual: 1 ↔ inf, 2 ↔ 2. */
export function dualOf(p: Norm): Norm {
  return p === '1' ? 'inf' : p === 'inf' ? '1' : '2';
}

/** ‖v‖_p. */
export function vectorNorm(v: ArrayLike<number>, p: Norm): number {
  if (p === 'inf') {
    let m = 0;
    for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
    return m;
  }
  if (p === '1') {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
    return s;
  }
  // Scaled to avoid overflow and underflow for extreme weight scales.
  let scale = 0;
  for (let i = 0; i < v.length; i++) scale = Math.max(scale, Math.abs(v[i]));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const t = v[i] / scale;
    s += t * t;
  }
  return scale * Math.sqrt(s);
}

/** ‖v‖_{p′}, the dual norm: the Lipschitz constant, in ‖·‖_p, of x ↦ v·x. */
export function dualNorm(v: ArrayLike<number>, p: Norm): number {
  return vectorNorm(v, dualOf(p));
}

/**
 * The operator norm ‖M‖_{p→p} (same p on both sides): p = 1 the largest absolute column sum,
 * p = inf the largest absolute row sum, p = 2 the largest singular value. For a 1×d matrix this is the
 * dual norm of its row, so scalar networks need no special case.
 */
export function operatorNorm(m: Mat, p: Norm): number {
  if (m.rows === 0 || m.cols === 0) return 0;
  if (p === 'inf') {
    let best = 0;
    for (let i = 0; i < m.rows; i++) {
      let s = 0;
      for (let j = 0; j < m.cols; j++) s += Math.abs(m.data[i * m.cols + j]);
      best = Math.max(best, s);
    }
    return best;
  }
  if (p === '1') {
    const sums = new Float64Array(m.cols);
    for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) sums[j] += Math.abs(m.data[i * m.cols + j]);
    return sums.reduce((a, v) => Math.max(a, v), 0); // not Math.max(...sums): the spread overflows the stack past ~1e5 columns
  }
  return spectralNorm(m);
}

/**
 * The largest singular value. Vectors use the scaled Euclidean norm; matrices whose smaller side is
 * at most 16 use cyclic Jacobi on the smaller Gram matrix (relative accuracy a few ulps times the
 * size); larger ones use ml-matrix's SVD. Both are backward stable, which is what the relative
 * margin of SPECTRAL_MARGIN in the upper bounds (lipschitz/upper/rounding.ts) relies on.
 */
export function spectralNorm(m: Mat): number {
  if (m.rows === 1 || m.cols === 1) return vectorNorm(m.data, '2');
  const small = Math.min(m.rows, m.cols);
  let scale = 0;
  for (let i = 0; i < m.data.length; i++) scale = Math.max(scale, Math.abs(m.data[i]));
  if (scale === 0) return 0;
  if (small <= 16) {
    const gram = new Float64Array(small * small);
    const byRows = m.rows <= m.cols; // Gram = M Mᵀ (rows×rows) or Mᵀ M (cols×cols)
    for (let a = 0; a < small; a++) {
      for (let b = a; b < small; b++) {
        let s = 0;
        if (byRows) for (let j = 0; j < m.cols; j++) s += (m.data[a * m.cols + j] / scale) * (m.data[b * m.cols + j] / scale);
        else for (let i = 0; i < m.rows; i++) s += (m.data[i * m.cols + a] / scale) * (m.data[i * m.cols + b] / scale);
        gram[a * small + b] = s;
        gram[b * small + a] = s;
      }
    }
    const eig = symmetricEigenvalues(gram, small);
    return scale * Math.sqrt(Math.max(0, Math.max(...eig)));
  }
  const matrix = new Matrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) matrix.set(i, j, m.data[i * m.cols + j] / scale);
  const svd = new SingularValueDecomposition(matrix, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return scale * svd.diagonal[0];
}
