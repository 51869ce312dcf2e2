import { Command, Option } from 'commander';
import { UserError } from '../errors.js';
import type { Norm } from '../linalg/norms.js';
import { outputDim, type Network } from '../network/network.js';
import { measuredBox } from './clipping.js';
import { parseBox, parseNorm, parseNumberList, scalarize, type LipschitzQuery } from '../lipschitz/query.js';

/** Options every Lipschitz command shares: the norm, an optional box, an optional output combination. */
export interface QueryOptions {
  norm: string;
  box?: string;
  c?: string;
}

/** A command that reads one network file and answers a Lipschitz query about it. */
export function networkQueryCommand(name: string, description: string): Command {
  return addQueryOptions(new Command(name).description(description).argument('<file>', 'network file (relu-mlp JSON, ONNX or NNet); - reads stdin'));
}

/** Adds `--norm`, `--box` and `--c` to a command. */
function addQueryOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--norm <p>', 'the norm p: 2, 1 or inf (same p on input and output)').default('2'))
    .option('--box <box>', 'a local constant on a box: LO:HI (every coordinate) or lo1:hi1,lo2:hi2,…; default global')
    .option('--c <v1,…,vk>', 'the constant of the scalar network c·f instead of f (k outputs)');
}

/**
 * The network actually measured (c·f when `--c` is given) and the query. For a network that clips
 * its inputs (NNet), the box is its input box, or `--box` ∩ it (src/cli/clipping.ts), and `note`
 * says so in one line; otherwise `note` is null.
 */
export function resolveQuery(net: Network, opts: QueryOptions): { net: Network; query: LipschitzQuery; c: number[] | null; note: string | null } {
  const norm: Norm = parseNorm(opts.norm);
  const c = opts.c === undefined ? null : parseNumberList(opts.c, '--c', outputDim(net));
  const { box, note } = measuredBox(net, opts.box === undefined ? null : parseBox(opts.box, net.inputDim));
  return { net: c ? scalarize(net, c) : net, query: { norm, box }, c, note };
}

/** Parses a positive number option, naming the option in the error. */
export function positiveNumber(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isFinite(v) || v <= 0) throw new UserError(`${name}: expected a positive number, got "${text}"`);
    return v;
  };
}

/** Parses a positive integer option, naming the option in the error. */
export function positiveInt(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (!Number.isInteger(v) || v <= 0) throw new UserError(`${name}: expected a positive integer, got "${text}"`);
    return v;
  };
}

/** Parses a non-negative integer option, naming the option in the error. */
export function nonNegativeInt(name: string) {
  return (text: string): number => {
    const v = Number(text);
    if (text.trim() === '' || !Number.isInteger(v) || v < 0) throw new UserError(`${name}: expected a non-negative integer, got "${text}"`);
    return v;
  };
}

/** Parses a seed: a non-negative safe integer, or any other non-empty string used as is. */
export function parseSeed(text: string): number | string {
  const t = text.trim();
  if (t === '') throw new UserError('--seed: must not be empty');
  const v = Number(t);
  return /^\d+$/.test(t) && Number.isSafeInteger(v) ? v : t;
}

/** Parses `i/n` for `--shard` (1 ≤ i ≤ n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UserError(`--shard: expected i/n with 1 ≤ i ≤ n, got "${text}"`);
  return { index, count };
}
