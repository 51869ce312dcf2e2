import { describe, expect, it } from 'vitest';
import { queryDomain } from '../../../../src/lipschitz/domain.js';
import { lipschitzMip, type MipObjective } from '../../../../src/lipschitz/upper/lipschitzMip.js';
import { operatorNorm } from '../../../../src/linalg/norms.js';
import { jacobianOfPattern } from '../../../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../../../src/network/network.js';
import { createStream } from '../../../../src/random/stream.js';
import type { Box } from '../../../../src/lipschitz/query.js';
import { bruteForceLipschitz } from '../../../support/bruteForce.js';
import { gaussianNet } from '../../../support/upperUnits.js';
import { box } from '../../../support/lipschitzUnits.js';
import { add, dyadic, mul, sign } from '../../../support/exactArithmetic.js';

const e = (d: number, j: number, s = 1) => Float64Array.from({ length: d }, (_, k) => (k === j ? s : 0));

/** The largest MIP bound and incumbent over a list of objectives, each incumbent checked against its own pattern. */
async function mipMax(net: Network, b: Box | null, objective: (d: number) => MipObjective[]) {
  const domain = queryDomain(net, b);
  let upper = 0;
  let incumbent = -Infinity;
  for (const o of objective(net.inputDim)) {
    const r = await lipschitzMip(net, domain, o, 10);
    expect(r.status).toBe('optimal');
    upper = Math.max(upper, r.upper);
    incumbent = Math.max(incumbent, r.incumbent);
    // The incumbent's pattern attains the incumbent: its Jacobian's objective value is the same number.
    expect(Array.from(r.pattern!, (p) => p.length)).toEqual(net.layers.slice(0, -1).map((l) => l.outDim));
    const J = jacobianOfPattern(net, r.pattern!);
    const d = net.inputDim;
    const Jw = (w: Float64Array) => Array.from({ length: J.rows }, (_, i) => w.reduce((acc, wj, j) => acc + J.data[i * d + j] * wj, 0));
    const vJ = (v: Float64Array) => Array.from({ length: d }, (_, j) => v.reduce((acc, vi, i) => acc + vi * J.data[i * d + j], 0));
    const l1 = (x: number[]) => x.reduce((acc, y) => acc + Math.abs(y), 0);
    const value = o.kind === 'directional' ? Jw(o.w).reduce((acc, y, i) => acc + o.v[i] * y, 0) : o.kind === 'forward-l1' ? l1(Jw(o.w)) : l1(vJ(o.v));
    expect(r.incumbent).toBeCloseTo(value, 6);
  }
  return { upper, incumbent };
}

/** Objectives whose maximum is a Lipschitz constant: ‖∇f‖₁ = Lip_∞ (scalar), max_j ‖J e_j‖₁ = Lip₁. */
const reverse = () => [{ kind: 'reverse-l1', v: Float64Array.of(1) } as MipObjective];
const forward = (d: number) => Array.from({ length: d }, (_, j) => ({ kind: 'forward-l1', w: e(d, j) }) as MipObjective);

