import { describe, expect, it } from 'vitest';
import { cubePreActivations, queryDomain, type Domain } from '../../../../src/lipschitz/domain.js';
import { linearPreActivationBounds } from '../../../../src/lipschitz/upper/linearBounds.js';
import { preActivationBounds } from '../../../../src/lipschitz/upper/intervals.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import { gaussianNet, stopAfter } from '../../../support/upperUnits.js';
import { add, dyadic, mul, sign, type Dyadic } from '../../../support/exactArithmetic.js';
import type { Box } from '../../../../src/lipschitz/query.js';
import { box } from '../../../support/lipschitzUnits.js';

/**
 * Each layer as z_j = W_j·ρ(z_{j−1}) + B_j·y + β_j over a box y ∈ [ylo, yhi], written out from the
 * domain's definition (domain.ts), not from layerInputs: on a box y = x (B₀ = W₀, β = b); on the
 * lifted domain y = u ∈ [−1, 1]^{d+1}, x′ = S·u_{1..d}, t = (u_{d+1} + 1)/2, so B₀ = [S·W₀ | b₀/2],
 * β₀ = b₀/2 and for j ≥ 1 B_j = [0 | b_j/2], β_j = b_j/2.
 */
interface Affine {
  B: number[][];
  beta: number[];
  ylo: number[];
  yhi: number[];
}
function affineParts(net: Network, domain: Domain): Affine[] {
  const d = net.inputDim;
  return net.layers.slice(0, -1).map((layer, j) => {
    const rows = Array.from({ length: layer.outDim }, (_, i) => Array.from(layer.weights.subarray(i * layer.inDim, (i + 1) * layer.inDim)));
    const b = Array.from(layer.biases);
    if (domain.box) {
      return { B: rows.map((w) => (j === 0 ? w : Array<number>(d).fill(0))), beta: b, ylo: Array.from(domain.box.lo), yhi: Array.from(domain.box.hi) };
    }
    const S = domain.scale;
    const B = rows.map((w, i) => [...(j === 0 ? w.map((x) => S * x) : Array<number>(d).fill(0)), b[i] / 2]);
    return { B, beta: b.map((x) => x / 2), ylo: Array<number>(d + 1).fill(-1), yhi: Array<number>(d + 1).fill(1) };
  });
}

/** max of c·y over the box. */
const boxMax = (c: number[], lo: number[], hi: number[]) => c.reduce((s, ck, k) => s + ck * (ck > 0 ? hi[k] : lo[k]), 0);

/**
 * Textbook CROWN without rounding allowances (independent of linearBounds.ts): plain interval
 * propagation (of the interval bounds alone, as preActivationBounds does), intersected with the back-substituted linear bound that relaxes every
 * earlier ReLU from its final bounds — chord s = h/(h − l) above, α = [h > −l] below.
 */
