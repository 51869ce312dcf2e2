import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Budget } from '../../../src/lipschitz/budget.js';
import { sdpSetupFlops, secondsFor } from '../../../src/lipschitz/costs.js';
import { exactLipschitz } from '../../../src/lipschitz/exact/index.js';
import type { Box, LipschitzQuery } from '../../../src/lipschitz/query.js';
import { lipSdpStage, quickUpperBounds, tightestUpperBound, type MethodReport } from '../../../src/lipschitz/upperStages.js';
import { neuronStates, preActivationBounds } from '../../../src/lipschitz/upper/intervals.js';
import { queryDomain } from '../../../src/lipschitz/domain.js';
import { forward } from '../../../src/network/evaluate.js';
import type { Network } from '../../../src/network/network.js';
import { createStream } from '../../../src/random/stream.js';
import { box, net, randomNet, spent, tickingClock } from '../../support/lipschitzUnits.js';

// Time stands still unless a test moves it: every estimate fits a positive budget (the measured
// rate is the floor, 1e-11 s per multiply-add) and no stage stops on time.
let clock: ReturnType<typeof tickingClock>;
beforeEach(() => {
  clock = tickingClock(0);
});
afterEach(() => clock.restore());

const s = createStream(8, 'test/unit/upperStages');
const shallow = randomNet(s, 2, [3]);
const deep = randomNet(s, 2, [3, 2]);
const twoOutputs = randomNet(s, 2, [3], 2);
const square = box([-0.5, -0.5], [0.5, 0.5]);
/** Relative slack for a certified bound against an exact value computed in floating point. */
const SLACK = 1e-9;

function exact(n: Network, query: LipschitzQuery): number {
  const e = exactLipschitz(n, query);
  if (e.kind !== 'exact') throw new Error(e.message);
  return e.lipschitz;
}

/** Every upper method is at least the exact constant, and `upper` is the smallest of them. */
function expectSoundMinimum(methods: Record<string, MethodReport>, upper: number, lip: number) {
  const values = Object.values(methods).map((m) => m.value);
  for (const [name, m] of Object.entries(methods)) {
    expect(m.kind, name).toBe('upper');
    expect(m.value, name).toBeGreaterThanOrEqual(lip * (1 - SLACK));
  }
  expect(upper).toBe(Math.min(...values));
}

/** Hidden neurons' signs at the points of a 9 × 9 grid over a 2-D box: 1 positive everywhere, 0 non-positive everywhere, −1 both. */
function gridStates(n: Network, b: Box): number[][] {
  const seen = n.layers.slice(0, -1).map((l) => Array.from({ length: l.outDim }, () => ({ pos: false, neg: false })));
  for (let i = 0; i <= 8; i++) {
    for (let j = 0; j <= 8; j++) {
      const x = [b.lo[0] + ((b.hi[0] - b.lo[0]) * i) / 8, b.lo[1] + ((b.hi[1] - b.lo[1]) * j) / 8];
      forward(n, x).preActivations.forEach((z, l) => z.forEach((v, k) => (v > 0 ? (seen[l][k].pos = true) : (seen[l][k].neg = true))));
    }
  }
  return seen.map((layer) => layer.map(({ pos, neg }) => (pos && neg ? -1 : pos ? 1 : 0)));
}