describe('lipschitzMip: exact up to MIP_MARGIN on small networks (brute force over regions)', () => {
  const s = createStream(31, 'test/unit/lipschitzMip');
  const shallow = gaussianNet(s, 2, [3]);
  const b = box([-0.6, -0.4], [0.5, 0.7]);

  it('one hidden layer on a box: ‖∇f‖₁ (reverse), ‖J‖₁ (forward), and ±e₀ directions agree with forward e₀', async () => {
    const inf = bruteForceLipschitz(shallow, 'inf', b).lipschitz;
    const one = bruteForceLipschitz(shallow, '1', b).lipschitz;
    for (const [objectives, truth] of [[reverse, inf], [forward, one]] as const) {
      const r = await mipMax(shallow, b, objectives);
      expect(r.upper).toBeGreaterThanOrEqual(truth);
      expect(r.upper).toBeLessThanOrEqual(truth * (1 + 1e-5) + 1e-9);
      expect(r.incumbent).toBeLessThanOrEqual(truth * (1 + 1e-6) + 1e-9);
      expect(r.incumbent).toBeGreaterThanOrEqual(truth * (1 - 1e-6) - 1e-9);
    }
    // max(+e₀·∇f, −e₀·∇f) = max |∂f/∂x₀| = forward-l1 along e₀: two encodings of the same number.
    const both = await mipMax(shallow, b, () => [1, -1].map((sg) => ({ kind: 'directional', w: e(2, 0, sg), v: Float64Array.of(1) }) as MipObjective));
    const fwd = await lipschitzMip(shallow, queryDomain(shallow, b), { kind: 'forward-l1', w: e(2, 0) }, 10);
    expect(both.upper).toBeGreaterThanOrEqual(fwd.incumbent);
    expect(both.upper).toBeLessThanOrEqual(fwd.incumbent * (1 + 1e-5) + 1e-9);
    expect(both.incumbent).toBeCloseTo(fwd.incumbent, 6);
  });

  it('two hidden layers, globally (lifted domain) and on a box: at least the constant, and exact on the box', async () => {
    const deep = gaussianNet(s, 2, [2, 1]);
    const global = bruteForceLipschitz(deep, 'inf', null).lipschitz;
    expect((await mipMax(deep, null, reverse)).upper).toBeGreaterThanOrEqual(global);
    const local = bruteForceLipschitz(deep, 'inf', b).lipschitz;
    const r = await mipMax(deep, b, reverse);
    expect(r.upper).toBeGreaterThanOrEqual(local);
    expect(r.upper).toBeLessThanOrEqual(local * (1 + 1e-5) + 1e-9);
  });

  it('vector outputs: forward ‖J e₀‖₁ gives ‖J‖₁ (d = 1)', async () => {
    const net = gaussianNet(s, 1, [3], 2); // d = 1: one forward MIP, ‖J e₀‖₁ = ‖J‖₁
    const b1 = box([-0.6], [0.5]);
    const one = bruteForceLipschitz(net, '1', b1).lipschitz;
    const fwd = await mipMax(net, b1, forward);
    expect(fwd.upper).toBeGreaterThanOrEqual(one);
    expect(fwd.upper).toBeLessThanOrEqual(one * (1 + 1e-5));
  });

  it('two hidden layers in forward mode (‖J e_j‖₁: Lip₁) and a vector output in reverse mode (‖vᵀJ‖₁, v = (1, −1)), against brute force', async () => {
    const deep = gaussianNet(s, 2, [3, 2]);
    const one = bruteForceLipschitz(deep, '1', b).lipschitz;
    const fwd = await mipMax(deep, b, forward);
    expect(fwd.upper).toBeGreaterThanOrEqual(one);
    expect(fwd.upper).toBeLessThanOrEqual(one * (1 + 1e-5) + 1e-9);
    // vᵀJ for v = (1, −1) is the gradient of f₁ − f₂: the scalar net with output row W₁ − W₂.
    const wide = gaussianNet(s, 2, [3], 2);
    const [hidden, out] = wide.layers;
    const diff = makeNetwork(2, [hidden, { ...out, outDim: 1, weights: Float64Array.from({ length: 3 }, (_, j) => out.weights[j] - out.weights[3 + j]), biases: Float64Array.of(0) }]);
    const inf = bruteForceLipschitz(diff, 'inf', b).lipschitz;
    const rev = await mipMax(wide, b, () => [{ kind: 'reverse-l1', v: Float64Array.of(1, -1) } as MipObjective]);
    expect(rev.upper).toBeGreaterThanOrEqual(inf);
    expect(rev.upper).toBeLessThanOrEqual(inf * (1 + 1e-5) + 1e-9);
  });

  it('scale-free: weights ×3^20 in layer 0 (biases too) and ×7·2^-40 in layer 1 scale the bound by their product', async () => {
    const [f0, f1] = [3 ** 20, 7 * 2 ** -40];
    const scaled = makeNetwork(2, [
      { ...shallow.layers[0], weights: shallow.layers[0].weights.map((w) => w * f0), biases: shallow.layers[0].biases.map((c) => c * f0) },
      { ...shallow.layers[1], weights: shallow.layers[1].weights.map((w) => w * f1) },
    ]);
    const base = bruteForceLipschitz(shallow, 'inf', b).lipschitz;
    const r = (await mipMax(scaled, b, reverse)).upper / (f0 * f1);
    expect(r).toBeGreaterThanOrEqual(base * (1 - 1e-9));
    expect(r).toBeLessThanOrEqual(base * (1 + 1e-5));
  });

  it('an affine network has one Jacobian: vᵀWw, ‖Ww‖₁, ‖vᵀW‖₁, bounded from above within rounding', async () => {
    const net = makeNetwork(2, [denseLayer([[1, -2], [3, 4]], [5, 6])]);
    const domain = queryDomain(net, null);
    const cases: [MipObjective, number][] = [
      [{ kind: 'directional', w: Float64Array.of(1, 0), v: Float64Array.of(1, 1) }, 4],
      [{ kind: 'directional', w: Float64Array.of(0, -1), v: Float64Array.of(2, 1) }, 0],
      [{ kind: 'forward-l1', w: Float64Array.of(0, 1) }, 6],
      [{ kind: 'forward-l1', w: Float64Array.of(1, 1) }, 8],
      [{ kind: 'reverse-l1', v: Float64Array.of(1, -1) }, 8],
      [{ kind: 'reverse-l1', v: Float64Array.of(0, 2) }, 14],
    ];
    for (const [objective, value] of cases) {
      const r = await lipschitzMip(net, domain, objective, 1);
      expect(r.incumbent).toBe(value);
      expect(r.upper).toBeGreaterThan(value);
      expect(r.upper).toBeLessThan(value + 1e-13);
      expect(r.status).toBe('optimal');
      expect(r.pattern).toEqual([]);
    }
    // A directional objective's allowance scales with |w|: −0.1 − 0.3 + 0.4 computes to 0 but is 2⁻⁵⁵ in
    // the doubles' exact values, and times w = 2¹⁰ it is 2.8e-14, more than γ·Σ|v·W| without |w|.
    const tiny = makeNetwork(3, [denseLayer([[-0.1, -0.3, 0.4]], [0])]);
    const scaled = await lipschitzMip(tiny, queryDomain(tiny, null), { kind: 'directional', w: Float64Array.of(1024, 1024, 1024), v: Float64Array.of(1) }, 1);
    const exact = mul(dyadic(1024), add(add(dyadic(-0.1), dyadic(-0.3)), dyadic(0.4)));
    expect(sign(exact)).toBe(1);
    expect(sign(add(exact, dyadic(-scaled.upper)))).toBeLessThanOrEqual(0);
    // Cancelling terms still get a positive allowance: 1e16 − 1e16 + 1 is not trusted to be exact.
    const cancel = makeNetwork(3, [denseLayer([[1e16, -1e16, 1]], [0])]);
    const r = await lipschitzMip(cancel, queryDomain(cancel, null), { kind: 'directional', w: Float64Array.of(1, 1, 1), v: Float64Array.of(1) }, 1);
    expect(r.upper).toBeGreaterThanOrEqual(1);
    expect(r.upper - r.incumbent).toBeGreaterThan(1); // γ·Σ|terms| ≈ 4.4e-16·2e16
  });

  it('gives no bound (Infinity) when the rescaling would overflow or underflow, and 0 for a network with every neuron dead', async () => {
    const huge = makeNetwork(1, [denseLayer([[1e300]], [0]), denseLayer([[1e300]], [0])]);
    const r = await lipschitzMip(huge, queryDomain(huge, box([-1], [1])), { kind: 'reverse-l1', v: Float64Array.of(1) }, 1);
    expect(r.upper).toBe(Infinity);
    expect(r.status).toBe('scale out of range');
    expect(r.pattern).toBeNull();
    expect(r.incumbent).toBe(-Infinity); // no pattern, no value attained
    // Underflow too: layer 0's row 2⁻⁶⁰⁰ is divided by 2⁻⁶⁰⁰, so the output weight 3·2⁻⁵⁰⁰ would be carried
    // to 3·2⁻¹¹⁰⁰, which rounds to 0 (the constant 3·2⁻¹¹⁰⁰ > 0 would be bounded by 0): no bound instead.
    const tiny = makeNetwork(1, [denseLayer([[2 ** -600]], [0]), denseLayer([[3 * 2 ** -500]], [0])]);
    const t = await lipschitzMip(tiny, queryDomain(tiny, box([-1], [1])), { kind: 'reverse-l1', v: Float64Array.of(1) }, 1);
    expect(t.upper).toBe(Infinity);
    expect(t.status).toBe('scale out of range');
    const dead = makeNetwork(1, [denseLayer([[1], [2]], [-5, -9]), denseLayer([[3, 4]], [0])]);
    const z = await lipschitzMip(dead, queryDomain(dead, box([-1], [1])), { kind: 'reverse-l1', v: Float64Array.of(1) }, 1);
    expect(z.upper).toBeGreaterThanOrEqual(0);
    expect(z.upper).toBeLessThan(1e-5);
    expect(operatorNorm(jacobianOfPattern(dead, [Uint8Array.of(0, 0)]), 'inf')).toBe(0);
  });
});

