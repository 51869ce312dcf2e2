import { describe, expect, it } from 'vitest';
import { parseReluMlp, stringifyReluMlp, toReluMlp, FORMAT_LIMITS } from '../../src/network/format.js';
import { inputErrorOf } from '../support/inputError.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';

const valid = {
  format: 'relu-mlp',
  version: 1,
  inputDim: 2,
  layers: [
    { weights: [[1, 2], [3, 4], [5, 6]], biases: [0.1, 0.2, 0.3] },
    { weights: [[1, -1, 0.5]], biases: [0] },
  ],
};

function withLayers(layers: unknown): string {
  return JSON.stringify({ ...valid, layers });
}

describe('relu-mlp v1 reading', () => {
  it('reads a valid document and keeps meta', () => {
    const net = parseReluMlp(JSON.stringify({ ...valid, meta: { seed: 3, note: 'x' } }), 'net.json');
    expect(net.inputDim).toBe(2);
    expect(net.layers.map((l) => [l.outDim, l.inDim])).toEqual([[3, 2], [1, 3]]);
    expect(Array.from(net.layers[0].weights)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(net.meta).toEqual({ seed: 3, note: 'x' });
  });
  it('accepts several outputs (vector-valued networks)', () => {
    const net = parseReluMlp(withLayers([valid.layers[0], { weights: [[1, 0, 0], [0, 1, 0]], biases: [0, 1] }]), 'v.json');
    expect(net.layers[1].outDim).toBe(2);
  });
  it('round-trips bit for bit', () => {
    const net = sampleNetwork({ inputDim: 3, widths: [5, 4], bias: parseBiasLaw('student-t:1'), weights: 'he-fanout', seed: 9, outputs: 2 });
    const text = stringifyReluMlp(net);
    const again = parseReluMlp(text, 'x');
    expect(stringifyReluMlp(again)).toBe(text);
    again.layers.forEach((l, i) => expect(l.weights).toEqual(net.layers[i].weights));
    expect(toReluMlp(again).meta).toEqual(toReluMlp(net).meta);
  });

  // Every rejected input, with the one line it must produce.
  const cases: [string, string, RegExp][] = [
    ['truncated JSON', '{"format": ', /^bad\.json: not valid JSON: unexpected end of JSON input$/],
    ['not JSON', '{"format":\n x}', /^bad\.json: not valid JSON: unexpected token/],
    ['not an object', '[1, 2]', /^bad\.json: \$: expected a relu-mlp object, got an array$/],
    ['wrong format', JSON.stringify({ ...valid, format: 'onnx' }), /^bad\.json: format: expected "relu-mlp", got the string "onnx"$/],
    ['wrong version', JSON.stringify({ ...valid, version: 2 }), /^bad\.json: version: expected 1, got 2$/],
    ['inputDim < 1', JSON.stringify({ ...valid, inputDim: 0 }), /^bad\.json: inputDim: must be at least 1, got 0$/],
    ['inputDim not an integer', JSON.stringify({ ...valid, inputDim: 1.5 }), /^bad\.json: inputDim: expected an integer, got 1\.5$/],
    ['absurd inputDim', JSON.stringify({ ...valid, inputDim: 1e9 }), /^bad\.json: inputDim: 1000000000 exceeds the limit of 100000$/],
    ['no layers', withLayers([]), /^bad\.json: layers: is empty/],
    ['layers not an array', withLayers({}), /^bad\.json: layers: expected an array, got an object$/],
    ['layer not an object', withLayers([3]), /^bad\.json: layers\[0\]: expected an object/],
    ['missing weights', withLayers([{ biases: [1] }]), /^bad\.json: layers\[0\]\.weights: missing$/],
    ['missing biases', withLayers([{ weights: [[1, 2]] }]), /^bad\.json: layers\[0\]\.biases: missing$/],
    ['a string weight', withLayers([{ weights: [[1, '2']], biases: [0] }]), /^bad\.json: layers\[0\]\.weights\[0\]\[1\]: expected a finite number, got the string "2"$/],
    ['a null weight', withLayers([{ weights: [[1, null]], biases: [0] }]), /^bad\.json: layers\[0\]\.weights\[0\]\[1\]: expected a finite number, got null$/],
    ['bare NaN', '{"format":"relu-mlp","version":1,"inputDim":2,"layers":[{"weights":[[1, NaN]],"biases":[0]}]}', /^bad\.json: layers\[0\]\.weights\[0\]\[1\]: NaN is not a finite number$/],
    ['bare -Infinity', '{"format":"relu-mlp","version":1,"inputDim":2,"layers":[{"weights":[[1, 2]],"biases":[-Infinity]}]}', /^bad\.json: layers\[0\]\.biases\[0\]: -Infinity is not a finite number$/],
    ['NaN as a string', withLayers([{ weights: [[1, 'NaN']], biases: [0] }]), /^bad\.json: layers\[0\]\.weights\[0\]\[1\]: "NaN" is not a finite number$/],
    ['Infinity as a string', withLayers([{ weights: [[1, 2]], biases: ['-inf'] }]), /^bad\.json: layers\[0\]\.biases\[0\]: "-inf" is not a finite number$/],
    ['ragged rows', withLayers([{ weights: [[1, 2], [3]], biases: [0, 0] }, { weights: [[1, 1]], biases: [0] }]), /^bad\.json: layers\[0\]\.weights\[1\]: has 1 entries, row 0 has 2 \(ragged rows\)$/],
    ['shapes that do not chain', withLayers([valid.layers[0], { weights: [[1, 2]], biases: [0] }]), /^bad\.json: layers\[1\]\.weights\[0\]: has 2 entries but the layer's input has 3 \(the shapes do not chain\)$/],
    ['bias count', withLayers([{ weights: [[1, 2], [3, 4]], biases: [0] }]), /^bad\.json: layers\[0\]\.biases: has 1 entries for 2 weight rows$/],
    ['an empty layer', withLayers([{ weights: [], biases: [] }]), /^bad\.json: layers\[0\]\.weights: has no rows/],
    ['meta not an object', JSON.stringify({ ...valid, meta: 3 }), /^bad\.json: meta: expected an object, got 3$/],
  ];
  it.each(cases)('rejects %s with one line naming the path', (_label, text, message) => {
    expect(inputErrorOf(() => parseReluMlp(text, 'bad.json'))).toMatch(message);
  });
  it('refuses absurd sizes before allocating them', () => {
    const wide = { weights: Array.from({ length: 2 }, () => [1]), biases: [0, 0] };
    const text = JSON.stringify({ format: 'relu-mlp', version: 1, inputDim: 1, layers: Array(FORMAT_LIMITS.maxLayers + 1).fill(wide) });
    expect(() => parseReluMlp(text, 'big.json')).toThrow(/layers: 1001 layers exceed the limit of 1000/);
  });
});
