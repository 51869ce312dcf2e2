import { describe, expect, it } from 'vitest';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { queryDomain } from '../../src/lipschitz/domain.js';
import { intervalJacobianBound, preActivationBounds } from '../../src/lipschitz/upper/intervals.js';
import { zonotopeBoundFor } from '../../src/lipschitz/upper/zonotope.js';
import { lipschitzMip } from '../../src/lipschitz/upper/lipschitzMip.js';
import { boxFromPairs, type Box } from '../../src/lipschitz/query.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { vectorNorm, type Norm } from '../../src/linalg/norms.js';
import { createStream } from '../../src/random/stream.js';
import { add, dyadic, exactDot, sign, type Dyadic } from '../support/exactArithmetic.js';

/**
 * Boxes far from the origin (centre 1e4 … 1e15, widths 1e-3 … a few units in the last place) with
 * one neuron f(x) = a·ρ(w·x + b) whose kink may cross the box. The answer is analytic: a·‖w‖_{p′}
 * if w·x + b > 0 somewhere in the box, else 0 — and "somewhere" is decided exactly, in BigInt
 * arithmetic on the doubles (test/support/exactArithmetic.ts), at the box's extreme corners.
 */
interface FarCase {
  readonly net: Network;
  readonly box: Box;
  readonly w: number[];
  readonly a: number;
  /** Exact min and max of w·x + b over the box. */
  readonly range: [Dyadic, Dyadic];
}

function farCases(seed: number, count: number): FarCase[] {
  const s = createStream(seed, 'far-boxes');
  const out: FarCase[] = [];
  const centres = [1e4, 1e6, 1e8, 1e10, 1e12, 1e15];
  const widths = [1e-3, 1e-5, 1e-7, 1e-9, 0]; // 0: a few units in the last place
  for (let c = 0; out.length < count; c++) {
    const C = centres[c % centres.length];
    const width = widths[Math.floor(c / centres.length) % widths.length];
    const d = [1, 2, 3, 8][c % 4];
    const lo = Array.from({ length: d }, () => C * (1 + s.uniform()));
    const hi = lo.map((v) => (width > 0 ? v + width * (1 + s.uniform()) : v + v * 2 ** -50 * (1 + 6 * s.uniform())));
    if (hi.some((v, i) => !(v > lo[i]))) continue; // the width is below the spacing of doubles there
    const w = Array.from({ length: d }, () => s.gaussian());
    // The kink passes near a point at a fraction of the box: near either face or in the middle.
    const fraction = [0.001, 0.5, 0.999][c % 3];
    const through = lo.map((v, i) => v + (hi[i] - v) * fraction);
    let b = 0;
    for (let k = 0; k < d; k++) b -= w[k] * through[k];
    const a = 0.1 + s.uniform();
    const net = makeNetwork(d, [denseLayer([w], [b]), denseLayer([[a]], [0])]);
    const box = boxFromPairs(lo.map((v, i) => [v, hi[i]] as [number, number]), d);
    const low = lo.map((v, k) => (w[k] > 0 ? v : hi[k]));
    const high = lo.map((v, k) => (w[k] > 0 ? hi[k] : v));
    out.push({ net, box, w, a, range: [exactDot(w, low, b), exactDot(w, high, b)] });
  }
  return out;
}

/** The analytic constant: a·‖w‖_{p′} if the neuron is active somewhere in the open box, else 0. */
function analytic(c: FarCase, norm: Norm): number {
  if (sign(c.range[1]) <= 0) return 0;
  return c.a * vectorNorm(c.w, norm === '2' ? '2' : norm === '1' ? 'inf' : '1');
}

const minus = (x: number): Dyadic => {
  const v = dyadic(x);
  return { m: -v.m, e: v.e };
};

describe('boxes far from the origin keep their kinks', () => {
  const cases = farCases(11, 72);
  it('the interval pre-activation bounds contain the exact range of w·x + b', () => {
    for (const c of cases) {
      const pb = preActivationBounds(c.net, queryDomain(c.net, c.box));
      expect(sign(add(c.range[0], minus(pb.lo[0][0])))).toBeGreaterThanOrEqual(0);
      expect(sign(add(c.range[1], minus(pb.hi[0][0])))).toBeLessThanOrEqual(0);
    }
  });
  it('interval and zonotope bounds never fall below the analytic constant; exact equals it', () => {
    let crossing = 0;
    for (const c of cases) {
      if (sign(c.range[0]) < 0 && sign(c.range[1]) > 0) crossing++;
      for (const norm of ['2', '1', 'inf'] as Norm[]) {
        const expected = analytic(c, norm);
        const domain = queryDomain(c.net, c.box);
        expect(intervalJacobianBound(c.net, domain, norm).value).toBeGreaterThanOrEqual(expected);
        if (norm === '2') expect(zonotopeBoundFor(c.net, { norm, box: c.box }, 1)!.upper).toBeGreaterThanOrEqual(expected);
        const r = exactLipschitz(c.net, { norm, box: c.box });
        expect(r.kind).toBe('exact');
        if (r.kind === 'exact') expect(Math.abs(r.lipschitz - expected)).toBeLessThanOrEqual(1e-12 * expected);
      }
    }
    expect(crossing).toBeGreaterThan(24); // most kinks really cross their box
  });
  it('the MIP bound (p = ∞, one reverse-mode MIP) never falls below the analytic constant, and is never refused', async () => {
    let solved = 0;
    for (const c of cases.filter((x) => x.net.inputDim > 1).slice(0, 8)) {
      const r = await lipschitzMip(c.net, queryDomain(c.net, c.box), { kind: 'reverse-l1', v: Float64Array.of(1) }, 5);
      if (r.upper < Infinity) solved++;
      expect(r.upper).toBeGreaterThanOrEqual(analytic(c, 'inf'));
    }
    // Kinks a hair inside a tiny box are handed to the solver on the exactly rescaled copy (they were refused).
    expect(solved).toBe(8);
  });
});
