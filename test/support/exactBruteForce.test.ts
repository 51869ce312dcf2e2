import { describe, expect, it } from 'vitest';
import { exactBruteForce } from './exactBruteForce.js';
import { bruteForceLipschitz } from './bruteForce.js';
import { denseLayer, makeNetwork } from '../../src/network/network.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { NORMS } from '../../src/linalg/norms.js';

// The oracle of properties/adversarial.test.ts, checked against hand-computed constants and against
// the floating-point brute force (HiGHS) where that one can be trusted: thick regions.
describe('exactBruteForce', () => {
  it('sees the region beyond a 1e-10 slab and the slab itself (issue 14, item 1)', () => {
    // ρ(x₁ − 1) + ρ(x₁ − 1 − 1e-10) (+ ρ(x₂)): gradients 0, (1, 0) in the slab, (2, 0) beyond.
    const slab = makeNetwork(2, [denseLayer([[1, 0], [1, 0]], [-1, -1 - 1e-10]), denseLayer([[1, 1]], [0])]);
    expect(exactBruteForce(slab, null)).toEqual({ lipschitz: { '2': 2, '1': 2, inf: 2 }, regions: 3 });
    const withX2 = makeNetwork(2, [denseLayer([[1, 0], [1, 0], [0, 1]], [-1, -1 - 1e-10, 0]), denseLayer([[1, 1, 1]], [0])]);
    const r = exactBruteForce(withX2, null);
    expect(r.lipschitz['2']).toBe(Math.sqrt(5));
    expect(r.lipschitz.inf).toBe(3);
    expect(r.regions).toBe(6);
  });
  it('finds the four regions of two kinks 1e-15 apart in angle, where the cancelled sum is ~0', () => {
    const cancel = makeNetwork(2, [denseLayer([[1, 0], [1, 1e-15]], [-1, -1]), denseLayer([[1, -1]], [0])]);
    const exact = exactBruteForce(cancel, null);
    expect(exact.regions).toBe(4);
    expect(exact.lipschitz['2']).toBe(1);
    expect(bruteForceLipschitz(cancel, '2', null).lipschitz).toBeLessThan(1e-14); // doubles are fooled
  });
  it('counts a box\'s regions on both sides of a kink in a box 1e-12 wide', () => {
    const kink = makeNetwork(1, [denseLayer([[1], [-2]], [-0.5, 1]), denseLayer([[3, 1]], [0])]);
    const box = { lo: Float64Array.of(0.5 - 1e-12), hi: Float64Array.of(0.5 + 1e-12) };
    expect(exactBruteForce(kink, box)).toEqual({ lipschitz: { '2': 3, '1': 3, inf: 3 }, regions: 2 }); // gradient −2 left of 0.5, 3 right of it
  });
  it('agrees with the floating-point brute force on random networks (thick regions), in each norm, global and on boxes', () => {
    for (let seed = 0; seed < 2; seed++) {
      for (const [d, widths] of [[2, [4]], [3, [2, 2]]] as const) {
        const net = sampleNetwork({ inputDim: d, widths: [...widths], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed });
        const box = seed % 2 ? { lo: Float64Array.from({ length: d }, () => -0.5), hi: Float64Array.from({ length: d }, () => 0.7) } : null;
        const exact = exactBruteForce(net, box);
        const p = NORMS[(seed + d) % 3];
        const floating = bruteForceLipschitz(net, p, box);
        expect(exact.regions, `seed ${seed}`).toBe(floating.regions);
        expect(exact.lipschitz[p]).toBeCloseTo(floating.lipschitz, 12);
      }
    }
  });
});