describe('quickUpperBounds', () => {
  it('globally, for p = 2, one hidden layer and one output: norm product, interval, zonotope and ECLipsE-Fast, each sound', () => {
    const methods: Record<string, MethodReport> = {};
    const budget = new Budget(10);
    const q = quickUpperBounds(shallow, { norm: '2', box: null }, budget, methods);
    expect(Object.keys(methods)).toEqual(['operator-norm-product', 'interval-jacobian', 'zonotope', 'eclipse-fast']);
    expectSoundMinimum(methods, q.upper, exact(shallow, { norm: '2', box: null }));
    // Globally every neuron is unstable, so the interval bound ignores the geometry too.
    expect(methods['interval-jacobian'].note).toBe('100% of neurons unstable on the domain');
    expect([methods['operator-norm-product'].patternAgnostic, methods['interval-jacobian'].patternAgnostic, methods.zonotope.patternAgnostic]).toEqual([true, true, true]);
    expect(methods['eclipse-fast'].patternAgnostic).toBeUndefined();
    expect(methods['operator-norm-product'].note).toBeUndefined();
    expect(methods.zonotope.note).toMatch(/^Cauchy–Schwarz over the gradient zonotope of 3 free units \(\d+ iterations\)$/);
    expect(methods['eclipse-fast'].note).toBe('ECLipsE-Fast closed form (one multiplier per layer), proven by the LipSDP verifier');
    expect(q.domain.kind).toBe('lifted'); // the global domain
    expect(q.interval?.value).toBe(methods['interval-jacobian'].value);
    expect(q.preBounds?.lo.length).toBe(1);
    expect(q.states).toBeNull();
    expect([budget.skipped, budget.stoppedOnTime]).toEqual([[], false]);
  });
  it('on a box also the linear relaxation, and the hidden states it proves (sound on a grid, more than intervals prove)', () => {
    const b = box([0.5, 0.5], [2, 2]);
    const query = { norm: '2', box: b } as const;
    const intervalStates = neuronStates(preActivationBounds(deep, queryDomain(deep, b)));
    const methods: Record<string, MethodReport> = {};
    const q = quickUpperBounds(deep, query, new Budget(10), methods);
    // Every neuron is proven stable on this box: f is affine there, and ECLipsE-Fast gives no bound.
    expect(Object.keys(methods)).toEqual(['operator-norm-product', 'interval-jacobian', 'linear-relaxation']);
    expectSoundMinimum(methods, q.upper, exact(deep, query));
    expect(methods['linear-relaxation'].note).toBe('gated-chain Jacobian bound on back-substituted pre-activation bounds; 0% of neurons unstable');
    expect(methods['interval-jacobian'].note).toBe('20% of neurons unstable on the domain'); // one of five
    expect([methods['interval-jacobian'].patternAgnostic, methods['linear-relaxation'].patternAgnostic]).toEqual([false, false]);
    const grid = gridStates(deep, b);
    const states = q.states!.map((l) => Array.from(l));
    states.forEach((layer, l) => layer.forEach((st, k) => st !== -1 && expect(st, `neuron ${l}.${k}`).toBe(grid[l][k])));
    const stable = (st: ArrayLike<number>[]) => st.reduce((a, l) => a + Array.from(l).filter((v) => v !== -1).length, 0);
    expect(stable(states)).toBeGreaterThan(stable(intervalStates)); // the premise: this box tells the two apart
  });
  it('for p = 1 and ∞ only the norm product and the interval bound (and the linear relaxation on a box)', () => {
    for (const [norm, b] of [['1', null], ['inf', square]] as const) {
      const methods: Record<string, MethodReport> = {};
      const q = quickUpperBounds(shallow, { norm, box: b }, new Budget(10), methods);
      expect(Object.keys(methods)).toEqual(b ? ['operator-norm-product', 'interval-jacobian', 'linear-relaxation'] : ['operator-norm-product', 'interval-jacobian']);
      expectSoundMinimum(methods, q.upper, exact(shallow, { norm, box: b }));
      expect(lipSdpStage(shallow, { norm, box: b }, new Budget(10), methods, q.states)).toBe(Infinity);
      expect(Object.keys(methods).length).toBe(b ? 3 : 2);
    }
  });
  it('with two outputs no zonotope (it bounds gradients of scalar nets), but ECLipsE-Fast', () => {
    const methods: Record<string, MethodReport> = {};
    const q = quickUpperBounds(twoOutputs, { norm: '2', box: null }, new Budget(10), methods);
    expect(Object.keys(methods)).toEqual(['operator-norm-product', 'interval-jacobian', 'eclipse-fast']);
    expectSoundMinimum(methods, q.upper, exact(twoOutputs, { norm: '2', box: null }));
  });
  it('leaves out the remaining stages once the bound is below stopBelow (not when equal)', () => {
    const all: Record<string, MethodReport> = {};
    quickUpperBounds(shallow, { norm: '2', box: square }, new Budget(10), all, { stopBelow: 0 });
    const names = Object.keys(all);
    expect(names).toEqual(['operator-norm-product', 'interval-jacobian', 'zonotope', 'linear-relaxation', 'eclipse-fast']);
    // After each stage (the interval bound always runs), a stopBelow just above the bound so far ends
    // the run there; one equal to it does not.
    for (let i = 1; i < names.length - 1; i++) {
      const sofar = Math.min(...names.slice(0, i + 1).map((n) => all[n].value));
      const next = Math.min(sofar, all[names[i + 1]].value);
      if (next === sofar) continue; // the next stage would not lower it: no way to tell
      for (const [stopBelow, expected] of [[sofar * (1 + 1e-12), names.slice(0, i + 1)], [sofar, names.slice(0, i + 2)]] as const) {
        const methods: Record<string, MethodReport> = {};
        const q = quickUpperBounds(shallow, { norm: '2', box: square }, new Budget(10), methods, { stopBelow });
        expect(Object.keys(methods).slice(0, expected.length), `${i} ${stopBelow}`).toEqual(expected);
        if (stopBelow > sofar) expect(Object.keys(methods).length).toBe(expected.length);
        expect(q.upper).toBe(Math.min(...Object.values(methods).map((m) => m.value)));
      }
    }
    const stopped: Record<string, MethodReport> = {};
    quickUpperBounds(shallow, { norm: '2', box: square }, new Budget(10), stopped, { stopBelow: Infinity });
    expect(Object.keys(stopped)).toEqual(['operator-norm-product', 'interval-jacobian']);
  });
  it('within a spent budget keeps only the norm product (proven spectral norms replaced by a cheaper bound) and names what it skipped', () => {
    for (const [n, b, skipped] of [
      [shallow, null, ['the interval Jacobian bound', 'the gradient-zonotope bound', 'ECLipsE-Fast (its set-up would not fit)']],
      [deep, square, ['the interval Jacobian bound', 'ECLipsE-Fast (its set-up would not fit)']],
    ] as const) {
      const methods: Record<string, MethodReport> = {};
      const budget = spent();
      const q = quickUpperBounds(n, { norm: '2', box: b }, budget, methods);
      expect(Object.keys(methods)).toEqual(['operator-norm-product']);
      expect(methods['operator-norm-product'].note).toBe(`${n.layers.length} layer(s) bounded by min(‖W‖_F, √(‖W‖₁‖W‖∞)): their proven spectral norm would not fit the time (or its proof failed)`);
      expect(budget.skipped.filter((x) => !x.startsWith('the spectral norm'))).toEqual(skipped);
      expect([q.upper, q.preBounds, q.interval, q.states]).toEqual([methods['operator-norm-product'].value, undefined, undefined, null]);
      expect(q.upper).toBeGreaterThanOrEqual(exact(n, { norm: '2', box: b }));
      expect(budget.stoppedOnTime).toBe(true);
    }
  });
  it('treats active neurons as unstable when the proof with them fixed would not fit, and says so', () => {
    const b = box([0.5, 0.5], [1, 1]);
    const query = { norm: '2', box: b } as const;
    const free = neuronStates(preActivationBounds(shallow, queryDomain(shallow, b)));
    expect(free[0].includes(1)).toBe(true); // the premise: some neuron is active on the box
    // Room for the n-sized proof (twice over) but not for the (d + n)-sized one.
    const budget = new Budget(Math.sqrt(2 * secondsFor(sdpSetupFlops(shallow)) * secondsFor(sdpSetupFlops(shallow, true))));
    expect(budget.fits(2 * secondsFor(sdpSetupFlops(shallow)))).toBe(true);
    expect(budget.fits(secondsFor(sdpSetupFlops(shallow, true)))).toBe(false);
    const methods: Record<string, MethodReport> = {};
    const q = quickUpperBounds(shallow, query, budget, methods);
    expect(methods['eclipse-fast'].note).toMatch(/; active neurons not fixed \(that proof, over the input too, would not fit the time\)$/);
    expect(lipSdpStage(shallow, query, budget, methods, q.states)).toBe(methods.lipsdp.value);
    expect(methods.lipsdp.note).toMatch(/neurons \d unstable, 0 active, \d inactive \(fixed\); active neurons not fixed/);
    expectSoundMinimum(methods, Math.min(...Object.values(methods).map((m) => m.value)), exact(shallow, query));
    // Without active neurons there is nothing to free, whatever the budget.
    const statesOn = (b: Box) => Array.from(neuronStates(preActivationBounds(shallow, queryDomain(shallow, b)))[0]);
    const centres = [-3, -2, -1, 0, 1, 2, 3].flatMap((u) => [-3, -2, -1, 0, 1, 2, 3].map((v) => [u, v]));
    const quiet = centres.map(([u, v]) => box([u - 0.5, v - 0.5], [u + 0.5, v + 0.5])).find((b) => !statesOn(b).includes(1) && statesOn(b).includes(-1));
    expect(quiet).toBeDefined(); // the premise: a box with an unstable neuron and no active one
    const m2: Record<string, MethodReport> = {};
    quickUpperBounds(shallow, { norm: '2', box: quiet! }, new Budget(budget.timeLimit), m2);
    expect(m2['eclipse-fast'].note).toBe('ECLipsE-Fast closed form (one multiplier per layer), proven by the LipSDP verifier');
    // With room for the proof over the input too, ECLipsE-Fast keeps them fixed (no note).
    const roomy: Record<string, MethodReport> = {};
    quickUpperBounds(shallow, query, new Budget(10), roomy);
    expect(roomy['eclipse-fast'].note).toBe('ECLipsE-Fast closed form (one multiplier per layer), proven by the LipSDP verifier');
  });
});

