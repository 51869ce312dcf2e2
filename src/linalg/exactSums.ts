/**
 * Error-free transformations and a compensated dot product (Ogita, Rump and Oishi, "Accurate sum
 * and dot product", SIAM J. Sci. Comput. 26, 2005): `dot2` returns Σ x_i y_i as if computed in
 * twice the working precision, with |dot2 − exact| ≤ u·|exact| + γ_n²·Σ|x_i y_i| (u = 2⁻⁵³, barring
 * overflow and underflow). lipcheck uses it where huge terms cancel: b + W·centre on a box far from
 * the origin.
 */

/** a + b = s + e exactly (Knuth's TwoSum). */
export function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bb = s - a;
  return [s, a - (s - bb) + (b - bb)];
}

const SPLITTER = 134217729; // 2^27 + 1

/** a·b = p + e exactly (Dekker's TwoProduct with Veltkamp's split; |a|, |b| < 2^996). */
export function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return [p, al * bl - (p - ah * bh - al * bh - ah * bl)];
}

/** γ_n = n·u/(1 − n·u). */
function gamma(n: number): number {
  const u = 2 ** -53;
  return (n * u) / (1 - n * u);
}

/**
 * Σ x_i y_i by Dot2, with a bound on its error: |value − exact| ≤ error (the bound above, doubled
 * to cover its own rounding, plus n smallest subnormals for underflow).
 */
export function dot2(x: ArrayLike<number>, y: ArrayLike<number>): { value: number; error: number } {
  let p = 0;
  let s = 0;
  let magnitude = 0;
  for (let i = 0; i < x.length; i++) {
    const [h, r] = twoProduct(x[i], y[i]);
    const [sum, q] = twoSum(p, h);
    p = sum;
    s += q + r;
    magnitude += Math.abs(h);
  }
  const value = p + s;
  const n = x.length;
  const g = gamma(n);
  return { value, error: 2 * (2 ** -53 * Math.abs(value) + g * g * magnitude * (1 + gamma(n + 1))) + n * Number.MIN_VALUE };
}