describe('lipschitzMip: only realisable activation patterns count', () => {
  it("two units that are never on together: on a box, the exact constant, not the all-on pattern's (3 for p = ∞, 2 for p = 1)", async () => {
    // f = ρ(x₁ − 1) − ρ(−x₁ − 1) + ρ(x₂): the first two units' gradients are both (1, 0), but they
    // are on at x₁ > 1 and x₁ < −1 only. So ∇f ∈ {(0, 0), (1, 0), (0, 1), (1, 1)}: Lip_∞ = ‖∇f‖₁ = 2,
    // Lip₁ = max |∂f/∂xⱼ| = 1, on [−2, 2]² as globally.
    const apart = makeNetwork(2, [denseLayer([[1, 0], [-1, 0], [0, 1]], [-1, -1, 0]), denseLayer([[1, -1, 1]], [0])]);
    for (const [objectives, norm, value] of [[reverse, 'inf', 2], [forward, '1', 1]] as const) {
      const b = box([-2, -2], [2, 2]);
      const truth = bruteForceLipschitz(apart, norm, b).lipschitz;
      expect(truth).toBeCloseTo(value, 12);
      const r = await mipMax(apart, b, objectives);
      expect(r.upper).toBeGreaterThanOrEqual(truth);
      expect(r.upper).toBeLessThanOrEqual(truth * (1 + 1e-5));
      // Globally the bound stays sound but is not the constant: parallel hyperplanes meet at
      // infinity (the face t = 0 of the homogenised cube), where the gates of both units are free.
      const global = await mipMax(apart, null, objectives);
      expect(global.upper).toBeGreaterThanOrEqual(bruteForceLipschitz(apart, norm, null).lipschitz);
    }
  });

  it('an active neuron after a free one passes its Jacobian factor on exactly: f′ ∈ {2, 4}, not the 5 its interval allows', async () => {
    // On [−1, 1]: a₀ = ρ(x) is free, a₁ = ρ(x + 3) active; y₀ = a₀ + a₁ ∈ [2, 5] and y₁ = a₁ − a₀ ∈ [1, 4]
    // are active, f = y₀ + 3y₁. So f′ = 1 + 3 = 4 for x < 0 and 2 + 0 = 2 for x > 0: Lip = 4. The factors
    // of y₀ and y₁ lie in [1, 2] and [0, 1], which alone would allow 2 + 3 = 5.
    const net = makeNetwork(1, [denseLayer([[1], [1]], [0, 3]), denseLayer([[1, 1], [-1, 1]], [0, 0]), denseLayer([[1, 3]], [0])]);
    // The same with y₁ = 0.1a₁ − 0.05a₀ + 0.3 (active): f′ = 1 + 0.3 = 1.3 for x < 0, 2 + 0.15 = 2.15 for
    // x > 0. Its factor lies in [0.05, 0.1], far below 1: the MIP column carries a scale of its own.
    const small = makeNetwork(1, [denseLayer([[1], [1]], [0, 3]), denseLayer([[1, 1], [-0.05, 0.1]], [0, 0.3]), denseLayer([[1, 3]], [0])]);
    const b1 = box([-1], [1]);
    for (const [n, lip] of [[net, 4], [small, 2.15]] as const) {
      expect(bruteForceLipschitz(n, 'inf', b1).lipschitz).toBeCloseTo(lip, 12);
      for (const objectives of [forward, reverse]) {
        const r = await mipMax(n, b1, objectives);
        expect(r.upper).toBeGreaterThanOrEqual(lip);
        expect(r.upper).toBeLessThanOrEqual(lip * (1 + 1e-5));
      }
    }
  });

  it('two hidden layers of three: exact against brute force, globally (lifted domain) and on a box, also with one neuron 2³⁴ times too large', async () => {
    const s = createStream(77, 'test/unit/lipschitzMip/deep');
    for (let t = 0; t < 2; t++) {
      const deep = gaussianNet(s, 2, [3, 3]);
      // Neuron 0 of the second hidden layer: row and bias ×2³⁴, outgoing weight ×2⁻³⁴. By positive
      // homogeneity f is unchanged, so is the constant; unless each hidden row is brought back to
      // order 1, the solver sees coefficients 2³⁴ beside 1 (and fails or loses the neuron's part).
      const [l0, l1, l2] = deep.layers;
      const f = 2 ** 34;
      const skewed = makeNetwork(2, [
        l0,
        { ...l1, weights: l1.weights.map((w, idx) => (idx < l1.inDim ? w * f : w)), biases: l1.biases.map((c, i) => (i === 0 ? c * f : c)) },
        { ...l2, weights: l2.weights.map((w, idx) => (idx === 0 ? w / f : w)) },
      ]);
      for (const b of [null, box([-0.8, -0.3], [0.4, 0.9])]) {
        const truth = bruteForceLipschitz(deep, 'inf', b).lipschitz;
        for (const n of b ? [deep] : [deep, skewed]) {
          const r = await mipMax(n, b, reverse);
          expect(r.upper).toBeGreaterThanOrEqual(truth);
          expect(r.upper).toBeLessThanOrEqual(truth * (1 + 1e-5) + 1e-9);
        }
      }
    }
  });
});

