import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseNetwork, readNetworkFile } from '../../src/io/readNetwork.js';
import { inputErrorOf } from '../support/inputError.js';
import { describeArchitecture } from '../../src/network/network.js';
import { cli, spawnCli } from '../support/cli.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('format detection by content', () => {
  it.each([
    ['relu-mlp JSON', bytes('  \n{"format": "relu-mlp"}'), 'relu-mlp'],
    ['NNet', readFileSync('fixtures/nnet/acas_like.nnet'), 'nnet'],
    ['NNet without comments', bytes('1,2,1,2,\n2,1,\n'), 'nnet'],
    ['ONNX from PyTorch', readFileSync('fixtures/onnx/shallow_gemm.onnx'), 'onnx'],
    ['ONNX from onnx.helper', readFileSync('fixtures/onnx/handmade_gemm.onnx'), 'onnx'],
    ['a truncated ONNX file', readFileSync('fixtures/onnx/bad_truncated.onnx'), 'onnx'],
    ['plain text', bytes('hello world\n'), null],
    ['a CSV row', bytes('1,2,3\n'), null],
    ['nothing', new Uint8Array(0), null],
    ['binary garbage', Uint8Array.of(0xff, 0xfe, 0x00, 0x13, 0x37), null],
  ])('%s', (_label, data, format) => {
    expect(detectFormat(data)).toBe(format);
  });
  it('ignores the extension: an NNet file named .json is read as NNet', () => {
    const net = parseNetwork(readFileSync('fixtures/nnet/acas_like.nnet'), 'misnamed.json');
    expect(describeArchitecture(net)).toBe('5→50→50→50→50→50→50→5');
  });
  it('reads every format through readNetworkFile', () => {
    expect(describeArchitecture(readNetworkFile('fixtures/onnx/deep_matmul.onnx'))).toBe('4→24→24→24→1');
    expect(describeArchitecture(readNetworkFile('fixtures/nnet/acas_like.nnet'))).toBe('5→50→50→50→50→50→50→5');
  });
  it.each([
    [new Uint8Array(0), 'x: is empty'],
    [bytes('hello\n'), 'x: not a network lipcheck can read (expected relu-mlp JSON, ONNX or NNet)'],
  ])('refuses unreadable content with one line', (data, message) => {
    expect(inputErrorOf(() => parseNetwork(data, 'x'))).toBe(message);
  });
});

describe('lipcheck eval on imported networks', () => {
  it('evaluates an ONNX file and an NNet file', async () => {
    const onnx = await cli('eval', 'fixtures/onnx/shallow_gemm.onnx', '--x', '0.1,0.2,0.3', '--json');
    expect(onnx.code).toBe(0);
    expect(JSON.parse(onnx.stdout).gradient).toHaveLength(3);
    const nnet = await cli('eval', 'fixtures/nnet/acas_like.nnet', '--x', '1,1,1,100,1', '--json');
    expect(nnet.code).toBe(0);
    const [first] = JSON.parse(readFileSync('fixtures/nnet/acas_like.expected.json', 'utf8')).cases;
    expect(first.input).toEqual([1, 1, 1, 100, 1]);
    const output: number[] = JSON.parse(nnet.stdout).output;
    first.output.forEach((v: number, i: number) => expect(Math.abs(output[i] - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v)));
  });
  it.each([
    ['fixtures/onnx/bad_sigmoid.onnx', '1,2,3', /node '\/1\/Sigmoid' \(Sigmoid\): unsupported operator/],
    ['fixtures/onnx/bad_skip.onnx', '1,2,3', /a branch or skip connection/],
    ['fixtures/onnx/bad_conv.onnx', '1', /node '\/0\/Conv' \(Conv\): unsupported operator/],
    ['fixtures/onnx/bad_two_inputs.onnx', '1,2', /the graph has 2 inputs/],
    ['fixtures/onnx/bad_nan.onnx', '1,2,3', /initializer '2\.weight' has a non-finite entry NaN/],
    ['fixtures/onnx/bad_truncated.onnx', '1,2,3', /not a valid ONNX model: the protobuf does not decode/],
    ['fixtures/onnx/README.md', '1', /not a network lipcheck can read/],
  ])('eval %s: exit 2 with one line', async (file, x, message) => {
    const r = await cli('eval', file, '--x', x);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^lipcheck: ${file.replace(/[./]/g, '\\$&')}: `));
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('the real binary reports a truncated ONNX file on stdin in one line, without a stack trace', () => {
    const r = spawnCli(['eval', '-', '--x', '1,2,3'], readFileSync('fixtures/onnx/bad_truncated.onnx').toString('latin1'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^lipcheck: stdin: /);
  });
});
