import { describe, expect, it } from 'vitest';
import { embed, fullMatrix } from '../../../../../src/lipschitz/upper/sdp/lmi.js';
import type { SdpProblem, SparseRow } from '../../../../../src/lipschitz/upper/sdp/problem.js';
import { gamma } from '../../../../../src/lipschitz/upper/rounding.js';
import { add, dyadic, exactDot, toNumber } from '../../../../support/exactArithmetic.js';
import { neg } from '../../../../support/exactLp.js';

// A problem written by hand, with composed rows that carry error bounds (problem.ts): N₁ = 3 ξ
// coordinates, n = 2 unstable neurons, first-layer matrix X (3 × 2).
const row = (start: number, values: number[], error: number[]): SparseRow => ({ start, values: Float64Array.from(values), error: Float64Array.from(error) });
const incoming = [
  row(0, [1, 0, 0], [0, 0, 0]), // ξ₀ exactly, zeros after it: a unit row
  row(0, [1, 0, -1.25, 0.5], [0, 3e-16, 6e-16, 2e-16]), // ξ₀ exactly 1 but not alone, ξ₁ cancelled to 0 with an error, ξ₂ and neuron 0
];
const output = [
  row(1, [2, 0, 0, -0.5], [5e-16, 0, 0, 3e-16]), // ξ₁ (ξ₂ exactly 0: no term) and neuron 1
  row(3, [0, 0.25], [1e-16, 5e-17]), // the neurons only: no ξ part; neuron 0's coefficient cancelled to 0, with an error
];
const problem: SdpProblem = {
  inputDim: 2,
  firstWidth: 3,
  first: Float64Array.of(0.6, -0.8, 1.1, 0.3, -0.7, 0.9),
  hidden: 2,
  outputs: 2,
  incoming,
  output,
  kept: [[0, 1]],
  layered: { widths: [], weights: [], coordinate: [] },
  exponent: 0,
  layerExponents: [0, 0],
};
const X = problem.first;
const r = 2;

// (embed is called inside each test, not once per suite: a mutation tool attributes to a test only
// the code that runs during it.)
describe('embed (lmi.ts): rows over F’s coordinates, with their error bounds', () => {
  it('a ξ part that is one coefficient 1 among zeros is the unit row: X’s row, exactly', () => {
    const e = embed(problem, X, r);
    expect(e.incoming[0].unitInput).toBe(0);
    expect(Array.from(e.incoming[0].input!)).toEqual([0.6, -0.8]);
    expect(Array.from(e.incoming[0].inputError!)).toEqual([0, 0]);
    expect(e.incoming[1].unitInput).toBe(-1);
    // A first coefficient exactly 1 followed by others is a combination, not row 0 of X.
    expect(e.incoming[1].input![0]).not.toBe(X[0]);
    expect(e.output[0].unitInput).toBe(-1);
  });

  it('the hidden parts start at neuron 0 and keep their own errors; a row without ξ part has no input', () => {
    const e = embed(problem, X, r);
    expect(e.incoming[1]).toMatchObject({ start: 0 });
    expect(Array.from(e.incoming[1].values)).toEqual([0.5]);
    expect(Array.from(e.incoming[1].error)).toEqual([2e-16]);
    expect(Array.from(e.output[0].values)).toEqual([0, -0.5]);
    expect(Array.from(e.output[0].error)).toEqual([0, 3e-16]);
    expect(e.output[1].input).toBeNull();
    expect(e.output[1].start).toBe(0);
    // One output row reaches the input: F's input block is not ρ·I alone.
    expect(e.plainInputBlock).toBe(false);
  });

  it('a combined ξ part Xᵀc: within its error bound of Xᵀc′ for every c′ within c’s errors (exact arithmetic), and the bound is the stated one', () => {
    const e = embed(problem, X, r);
    for (const [k, s] of [[1, incoming[1]], [0, output[0]]] as const) {
      const embedded = (s === output[0] ? e.output : e.incoming)[k];
      const xi = [0, 1, 2].filter((c) => c >= s.start && c < s.start + s.values.length);
      const v = (c: number) => s.values[c - s.start];
      const err = (c: number) => s.error[c - s.start];
      const terms = xi.filter((c) => v(c) !== 0 || err(c) !== 0);
      for (let j = 0; j < r; j++) {
        // The worst c′ = c ± error moves the exact product by Σ error·|X|: the distance from the
        // computed entry is |computed − Σ c·X| + Σ error·|X|, both exact here.
        const exact = exactDot(terms.map(v), terms.map((c) => X[c * r + j]));
        const rounding = Math.abs(toNumber(add(dyadic(embedded.input![j]), neg(exact))));
        const propagated = terms.reduce((acc, c) => acc + err(c) * Math.abs(X[c * r + j]), 0);
        expect(embedded.inputError![j]).toBeGreaterThanOrEqual(rounding + propagated);
        // Stated (problem.ts): γ_{m+1}·Σ|terms| plus the propagated errors, plus 2⁻¹⁰⁷⁴ per term.
        const magnitude = terms.reduce((acc, c) => acc + Math.abs(v(c) * X[c * r + j]), 0);
        const stated = gamma(terms.length + 1) * magnitude + propagated;
        expect(gamma(terms.length + 1) * magnitude).toBeGreaterThan(0.2 * stated); // both parts visible
        expect(propagated).toBeGreaterThan(0.2 * stated);
        expect(embedded.inputError![j]).toBeGreaterThanOrEqual(stated);
        expect(embedded.inputError![j]).toBeLessThanOrEqual(1.01 * stated);
      }
    }
  });
});

