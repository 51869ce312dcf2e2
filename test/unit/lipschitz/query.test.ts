import { describe, expect, it } from 'vitest';
import { boxFromPairs, boxToPairs, parseBox, parseNorm, parseNumberList, scalarize } from '../../../src/lipschitz/query.js';
import { UserError } from '../../../src/errors.js';
import { evaluate } from '../../../src/network/evaluate.js';
import { makeNetwork } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { randomNet } from '../../support/lipschitzUnits.js';

/** The UserError `f` throws (fails the test when it throws nothing or another kind of error). */
function userError(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('parseNorm', () => {
  it('reads 2, 1 and the spellings of ∞, with spaces and capitals, from text or a number', () => {
    expect([parseNorm('2'), parseNorm(' 1 '), parseNorm(2), parseNorm(1)]).toEqual(['2', '1', '2', '1']);
    for (const t of ['inf', 'INF', ' Infinity', 'infinity ', '∞']) expect(parseNorm(t)).toBe('inf');
  });
  it('rejects anything else in one line that names the input and the choices', () => {
    for (const t of ['3', '', 'l2', 'infinite', '0']) {
      expect(userError(() => parseNorm(t)).message).toBe(`unknown norm "${t}" (use 2, 1 or inf)`);
    }
  });
});

describe('boxes', () => {
  it('builds a box from pairs and gives the same pairs back', () => {
    const pairs: [number, number][] = [[-1, 2], [0.5, 0.75], [-3e8, -2e8]];
    const b = boxFromPairs(pairs, 3);
    expect(Array.from(b.lo)).toEqual([-1, 0.5, -3e8]);
    expect(Array.from(b.hi)).toEqual([2, 0.75, -2e8]);
    expect(boxToPairs(b)).toEqual(pairs);
    expect(boxToPairs(null)).toBeNull();
  });
  it('rejects a wrong count, a non-finite bound and an empty or reversed interval, naming which', () => {
    expect(userError(() => boxFromPairs([[0, 1]], 2)).message).toBe('box: has 1 interval(s) but the network has 2 inputs');
    expect(userError(() => boxFromPairs([[0, 1], [0, 1]], 1, '--box')).message).toBe('--box: has 2 interval(s) but the network has 1 inputs');
    expect(userError(() => boxFromPairs([[0, 1], [0, Infinity]], 2)).message).toBe('box: interval 2 has a bound that is not a finite number');
    expect(userError(() => boxFromPairs([[NaN, 1]], 1)).message).toBe('box: interval 1 has a bound that is not a finite number');
    expect(userError(() => boxFromPairs([[0, 1], [1, 1]], 2)).message).toBe('box: interval 2 is [1, 1], but lo must be < hi');
    expect(userError(() => boxFromPairs([[2, 1]], 1)).message).toBe('box: interval 1 is [2, 1], but lo must be < hi');
  });
  it('parses --box as one interval for every input or one per input, with spaces and signs', () => {
    const same = parseBox(' -1.5 : 2 ', 3);
    expect(boxToPairs(same)).toEqual([[-1.5, 2], [-1.5, 2], [-1.5, 2]]);
    expect(boxToPairs(parseBox('-1:0, 1e-3:2e-3', 2))).toEqual([[-1, 0], [1e-3, 2e-3]]);
    expect(boxToPairs(parseBox('-2:-1', 1))).toEqual([[-2, -1]]);
  });
  it('rejects --box parts that are not lo:hi with finite numbers, and passes bad intervals on to the box checks', () => {
    for (const [text, part, i] of [['1', '1', 1], ['0:1,:2', ':2', 2], ['0:', '0:', 1], [' :1', ':1', 1], ['1: ', '1:', 1], ['a:1', 'a:1', 1], ['0:1:2', '0:1:2', 1], ['0:inf', '0:inf', 1], ['x0:1', 'x0:1', 1], ['0:1x', '0:1x', 1], ['0:1\n2', '0:1\n2', 1], ['x\n0:1', 'x\n0:1', 1]] as const) {
      expect(userError(() => parseBox(text, 2)).message, text).toBe(`--box: "${part}" (interval ${i}) is not of the form lo:hi with finite numbers`);
    }
    expect(userError(() => parseBox('0:1,0:1,0:1', 2)).message).toBe('--box: has 3 interval(s) but the network has 2 inputs');
    expect(userError(() => parseBox('1:0', 2)).message).toBe('--box: interval 1 is [1, 0], but lo must be < hi');
  });
});

describe('scalarize', () => {
  it('gives c·f(x) at every point, keeps the hidden layers and records c', () => {
    const s = createStream(3, 'test/unit/query-scalarize');
    const base = randomNet(s, 2, [3], 3);
    const net = makeNetwork(base.inputDim, base.layers, { name: 'n' });
    const c = [0.5, 0, -2];
    const g = scalarize(net, c);
    expect(g.layers.length).toBe(2);
    expect(g.layers[0]).toBe(net.layers[0]);
    expect([g.layers[1].outDim, g.layers[1].inDim]).toEqual([1, 3]);
    expect(g.meta).toEqual({ name: 'n', scalarizedBy: c });
    for (let t = 0; t < 5; t++) {
      const x = [s.gaussian(), s.gaussian()];
      const y = evaluate(net, x);
      const expected = c.reduce((acc, ci, i) => acc + ci * y[i], 0);
      expect(evaluate(g, x)[0]).toBeCloseTo(expected, 12);
    }
    // A network without metadata gets only c.
    expect(scalarize(randomNet(s, 1, [], 2), [1, 1]).meta).toEqual({ scalarizedBy: [1, 1] });
  });
  it('rejects a c of the wrong length or with a non-finite entry', () => {
    const net = randomNet(createStream(4, 'test/unit/query-scalarize-bad'), 2, [2], 2);
    expect(userError(() => scalarize(net, [1])).message).toBe('--c: has 1 entries but the network has 2 outputs');
    expect(userError(() => scalarize(net, [1, NaN])).message).toBe('--c: every entry must be a finite number');
    expect(userError(() => scalarize(net, [Infinity, 1])).message).toBe('--c: every entry must be a finite number');
  });
});

describe('parseNumberList', () => {
  it('reads comma-separated finite numbers with spaces', () => {
    expect(parseNumberList(' 1, -2.5 ,3e2', '--x')).toEqual([1, -2.5, 300]);
    expect(parseNumberList('0,0', '--x', 2)).toEqual([0, 0]);
  });
  it('names the option and the entry that is empty or not a finite number, and a wrong count', () => {
    expect(userError(() => parseNumberList('1,,2', '--x')).message).toBe('--x: entry 2 ("") is not a finite number');
    expect(userError(() => parseNumberList('1, \t,2', '--x')).message).toBe('--x: entry 2 ("") is not a finite number');
    expect(userError(() => parseNumberList('1, abc ', '--c')).message).toBe('--c: entry 2 ("abc") is not a finite number');
    expect(userError(() => parseNumberList('Infinity', '--x')).message).toBe('--x: entry 1 ("Infinity") is not a finite number');
    expect(userError(() => parseNumberList('1,2,3', '--x', 2)).message).toBe('--x: has 3 entries, expected 2');
  });
});
