import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputFormat } from '../../src/cli/commands/convert.js';
import { readNetworkFile } from '../../src/io/readNetwork.js';
import { parseReluMlp, stringifyReluMlp } from '../../src/network/format.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { evaluate } from '../../src/network/evaluate.js';
import { cli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-convert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const convert = (...argv: string[]) => cli('convert', ...argv);
const net = sampleNetwork({ inputDim: 3, widths: [6, 4], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 8, outputs: 2 });
const jsonFile = join(dir, 'net.json');
writeFileSync(jsonFile, stringifyReluMlp(net));

describe('lipcheck convert', () => {
  it('relu-mlp → ONNX float64 → relu-mlp is lossless, meta included', async () => {
    const onnx = join(dir, 'net64.onnx');
    const a = await convert(jsonFile, onnx, '--dtype', 'float64');
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(`wrote ${onnx}: 3→6→4→2 as ONNX (Gemm/Relu, float64; lossless)\n`);
    const back = join(dir, 'back.json');
    const b = await convert(onnx, back);
    expect(b.stdout).toBe(`wrote ${back}: 3→6→4→2 as relu-mlp v1\n`);
    expect(readFileSync(back, 'utf8')).toBe(stringifyReluMlp(net) + '\n');
  });
  it('ONNX is float32 by default, and says so', async () => {
    const onnx = join(dir, 'net32.onnx');
    const r = await convert(jsonFile, onnx);
    expect(r.stdout).toMatch(/as ONNX \(Gemm\/Relu, float32; weights rounded to float32, by at most [\d.e-]+\)/);
    const again = readNetworkFile(onnx);
    for (const l of again.layers) for (const w of l.weights) expect(Math.fround(w)).toBe(w);
    const r2 = await convert(onnx, join(dir, 'again32.onnx'));
    expect(r2.stdout).toMatch(/every weight was already a float32/);
  });
  it('writes relu-mlp on stdout for -, from ONNX and from NNet (keeping the input box)', async () => {
    const fromOnnx = await convert('fixtures/onnx/deep_matmul.onnx', '-');
    const doc = parseReluMlp(fromOnnx.stdout, 'stdout');
    const direct = readNetworkFile('fixtures/onnx/deep_matmul.onnx');
    expect(Array.from(evaluate(doc, [1, 2, 3, 4]))).toEqual(Array.from(evaluate(direct, [1, 2, 3, 4])));
    const fromNnet = await convert('fixtures/nnet/acas_like.nnet', '-');
    const nnet = JSON.parse(fromNnet.stdout);
    expect(nnet.meta.inputBox[3]).toEqual([100, 1200]);
    expect(nnet.meta.clipsInputs).toBe(true);
    expect(nnet.meta.importedFrom.format).toBe('nnet');
    const [first] = JSON.parse(readFileSync('fixtures/nnet/acas_like.expected.json', 'utf8')).cases;
    const y = evaluate(parseReluMlp(fromNnet.stdout, 'x'), first.input);
    first.output.forEach((v: number, i: number) => expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(1e-9 * Math.abs(v)));
  });
  it('NNet → ONNX keeps the meta through metadata_props', async () => {
    const onnx = join(dir, 'acas.onnx');
    const r = await convert('fixtures/nnet/acas_like.nnet', onnx, '--dtype', 'float64');
    expect(r.stdout).toMatch(/note: the network clips its inputs .* other ONNX tools do not apply/);
    const back = readNetworkFile(onnx);
    expect(back.meta!.inputBox).toEqual(readNetworkFile('fixtures/nnet/acas_like.nnet').meta!.inputBox);
    expect(back.meta!.clipsInputs).toBe(true);
  });
  it('creates missing directories and leaves no temporary file behind', async () => {
    const out = join(dir, 'sub', 'deeper', 'n.json');
    expect((await convert(jsonFile, out)).code).toBe(0);
    expect(readdirSync(join(dir, 'sub', 'deeper'))).toEqual(['n.json']);
  });
  it('picks the format from OUT\'s name', () => {
    expect(outputFormat('-')).toBe('relu-mlp');
    expect(outputFormat('a/B.JSON')).toBe('relu-mlp');
    expect(outputFormat('x.onnx')).toBe('onnx');
    expect(() => outputFormat('x.nnet')).toThrow(/x\.nnet: unknown output format/);
  });
  it.each([
    [['fixtures/onnx/shallow_gemm.onnx', 'out.txt'], /^lipcheck: out\.txt: unknown output format \(name it \*\.json for relu-mlp, \*\.onnx for ONNX, or - for relu-mlp on stdout\)\n$/],
    [['fixtures/onnx/bad_conv.onnx', '-'], /^lipcheck: fixtures\/onnx\/bad_conv\.onnx: ONNX: node '\/0\/Conv' \(Conv\): unsupported operator/],
    [['fixtures/nope.json', '-'], /^lipcheck: fixtures\/nope\.json: no such file\n$/],
    [['fixtures/onnx/shallow_gemm.onnx', 'x.onnx', '--dtype', 'float16'], /argument 'float16' is invalid/],
  ])('%j: exit 2 with one line', async (argv, message) => {
    const r = await convert(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  it('an unwritable OUT is one line, and nothing is left behind', async () => {
    const blocker = join(dir, 'blocker.json');
    mkdirSync(blocker);
    const r = await convert(jsonFile, blocker);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lipcheck: .*blocker\.json: cannot write \(E[A-Z]+\)\n$/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(existsSync(blocker)).toBe(true);
  });
});