describe('lipSdpStage', () => {
  it('applies to p = 2 with a hidden layer only, and is skipped when its set-up would not fit', () => {
    const methods: Record<string, MethodReport> = {};
    const affine = net(2, [[[1, 2]], [0]]);
    expect(lipSdpStage(affine, { norm: '2', box: null }, new Budget(10), methods, null)).toBe(Infinity);
    expect(lipSdpStage(shallow, { norm: 'inf', box: null }, new Budget(10), methods, null)).toBe(Infinity);
    expect(methods).toEqual({});
    const budget = spent();
    expect(lipSdpStage(shallow, { norm: '2', box: null }, budget, methods, null)).toBe(Infinity);
    expect([methods, budget.skipped]).toEqual([{}, ['LipSDP (its set-up would not fit)']]);
    // Just enough for twice its set-up estimate (the clock stands still).
    const tight = new Budget(2 * secondsFor(sdpSetupFlops(shallow)));
    expect(lipSdpStage(shallow, { norm: '2', box: null }, tight, methods, null)).toBeGreaterThanOrEqual(exact(shallow, { norm: '2', box: null }) * (1 - SLACK));
    expect(tight.skipped).toEqual([]);
  });
  it('gives no bound where every neuron is stable and some active (the net is affine there), and 0 where all are inactive', () => {
    // f = relu(x₁ + x₂ − 1) + 2·relu(x₁ − x₂ + 3): on [0, 0.2]² the first is inactive and the second active.
    const f = net(2, [[[1, 1], [1, -1]], [-1, 3]], [[[1, 2]], [0]]);
    const b = box([0, 0], [0.2, 0.2]);
    const states = neuronStates(preActivationBounds(f, queryDomain(f, b)));
    expect(states.map((l) => Array.from(l))).toEqual([[0, 1]]);
    const methods: Record<string, MethodReport> = {};
    expect(lipSdpStage(f, { norm: '2', box: b }, new Budget(10), methods, states)).toBe(Infinity);
    expect(methods.lipsdp.value).toBe(Infinity);
    expect(methods.lipsdp.note).toMatch(/^no bound: the network is affine on the domain/);
  });
});

