import { symmetricEigen } from './jacobi.js';

/**
 * The largest eigenvalue of a symmetric n×n matrix given by its product v ↦ Av, by the Lanczos
 * method with full reorthogonalisation, and a unit vector for it. Matrices of size ≤ `steps` are
 * reduced completely (the Ritz values are then the eigenvalues up to rounding). The Ritz value never
 * exceeds λ_max in exact arithmetic, so this is an estimate from below: callers that need a bound
 * verify it (see lipschitz/upper/sdp/certificate.ts). Deterministic: the start vector is fixed.
 */
export function largestEigenpair(apply: (v: Float64Array, out: Float64Array) => void, n: number, steps = 80, tolerance = 1e-13): { value: number; vector: Float64Array } {
  if (n === 0) return { value: -Infinity, vector: new Float64Array(0) };
  const k = Math.min(n, steps);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let v: Float64Array = new Float64Array(n);
  // A start vector with every component non-zero and no special direction.
  for (let i = 0; i < n; i++) v[i] = 1 + ((i * 7919) % 101) / 101;
  normalise(v);
  const w = new Float64Array(n);
  let best: { value: number; vector: Float64Array; lastComponent: number } = { value: -Infinity, vector: v.slice(), lastComponent: 1 };
  for (let j = 0; j < k; j++) {
    basis.push(v);
    apply(v, w);
    const a = dotProduct(w, v);
    alpha.push(a);
    // Full reorthogonalisation (twice is enough), which also removes the α and β components.
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dotProduct(w, b);
        for (let i = 0; i < n; i++) w[i] -= c * b[i];
      }
    }
    const b = Math.sqrt(dotProduct(w, w));
    const done = j === k - 1 || !(b > tolerance * Math.max(1, Math.abs(a)));
    if (done || j % 10 === 9) {
      best = ritz(basis, alpha, beta, n);
      if (done) break;
      // Stop early once the residual of the top Ritz pair is negligible.
      const residual = b * Math.abs(best.lastComponent);
      if (residual <= tolerance * Math.max(1, Math.abs(best.value))) break;
    }
    beta.push(b);
    v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = w[i] / b;
  }
  return { value: best.value, vector: best.vector };
}

/** The top Ritz pair of the tridiagonal (alpha, beta) over the basis. */
function ritz(basis: Float64Array[], alpha: number[], beta: number[], n: number): { value: number; vector: Float64Array; lastComponent: number } {
  const m = alpha.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t, m);
  let top = 0;
  for (let i = 1; i < m; i++) if (values[i] > values[top]) top = i;
  const vector = new Float64Array(n);
  for (let j = 0; j < m; j++) {
    const s = vectors[j * m + top];
    const b = basis[j];
    for (let i = 0; i < n; i++) vector[i] += s * b[i];
  }
  normalise(vector);
  return { value: values[top], vector, lastComponent: vectors[(m - 1) * m + top] };
}

function dotProduct(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function normalise(v: Float64Array): void {
  const s = Math.sqrt(dotProduct(v, v));
  if (s > 0) for (let i = 0; i < v.length; i++) v[i] /= s;
}

/** λ_max of a dense symmetric row-major matrix (see `largestEigenpair`). */
export function largestEigenvalueOf(a: Float64Array, n: number, steps = 80): number {
  return largestEigenpair(
    (v, out) => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        const row = i * n;
        for (let j = 0; j < n; j++) s += a[row + j] * v[j];
        out[i] = s;
      }
    },
    n,
    steps,
  ).value;
}
