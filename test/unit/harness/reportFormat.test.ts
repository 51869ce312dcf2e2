import { describe, expect, it } from 'vitest';
import type { CheckSummary } from '../../../src/harness/checks.js';
import { formatReport, reportToJson, reportToJunit } from '../../../src/harness/reportFormat.js';
import type { ConformanceReport } from '../../../src/harness/session.js';
import { claimsOf, exactReference, outcomeOf, unitCase } from '../../support/harnessUnits.js';

// The three renderings of a conformance report, each read back and compared with the report object
// the test built: the counts, statuses, counterexamples, notes and verdict must all be there.
const summary = (name: CheckSummary['name'], extra: Partial<CheckSummary> = {}): CheckSummary => ({ name, status: 'passed', checked: 4, failed: 0, first: null, notes: [], ...extra });
const witness9 = [0.5, -1, 2, 3, 4, 5, 6, 7, 1 / 3];

function report(extra: Partial<ConformanceReport> = {}): ConformanceReport {
  const outcomes = [
    outcomeOf(unitCase(0), claimsOf(0, { upper: 3 }), exactReference(2)),
    outcomeOf(unitCase(1, { description: 'second <case> & "more"' }), { id: 1, kind: 'unsupported' }),
    outcomeOf(unitCase(2), claimsOf(2, { lower: 1 }), { exact: null, lower: 1.5, upper: Infinity, witness: Float64Array.of(1, 2), seconds: 0.1 }),
  ];
  return {
    outcomes,
    checks: [
      summary('soundness', { status: 'failed', checked: 7, failed: 2, first: { check: 'soundness', caseId: 5, description: 'tiny net d=2', message: 'upper 1 is below 2', evidence: { witness: witness9 } }, notes: ['note one', 'note two'] }),
      summary('metamorphic', { checked: 3 }),
      summary('theorem-bands', { status: 'skipped', checked: 0 }),
      summary('upper-tightness', { status: 'failed', checked: 5, failed: 1 }),
    ],
    fault: null,
    counts: { cases: 11, answered: 8, unsupported: 2, errors: 1 },
    firstError: { caseId: 6, message: 'no solver' },
    coverage: { checked: 7, required: 1, enough: true },
    seconds: 12.345,
    exitCode: 1,
    stoppedOnTime: false,
    ...extra,
  };
}

/** The line of a check: its name, status word, checked count and failed count, or undefined. */
function checkLine(text: string, name: string): { status: string; checked: number; failed: number | null } | undefined {
  const m = text.split('\n').find((l) => l.startsWith(`  ${name} `));
  if (!m) return undefined;
  const parts = /^ {2}(\S+) +(\S+) +(\d+) checked(?:, (\d+) failed)?$/.exec(m)!;
  expect(m.indexOf(parts[2])).toBe(19); // columns: name padded to 16, status to 8
  return { status: parts[2], checked: Number(parts[3]), failed: parts[4] === undefined ? null : Number(parts[4]) };
}

