import { describe, expect, it } from 'vitest';
import { queryDomain } from '../../src/lipschitz/domain.js';
import { intervalJacobianBound, preActivationBounds } from '../../src/lipschitz/upper/intervals.js';
import { denseLayer, makeNetwork } from '../../src/network/network.js';

// Interval bounds at scales that overflow: ∞ − ∞ (or ±∞·0) must widen to ±∞ (sound: no bound),
// never NaN, which every later comparison would read as "no constraint" in one place and "stable"
// in another.
describe('interval bounds when pre-activations overflow', () => {
  // z₀ = 1e300·x ± 1e300·x overflows in the first layer on a far box (centre 1e10: q = ∞, and its rounding guard ∞ too); then mixed
  // signs meet +∞ and −∞ in the second.
  const net = makeNetwork(2, [
    denseLayer([[1e300, 1e300], [1e300, -1e300]], [1e300, -1e300]),
    denseLayer([[1e300, -1e300], [-1e300, 1e300]], [0, 0]),
    denseLayer([[1, 1]], [0]),
  ]);
  const box = { lo: Float64Array.of(1e10, 1e10), hi: Float64Array.of(1e10 + 2, 1e10 + 2) };
  it('no NaN in the pre-activation bounds: each endpoint is a number or ±∞, lo ≤ hi', () => {
    const b = preActivationBounds(net, queryDomain(net, box));
    for (let l = 0; l < b.lo.length; l++) {
      for (let i = 0; i < b.lo[l].length; i++) {
        expect(Number.isNaN(b.lo[l][i]) || Number.isNaN(b.hi[l][i])).toBe(false);
        expect(b.lo[l][i]).toBeLessThanOrEqual(b.hi[l][i]);
      }
    }
  });
  it('the Jacobian bound is +∞ (sound), not NaN, in every norm', () => {
    for (const p of ['2', '1', 'inf'] as const) expect(intervalJacobianBound(net, queryDomain(net, box), p).value).toBe(Infinity);
  });
});
