import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from '../support/cli.js';
import { readNetworkFile } from '../../src/io/readNetwork.js';
import { jacobian } from '../../src/network/evaluate.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';

const tmp = (name: string) => `${process.env.TMPDIR ?? '/tmp'}/lipcheck-${process.pid}-${name}`;

describe('lipcheck bounds', () => {
  it('prints the documented JSON and is exact on a small net', async () => {
    const r = await cli('bounds', 'fixtures/analytic/corner.json', '--json', '--time-limit', '5');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['lower', 'upper', 'exact', 'gap', 'witness', 'methods', 'box', 'outputs']));
    expect(out.exact).toBeCloseTo(2 * Math.SQRT2, 12);
    expect(out.gap).toBe(1);
  });
  it('brackets a larger net and says so in words', async () => {
    const s = await cli('sample', '--input-dim', '6', '--widths', '40,40', '--seed', '3');
    const file = tmp('b6.json');
    writeFileSync(file, s.stdout);
    const r = await cli('bounds', file, '--json', '--time-limit', '2');
    const out = JSON.parse(r.stdout);
    expect(out.exact).toBeNull();
    expect(out.lower).toBeLessThanOrEqual(out.upper);
    expect(out.gap).toBeCloseTo(out.upper / out.lower, 12);
    const net = readNetworkFile(file);
    expect(operatorNorm(jacobian(net, out.witness), '2')).toBe(out.lower);
    expect(out.methods['operator-norm-product'].patternAgnostic).toBe(true);
    const human = await cli('bounds', file, '--time-limit', '1');
    expect(human.stdout).toMatch(/≤ Lip_2 \(global\) ≤/);
    expect(human.stdout).toMatch(/methods:/);
  });
  it('prints no progress bar when stdout is not a terminal', () => {
    const r = spawnCli(['bounds', 'fixtures/analytic/corner.json', '--time-limit', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/ETA/);
    expect(r.stderr).toBe('');
  });
});

describe('lipcheck verify', () => {
  it('exit 0 for a true claim, 1 with the witness for a too-small upper bound', async () => {
    const net = readNetworkFile('fixtures/analytic/corner.json');
    const exact = exactLipschitz(net, { norm: '2', box: null });
    if (exact.kind !== 'exact') throw new Error('too large');
    const ok = await cli('verify', 'fixtures/analytic/corner.json', '--upper', String(exact.lipschitz));
    expect(ok.code).toBe(0);
    const bad = await cli('verify', 'fixtures/analytic/corner.json', '--upper', String(exact.lipschitz * 0.999), '--json');
    expect(bad.code).toBe(1);
    const out = JSON.parse(bad.stdout);
    expect(out.status).toBe('refuted');
    expect(operatorNorm(jacobian(net, out.witness.x), '2')).toBeCloseTo(out.witness.value, 12);
    expect(out.witness.value).toBeGreaterThan(exact.lipschitz * 0.999);
  });
  it('exit 1 with the certified upper bound for a too-large lower bound; --exact both ways', async () => {
    const bad = await cli('verify', 'fixtures/analytic/corner.json', '--lower', '3');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/certified upper bound = 2\.828/);
    expect((await cli('verify', 'fixtures/analytic/corner.json', '--exact', String(2 * Math.SQRT2))).code).toBe(0);
    expect((await cli('verify', 'fixtures/analytic/corner.json', '--exact', '2.83')).code).toBe(1);
    expect((await cli('verify', 'fixtures/analytic/corner.json', '--exact', '2.83', '--rtol', '1e-2')).code).toBe(0);
  });
  it('refutes a wrong local bound: the constant of a tiny ball around one point claimed for the whole box', async () => {
    // On [0,1]^4 the LipBaB iris network's constant is attained in a thin sliver near a corner;
    // the Jacobian norm at the box centre is far smaller, and claiming it for the box is wrong.
    const peer = JSON.parse((await import('node:fs')).readFileSync('fixtures/peers/lipbab-iris.json', 'utf8'));
    const file = tmp('iris.json');
    writeFileSync(file, JSON.stringify(peer.network));
    const net = readNetworkFile(file);
    const centreNorm = operatorNorm(jacobian(net, [0.5, 0.5, 0.5, 0.5]), '2');
    const r = await cli('verify', file, '--box', '0:1', '--upper', String(centreNorm), '--json', '--time-limit', '10');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).witness.value).toBeGreaterThan(centreNorm);
  });
  it.each([
    [[], /give exactly one of --upper, --lower, --exact \(got 0\)/],
    [['--upper', '1', '--lower', '0.5'], /got 2/],
    [['--upper', '-1'], /--upper: expected a non-negative number/],
  ])('usage errors %j exit 2', async (args, message) => {
    const r = await cli('verify', 'fixtures/analytic/corner.json', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