describe('formatReport', () => {
  it('states the counts, and one line per check with its status and counts', () => {
    const r = report();
    const text = formatReport(r);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`lipcheck conformance: ${r.counts.cases} cases (${r.counts.answered} answered, ${r.counts.unsupported} unsupported, ${r.counts.errors} errors) in 12.3 s`);
    expect(checkLine(text, 'soundness')).toEqual({ status: 'FAILED', checked: 7, failed: 2 });
    expect(checkLine(text, 'metamorphic')).toEqual({ status: 'PASSED', checked: 3, failed: null });
    expect(checkLine(text, 'theorem-bands')).toEqual({ status: 'SKIPPED', checked: 0, failed: null });
    // Upper tightness is information, never a verdict — unless skipped.
    expect(checkLine(text, 'upper-tightness')).toEqual({ status: 'info', checked: 5, failed: 1 });
    expect(checkLine(formatReport(report({ checks: [summary('upper-tightness', { status: 'skipped' })] })), 'upper-tightness')!.status).toBe('SKIPPED');
    // Each check's block follows its own line, in order: counterexample, witness, notes.
    const at = lines.findIndex((l) => l.startsWith('  soundness'));
    expect(lines.slice(at + 1, at + 6).map((l) => l.trim())).toEqual([
      'first counterexample: case 5 (tiny net d=2)',
      'upper 1 is below 2',
      'witness x = [0.5, -1, 2, … 6 more] (--json prints every coordinate)',
      'note one',
      'note two',
    ]);
    expect(lines[at + 6]).toMatch(/^ {2}metamorphic/);
  });
  it('prints a short witness in full, to every digit, and none when the finding has none', () => {
    const first = { check: 'soundness' as const, caseId: 1, description: 'd', message: 'm', evidence: { witness: [1 / 3, -2] } };
    const text = formatReport(report({ checks: [summary('soundness', { status: 'failed', failed: 1, first })] }));
    const line = text.split('\n').find((l) => l.includes('witness x ='))!;
    expect(line.trim()).toMatch(/^witness x = \[0\.3{16}\d?, -2\]$/);
    expect(Number(/\[([^,]+),/.exec(line)![1])).toBe(1 / 3); // round-trips
    const bare = formatReport(report({ checks: [summary('soundness', { status: 'failed', failed: 1, first: { ...first, evidence: { certifiedUpper: 2 } } })] }));
    expect(bare).not.toContain('witness x');
    expect(bare).toContain('first counterexample: case 1 (d)');
    const noEvidence = formatReport(report({ checks: [summary('soundness', { status: 'failed', failed: 1, first: { check: 'soundness', caseId: 1, description: 'd', message: 'm' } })] }));
    expect(noEvidence).not.toContain('witness x');
  });
  it('reports the first error answer, a stop on time, and the verdict', () => {
    const r = report();
    const text = formatReport(r);
    expect(text).toContain(`  error answers    ${r.counts.errors}, the first at case 6: no solver`);
    expect(formatReport(report({ firstError: null }))).not.toContain('error answers');
    expect(text).not.toContain('stopped on time');
    const stopped = formatReport(report({ stoppedOnTime: true }));
    expect(stopped).toContain(`  stopped on time: 3 of 11 cases run before --time-limit ran out; the checks above cover those only`);
    expect(text.split('\n').at(-1)).toBe('result: a property was violated (exit 1)');
    expect(formatReport(report({ exitCode: 0 })).split('\n').at(-1)).toBe('result: passed');
    const unchecked = report({ checks: [summary('soundness', { checked: 0 })], coverage: { checked: 0, required: 2, enough: false } });
    const lines = formatReport(unchecked).split('\n');
    expect(lines.at(-1)).toBe('result: too few claims checked (exit 1)');
    expect(lines.at(-2)).toBe('  too few claims checked: 0 answer(s) checked for soundness, --min-checked requires 2 (2 unsupported, 1 errors of 11 cases): a run that checks nothing gates nothing');
    expect(formatReport(report())).not.toContain('too few claims');
  });
  it('reports a fault (which then wins over the coverage line) and where its case was saved', () => {
    const fault = { kind: 'hang' as const, caseId: 4, message: 'no answer', savedTo: 'lipcheck-failures/case-4.jsonl' };
    const lines = formatReport(report({ fault, exitCode: 3, coverage: { checked: 0, required: 1, enough: false } })).split('\n');
    expect(lines.slice(-3)).toEqual([
      '  implementation fault (hang) at case 4: no answer',
      '      the case is saved: replay it with --cases lipcheck-failures/case-4.jsonl',
      'result: the implementation faulted (exit 3)',
    ]);
    expect(lines.join('\n')).not.toContain('too few claims');
    const unsaved = formatReport(report({ fault: { ...fault, savedTo: null }, exitCode: 3 }));
    expect(unsaved).toContain('implementation fault (hang) at case 4');
    expect(unsaved).not.toContain('the case is saved');
  });
});

describe('reportToJson', () => {
  it('keeps the report fields and per case the response and a JSON-safe reference', () => {
    const r = report();
    const json = reportToJson(r) as Record<string, unknown> & { cases: Record<string, unknown>[] };
    expect(json).toMatchObject({ exitCode: 1, seconds: 12.345, stoppedOnTime: false, counts: r.counts, firstError: r.firstError, coverage: r.coverage, checks: r.checks, fault: null });
    expect(json.cases).toEqual([
      { id: 0, description: 'case 0', response: r.outcomes[0].response, reference: { exact: 2, lower: 2, upper: 2, witness: [0.25, -1] } },
      { id: 1, description: 'second <case> & "more"', response: { id: 1, kind: 'unsupported' }, reference: null },
      // An infinite upper bound and a missing exact value are null in JSON (not 1e999 or a string).
      { id: 2, description: 'case 2', response: r.outcomes[2].response, reference: { exact: null, lower: 1.5, upper: null, witness: [1, 2] } },
    ]);
    expect(Array.isArray(json.cases[0].reference && (json.cases[0].reference as { witness: unknown }).witness)).toBe(true);
    const nan = reportToJson(report({ outcomes: [outcomeOf(unitCase(0), claimsOf(0, { upper: 1 }), { exact: NaN, lower: -Infinity, upper: 1, witness: new Float64Array(0), seconds: 0 })] })) as { cases: { reference: unknown }[] };
    expect(nan.cases[0].reference).toEqual({ exact: null, lower: null, upper: 1, witness: [] });
  });
});

