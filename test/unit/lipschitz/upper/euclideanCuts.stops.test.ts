import { describe, expect, it } from 'vitest';
import { queryDomain } from '../../../../src/lipschitz/domain.js';
import { euclideanCuttingPlanes } from '../../../../src/lipschitz/upper/euclideanCuts.js';
import { intervalJacobianBound } from '../../../../src/lipschitz/upper/intervals.js';
import { denseLayer, makeNetwork } from '../../../../src/network/network.js';

// What each way of stopping promises about the reported bound.
describe('euclideanCuttingPlanes stop reasons', () => {
  it("'gap' means the reported bound (margin included) is within targetGap of the lower bound", async () => {
    // f(x, y) = ρ(x + y) + ρ(x − y) on [−1, 1]²: gradients 0, (1, ±1), (2, 0); Lip₂ = 2, start corner √5.
    const net = makeNetwork(2, [denseLayer([[1, 1], [1, -1]], [0, 0]), denseLayer([[1, 1]], [0])]);
    const domain = queryDomain(net, { lo: Float64Array.of(-1, -1), hi: Float64Array.of(1, 1) });
    const J = intervalJacobianBound(net, domain, '2');
    expect(Math.hypot(...J.hi)).toBeCloseTo(Math.sqrt(5), 12);
    // targetGap · lower = √5: the start corner itself (√5 before its margin) is not yet within the gap.
    const targetGap = 1.2;
    const lower = Math.sqrt(5) / targetGap;
    const r = await euclideanCuttingPlanes(net, domain, { timeLimit: 60, start: { lo: J.lo, hi: J.hi }, lower: () => lower, targetGap });
    expect(r.stoppedBy).toBe('gap');
    expect(r.upper).toBeLessThanOrEqual(targetGap * lower);
    expect(r.upper).toBeGreaterThanOrEqual(2);
    expect(r.cuts).toBeGreaterThanOrEqual(1);
  });

  it("'converged' when the MIP proves the farthest vertex is a gradient (no cut can lower the bound)", async () => {
    // f(x, y) = ρ(x + y) on [1, 2]²: stable, the only gradient is (1, 1). A start box of that one point.
    const net = makeNetwork(2, [denseLayer([[1, 1]], [0]), denseLayer([[1]], [0])]);
    const domain = queryDomain(net, { lo: Float64Array.of(1, 1), hi: Float64Array.of(2, 2) });
    const point = { lo: Float64Array.of(1, 1), hi: Float64Array.of(1, 1) };
    const r = await euclideanCuttingPlanes(net, domain, { timeLimit: 60, start: point, lower: () => 0, targetGap: 1.0001 });
    expect(r.stoppedBy).toBe('converged');
    expect(r.cuts).toBe(1);
    expect(r.upper).toBeGreaterThanOrEqual(Math.SQRT2);
    expect(r.upper).toBeLessThanOrEqual(Math.SQRT2 * (1 + 1e-8));
  });
});
