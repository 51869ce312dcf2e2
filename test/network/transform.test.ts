import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/network/evaluate.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';
import {
  addDeadNeuron,
  permuteNeurons,
  randomOrthogonal,
  rescaleNeuron,
  rotateInput,
  scaleInput,
  signedPermuteInput,
  outputTransformations,
  splitNeuron,
  standardTransformations,
  translateInput,
} from '../../src/network/transform.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { boxFromPairs } from '../../src/lipschitz/query.js';

const net = sampleNetwork({ inputDim: 3, widths: [6, 5], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 4, outputs: 2 });
const points = Array.from({ length: 20 }, (_, i) => {
  const s = createStream(i, 'pts');
  return Array.from({ length: 3 }, () => 2 * s.gaussian());
});
const close = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 10));

describe('transformations compute what they claim', () => {
  it('same-function transformations leave f unchanged', () => {
    for (const t of [rescaleNeuron(net, 0, 2, 3.5), permuteNeurons(net, 1, [4, 3, 2, 1, 0]), addDeadNeuron(net, 1, [7, -2]), splitNeuron(net, 0, 1)]) {
      for (const x of points) close(evaluate(t.net, x), evaluate(net, x));
    }
  });
  it('input maps: translation, scaling, rotation, signed permutation', () => {
    const shift = [0.5, -1, 2];
    const tr = translateInput(net, shift);
    const sc = scaleInput(net, -2.5);
    const Q = randomOrthogonal(3, createStream(1, 'q'));
    const rot = rotateInput(net, Q);
    const sp = signedPermuteInput(net, [2, 0, 1], [1, -1, -1]);
    for (const x of points) {
      close(evaluate(tr.net, x), evaluate(net, x.map((v, j) => v + shift[j])));
      close(evaluate(sc.net, x), evaluate(net, x.map((v) => -2.5 * v)));
      const qx = [0, 1, 2].map((i) => x.reduce((s, v, j) => s + Q[i * 3 + j] * v, 0));
      close(evaluate(rot.net, x), evaluate(net, qx));
      close(evaluate(sp.net, x), evaluate(net, [1 * x[2], -1 * x[0], -1 * x[1]]));
    }
  });
  it('the output transformations are the first two standard ones, drawn alike (conformance --cases uses only them)', () => {
    const cheap = outputTransformations(net, createStream(9, 'same'));
    const all = standardTransformations(net, createStream(9, 'same'));
    expect(cheap.map((t) => [t.name, t.factor])).toEqual(all.slice(0, 2).map((t) => [t.name, t.factor]));
    expect(cheap.map((t) => Array.from(t.net.layers[2].biases))).toEqual(all.slice(0, 2).map((t) => Array.from(t.net.layers[2].biases)));
  });
  it('random orthogonal matrices are orthogonal', () => {
    const Q = randomOrthogonal(5, createStream(2, 'q'));
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) {
      let s = 0;
      for (let r = 0; r < 5; r++) s += Q[r * 5 + a] * Q[r * 5 + b];
      expect(s).toBeCloseTo(a === b ? 1 : 0, 12);
    }
  });
  it('every standard transformation changes the exact constant by its factor (global and mapped boxes)', () => {
    const small = sampleNetwork({ inputDim: 2, widths: [5, 4], bias: parseBiasLaw('laplace:1'), weights: 'he-fanout', seed: 9, outputs: 2 });
    const box = boxFromPairs([[-0.5, 1], [-1, 0.3]], 2);
    for (const t of standardTransformations(small, createStream(3, 'tf'))) {
      for (const p of t.norms) {
        const before = exactLipschitz(small, { norm: p, box: null });
        const after = exactLipschitz(t.net, { norm: p, box: null });
        if (before.kind !== 'exact' || after.kind !== 'exact') throw new Error('too large');
        expect(after.lipschitz).toBeCloseTo(t.factor * before.lipschitz, 9);
        if (t.mapBox) {
          const b1 = exactLipschitz(small, { norm: p, box });
          const b2 = exactLipschitz(t.net, { norm: p, box: t.mapBox(box) });
          if (b1.kind !== 'exact' || b2.kind !== 'exact') throw new Error('too large');
          expect(b2.lipschitz).toBeCloseTo(t.factor * b1.lipschitz, 9);
        }
      }
    }
  });
});
