// StrykerJS configuration for `npm run mutation` (scripts/mutation.ts, which picks `mutate` per shard
// and sets LIPCHECK_MUTATION_SHARD). See README, "Mutation score".
const shard = process.env.LIPCHECK_MUTATION_SHARD ?? 'custom';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // Only the fast unit-level tests (see that file for why); `related: false` because perTest
  // coverage already picks, for each mutant, the tests that reach it.
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: ['src/lipschitz/**/*.ts', 'src/harness/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants run only while a module loads; each would need a fresh module graph for every test.
  ignoreStatic: true,
  concurrency: 2,
  // A mutant's time limit is 1.5 × its tests' dry-run time + 3 s. Mutants of budget.ts and of the
  // loops turn into endless loops, and each timeout also costs a fresh test runner, so the limit is
  // kept short; a spurious timeout on a loaded machine would count as a kill.
  timeoutFactor: 1.5,
  timeoutMS: 3000,
  // Results per shard are kept apart, so running one shard does not erase another's (gitignored).
  incremental: true,
  incrementalFile: `reports/mutation/${shard}.incremental.json`,
  reporters: ['progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${shard}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'coverage', 'bench', 'docs', '.tmp', 'lipcheck-failures'],
};
