import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (fast; the source under test, with coverage). */
export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

/** Runs the real `lipcheck` binary (built dist/) as a user would, optionally feeding stdin. */
export function spawnCli(argv: string[], input?: string, env: Record<string, string> = {}, cwd?: string): CliResult {
  const r = spawnSync(process.execPath, [resolve('bin/lipcheck.js'), ...argv], {
    input,
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
