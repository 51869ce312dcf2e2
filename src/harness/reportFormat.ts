import { fmtPoint } from '../cli/io.js';
import type { ConformanceReport } from './session.js';

/** The human summary: one line per check with counts and its first counterexample, then the verdict. */
export function formatReport(report: ConformanceReport): string {
  const c = report.counts;
  const lines = [`lipcheck conformance: ${c.cases} cases (${c.answered} answered, ${c.unsupported} unsupported, ${c.errors} errors) in ${report.seconds.toFixed(1)} s`];
  for (const check of report.checks) {
    const status = check.name === 'upper-tightness' && check.status !== 'skipped' ? 'info' : check.status.toUpperCase();
    lines.push(`  ${check.name.padEnd(16)} ${status.padEnd(8)} ${check.checked} checked${check.failed ? `, ${check.failed} failed` : ''}`);
    if (check.first) {
      lines.push(`      first counterexample: case ${check.first.caseId} (${check.first.description})`);
      lines.push(`      ${check.first.message}`);
      if (check.first.evidence?.witness) lines.push(`      witness x = ${fmtPoint(check.first.evidence.witness as number[])}`);
    }
    for (const note of check.notes) lines.push(`      ${note}`);
  }
  if (report.firstError) lines.push(`  error answers    ${c.errors}, the first at case ${report.firstError.caseId}: ${report.firstError.message}`);
  if (!report.coverage.enough && !report.fault) lines.push(`  ${coverageLine(report)}`); // a fault ends the run early: it wins
  if (report.stoppedOnTime) lines.push(`  stopped on time: ${report.outcomes.length} of ${c.cases} cases run before --time-limit ran out; the checks above cover those only`);
  if (report.fault) {
    lines.push(`  implementation fault (${report.fault.kind}) at case ${report.fault.caseId}: ${report.fault.message}`);
    if (report.fault.savedTo) lines.push(`      the case is saved: replay it with --cases ${report.fault.savedTo}`);
  }
  lines.push(`result: ${verdict(report)}`);
  return lines.join('\n');
}

/** The verdict behind the exit code, in a few words. */
function verdict(report: ConformanceReport): string {
  if (report.exitCode === 0) return 'passed';
  if (report.exitCode === 3) return 'the implementation faulted (exit 3)';
  return report.checks.some((c) => c.status === 'failed') ? 'a property was violated (exit 1)' : 'too few claims checked (exit 1)';
}

/** Why a run that checked too little fails, in one line. */
function coverageLine(report: ConformanceReport): string {
  const { checked, required } = report.coverage;
  const c = report.counts;
  return (
    `too few claims checked: ${checked} answer(s) checked for soundness, --min-checked requires ${required} ` +
    `(${c.unsupported} unsupported, ${c.errors} errors of ${c.cases} cases): a run that checks nothing gates nothing`
  );
}

/** The report for machines: checks, counts, fault, and per case the claims and lipcheck's reference. */
export function reportToJson(report: ConformanceReport): unknown {
  const finite = (x: number | null) => (Number.isFinite(x) ? x : null); // null, ±∞ and NaN are not JSON numbers
  return {
    exitCode: report.exitCode,
    seconds: report.seconds,
    stoppedOnTime: report.stoppedOnTime,
    counts: report.counts,
    firstError: report.firstError,
    coverage: report.coverage,
    checks: report.checks,
    fault: report.fault,
    cases: report.outcomes.map((o) => ({
      id: o.case.id,
      description: o.case.description,
      response: o.response,
      reference: o.reference ? { exact: finite(o.reference.exact), lower: finite(o.reference.lower), upper: finite(o.reference.upper), witness: Array.from(o.reference.witness) } : null,
    })),
  };
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * JUnit XML for CI systems: one test case per check, one for the --min-checked gate (a failure when
 * too few claims were checked), one for `error` answers when there were any (their count and the
 * first message), and one for the implementation (an error when it faulted).
 */
export function reportToJunit(report: ConformanceReport): string {
  const cases = report.checks.map((check) => {
    const name = `${check.name} (${check.checked} checked)`;
    if (check.status === 'skipped') return `    <testcase classname="lipcheck.conformance" name="${xml(name)}"><skipped/></testcase>`;
    if (check.status === 'failed' && check.first) {
      return `    <testcase classname="lipcheck.conformance" name="${xml(name)}"><failure message="${xml(check.first.message)}">${xml(`${check.failed} failed; first: case ${check.first.caseId} (${check.first.description}): ${check.first.message}`)}</failure></testcase>`;
    }
    return `    <testcase classname="lipcheck.conformance" name="${xml(name)}"/>`;
  });
  const { checked, required } = report.coverage;
  const coverage = `coverage (${checked} checked, at least ${required} required)`;
  cases.push(
    report.coverage.enough || report.fault
      ? `    <testcase classname="lipcheck.conformance" name="${xml(coverage)}"/>`
      : `    <testcase classname="lipcheck.conformance" name="${xml(coverage)}"><failure message="${xml(coverageLine(report))}"/></testcase>`,
  );
  if (report.firstError) {
    const text = `${report.counts.errors} error answer(s); the first at case ${report.firstError.caseId}: ${report.firstError.message}`;
    cases.push(`    <testcase classname="lipcheck.conformance" name="${xml(`error answers (${report.counts.errors})`)}"><system-out>${xml(text)}</system-out></testcase>`);
  }
  if (report.fault) cases.push(`    <testcase classname="lipcheck.conformance" name="implementation"><error message="${xml(report.fault.message)}">${xml(`${report.fault.kind} at case ${report.fault.caseId}`)}</error></testcase>`);
  else cases.push('    <testcase classname="lipcheck.conformance" name="implementation"/>');
  const failures = report.checks.filter((c) => c.status === 'failed').length + (report.coverage.enough || report.fault ? 0 : 1);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites><testsuite name="lipcheck conformance" tests="${cases.length}" failures="${failures}" errors="${report.fault ? 1 : 0}" skipped="${report.checks.filter((c) => c.status === 'skipped').length}" time="${report.seconds.toFixed(3)}">`,
    ...cases,
    '</testsuite></testsuites>',
    '',
  ].join('\n');
}
