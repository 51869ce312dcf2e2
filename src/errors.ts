/**
 * Exit codes shared by every lipcheck command, and the error type for user mistakes.
 *
 * A `UserError` is the only error the CLI turns into a one-line message; anything else is a bug in
 * lipcheck and keeps its stack trace.
 */
export const ExitCode = {
  /** Everything checked held. */
  ok: 0,
  /** A checked property failed or a claim was refuted. */
  refuted: 1,
  /** Usage error or bad input, including "too large for this command". */
  usage: 2,
  /** An external implementation faulted (conformance harness). */
  implementationFault: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in what the user gave lipcheck: reported as one line, never as a stack trace. */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.usage) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A user error tied to an input (a file name, or `-` for stdin); the message names the source first. */
export class InputError extends UserError {
  readonly source: string;
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'InputError';
    this.source = source;
  }
}