describe('lipschitzMip: the lifted domain reaches every region of ℝᵈ', () => {
  it('a region far out on the negative side (only the face u = −1 reaches it) and one near the origin (only t = 1 does)', async () => {
    // The lifted cube maps u to x = S·u/t with S the median kink distance. (a) Kinks at 1, 2, −50:
    // S = 2, and the slope −10 of x < −50 lives only on the face u₀ = −1 at t < 1/25. (b) A tent of
    // slopes ±3 on (−½, ½) plus kinks at 10 and 20: S = 10, so |x| < 10 lives only on the face t = 1.
    // By hand: Lip_∞ = 10 for (a) (slopes 0, 1, 2 elsewhere) and 3 for (b) (2 at most elsewhere).
    const far = makeNetwork(1, [denseLayer([[1], [1], [-1]], [-1, -2, -50]), denseLayer([[1, 1, 10]], [0])]);
    const tent = makeNetwork(1, [denseLayer([[1], [1], [1], [1], [1]], [0.5, 0, -0.5, -10, -20]), denseLayer([[3, -6, 3, 1, 1]], [0])]);
    for (const [net, value] of [[far, 10], [tent, 3]] as const) {
      expect(bruteForceLipschitz(net, 'inf', null).lipschitz).toBeCloseTo(value, 12);
      const r = await mipMax(net, null, reverse);
      expect(r.upper).toBeGreaterThanOrEqual(value);
      expect(r.upper).toBeLessThanOrEqual(value * (1 + 1e-5));
    }
  });
});
