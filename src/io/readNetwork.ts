import { InputError } from '../errors.js';
import { parseReluMlp } from '../network/format.js';
import type { Network } from '../network/network.js';
import { readInput } from './files.js';

/** The file formats lipcheck reads; detected from content, not from the extension. */
export type NetworkFormat = 'relu-mlp';

/** Guesses the format of a file from its first bytes. */
export function detectFormat(bytes: Uint8Array): NetworkFormat | null {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b /* { */) return 'relu-mlp';
  return null;
}

/** Reads a network from bytes; `source` names the file in errors. */
export function parseNetwork(bytes: Uint8Array, source: string): Network {
  const format = detectFormat(bytes);
  if (format === 'relu-mlp') return parseReluMlp(Buffer.from(bytes).toString('utf8'), source);
  if (bytes.length === 0) throw new InputError(source, 'is empty');
  throw new InputError(source, 'not a network lipcheck can read (expected relu-mlp JSON)');
}

/** Reads a network file (`-` is stdin) in any supported format. */
export function readNetworkFile(path: string): Network {
  return parseNetwork(readInput(path), path === '-' ? 'stdin' : path);
}