describe('embed’s underflow allowance (lmi.ts)', () => {
  it('a combined ξ part whose products all underflow keeps 2·2⁻¹⁰⁷⁴ per term', () => {
    const tiny = 2 ** -600;
    const under: SdpProblem = { ...problem, incoming: [row(0, [tiny, 0, tiny], [0, 0, 0]), incoming[1]] };
    const e = embed(under, new Float64Array(6).fill(tiny), r);
    for (let j = 0; j < r; j++) {
      expect(e.incoming[0].input![j]).toBe(0); // 2·2⁻¹²⁰⁰ exactly, computed as 0
      expect(e.incoming[0].inputError![j]).toBeGreaterThanOrEqual(2 * 2 * 2 ** -1074);
      expect(e.incoming[0].inputError![j]).toBeLessThanOrEqual(1.01 * 2 * 2 * 2 ** -1074);
    }
  });
});

describe('fullMatrix’s inherited errors (lmi.ts): the worst case of F over the rows’ error boxes', () => {
  it('entry by entry: |τ_p|·err(a_p) where −τ_p·a_p enters, and |b|·errᵀ + err·|b|ᵀ + err·errᵀ for −BᵀB', () => {
    const e = embed(problem, X, r);
    const tau = Float64Array.of(1.25, -0.5); // a negative multiplier: its absolute value scales the error
    const size = r + problem.hidden;
    /** A row and its error over F's coordinates, dense. */
    const dense = (input: Float64Array | null, inputError: Float64Array | null, start: number, values: Float64Array, error: Float64Array) => {
      const v = new Array<number>(size).fill(0);
      const err = new Array<number>(size).fill(0);
      for (let j = 0; j < r; j++) {
        v[j] = input ? input[j] : 0;
        err[j] = inputError ? inputError[j] : 0;
      }
      values.forEach((x, k) => (v[r + start + k] = x));
      error.forEach((x, k) => (err[r + start + k] = x));
      return { v, err };
    };
    const expected = new Array<number>(size * size).fill(0);
    e.incoming.forEach((a, p) => {
      // a_p's support lies before its own coordinate: −τ_p·a_p fills column r + p and, mirrored, row r + p.
      const { err } = dense(a.input, a.inputError, a.start, a.values, a.error);
      for (let c = 0; c < size; c++) {
        if (c === r + p) continue;
        expected[c * size + r + p] += Math.abs(tau[p]) * err[c];
        expected[(r + p) * size + c] += Math.abs(tau[p]) * err[c];
      }
    });
    // b_x·b_y against (b_x + δ_x)(b_y + δ_y): the largest change is |b_x|·e_y + e_x·|b_y| + e_x·e_y.
    for (const b of e.output) {
      const { v, err } = dense(b.input, b.inputError, b.start, b.values, b.error);
      for (let x = 0; x < size; x++) for (let y = 0; y < size; y++) expected[x * size + y] += Math.abs(v[x]) * err[y] + err[x] * Math.abs(v[y]) + err[x] * err[y];
    }
    const full = fullMatrix(problem, e, 3, tau, true);
    // Neuron 0's diagonal entry: only the output row whose coefficient there is 0 ± 10⁻¹⁶ touches it: 10⁻³² alone.
    expect(expected[(r + 0) * size + r + 0]).toBe(1e-16 * 1e-16);
    expect(expected.filter((x) => x > 0).length).toBeGreaterThan(10);
    for (let i = 0; i < size * size; i++) {
      if (expected[i] === 0) expect(full.inherited![i]).toBe(0);
      else expect(Math.abs(full.inherited![i] / expected[i] - 1)).toBeLessThan(1e-12);
    }
  });
});
