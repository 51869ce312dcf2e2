import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { expandCells, parseStudyConfig } from '../../src/study/config.js';
import { cellNetwork, computeCell } from '../../src/study/compute.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { rowsToCsv } from '../../src/study/output.js';
import { quantile } from '../../src/theory/stats.js';

const tiny = {
  name: 'tiny',
  seed: 3,
  groups: [
    { name: 'shallow', inputDims: [1, 2], widths: [[4], [6]], biases: ['normal:1'], draws: 2, timeLimit: 5 },
    { name: 'deep', inputDims: [2], widths: [[3, 3]], biases: ['uniform:1', 'zero'], norms: ['2', 'inf'], draws: 2, timeLimit: 5 },
  ],
};

/** Temporary directories, removed when the file's tests are done. */
const made: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lipcheck-study-'));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('study configuration', () => {
  it('expands groups into cells in a fixed order, with stable ids', () => {
    const config = parseStudyConfig(JSON.stringify(tiny), 'tiny.json');
    const cells = expandCells(config);
    expect(cells).toHaveLength(4 + 4);
    expect(cells[0].id).toBe('shallow/d1/w4/normal:1/p2/he-fanout');
    expect(cells.map((c) => c.id)).toEqual(expandCells(parseStudyConfig(JSON.stringify(tiny), 'again')).map((c) => c.id));
  });
  it.each([
    [{ ...tiny, seed: -1 }, /tiny\.json: seed: expected a non-negative integer/],
    [{ ...tiny, groups: [] }, /groups: expected a non-empty array/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], biases: ['nope'] }] }, /groups\[0\]\.biases\[0\]: unknown bias law "nope"/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], widths: [[0]] }] }, /groups\[0\]\.widths\[0\]\[0\]: expected a positive integer/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], norms: ['3'] }] }, /groups\[0\]\.norms\[0\]: unknown norm "3"/],
    [{ ...tiny, groups: [tiny.groups[0], tiny.groups[0]] }, /groups\[1\]\.name: "shallow" is used twice/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], widths: [['dd']] }] }, /groups\[0\]\.widths\[0\]\[0\]: expected a positive integer or "d", "2d"/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], brackets: { climbs: -1 } }] }, /groups\[0\]\.brackets\.climbs: expected a non-negative integer/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], brackets: { timeLimit: 3 } }] }, /groups\[0\]\.brackets\.timeLimit: unknown field/],
    [{ ...tiny, groups: [{ ...tiny.groups[0], brackets: [] }] }, /groups\[0\]\.brackets: expected an object/],
  ])('rejects bad configurations with one line', (doc, message) => {
    expect(() => parseStudyConfig(JSON.stringify(doc), 'tiny.json')).toThrow(message);
  });
});

describe('study configuration: widths as multiples of d, bracket cells', () => {
  it('resolves "d" and "2d" per input dimension and keeps the bracket effort on the cells', () => {
    const doc = { name: 'm', seed: 1, groups: [{ name: 'g', inputDims: [3, 5], widths: [['d'], ['2d', 4]], biases: ['normal:1'], draws: 1, brackets: { zonotopeIterations: 3 } }] };
    const cells = expandCells(parseStudyConfig(JSON.stringify(doc), 'm.json'));
    expect(cells.map((c) => c.widths.join('x'))).toEqual(['3', '6x4', '5', '10x4']);
    expect(cells[0].id).toBe('g/d3/w3/normal:1/p2/he-fanout');
    expect(cells.every((c) => c.brackets?.zonotopeIterations === 3)).toBe(true);
    expect(expandCells(parseStudyConfig(JSON.stringify(tiny), 't'))[0].brackets).toBeUndefined(); // old configs: old cells, old fingerprints
  });
  it('a bracket cell gets the provider’s deterministic bracket and names its methods', async () => {
    const doc = { name: 'b', seed: 2, groups: [{ name: 'g', inputDims: [20], widths: [['d']], biases: ['normal:1'], draws: 2, brackets: { samples: 128 } }] };
    const config = parseStudyConfig(JSON.stringify(doc), 'b.json');
    const [cell] = expandCells(config);
    const rows = await computeCell(config.seed, cell);
    const again = await computeCell(config.seed, cell);
    expect(rows.map((r) => [r.lower, r.upper])).toEqual(again.map((r) => [r.lower, r.upper]));
    for (const r of rows) {
      expect(r.lipschitz).toBeNull();
      expect(r.lower).toBeLessThanOrEqual(r.upper);
      expect(r.upper / r.lower).toBeLessThan(1.2);
      expect(r.method).toBe('pattern search / zonotope');
    }
    expect(rowsToCsv(rows).split('\n')[0]).toMatch(/,seconds,method$/);
  });
});

