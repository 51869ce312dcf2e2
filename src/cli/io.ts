/** Where a command writes; the CLI uses the process streams, tests capture them. */
export interface CliStreams {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is an interactive terminal (progress bars only then). */
  readonly isTTY: boolean;
  /** The `performance.now()` from which `--time-limit` counts (default: when the command starts). */
  readonly startedAt?: number;
}

/** What a command sees: the streams, and the exit code it reports (0 unless it sets another). */
export interface CliIo extends CliStreams {
  exitCode: number;
  readonly startedAt: number;
}

export const processStreams: CliStreams = {
  // The binary's limits count from the start of the process, so start-up and reading count too.
  startedAt: 0,
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  get isTTY() {
    return Boolean(process.stdout.isTTY);
  },
};

/** Prints a JSON value on one line. */
export function printJson(io: CliIo, value: unknown): void {
  // JSON.stringify writes NaN and ±Infinity as null, which is what the JSON outputs promise.
  io.out(JSON.stringify(value) + '\n');
}

/** Formats a number for people: 6 significant digits. */
export function fmt(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  return Number(x.toPrecision(digits)).toString();
}

/** Formats a vector for people. */
export function fmtVector(v: ArrayLike<number>, digits = 6): string {
  return `[${Array.from(v, (x) => fmt(x, digits)).join(', ')}]`;
}
