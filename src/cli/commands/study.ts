import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError, UserError } from '../../errors.js';
import { readInput, writeFileAtomic } from '../../io/files.js';
import { parseStudyConfig, type StudyConfig } from '../../study/config.js';
import { mergeStudies, rowsOf, runStudy, readCells } from '../../study/run.js';
import { writeRows } from '../../study/output.js';
import { writeReport } from '../../study/report.js';
import { calibrate, EXACT_METHOD, loadCalibration, type Calibration } from '../../theory/calibration.js';
import type { StudyRow } from '../../study/compute.js';
import { fmt, type CliIo } from '../io.js';
import { parseShard, positiveInt } from '../options.js';
import { progressBar } from './bounds.js';
import { packagePath } from '../../packagePath.js';

/** The configuration shipped with lipcheck (the README's main job). */
function defaultConfigPath(): string {
  return packagePath('config', 'study-default.json');
}

function readConfig(path: string): StudyConfig {
  return parseStudyConfig(readInput(path).toString('utf8'), path);
}

async function finishStudy(io: CliIo, outDir: string, config: StudyConfig, configPath: string, rows: StudyRow[], calibrateTo: string | undefined, command: string): Promise<void> {
  let calibration: Calibration | null = null;
  if (calibrateTo) {
    calibration = calibrate(rows, configPath, { method: EXACT_METHOD, seed: config.seed });
    writeFileAtomic(calibrateTo, JSON.stringify(calibration, null, 2) + '\n');
    io.out(`calibration written to ${calibrateTo}\n`);
  } else {
    try {
      calibration = loadCalibration();
    } catch {
      calibration = null;
    }
  }
  writeRows(outDir, rows);
  const summary = await writeReport(outDir, rows, { title: `lipcheck study "${config.name}"`, configName: config.name, calibration, generatedAt: new Date().toISOString(), command });
  io.out(summary.endsWith('\n') ? summary : summary + '\n');
  io.out(`data: ${join(outDir, 'rows.csv')} (one row per network, with the seed that redraws it)\n`);
}

export function studyCommand(io: CliIo): Command {
  const study = new Command('study')
    .description('reproduce the theorems: sweep dimension, width, depth, bias law and norm; write a report with plots')
    .option('--config <file>', 'study configuration (JSON); default: config/study-default.json')
    .option('--out <dir>', 'output folder', 'reports/study')
    .option('--runs <n>', 'networks per cell (overrides the configuration)', positiveInt('--runs'))
    .option('--workers <k>', 'worker threads (default: the number of cores)', positiveInt('--workers'))
    .option('--shard <i/n>', 'compute only the i-th of n interleaved parts of the cells (merge them with `study merge`)')
    .option('--calibrate <file>', 'also write the calibrated theorem constants to this file')
    .enablePositionalOptions()
    .action(async (opts: { config?: string; out: string; runs?: number; workers?: number; shard?: string; calibrate?: string }) => {
      const configPath = opts.config ?? defaultConfigPath();
      const config = readConfig(configPath);
      const shard = opts.shard ? parseShard(opts.shard) : undefined;
      const outDir = resolve(opts.out);
      const bar = progressBar(io, true);
      const started = performance.now();
      const result = await runStudy({
        config,
        outDir,
        workers: opts.workers,
        shard,
        runs: opts.runs,
        onProgress: (done, total, cell) => bar.update(total === 0 ? 1 : done / total, `${done}/${total} cells ${cell}`),
      });
      bar.stop();
      const rows = rowsOf(result.cells);
      io.out(
        `study "${config.name}": ${result.cells.length} cells (${result.computed} computed, ${result.skipped} already done), ${rows.length} networks, ${fmt((performance.now() - started) / 1000, 3)} s${shard ? `, shard ${shard.index}/${shard.count}` : ''}\n`,
      );
      await finishStudy(io, outDir, config, configPath, rows, opts.calibrate, `lipcheck study --config ${configPath}${opts.runs ? ` --runs ${opts.runs}` : ''}`);
    });
  study
    .command('merge')
    .description('merge the output folders of sharded runs into one study and report')
    .argument('<dirs...>', 'output folders of `lipcheck study --shard i/n`')
    .requiredOption('--out <dir>', 'output folder for the merged study')
    .option('--config <file>', 'the configuration the shards ran (default: config/study-default.json)')
    .option('--calibrate <file>', 'also write the calibrated theorem constants to this file')
    .action(async (dirs: string[], opts: { out: string; config?: string; calibrate?: string }) => {
      for (const dir of dirs) if (!existsSync(join(dir, 'cells'))) throw new InputError(dir, 'not a study output folder (no cells/ inside)');
      const configPath = opts.config ?? defaultConfigPath();
      const config = readConfig(configPath);
      for (const dir of dirs) {
        const names = new Set(readCells(dir).map((c) => c.config));
        for (const name of names) if (name !== config.name) throw new UserError(`${dir}: holds cells of study "${name}", not "${config.name}" (pass its --config)`);
      }
      const cells = mergeStudies(dirs, resolve(opts.out));
      io.out(`merged ${dirs.length} folders: ${cells.length} cells\n`);
      await finishStudy(io, resolve(opts.out), config, configPath, rowsOf(cells), opts.calibrate, `lipcheck study merge ${dirs.join(' ')} --out ${opts.out}`);
    });
  return study;
}

