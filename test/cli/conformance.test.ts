import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cli, spawnCli } from '../support/cli.js';

const adapter = (name: string, arg = '') => `python3 ${resolve('fixtures/adapters', name + '.py')} ${arg}`.trim();
const quick = ['--runs', '6', '--reference-time', '0.5'];

describe('lipcheck conformance against the example adapters', () => {
  it('passes the sound adapter (exit 0) and writes JSON and JUnit reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-conf-'));
    const junit = join(dir, 'report.xml');
    const r = await cli('conformance', '--cmd', adapter('sound_python'), ...quick, '--json', '--junit', junit);
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.exitCode).toBe(0);
    expect(report.checks.find((c: { name: string }) => c.name === 'soundness').status).toBe('passed');
    expect(report.cases.length).toBe(report.counts.cases);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite name="lipcheck conformance" tests="6" failures="0" errors="0"/);
  });
  it('refutes an upper bound that is the best of many sampled gradients (exit 1, with the witness)', async () => {
    const r = await cli('conformance', '--cmd', adapter('sampled_upper'), '--runs', '12', '--reference-time', '1', '--global');
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
  it('says unsupported cases are unsupported, not failures', async () => {
    const r = await cli('conformance', '--cmd', adapter('tiny_ball'), '--global', '--runs', '3', '--json');
    const report = JSON.parse(r.stdout);
    expect(report.counts.unsupported).toBe(report.counts.cases);
    expect(report.checks.every((c: { status: string }) => c.status === 'skipped')).toBe(true);
    expect(r.code).toBe(0);
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
    ['slow-once', ['--timeout', '2'], /fault \(hang\).*no answer to case 1 within 2 s/],
  ])('%s', (mode, extra, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-fault-'));
    const started = Date.now();
    const r = spawnCli(['conformance', '--cmd', adapter('faulty', mode), '--runs', '3', '--reference-time', '0.3', ...(extra as string[])], undefined, {}, dir);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(message);
    expect(Date.now() - started).toBeLessThan(30_000); // never hangs (a guard, not a speed target)
    const saved = /replay it with --cases (\S+)/.exec(r.stdout)?.[1];
    expect(saved).toBeDefined();
    expect(existsSync(join(dir, saved!))).toBe(true);
  });
  it('a saved case replays with --cases', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-replay-'));
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
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-doc-'));
    for (const [doc, section] of [['docs/conformance.md', '## A minimal adapter'], ['README.md', '## Check your own estimator']]) {
      const full = readFileSync(doc, 'utf8');
      const text = full.slice(full.indexOf(section));
      const code = /```python\n([\s\S]*?)```/.exec(text)![1];
      const path = join(dir, 'adapter.py');
      writeFileSync(path, code);
      const r = spawnCli(['conformance', '--cmd', `python3 ${path}`, '--runs', '4', '--reference-time', '0.3'], undefined, {}, dir);
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
    const r = spawnCli(['conformance', '--cmd', `sleep ${marker} & python3 ${resolve('fixtures/adapters/sound_python.py')}`, '--runs', '2', '--reference-time', '0.3']);
    expect(r.code, r.stdout).toBe(0);
    const left = spawnSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  });
});