describe('tightestUpperBound', () => {
  it('is the minimum of the quick stages and LipSDP, which notes its iterations and why it stopped', () => {
    const query = { norm: '2', box: null } as const;
    const budget = new Budget(10);
    const r = tightestUpperBound(deep, query, budget);
    expect(Object.keys(r.methods)).toEqual(['operator-norm-product', 'interval-jacobian', 'eclipse-fast', 'lipsdp']);
    expectSoundMinimum(r.methods, r.upper, exact(deep, query));
    expect(r.methods.lipsdp.note).toMatch(/^LipSDP-Neuron, proven in floating point; \d+ solver iterations, stopped by \w+; neurons 5 unstable$/);
    expect(budget.skipped).toEqual([]);
  });
  it('leaves LipSDP out once below stopBelow, not when equal (seen through a spent budget: LipSDP is then skipped)', () => {
    const query = { norm: '2', box: null } as const;
    const product = tightestUpperBound(deep, query, spent(), { stopBelow: Infinity });
    expect(Object.keys(product.methods)).toEqual(['operator-norm-product']);
    for (const [stopBelow, tried] of [[undefined, true], [product.upper, true], [product.upper * (1 + 1e-12), false]] as const) {
      const budget = spent();
      tightestUpperBound(deep, query, budget, { stopBelow });
      expect(budget.skipped.includes('LipSDP (its set-up would not fit)'), String(stopBelow)).toBe(tried);
    }
  });
  it('gives LipSDP its share of the time, and says when that ran out (a clock that ticks); the bound stays sound', () => {
    clock.restore();
    const query = { norm: '2', box: null } as const;
    const lip = exact(deep, query);
    let timedOut = 0;
    // About 2,000 reads of the clock in all; LipSDP reads it a few hundred times when it converges.
    for (const sdpShare of [0.003, 0.01, 0.03, 0.3]) {
      clock = tickingClock(2 ** -10);
      const budget = new Budget(0.002);
      const r = tightestUpperBound(deep, query, budget, { sdpShare });
      clock.restore();
      const out = /stopped by time/.test(r.methods.lipsdp.note!);
      expect(budget.skipped.includes('LipSDP (its share of the time ran out: the bound is the best proven so far)')).toBe(out);
      if (out) timedOut++;
      expect(r.methods.lipsdp.value).toBeGreaterThanOrEqual(lip * (1 - SLACK));
    }
    expect(timedOut).toBeGreaterThan(0);
    expect(timedOut).toBeLessThan(4); // the largest share lets it converge
    clock = tickingClock(0);
  });
});
