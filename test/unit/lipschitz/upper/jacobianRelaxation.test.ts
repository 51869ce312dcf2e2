import { describe, expect, it } from 'vitest';
import { queryDomain } from '../../../../src/lipschitz/domain.js';
import { intervalJacobianBound, neuronStates, type PreActivationBounds } from '../../../../src/lipschitz/upper/intervals.js';
import { relaxedJacobianBound } from '../../../../src/lipschitz/upper/jacobianRelaxation.js';
import { linearPreActivationBounds } from '../../../../src/lipschitz/upper/linearBounds.js';
import { operatorNorm, type Norm } from '../../../../src/linalg/norms.js';
import { jacobianOfPattern } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type DenseLayer, type Network } from '../../../../src/network/network.js';
import { createStream, type RandomStream } from '../../../../src/random/stream.js';
import { cancellingChain, gaussianNet, stopAfter } from '../../../support/upperUnits.js';
import { add, dyadic, sign } from '../../../support/exactArithmetic.js';

type Rows = number[][];
const rowsOf = (l: DenseLayer): Rows => Array.from({ length: l.outDim }, (_, i) => Array.from(l.weights.subarray(i * l.inDim, (i + 1) * l.inDim)));
const transposeRows = (M: Rows): Rows => M[0].map((_, j) => M.map((row) => row[j]));
const norm1 = (v: number[]) => v.reduce((s, x) => s + Math.abs(x), 0);
const norm2 = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/**
 * The gated-chain bound written out without rounding (independent of jacobianRelaxation.ts), from
 * its module comment: h₀ = M₀σ, g = gate(h) (pass, block, or free: λ·g ≤ λh/2 + |λ|ρ/2),
 * h_{ℓ+1} = M_{ℓ+1}g; ranges ρ_ℓ = min(interval range, back-substituted range); the objective row
 * back-substituted to c·σ + κ ≤ ‖c‖_dual + κ. For p = 1 on the transposed chain; p = 2 on the unit
 * ball, rows combined by (Σ B_r²)^{1/2}. Then the smaller of it and the interval bound, row by row.
 */
function referenceChain(net: Network, states: Int8Array[], p: Norm): number[] {
  let mats = net.layers.map(rowsOf);
  let gates = states.map((s) => Array.from(s));
  if (p === '1') {
    mats = mats.reverse().map(transposeRows);
    gates = gates.reverse();
  }
  const dual = p === '2' ? norm2 : norm1;
  const m = mats.length - 1;
  const rho: number[][] = [];
  /** max λ·g_top over the input set and the free gates. */
  const back = (lam0: number[], top: number): number => {
    let lam = lam0;
    let kappa = 0;
    for (let l = top; l >= 0; l--) {
      const mu = lam.map((v, k) => (gates[l][k] === 0 ? 0 : gates[l][k] === 1 ? v : v / 2));
      lam.forEach((v, k) => {
        if (gates[l][k] === -1) kappa += (Math.abs(v) / 2) * rho[l][k];
      });
      lam = mats[l][0].map((_, c) => mu.reduce((s, x, k) => s + x * mats[l][k][c], 0));
    }
    return dual(lam) + kappa;
  };
  for (let l = 0; l < m; l++) {
    if (l === 0) rho.push(mats[0].map((row) => (p === '2' ? norm2(row) : norm1(row))));
    else {
      const gated = rho[l - 1].map((r, k) => (gates[l - 1][k] === 0 ? 0 : r));
      rho.push(mats[l].map((row) => Math.min(row.reduce((s, w, k) => s + Math.abs(w) * gated[k], 0), back(row, l - 1))));
    }
  }
  return mats[m].map((row) => back(row, m - 1));
}

/** max over every 0/1 choice of the free gates of ‖J‖_p: a lower bound on any sound bound over the same gates. */
function patternMaximum(net: Network, states: Int8Array[], p: Norm): number {
  const free: [number, number][] = [];
  states.forEach((s, l) => s.forEach((v, i) => v === -1 && free.push([l, i])));
  let best = 0;
  for (let mask = 0; mask < 1 << free.length; mask++) {
    const pattern = states.map((s) => Uint8Array.from(s, (v) => (v === 1 ? 1 : 0)));
    free.forEach(([l, i], b) => (pattern[l][i] = (mask >> b) & 1));
    best = Math.max(best, operatorNorm(jacobianOfPattern(net, pattern), p));
  }
  return best;
}


