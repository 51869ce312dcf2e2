import { describeBox, describeQuery } from '../../src/cli/commands/exact.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { fmtPoint, fmtRows, fmtVector, VECTOR_FULL } from '../../src/cli/io.js';
import { formatReport } from '../../src/harness/reportFormat.js';
import type { ConformanceReport } from '../../src/harness/session.js';

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-readable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (s: number) => Array.from({ length: 784 }, (_, j) => (((j * 7 + s) % 11) - 5) / 100);

/**
 * An MNIST-sized network: 784 inputs, `k` outputs, one hidden ReLU layer of 2 (or none: an affine
 * network, which exact, bounds and verify answer at once).
 */
function mnistSized(k: number, hidden = true): string {
  const output = { weights: Array.from({ length: k }, (_, i) => [1 + i / 10, -0.5]), biases: Array(k).fill(0) };
  const layers = hidden ? [{ weights: [row(1), row(2)], biases: [0.1, -0.2] }, output] : [{ weights: [row(1)], biases: [0.1] }];
  const doc = { format: 'relu-mlp', version: 1, inputDim: 784, layers };
  const file = join(dir, `mnist-${k}-${hidden}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

/** The longest line a command printed: a 784-vector in full is thousands of characters. */
const longestLine = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('vectors for people', () => {
  it('print in full up to VECTOR_FULL entries, else the first three and a count', () => {
    expect(fmtVector([0.5, -1, 2])).toBe('[0.5, -1, 2]');
    expect(fmtVector(Array(VECTOR_FULL).fill(1))).toBe(`[${Array(VECTOR_FULL).fill('1').join(', ')}]`);
    expect(fmtVector(Float64Array.from({ length: 784 }, (_, i) => i / 8))).toBe('[0, 0.125, 0.25, … 781 more]');
    expect(fmtVector([])).toBe('[]');
  });
  it('a point keeps every digit when short and points to --json when cut', () => {
    expect(fmtPoint([0.1 + 0.2])).toBe('[0.30000000000000004]');
    expect(fmtPoint(Array(9).fill(0.25))).toBe('[0.25, 0.25, 0.25, … 6 more] (--json prints every coordinate)');
  });
  it('matrix rows follow the same rule', () => {
    expect(fmtRows([[1], [2]])).toEqual(['[1]', '[2]']);
    expect(fmtRows(Array.from({ length: 12 }, (_, i) => [i]))).toEqual(['[0]', '[1]', '[2]', '… 9 more rows']);
  });
});

describe('784-input networks: readable terminal output, everything in --json', () => {
  const x = Array(784).fill(0.1).join(',');
  it('eval abbreviates the gradient and the Jacobian rows', async () => {
    const one = await cli('eval', mnistSized(1), `--x=${x}`);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/gradient {2}= \[[^\]]*, … 781 more\]/);
    expect(longestLine(one.stdout)).toBeLessThan(200);
    const many = await cli('eval', mnistSized(12), `--x=${x}`);
    expect(many.stdout).toMatch(/f\(x\) {6}= \[.*, … 9 more\]/);
    expect(many.stdout).toMatch(/… 9 more rows/);
    expect(longestLine(many.stdout)).toBeLessThan(200);
    const json = JSON.parse((await cli('eval', mnistSized(12), `--x=${x}`, '--json')).stdout);
    expect(json.jacobian).toHaveLength(12);
    expect(json.jacobian[0]).toHaveLength(784);
  });
  it('exact, bounds and verify abbreviate their witnesses; --json keeps all 784 coordinates', async () => {
    const file = mnistSized(1, false);
    for (const argv of [['exact', file], ['bounds', file, '--time-limit', '5'], ['verify', file, '--upper', '0', '--time-limit', '5']]) {
      const r = await cli(...argv);
      expect(r.stdout, argv[0]).toMatch(/witness x = \[[^\]]*, … 781 more\] \(--json prints every coordinate\)/);
      expect(longestLine(r.stdout), argv[0]).toBeLessThan(300);
      const json = JSON.parse((await cli(...argv, '--json')).stdout);
      expect((json.witness.x ?? json.witness).length, argv[0]).toBe(784);
    }
  });
  it('the conformance report abbreviates a counterexample\'s witness', () => {
    const witness = Array.from({ length: 784 }, (_, i) => i);
    const report: ConformanceReport = {
      outcomes: [],
      checks: [
        {
          name: 'soundness',
          status: 'failed',
          checked: 1,
          failed: 1,
          first: { check: 'soundness', caseId: 3, description: 'a case', message: 'upper 1 is below …', evidence: { witness, jacobianNorm: 2 } },
          notes: [],
        },
      ],
      fault: null,
      counts: { cases: 1, answered: 1, unsupported: 0, errors: 0 },
      firstError: null,
      coverage: { checked: 1, required: 1, enough: true },
      seconds: 0.1,
      exitCode: 1,
      stoppedOnTime: false,
    };
    const text = formatReport(report);
    expect(text).toMatch(/witness x = \[0, 1, 2, … 781 more\] \(--json prints every coordinate\)/);
    expect(longestLine(text)).toBeLessThan(200);
  });
});

describe('the query line names the box readably', () => {
  it('a box with equal sides as [a, b]^d, a few sides in full, many sides as the first ones and a count', () => {
    const sides = (d: number, f: (i: number) => [number, number]) => Array.from({ length: d }, (_, i) => f(i));
    expect(describeBox(sides(784, () => [0.3, 0.32]))).toBe('[0.3, 0.32]^784');
    expect(describeBox(sides(2, (i) => [i, i + 1]))).toBe('[0, 1]×[1, 2]');
    const many = describeBox(sides(784, (i) => [i, i + 1]));
    expect(many.startsWith('[0, 1]×[1, 2]×')).toBe(true);
    expect(many).toMatch(/\(784 sides; --json prints them all\)$/);
    expect(many.length).toBeLessThan(120);
    expect(describeQuery('2', null, null)).toBe('Lip_2 (global)');
  });
});
