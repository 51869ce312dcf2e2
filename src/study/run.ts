import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { writeFileAtomic } from '../io/files.js';
import { cellFingerprint, expandCells, type StudyCell, type StudyConfig } from './config.js';
import { computeCell, type StudyRow } from './compute.js';
import { compiledModule } from '../packagePath.js';

/** A finished cell as stored on disk (out/cells/<fingerprint>.json). */
export interface CellResult {
  readonly fingerprint: string;
  readonly config: string;
  readonly cell: StudyCell;
  readonly rows: StudyRow[];
}

export interface StudyRunOptions {
  readonly config: StudyConfig;
  readonly outDir: string;
  /** Worker threads (default: the machine's parallelism; 1 computes in this thread). */
  readonly workers?: number;
  /** Only cells with index ≡ shard.index − 1 (mod shard.count). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Override every group's number of draws. */
  readonly runs?: number;
  readonly onProgress?: (done: number, total: number, cell: string) => void;
}

export interface StudyRunResult {
  readonly cells: CellResult[];
  readonly computed: number;
  readonly skipped: number;
}

/** The cells of a configuration this run is responsible for (after --runs and --shard). */
function plannedCells(options: StudyRunOptions): StudyCell[] {
  const cells = expandCells(options.config).map((c) => (options.runs ? { ...c, draws: options.runs } : c));
  const shard = options.shard;
  return shard ? cells.filter((_, i) => i % shard.count === shard.index - 1) : cells;
}

function cellPath(outDir: string, fingerprint: string): string {
  return join(outDir, 'cells', `${fingerprint}.json`);
}

/** Reads every finished cell in a study directory. */
export function readCells(outDir: string): CellResult[] {
  const dir = join(outDir, 'cells');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CellResult);
}

/**
 * Runs a study: every planned cell not already finished in `outDir` (a rerun resumes) is computed,
 * spread over worker threads, and written atomically to out/cells/ as soon as it is done, so an
 * interrupted run loses at most the cells in flight. Returns the planned cells' results in order.
 */
export async function runStudy(options: StudyRunOptions): Promise<StudyRunResult> {
  const { config, outDir } = options;
  mkdirSync(join(outDir, 'cells'), { recursive: true });
  const cells = plannedCells(options);
  const todo: { cell: StudyCell; fingerprint: string }[] = [];
  const results = new Map<string, CellResult>();
  for (const cell of cells) {
    const fingerprint = cellFingerprint(config, cell);
    const path = cellPath(outDir, fingerprint);
    if (existsSync(path)) results.set(fingerprint, JSON.parse(readFileSync(path, 'utf8')) as CellResult);
    else todo.push({ cell, fingerprint });
  }
  const skipped = cells.length - todo.length;
  let done = skipped;
  options.onProgress?.(done, cells.length, '');
  const finish = (cell: StudyCell, fingerprint: string, rows: StudyRow[]) => {
    const result: CellResult = { fingerprint, config: config.name, cell, rows };
    writeFileAtomic(cellPath(outDir, fingerprint), JSON.stringify(result));
    results.set(fingerprint, result);
    options.onProgress?.(++done, cells.length, cell.id);
  };
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length));
  if (workers === 1 || todo.length === 0) {
    for (const { cell, fingerprint } of todo) finish(cell, fingerprint, await computeCell(config.seed, cell));
  } else {
    const pool = new Piscina({ filename: compiledModule('study/worker.js'), maxThreads: workers, minThreads: workers, idleTimeout: 100 });
    try {
      await Promise.all(todo.map(({ cell, fingerprint }) => pool.run({ seed: config.seed, cell }).then((rows: StudyRow[]) => finish(cell, fingerprint, rows))));
    } finally {
      await pool.destroy();
    }
  }
  return { cells: cells.map((c) => results.get(cellFingerprint(config, c))!), computed: todo.length, skipped };
}

/**
 * Merges the cells of several study directories (shards) into `outDir`. Cells are identified by
 * their fingerprint, so the same cell from two shards is kept once; shards of different
 * configurations (by name) are refused.
 */
export function mergeStudies(dirs: readonly string[], outDir: string): CellResult[] {
  mkdirSync(join(outDir, 'cells'), { recursive: true });
  const byFingerprint = new Map<string, CellResult>();
  const names = new Set<string>();
  for (const dir of dirs) {
    for (const cell of readCells(dir)) {
      names.add(cell.config);
      byFingerprint.set(cell.fingerprint, cell);
    }
  }
  if (names.size > 1) throw new Error(`cannot merge different studies: ${[...names].join(', ')}`);
  for (const cell of byFingerprint.values()) writeFileAtomic(cellPath(outDir, cell.fingerprint), JSON.stringify(cell));
  return [...byFingerprint.values()];
}

/** All rows of a set of cells, in cell order. */
export function rowsOf(cells: readonly CellResult[]): StudyRow[] {
  return cells.flatMap((c) => c.rows);
}