/** Made-up sound-looking bounds: each neuron active (lo > 0), dead (hi < 0) or free, at random. */
function randomStates(s: RandomStream, net: Network): PreActivationBounds {
  const layers = net.layers.slice(0, -1);
  const pick = () => layers.map((l) => Float64Array.from({ length: l.outDim }, () => Math.floor(3 * s.uniform()) - 1));
  const kinds = pick();
  return { lo: kinds.map((k) => k.map((v) => (v === 1 ? 1 : -1))), hi: kinds.map((k) => k.map((v) => (v === -1 ? -1 : 1))) };
}

const NORMS: Norm[] = ['inf', '1', '2'];

describe('relaxedJacobianBound', () => {
  it('is the gated chain of an independent implementation, capped by the interval bound; every norm, depth 1–3, k = 1, 2', () => {
    const s = createStream(17, 'test/unit/jacobianRelaxation');
    let chainWins = 0;
    for (let t = 0; t < 12; t++) {
      const d = 1 + (t % 3);
      const widths = [[4], [3, 3], [3, 2, 3]][t % 3];
      const k = 1 + (t % 2);
      const net = gaussianNet(s, d, widths, k);
      const preBounds = randomStates(s, net);
      const domain = queryDomain(net, null);
      const states = neuronStates(preBounds);
      const truth = patternMaximum(net, states, '2');
      for (const p of NORMS) {
        if (p === '2' && k > 1 && t % 4 !== 1) continue;
        const r = relaxedJacobianBound(net, domain, p, { preBounds });
        const rows = referenceChain(net, states, p);
        const chain = p === '2' ? norm2(rows) : Math.max(...rows);
        const label = `t=${t} p=${p}`;
        expect(r.chain, label).not.toBeNull();
        expect(r.chain!, label).toBeGreaterThanOrEqual(chain * (1 - 1e-12));
        expect(r.chain!, label).toBeLessThanOrEqual(chain * (1 + 1e-9) + 1e-300);
        const interval = intervalJacobianBound(net, domain, p, preBounds).value;
        expect(r.interval).toBe(interval);
        expect(r.value, label).toBeLessThanOrEqual(Math.min(r.chain!, interval));
        if (p === 'inf') {
          // Row by row: each output row keeps the smaller of its chain bound and its interval row norm.
          const J = intervalJacobianBound(net, domain, p, preBounds);
          const fallback = rows.map((_, i) => Array.from({ length: d }, (_, j) => Math.max(Math.abs(J.lo[i * d + j]), Math.abs(J.hi[i * d + j]))).reduce((a, v) => a + v, 0));
          expect(r.value, label).toBeLessThanOrEqual(Math.max(...rows.map((v, i) => Math.min(v, fallback[i]))) * (1 + 1e-9) + 1e-300);
        }
        expect(r.value, label).toBeGreaterThanOrEqual(patternMaximum(net, states, p) * (1 - 1e-12));
        if (r.chain! < interval * (1 - 1e-6)) chainWins++;
        expect(r.stoppedEarly).toBe(false);
        expect(r.unstable).toBeCloseTo(states.flatMap((x) => Array.from(x)).filter((v) => v === -1).length / states.reduce((a, x) => a + x.length, 0), 14);
      }
      expect(truth).toBeGreaterThanOrEqual(0);
    }
    expect(chainWins).toBeGreaterThan(5); // the chain itself decides many of the values
  });

  it('is exact when every neuron is stable: ‖W₁ D W₀‖_p', () => {
    const net = makeNetwork(2, [denseLayer([[1, 2], [-3, 1], [2, -2]], [0, 0, 0]), denseLayer([[1, -1, 2], [0.5, 1, 1]], [0, 0])]);
    const preBounds = { lo: [Float64Array.of(1, -2, 1)], hi: [Float64Array.of(2, -1, 2)] };
    const pattern = [Uint8Array.of(1, 0, 1)];
    for (const p of NORMS) {
      const J = operatorNorm(jacobianOfPattern(net, pattern), p);
      const r = relaxedJacobianBound(net, queryDomain(net, null), p, { preBounds });
      expect(r.value).toBeGreaterThanOrEqual(J);
      // p = 2 combines row norms, (Σ‖J_r‖²)^{1/2} ≥ ‖J‖₂: compare with the Frobenius norm there.
      const target = p === '2' ? Math.hypot(...Array.from(jacobianOfPattern(net, pattern).data)) : J;
      expect(r.value).toBeLessThan(target * (1 + 1e-12));
      expect(r.unstable).toBe(0);
    }
  });

  it('a free gate costs |λ|ρ/2: f = ρ(x) − ρ(−x) on ℝ with both free gives ‖·‖ ≤ 2, with one fixed on gives 1.5', () => {
    // h₀ = (x, −x), ρ₀ = (1, 1). Row λ = (1, −1): μ = (½, −½), c = ½·1 + (−½)·(−1) = 1, κ = ½ + ½ = 1 → 2.
    const net = makeNetwork(1, [denseLayer([[1], [-1]], [0, 0]), denseLayer([[1, -1]], [0])]);
    const both = { lo: [Float64Array.of(-1, -1)], hi: [Float64Array.of(1, 1)] };
    const domain = queryDomain(net, null);
    for (const p of NORMS) {
      const r = relaxedJacobianBound(net, domain, p, { preBounds: both });
      expect(r.chain!).toBeGreaterThanOrEqual(2);
      expect(r.chain!).toBeLessThan(2 * (1 + 1e-12));
      expect(r.unstable).toBe(1);
    }
    // First unit always on: μ = (1, −½), c = 1 + ½ = 1.5, κ = ½ → 2; the interval bound is |1| + |−1|·1 = 2 too.
    const one = { lo: [Float64Array.of(1, -1)], hi: [Float64Array.of(2, 1)] };
    const r = relaxedJacobianBound(net, domain, 'inf', { preBounds: one });
    expect(r.chain!).toBeGreaterThanOrEqual(2);
    expect(r.chain!).toBeLessThan(2 * (1 + 1e-12));
    expect(r.unstable).toBe(0.5);
  });

  it('with no bounds given, uses linear bounds over the domain and stays above every sampled gradient norm', () => {
    const s = createStream(5, 'test/unit/jacobianRelaxation-domain');
    const net = gaussianNet(s, 2, [4, 3], 1);
    const box = { lo: Float64Array.of(-0.5, -0.2), hi: Float64Array.of(0.4, 0.6) };
    const domain = queryDomain(net, box);
    const linear = linearPreActivationBounds(net, domain);
    for (const p of NORMS) {
      const r = relaxedJacobianBound(net, domain, p);
      const same = relaxedJacobianBound(net, domain, p, { preBounds: linear });
      expect(r.value).toBe(same.value);
      expect(r.value).toBeGreaterThanOrEqual(patternMaximum(net, neuronStates(linear), p) * (1 - 1e-12));
      expect(r.seconds).toBeGreaterThanOrEqual(0);
    }
  });

  it('when the budget runs out, falls back to the interval rows (chain null) and stays between the pattern maximum and the interval bound', () => {
    const s = createStream(9, 'test/unit/jacobianRelaxation-budget');
    const net = gaussianNet(s, 3, [40, 4], 34); // 34 output rows: two blocks of objective rows
    // Mostly active gates (30 % and 50 % free): here the chain is well below the interval bound.
    const kinds = [Float64Array.from({ length: 40 }, () => (s.uniform() < 0.3 ? -1 : 1)), Float64Array.from({ length: 4 }, () => (s.uniform() < 0.5 ? -1 : 1))];
    const preBounds = { lo: kinds.map((k) => k.map((v) => (v === 1 ? 1 : -1))), hi: kinds.map((k) => k.map(() => 1)) };
    const domain = queryDomain(net, null);
    const full = relaxedJacobianBound(net, domain, 'inf', { preBounds });
    // Checks: one block of ranges (layer 1, 4 rows), then two blocks of objective rows.
    let previous = Infinity;
    for (const n of [0, 1, 2]) {
      const r = relaxedJacobianBound(net, domain, 'inf', { preBounds, budget: stopAfter(n) });
      expect(r.value).toBeLessThanOrEqual(previous); // more rows from the chain: never looser
      previous = r.value;
      expect(r.stoppedEarly).toBe(true);
      expect(r.chain).toBeNull();
      expect(r.value).toBeLessThanOrEqual(r.interval);
      expect(r.value).toBeGreaterThanOrEqual(full.value);
      if (n === 0) expect(r.value).toBe(r.interval);
    }
    expect(full.value).toBeLessThan(full.interval); // the fallback is visible
    // Without preBounds the budget is handed to the linear bounds too: stopped at once, they are the intervals.
    const unbounded = relaxedJacobianBound(net, domain, 'inf', { budget: stopAfter(0) });
    expect(unbounded.interval).toBe(intervalJacobianBound(net, domain, 'inf').value);
    const none = relaxedJacobianBound(net, domain, 'inf', { preBounds, budget: stopAfter(Infinity) });
    expect(none.stoppedEarly).toBe(false);
    expect(none.value).toBe(full.value);
    // For p = 1 the objective rows are the inputs (d = 3): one block.
    expect(relaxedJacobianBound(net, domain, '1', { preBounds, budget: stopAfter(Infinity) }).value).toBe(relaxedJacobianBound(net, domain, '1', { preBounds }).value);
  });

  it('gives +∞, never NaN, when an overflow meets ∞ − ∞, and handles an affine network (no hidden layer)', () => {
    const huge = makeNetwork(1, [denseLayer([[1e308], [1e308]], [0, 0]), denseLayer([[1e308, -1e308]], [0])]);
    const preBounds = { lo: [Float64Array.of(-1, -1)], hi: [Float64Array.of(1, 1)] };
    for (const p of NORMS) {
      const r = relaxedJacobianBound(huge, queryDomain(huge, null), p, { preBounds });
      expect(r.value).toBe(Infinity);
    }
    const affine = makeNetwork(2, [denseLayer([[3, -4]], [1])]);
    const r = relaxedJacobianBound(affine, queryDomain(affine, null), '2', { preBounds: { lo: [], hi: [] } });
    expect(r.value).toBeGreaterThanOrEqual(5);
    expect(r.value).toBeLessThan(5 * (1 + 1e-12));
    expect(r.unstable).toBe(0);
  });
});

