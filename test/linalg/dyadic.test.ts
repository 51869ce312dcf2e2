import { describe, expect, it } from 'vitest';
import { add, fromDouble, mul, neg, ratioToDouble, sign, toDouble, toIntegers } from '../../src/linalg/dyadic.js';
import { createStream } from '../../src/random/stream.js';

describe('dyadic numbers', () => {
  it('hold every double exactly, subnormals and extremes included', () => {
    const s = createStream(5, 'dyadic');
    const values = [0, 1, -1, 0.1, Number.MIN_VALUE, -Number.MIN_VALUE, 2.2250738585072014e-308, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300, 3e300];
    for (let i = 0; i < 200; i++) values.push(s.gaussian() * 10 ** Math.round(60 * s.uniform() - 30));
    for (const x of values) expect(toDouble(fromDouble(x))).toBe(x);
    expect(() => fromDouble(Infinity)).toThrow(/not finite/);
  });
  it('add and multiply without rounding: 0.1·3 − 0.3 is 2⁻⁵⁵ exactly, where doubles say 2⁻⁵⁴', () => {
    const r = add(mul(fromDouble(0.1), fromDouble(3)), neg(fromDouble(0.3)));
    // 0.1 = 3602879701896397·2⁻⁵⁵ and 0.3 = 5404319552844595·2⁻⁵⁴: 3·3602879701896397 − 2·5404319552844595 = 1.
    expect(toDouble(r)).toBe(2 ** -55);
    expect(0.1 * 3 - 0.3).toBe(2 ** -54);
    expect(sign(r)).toBe(1);
    expect(sign(add(fromDouble(0.5), neg(fromDouble(0.5))))).toBe(0);
    const big = add(fromDouble(1e300), fromDouble(1e-300));
    expect(sign(add(big, neg(fromDouble(1e300))))).toBe(1); // the 1e-300 is still there
  });
  it('scale a row of dyadics to integers with one exponent', () => {
    const values = [0.75, -3, 0, 2 ** -60];
    const { ints, exponent } = toIntegers(values.map(fromDouble));
    expect(exponent).toBe(fromDouble(2 ** -60).e);
    ints.forEach((k, i) => expect(toDouble({ m: k, e: exponent })).toBe(values[i]));
    expect(toIntegers([fromDouble(0)])).toEqual({ ints: [0n], exponent: 0 });
  });
  it('round quotients correctly: a/b for integers below 2^53 equals IEEE division (itself correctly rounded)', () => {
    const s = createStream(6, 'ratio');
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(s.uniform() * 2 ** (1 + Math.floor(52 * s.uniform()))) * (s.uniform() < 0.5 ? -1 : 1);
      const b = 1 + Math.floor(s.uniform() * 2 ** (1 + Math.floor(52 * s.uniform())));
      expect(ratioToDouble(BigInt(a), BigInt(b))).toBe(a / b + 0); // + 0: no negative zero
      expect(ratioToDouble(BigInt(a), BigInt(-b), -3)).toBe(-a / b / 8 + 0);
    }
    // Ties go to even: 2^53 + 1 is halfway between two doubles.
    expect(ratioToDouble(2n ** 53n + 1n, 1n)).toBe(2 ** 53);
    expect(ratioToDouble(2n ** 53n + 3n, 1n)).toBe(2 ** 53 + 4);
    // Just above the tie (a sticky bit far below) rounds up.
    expect(ratioToDouble((2n ** 53n + 1n) * 2n ** 200n + 1n, 2n ** 200n)).toBe(2 ** 53 + 2);
    expect(ratioToDouble(1n, 3n, -1074 + 60)).toBe(2 ** -1014 / 3);
    expect(ratioToDouble(0n, 7n)).toBe(0);
  });
});
