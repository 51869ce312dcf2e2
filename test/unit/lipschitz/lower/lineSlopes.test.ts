import { describe, expect, it } from 'vitest';
import { lineRegions, type LineRegion } from '../../../../src/lipschitz/lower/lineSlopes.js';
import { activationPattern, evaluate } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { randomNet, shallowNet } from '../../../support/lowerUnits.js';

/**
 * f(x) = ρ(x − 1) + 2ρ(x + 1) + 3ρ(2 − x), d = 1: kinks at −1, 1, 2. Slopes by hand: x < −1: −3;
 * (−1, 1): 2 − 3 = −1 (x = 0's own region); (1, 2): 1 + 2 − 3 = 0; x > 2: 1 + 2 = 3.
 */
const KINKS = shallowNet([[1], [1], [-1]], [-1, 1, 2], [1, 2, 3]);
const one = (v: number) => [v];
const plain = (rs: readonly LineRegion[]) => rs.map(({ t, slope }) => ({ t, slope: slope + 0 })); // −0 + 0 = +0

describe('lineRegions on a line with hand-known breakpoints', () => {
  it('lists the regions met going out from x, with interior points and slopes', () => {
    const { ahead, behind } = lineRegions(KINKS, one(0), one(1), one(1), -Infinity, Infinity);
    // Bounded regions by their midpoint, the unbounded last one at twice its start.
    expect(plain(ahead)).toEqual([
      { t: 1.5, slope: 0 },
      { t: 4, slope: 3 },
    ]);
    expect(plain(behind)).toEqual([{ t: -2, slope: -3 }]);
  });
  it('scales with the direction and the output combination', () => {
    const { ahead, behind } = lineRegions(KINKS, one(0), one(2), one(-2), -Infinity, Infinity);
    // Along u = 2 the kinks are at t = −0.5, 0.5, 1; slopes ×2 (u) ×(−2) (c).
    expect(plain(ahead)).toEqual([
      { t: 0.75, slope: 0 },
      { t: 2, slope: -12 },
    ]);
    expect(plain(behind)).toEqual([{ t: -1, slope: 12 }]);
    // Going the other way swaps ahead and behind.
    const back = lineRegions(KINKS, one(0), one(-1), one(1), -Infinity, Infinity);
    expect(plain(back.ahead)).toEqual([{ t: 2, slope: 3 }]);
    expect(plain(back.behind)).toEqual([
      { t: -1.5, slope: 0 },
      { t: -4, slope: -3 },
    ]);
  });
  it('stops at the interval (lo, hi): a region is cut at the end, a kink at the end opens none', () => {
    expect(plain(lineRegions(KINKS, one(0), one(1), one(1), -3, 1.8).ahead)).toEqual([{ t: 1.4, slope: 0 }]);
    expect(plain(lineRegions(KINKS, one(0), one(1), one(1), -3, 1.8).behind)).toEqual([{ t: -2, slope: -3 }]);
    expect(plain(lineRegions(KINKS, one(0), one(1), one(1), -3, 2).ahead)).toEqual([{ t: 1.5, slope: 0 }]);
    expect(lineRegions(KINKS, one(0), one(1), one(1), -1, 1)).toEqual({ ahead: [], behind: [] });
    expect(lineRegions(KINKS, one(0), one(1), one(1), -0.5, 0.5)).toEqual({ ahead: [], behind: [] });
  });
  it('sees no region past maxEvents zero crossings', () => {
    expect(lineRegions(KINKS, one(0), one(1), one(1), -Infinity, Infinity, 1)).toEqual({ ahead: [], behind: [] });
    const two = lineRegions(KINKS, one(0), one(1), one(1), -Infinity, Infinity, 2);
    expect(plain(two.ahead)).toEqual([{ t: 1.5, slope: 0 }]);
    expect(plain(two.behind)).toEqual([{ t: -2, slope: -3 }]);
  });
  it('from a point on a kink, starts on the side its pattern reads (off, at x = 1) and crosses the kink at once', () => {
    // At x = 1 neuron 1 reads off but heads on: x's own region is (1, 2); then (2, ∞) slope 3, and behind (−∞, −1) slope −3.
    const { ahead, behind } = lineRegions(KINKS, one(1), one(1), one(1), -Infinity, Infinity);
    expect(plain(ahead)).toEqual([{ t: 2, slope: 3 }]);
    expect(plain(behind)).toEqual([{ t: -4, slope: -3 }]);
  });
  it('an affine network has one region; a line parallel to every kink crosses none', () => {
    const affine = makeNetwork(2, [denseLayer([[1, 2]], [3])]);
    expect(lineRegions(affine, [0, 0], [1, 0], [1], -Infinity, Infinity)).toEqual({ ahead: [], behind: [] });
    const axis = shallowNet([[0, 1]], [0], [1]);
    expect(lineRegions(axis, [0, 1], [1, 0], [1], -Infinity, Infinity)).toEqual({ ahead: [], behind: [] });
  });
});

