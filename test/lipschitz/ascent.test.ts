import { describe, expect, it } from 'vitest';
import { NORMS, operatorNorm, type Norm } from '../../src/linalg/norms.js';
import { Budget } from '../../src/lipschitz/budget.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { sweepLine } from '../../src/lipschitz/exact/breakpoints.js';
import { ascentDirection, ascentLowerBound, climbNorm } from '../../src/lipschitz/lower/ascent.js';
import { interiorMargin, randomPoints } from '../../src/lipschitz/lower/candidates.js';
import { lineRegions } from '../../src/lipschitz/lower/lineSlopes.js';
import { smoothedAscentDirection } from '../../src/lipschitz/lower/smoothedSlope.js';
import { witnessAt } from '../../src/lipschitz/lower/witness.js';
import { boxFromPairs, type Box, type LipschitzQuery } from '../../src/lipschitz/query.js';
import { jacobian, kinkMargin } from '../../src/network/evaluate.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { gradientEngine } from '../../src/network/parallelGradients.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';

const normal = parseBiasLaw('normal:1');
const net = (d: number, widths: number[], outputs: number, seed: number) => sampleNetwork({ inputDim: d, widths, bias: normal, weights: 'he-fanout', seed, outputs });
const cube = (d: number, lo: number, hi: number): Box => boxFromPairs(Array.from({ length: d }, () => [lo, hi] as [number, number]), d);
const norm = (f: Network, x: ArrayLike<number>, p: Norm) => operatorNorm(jacobian(f, x), p);

describe('the many-start ascent', () => {
  it('never lowers the norm along a climb, and every point it stands on is a witness (inside its region, in the box)', () => {
    const f = net(6, [20, 20], 3, 11);
    // Candidates ranked in float32, every value the climb stands on re-evaluated in float64.
    const engines = { exact: gradientEngine(f, 16), rank: gradientEngine(f, 16, 'float32') };
    let steps = 0;
    for (const p of NORMS) {
      for (const box of [null, cube(6, -0.5, 1)]) {
        const query = { norm: p, box };
        const X = randomPoints(f, box, 4, `climb:${p}`);
        for (let r = 0; r < 4; r++) {
          const x = X.slice(r * 6, (r + 1) * 6);
          const path: number[] = [];
          const climb = climbNorm(f, query, { value: norm(f, x, p), x }, engines, new Budget(Infinity), { onStep: (v) => path.push(v) });
          expect(path).toEqual(climb.values);
          for (let i = 1; i < path.length; i++) expect(path[i]).toBeGreaterThan(path[i - 1]);
          steps += climb.steps;
          const end = climb.witness;
          expect(kinkMargin(f, end.x)).toBeGreaterThan(1e-10);
          expect(Math.abs(end.value - norm(f, end.x, p))).toBeLessThanOrEqual(1e-12 * end.value);
          if (box) end.x.forEach((v, j) => expect(v > box.lo[j] && v < box.hi[j]).toBe(true));
        }
      }
    }
    expect(steps).toBeGreaterThan(24); // the climbs did climb (about 4 steps each here)
  });

  it('reports a witness re-checked by witnessAt, never above the exact constant, on small nets in every norm, with and without a box', () => {
    const nets = [net(2, [10], 1, 1), net(3, [6, 6], 2, 2), net(2, [5, 5, 5], 1, 3)];
    for (const f of nets) {
      for (const p of NORMS) {
        for (const box of [null, cube(f.inputDim, -0.3, 0.4)]) {
          const query: LipschitzQuery = { norm: p, box };
          const exact = exactLipschitz(f, query);
          if (exact.kind !== 'exact') throw new Error('exact failed');
          const r = ascentLowerBound(f, query, { budget: new Budget(Infinity), starts: 8, seed: 5 });
          expect(r.climbs).toBe(8);
          expect(r.witness.value).toBe(witnessAt(f, r.witness.x, p).value);
          expect(r.witness.value).toBeLessThanOrEqual(exact.lipschitz * (1 + 1e-9));
          // On nets this small the ascent finds the constant, or comes close. A deterministic
          // regression check (seed 5, 8 starts: the same climbs every run), not a statistical claim.
          expect(r.witness.value).toBeGreaterThan(0.9 * exact.lipschitz);
        }
      }
    }
  });

  it('finds the one region where the norm is largest, which random points almost never hit', () => {
    // f(x) = Σ ρ(x_i − 1), and a two-output copy (√2 f, as rows (f, f)): ∇f is the indicator of
    // {i : x_i > 1}, so the maximum, √d (p = 2), d (p = ∞), is attained only on the orthant x > 1;
    // in the box [0, 2]ᵈ it is its corner (1, 2]ᵈ, 2⁻¹² of the volume.
    const d = 12;
    const identity = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
    const hidden = denseLayer(identity, Array(d).fill(-1));
    const ones = Array(d).fill(1);
    for (const outputs of [[ones], [ones, ones]]) {
      const f = makeNetwork(d, [hidden, denseLayer(outputs, outputs.map(() => 0))]);
      const k = outputs.length;
      for (const [p, best] of [['2', Math.sqrt(d * k)], ['inf', d]] as [Norm, number][]) {
        for (const box of [null, cube(d, 0, 2)]) {
          const r = ascentLowerBound(f, { norm: p, box }, { budget: new Budget(Infinity), starts: 2, seed: 1 });
          expect(r.witness.value).toBeCloseTo(best, 12);
          r.witness.x.forEach((v) => expect(v).toBeGreaterThan(1));
        }
      }
    }
  });

  it('stops at the budget, after `starts` climbs, and above stopAbove', () => {
    const f = net(4, [16, 16], 1, 4);
    const query: LipschitzQuery = { norm: '2', box: null };
    const spent = ascentLowerBound(f, query, { budget: new Budget(0), seed: 1 });
    expect(spent.climbs).toBe(0);
    expect(spent.witness.value).toBe(-Infinity);
    const first = ascentLowerBound(f, query, { budget: new Budget(Infinity), starts: 1, seed: 1 });
    const early = ascentLowerBound(f, query, { budget: new Budget(Infinity), seed: 1, stopAbove: 0.5 * first.witness.value });
    expect(early.climbs).toBe(1);
    expect(early.witness.value).toBe(first.witness.value);
    // An affine network: nothing to climb, the witness is its matrix's norm.
    const affine = makeNetwork(2, [denseLayer([[3, -4]], [1])]);
    expect(ascentLowerBound(affine, query, { budget: new Budget(Infinity), starts: 2 }).witness.value).toBe(5);
  });
});

