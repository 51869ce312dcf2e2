import { readFileSync, renameSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';

/** How messages name a path argument: `stdin` for `-`. */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** Reads a whole file (or stdin for `-`) as bytes; a missing or unreadable file is an InputError. */
export function readInput(path: string): Buffer {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(sourceName(path), reason);
  }
}

/**
 * Writes a file atomically: the text goes to a temporary file beside the target, which is renamed
 * over it only when complete, so a failure never leaves a half-written file.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
