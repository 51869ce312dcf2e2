/**
 * Turns StrykerJS's JSON reports (reports/mutation/<shard>.json, written by `npm run mutation`) into a
 * mutation score per folder, printed and written to reports/mutation/scores.md.
 *
 * Score = (killed + timeout) / (killed + timeout + survived + no coverage). Static mutants (run only
 * while modules load; `ignoreStatic`) are "Ignored" and left out, as are mutants that did not compile
 * or crashed the runner. Several shard reports are merged, the newest report winning for a file that
 * appears in more than one, and each folder says when its newest result was measured.
 * Run alone: npx tsx scripts/mutationReport.ts
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The part of the mutation-testing-report-schema that the score needs. */
export interface StrykerReport {
  readonly files: Record<string, { readonly mutants: readonly { readonly status: string }[] }>;
}

export interface Tally {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  errors: number;
}

export interface FolderScore extends Tally {
  readonly folder: string;
  /** (killed + timeout) / (killed + timeout + survived + no coverage), or null when nothing counted. */
  readonly score: number | null;
  /** When the newest report that contributed to this folder was written. */
  readonly measuredAt: Date;
}

const emptyTally = (): Tally => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, ignored: 0, errors: 0 });

/** Adds one mutant's status to a tally; unknown statuses (Pending) are errors, never silently killed. */
export function count(tally: Tally, status: string): void {
  if (status === 'Killed') tally.killed++;
  else if (status === 'Timeout') tally.timeout++;
  else if (status === 'Survived') tally.survived++;
  else if (status === 'NoCoverage') tally.noCoverage++;
  else if (status === 'Ignored') tally.ignored++;
  else tally.errors++;
}

/** The mutation score of a tally: detected over detectable, null when no mutant was detectable. */
export function score(t: Tally): number | null {
  const detected = t.killed + t.timeout;
  const counted = detected + t.survived + t.noCoverage;
  return counted === 0 ? null : detected / counted;
}

/**
 * Per-folder scores of several reports (each with the time it was written). A file present in more
 * than one report is taken from the newest. Folders are sorted by path.
 */
export function folderScores(reports: readonly { readonly report: StrykerReport; readonly at: Date }[]): FolderScore[] {
  const newest = new Map<string, { statuses: string[]; at: Date }>();
  for (const { report, at } of reports) {
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const seen = newest.get(file);
      if (!seen || seen.at < at) newest.set(file, { statuses: mutants.map((m) => m.status), at });
    }
  }
  const folders = new Map<string, { tally: Tally; at: Date }>();
  for (const [file, { statuses, at }] of newest) {
    const folder = dirname(file.replaceAll('\\', '/'));
    const entry = folders.get(folder) ?? { tally: emptyTally(), at };
    if (entry.at < at) entry.at = at;
    for (const status of statuses) count(entry.tally, status);
    folders.set(folder, entry);
  }
  return [...folders.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([folder, { tally, at }]) => ({ folder, ...tally, score: score(tally), measuredAt: at }));
}

/** A Markdown table of folder scores with a total row. */
export function scoreTable(rows: readonly FolderScore[]): string {
  const total = emptyTally();
  for (const row of rows) for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += row[key];
  const percent = (s: number | null) => (s === null ? '–' : `${(100 * s).toFixed(1)} %`);
  const line = (name: string, t: Tally, s: number | null, at: string) =>
    `| ${name} | ${percent(s)} | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | ${t.ignored} | ${t.errors} | ${at} |`;
  return [
    '| folder | score | killed | timeout | survived | no coverage | static (ignored) | errors | measured |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => line(r.folder, r, r.score, r.measuredAt.toISOString().slice(0, 16).replace('T', ' '))),
    line('**total**', total, score(total), ''),
  ].join('\n');
}

/** Reads every shard report in `dir` (not the incremental files), with its modification time. */
export function readReports(dir: string): { report: StrykerReport; at: Date }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && !name.endsWith('.incremental.json'))
    .map((name) => join(dir, name))
    .map((path) => ({ report: JSON.parse(readFileSync(path, 'utf8')) as StrykerReport, at: statSync(path).mtime }))
    .filter(({ report }) => report.files !== undefined);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = 'reports/mutation';
  const rows = folderScores(readReports(dir));
  if (rows.length === 0) {
    console.error(`no Stryker reports in ${dir}: run npm run mutation first`);
    process.exit(1);
  }
  const table = scoreTable(rows);
  writeFileSync(join(dir, 'scores.md'), `# Mutation score per folder\n\n${table}\n`);
  console.log(`\nMutation score per folder (${dir}/scores.md):\n\n${table}`);
}
