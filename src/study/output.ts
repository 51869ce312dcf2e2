import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import type { StudyRow } from './compute.js';

const COLUMNS: (keyof StudyRow)[] = ['cell', 'group', 'd', 'L', 'N', 'widths', 'bias', 'weights', 'norm', 'draw', 'seed', 'lipschitz', 'lower', 'upper', 'pointNormSquared', 'pointNorm', 'seconds', 'method'];

function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The rows as CSV (header first; exact constants empty when only a bracket is known). */
export function rowsToCsv(rows: readonly StudyRow[]): string {
  return [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvField(r[c])).join(','))].join('\n') + '\n';
}

/** Writes rows.csv and rows.json into a study directory (atomically). */
export function writeRows(outDir: string, rows: readonly StudyRow[]): void {
  writeFileAtomic(join(outDir, 'rows.csv'), rowsToCsv(rows));
  writeFileAtomic(join(outDir, 'rows.json'), JSON.stringify(rows, null, 1) + '\n');
}
