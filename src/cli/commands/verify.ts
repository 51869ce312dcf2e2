import type { Command } from 'commander';
import { verifyClaim, type Claim } from '../../lipschitz/verify.js';
import { Budget } from '../../lipschitz/budget.js';
import { stoppedOnTimeLine } from './bounds.js';
import { boxToPairs } from '../../lipschitz/query.js';
import { outputDim } from '../../network/network.js';
import { readNetworkFile } from '../../io/readNetwork.js';
import { UserError, ExitCode } from '../../errors.js';
import { fmtPoint, printJson, type CliIo } from '../io.js';
import { networkQueryCommand, positiveNumber, resolveQuery, type QueryOptions } from '../options.js';

function claimValue(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || v < 0) throw new UserError(`${name}: expected a non-negative number, got "${text}"`);
    return v;
  };
}

export function verifyCommand(io: CliIo): Command {
  return networkQueryCommand('verify', 'check a claimed Lipschitz bound: exit 0 if consistent with what lipcheck certifies, 1 if refuted')
    .option('--upper <u>', 'claimed upper bound', claimValue('--upper'))
    .option('--lower <l>', 'claimed lower bound', claimValue('--lower'))
    .option('--exact <e>', 'claimed exact value', claimValue('--exact'))
    .option('--rtol <r>', 'relative tolerance for --exact', positiveNumber('--rtol'), 1e-6)
    .option('--time-limit <s>', 'seconds to spend', positiveNumber('--time-limit'), 30)
    .option('--json', 'print one JSON object')
    .action(async (file: string, opts: QueryOptions & { upper?: number; lower?: number; exact?: number; rtol: number; timeLimit: number; json?: boolean }) => {
      const given = (['upper', 'lower', 'exact'] as const).filter((k) => opts[k] !== undefined);
      if (given.length !== 1) throw new UserError(`verify: give exactly one of --upper, --lower, --exact (got ${given.length})`);
      const claim: Claim = { kind: given[0], value: opts[given[0]]! };
      const original = readNetworkFile(file);
      const { net, query, note } = resolveQuery(original, opts);
      const v = await verifyClaim(net, query, claim, { timeLimit: opts.timeLimit, budget: new Budget(opts.timeLimit, Infinity, { origin: io.startedAt }), rtol: opts.rtol });
      io.exitCode = v.status === 'refuted' ? ExitCode.refuted : ExitCode.ok;
      if (opts.json) {
        printJson(io, {
          claim,
          status: v.status,
          proven: v.proven,
          witness: v.witness ? { x: Array.from(v.witness.x), value: v.witness.value } : null,
          certifiedUpper: v.certifiedUpper,
          exact: v.exact,
          lower: v.lower,
          upper: v.upper,
          norm: query.norm,
          box: boxToPairs(query.box),
          outputs: outputDim(original),
          ...(note ? { note } : {}),
          message: v.message,
          stoppedOnTime: v.stoppedOnTime,
          skipped: v.skipped,
        });
        return;
      }
      if (note) io.out(`note: ${note}\n`);
      io.out(`${v.message}\n`);
      if (v.witness) io.out(`witness x = ${fmtPoint(v.witness.x)}\nJacobian norm at x = ${v.witness.value}\n`);
      if (v.certifiedUpper !== null) io.out(`certified upper bound = ${v.certifiedUpper}\n`);
      if (v.stoppedOnTime) io.out(stoppedOnTimeLine(opts.timeLimit, v.skipped) + '\n');
    });
}
