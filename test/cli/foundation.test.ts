import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from '../support/cli.js';
import { parseReluMlp } from '../../src/network/format.js';
import { evaluate, gradient } from '../../src/network/evaluate.js';

describe('lipcheck sample and eval', () => {
  it('sample | eval - works through a real pipe', () => {
    const sampled = spawnCli(['sample', '--input-dim', '3', '--widths', '8,8', '--bias', 'laplace:1', '--seed', '4']);
    expect(sampled.code).toBe(0);
    const net = parseReluMlp(sampled.stdout, 'stdout');
    const r = spawnCli(['eval', '-', '--x', '0.1,-0.2,0.3', '--json'], sampled.stdout);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.value).toBe(evaluate(net, [0.1, -0.2, 0.3])[0]);
    expect(out.gradient).toEqual(Array.from(gradient(net, [0.1, -0.2, 0.3])));
    expect(out.atKink).toBe(false);
  });
  it('prints the Jacobian for several outputs', async () => {
    const s = await cli('sample', '--input-dim', '2', '--widths', '4', '--outputs', '3', '--seed', '1');
    const file = `${process.env.TMPDIR ?? '/tmp'}/lipcheck-eval-${process.pid}.json`;
    (await import('node:fs')).writeFileSync(file, s.stdout);
    const r = await cli('eval', file, '--x=-1,2', '--json');
    expect(JSON.parse(r.stdout).jacobian).toHaveLength(3);
    const human = await cli('eval', file, '--x=-1,2');
    expect(human.stdout).toMatch(/Jacobian/);
    expect(human.stdout).toMatch(/operator norms/);
  });
  it('the same seed gives the same document; --weights and --bias are recorded', async () => {
    const a = await cli('sample', '--input-dim', '2', '--widths', '3', '--seed', '9', '--weights', 'he-fanin', '--bias', 'cauchy');
    const b = await cli('sample', '--input-dim', '2', '--widths', '3', '--seed', '9', '--weights', 'he-fanin', '--bias', 'cauchy');
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).meta).toMatchObject({ weights: 'he-fanin', bias: 'student-t:1,1', seed: 9 });
  });
  it.each([
    [['sample', '--input-dim', '0', '--widths', '3'], /--input-dim: expected a positive integer, got "0"/],
    [['sample', '--input-dim', '2', '--widths', '3,x'], /--widths: entry 2 \("x"\) is not a positive integer/],
    [['sample', '--input-dim', '2', '--widths', '3', '--bias', 'normal:-2'], /bias law "normal": sigma must be > 0/],
    [['sample', '--input-dim', '2', '--widths', '3', '--weights', 'xavier'], /argument 'xavier' is invalid/],
    [['sample', '--widths', '3'], /required option '--input-dim <d>' not specified/],
    [['eval', 'fixtures/does-not-exist.json', '--x', '1'], /fixtures\/does-not-exist\.json: no such file/],
    [['eval', 'fixtures/golden', '--x', '1'], /fixtures\/golden: is a directory/],
    [['eval', 'package.json', '--x', '1'], /package\.json: format: expected "relu-mlp"/],
    [['nonsense'], /unknown command 'nonsense'/],
  ])('exit 2 with one line for %j', async (argv, message) => {
    const r = await cli(...(argv as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
  it('eval rejects a point of the wrong length or with non-numbers', async () => {
    const s = await cli('sample', '--input-dim', '2', '--widths', '3');
    const file = `${process.env.TMPDIR ?? '/tmp'}/lipcheck-eval2-${process.pid}.json`;
    (await import('node:fs')).writeFileSync(file, s.stdout);
    expect((await cli('eval', file, '--x', '1')).stderr).toMatch(/--x: has 1 entries, expected 2/);
    expect((await cli('eval', file, '--x', '1,abc')).stderr).toMatch(/--x: entry 2 \("abc"\) is not a finite number/);
  });
  it('no stack trace for bad input to the real binary', () => {
    const r = spawnCli(['eval', '-', '--x', '1'], '{"format": "relu-mlp", "version": 1, "inputDim": 1, "layers": [{"weights": [[NaN]], "biases": [0]}]}');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lipcheck: stdin: layers[0].weights[0][0]: NaN is not a finite number\n');
  });
  it('--help works on every command', async () => {
    for (const cmd of ['sample', 'eval', 'exact', 'bounds', 'verify', 'info', 'convert', 'conformance', 'study']) {
      const r = await cli(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: lipcheck/);
    }
  });
});
