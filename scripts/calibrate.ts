/**
 * Writes config/calibration.json from a finished calibration study, with its provenance: the method
 * of the values, the seed, and an independent cross-check — a seeded subsample of the exact rows
 * recomputed by fixtures/crosscheck/exact_lipschitz.py (Python, SciPy's HiGHS, its own region
 * enumeration, written without reading lipcheck's solver). Refuses to write when any recomputed
 * value differs by more than 1e-9 (relative). Rows the study's time limit cut (a loaded machine
 * cuts more) are first recomputed with a region cap only (2,000,000), so the constants do not
 * depend on the machine's load. Needs python3 with numpy and scipy.
 *
 *   node bin/lipcheck.js study --config config/study-calibration.json --out reports/calibration
 *   npx tsx scripts/calibrate.ts reports/calibration [--crosscheck 120] [--out config/calibration.json]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStudyConfig } from '../src/study/config.js';
import { cellNetwork, type StudyRow } from '../src/study/compute.js';
import { readCells } from '../src/study/run.js';
import { toReluMlp } from '../src/network/format.js';
import { createStream } from '../src/random/stream.js';
import { calibrate, EXACT_METHOD } from '../src/theory/calibration.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import type { Norm } from '../src/linalg/norms.js';

const CONFIG = 'config/study-calibration.json';
/** Rows small enough for the Python enumeration (LP per region): d ≤ 3 and at most 24 hidden neurons. */
const feasible = (r: StudyRow) => r.lipschitz !== null && r.d <= 3 && r.widths.split('x').reduce((a, w) => a + Number(w), 0) <= 24;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx scripts/calibrate.ts <study output folder> [--crosscheck n] [--out file]');
  const count = Number(option('--crosscheck', '120'));
  const out = option('--out', 'config/calibration.json');
  const config = parseStudyConfig(readFileSync(CONFIG, 'utf8'), CONFIG);
  const cells = readCells(dir);
  const cellOf = new Map(cells.map((c) => [c.cell.id, c.cell]));
  let recomputed = 0;
  const rows = cells.flatMap((c) =>
    c.rows.map((r) => {
      if (r.lipschitz !== null) return r;
      const exact = exactLipschitz(cellNetwork(config.seed, c.cell, r.draw).net, { norm: r.norm as Norm, box: null }, { timeLimit: Infinity, maxRegions: 2_000_000 });
      if (exact.kind !== 'exact') return r;
      recomputed++;
      return { ...r, lipschitz: exact.lipschitz, lower: exact.lipschitz, upper: exact.lipschitz };
    }),
  );
  // A seeded subsample (Fisher–Yates prefix), independent of the study's own seeds.
  const pool = rows.filter(feasible);
  const stream = createStream(config.seed, 'calibration/crosscheck');
  for (let i = 0; i < Math.min(count, pool.length); i++) {
    const j = i + Math.floor(stream.uniform() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  const chosen = pool.slice(0, count);
  const requests = chosen.map((r) => ({ network: toReluMlp(cellNetwork(config.seed, cellOf.get(r.cell)!, r.draw).net), norm: r.norm, box: null }));
  const py = spawnSync('python3', ['fixtures/crosscheck/exact_lipschitz.py'], { input: JSON.stringify(requests), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (py.status !== 0) throw new Error(`python3 failed: ${py.stderr}`);
  const reference = JSON.parse(py.stdout) as { lipschitz: number }[];
  const diffs = chosen.map((r, i) => Math.abs((r.lipschitz as number) - reference[i].lipschitz) / Math.max(reference[i].lipschitz, Number.MIN_VALUE));
  const worst = Math.max(...diffs);
  if (!(worst <= 1e-9)) throw new Error(`cross-check failed: relative difference ${worst} on row ${chosen[diffs.indexOf(worst)].seed}`);
  const calibration = calibrate(rows, CONFIG, {
    method: EXACT_METHOD,
    seed: config.seed,
    crosscheck: { tool: 'fixtures/crosscheck/exact_lipschitz.py (independent Python enumeration)', rows: chosen.length, maxRelativeDifference: worst },
  });
  writeFileSync(out, JSON.stringify({ ...calibration, generatedBy: `lipcheck study --config ${CONFIG} --out ${dir}, then npx tsx scripts/calibrate.ts ${dir}` }, null, 2) + '\n');
  process.stdout.write(`${out}: ${rows.length} rows (${recomputed} recomputed without a time limit, ${rows.filter((r) => r.lipschitz === null).length} still not exact), ${chosen.length} cross-checked (max relative difference ${worst.toExponential(2)}) in ${join(dir, 'cells')}\n`);
}