/**
 * The regions on a line by brute force: the activation pattern on a grid of t (step 0.01), each
 * change located by bisection to 1e-9, and each region's slope by a central difference of cᵀf in it.
 * (A region narrower than the step whose both ends share a pattern would be missed.)
 */
function scan(net: Network, x: number[], u: number[], c: number[], T: number): { t: number; slope: number }[] {
  const at = (t: number) => x.map((v, j) => v + t * u[j]);
  const key = (t: number) => activationPattern(net, at(t)).map((a) => a.join('')).join('|');
  const g = (t: number) => evaluate(net, at(t)).reduce((s, v, i) => s + c[i] * v, 0);
  const kinks: number[] = [];
  const bisect = (a: number, b: number, ka: string, kb: string): void => {
    if (ka === kb) return;
    if (b - a < 1e-9) {
      kinks.push(b);
      return;
    }
    const m = 0.5 * (a + b);
    const km = key(m);
    bisect(a, m, ka, km);
    bisect(m, b, km, kb);
  };
  let previous = key(0);
  for (let i = 1; i <= 100 * T; i++) {
    const k = key(i / 100);
    bisect((i - 1) / 100, i / 100, previous, k);
    previous = k;
  }
  kinks.push(T);
  return kinks.slice(0, -1).map((start, i) => {
    const mid = 0.5 * (start + kinks[i + 1]);
    const h = Math.min(1e-4, (kinks[i + 1] - start) / 4);
    return { t: mid, slope: (g(mid + h) - g(mid - h)) / (2 * h) };
  });
}

describe('lineRegions against a brute-force scan of a deep network', () => {
  it('finds the same regions in the same order with the same slopes, ahead and behind, three hidden layers, two outputs', () => {
    const f = randomNet(2, [8, 8, 6], 2, 5);
    const x = [0.3, -0.2];
    const u = [0.8, 0.6];
    const c = [0.6, -0.8];
    const T = 6;
    const { ahead, behind } = lineRegions(f, x, u, c, -T, T);
    const forward = scan(f, x, u, c, T);
    const backward = scan(f, x, u.map((v) => -v), c, T);
    expect(ahead.length).toBe(forward.length);
    expect(behind.length).toBe(backward.length);
    expect(ahead.length + behind.length).toBeGreaterThanOrEqual(8); // a line worth checking
    ahead.forEach((r, i) => {
      expect(Math.abs(r.t - forward[i].t)).toBeLessThan(1e-8 * (1 + Math.abs(r.t)));
      expect(Math.abs(r.slope - forward[i].slope)).toBeLessThan(1e-6 * (1 + Math.abs(r.slope)));
    });
    behind.forEach((r, i) => {
      expect(Math.abs(-r.t - backward[i].t)).toBeLessThan(1e-8 * (1 + Math.abs(r.t)));
      expect(Math.abs(r.slope + backward[i].slope)).toBeLessThan(1e-6 * (1 + Math.abs(r.slope)));
    });
  });
});