function referenceCrown(net: Network, domain: Domain): { lo: number[][]; hi: number[][] } {
  const parts = affineParts(net, domain);
  const [lo, hi, ibpLo, ibpHi]: number[][][] = [[], [], [], []];
  for (let m = 0; m < parts.length; m++) {
    const layer = net.layers[m];
    const { B, beta, ylo, yhi } = parts[m];
    const [L, H, IL, IH]: number[][] = [[], [], [], []];
    for (let i = 0; i < layer.outDim; i++) {
      // Interval propagation.
      let ih = beta[i] + boxMax(B[i], ylo, yhi);
      let il = beta[i] - boxMax(B[i].map((x) => -x), ylo, yhi);
      if (m > 0) {
        for (let k = 0; k < layer.inDim; k++) {
          const w = layer.weights[i * layer.inDim + k];
          const [aLo, aHi] = [Math.max(0, ibpLo[m - 1][k]), Math.max(0, ibpHi[m - 1][k])];
          ih += Math.max(w * aLo, w * aHi);
          il += Math.min(w * aLo, w * aHi);
        }
      }
      // Back-substitution of ±z_{m,i}.
      const side = (s: number) => {
        let lam = m > 0 ? Array.from(layer.weights.subarray(i * layer.inDim, (i + 1) * layer.inDim), (w) => s * w) : [];
        const c = B[i].map((x) => s * x);
        let kappa = s * beta[i];
        for (let j = m - 1; j >= 0; j--) {
          const mu = lam.map((l, k) => {
            const [lj, hj] = [lo[j][k], hi[j][k]];
            if (lj >= 0) return l;
            if (hj <= 0) return 0;
            if (l > 0) {
              const slope = hj / (hj - lj);
              kappa -= l * slope * lj;
              return l * slope;
            }
            return hj > -lj ? l : 0;
          });
          const Wj = net.layers[j];
          mu.forEach((v, k) => {
            kappa += v * parts[j].beta[k];
            parts[j].B[k].forEach((x, q) => (c[q] += v * x));
          });
          lam = j > 0 ? Array.from({ length: Wj.inDim }, (_, q) => mu.reduce((acc, v, k) => acc + v * Wj.weights[k * Wj.inDim + q], 0)) : [];
        }
        return boxMax(c, ylo, yhi) + kappa;
      };
      IH.push(ih);
      IL.push(il);
      H.push(Math.min(ih, side(1)));
      L.push(Math.max(il, -side(-1)));
    }
    lo.push(L);
    hi.push(H);
    ibpLo.push(IL);
    ibpHi.push(IH);
  }
  return { lo, hi };
}


