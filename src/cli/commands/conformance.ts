import { Command } from 'commander';
import { InputError, UserError } from '../../errors.js';
import { readInput, writeFileAtomic } from '../../io/files.js';
import { parseNorm } from '../../lipschitz/query.js';
import { casesFromLines, casesFromNetwork, caseToLine, generateCases, type ConformanceCase } from '../../harness/cases.js';
import { detectFormat, parseNetwork } from '../../io/readNetwork.js';
import { exactLipschitz } from '../../lipschitz/exact/index.js';
import { Budget } from '../../lipschitz/budget.js';
import { exactChunkFlops, secondsFor } from '../../lipschitz/costs.js';
import type { Network } from '../../network/network.js';
import { processResponder } from '../../harness/processResponder.js';
import { DEFAULT_MIN_CHECKED, runSession } from '../../harness/session.js';
import { formatReport, reportToJson, reportToJunit } from '../../harness/reportFormat.js';
import { loadCalibration } from '../../theory/calibration.js';
import { printJson, type CliIo } from '../io.js';
import { nonNegativeInt, parseShard, positiveInt, positiveNumber } from '../options.js';
import { progressBar } from './bounds.js';

/**
 * The network in a --cases file, when it holds one network (relu-mlp JSON, ONNX, NNet) rather than
 * saved cases (JSON Lines of requests); null for a cases file.
 */
function asNetwork(bytes: Buffer, source: string): Network | null {
  const format = detectFormat(bytes);
  if (format === null) return null;
  if (format === 'relu-mlp') {
    try {
      const doc = JSON.parse(bytes.toString('utf8'));
      if (doc?.format !== 'relu-mlp') return null;
    } catch {
      return null; // several lines of JSON: a cases file
    }
  }
  return parseNetwork(bytes, source);
}

interface ConformanceOptions {
  cmd: string;
  seed: string;
  runs: number;
  shard?: string;
  norm?: string;
  local?: boolean;
  global?: boolean;
  timeout: number;
  rtol: number;
  estimateRtol: number;
  referenceTime: number;
  timeLimit?: number;
  cases?: string;
  saveCases?: string;
  json?: boolean;
  junit?: string;
  minChecked: number;
  /** False with --no-shape. */
  shape: boolean;
}

export function conformanceCommand(io: CliIo): Command {
  return new Command('conformance')
    .description("run lipcheck's checks against another implementation that speaks the JSON Lines protocol (see docs/conformance.md)")
    .requiredOption('--cmd <command>', 'shell command that starts the implementation once')
    .option('--seed <n>', 'seed of the case mix', '0')
    .option('--runs <n>', 'base networks (transformed copies come on top)', positiveInt('--runs'), 24)
    .option('--shard <i/n>', 'only every n-th base network, starting at the i-th')
    .option('--norm <p>', 'only this norm (2, 1 or inf)')
    .option('--local', 'only local (box) constants')
    .option('--global', 'only global constants')
    .option('--timeout <s>', 'seconds allowed per case', positiveNumber('--timeout'), 30)
    .option('--rtol <r>', 'relative tolerance for exact claims', positiveNumber('--rtol'), 1e-6)
    .option('--estimate-rtol <r>', 'relative tolerance for estimates across transformed copies', positiveNumber('--estimate-rtol'), 0.25)
    .option('--reference-time <s>', "seconds of lipcheck's own work per case", positiveNumber('--reference-time'), 3)
    .option('--time-limit <s>', 'seconds for the whole run: the reference time is spread over the cases, and the run stops with a partial report when it runs out', positiveNumber('--time-limit'))
    .option('--cases <file>', 'replay saved cases (JSON Lines), or check one network file (relu-mlp, ONNX, NNet) and copies of it')
    .option('--save-cases <file>', 'write the cases to this file (JSON Lines) for later replay')
    .option('--no-shape', "leave out the theorem-shape check's networks (18 He-random nets, d = 2 … 64)")
    .option('--min-checked <n>', 'fail (exit 1) unless at least n answers with claims were checked for soundness; 0 turns the gate off', nonNegativeInt('--min-checked'), DEFAULT_MIN_CHECKED)
    .option('--json', 'print the report as one JSON object')
    .option('--junit <file>', 'also write a JUnit XML report')
    .action(async (opts: ConformanceOptions) => {
      if (opts.local && opts.global) throw new UserError('conformance: --local and --global exclude each other');
      const seed = Number(opts.seed);
      if (!Number.isSafeInteger(seed) || seed < 0) throw new UserError(`--seed: expected a non-negative integer, got "${opts.seed}"`);
      // The whole run's time counts from the start (of the process, for the binary).
      const budget = opts.timeLimit === undefined ? undefined : new Budget(opts.timeLimit, Infinity, { origin: io.startedAt });
      let cases: ConformanceCase[];
      if (opts.cases) {
        const bytes = readInput(opts.cases);
        const network = asNetwork(bytes, opts.cases);
        if (network) {
          // A network file (relu-mlp, ONNX, NNet): the checks on that network and copies of it.
          cases = casesFromNetwork(network, {
            seed,
            norms: opts.norm ? [parseNorm(opts.norm)] : undefined,
            domains: opts.local ? 'local' : opts.global ? 'global' : 'both',
            exactFeasible: (net, norm, box) => {
              // Up to 5 s (3 % of what is left, with --time-limit: it is tried for every norm and
              // domain) and only if one step of the solver fits.
              const seconds = Math.min(5, budget ? 0.03 * budget.remaining() : 5);
              return seconds >= secondsFor(exactChunkFlops(net, { norm, box })) && exactLipschitz(net, { norm, box }, { timeLimit: seconds, maxRegions: 200_000 }).kind === 'exact';
            },
          });
        } else {
          try {
            cases = casesFromLines(bytes.toString('utf8'), opts.cases);
          } catch (err) {
            if (err instanceof UserError) throw err;
            throw new InputError(opts.cases, (err as Error).message.replace(`${opts.cases}: `, ''));
          }
        }
      } else {
        cases = generateCases({
          seed,
          runs: opts.runs,
          norms: opts.norm ? [parseNorm(opts.norm)] : undefined,
          domains: opts.local ? 'local' : opts.global ? 'global' : 'both',
          shard: opts.shard ? parseShard(opts.shard) : undefined,
          shape: opts.shape,
        });
      }
      if (opts.saveCases) writeFileAtomic(opts.saveCases, cases.map(caseToLine).join('\n') + '\n');
      const bar = progressBar(io, !opts.json);
      const report = await runSession(cases, processResponder(opts.cmd, opts.timeout), {
        rtol: opts.rtol,
        estimateRtol: opts.estimateRtol,
        referenceTime: opts.referenceTime,
        calibration: loadCalibration(),
        minChecked: opts.minChecked,
        budget,
        onProgress: (done, total) => bar.update(done / total, `${done}/${total} cases`),
      });
      bar.stop();
      if (opts.junit) writeFileAtomic(opts.junit, reportToJunit(report));
      if (opts.json) printJson(io, reportToJson(report));
      else io.out(formatReport(report) + '\n');
      io.exitCode = report.exitCode;
    });
}