describe('relaxedJacobianBound: rounding', () => {
  it('allows for the rounding of the chain\'s products: J = 0.1 + 0.3 − 0.4 is 2⁻⁵⁵ in magnitude exactly but 0 computed', () => {
    // Every unit active: J = W₂W₁W₀ = 0.1 + 0.3 − 0.4 in the doubles' exact values, |J| = 2.8e-17 for every
    // norm (1 × 1), while the floating-point chain computes 0: only its error term keeps it above |J|.
    const { net, bounds: preBounds, J } = cancellingChain();
    expect(sign(J)).toBe(-1);
    for (const p of NORMS) {
      const r = relaxedJacobianBound(net, queryDomain(net, null), p, { preBounds });
      expect(sign(add(J, dyadic(r.chain!)))).toBeGreaterThanOrEqual(0); // |J| = −J ≤ chain
      expect(r.chain!).toBeLessThan(1e-13);
    }
  });
});

describe('relaxedJacobianBound: what the budget and the clock decide', () => {
  // f = ρ(ρ(x) + ρ(−x) − 1.5) on [−1, 1]: ρ(x) + ρ(−x) = |x| ≤ 1, so the last unit is dead and f = 0.
  // Interval bounds give it [−1.5, 0.5] (free); back-substitution (chords (1 ± x)/2) gives hi = −0.5.
  const deadByCrown = makeNetwork(1, [denseLayer([[1], [-1]], [0, 0]), denseLayer([[1, 1]], [-1.5]), denseLayer([[1]], [0])]);
  const onBox = queryDomain(deadByCrown, { lo: Float64Array.of(-1), hi: Float64Array.of(1) });

  it('hands its budget to the linear bounds: out of time, the unit stays free (interval bound 1); with time, it is dead (0)', () => {
    const rushed = relaxedJacobianBound(deadByCrown, onBox, 'inf', { budget: stopAfter(0) });
    expect(rushed.interval).toBe(intervalJacobianBound(deadByCrown, onBox, 'inf').value);
    expect(rushed.interval).toBeGreaterThanOrEqual(1); // J = δ·(δ₁ − δ₂), gates in [0, 1]: |J| ≤ 1
    expect(rushed.stoppedEarly).toBe(true);
    const patient = relaxedJacobianBound(deadByCrown, onBox, 'inf');
    expect(patient.unstable).toBeCloseTo(2 / 3, 15); // ρ(±x) stay free, the last unit is proven dead
    expect(patient.value).toBeLessThan(1e-300); // 0 up to the underflow floor
    expect(patient.interval).toBeLessThan(1e-300);
  });

  it('for p = 1, out of time, is the interval bound: the fallback rows are the columns of the interval Jacobian', () => {
    const s = createStream(9, 'test/unit/jacobianRelaxation-fallback');
    const net = gaussianNet(s, 3, [5], 4);
    const domain = queryDomain(net, null);
    for (const p of NORMS) {
      const r = relaxedJacobianBound(net, domain, p, { budget: stopAfter(0) });
      expect(r.chain).toBeNull();
      expect(r.value).toBeLessThanOrEqual(r.interval);
      if (p !== '2') expect(r.value).toBeGreaterThanOrEqual(r.interval * (1 - 1e-12)); // same rows, max of row norms
    }
  });

  it('checks the budget once per block of up to 32 rows: 32 ranges or 32 objective rows are one check', () => {
    const s = createStream(10, 'test/unit/jacobianRelaxation-block');
    const free = (widths: number[]) => ({ lo: widths.map((w) => new Float64Array(w).fill(-1)), hi: widths.map((w) => new Float64Array(w).fill(1)) });
    // 32 objective rows (p = ∞, k = 32): one check. 32 ranges of the second hidden layer, then one objective row: two.
    for (const [net, preBounds, checks] of [
      [gaussianNet(s, 2, [3], 32), free([3]), 1],
      [gaussianNet(s, 2, [3, 32], 1), free([3, 32]), 2],
    ] as const) {
      const domain = queryDomain(net, null);
      const enough = relaxedJacobianBound(net, domain, 'inf', { preBounds, budget: stopAfter(checks) });
      expect(enough.stoppedEarly).toBe(false);
      expect(enough.chain).not.toBeNull();
      expect(enough.value).toBe(relaxedJacobianBound(net, domain, 'inf', { preBounds }).value);
      const short = relaxedJacobianBound(net, domain, 'inf', { preBounds, budget: stopAfter(checks - 1) });
      expect(short.stoppedEarly).toBe(true);
    }
  });

  it('beyond 32 rows, each block works on its own rows: 40 objective rows, 40 ranges, against the independent chain', () => {
    const s = createStream(11, 'test/unit/jacobianRelaxation-blocks');
    for (const widths of [[3], [3, 40]]) {
      const raw = gaussianNet(s, 2, widths, widths.length === 1 ? 40 : 1);
      // Output rows 32–39 ten times larger: the largest row is in the second block.
      const out = raw.layers[raw.layers.length - 1];
      const net = makeNetwork(2, [...raw.layers.slice(0, -1), { ...out, weights: out.weights.map((w, idx) => (idx >= 32 * out.inDim ? 10 * w : w)) }]);
      const preBounds = randomStates(s, net);
      const r = relaxedJacobianBound(net, queryDomain(net, null), 'inf', { preBounds });
      const chain = Math.max(...referenceChain(net, neuronStates(preBounds), 'inf'));
      expect(r.chain!).toBeGreaterThanOrEqual(chain * (1 - 1e-12));
      expect(r.chain!).toBeLessThanOrEqual(chain * (1 + 1e-9));
    }
  });

  it('reports its own duration: between 0 and the wall time around the call', () => {
    const before = performance.now();
    const r = relaxedJacobianBound(deadByCrown, onBox, '2');
    const wall = (performance.now() - before) / 1000;
    expect(r.seconds).toBeGreaterThanOrEqual(0);
    expect(r.seconds).toBeLessThanOrEqual(wall);
  });
});