describe('the pieces of the ascent', () => {
  it('ascentDirection attains the norm: cᵀJu = ‖J‖ with ‖u‖_p = ‖c‖_p′ = 1', () => {
    const s = createStream(3, 'direction');
    for (const [k, d] of [[1, 5], [3, 4], [4, 2]]) {
      const J = Float64Array.from({ length: k * d }, () => s.gaussian());
      for (const p of NORMS) {
        const { u, c } = ascentDirection(J, k, d, p)!;
        let value = 0;
        for (let i = 0; i < k; i++) for (let j = 0; j < d; j++) value += c[i] * J[i * d + j] * u[j];
        expect(value).toBeCloseTo(operatorNorm({ rows: k, cols: d, data: J }, p), 12);
        const dual: Norm = p === '1' ? 'inf' : p === 'inf' ? '1' : '2';
        expect(operatorNorm({ rows: 1, cols: d, data: u }, dual)).toBeCloseTo(1, 12); // ‖u‖_p as the dual norm of a row
        expect(operatorNorm({ rows: k, cols: 1, data: c }, p === '2' ? '2' : '1')).toBeCloseTo(p === 'inf' ? 1 : p === '2' ? 1 : k, 12);
      }
    }
    expect(ascentDirection(new Float64Array(6), 2, 3, '2')).toBeNull();
  });

  it('lineRegions finds every region of the line with its slope, as the exact breakpoint sweep does', () => {
    const f = net(3, [8, 7, 6], 2, 8);
    const s = createStream(2, 'line');
    for (let trial = 0; trial < 5; trial++) {
      const x = Float64Array.from({ length: 3 }, () => s.gaussian());
      const u = Float64Array.from({ length: 3 }, () => s.gaussian());
      const c = Float64Array.from({ length: 2 }, () => s.gaussian());
      const [lo, hi] = trial % 2 ? [-2, 3] : [-Infinity, Infinity];
      const { ahead, behind } = lineRegions(f, x, u, c, lo, hi);
      // Each reported slope is the slope there, by the Jacobian at that point.
      for (const r of [...ahead, ...behind]) {
        const y = x.map((v, j) => v + r.t * u[j]);
        const J = jacobian(f, y).data;
        let slope = 0;
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) slope += c[i] * J[i * 3 + j] * u[j];
        expect(Math.abs(r.slope - slope)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(slope)));
        expect(r.t > lo && r.t < hi).toBe(true);
      }
      ahead.forEach((r, i) => expect(r.t).toBeGreaterThan(i === 0 ? 0 : ahead[i - 1].t));
      behind.forEach((r, i) => expect(r.t).toBeLessThan(i === 0 ? 0 : behind[i - 1].t));
      // As many regions as the layer-by-layer sweep of the restricted network (x's own one aside).
      const first = f.layers[0];
      const restricted = makeNetwork(1, [
        { outDim: first.outDim, inDim: 1, weights: Float64Array.from({ length: first.outDim }, (_, i) => first.weights[i * 3] * u[0] + first.weights[i * 3 + 1] * u[1] + first.weights[i * 3 + 2] * u[2]), biases: Float64Array.from({ length: first.outDim }, (_, i) => first.biases[i] + first.weights[i * 3] * x[0] + first.weights[i * 3 + 1] * x[1] + first.weights[i * 3 + 2] * x[2]) },
        ...f.layers.slice(1),
      ]);
      const sweep = sweepLine(restricted, Number.isFinite(lo) ? boxFromPairs([[lo, hi]], 1) : null, new Budget(Infinity), 1e6);
      if ('kind' in sweep) throw new Error('sweep failed');
      expect(ahead.length + behind.length + 1).toBe(1 + sweep.change.reduce((n, v) => n + v, 0));
    }
  });

  it('smoothedAscentDirection is the gradient of the smoothed objective (by central differences)', () => {
    const f = net(4, [9, 7], 3, 6);
    const s = createStream(4, 'smooth');
    const x = Float64Array.from({ length: 4 }, () => s.gaussian());
    const T = 0.3;
    // The temperatures the direction uses at x, then held fixed for the finite differences.
    const taus: number[] = [];
    let h: Float64Array = x;
    for (let l = 0; l < 2; l++) {
      const { outDim, inDim, weights, biases } = f.layers[l];
      const z = Float64Array.from({ length: outDim }, (_, i) => biases[i] + h.reduce((acc, v, j) => acc + weights[i * inDim + j] * v, 0));
      const tau = T * Math.sqrt(z.reduce((a, v) => a + v * v, 0) / outDim);
      taus.push(tau);
      h = z.map((v) => tau * Math.log1p(Math.exp(v / tau)));
    }
    /** J_τ(y) of the softplus network, by the chain rule written out (k × d). */
    const smoothJacobian = (y: Float64Array): number[][] => {
      let a: Float64Array = y;
      let J: number[][] = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i === j ? 1 : 0)));
      for (let l = 0; l < 3; l++) {
        const { outDim, inDim, weights, biases } = f.layers[l];
        const z = Float64Array.from({ length: outDim }, (_, i) => biases[i] + a.reduce((acc, v, j) => acc + weights[i * inDim + j] * v, 0));
        J = Array.from({ length: outDim }, (_, i) => Array.from({ length: 4 }, (_, col) => J.reduce((acc, row, j) => acc + weights[i * inDim + j] * row[col], 0)));
        if (l === 2) return J;
        const sig = z.map((v) => 1 / (1 + Math.exp(-v / taus[l])));
        J = J.map((row, i) => row.map((v) => v * sig[i]));
        a = z.map((v) => taus[l] * Math.log1p(Math.exp(v / taus[l])));
      }
      return J;
    };
    const exactJ = jacobian(f, x);
    for (const p of NORMS) {
      const dir = ascentDirection(exactJ.data, 3, 4, p)!;
      const got = smoothedAscentDirection(f, x, p, dir, T);
      // The objective, with u and c read from J_τ at x as the norm picks them, then held fixed.
      const J0 = smoothJacobian(x);
      let u = Array.from(dir.u);
      let c = Array.from(dir.c);
      if (p === '1') c = J0.map((row) => Math.sign(row.reduce((a, v, j) => a + v * u[j], 0)));
      else {
        u = [0, 1, 2, 3].map((j) => J0.reduce((a, row, i) => a + c[i] * row[j], 0));
        if (p === 'inf') u = u.map(Math.sign);
      }
      const phi = (y: Float64Array) => smoothJacobian(y).reduce((a, row, i) => a + c[i] * row.reduce((b, v, j) => b + v * u[j], 0), 0);
      for (let j = 0; j < 4; j++) {
        const e = 1e-5;
        const plus = x.slice();
        const minus = x.slice();
        plus[j] += e;
        minus[j] -= e;
        const numeric = (phi(plus) - phi(minus)) / (2 * e);
        expect(Math.abs(got[j] - numeric)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(numeric)));
      }
    }
  });

  it('interiorMargin is never above kinkMargin (so passing it passes witnessAt)', () => {
    const f = net(3, [6, 6], 1, 9);
    const X = randomPoints(f, null, 200, 'margin');
    // Cancelling neurons make some neurons constant on a piece: kinkMargin skips them, interiorMargin does not.
    for (let r = 0; r < 200; r++) {
      const x = X.subarray(r * 3, (r + 1) * 3);
      expect(interiorMargin(f, x)).toBeLessThanOrEqual(kinkMargin(f, x));
    }
    const dead = makeNetwork(1, [denseLayer([[1], [0]], [0, 1e-30]), denseLayer([[1, 1]], [0])]);
    expect(interiorMargin(dead, [2])).toBe(1); // the constant neuron's |z| / |b| is 1
    expect(interiorMargin(dead, [0])).toBe(0);
  });
});
