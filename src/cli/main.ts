import { Command, CommanderError } from 'commander';
import { ExitCode, UserError } from '../errors.js';
import { processStreams, type CliIo, type CliStreams } from './io.js';
import { sampleCommand } from './commands/sample.js';
import { evalCommand } from './commands/eval.js';
import { exactCommand } from './commands/exact.js';
import { infoCommand } from './commands/info.js';
import { boundsCommand } from './commands/bounds.js';
import { verifyCommand } from './commands/verify.js';
import { conformanceCommand } from './commands/conformance.js';
import { studyCommand } from './commands/study.js';
import { convertCommand } from './commands/convert.js';

/** Every command, in the order `--help` lists them. */
function buildProgram(io: CliIo): Command {
  const program = new Command('lipcheck')
    .description('Lipschitz constants of ReLU networks: exact values, certified bounds, and checks against the random-network theorems')
    .version('0.1.0')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)');
  const commands = [sampleCommand(io), evalCommand(io), exactCommand(io), boundsCommand(io), verifyCommand(io), infoCommand(io), convertCommand(io), conformanceCommand(io), studyCommand(io)];
  for (const cmd of commands) program.addCommand(cmd);
  // One line per user mistake, the same exit code (2) for every usage error, help on stdout.
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t), outputError: (t, write) => write(`lipcheck: ${t.replace(/^error: /, '')}`) });
    cmd.showHelpAfterError(false);
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and resolves to the exit code.
 * User mistakes print one line `lipcheck: …` on stderr; nothing else is caught.
 */
export async function runCli(argv: readonly string[], streams: CliStreams = processStreams): Promise<number> {
  const io: CliIo = { out: (t) => streams.out(t), err: (t) => streams.err(t), isTTY: streams.isTTY, exitCode: ExitCode.ok, startedAt: streams.startedAt ?? performance.now() };
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return io.exitCode;
  } catch (err) {
    if (err instanceof UserError) {
      io.err(`lipcheck: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
      return ExitCode.usage; // commander has already printed its one-line message
    }
    throw err;
  }
}

/** Entry point of the `lipcheck` binary. */
export async function main(): Promise<void> {
  const code = await runCli(process.argv.slice(2));
  process.exitCode = code;
}
