import { describe, expect, it } from 'vitest';
import { readNetworkFile } from '../../src/io/readNetwork.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import { verifyClaim } from '../../src/lipschitz/verify.js';
import { jacobian } from '../../src/network/evaluate.js';

// Issue 15's "done when" for verify, on LipSDP's MNIST net (784→50→10): the values the claims are
// built from are the published ones (fixtures/peers/README.md), computed outside lipcheck:
// LipSDP-Neuron ≈ 24.37 and a realisable-pattern lower bound 24.30.
const net = readNetworkFile('fixtures/peers/lipsdp-mnist.json');
const global = { norm: '2' as const, box: null };
const LIPSDP = 24.37;
const REALISED = 24.3;
const options = { timeLimit: 20 };

describe('verify on a 784-input net refutes claims 3 % off with the new methods', () => {
  it('a lower claim 3 % above the LipSDP value: refuted by a certified upper bound (LipSDP), early', async () => {
    const v = await verifyClaim(net, global, { kind: 'lower', value: 1.03 * LIPSDP }, options);
    expect(v.status).toBe('refuted');
    expect(v.certifiedUpper!).toBeLessThan(1.03 * LIPSDP);
    expect(v.certifiedUpper!).toBeGreaterThanOrEqual(REALISED); // sound: never below a realised value
  });
  it('an upper claim 3 % below the realised value: refuted by a witness whose Jacobian norm, recomputed here, exceeds it', async () => {
    const claim = 0.97 * REALISED;
    const v = await verifyClaim(net, global, { kind: 'upper', value: claim }, options);
    expect(v.status).toBe('refuted');
    expect(operatorNorm(jacobian(net, v.witness!.x), '2')).toBeGreaterThan(claim);
  });
  it('an upper claim 0.1 % below the published realisable-pattern bound (24.28): refuted too — one hidden layer with N ≤ d, so the pattern search reaches it', async () => {
    const claim = 0.999 * REALISED;
    const v = await verifyClaim(net, global, { kind: 'upper', value: claim }, options);
    expect(v.status).toBe('refuted');
    const value = operatorNorm(jacobian(net, v.witness!.x), '2');
    expect(value).toBeGreaterThan(claim);
    expect(value).toBeLessThan(LIPSDP); // and sound: below LipSDP's certified value
  });
  it('honest claims stand: an upper claim 3 % above LipSDP is proven, a lower claim below the realised value is not refuted', async () => {
    const up = await verifyClaim(net, global, { kind: 'upper', value: 1.03 * LIPSDP }, options);
    expect(up).toMatchObject({ status: 'consistent', proven: true });
    const low = await verifyClaim(net, global, { kind: 'lower', value: 0.5 * REALISED }, options);
    expect(low.status).toBe('consistent');
  });
});
