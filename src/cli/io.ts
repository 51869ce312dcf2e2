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

/** Vectors up to this length print in full; longer ones print their first VECTOR_HEAD entries and a count. */
export const VECTOR_FULL = 8;
const VECTOR_HEAD = 3;

/**
 * Formats a vector for people, readable at any length: in full up to VECTOR_FULL entries, else the
 * first few and a count, `[0.12, -0.5, 0.33, … 781 more]` (the `--json` outputs keep every entry).
 */
export function fmtVector(v: ArrayLike<number>, digits = 6): string {
  const shown = v.length <= VECTOR_FULL ? v.length : VECTOR_HEAD;
  const head = Array.from({ length: shown }, (_, i) => fmt(v[i], digits));
  return `[${head.join(', ')}${shown < v.length ? `, … ${v.length - shown} more` : ''}]`;
}

/**
 * A point people may want to recompute (a witness): every digit (17 significant, round-trips) when it
 * is printed in full, else `fmtVector`'s abbreviation with a pointer to `--json`.
 */
export function fmtPoint(x: ArrayLike<number>, digits = 17): string {
  return fmtVector(x, digits) + (x.length > VECTOR_FULL ? ' (--json prints every coordinate)' : '');
}

/** Rows of a matrix for people, each a `fmtVector` line, the same rule applied to the number of rows. */
export function fmtRows(rows: readonly ArrayLike<number>[], digits = 6): string[] {
  const shown = rows.length <= VECTOR_FULL ? rows.length : VECTOR_HEAD;
  const lines = rows.slice(0, shown).map((r) => fmtVector(r, digits));
  if (shown < rows.length) lines.push(`… ${rows.length - shown} more rows`);
  return lines;
}
