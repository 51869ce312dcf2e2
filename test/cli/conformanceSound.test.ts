import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

// In a file of its own: the sound adapter's search on the 18 shape cases (d up to 64) takes most
// of a core for half a minute, and vitest runs files side by side.
describe('lipcheck conformance passes a sound implementation end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lipcheck-conf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('passes the sound adapter (exit 0), the theorem-shape check included, and writes JSON and JUnit reports', async () => {
    const junit = join(dir, 'report.xml');
    const sound = `python3 ${resolve('fixtures/adapters/sound_python.py')}`;
    const r = await cli('conformance', '--cmd', sound, '--runs', '6', '--reference-time', '0.5', '--json', '--junit', junit);
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.exitCode).toBe(0);
    const status = (name: string) => report.checks.find((c: { name: string }) => c.name === name).status;
    expect(status('soundness')).toBe('passed');
    expect(status('theorem-shape')).toBe('passed');
    expect(report.cases.length).toBe(report.counts.cases);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="lipcheck conformance" tests="7" failures="0" errors="0"/);
    expect(xml).toMatch(/name="coverage \(\d+ checked, at least 1 required\)"\/>/);
    expect(report.coverage.enough).toBe(true);
  });
});
