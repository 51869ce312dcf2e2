import fc from 'fast-check';
import { relative } from 'node:path';

/**
 * How every property in lipcheck runs: fixed default seeds (CI is never flaky), fresh seeds on
 * request, a scalable number of runs, and a failure report that carries the seed, the fast-check
 * path and a one-line command that replays exactly that case.
 */
export interface PropertyRunOptions {
  /** Runs at scale 1. */
  numRuns: number;
  /** The fixed default seed of this property (used unless LIPCHECK_FRESH_SEEDS or LIPCHECK_SEED say otherwise). */
  seed: number;
  /** The test file, for the replay line (pass `import.meta.url`). */
  file: string;
  /** The test name, for the replay line's `-t` filter. */
  name: string;
}

/** The multiplier from LIPCHECK_RUNS_SCALE (default 1). */
export function runsScale(): number {
  const raw = process.env.LIPCHECK_RUNS_SCALE;
  const v = raw === undefined ? 1 : Number(raw);
  return Number.isFinite(v) && v > 0 ? v : 1;
}

/** The seed a property or statistical test runs with, honouring LIPCHECK_SEED and LIPCHECK_FRESH_SEEDS. */
export function chooseSeed(defaultSeed: number): number {
  if (process.env.LIPCHECK_SEED !== undefined) return Number(process.env.LIPCHECK_SEED) | 0;
  if (process.env.LIPCHECK_FRESH_SEEDS === '1') return (Math.random() * 2 ** 31) | 0;
  return defaultSeed;
}

/** The shell line that reruns one test with one seed (and, for properties, one path). */
export function replayCommand(file: string, name: string, seed: number, path?: string): string {
  const rel = relative(process.cwd(), file.startsWith('file:') ? new URL(file).pathname : file);
  const env = [`LIPCHECK_SEED=${seed}`, ...(path ? [`LIPCHECK_PATH=${path}`] : [])].join(' ');
  return `${env} npx vitest run ${rel} -t ${JSON.stringify(name)}`;
}

/**
 * Asserts a fast-check property. On failure the thrown error starts with the seed, the path and the
 * replay line, followed by fast-check's own report (counterexample, shrinking).
 */
export function checkProperty<Ts>(property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, options: PropertyRunOptions): void | Promise<void> {
  const seed = chooseSeed(options.seed);
  const path = process.env.LIPCHECK_PATH;
  const params: fc.Parameters<Ts> = {
    seed,
    numRuns: Math.max(1, Math.round(options.numRuns * runsScale())),
    ...(path ? { path, endOnFailure: true } : {}),
  };
  const report = (details: fc.RunDetails<Ts>): void => {
    if (!details.failed) return;
    const header =
      `property failed — seed ${details.seed}, path ${details.counterexamplePath}\n` +
      `replay: ${replayCommand(options.file, options.name, details.seed, details.counterexamplePath ?? undefined)}\n`;
    // The predicate's own error (which assertion failed, and why) travels as the cause, as fc.assert does.
    throw new Error(header + (fc.defaultReportMessage(details) ?? ''), { cause: details.errorInstance });
  };
  const details = fc.check(property as fc.IProperty<Ts>, params);
  if (details instanceof Promise) return details.then(report);
  report(details as fc.RunDetails<Ts>);
}
