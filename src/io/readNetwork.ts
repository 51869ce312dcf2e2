import { InputError } from '../errors.js';
import { parseReluMlp } from '../network/format.js';
import type { Network } from '../network/network.js';
import { readInput, sourceName } from './files.js';
import { decodeOnnx, looksLikeOnnx, parseOnnx } from './onnx.js';
import { looksLikeNnet, parseNnet } from './nnet.js';

/** The file formats lipcheck reads; detected from content, not from the extension. */
export type NetworkFormat = 'relu-mlp' | 'onnx' | 'nnet';

function isWhitespace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** A few KB decoded as text, or null when they hold bytes no text file has (NUL, most controls). */
function textPrefix(bytes: Uint8Array): string | null {
  const head = bytes.subarray(0, 64 * 1024);
  for (const b of head) if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b)) return null;
  return Buffer.from(head).toString('utf8');
}

/**
 * Guesses the format of a file from its content: relu-mlp JSON starts with `{` (after blanks);
 * NNet is text whose first line that is not blank or a `//` comment holds four comma-separated
 * integers; ONNX is a protobuf ModelProto (its first byte is the ir_version tag, or it decodes and
 * has a graph). Returns null for anything else.
 */
export function detectFormat(bytes: Uint8Array): NetworkFormat | null {
  let i = 0;
  while (i < bytes.length && isWhitespace(bytes[i])) i++;
  if (bytes[i] === 0x7b /* { */) return 'relu-mlp';
  const text = textPrefix(bytes);
  if (text !== null && looksLikeNnet(text)) return 'nnet';
  if (looksLikeOnnx(bytes)) return 'onnx';
  if (bytes.length > 0) {
    try {
      decodeOnnx(bytes, '');
      return 'onnx';
    } catch {
      return null;
    }
  }
  return null;
}

/**
 * Refuses networks whose numbers leave double precision's useful range: the product of the layers'
 * largest absolute row sums (an upper bound on every Jacobian entry and activation scale) must lie
 * in [1e-150, 1e150] unless it is 0. Beyond that, Jacobians overflow or vanish into rounding.
 */
function checkNumericRange(net: Network, source: string): Network {
  let product = 1;
  for (const [i, l] of net.layers.entries()) {
    let worst = 0;
    for (let r = 0; r < l.outDim; r++) {
      let sum = 0;
      for (let c = 0; c < l.inDim; c++) sum += Math.abs(l.weights[r * l.inDim + c]);
      worst = Math.max(worst, sum);
    }
    product *= worst;
    if (!Number.isFinite(product) || product > 1e150) {
      throw new InputError(source, `layers[${i}]: the product of the layers' norms exceeds 1e150, beyond what double precision can analyse (rescale the weights)`);
    }
  }
  if (product !== 0 && product < 1e-150) throw new InputError(source, 'the product of the layers\' norms is below 1e-150, lost in rounding (rescale the weights)');
  return net;
}

/** The bytes as text, decoded in place (`Buffer.from(bytes)` would copy them one by one first). */
function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Reads a network from bytes in any supported format; every problem is a one-line `InputError` naming `source`. */
export function parseNetwork(bytes: Uint8Array, source: string): Network {
  const format = detectFormat(bytes);
  if (format === 'relu-mlp') return checkNumericRange(parseReluMlp(utf8(bytes), source), source);
  if (format === 'nnet') return checkNumericRange(parseNnet(utf8(bytes), source), source);
  if (format === 'onnx') return checkNumericRange(parseOnnx(bytes, source), source);
  if (bytes.length === 0) throw new InputError(source, 'is empty');
  throw new InputError(source, 'not a network lipcheck can read (expected relu-mlp JSON, ONNX or NNet)');
}

/** Reads a network file (`-` is stdin) in any supported format. */
export function readNetworkFile(path: string): Network {
  return parseNetwork(readInput(path), sourceName(path));
}
