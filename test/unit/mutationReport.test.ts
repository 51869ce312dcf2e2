import { readdirSync } from 'node:fs';
import { matchesGlob } from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderScores, scoreTable, type StrykerReport } from '../../scripts/mutationReport.js';
import { parseArguments, SHARDS } from '../../scripts/mutation.js';

const report = (files: Record<string, string[]>): StrykerReport => ({
  files: Object.fromEntries(Object.entries(files).map(([f, statuses]) => [f, { mutants: statuses.map((status) => ({ status })) }])),
});

describe('mutation score per folder', () => {
  it('counts killed and timed-out mutants over every detectable one, leaving static and broken mutants out', () => {
    const statuses = ['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'CompileError', 'RuntimeError'];
    const [row] = folderScores([{ report: report({ 'src/a/x.ts': statuses }), at: new Date(0) }]);
    // Detected: 2 killed + 1 timeout = 3; detectable: 3 + 1 survived + 1 without coverage = 5.
    expect(row).toMatchObject({ folder: 'src/a', killed: 2, timeout: 1, survived: 1, noCoverage: 1, ignored: 1, errors: 2 });
    expect(row.score).toBeCloseTo(3 / 5, 15);
  });
  it('groups files by their folder, takes each file from its newest report and totals the table', () => {
    const older = report({ 'src/a/x.ts': ['Survived', 'Survived'], 'src/b/y.ts': ['Killed'] });
    const newer = report({ 'src/a/x.ts': ['Killed', 'Survived'], 'src/a/z.ts': ['Ignored'] });
    const rows = folderScores([{ report: newer, at: new Date(2000) }, { report: older, at: new Date(1000) }]);
    expect(rows.map((r) => [r.folder, r.score])).toEqual([['src/a', 0.5], ['src/b', 1]]);
    expect(rows[0].measuredAt).toEqual(new Date(2000));
    const table = scoreTable(rows);
    expect(table).toContain('| src/a | 50.0 % | 1 | 0 | 1 | 0 | 1 | 0 |');
    expect(table).toContain('| **total** | 66.7 % | 2 | 0 | 1 | 0 | 1 | 0 |');
    expect(scoreTable(folderScores([{ report: report({ 'src/c/w.ts': ['Ignored'] }), at: new Date(0) }]))).toContain('| src/c | – |');
  });
});

describe('npm run mutation arguments', () => {
  it('runs the core shard by default, a named shard, every shard, or the files given', () => {
    expect(parseArguments([]).runs).toEqual([{ shard: 'core', mutate: SHARDS.core }]);
    expect(parseArguments(['--shard', 'exact', '--force'])).toEqual({ runs: [{ shard: 'exact', mutate: SHARDS.exact }], rest: ['--force'] });
    expect(parseArguments(['--shard=all']).runs.map((r) => r.shard)).toEqual(Object.keys(SHARDS));
    expect(parseArguments(['--mutate', 'src/a.ts,src/b.ts', '--concurrency', '4'])).toEqual({
      runs: [{ shard: 'custom', mutate: ['src/a.ts', 'src/b.ts'] }],
      rest: ['--concurrency', '4'],
    });
    expect(() => parseArguments(['--shard', 'nope'])).toThrow(/unknown shard 'nope'/);
    expect(() => parseArguments(['--mutate'])).toThrow(/needs a value/);
  });
  it('the shards cover src/lipschitz and src/harness, each file in exactly one shard', () => {
    const files = [...readdirSync('src/harness', { recursive: true }), ...readdirSync('src/lipschitz', { recursive: true }).map((f) => `lipschitz/${f}`)]
      .map((f) => (String(f).startsWith('lipschitz/') ? `src/${f}` : `src/harness/${f}`))
      .filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const owners = Object.entries(SHARDS).filter(([, globs]) => globs.some((g) => !g.startsWith('!') && matchesGlob(file, g)) && !globs.some((g) => g.startsWith('!') && matchesGlob(file, g.slice(1))));
      expect([file, owners.length]).toEqual([file, 1]);
    }
  });
});