describe('study rows', () => {
  it('every row can be recomputed from its seed', async () => {
    const config = parseStudyConfig(JSON.stringify(tiny), 'tiny.json');
    const cell = expandCells(config)[2];
    const rows = await computeCell(config.seed, cell);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const { net, seed } = cellNetwork(config.seed, cell, row.draw);
      expect(seed).toBe(row.seed);
      const r = exactLipschitz(net, { norm: '2', box: null });
      expect(r.kind === 'exact' && r.lipschitz).toBe(row.lipschitz);
    }
    expect(rowsToCsv(rows).split('\n')[0]).toMatch(/^cell,group,d,L,N,widths,bias,weights,norm,draw,seed,lipschitz,lower,upper/);
  });
});

describe('lipcheck study', () => {
  it('writes rows, a report and SVGs; a rerun resumes; shards merge to the same rows', async () => {
    const dir = tmp();
    const config = join(dir, 'tiny.json');
    writeFileSync(config, JSON.stringify(tiny));
    const out = join(dir, 'out');
    const first = await cli('study', '--config', config, '--out', out, '--workers', '2');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/8 cells \(8 computed, 0 already done\), 16 networks/);
    for (const f of ['rows.csv', 'rows.json', 'report.html', 'summary.txt']) expect(existsSync(join(out, f))).toBe(true);
    expect(readdirSync(join(out, 'svg')).length).toBeGreaterThan(0);
    const again = await cli('study', '--config', config, '--out', out, '--workers', '1');
    expect(again.stdout).toMatch(/\(0 computed, 8 already done\)/);
    const rows = JSON.parse(readFileSync(join(out, 'rows.json'), 'utf8'));
    // Two shards, merged.
    const s1 = join(dir, 's1');
    const s2 = join(dir, 's2');
    expect((await cli('study', '--config', config, '--out', s1, '--shard', '1/2', '--workers', '1')).code).toBe(0);
    expect((await cli('study', '--config', config, '--out', s2, '--shard', '2/2', '--workers', '1')).code).toBe(0);
    const merged = join(dir, 'merged');
    const m = await cli('study', 'merge', s1, s2, '--out', merged, '--config', config);
    expect(m.code, m.stderr).toBe(0);
    const mergedRows = JSON.parse(readFileSync(join(merged, 'rows.json'), 'utf8'));
    const key = (r: { seed: string; lipschitz: number | null }) => `${r.seed}=${r.lipschitz}`;
    expect(mergedRows.map(key).sort()).toEqual(rows.map(key).sort());
  });
  it('--calibrate writes constants with the number of draws behind them', async () => {
    const dir = tmp();
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ name: 'c', seed: 1, groups: [{ name: 'shallow', inputDims: [2], widths: [[8]], biases: ['normal:1'], draws: 24, timeLimit: 5 }] }));
    const r = await cli('study', '--config', config, '--out', join(dir, 'out'), '--calibrate', join(dir, 'cal.json'), '--workers', '1');
    expect(r.code, r.stderr).toBe(0);
    const cal = JSON.parse(readFileSync(join(dir, 'cal.json'), 'utf8'));
    expect(cal.bands.shallow.draws).toBe(24);
    // The stated rule, recomputed from the rows: c = 3/4 of the 0.5% quantile of Lip/√d, C = 4/3 of the 99.5% one.
    const ratios = (JSON.parse(readFileSync(join(dir, 'out', 'rows.json'), 'utf8')) as { lipschitz: number | null; d: number }[])
      .filter((r) => r.lipschitz !== null)
      .map((r) => r.lipschitz! / Math.sqrt(r.d));
    expect(ratios.length).toBe(24);
    expect(cal.bands.shallow.c).toBeCloseTo(0.75 * quantile(ratios, 0.005), 12);
    expect(cal.bands.shallow.C).toBeCloseTo((4 / 3) * quantile(ratios, 0.995), 12);
    // How the constants were made, and the distribution-free interval around the median's estimate.
    expect(cal.provenance).toMatchObject({ method: expect.stringMatching(/region enumeration/), seed: 1 });
    const [lo, hi] = cal.bands.shallow.intervals.median;
    expect(lo).toBeLessThanOrEqual(quantile(ratios, 0.5));
    expect(hi).toBeGreaterThanOrEqual(quantile(ratios, 0.5));
    expect(cal.check.draws).toBe(24); // d = 2, N = 8: the check stratum
  });
  it.each([
    [['--config', 'does-not-exist.json'], /does-not-exist\.json: no such file/],
    [['--shard', '3/2'], /--shard: expected i\/n with 1 ≤ i ≤ n/],
    [['merge', '/nonexistent', '--out', '/tmp/x'], /\/nonexistent: not a study output folder/],
  ])('usage errors %j exit 2', async (args, message) => {
    const r = await cli('study', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
