import type { Command } from 'commander';
import { exactLipschitz, type ExactOutcome } from '../../lipschitz/exact/index.js';
import { Budget } from '../../lipschitz/budget.js';
import { exactChunkFlops, secondsFor } from '../../lipschitz/costs.js';
import { witnessAt } from '../../lipschitz/lower/witness.js';
import { boxToPairs } from '../../lipschitz/query.js';
import { outputDim } from '../../network/network.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { UserError } from '../../errors.js';
import { fmt, fmtPoint, printJson, type CliIo } from '../io.js';
import { networkQueryCommand, positiveInt, positiveNumber, resolveQuery, type QueryOptions } from '../options.js';
import { sourceName } from '../../io/files.js';
import { stoppedOnTimeLine } from './bounds.js';

/** Human name of a query, e.g. "Lip_2 on [0,1]^2 of c·f". */
export function describeQuery(norm: string, box: [number, number][] | null, c: number[] | null): string {
  const where = box === null ? 'global' : `on the box ${describeBox(box)}`;
  return `Lip_${norm}${c ? ' of c·f' : ''} (${where})`;
}

/** A box in one readable line: [a, b]^d when every side is the same, the first sides and a count when d is large. */
export function describeBox(box: [number, number][]): string {
  const side = ([a, b]: [number, number]) => `[${a}, ${b}]`;
  if (box.length > 1 && box.every(([a, b]) => a === box[0][0] && b === box[0][1])) return `${side(box[0])}^${box.length}`;
  if (box.length <= BOX_SIDES_SHOWN) return box.map(side).join('×');
  return `${box.slice(0, BOX_SIDES_SHOWN - 1).map(side).join('×')}×… (${box.length} sides; --json prints them all)`;
}
const BOX_SIDES_SHOWN = 6;

export function exactCommand(io: CliIo): Command {
  return networkQueryCommand('exact', 'the exact Lipschitz constant by linear-region enumeration (small input dimension)')
    .option('--max-regions <n>', 'give up after this many linear regions', positiveInt('--max-regions'), 1_000_000)
    .option('--time-limit <s>', 'give up after this many seconds', positiveNumber('--time-limit'), 60)
    .option('--json', 'print one JSON object')
    .action((file: string, opts: QueryOptions & { maxRegions: number; timeLimit: number; json?: boolean }) => {
      const original = readNetworkFile(file);
      const { net, query, c, note } = resolveQuery(original, opts);
      // The limit counts from the start (of the process, for the binary); a first step of the
      // solver that would not fit in what is left is not started.
      const budget = new Budget(opts.timeLimit, Infinity, { origin: io.startedAt });
      const fits = budget.fits(secondsFor(exactChunkFlops(net, query)));
      const r: ExactOutcome | null = fits ? exactLipschitz(net, query, { maxRegions: opts.maxRegions, timeLimit: budget.remaining() }) : null;
      if (r?.kind === 'too-large' && r.limit !== 'time') throw new UserError(`${sourceName(file)}: ${r.message}`);
      if (r === null || r.kind === 'too-large') {
        // Stopped on time: the best certified result so far is a lower bound, at a re-checked witness.
        const w = r?.lowerBoundWitness ? witnessAt(net, r.lowerBoundWitness, query.norm) : null;
        const lower = w && w.value > -Infinity ? w : null;
        const why = r ? `visited ${r.regionsVisited} linear regions` : 'one step of region enumeration would not fit';
        const message = `too large for exact within --time-limit ${opts.timeLimit} s (${why}); use \`lipcheck bounds\` for certified bounds`;
        if (opts.json) printJson(io, { lipschitz: null, lowerBound: lower?.value ?? null, witness: lower ? Array.from(lower.x) : null, regionsVisited: r?.regionsVisited ?? 0, stoppedOnTime: true, message });
        else {
          if (lower) io.out(`${describeQuery(query.norm, boxToPairs(query.box), c)} ≥ ${fmt(lower.value, 12)} (certified lower bound at witness x = ${fmtPoint(lower.x, 10)})\n`);
          io.out(stoppedOnTimeLine(opts.timeLimit, r ? [] : ['the exact solver']) + '\n');
        }
        throw new UserError(`${sourceName(file)}: ${message}`);
      }
      const box = boxToPairs(query.box);
      if (opts.json) {
        printJson(io, {
          lipschitz: r.lipschitz,
          norm: query.norm,
          regions: r.regions,
          witness: Array.from(r.witness),
          seconds: r.seconds,
          box,
          outputs: outputDim(original),
          ...(c ? { c } : {}),
          algorithm: r.algorithm,
          ...(note ? { note } : {}),
          stoppedOnTime: false,
        });
        return;
      }
      if (note) io.out(`note: ${note}\n`);
      io.out(`${describeQuery(query.norm, box, c)} = ${fmt(r.lipschitz, 12)}\n`);
      io.out(`exact: ${r.regions} linear regions visited by ${r.algorithm} in ${fmt(r.seconds, 3)} s\n`);
      io.out(`witness x = ${fmtPoint(r.witness, 10)} (inside a maximising region)\n`);
    });
}
