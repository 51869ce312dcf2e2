import { spawnSync } from 'node:child_process';

/**
 * Runs a Python 3 snippet (numpy and scipy are on every lipcheck machine, CI's included) with `input`
 * as JSON on stdin, and parses its stdout as JSON. Used for independent cross-checks.
 */
export function python<T = unknown>(code: string, input: unknown = null): T {
  const r = spawnSync('python3', ['-c', code], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Runs a Python script file with JSON on stdin and parses its JSON stdout. */
export function pythonFile<T = unknown>(path: string, input: unknown, args: string[] = []): T {
  const r = spawnSync('python3', [path, ...args], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python3 ${path} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
