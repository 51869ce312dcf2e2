import { describe, expect, it } from 'vitest';
import { queryDomain } from '../../../../src/lipschitz/domain.js';
import { neuronStates, preActivationBounds } from '../../../../src/lipschitz/upper/intervals.js';
import { shallowZonotopeBound, zonotopeBoundFor, ZONOTOPE_MAX_INPUT_DIM } from '../../../../src/lipschitz/upper/zonotope.js';
import type { Network } from '../../../../src/network/network.js';
import { box, net } from '../../../support/lipschitzUnits.js';
import { add, dyadic, sign } from '../../../support/exactArithmetic.js';

// Unit tests of the gradient-zonotope bound beyond test/lipschitz/zonotope.test.ts (soundness and
// Nesterov's factor on random nets): how close the weight iteration gets where the optimum of (★) is
// known, how it counts and stops, which units set the power-of-two scale, and the query wrapper.

/** max over the on/off choices of the free units of ‖Σ_on v_j w_j‖₂, all units free: by enumeration. */
function zonotopeMaximum(n: Network): number {
  const [hidden, output] = n.layers;
  const d = n.inputDim;
  let best = 0;
  for (let mask = 0; mask < 1 << hidden.outDim; mask++) {
    const g = new Float64Array(d);
    for (let j = 0; j < hidden.outDim; j++) if (mask & (1 << j)) for (let k = 0; k < d; k++) g[k] += output.weights[j] * hidden.weights[j * d + k];
    best = Math.max(best, Math.hypot(...g));
  }
  return best;
}

const bound = (n: Network, options: { maxIterations?: number; maxInputDim?: number; timeLimit?: number } = {}, states: Int8Array | null = null) =>
  shallowZonotopeBound(n, states, { timeLimit: 10, ...options })!;

