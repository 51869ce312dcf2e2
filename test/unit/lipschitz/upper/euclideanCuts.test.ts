import { describe, expect, it } from 'vitest';
import { queryDomain } from '../../../../src/lipschitz/domain.js';
import { euclideanCuttingPlanes } from '../../../../src/lipschitz/upper/euclideanCuts.js';
import { intervalJacobianBound } from '../../../../src/lipschitz/upper/intervals.js';
import { SPECTRAL_MARGIN } from '../../../../src/lipschitz/upper/rounding.js';
import type { Pattern } from '../../../../src/network/evaluate.js';
import { gradient } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork } from '../../../../src/network/network.js';

// f(x, y) = ρ(x + y) + ρ(x − y): both kinks cross [−1, 1]², so the gradients are 0, (1, 1), (1, −1)
// and (2, 0), and Lip₂ = 2 (the region x > |y|). The interval start box is [0, 2] × [−1, 1].
const net = makeNetwork(2, [denseLayer([[1, 1], [1, -1]], [0, 0]), denseLayer([[1, 1]], [0])]);
const domain = queryDomain(net, { lo: Float64Array.of(-1, -1), hi: Float64Array.of(1, 1) });
const J = intervalJacobianBound(net, domain, '2');
const start = { lo: J.lo, hi: J.hi };

describe('euclideanCuttingPlanes', () => {
  it('cuts the start box down to the largest gradient (2, not the corner √5), reporting each incumbent pattern', async () => {
    expect(Math.max(...Array.from(J.hi))).toBeGreaterThanOrEqual(2);
    const patterns: Pattern[] = [];
    const progress: number[] = [];
    const r = await euclideanCuttingPlanes(net, domain, {
      timeLimit: 60,
      start,
      lower: () => 0,
      targetGap: 1.0001,
      onPattern: (p) => patterns.push(p),
      onProgress: (u) => progress.push(u),
    });
    expect(r.stoppedBy).toBe('converged');
    expect(r.upper).toBeGreaterThanOrEqual(2);
    expect(r.upper).toBeLessThanOrEqual(2 * (1 + 1e-5));
    expect(r.cuts).toBeGreaterThanOrEqual(2); // the first cut cannot reach 2: the corner (2, ±1) is not a gradient
    expect(patterns.length).toBe(r.cuts);
    expect(progress[0]).toBeGreaterThanOrEqual(Math.sqrt(5));
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeLessThanOrEqual(progress[i - 1]);
    expect(progress[progress.length - 1]).toBeLessThanOrEqual(r.upper);
    // The last incumbent is the steepest region, x > |y|: both units on.
    expect(Array.from(patterns[patterns.length - 1][0])).toEqual([1, 1]);
    expect(Math.hypot(...gradient(net, [0.5, 0]))).toBe(2);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
  });

  it('stops at once on the gap, on a zero box, or with no time, with the start box as the bound', async () => {
    const corner = Math.sqrt(5) * (1 + SPECTRAL_MARGIN);
    const gap = await euclideanCuttingPlanes(net, domain, { timeLimit: 60, start, lower: () => 2, targetGap: 1.2 });
    expect(gap.stoppedBy).toBe('gap');
    expect(gap.cuts).toBe(0);
    expect(gap.upper).toBeCloseTo(corner, 12);
    expect(gap.upper).toBeGreaterThanOrEqual(Math.sqrt(5));
    // The gap test is ≤: a lower bound at exactly upper / targetGap stops too.
    const exact = await euclideanCuttingPlanes(net, domain, { timeLimit: 60, start, lower: () => corner / 2, targetGap: 2 });
    expect(exact.stoppedBy).toBe('gap');
    // (A zero box meets the gap test first when lower is 0; a lower of −1 reaches the norm-0 test.)
    const zeroBox = { lo: new Float64Array(2), hi: new Float64Array(2) };
    expect((await euclideanCuttingPlanes(net, domain, { timeLimit: 60, start: zeroBox, lower: () => 0, targetGap: 1.0001 })).stoppedBy).toBe('gap');
    const zero = await euclideanCuttingPlanes(net, domain, { timeLimit: 60, start: zeroBox, lower: () => -1, targetGap: 1.0001 });
    expect(zero.stoppedBy).toBe('converged');
    expect(zero.upper).toBe(0);
    const none = await euclideanCuttingPlanes(net, domain, { timeLimit: 0, start, lower: () => 0, targetGap: 1.0001 });
    expect(none.stoppedBy).toBe('time');
    expect(none.cuts).toBe(0);
    expect(none.upper).toBeCloseTo(corner, 12);
  });
});
