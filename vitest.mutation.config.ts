import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (`npm run mutation`, stryker.config.json). Only fast,
 * unit-level files: every mutant re-runs the tests that cover it, so one slow test that reaches a whole
 * folder (the CLI spawns, the brute-force exact suites, the conformance library run) would cost its
 * duration once per mutant. The slow suites still run in `npm test`; a mutant they would kill but these
 * do not counts as survived here, which is the point: the fast tests are meant to have the teeth.
 * Left out for their per-test time (≥ 1 s each on 2 loaded cores, measured 2026-12): shapeCheck,
 * thinRegions, farBoxes, linearBounds, peers, test/lipschitz/budget (its certifiedBounds tests reach
 * most of src/lipschitz), everything under test/cli, exact, bounds, brackets, crosscheck, properties/.
 *
 * No globalSetup (nothing here spawns dist/), no coverage (Stryker measures its own, per test).
 * One module graph for all files (`isolate: false`, as in npm test): a run on lower/index.ts took
 * 3.7 min with a fresh graph per file, 2.7 min without.
 */
export const mutationTests = [
  'test/unit/**/*.test.ts',
  'test/harness/checks.test.ts',
  'test/harness/protocol.test.ts',
  'test/lipschitz/zonotope.test.ts',
  'test/lipschitz/sdp/certificate.test.ts',
  // 0.3 s and 0.2 s in all (2026-12, loaded): the facets' and the sound LP's own checks.
  'test/lipschitz/sdp/facets.test.ts',
  'test/lipschitz/sdp/soundLp.test.ts',
];

export default defineConfig({
  test: {
    include: mutationTests,
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
