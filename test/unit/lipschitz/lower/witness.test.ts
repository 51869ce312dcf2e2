import { describe, expect, it } from 'vitest';
import { NORMS } from '../../../../src/linalg/norms.js';
import { better, NO_WITNESS, witnessAt } from '../../../../src/lipschitz/lower/witness.js';
import { ONE_NEURON, ONE_NEURON_LIP, TWO_AXES } from '../../../support/lowerUnits.js';

describe('witnessAt', () => {
  it('is the Jacobian norm inside a region: |a|·‖w‖ on the active side, 0 on the other', () => {
    for (const p of NORMS) {
      // 3·1 − 4·0 + 1 = 4 > 0: active; 3·0 − 4·1 + 1 = −3: inactive.
      expect(witnessAt(ONE_NEURON, Float64Array.of(1, 0), p).value).toBeCloseTo(ONE_NEURON_LIP[p], 12);
      expect(witnessAt(ONE_NEURON, Float64Array.of(0, 1), p).value).toBe(0);
    }
  });
  it('refuses a point on a kink, or within a relative 1e-10 of one, and keeps the point it was given', () => {
    const onKink = Float64Array.of(1, 1); // 3 − 4 + 1 = 0
    const w = witnessAt(ONE_NEURON, onKink, '2');
    expect(w.value).toBe(-Infinity);
    expect(w.x).toBe(onKink);
    // z = 1e-12 against |b| + Σ|w_j x_j| = 8: margin 1.25e-13 ≤ 1e-10.
    expect(witnessAt(ONE_NEURON, Float64Array.of(1 + 1e-12 / 3, 1), '2').value).toBe(-Infinity);
    // z = 1e-8: margin ≈ 1.25e-9 > 1e-10, a witness.
    expect(witnessAt(ONE_NEURON, Float64Array.of(1 + 1e-8 / 3, 1), '2').value).toBeCloseTo(10, 12);
    // On one axis of TWO_AXES (x₂ = 0) whatever x₁ is.
    expect(witnessAt(TWO_AXES, Float64Array.of(5, 0), 'inf').value).toBe(-Infinity);
  });
});

describe('better and NO_WITNESS', () => {
  const a = { value: 1, x: Float64Array.of(1) };
  const b = { value: 2, x: Float64Array.of(2) };
  it('keeps the larger value, and the first on a tie', () => {
    expect(better(a, b)).toBe(b);
    expect(better(b, a)).toBe(b);
    const tie = { value: 1, x: Float64Array.of(3) };
    expect(better(a, tie)).toBe(a);
    expect(better(tie, a)).toBe(tie);
  });
  it('NO_WITNESS loses to every witness, even a zero one', () => {
    expect(NO_WITNESS.value).toBe(-Infinity);
    expect(NO_WITNESS.x.length).toBe(0);
    const zero = { value: 0, x: Float64Array.of(0) };
    expect(better(NO_WITNESS, zero)).toBe(zero);
  });
});
