import { Command, CommanderError } from 'commander';
import { UserError } from '../../src/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import type { CliResult } from './cli.js';

/**
 * Runs one command factory the way `runCli` runs a registered command (same one-line error
 * handling and exit codes), for commands that are not registered in src/cli/main.ts yet.
 */
export async function runCommand(factory: (io: CliIo) => Command, ...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { out: (t) => (stdout += t), err: (t) => (stderr += t), isTTY: false, exitCode: 0 };
  const program = new Command('lipcheck').addCommand(factory(io));
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t), outputError: (t, write) => write(`lipcheck: ${t.replace(/^error: /, '')}`) });
    cmd.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: io.exitCode, stdout, stderr };
  } catch (err) {
    if (err instanceof UserError) return { code: err.exitCode, stdout, stderr: stderr + `lipcheck: ${err.message}\n` };
    if (err instanceof CommanderError) return { code: err.code === 'commander.helpDisplayed' ? 0 : 2, stdout, stderr };
    throw err;
  }
}
