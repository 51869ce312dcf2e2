import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from '../support/cli.js';
import { jacobian } from '../../src/network/evaluate.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import { readNetworkFile } from '../../src/io/readNetwork.js';

describe('lipcheck exact', () => {
  it('prints the documented JSON object', async () => {
    const r = await cli('exact', 'fixtures/analytic/corner.json', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['lipschitz', 'norm', 'regions', 'witness', 'seconds', 'box', 'outputs']));
    expect(out.lipschitz).toBeCloseTo(2 * Math.SQRT2, 12);
    expect(out.norm).toBe('2');
    expect(out.regions).toBe(7);
    expect(out.box).toBeNull();
    expect(out.outputs).toBe(1);
    const net = readNetworkFile('fixtures/analytic/corner.json');
    expect(operatorNorm(jacobian(net, out.witness), '2')).toBeCloseTo(out.lipschitz, 12);
  });
  it('takes --norm, --box and --c', async () => {
    const inf = JSON.parse((await cli('exact', 'fixtures/analytic/corner.json', '--json', '--norm', 'inf')).stdout);
    expect(inf.lipschitz).toBeCloseTo(4, 12);
    const boxed = JSON.parse((await cli('exact', 'fixtures/analytic/corner.json', '--json', '--box', '-1:0.4')).stdout);
    expect(boxed.box).toEqual([[-1, 0.4], [-1, 0.4]]);
    expect(boxed.lipschitz).toBeCloseTo(Math.SQRT2, 12); // x + y − 1 < 0 on the whole box
    const margin = JSON.parse((await cli('exact', 'fixtures/analytic/vector.json', '--json', '--c', '1,0,-1')).stdout);
    expect(margin.outputs).toBe(3);
    expect(margin.c).toEqual([1, 0, -1]);
    expect(margin.lipschitz).toBeCloseTo(1, 12); // relu(x) − relu(x) − relu(y) = −relu(y)
  });
  it('prints a readable summary', async () => {
    const r = await cli('exact', 'fixtures/analytic/abs.json');
    expect(r.stdout).toMatch(/^Lip_2 \(global\) = 1\n/);
    expect(r.stdout).toMatch(/2 linear regions/);
  });
  it('too large: exit 2, names the limit and suggests bounds', () => {
    const sample = spawnCli(['sample', '--input-dim', '3', '--widths', '20,20']);
    const r = spawnCli(['exact', '-', '--max-regions', '50'], sample.stdout);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lipcheck: stdin: too large for exact: .*--max-regions 50.*lipcheck bounds/);
    expect(r.stdout).toBe('');
  });
  it.each([
    [['--norm', '3'], /unknown norm "3"/],
    [['--box', '1:0'], /--box: interval 1 is \[1, 0\], but lo must be < hi/],
    [['--box', '0:1,0:1,0:1'], /--box: has 3 interval\(s\) but the network has 2 inputs/],
    [['--box', 'a:b'], /--box: "a:b" \(interval 1\) is not of the form lo:hi/],
    [['--c', '1,2'], /--c: has 2 entries, expected 1/],
    [['--max-regions', '0'], /--max-regions: expected a positive integer/],
    [['--time-limit', '-1'], /--time-limit: expected a positive number/],
  ])('bad options %j: exit 2 with one line', async (args, message) => {
    const r = await cli('exact', 'fixtures/analytic/corner.json', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('numeric range', () => {
  it('refuses overflowing weights in one line (exit 2)', async () => {
    for (const cmd of ['exact', 'bounds', 'verify', 'eval']) {
      const args = cmd === 'verify' ? ['--upper', '1'] : cmd === 'eval' ? ['--x', '0,0'] : [];
      const r = await cli(cmd, 'fixtures/regression/overflow.json', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/overflow\.json: layers\[\d\]: the product of the layers' norms exceeds 1e150/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