describe('linearPreActivationBounds', () => {
  it('are textbook CROWN (an independent implementation) up to rounding allowances, on boxes and globally', () => {
    const s = createStream(21, 'test/unit/linearBounds');
    let tighter = 0;
    for (let t = 0; t < 10; t++) {
      const d = 1 + (t % 3);
      const net = gaussianNet(s, d, t % 2 ? [4, 3, 3] : [5, 4], 1, 0.1, 0.5);
      const b = box(Array.from({ length: d }, () => -1 + 0.5 * s.uniform()), Array.from({ length: d }, () => 0.2 + s.uniform()));
      for (const domain of [queryDomain(net, b), queryDomain(net, null)]) {
        const bounds = linearPreActivationBounds(net, domain);
        const ref = referenceCrown(net, domain);
        const intervals = preActivationBounds(net, domain);
        expect(bounds.refined).toBe(bounds.total);
        expect(bounds.total).toBe(net.layers.slice(0, -1).reduce((acc, l) => acc + l.outDim, 0));
        expect(bounds.stoppedEarly).toBe(false);
        ref.hi.forEach((H, l) =>
          H.forEach((h, i) => {
            const tol = 1e-9 * (1 + Math.abs(h) + Math.abs(ref.lo[l][i]));
            expect(bounds.hi[l][i]).toBeGreaterThanOrEqual(h - tol);
            expect(bounds.hi[l][i], `${domain.kind} t=${t} l=${l} i=${i}`).toBeLessThanOrEqual(h + tol);
            expect(bounds.lo[l][i]).toBeGreaterThanOrEqual(ref.lo[l][i] - tol);
            expect(bounds.lo[l][i]).toBeLessThanOrEqual(ref.lo[l][i] + tol);
            expect(bounds.hi[l][i]).toBeLessThanOrEqual(intervals.hi[l][i]);
            expect(bounds.lo[l][i]).toBeGreaterThanOrEqual(intervals.lo[l][i]);
            if (bounds.hi[l][i] < intervals.hi[l][i] - 1e-6 || bounds.lo[l][i] > intervals.lo[l][i] + 1e-6) tighter++;
          }),
        );
      }
    }
    expect(tighter).toBeGreaterThan(20); // the comparison is not only with interval bounds
  });

  it('contain every sampled pre-activation strictly inside (the rounding allowance is positive)', () => {
    const s = createStream(4, 'test/unit/linearBounds-samples');
    for (let t = 0; t < 6; t++) {
      const net = gaussianNet(s, 2, [4, 4, 3], 1, 0.1, 0.5);
      const b = box([-0.5, 0.1], [0.7, 0.9]);
      for (const domain of [queryDomain(net, b), queryDomain(net, null)]) {
        const bounds = linearPreActivationBounds(net, domain);
        for (let p = 0; p < 30; p++) {
          const u = Float64Array.from({ length: domain.n }, () => (p < 4 ? ((p >> 0) & 1 ? 1 : -1) : 2 * s.uniform() - 1));
          cubePreActivations(net, domain, u).forEach((z, l) =>
            z.forEach((v, i) => {
              expect(v).toBeGreaterThanOrEqual(bounds.lo[l][i]);
              expect(v).toBeLessThanOrEqual(bounds.hi[l][i]);
            }),
          );
        }
        bounds.lo.forEach((L, l) => L.forEach((v, i) => expect(v).toBeLessThan(bounds.hi[l][i])));
      }
    }
  });

  it('a neuron exactly determined by an earlier active one is bounded to within rounding: z₁ = z₀ − (x + 2) = 0 on [−1, 1]', () => {
    // z₀ = x + 2 ∈ [1, 3] (active), z₁ = ρ(z₀) − x − 2 ≡ 0: intervals give [−2, 2], CROWN [0, 0] ± rounding.
    // With an unstable neuron beside it (kink at 0) whose chord and lower line are exercised too.
    const net = makeNetwork(1, [
      denseLayer([[1], [1]], [2, 0]),
      denseLayer([[1, 0], [0, 1], [0, -1]], [-2, 0, 0]),
      denseLayer([[1, 1, 1]], [0]),
    ]);
    const domain = queryDomain(net, box([-1], [1]));
    const bounds = linearPreActivationBounds(net, domain);
    // Layer 1 neuron 0: ρ(x + 2) − 2 = x ∈ [−1, 1]; neuron 1: ρ(x) ∈ [0, 1] (chord: ≤ (x + 1)/2 → ≤ 1;
    // lower line α = 0 since h = −l: ≥ 0); neuron 2: −ρ(x) ∈ [−1, 0].
    const expected = [[-1, 1], [0, 1], [-1, 0]];
    expected.forEach(([l, h], i) => {
      expect(bounds.lo[1][i]).toBeLessThanOrEqual(l);
      expect(bounds.lo[1][i]).toBeGreaterThan(l - 1e-12);
      expect(bounds.hi[1][i]).toBeGreaterThanOrEqual(h);
      expect(bounds.hi[1][i]).toBeLessThan(h + 1e-12);
    });
  });

  it('allow for the rounding of the products with later layers\' weights: −0.1 − 0.2 + 0.3 is −2⁻⁵⁵ exactly but −2⁻⁵⁴ computed', () => {
    // x ≈ 1e8 (active), y = (0.1, 0.2, 0.3)·x (active), w = −y₀ − y₁ + y₂ = ε·x with ε = 0.3 − 0.1 − 0.2 in
    // the doubles' exact values (−2.8e-17). Back-substitution computes the coefficient of x as −5.6e-17, so
    // its upper bound of w is off by 2.8e-17·x ≈ 2.8e-9 unless it allows for |W|·|a| ≈ 6e7 of products.
    const c = 1e8;
    const net = makeNetwork(1, [denseLayer([[1]], [0]), denseLayer([[0.1], [0.2], [0.3]], [0, 0, 0]), denseLayer([[-1, -1, 1]], [0]), denseLayer([[1]], [0])]);
    const b = box([c - 1e-3], [c + 1e-3]);
    const bounds = linearPreActivationBounds(net, queryDomain(net, b));
    const epsilon = add(add(dyadic(0.3), mul(dyadic(-1), dyadic(0.1))), mul(dyadic(-1), dyadic(0.2)));
    expect(sign(epsilon)).toBe(-1);
    const minus = (a: Dyadic, x: number) => add(a, mul(dyadic(-1), dyadic(x)));
    expect(sign(minus(mul(epsilon, dyadic(b.lo[0])), bounds.hi[2][0]))).toBeLessThanOrEqual(0); // max w = ε·lo ≤ upper bound
    expect(sign(minus(mul(epsilon, dyadic(b.hi[0])), bounds.lo[2][0]))).toBeGreaterThanOrEqual(0); // min w = ε·hi ≥ lower bound
    expect(bounds.hi[2][0] - bounds.lo[2][0]).toBeLessThan(1e-4); // tighter than the intervals (width ≈ 1.2e-3)
  });

  it('break the tie h = −l as textbook CROWN does (α = 0): zero first-layer biases on a box symmetric about 0', () => {
    // Every first-layer neuron then has l = −h exactly (the rounding allowances are symmetric too).
    const s = createStream(8, 'test/unit/linearBounds-tie');
    let decided = 0;
    for (let t = 0; t < 4; t++) {
      const net = gaussianNet(s, 2, [4, 3], 1);
      const layers = net.layers.map((l, j) => (j === 0 ? { ...l, biases: new Float64Array(l.outDim) } : l));
      const tied = makeNetwork(2, layers);
      const domain = queryDomain(tied, box([-1, -1], [1, 1]));
      const bounds = linearPreActivationBounds(tied, domain);
      expect(Array.from(bounds.hi[0], (h, i) => h + bounds.lo[0][i])).toEqual([0, 0, 0, 0]);
      const ref = referenceCrown(tied, domain);
      const intervals = preActivationBounds(tied, domain);
      ref.lo[1].forEach((l, i) => {
        const tol = 1e-9 * (1 + Math.abs(l));
        expect(bounds.lo[1][i]).toBeGreaterThanOrEqual(l - tol);
        expect(bounds.lo[1][i]).toBeLessThanOrEqual(l + tol);
        if (bounds.lo[1][i] > intervals.lo[1][i] + 1e-6) decided++;
      });
    }
    expect(decided).toBeGreaterThan(0); // the lower line, not the interval bound, sets some of them
  });

  it('report their own duration: between 0 and the wall time around the call', () => {
    const s = createStream(3, 'test/unit/linearBounds-seconds');
    const net = gaussianNet(s, 2, [3, 3], 1);
    const before = performance.now();
    const bounds = linearPreActivationBounds(net, queryDomain(net, box([-1, -1], [1, 1])));
    const wall = (performance.now() - before) / 1000;
    expect(bounds.seconds).toBeGreaterThanOrEqual(0);
    expect(bounds.seconds).toBeLessThanOrEqual(wall);
  });

  it('use the lower line α = 1 when h > −l and α = 0 otherwise', () => {
    // Layer 0: z = x on [−1, 3] (h > −l: α = 1, chord slope 3/4) and z' = −x on [−3, 1] (α = 0).
    // Layer 1: −ρ(x) has lower bound −(3/4)(x + 1) ≥ −3; ρ(x) ≥ x ≥ −1 → max with 0 from intervals.
    // −ρ(−x) ≥ −(1/4)(−x + 3) = (x − 3)/4 ≥ −1; ρ(−x) − 0.5 ≥ 0·(−x) − 0.5 = −0.5 (α = 0).
    const net = makeNetwork(1, [
      denseLayer([[1], [-1]], [0, 0]),
      denseLayer([[-1, 0], [1, 0], [0, -1], [0, 1], [1, -1]], [0, 0, 0, -0.5, 0]),
      denseLayer([[1, 1, 1, 1, 1]], [0]),
    ]);
    const domain = queryDomain(net, box([-1], [3]));
    const b = linearPreActivationBounds(net, domain);
    const near = (v: number, target: number) => {
      expect(v).toBeGreaterThan(target - 1e-12);
      expect(v).toBeLessThan(target + 1e-12);
    };
    near(b.lo[1][0], -3);
    near(b.hi[1][0], 0);
    near(b.hi[1][1], 3);
    near(b.lo[1][2], -1);
    near(b.lo[1][3], -0.5);
    // ρ(x) − ρ(−x) = x ∈ [−1, 3]: upper via chord of ρ(x) (¾(x + 1)) minus α·(−x) with α = 0 → ≤ 3;
    // intervals give [−1, 3] as well: never looser than them.
    expect(b.hi[1][4]).toBeLessThanOrEqual(3 + 1e-12);
    expect(b.lo[1][4]).toBeGreaterThanOrEqual(-1 - 1e-12);
  });

  it('keep the interval bounds for the layers the budget did not reach, and count what was refined', () => {
    const s = createStream(2, 'test/unit/linearBounds-budget');
    const net = gaussianNet(s, 2, [40, 5, 3], 1, 0.1, 0.5);
    const domain = queryDomain(net, box([-0.5, -0.5], [0.5, 0.5]));
    const intervals = preActivationBounds(net, domain);
    const full = linearPreActivationBounds(net, domain);
    const none = linearPreActivationBounds(net, domain, { budget: stopAfter(0) });
    expect(none.stoppedEarly).toBe(true);
    expect(none.refined).toBe(0);
    expect(none.hi).toEqual(intervals.hi);
    expect(none.lo).toEqual(intervals.lo);
    // Layer 0 has 40 neurons: two blocks (32 + 8); then one block of layer 1, then the stop.
    const some = linearPreActivationBounds(net, domain, { budget: stopAfter(3) });
    expect(some.stoppedEarly).toBe(true);
    expect(some.refined).toBe(45);
    expect(some.hi[1]).toEqual(full.hi[1]);
    expect(some.lo[2]).toEqual(intervals.lo[2]);
    expect(some.hi[2]).toEqual(intervals.hi[2]);
    const all = linearPreActivationBounds(net, domain, { budget: stopAfter(Infinity) });
    expect(all.stoppedEarly).toBe(false);
    expect(all.refined).toBe(48);
    expect(all.hi).toEqual(full.hi);
    // Supplied intervals are intersected with: looser ones change nothing, tighter ones are kept.
    const loose = { lo: intervals.lo.map((l) => l.map((v) => v - 1)), hi: intervals.hi.map((h) => h.map((v) => v + 1)) };
    const withLoose = linearPreActivationBounds(net, domain, { intervals: loose });
    withLoose.hi.forEach((H, l) => H.forEach((v, i) => expect(Math.abs(v - full.hi[l][i])).toBeLessThan(1e-9 * (1 + Math.abs(v)))));
    // (Not a sound input, only to see it kept: the bounds never exceed the intervals handed in.)
    const tight = { lo: full.lo.map((l) => l.map((v) => v + 0.01)), hi: full.hi.map((h) => h.map((v) => v - 0.01)) };
    const withTight = linearPreActivationBounds(net, domain, { intervals: tight });
    withTight.hi.forEach((H, l) => H.forEach((v, i) => expect(v).toBeLessThanOrEqual(tight.hi[l][i])));
    withTight.lo.forEach((L, l) => L.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(tight.lo[l][i])));
  });

  it('check the budget once per block of up to 32 neurons: a layer of exactly 32 is one check', () => {
    const s = createStream(4, 'test/unit/linearBounds-block');
    const net = gaussianNet(s, 2, [32, 3], 1, 0.1, 0.5);
    const domain = queryDomain(net, box([-0.5, -0.5], [0.5, 0.5]));
    const two = linearPreActivationBounds(net, domain, { budget: stopAfter(2) }); // layer 0, then layer 1
    expect(two.stoppedEarly).toBe(false);
    expect(two.refined).toBe(35);
    const one = linearPreActivationBounds(net, domain, { budget: stopAfter(1) });
    expect(one.stoppedEarly).toBe(true);
    expect(one.refined).toBe(32);
  });

  it('read an interval bound that overflowed to NaN as unbounded, and give no finite bound from an infinite one', () => {
    const net = makeNetwork(1, [denseLayer([[1], [1]], [0, 0]), denseLayer([[1, -1]], [0]), denseLayer([[1]], [0])]);
    const domain = queryDomain(net, box([-1], [1]));
    const intervals = preActivationBounds(net, domain);
    const broken = { lo: [Float64Array.of(NaN, -1), intervals.lo[1]], hi: [Float64Array.of(1, NaN), intervals.hi[1]] };
    const b = linearPreActivationBounds(net, domain, { intervals: broken });
    // Layer 0 is refined exactly anyway (x ∈ [−1, 1]); layer 1 = ρ(x) − ρ(x) ∈ [−1, 1] by the relaxations.
    for (let i = 0; i < 2; i++) {
      expect(b.lo[0][i]).toBeGreaterThan(-1 - 1e-12);
      expect(b.lo[0][i]).toBeLessThanOrEqual(-1); // NaN read as −∞ (no bound), then refined to x ≥ −1
      expect(b.hi[0][i]).toBeLessThan(1 + 1e-12);
    }
    expect(b.hi[1][0]).toBeGreaterThanOrEqual(0);
    expect(b.hi[1][0]).toBeLessThan(1 + 1e-12);
    const infinite = { lo: [Float64Array.of(-Infinity, -1), intervals.lo[1]], hi: [Float64Array.of(Infinity, 1), Float64Array.of(Infinity)] };
    // A layer-0 bound that is infinite is refined (layer 0 is exact); a NaN-free infinite one later stays sound.
    const c = linearPreActivationBounds(net, domain, { intervals: infinite });
    expect(c.hi[0][0]).toBeLessThan(1 + 1e-12);
    expect(c.hi[1][0]).toBeLessThan(1 + 1e-12);
  });
  it('after a layer whose bounds overflowed to ±∞, later layers keep sound (infinite) bounds, never NaN', () => {
    // z₀ = 1e200·x, z₁ = 1e200·ρ(z₀) (bounds reach 1e400 = ∞), z₂ = ρ(z₁) − 1: unbounded above.
    const net = makeNetwork(1, [denseLayer([[1e200]], [0]), denseLayer([[1e200]], [0]), denseLayer([[1]], [-1]), denseLayer([[1]], [0])]);
    const b = linearPreActivationBounds(net, queryDomain(net, box([-1], [1])));
    expect(b.hi[1][0]).toBe(Infinity);
    expect(b.hi[2][0]).toBe(Infinity);
    for (const L of b.lo) for (const v of L) expect(Number.isNaN(v)).toBe(false);
    expect(b.lo[2][0]).toBeLessThanOrEqual(-1);
  });
  it('far from the origin, an exact cancellation of terms of 1e8 is contained exactly, with an allowance for the terms, not their difference', () => {
    // Layer 0: x₁ and x₁ + 1e-9·x₂ (both ≈ 1e8, always active); layer 1: their difference − 0.1,
    // exactly 1e-9·x₂ − 0.1 (the doubles 1e-9 and 0.1), a range about 1e-12 wide near 0.
    const c = 1e8;
    const net = makeNetwork(2, [denseLayer([[1, 0], [1, 1e-9]], [0, 0]), denseLayer([[-1, 1]], [-0.1]), denseLayer([[1]], [0])]);
    const b = box([c - 5e-4, c - 5e-4], [c + 5e-4, c + 5e-4]);
    const bounds = linearPreActivationBounds(net, queryDomain(net, b));
    const at = (x2: number): Dyadic => add(mul(dyadic(1e-9), dyadic(x2)), dyadic(-0.1));
    const minus = (a: Dyadic, x: number) => add(a, mul(dyadic(-1), dyadic(x)));
    expect(sign(minus(at(b.lo[1]), bounds.lo[1][0]))).toBeGreaterThanOrEqual(0); // exact ≥ lower bound
    expect(sign(minus(at(b.hi[1]), bounds.hi[1][0]))).toBeLessThanOrEqual(0); // exact ≤ upper bound
    // Not vacuous: within 1e-5 of the range. And the allowance covers u·Σ|terms| (terms of 1e8 each).
    expect(bounds.hi[1][0] - bounds.lo[1][0]).toBeLessThan(1e-5);
    const slack = 2 ** -53 * 2 * c;
    expect(bounds.hi[1][0] - (1e-9 * b.hi[1] - 0.1)).toBeGreaterThan(slack);
    expect(1e-9 * b.lo[1] - 0.1 - bounds.lo[1][0]).toBeGreaterThan(slack);
  });
});
