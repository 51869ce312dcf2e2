import type { Command } from 'commander';
import { exactLipschitz } from '../../lipschitz/exact/index.js';
import { boxToPairs } from '../../lipschitz/query.js';
import { outputDim } from '../../network/network.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { UserError } from '../../errors.js';
import { fmt, fmtPoint, printJson, type CliIo } from '../io.js';
import { networkQueryCommand, positiveInt, positiveNumber, resolveQuery, type QueryOptions } from '../options.js';
import { sourceName } from '../../io/files.js';

/** Human name of a query, e.g. "Lip_2 on [0,1]^2 of c·f". */
export function describeQuery(norm: string, box: [number, number][] | null, c: number[] | null): string {
  const where = box === null ? 'global' : `on the box ${box.map(([a, b]) => `[${a}, ${b}]`).join('×')}`;
  return `Lip_${norm}${c ? ' of c·f' : ''} (${where})`;
}

export function exactCommand(io: CliIo): Command {
  return networkQueryCommand('exact', 'the exact Lipschitz constant by linear-region enumeration (small input dimension)')
    .option('--max-regions <n>', 'give up after this many linear regions', positiveInt('--max-regions'), 1_000_000)
    .option('--time-limit <s>', 'give up after this many seconds', positiveNumber('--time-limit'), 60)
    .option('--json', 'print one JSON object')
    .action((file: string, opts: QueryOptions & { maxRegions: number; timeLimit: number; json?: boolean }) => {
      const original = readNetworkFile(file);
      const { net, query, c, note } = resolveQuery(original, opts);
      const r = exactLipschitz(net, query, { maxRegions: opts.maxRegions, timeLimit: opts.timeLimit });
      if (r.kind === 'too-large') throw new UserError(`${sourceName(file)}: ${r.message}`);
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
          ...(note ? { note } : {}),
          algorithm: r.algorithm,
        });
        return;
      }
      if (note) io.out(`note: ${note}\n`);
      io.out(`${describeQuery(query.norm, box, c)} = ${fmt(r.lipschitz, 12)}\n`);
      io.out(`exact: ${r.regions} linear regions visited by ${r.algorithm} in ${fmt(r.seconds, 3)} s\n`);
      io.out(`witness x = ${fmtPoint(r.witness, 10)} (inside a maximising region)\n`);
    });
}
