/**
 * Exact signs of sums of products of doubles, by BigInt arithmetic: every double is m·2^e exactly,
 * so Σ a_i·b_i + c is a dyadic rational with no rounding at all. For test oracles only.
 */

/** A double as m·2^e (m a BigInt, e an integer). */
function decompose(x: number): { m: bigint; e: number } {
  if (x === 0) return { m: 0n, e: 0 };
  if (!Number.isFinite(x)) throw new Error('exactArithmetic: not finite');
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (exponent === 0) return { m: sign * fraction, e: -1074 };
  return { m: sign * (fraction | 0x10000000000000n), e: exponent - 1075 };
}

/** An exact dyadic rational m·2^e. */
export interface Dyadic {
  readonly m: bigint;
  readonly e: number;
}

export function dyadic(x: number): Dyadic {
  return decompose(x);
}

export function mul(a: Dyadic, b: Dyadic): Dyadic {
  return { m: a.m * b.m, e: a.e + b.e };
}

export function add(a: Dyadic, b: Dyadic): Dyadic {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  return { m: (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e };
}

export function sign(a: Dyadic): number {
  return a.m > 0n ? 1 : a.m < 0n ? -1 : 0;
}

/** Σ a_i·b_i + c exactly. */
export function exactDot(a: ArrayLike<number>, b: ArrayLike<number>, c = 0): Dyadic {
  let s = dyadic(c);
  for (let i = 0; i < a.length; i++) s = add(s, mul(dyadic(a[i]), dyadic(b[i])));
  return s;
}

/** The double nearest an exact dyadic (for reporting only; rounding at most twice). */
export function toNumber(a: Dyadic): number {
  return Number(a.m) * 2 ** a.e;
}
