import { afterEach, describe, expect, it, vi } from 'vitest';
import { exactLip2, papersNet } from '../../support/euclidean.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../src/lipschitz/query.js';
import { branchedSdpBound } from '../../../src/lipschitz/upper/sdp/index.js';
import { preActivationBounds } from '../../../src/lipschitz/upper/intervals.js';
import { denseLayer, makeNetwork } from '../../../src/network/network.js';

const net = papersNet;
const exact = exactLip2;

afterEach(() => {
  vi.useRealTimers();
});

describe('branch and bound with local LipSDP bounds', () => {
  it.each([
    { d: 2, widths: [5, 4], seed: 2, box: null },
    { d: 2, widths: [6], seed: 3, box: [[-1, 1], [0, 2]] },
    { d: 1, widths: [4, 4], seed: 4, box: [[-2, 2]] },
    { d: 2, widths: [4, 3], seed: 5, box: null, outputs: 2 },
  ] as { d: number; widths: number[]; seed: number; box: [number, number][] | null; outputs?: number }[])('sound: exact ≤ upper ≤ root (d=$d widths=$widths box=$box)', ({ d, widths, seed, box, outputs }) => {
    const n = net(d, widths, seed, outputs ?? 1);
    const b = box ? boxFromPairs(box, d) : null;
    let calls = 0;
    const bounds: typeof preActivationBounds = (m, domain) => {
      calls++;
      return preActivationBounds(m, domain);
    };
    // A controlled clock, stopped after 8 cells: the same work on a loaded machine (a wall-clock limit
    // of 0.5 s could end before the first split there, leaving no cell to check).
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
    const r = branchedSdpBound(n, b, { budget: new Budget(10), bounds, onProgress: (_u, _l, cells) => cells >= 8 && vi.advanceTimersByTime(11_000) })!;
    vi.useRealTimers();
    expect(calls).toBeGreaterThan(0); // the pre-activation bounds are pluggable (CROWN-like ones fit)
    expect(r).not.toBeNull();
    const truth = exact(n, b);
    expect(truth).toBeLessThanOrEqual(r.upper);
    expect(r.upper).toBeLessThanOrEqual(r.rootUpper);
    expect(r.cells).toBeGreaterThan(0);
    if (r.witness.value > -Infinity) expect(r.witness.value).toBeLessThanOrEqual(truth * (1 + 1e-9));
  });

  it('a bias-free net (regions are cones: the faces of [−1, 1]ᵈ) stays sound and improves on the root', () => {
    const n = makeNetwork(2, [
      denseLayer([[1, 0.2], [-0.5, 1], [0.3, -1.2], [-1, -0.4]], [0, 0, 0, 0]),
      denseLayer([[0.7, -1.1, 0.4, 0.9], [-0.3, 0.5, 1.2, -0.8]], [0, 0]),
      denseLayer([[1.3, -0.6]], [0]),
    ]);
    const r = branchedSdpBound(n, null, { timeLimit: 1, cellTimeLimit: 0.2 })!;
    const truth = exact(n, null);
    expect(truth).toBeLessThanOrEqual(r.upper);
    expect(r.upper).toBeLessThan(r.rootUpper);
  });

  it('stops at the target gap, at once when the budget is spent, and on a constant network', () => {
    const n = net(2, [5, 4], 6);
    const truth = exact(n, null);
    const atGap = branchedSdpBound(n, null, { timeLimit: 5, lower: () => truth, targetGap: 100 })!;
    expect(atGap.stoppedBy).toBe('gap');
    const late = branchedSdpBound(n, null, { budget: new Budget(0) })!;
    expect(late.stoppedBy).toBe('time');
    expect(truth).toBeLessThanOrEqual(late.upper);
    const constant = makeNetwork(1, [denseLayer([[1], [1]], [-5, -5]), denseLayer([[1, 1]], [0])]);
    const flat = branchedSdpBound(constant, boxFromPairs([[0, 1]], 1), { timeLimit: 1 })!;
    expect(flat.upper).toBe(0);
    expect(flat.stoppedBy).toBe('exhausted');
    expect(branchedSdpBound(makeNetwork(1, [denseLayer([[2]], [0])]), null)).toBeNull();
  });
});