// Orthogonal units: every gradient pattern is realisable and the relaxation is tight, so the
// optimum of (★) over the weights is the zonotope's largest norm ‖(3, 4, 12)‖ = 13 (also found by a
// direct scipy minimisation of (★) over log r: 13 to 1e-14).
const ORTHOGONAL = net(3, [[[3, 0, 0], [0, 4, 0], [0, 0, 12]], [0.1, -0.2, 0.3]], [[[1, 1, 1]], [0]]);
// Four units in the plane whose largest zonotope point (3, 1) has norm √10; the optimum of (★) is
// √10 too (scipy: 3.16227766016838 against √10 = 3.16227766016838).
const PLANAR = net(2, [[[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, 0, 0]], [[[1, 1, 1, 1]], [0]]);

describe('shallowZonotopeBound: the weight iteration', () => {
  it('gets close to the optimum of (★) where it is known, and the iterations are what gets it there', () => {
    expect(zonotopeMaximum(ORTHOGONAL)).toBe(13);
    const orth = bound(ORTHOGONAL);
    expect(orth.upper).toBeGreaterThanOrEqual(13);
    expect(orth.upper).toBeLessThan(13 * (1 + 1e-3));
    expect(bound(ORTHOGONAL, { maxIterations: 1 }).upper).toBeGreaterThan(13.5); // the first weights alone: 13.92
    const planar = bound(PLANAR);
    expect(planar.upper).toBeGreaterThanOrEqual(zonotopeMaximum(PLANAR));
    expect(planar.upper).toBeLessThan(Math.sqrt(10) * (1 + 1e-4));
    expect(bound(PLANAR, { maxIterations: 2 }).upper).toBeGreaterThan(Math.sqrt(10) * 1.01);
  });

  it('counts the iterations it ran: the cap, a spent budget, or convergence well before the cap', () => {
    expect(bound(PLANAR, { maxIterations: 1 }).iterations).toBe(1);
    expect(bound(PLANAR, { maxIterations: 3 }).iterations).toBe(3);
    expect(bound(PLANAR, { timeLimit: 0 }).iterations).toBe(1);
    const converged = bound(PLANAR);
    expect(converged.iterations).toBeGreaterThan(6); // the criterion waits past 5 iterations
    expect(converged.iterations).toBeLessThan(200); // and then stops when the bound no longer improves
    // Stopping early costs nothing that matters: 400 iterations give the same bound to 1e-6.
    expect(bound(PLANAR, { maxIterations: 400 }).upper).toBeCloseTo(converged.upper, 6);
  });
});

describe('shallowZonotopeBound: input dimension and scale', () => {
  it(`applies up to d = ZONOTOPE_MAX_INPUT_DIM (${ZONOTOPE_MAX_INPUT_DIM}) unless the caller raises the cap`, () => {
    const wide = (d: number) => net(d, [[Array.from({ length: d }, (_, k) => (k === 0 ? 3 : 0)), Array.from({ length: d }, (_, k) => (k === 1 ? 4 : 0))], [0, 1]], [[[1, 1]], [0]]);
    const atCap = shallowZonotopeBound(wide(ZONOTOPE_MAX_INPUT_DIM), null, { timeLimit: 10, maxIterations: 2 });
    expect(atCap!.upper).toBeGreaterThanOrEqual(5);
    expect(shallowZonotopeBound(wide(ZONOTOPE_MAX_INPUT_DIM + 1), null, { timeLimit: 10, maxIterations: 2 })).toBeNull();
    expect(shallowZonotopeBound(wide(ZONOTOPE_MAX_INPUT_DIM + 1), null, { timeLimit: 10, maxIterations: 2, maxInputDim: ZONOTOPE_MAX_INPUT_DIM + 1 })!.upper).toBeGreaterThanOrEqual(5);
  });

  it('takes its power-of-two scale from the units that can contribute, so a huge silent unit cannot flush the rest to zero', () => {
    // The contributing unit: v·w = 2⁻⁵⁰⁰·(3, 4), Lip = 5·2⁻⁵⁰⁰ (one free unit: (★) is exact for it).
    const tiny = [3 * 2 ** -250, 4 * 2 ** -250];
    const lip = 5 * 2 ** -500;
    const cases: [string, Network, Int8Array | null][] = [
      ['always off on the domain, weights 2⁹⁰⁰', net(2, [[[2 ** 900, 0], tiny], [0, 0]], [[[2 ** 900, 2 ** -250]], [0]]), Int8Array.of(0, -1)],
      ['output weight 0', net(2, [[[2 ** 900, 0], tiny], [0, 0]], [[[0, 2 ** -250]], [0]]), null],
      ['no input weights (constant), output weight 2⁹⁰⁰', net(2, [[[0, 0], tiny], [1, 0]], [[[2 ** 900, 2 ** -250]], [0]]), null],
    ];
    for (const [, n, states] of cases) {
      const z = shallowZonotopeBound(n, states, { timeLimit: 10 })!;
      expect(z.upper).toBeGreaterThanOrEqual(lip);
      expect(z.upper).toBeLessThan(lip * (1 + 1e-6));
    }
  });

  it('rounds a subnormal bound up: 2¹⁰⁷⁰·bound stays above the exact constant c for every c tried', () => {
    // One unit, v = 2⁻⁶⁰⁰ and w = 2⁻⁴⁷⁰·c: Lip = 2⁻¹⁰⁷⁰·c, deep in the subnormal range where a double
    // has 4 bits (steps of c/16), far coarser than the bound's own rounding margins. 2¹⁰⁷⁰·bound is
    // computed exactly, so the comparison is too.
    for (let k = 0; k < 32; k++) {
      const c = 1 + k / 32 + 2 ** -8;
      const n = net(1, [[[2 ** -470 * c]], [0]], [[[2 ** -600]], [0]]);
      for (const states of [null, Int8Array.of(1)]) {
        const z = shallowZonotopeBound(n, states, { timeLimit: 10 })!;
        const scaled = z.upper * 2 ** 1000 * 2 ** 70; // two exact steps (2¹⁰⁷⁰ itself overflows)
        expect(scaled).toBeGreaterThanOrEqual(c);
        expect(scaled).toBeLessThanOrEqual(c + 4 / 16); // at most rounding plus two steps of 1/16
      }
    }
  });

  it('is 0 (not NaN) when every unit is off on the domain', () => {
    const n = net(2, [[[1, 2], [3, -1]], [0, 0]], [[[1, 1]], [0]]);
    const z = shallowZonotopeBound(n, Int8Array.of(0, 0), { timeLimit: 10 })!;
    expect(z.free).toBe(0);
    expect(z.upper).toBeGreaterThanOrEqual(0);
    expect(z.upper).toBeLessThan(1e-300);
  });
});

describe('zonotopeBoundFor (the bound for a query)', () => {
  it('answers only p = 2 on networks with one hidden layer', () => {
    for (const norm of ['1', 'inf'] as const) expect(zonotopeBoundFor(PLANAR, { norm, box: null }, 10)).toBeNull();
    const deep = net(2, [[[1, 0], [0, 1]], [0, 0]], [[[1, 1], [1, -1]], [0, 0]], [[[1, 1]], [0]]);
    expect(zonotopeBoundFor(deep, { norm: '2', box: null }, 10)).toBeNull();
    expect(zonotopeBoundFor(PLANAR, { norm: '2', box: null }, 10)!.upper).toBeCloseTo(bound(PLANAR).upper, 12);
  });

  it("on a box fixes the units stable there (from the box's interval bounds, or from the bounds it is given)", () => {
    // On x ∈ [1, 2]²: units (1, 0), (0, 1), (1, 1) are always on and (1, −1) is free: every gradient
    // is (2, 2) or (3, 1), so Lip = √10 there; with two vectors a₀, a₁ the relaxation is exact, and
    // the iteration stops within 2·10⁻⁴ of it.
    const b = box([1, 1], [2, 2]);
    const onBox = zonotopeBoundFor(PLANAR, { norm: '2', box: b }, 10)!;
    expect(onBox.free).toBe(1);
    expect(onBox.upper).toBeGreaterThanOrEqual(Math.sqrt(10));
    expect(onBox.upper).toBeLessThan(Math.sqrt(10) * (1 + 1e-3));
    // The bounds of another box, where only (1, −1) is off: the wrapper uses them, not the query's box.
    const other = preActivationBounds(PLANAR, queryDomain(PLANAR, box([1, 3], [2, 4])));
    expect(neuronStates(other)[0]).toEqual(Int8Array.of(1, 1, 1, 0));
    const given = zonotopeBoundFor(PLANAR, { norm: '2', box: b }, 10, other)!;
    expect(given.free).toBe(0);
    expect(given.upper).toBeGreaterThanOrEqual(Math.hypot(2, 2));
    expect(given.upper).toBeLessThan(Math.hypot(2, 2) * (1 + 1e-9));
  });
});

describe('shallowZonotopeBound: shapes, invariances and degenerate units', () => {
  it('answers only networks with exactly one hidden layer and a scalar output', () => {
    // Two hidden layers whose second has one unit: the output is scalar but the net is not shallow.
    const deep = net(2, [[[1, 0], [0, 1]], [0, 0]], [[[1, 1]], [0]], [[[2]], [0]]);
    expect(shallowZonotopeBound(deep, null, { timeLimit: 10 })).toBeNull();
    const vector = net(2, [[[1, 0], [0, 1]], [0, 0]], [[[1, 1], [1, -1]], [0, 0]]);
    expect(shallowZonotopeBound(vector, null, { timeLimit: 10 })).toBeNull();
  });

  it('is invariant under a rotation of the input space (the constant is): PLANAR turned by 90°, four dimensions', () => {
    // x ↦ (x₂, −x₁) maps the zonotope's largest point (3, 1) to (1, −3): the optimum of (★) stays √10.
    const turned = net(2, [[[0, -1], [1, 0], [1, -1], [-1, -1]], [0, 0, 0, 0]], [[[1, 1, 1, 1]], [0]]);
    expect(zonotopeMaximum(turned)).toBeCloseTo(Math.sqrt(10), 14);
    const z = bound(turned);
    expect(z.upper).toBeGreaterThanOrEqual(Math.sqrt(10));
    expect(z.upper).toBeLessThan(Math.sqrt(10) * (1 + 1e-4));
    // Four orthogonal units of one length in four dimensions, as ORTHOGONAL in three: the optimum of
    // (★) is the zonotope's largest norm ‖(2, 2, 2, 2)‖ = 4 (d = 4 is the first size where every
    // entry of M_r matters to the iteration's symmetrisation).
    const four = net(4, [[[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]], [0, 0, 0, 0]], [[[1, 1, 1, 1]], [0]]);
    expect(zonotopeMaximum(four)).toBe(4);
    const z4 = bound(four);
    expect(z4.upper).toBeGreaterThanOrEqual(4);
    expect(z4.upper).toBeLessThan(4 * (1 + 1e-6));
  });

  it('keeps a unit 2⁻⁶⁰⁰ times smaller than another from loosening the bound (its rounding allowance is relative)', () => {
    // Two free units, h₁ = (1, 0) and h₂ = 2⁻⁶⁰⁰·(0, 1): Lip = ‖h₁ + h₂‖ = 1 to 2⁻¹²⁰⁰.
    const n = net(2, [[[1, 0], [0, 2 ** -300]], [0, 0]], [[[1, 2 ** -300]], [0]]);
    const z = bound(n);
    expect(z.free).toBe(2);
    expect(z.upper).toBeGreaterThanOrEqual(1);
    expect(z.upper).toBeLessThan(1 + 1e-6);
  });

  it('does not count a unit without input weights as free (it adds nothing to any gradient), and does not iterate when nothing is left', () => {
    // Unit 2 has w = 0: the gradients are σ·(3, 4), Lip = 5, with one free unit.
    const n = net(2, [[[3, 4], [0, 0]], [0, 1]], [[[1, 7]], [0]]);
    const z = bound(n);
    expect(z.free).toBe(1);
    expect(z.upper).toBeGreaterThanOrEqual(5);
    expect(z.upper).toBeLessThan(5 * (1 + 1e-6));
    const silent = net(2, [[[0, 0], [0, 0]], [1, -1]], [[[2, 3]], [0]]);
    const s = bound(silent);
    expect(s.free).toBe(0);
    expect(s.iterations).toBe(0);
    expect(s.upper).toBeLessThan(1e-300);
  });
});

describe('shallowZonotopeBound: rounding', () => {
  it('stays above |Σ h_j| when the computed sum cancels to 0: units 0.1, 0.3, −0.4 always on (exactly −2⁻⁵⁵)', () => {
    const n = net(1, [[[0.1], [0.3], [-0.4]], [0, 0, 0]], [[[1, 1, 1]], [0]]);
    const lip = add(add(dyadic(0.1), dyadic(0.3)), dyadic(-0.4)); // the gradient on the domain, exactly
    expect(sign(lip)).toBe(-1);
    const z = shallowZonotopeBound(n, Int8Array.of(1, 1, 1), { timeLimit: 10 })!;
    expect(z.free).toBe(0);
    expect(sign(add(lip, dyadic(z.upper)))).toBeGreaterThanOrEqual(0); // |lip| ≤ upper
    expect(z.upper).toBeLessThan(1e-14);
  });
});

describe('zonotopeBoundFor: the time limit', () => {
  it('passes its time limit on: with none left it stops after the first weights, still sound', () => {
    const spentRun = zonotopeBoundFor(PLANAR, { norm: '2', box: null }, 0)!;
    expect(spentRun.iterations).toBe(1);
    expect(spentRun.upper).toBeGreaterThan(Math.sqrt(10) * 1.01); // the first weights alone are loose
    expect(zonotopeBoundFor(PLANAR, { norm: '2', box: null }, 10)!.iterations).toBeGreaterThan(6);
  });
});