describe('reportToJunit', () => {
  const attrs = (xml: string) => Object.fromEntries([.../<testsuite ([^>]*)>/.exec(xml)![1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const testcases = (xml: string) => [...xml.matchAll(/<testcase classname="lipcheck\.conformance" name="([^"]*)"(\/>|>(.*?)<\/testcase>)/g)].map((m) => ({ name: m[1], body: m[3] ?? '' }));

  it('one test case per check, the coverage gate, the error answers and the implementation; counts in the suite', () => {
    const r = report();
    const xml = reportToJunit(r);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="lipcheck conformance" ')).toBe(true);
    expect(xml.endsWith('</testsuite></testsuites>\n')).toBe(true);
    const cases = testcases(xml);
    expect(cases.map((c) => c.name)).toEqual([
      'soundness (7 checked)',
      'metamorphic (3 checked)',
      'theorem-bands (0 checked)',
      'upper-tightness (5 checked)',
      'coverage (7 checked, at least 1 required)',
      'error answers (1)',
      'implementation',
    ]);
    expect(cases[0].body).toBe('<failure message="upper 1 is below 2">2 failed; first: case 5 (tiny net d=2): upper 1 is below 2</failure>');
    expect(cases[1].body).toBe('');
    expect(cases[2].body).toBe('<skipped/>');
    expect(cases[3].body).toBe(''); // failed without a counterexample: nothing to show
    expect(cases[4].body).toBe('');
    expect(cases[5].body).toBe('<system-out>1 error answer(s); the first at case 6: no solver</system-out>');
    expect(cases[6].body).toBe('');
    // failures: the checks that failed (two here), not the error answers; the skipped check counted.
    expect(attrs(xml)).toEqual({ name: 'lipcheck conformance', tests: '7', failures: '2', errors: '0', skipped: '1', time: '12.345' });
  });
  it('fails the coverage gate unless a fault ended the run, and reports the fault as an error', () => {
    const thin = reportToJunit(report({ firstError: null, checks: [], coverage: { checked: 0, required: 3, enough: false } }));
    const cases = testcases(thin);
    expect(cases.map((c) => c.name)).toEqual(['coverage (0 checked, at least 3 required)', 'implementation']);
    expect(cases[0].body).toBe('<failure message="too few claims checked: 0 answer(s) checked for soundness, --min-checked requires 3 (2 unsupported, 1 errors of 11 cases): a run that checks nothing gates nothing"/>');
    expect(attrs(thin)).toMatchObject({ tests: '2', failures: '1', errors: '0', skipped: '0' });
    const fault = { kind: 'crash' as const, caseId: 9, message: 'exited with code 1 & "died" <here>', savedTo: null };
    const faulted = reportToJunit(report({ firstError: null, checks: [], fault, coverage: { checked: 0, required: 3, enough: false } }));
    const fc = testcases(faulted);
    expect(fc[0].body).toBe('');
    expect(fc[1].body).toBe('<error message="exited with code 1 &amp; &quot;died&quot; &lt;here&gt;">crash at case 9</error>');
    expect(attrs(faulted)).toMatchObject({ tests: '2', failures: '0', errors: '1' });
  });
  it('escapes every XML special character in names and messages', () => {
    const first = { check: 'soundness' as const, caseId: 1, description: 'a<b>&"c"', message: '1 < 2 & 3 > "x"' };
    const xml = reportToJunit(report({ checks: [summary('soundness', { status: 'failed', failed: 1, first })], firstError: { caseId: 2, message: 'x<y' } }));
    expect(xml).toContain('<failure message="1 &lt; 2 &amp; 3 &gt; &quot;x&quot;">1 failed; first: case 1 (a&lt;b&gt;&amp;&quot;c&quot;): 1 &lt; 2 &amp; 3 &gt; &quot;x&quot;</failure>');
    expect(xml).toContain('the first at case 2: x&lt;y</system-out>');
    // Only the markup's own brackets and quotes are left unescaped.
    const text = xml.replace(/<[^<>]*>/g, '');
    expect(text).not.toMatch(/[<>"]/);
  });
});
