import { describe, expect, it } from 'vitest';
import type { ConformanceCase } from '../../src/harness/cases.js';
import { referenceFor } from '../../src/harness/reference.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import { jacobian } from '../../src/network/evaluate.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';

// The reference aimed at the claims under test: it stops once the bracket refutes one, and says so
// (the session then does not cache it for other implementations). At d = 8 with two hidden layers
// the exact solver is not attempted; the claims are built from the best of 2,000 Jacobians at
// Gaussian points computed here (a value Lip is at least), and every witness is re-evaluated here.
const network = sampleNetwork({ inputDim: 8, widths: [16, 16], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: 5 });
const c: ConformanceCase = { id: 7, network, norm: '2', box: null, size: 'large', family: null, band: null, description: 'reference test' };
const sampled = (() => {
  const s = createStream(1, 'reference-test');
  let best = 0;
  for (let i = 0; i < 2000; i++) best = Math.max(best, operatorNorm(jacobian(network, Float64Array.from({ length: 8 }, () => 3 * s.gaussian())), '2'));
  return best;
})();

describe('the conformance reference aims at the claims under test', () => {
  it('an upper claim 10 % below a sampled value: a witness above it, and the reference says it stopped there', async () => {
    const ref = await referenceFor(c, 3, { upper: 0.9 * sampled });
    expect(ref.stoppedAtClaim).toBe(true);
    expect(ref.lower).toBeGreaterThan(0.9 * sampled);
    expect(operatorNorm(jacobian(network, ref.witness), '2')).toBe(ref.lower);
    expect(ref.upper).toBeGreaterThanOrEqual(sampled);
  });
  it('a lower claim twice a sampled value: a certified upper bound below it (sound); sound claims get the full reference', async () => {
    const high = await referenceFor(c, 3, { lower: 2 * sampled });
    expect(high.stoppedAtClaim).toBe(true);
    expect(high.upper).toBeLessThan(2 * sampled);
    expect(high.upper).toBeGreaterThanOrEqual(sampled);
    const sound = await referenceFor(c, 0.5, { upper: 100 * sampled, lower: 0.5 * sampled });
    expect(sound.stoppedAtClaim).toBeUndefined();
    expect(sound.lower).toBeGreaterThanOrEqual(0.5 * sampled);
  });
});
