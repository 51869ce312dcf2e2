import { afterEach, describe, expect, it, vi } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { boxFromPairs } from '../../../../../src/lipschitz/query.js';
import { certify } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { boxStates, eclipseFastBound, lipSdpBound } from '../../../../../src/lipschitz/upper/sdp/lipSdp.js';
import { activationPattern } from '../../../../../src/network/evaluate.js';
import { createStream } from '../../../../../src/random/stream.js';
import { allPatternsLip, deepNet, mixedStates, netOf, pairNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

afterEach(() => {
  vi.useRealTimers();
});

/** The multipliers behind a result certify, on the raw weights, a ρ* at most upper². */
function expectMultipliersProve(net: typeof pairNet, states: Int8Array[] | null, result: NonNullable<ReturnType<typeof lipSdpBound>>) {
  const m = result.multipliers!;
  const flat = m.tau.flatMap((t, l) => Array.from(t).filter((_, i) => !states || states[l][i] === -1));
  const star = rhoStar(net, states, flat);
  expect(star).toBeLessThanOrEqual(m.rho);
  expect(m.rho).toBeLessThanOrEqual(result.upper ** 2);
  expect(result.upper ** 2).toBeLessThanOrEqual(m.rho * (1 + 1e-14));
}

describe('lipSdpBound (lipSdp.ts): the pipeline, certified', () => {
  it('one neuron: LipSDP is exact, |c|·‖w‖', () => {
    const one = netOf(3, [[[0.3, -1.2, 1.1]], [0.5]], [[[-1.25]], [1]]);
    const r = lipSdpBound(one, null, { relativeGap: 1e-9 })!;
    const exact = 1.25 * Math.hypot(0.3, 1.2, 1.1);
    expect(r.upper).toBeGreaterThanOrEqual(exact);
    expect(r.upper / exact - 1).toBeLessThan(1e-8);
    expect(r.neurons).toEqual({ unstable: 1, active: 0, inactive: 0 });
  });

  it('two neurons and a deep net: exact ≤ upper ≤ ECLipsE-Fast, the solver’s value and dual bound beside it, multipliers that prove it', () => {
    const r = lipSdpBound(pairNet, null, { relativeGap: 1e-7 })!;
    expect(r.upper).toBeGreaterThanOrEqual(allPatternsLip(pairNet));
    expect(r.upper).toBeLessThanOrEqual(r.eclipseFast!);
    expect(r.stoppedBy).toBe('converged');
    expect(r.sdpLower).toBeLessThanOrEqual(r.solverValue);
    expect(r.solverValue / r.sdpLower - 1).toBeLessThan(1e-6);
    expect(r.upper / r.solverValue - 1).toBeLessThan(1e-6);
    expect(r.upper).toBeGreaterThanOrEqual(r.sdpLower);
    expect(r.iterations).toBeGreaterThan(0);
    expect(r.verified).toBe(true);
    expectMultipliersProve(pairNet, null, r);
    const problem = problemOf(pairNet);
    expect(r.eclipseFast).toBe(certify(problem, eclipseFastMultipliers(problem)!.tau)!.upper);
    expect(eclipseFastBound(pairNet, null)).toBe(r.eclipseFast);
    const mixed = mixedStates();
    const local = lipSdpBound(deepNet, null, { states: mixed, relativeGap: 1e-6 })!;
    expect(local.neurons).toEqual({ unstable: 2, active: 2, inactive: 1 });
    expectMultipliersProve(deepNet, mixed, local);
    expect(local.upper).toBeLessThanOrEqual(local.eclipseFast!);
    expect(local.upper / local.sdpLower - 1).toBeLessThan(1e-5);
  });

  it('affine and constant networks: null, and 0 with nothing to solve', () => {
    expect(lipSdpBound(netOf(2, [[[1, 2]], [0]]), null)).toBeNull();
    expect(eclipseFastBound(netOf(2, [[[1, 2]], [0]]), null)).toBeNull();
    expect(lipSdpBound(deepNet, null, { states: [Int8Array.of(1, 1, 1), Int8Array.of(1, 1)] })).toBeNull();
    const off = [Int8Array.of(0, 0, 0), Int8Array.of(0, 0)];
    expect(lipSdpBound(deepNet, null, { states: off })).toMatchObject({ upper: 0, multipliers: null, iterations: 0, stoppedBy: 'trivial', neurons: { unstable: 0, active: 0, inactive: 5 }, verified: true });
    expect(eclipseFastBound(deepNet, null, off)).toBe(0);
  });

  it('on a box: the interval states hold at sampled points, and the local bound is at most the global one', () => {
    const box = boxFromPairs([[0.5, 1.5], [-0.2, 0.3]], 2);
    const states = boxStates(deepNet, box)!;
    expect(boxStates(deepNet, null)).toBeNull();
    const s = createStream(2, 'lipSdp box');
    for (let k = 0; k < 20; k++) {
      const x = [0.5 + s.uniform(), -0.2 + 0.5 * s.uniform()];
      activationPattern(deepNet, x).forEach((layer, l) => layer.forEach((on, i) => states[l][i] !== -1 && expect(on).toBe(states[l][i])));
    }
    expect(states.flatMap((t) => Array.from(t)).some((v) => v !== -1)).toBe(true);
    const local = lipSdpBound(deepNet, box, { relativeGap: 1e-5 })!;
    const global = lipSdpBound(deepNet, null, { relativeGap: 1e-5 })!;
    expect(local.upper).toBeLessThanOrEqual(global.upper);
    expect(eclipseFastBound(deepNet, box)).toBe(local.eclipseFast);
  });

  it('a spent budget (a controlled clock): the closed form’s certificate, or a warm start certified as it is', () => {
    const reference = lipSdpBound(deepNet, null, { relativeGap: 1e-6 })!;
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
    const spent = () => {
      const b = new Budget(1);
      vi.advanceTimersByTime(2000);
      return b;
    };
    const cold = lipSdpBound(deepNet, null, { budget: spent() })!;
    expect(cold).toMatchObject({ iterations: 0, stoppedBy: 'numerical', upper: cold.eclipseFast });
    expect(cold.solverValue).toBeNaN();
    expect(cold.eclipseFast).toBe(reference.eclipseFast);
    // The solved multipliers as a warm start: certified as they are, as tight as the solve.
    const warm = lipSdpBound(deepNet, null, { budget: spent(), warmStart: reference.multipliers!, closedForm: false })!;
    expect(warm.eclipseFast).toBeNull();
    expect(warm.iterations).toBe(0);
    expect(warm.upper / reference.upper - 1).toBeLessThan(1e-6);
    expect(warm.solverValue / reference.upper - 1).toBeLessThan(1e-6);
    expectMultipliersProve(deepNet, null, warm);
    // With the closed form too, the better of the two wins.
    const both = lipSdpBound(deepNet, null, { budget: spent(), warmStart: reference.multipliers! })!;
    expect(both.upper).toBe(warm.upper);
    expect(both.eclipseFast).toBe(reference.eclipseFast);
    vi.useRealTimers();
    // A worse warm start than the closed form is not used: the solve starts from the closed form.
    const poor = { rho: 1, tau: reference.multipliers!.tau.map((t) => t.map((v) => v * 50)) };
    const fromPoor = lipSdpBound(deepNet, null, { warmStart: poor, maxIterations: 1 })!;
    const fromClosed = lipSdpBound(deepNet, null, { maxIterations: 1 })!;
    expect(fromPoor.upper).toBeLessThanOrEqual(fromClosed.eclipseFast!);
    expect(fromPoor.iterations).toBe(1);
    expect(fromPoor.stoppedBy).toBe('iterations');
  });
});

describe('lipSdpBound in the network’s units', () => {
  // Weights of layer l times 2^k_l: f becomes 2^Σk·f (ReLU is positively homogeneous, biases scaled
  // along), so every value in Lip units scales by 2^Σk exactly, while the solver sees the same
  // normalised problem (problem.ts divides each layer by a power of two): a missing or inverted
  // conversion back to the network's units shows as a factor 2^±(2·Σk).
  const k = [7, -3, 5];
  const scaled = netOf(
    2,
    ...deepNet.layers.map((layer, l): [number[][], number[]] => {
      const c = 2 ** k[l];
      const prefix = 2 ** k.slice(0, l + 1).reduce((a, b) => a + b, 0);
      const rows = Array.from({ length: layer.outDim }, (_, i) => Array.from(layer.weights.subarray(i * layer.inDim, (i + 1) * layer.inDim), (w) => w * c));
      return [rows, Array.from(layer.biases, (b) => b * prefix)];
    }),
  );
  const factor = 2 ** (7 - 3 + 5);

  it('every value of the solved bound scales by the weights’ scale', () => {
    const plain = lipSdpBound(deepNet, null, { relativeGap: 1e-6 })!;
    const big = lipSdpBound(scaled, null, { relativeGap: 1e-6 })!;
    for (const key of ['upper', 'solverValue', 'sdpLower', 'eclipseFast'] as const) expect(big[key]! / (factor * plain[key]!) - 1, key).toBeCloseTo(0, 9);
    expect(big.multipliers!.rho / (factor ** 2 * plain.multipliers!.rho) - 1).toBeCloseTo(0, 9);
  });

  it('a warm start with no time left: its certificate and its solver value, in the network’s units; none that proves anything gives null', () => {
    const reference = lipSdpBound(scaled, null, { relativeGap: 1e-6 })!;
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
    const budget = new Budget(1);
    vi.advanceTimersByTime(2000);
    const warm = lipSdpBound(scaled, null, { budget, warmStart: reference.multipliers!, closedForm: false })!;
    expect(warm.upper / reference.upper - 1).toBeLessThan(1e-6);
    expect(warm.upper).toBeGreaterThanOrEqual(reference.sdpLower);
    expect(warm.solverValue / reference.upper - 1).toBeCloseTo(0, 5);
    // Multipliers all zero make H = 0, not definite: nothing to certify, and no closed form to fall back on.
    const zero = { rho: 1, tau: reference.multipliers!.tau.map((t) => t.map(() => 0)) };
    expect(lipSdpBound(scaled, null, { budget, warmStart: zero, closedForm: false })).toBeNull();
  });
});
