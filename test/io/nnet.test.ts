import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { looksLikeNnet, parseNnet } from '../../src/io/nnet.js';
import { inputErrorOf } from '../support/inputError.js';
import { evaluate } from '../../src/network/evaluate.js';
import { describeArchitecture } from '../../src/network/network.js';
import { createStream } from '../../src/random/stream.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { cli } from '../support/cli.js';
import { evaluatePoint } from '../../src/cli/commands/eval.js';

const tmp = mkdtempSync(join(tmpdir(), 'lipcheck-nnet-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// lipcheck's own ACAS Xu-shaped fixture and its outputs from an independent numpy evaluator; both
// written by fixtures/nnet/make_fixture.py (see fixtures/nnet/README.md).
const acasText = readFileSync('fixtures/nnet/acas_like.nnet', 'utf8');
const acasExpected = JSON.parse(readFileSync('fixtures/nnet/acas_like.expected.json', 'utf8')) as {
  inputBox: [number, number][];
  cases: { label: string; input: number[]; output: number[] }[];
};

/**
 * The NNet function as its spec and its C++/Julia readers define it, written independently of
 * src/io/nnet.ts: clip, normalise, run the layers, rescale.
 */
function referenceNnet(text: string): (x: number[]) => number[] {
  const rows = text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('//'))
    .map((l) => l.split(',').filter((t) => t.trim() !== '').map(Number));
  const [numLayers] = rows[0];
  const sizes = rows[1];
  const [mins, maxs, means, ranges] = rows.slice(3, 7);
  let r = 7;
  const layers: { w: number[][]; b: number[] }[] = [];
  for (let l = 0; l < numLayers; l++) {
    const w = rows.slice(r, r + sizes[l + 1]);
    r += sizes[l + 1];
    const b = rows.slice(r, r + sizes[l + 1]).map((row) => row[0]);
    r += sizes[l + 1];
    layers.push({ w, b });
  }
  const d = sizes[0];
  return (x) => {
    let h = x.map((v, i) => (Math.min(Math.max(v, mins[i]), maxs[i]) - means[i]) / ranges[i]);
    layers.forEach(({ w, b }, l) => {
      const z = w.map((row, i) => row.reduce((s, v, j) => s + v * h[j], b[i]));
      h = l < layers.length - 1 ? z.map((v) => Math.max(v, 0)) : z;
    });
    return h.map((v) => v * ranges[d] + means[d]);
  };
}

const tiny = `// a tiny network
// second comment line
2,2,1,3,
2,3,1,
0,
-1.0,0.0,
1.0,10.0,
0.5,5.0,2.0,
2.0,10.0,4.0,
1.0,-2.0,
0.5,0.25,
-1.0,1.0,
0.1,
0.2,
-0.3,
1.5,-2.0,0.75,
0.25,
`;

const inBox = (x: number[], box: [number, number][]) => x.every((v, i) => v >= box[i][0] && v <= box[i][1]);

describe('NNet reading', () => {
  it('reads the ACAS Xu-shaped fixture and reproduces the numpy evaluator\'s outputs in the box to 1e-9', () => {
    const net = parseNnet(acasText, 'acas_like.nnet');
    expect(describeArchitecture(net)).toBe('5→50→50→50→50→50→50→5');
    const mins = [0, -3.141593, -3.141593, 100, 0];
    const maxs = [60760, 3.141593, 3.141593, 1200, 1200];
    expect(net.meta!.inputBox).toEqual(mins.map((m, i) => [m, maxs[i]]));
    expect(acasExpected.inputBox).toEqual(net.meta!.inputBox);
    // The three documented points come first: [1, 1, 1, 100, 1], the minimums, the maximums.
    expect(acasExpected.cases.slice(0, 3).map((c) => c.input)).toEqual([[1, 1, 1, 100, 1], mins, maxs]);
    expect(acasExpected.cases.length).toBe(61);
    expect(net.meta!.clipsInputs).toBe(true);
    const ref = referenceNnet(acasText);
    const inside = acasExpected.cases.filter((c) => inBox(c.input, acasExpected.inputBox));
    expect(inside).toHaveLength(13);
    for (const { label, input, output } of inside) {
      const got = evaluate(net, input);
      const mine = ref(input);
      expect(got, label).toHaveLength(5);
      output.forEach((want, i) => {
        expect(Math.abs(got[i] - want), `${label}: lipcheck output ${i}`).toBeLessThanOrEqual(1e-9 * Math.abs(want));
        expect(Math.abs(mine[i] - want), `${label}: reference output ${i}`).toBeLessThanOrEqual(1e-9 * Math.abs(want));
      });
    }
  });
  it.each([
    ['acas_like.nnet', acasText],
    ['tiny', tiny],
  ])('%s: the folded network is the NNet function everywhere in the clipping box', (_name, text) => {
    const net = parseNnet(text, 'x.nnet');
    const ref = referenceNnet(text);
    const box = net.meta!.inputBox as [number, number][];
    const rng = createStream(3, 'nnet');
    for (let t = 0; t < 200; t++) {
      const x = box.map(([lo, hi]) => lo + (hi - lo) * rng.uniform());
      const want = ref(x);
      const got = evaluate(net, x);
      const scale = Math.max(1, ...want.map(Math.abs));
      want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThan(1e-12 * scale));
    }
  });
  it('the test\'s own reference evaluator reproduces the numpy one at all 61 points, 48 of them outside the box', () => {
    const ref = referenceNnet(acasText);
    expect(acasExpected.cases.filter((c) => !inBox(c.input, acasExpected.inputBox))).toHaveLength(48);
    for (const { label, input, output } of acasExpected.cases) {
      const mine = ref(input);
      output.forEach((want, i) => expect(Math.abs(mine[i] - want), `${label}: output ${i}`).toBeLessThanOrEqual(1e-9 * Math.abs(want)));
    }
  });
  it('lipcheck eval is the format\'s function at all 61 points: it clips outside the box, and says so', async () => {
    const file = 'fixtures/nnet/acas_like.nnet';
    const net = parseNnet(acasText, file);
    let clipped = 0;
    for (const [n, { label, input, output }] of acasExpected.cases.entries()) {
      // What eval computes (evaluatePoint) at every point; the command itself at one point in five.
      const got = evaluatePoint(net, input);
      const out = n % 5 === 0 ? JSON.parse((await cli('eval', file, `--x=${input.join(',')}`, '--json')).stdout) : null;
      output.forEach((want, i) => {
        expect(Math.abs(got.output[i] - want), `${label}: output ${i}`).toBeLessThanOrEqual(1e-9 * Math.abs(want));
        if (out) expect(out.output[i], label).toBe(got.output[i]);
      });
      const outside = input.flatMap((v, i) => (v < acasExpected.inputBox[i][0] || v > acasExpected.inputBox[i][1] ? [i] : []));
      expect(got.clip!.clipped, label).toEqual(outside);
      if (out) expect(out.clippedInputs, label).toEqual(outside);
      // The clipped function does not depend on a clipped input: its Jacobian column is 0.
      for (const i of outside) for (let r = 0; r < 5; r++) expect(got.jacobian.data[r * 5 + i], label).toBe(0);
      if (outside.length > 0) clipped++;
    }
    expect(clipped).toBe(48);
    const human = await cli('eval', file, '--x=-100,0,0,650,600');
    expect(human.stdout).toMatch(/^x lies outside the network's input box in input\(s\) 1: the network clips its inputs \(NNet\), so it is evaluated at clip\(x\) = \[0, 0, 0, 650, 600\]/m);
    expect((await cli('eval', file, '--x=100,0,0,650,600')).stdout).not.toMatch(/clip/);
  });
  it('eval\'s gradient outside the box is the clipped function\'s (central differences of the reference); a face is a kink', async () => {
    const net = parseNnet(tiny, 'tiny.nnet');
    const file = join(tmp, 'tiny.nnet');
    writeFileSync(file, tiny);
    const ref = referenceNnet(tiny);
    // Input 1 below its box [-1, 1], input 2 inside [0, 10].
    const x = [-3, 4.2];
    const out = JSON.parse((await cli('eval', file, `--x=${x.join(',')}`, '--json')).stdout);
    const h = 1e-6;
    x.forEach((_, i) => {
      const up = [...x];
      const down = [...x];
      up[i] += h;
      down[i] -= h;
      expect(out.gradient[i]).toBeCloseTo((ref(up)[0] - ref(down)[0]) / (2 * h), 6);
    });
    expect(out.gradient[0]).toBe(0);
    expect(out.value).toBeCloseTo(ref(x)[0], 12);
    expect(out.evaluatedAt).toEqual([-1, 4.2]);
    expect(out.atKink).toBe(false);
    // The region of the clipped function ends at the face x₁ = −1 (distance 2) at the latest.
    expect(out.regionRadius).toBeLessThanOrEqual(2);
    const onFace = JSON.parse((await cli('eval', file, '--x=1,4.2', '--json')).stdout);
    expect(onFace.atKink).toBe(true);
    expect(onFace.clippedInputs).toEqual([]);
    expect(net.meta!.clipsInputs).toBe(true);
  });
  it('keeps the normalisation it folded in meta', () => {
    const net = parseNnet(tiny, 'tiny.nnet');
    expect(net.meta!.importedFrom).toMatchObject({
      format: 'nnet',
      header: 'a tiny network | second comment line',
      inputMeans: [0.5, 5],
      inputRanges: [2, 10],
      outputMean: 2,
      outputRange: 4,
    });
    // W0' = W0·diag(1/range): row 0 of W0 is [1, -2].
    expect(Array.from(net.layers[0].weights.subarray(0, 2))).toEqual([0.5, -0.2]);
    // b0' = b0 − W0·(mean/range) = 0.1 − (1·0.25 − 2·0.5).
    expect(net.layers[0].biases[0]).toBeCloseTo(0.85, 15);
    expect(Array.from(net.layers[1].weights)).toEqual([6, -8, 3]);
    expect(net.layers[1].biases[0]).toBe(3);
  });
  it('detects NNet by its first data line, with or without comments', () => {
    expect(looksLikeNnet(tiny)).toBe(true);
    expect(looksLikeNnet(tiny.replace(/^\/\/.*\n/gm, ''))).toBe(true);
    expect(looksLikeNnet('\n\n  2, 2,1,3\n')).toBe(true);
    expect(looksLikeNnet('// only comments\n')).toBe(false);
    expect(looksLikeNnet('1,2,3\n')).toBe(false);
    expect(looksLikeNnet('a,b,c,d\n')).toBe(false);
  });

  const lines = tiny.split('\n');
  const edit = (line: number, text: string | null): string => {
    const copy = [...lines];
    if (text === null) copy.splice(line - 1, 1);
    else copy[line - 1] = text;
    return copy.join('\n');
  };
  const cases: [string, string, RegExp][] = [
    ['a header with 3 values', edit(3, '2,2,1,'), /^bad\.nnet: NNet: line 3: header \(numLayers,inputSize,outputSize,maxLayerSize\): expected 4 values, got 3$/],
    ['a zero layer count', edit(3, '0,2,1,3,'), /^bad\.nnet: NNet: line 3: header: entry 1 \(0\) is not a positive integer$/],
    ['too few layer sizes', edit(4, '2,3,'), /^bad\.nnet: NNet: line 4: layer sizes: expected 3 values, got 2$/],
    ['layer sizes that contradict the header', edit(4, '3,3,1,'), /line 4: layer sizes: the first size 3 is not the input size 2$/],
    ['a last size that is not the output size', edit(4, '2,3,2,'), /line 4: layer sizes: the last size 2 is not the output size 1$/],
    ['a word among the minimums', edit(6, '-1.0,abc,'), /^bad\.nnet: NNet: line 6: input minimums: entry 2 \("abc"\) is not a finite number$/],
    ['NaN in a weight row', edit(10, 'nan,-2.0,'), /line 10: layer 1 weight row 1: entry 1 \("nan"\) is not a finite number$/],
    ['an overflowing number', edit(10, '1e999,-2.0,'), /line 10: layer 1 weight row 1: entry 1 \(1e999\) is not a finite number$/],
    ['a short weight row', edit(11, '0.5,'), /line 11: layer 1 weight row 2: expected 2 values, got 1$/],
    ['a missing bias', edit(15, null), /line 15: layer 1 bias 3: expected 1 values, got 3$/],
    ['a maximum below the minimum', edit(7, '-2.0,10.0,'), /line 7: input maximums: entry 1 \(-2\) is below the minimum -1$/],
    ['a zero range', edit(9, '2.0,0,4.0,'), /line 9: ranges: entry 2 is 0/],
    ['means of the wrong length', edit(8, '0.5,5.0,'), /line 8: means \(inputs, then output\): expected 3 values, got 2$/],
    ['a truncated file', lines.slice(0, 14).join('\n'), /^bad\.nnet: NNet: line 14: the file ends early: missing layer 1 bias 3$/],
    ['trailing content', tiny + '1,2,\n', /line 18: unexpected content after the last layer$/],
    ['absurd sizes', edit(3, '2,200000,1,3,'), /line 3: input size 200000 exceeds the limit of 100000$/],
  ];
  it.each(cases)('rejects %s with one line', (_label, text, message) => {
    expect(inputErrorOf(() => parseNnet(text, 'bad.nnet'))).toMatch(message);
  });
});
