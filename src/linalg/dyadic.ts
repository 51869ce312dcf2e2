/**
 * Exact arithmetic on the numbers a network is made of. Every finite double is a dyadic rational
 * m·2^e (m an integer), and sums and products of dyadics are dyadic, so a sum of products of doubles
 * can be formed with no rounding at all (BigInt mantissas). Used where floating point cannot decide:
 * whether a neuron's row on a piece is exactly zero (domain.ts) and the exact LP fallback
 * (exactSimplex.ts). Conversions back to doubles are correctly rounded (to nearest, ties to even).
 */

import { ldexp } from './verifiedDefinite.js';

/** An exact dyadic rational m·2^e. */
export interface Dyadic {
  readonly m: bigint;
  readonly e: number;
}

export const DYADIC_ZERO: Dyadic = { m: 0n, e: 0 };

const view = new DataView(new ArrayBuffer(8));

/** The double x as m·2^e, exactly (x must be finite). */
export function fromDouble(x: number): Dyadic {
  if (x === 0) return DYADIC_ZERO;
  if (!Number.isFinite(x)) throw new RangeError(`dyadic: ${x} is not finite`);
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const m = exponent === 0 ? fraction : fraction | 0x10000000000000n;
  return { m: negative ? -m : m, e: exponent === 0 ? -1074 : exponent - 1075 };
}

export function add(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  if (a.e === b.e) return { m: a.m + b.m, e: a.e };
  return a.e < b.e ? { m: a.m + (b.m << BigInt(b.e - a.e)), e: a.e } : { m: (a.m << BigInt(a.e - b.e)) + b.m, e: b.e };
}

export function mul(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n || b.m === 0n) return DYADIC_ZERO;
  return { m: a.m * b.m, e: a.e + b.e };
}

export function neg(a: Dyadic): Dyadic {
  return { m: -a.m, e: a.e };
}

export function sign(a: Dyadic): -1 | 0 | 1 {
  return a.m > 0n ? 1 : a.m < 0n ? -1 : 0;
}

/**
 * Integers k_i and one exponent s with values_i = k_i·2^s exactly (s the smallest exponent of a
 * non-zero value; 0 if all are zero): a common scaling of a row of dyadics to integers.
 */
export function toIntegers(values: readonly Dyadic[]): { ints: bigint[]; exponent: number } {
  let s = Infinity;
  for (const v of values) if (v.m !== 0n && v.e < s) s = v.e;
  if (s === Infinity) return { ints: values.map(() => 0n), exponent: 0 };
  return { ints: values.map((v) => (v.m === 0n ? 0n : v.m << BigInt(v.e - s))), exponent: s };
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/**
 * The double nearest to num/den · 2^exponent (den ≠ 0), correctly rounded: the quotient is formed
 * with 64 significant bits and a sticky bit, so Number() rounds it once, then the power of two is
 * applied exactly (results in the subnormal range may round twice; they are below 1e-307).
 */
export function ratioToDouble(num: bigint, den: bigint, exponent = 0): number {
  if (num === 0n) return 0;
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const negative = num < 0n;
  const a = negative ? -num : num;
  // Shift so that the quotient has at least 64 bits.
  const shift = Math.max(0, 64 - (bitLength(a) - bitLength(den)));
  const scaled = a << BigInt(shift);
  let q = scaled / den;
  if (q * den !== scaled) q |= 1n; // sticky bit: the quotient is not exact
  // q has ≥ 64 bits and its last bit is sticky, so rounding q to 53 bits is rounding a/den.
  const bits = bitLength(q);
  const drop = Math.max(0, bits - 64);
  let top = q >> BigInt(drop);
  if (drop > 0 && (q & ((1n << BigInt(drop)) - 1n)) !== 0n) top |= 1n;
  const value = ldexp(Number(top), drop - shift + exponent);
  return negative ? -value : value;
}

/** The double nearest to a dyadic. */
export function toDouble(a: Dyadic): number {
  return ratioToDouble(a.m, 1n, a.e);
}
