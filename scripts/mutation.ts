/**
 * `npm run mutation [-- options]`: StrykerJS on src/lipschitz and src/harness (stryker.config.mjs,
 * tests from vitest.mutation.config.ts), then the per-folder score table (scripts/mutationReport.ts).
 *
 *   npm run mutation                          the default shard, `core` (the modules with unit tests)
 *   npm run mutation -- --shard exact         another shard (see SHARDS); `--shard all` runs them in turn
 *   npm run mutation -- --mutate src/lipschitz/upper/rounding.ts   any files or globs (shard `custom`)
 *   npm run mutation -- --force               forget the incremental results and re-test every mutant
 *
 * Other options are passed to `stryker run` (e.g. `--concurrency 4`). Each shard keeps its own
 * report and incremental file in reports/mutation/ (gitignored), so shards do not erase each other.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Which source files each shard mutates (Stryker globs). Together they cover both folders once. */
export const SHARDS: Record<string, readonly string[]> = {
  // The modules with fast unit tests of their own (test/unit/): the default, fits in CI time.
  core: [
    'src/harness/checks.ts',
    'src/harness/protocol.ts',
    'src/lipschitz/budget.ts',
    'src/lipschitz/domain.ts',
    'src/lipschitz/upper/rounding.ts',
    'src/lipschitz/upper/operatorNorms.ts',
    'src/lipschitz/upper/intervals.ts',
  ],
  // The rest of both folders, one shard per folder (see README for measured times).
  harness: ['src/harness/**/*.ts', '!src/harness/checks.ts', '!src/harness/protocol.ts'],
  lipschitz: ['src/lipschitz/*.ts', '!src/lipschitz/budget.ts', '!src/lipschitz/domain.ts'],
  upper: ['src/lipschitz/upper/*.ts', '!src/lipschitz/upper/rounding.ts', '!src/lipschitz/upper/operatorNorms.ts', '!src/lipschitz/upper/intervals.ts'],
  sdp: ['src/lipschitz/upper/sdp/**/*.ts'],
  exact: ['src/lipschitz/exact/**/*.ts'],
  lower: ['src/lipschitz/lower/**/*.ts'],
};

/** Splits the command line into the shards to run, their globs, and the options left for Stryker. */
export function parseArguments(args: readonly string[]): { runs: { shard: string; mutate: readonly string[] }[]; rest: string[] } {
  const rest: string[] = [];
  const custom: string[] = [];
  let shard = 'core';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
    const name = arg.split('=')[0];
    if (name === '--shard' || name === '--mutate' || name === '-m') {
      if (value === undefined) throw new Error(`${name} needs a value`);
      if (!arg.includes('=')) i++;
      if (name === '--shard') shard = value;
      else custom.push(...value.split(','));
    } else rest.push(arg);
  }
  if (custom.length > 0) return { runs: [{ shard: 'custom', mutate: custom }], rest };
  if (shard === 'all') return { runs: Object.entries(SHARDS).map(([s, mutate]) => ({ shard: s, mutate })), rest };
  const mutate = SHARDS[shard];
  if (!mutate) throw new Error(`unknown shard '${shard}' (known: ${Object.keys(SHARDS).join(', ')}, all)`);
  return { runs: [{ shard, mutate }], rest };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`npm run mutation: ${(error as Error).message}`);
    process.exit(2);
  }
  mkdirSync('reports/mutation', { recursive: true });
  let failed = 0;
  for (const { shard, mutate } of parsed.runs) {
    const started = performance.now();
    const stryker = spawnSync(
      process.execPath,
      [
        'node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs',
        '--mutate', mutate.join(','),
        ...parsed.rest,
      ],
      { stdio: 'inherit', env: { ...process.env, LIPCHECK_MUTATION_SHARD: shard } },
    );
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    console.log(`\nshard ${shard}: ${minutes} min wall time, exit ${stryker.status}`);
    if (stryker.status !== 0) failed++;
  }
  const report = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/mutationReport.ts'], { stdio: 'inherit' });
  process.exit(failed > 0 || report.status !== 0 ? 1 : 0);
}
