import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { certifiedBounds } from '../../lipschitz/bounds.js';
import { Budget } from '../../lipschitz/budget.js';
import { boxToPairs } from '../../lipschitz/query.js';
import { outputDim } from '../../network/network.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { fmt, fmtPoint, printJson, type CliIo } from '../io.js';
import { networkQueryCommand, positiveNumber, resolveQuery, type QueryOptions } from '../options.js';
import { UserError } from '../../errors.js';

function atLeastOne(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!(v >= 1) || !Number.isFinite(v)) throw new UserError(`${name}: expected a number ≥ 1 (a ratio upper/lower), got "${text}"`);
    return v;
  };
}
import { describeQuery } from './exact.js';

/**
 * The line a command prints when its --time-limit ended the work early: what it reports is the
 * best certified so far, and which steps were left out or cut short.
 */
export function stoppedOnTimeLine(timeLimit: number, skipped: readonly string[]): string {
  const left = skipped.length > 0 ? `; left out or cut short: ${skipped.join('; ')}` : '';
  return `stopped on time: the --time-limit of ${timeLimit} s ran out, so this is the best certified result so far${left}`;
}

/** A progress bar on a terminal (stdout a TTY, no --json); otherwise a no-op. */
export function progressBar(io: CliIo, enabled: boolean): { update(fraction: number, text: string): void; stop(): void } {
  if (!enabled || !io.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar({ format: ' {bar} {percentage}% | ETA {eta}s | {text}', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  bar.start(100, 0, { text: '' });
  return { update: (f, text) => bar.update(Math.round(100 * f), { text }), stop: () => bar.stop() };
}

export function boundsCommand(io: CliIo): Command {
  return networkQueryCommand('bounds', 'certified lower and upper bounds on the Lipschitz constant (exact when the network is small enough)')
    .option('--time-limit <s>', 'seconds to spend', positiveNumber('--time-limit'), 30)
    .option('--target-gap <g>', 'stop once upper/lower ≤ g (≥ 1)', atLeastOne('--target-gap'), 1.0001)
    .option('--seed <n>', 'seed of the searches', '0')
    .option('--json', 'print one JSON object (no progress bar)')
    .action(async (file: string, opts: QueryOptions & { timeLimit: number; targetGap: number; seed: string; json?: boolean }) => {
      const original = readNetworkFile(file);
      const { net, query, c, note } = resolveQuery(original, opts);
      const bar = progressBar(io, !opts.json);
      const r = await certifiedBounds(net, query, {
        budget: new Budget(opts.timeLimit, Infinity, { origin: io.startedAt }),
        targetGap: opts.targetGap,
        seed: opts.seed,
        onProgress: (stage, fraction, lower, upper) => bar.update(fraction, `${stage}: [${fmt(lower, 5)}, ${fmt(upper, 5)}]`),
      });
      bar.stop();
      const box = boxToPairs(query.box);
      if (opts.json) {
        printJson(io, {
          lower: r.lower,
          upper: r.upper,
          exact: r.exact,
          gap: r.gap,
          witness: Array.from(r.witness),
          methods: r.methods,
          norm: query.norm,
          box,
          outputs: outputDim(original),
          ...(c ? { c } : {}),
          ...(note ? { note } : {}),
          diagnosis: r.diagnosis,
          seconds: r.seconds,
          stoppedOnTime: r.stoppedOnTime,
          skipped: r.skipped,
        });
        return;
      }
      const name = describeQuery(query.norm, box, c);
      if (note) io.out(`note: ${note}\n`);
      if (r.exact !== null) io.out(`${name} = ${fmt(r.exact, 12)} (exact)\n`);
      else io.out(`${fmt(r.lower, 8)} ≤ ${name} ≤ ${fmt(r.upper, 8)}   (gap ${fmt(r.gap, 4)}, certified)\n`);
      io.out(`witness x = ${fmtPoint(r.witness, 10)}: its Jacobian norm is the lower bound\n`);
      io.out(`ratio to √d: lower ${fmt(r.diagnosis.lowerOverSqrtD, 4)}, upper ${fmt(r.diagnosis.upperOverSqrtD, 4)}\n`);
      io.out('methods:  (value, seconds)\n');
      for (const [k, m] of Object.entries(r.methods)) {
        if (!Number.isFinite(m.value) && !m.note) continue;
        const value = (Number.isFinite(m.value) ? fmt(m.value, 8) : '—').padEnd(12);
        const time = (Number.isFinite(m.seconds) ? `${fmt(m.seconds, 2)} s` : '').padEnd(9);
        io.out(`  ${k.padEnd(22)} ${m.kind.padEnd(6)} ${value} ${time}${m.patternAgnostic ? ' (pattern-agnostic)' : ''}${m.note ? ` ${m.note}` : ''}`.trimEnd() + '\n');
      }
      for (const w of r.diagnosis.warnings) io.out(`warning: ${w}\n`);
      if (r.stoppedOnTime) io.out(stoppedOnTimeLine(opts.timeLimit, r.skipped) + '\n');
    });
}
