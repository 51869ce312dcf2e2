import { add, dyadic, mul, type Dyadic } from '../support/exactArithmetic.js';

/**
 * The exact answer for test oracles: is a symmetric matrix of dyadic rationals (doubles, sums and
 * products of doubles) positive definite? Sylvester's criterion, with the leading principal
 * minors from fraction-free (Bareiss) elimination on the matrix scaled to integers — BigInt
 * arithmetic, no rounding anywhere.
 */
export function exactlyPositiveDefinite(a: readonly Dyadic[], n: number): boolean {
  let e = Infinity;
  for (const x of a) if (x.m !== 0n) e = Math.min(e, x.e);
  if (e === Infinity) return false;
  const m: bigint[][] = [];
  for (let i = 0; i < n; i++) {
    m.push([]);
    for (let j = 0; j < n; j++) {
      const x = a[i * n + j];
      m[i].push(x.m === 0n ? 0n : x.m << BigInt(x.e - e));
    }
  }
  let previous = 1n;
  for (let k = 0; k < n; k++) {
    if (m[k][k] <= 0n) return false; // the (k+1)-th leading minor, times a positive factor
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) m[i][j] = (m[k][k] * m[i][j] - m[i][k] * m[k][j]) / previous;
    }
    previous = m[k][k];
  }
  return true;
}

/** The matrix of doubles as exact dyadics. */
export function exactMatrix(a: ArrayLike<number>): Dyadic[] {
  return Array.from(a, (x) => dyadic(x));
}

/** X − c·I exactly (c a double). */
export function shifted(a: readonly Dyadic[], n: number, c: number): Dyadic[] {
  const out = a.slice();
  const minus = dyadic(-c);
  for (let i = 0; i < n; i++) out[i * n + i] = add(out[i * n + i], minus);
  return out;
}

export { add, dyadic, mul };
