/**
 * The properties' generators live in the package (src/arbitraries/, exported as
 * `lipcheck/arbitraries`), so that users' suites get the same ones; this module re-exports them
 * for the suites here.
 */
export * from '../../src/arbitraries/index.js';
