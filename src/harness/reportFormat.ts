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
      if (check.first.evidence?.witness) lines.push(`      witness x = [${(check.first.evidence.witness as number[]).join(', ')}]`);
    }
    for (const note of check.notes) lines.push(`      ${note}`);
  }
  if (report.stoppedOnTime) lines.push(`  stopped on time: ${report.outcomes.length} of ${c.cases} cases run before --time-limit ran out; the checks above cover those only`);
  if (report.fault) {
    lines.push(`  implementation fault (${report.fault.kind}) at case ${report.fault.caseId}: ${report.fault.message}`);
    if (report.fault.savedTo) lines.push(`      the case is saved: replay it with --cases ${report.fault.savedTo}`);
  }
  lines.push(report.exitCode === 0 ? 'result: passed' : report.exitCode === 3 ? 'result: the implementation faulted (exit 3)' : 'result: a property was violated (exit 1)');
  return lines.join('\n');
}

/** The report for machines: checks, counts, fault, and per case the claims and lipcheck's reference. */
export function reportToJson(report: ConformanceReport): unknown {
  const finite = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : x);
  return {
    exitCode: report.exitCode,
    seconds: report.seconds,
    stoppedOnTime: report.stoppedOnTime,
    counts: report.counts,
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

/** JUnit XML: one test case per check (and one for a fault), for CI systems. */
export function reportToJunit(report: ConformanceReport): string {
  const cases = report.checks.map((check) => {
    const name = `${check.name} (${check.checked} checked)`;
    if (check.status === 'skipped') return `    <testcase classname="lipcheck.conformance" name="${xml(name)}"><skipped/></testcase>`;
    if (check.status === 'failed' && check.first) {
      return `    <testcase classname="lipcheck.conformance" name="${xml(name)}"><failure message="${xml(check.first.message)}">${xml(`${check.failed} failed; first: case ${check.first.caseId} (${check.first.description}): ${check.first.message}`)}</failure></testcase>`;
    }
    return `    <testcase classname="lipcheck.conformance" name="${xml(name)}"/>`;
  });
  if (report.fault) cases.push(`    <testcase classname="lipcheck.conformance" name="implementation"><error message="${xml(report.fault.message)}">${xml(`${report.fault.kind} at case ${report.fault.caseId}`)}</error></testcase>`);
  else cases.push('    <testcase classname="lipcheck.conformance" name="implementation"/>');
  const failures = report.checks.filter((c) => c.status === 'failed').length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites><testsuite name="lipcheck conformance" tests="${cases.length}" failures="${failures}" errors="${report.fault ? 1 : 0}" skipped="${report.checks.filter((c) => c.status === 'skipped').length}" time="${report.seconds.toFixed(3)}">`,
    ...cases,
    '</testsuite></testsuites>',
    '',
  ].join('\n');
}
