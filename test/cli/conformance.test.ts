import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cli, spawnCli } from '../support/cli.js';

const adapter = (name: string, arg = '') => `python3 ${resolve('fixtures/adapters', name + '.py')} ${arg}`.trim();

/** A temporary directory, removed when the file's tests are done. */
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('lipcheck conformance against the example adapters', () => {
  it('refutes an upper bound that is the best of many sampled gradients (exit 1, with the witness)', async () => {
    const r = await cli('conformance', '--cmd', adapter('sampled_upper'), '--runs', '12', '--reference-time', '1', '--global', '--no-shape');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/soundness\s+FAILED/);
    expect(r.stdout).toMatch(/upper [\d.e-]+ is below the Jacobian norm [\d.e-]+ at lipcheck's witness/);
    expect(r.stdout).toMatch(/witness x = \[/);
  });
  it('refutes a tiny ball\'s constant claimed for a whole box (--local)', async () => {
    const r = await cli('conformance', '--cmd', adapter('tiny_ball'), '--local', '--runs', '6', '--reference-time', '0.5');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/exact [\d.e-]+ differs from lipcheck's exact/);
  });
  it('says unsupported cases are unsupported, not failures; but a run that checked nothing fails (--min-checked)', async () => {
    const r = await cli('conformance', '--cmd', adapter('tiny_ball'), '--global', '--runs', '3', '--json', '--no-shape');
    const report = JSON.parse(r.stdout);
    expect(report.counts.unsupported).toBe(report.counts.cases);
    expect(report.checks.every((c: { status: string }) => c.status === 'skipped')).toBe(true);
    expect(report.coverage).toEqual({ checked: 0, required: 1, enough: false });
    expect(r.code).toBe(1);
  });
});

describe('error answers are reported, and do not count as checked', () => {
  // A tiny adapter in JavaScript that answers every request with an error.
  const dir = tempDir('lipcheck-errors-');
  const script = join(dir, 'errors.cjs');
  writeFileSync(
    script,
    "require('readline').createInterface({ input: process.stdin }).on('line', (l) => { const r = JSON.parse(l); console.log(JSON.stringify({ id: r.id, error: 'no solver for norm ' + r.norm })); });\n",
  );
  const errors = `"${process.execPath}" ${script}`;
  it('in the human, JSON and JUnit reports; exit 1 since nothing was checked', async () => {
    const junit = join(dir, 'report.xml');
    const r = await cli('conformance', '--cmd', errors, '--runs', '2', '--global', '--norm', 'inf', '--junit', junit);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/error answers +\d+, the first at case 0: no solver for norm inf/);
    expect(r.stdout).toMatch(/too few claims checked: 0 answer\(s\) checked for soundness, --min-checked requires 1 \(0 unsupported, (\d+) errors of \1 cases\)/);
    expect(r.stdout).toMatch(/result: too few claims checked \(exit 1\)/);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="lipcheck.conformance" name="coverage \(0 checked, at least 1 required\)"><failure message="too few claims checked/);
    expect(xml).toMatch(/name="error answers \(\d+\)"><system-out>\d+ error answer\(s\); the first at case 0: no solver for norm inf</);
    expect(xml).toMatch(/failures="1"/);
    const json = JSON.parse((await cli('conformance', '--cmd', errors, '--runs', '2', '--global', '--norm', 'inf', '--json')).stdout);
    expect(json.firstError).toEqual({ caseId: 0, message: 'no solver for norm inf' });
    expect(json.counts.errors).toBe(json.counts.cases);
    expect(json.exitCode).toBe(1);
  });
  it('--min-checked 0 turns the gate off; it takes a non-negative integer', async () => {
    expect((await cli('conformance', '--cmd', errors, '--runs', '1', '--global', '--norm', 'inf', '--min-checked', '0')).code).toBe(0);
    const r = await cli('conformance', '--cmd', errors, '--min-checked', '-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--min-checked: expected a non-negative integer, got "-1"/);
  });
});

describe('implementation faults: exit 3, the case saved for replay, the child always ended', () => {
  it.each([
    ['crash', [], /fault \(crash\).*exited with code 1/],
    ['hang', ['--timeout', '1'], /fault \(hang\).*no answer to case 0 within 1 s/],
    ['garbage', [], /fault \(protocol\).*not JSON: "hello"/],
    ['nan', [], /fault \(protocol\).*not JSON/],
    ['negative', [], /fault \(protocol\).*"upper" is negative/],
    ['wrong-id', [], /fault \(protocol\).*wrong id: expected 0, got 1/],
    ['missing', [], /fault \(protocol\).*no claim/],
    ['early-exit', [], /fault \(early-exit\).*exited with code 0 (without answering|before) case 1/],
    ['slow-once', ['--timeout', '6'], /fault \(hang\).*no answer to case 1 within 6 s/], // 6 s: python and numpy can take over 2 s to start on a loaded machine
  ])('%s', (mode, extra, message) => {
    const dir = tempDir('lipcheck-fault-');
    const started = Date.now();
    const r = spawnCli(['conformance', '--cmd', adapter('faulty', mode), '--runs', '3', '--reference-time', '0.3', ...(extra as string[])], undefined, {}, dir);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(message);
    expect(r.stdout).not.toMatch(/too few claims/); // the fault wins over the --min-checked gate
    expect(Date.now() - started).toBeLessThan(30_000); // never hangs (a guard, not a speed target)
    const saved = /replay it with --cases (\S+)/.exec(r.stdout)?.[1];
    expect(saved).toBeDefined();
    expect(existsSync(join(dir, saved!))).toBe(true);
  });
  it('a saved case replays with --cases', () => {
    const dir = tempDir('lipcheck-replay-');
    const first = spawnCli(['conformance', '--cmd', adapter('faulty', 'garbage'), '--runs', '2'], undefined, {}, dir);
    const saved = /replay it with --cases (\S+)/.exec(first.stdout)![1];
    const again = spawnCli(['conformance', '--cmd', adapter('sound_python'), '--cases', saved, '--reference-time', '0.3'], undefined, {}, dir);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/1 cases \(1 answered/);
  });
});

describe('conformance usage errors', () => {
  it.each([
    [['--local', '--global'], /--local and --global exclude each other/],
    [['--cases', 'nope.jsonl'], /nope\.jsonl: no such file/],
    [['--norm', '3'], /unknown norm "3"/],
    [['--seed', 'x'], /--seed: expected a non-negative integer/],
  ])('%j exit 2', async (args, message) => {
    const r = await cli('conformance', '--cmd', 'true', ...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('the documentation', () => {
  it('the minimal adapter of docs/conformance.md and the README passes', () => {
    const dir = tempDir('lipcheck-doc-');
    for (const [doc, section] of [['docs/conformance.md', '## A minimal adapter'], ['README.md', '## Check your own estimator']]) {
      const full = readFileSync(doc, 'utf8');
      const text = full.slice(full.indexOf(section));
      const code = /```python\n([\s\S]*?)```/.exec(text)![1];
      const path = join(dir, 'adapter.py');
      writeFileSync(path, code);
      const r = spawnCli(['conformance', '--cmd', `python3 ${path}`, '--runs', '4', '--reference-time', '0.3', '--no-shape'], undefined, {}, dir);
      expect(r.code, `${doc}: ${r.stdout}`).toBe(0);
      expect(r.stdout).toMatch(/upper-tightness/);
    }
  });
});

describe('conformance on a user network (--cases model.onnx)', () => {
  it('checks the given network and transformed copies of it, in every norm, global and on a box', async () => {
    const r = await cli('conformance', '--cmd', adapter('sound_python'), '--cases', 'fixtures/onnx/shallow_gemm.onnx', '--reference-time', '0.5', '--json');
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.counts.cases).toBe(18); // 3 norms × 2 domains × (the network + 2 copies)
    expect(report.cases.filter((c: { description: string }) => c.description.startsWith('the given network')).length).toBe(6);
    const bad = await cli('conformance', '--cmd', adapter('tiny_ball'), '--cases', 'fixtures/onnx/shallow_gemm.onnx', '--local', '--reference-time', '0.5');
    expect(bad.code).toBe(1);
  });
});

describe('the child is always ended', () => {
  it('kills what the command started, even after the shell itself has exited', () => {
    const marker = 7770 + Math.floor(Math.random() * 200);
    const r = spawnCli(['conformance', '--cmd', `sleep ${marker} & python3 ${resolve('fixtures/adapters/sound_python.py')}`, '--runs', '2', '--reference-time', '0.3', '--no-shape']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/theorem-shape\s+SKIPPED[\s\S]*no shape cases in this run/); // --no-shape
    const left = spawnSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  });
});
