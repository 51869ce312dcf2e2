import { describe, expect, it } from 'vitest';
import { boundFrom, certify, optimalRho, proveCertificate, rhoWithGradient, verifiedMatrix } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { embed } from '../../../../../src/lipschitz/upper/sdp/lmi.js';
import { allPatternsLip, deepNet, eigenvalues, mixedStates, netOf, pairNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

const pair = pairNet;
const deep = deepNet;
const mixed = mixedStates();

describe('ρ*(τ), the value a set of multipliers certifies', () => {
  it('equals λ_max(−F₀₀ + F₀ₕH⁻¹Fₕ₀) of F written from the weights, Schur and full form; null when H is not definite', () => {
    const p = problemOf(pair);
    for (const tau of [Float64Array.of(1, 1), Float64Array.of(3, 0.7), Float64Array.of(0.8, 5)]) {
      expect(optimalRho(p, tau)! / rhoStar(pair, null, tau) - 1).toBeCloseTo(0, 10);
    }
    expect(optimalRho(p, Float64Array.of(0.1, 0.1))).toBeNull();
    const q = problemOf(deep, mixed);
    const tau = Float64Array.of(1.3, 0.9);
    expect(optimalRho(q, tau)! / rhoStar(deep, mixed, tau) - 1).toBeCloseTo(0, 10);
    const g = problemOf(deep);
    const t5 = Float64Array.of(2.6, 2.9, 2.4, 1.2, 1.3);
    expect(optimalRho(g, t5)! / rhoStar(deep, null, t5) - 1).toBeCloseTo(0, 10);
  });

  it('its gradient matches central differences of the independent ρ*', () => {
    for (const [net, states, tau] of [
      [pair, null, Float64Array.of(3, 0.7)],
      [deep, null, Float64Array.of(2.6, 2.9, 2.4, 1.2, 1.3)],
      [deep, mixed, Float64Array.of(1.3, 0.9)],
    ] as const) {
      const problem = problemOf(net, states);
      const r = rhoWithGradient(problem, tau, embed(problem, problem.first, 2), true)!;
      expect(r.rho / rhoStar(net, states, tau) - 1).toBeCloseTo(0, 10);
      for (let p = 0; p < tau.length; p++) {
        const h = 1e-5 * tau[p];
        const plus = tau.slice();
        plus[p] += h;
        const minus = tau.slice();
        minus[p] -= h;
        const fd = (rhoStar(net, states, plus) - rhoStar(net, states, minus)) / (2 * h);
        expect(Math.abs(r.gradient![p] - fd)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(fd)));
      }
      expect(rhoWithGradient(problem, tau, embed(problem, problem.first, 2), false)!.gradient).toBeNull();
    }
  });
});

describe('the verified certificate', () => {
  it('proves ρ just above ρ*(τ) and refuses ρ just below, whatever produced the multipliers', () => {
    for (const [net, states, tau] of [
      [pair, null, Float64Array.of(3, 0.7)],
      [deep, mixed, Float64Array.of(1.3, 0.9)],
    ] as const) {
      const problem = problemOf(net, states);
      const star = rhoStar(net, states, tau);
      expect(proveCertificate(problem, tau, star * (1 + 1e-7))).toBe(true);
      expect(proveCertificate(problem, tau, star * (1 - 1e-7))).toBe(false);
      expect(proveCertificate(problem, tau, Infinity)).toBe(false);
      expect(proveCertificate(problem, tau, 0)).toBe(false);
      expect(proveCertificate(problem, tau.slice(1), star * 2)).toBe(false);
      expect(proveCertificate(problem, tau.map((t) => t * Infinity), star * 2)).toBe(false);
    }
  });

  it('certify: a bound at least the exact Lip₂, within the inflation of ρ*(τ); the form says which matrix was proven', () => {
    const problem = problemOf(pair);
    const tau = Float64Array.of(3, 0.7);
    const c = certify(problem, tau)!;
    const star = rhoStar(pair, null, tau);
    expect(c.form).toBe('schur');
    expect(c.tau).toBe(tau);
    expect(c.upper).toBeGreaterThanOrEqual(allPatternsLip(pair));
    expect(c.upper).toBeGreaterThanOrEqual(Math.sqrt(c.rho));
    expect(c.rho).toBeGreaterThanOrEqual(star);
    expect(c.rho).toBeLessThanOrEqual(star * (1 + 1e-6));
    // A caller's estimate is the starting point: too high is kept, too low is inflated until it proves.
    expect(certify(problem, tau, { estimate: 2 * star })!.rho).toBe(2 * star * (1 + 1e-12));
    expect(certify(problem, tau, { estimate: 0.5 * star })!.rho).toBe(0.5 * star * (1 + 3));
    // A non-positive estimate is no start: the multipliers are doubled and ρ* recomputed.
    expect(certify(problem, tau, { estimate: 0 })!.tau).toEqual(tau.map((t) => 2 * t));
    const full = certify(problemOf(deep, mixed), Float64Array.of(1.3, 0.9))!;
    expect(full.form).toBe('full');
    expect(full.rho).toBeLessThanOrEqual(rhoStar(deep, mixed, Float64Array.of(1.3, 0.9)) * (1 + 1e-6));
  });

  it('multipliers too small for the hidden block are doubled until it is definite, within maxDoublings', () => {
    const problem = problemOf(pair);
    const small = Float64Array.of(0.05, 0.02);
    expect(rhoStar(pair, null, small)).toBe(Infinity);
    const c = certify(problem, small)!;
    const k = Math.log2(c.tau[0] / small[0]);
    expect(Number.isInteger(k) && k >= 1).toBe(true);
    expect(c.tau[1]).toBe(small[1] * 2 ** k);
    // The first doubling count that makes H definite, found independently.
    let first = 0;
    while (rhoStar(pair, null, small.map((t) => t * 2 ** first)) === Infinity) first++;
    expect(k).toBe(first);
    expect(c.upper).toBeGreaterThanOrEqual(allPatternsLip(pair));
    expect(certify(problem, small, { maxDoublings: first - 1 })).toBeNull();
    expect(certify(problem, small, { maxDoublings: first })).not.toBeNull();
    expect(certify(problem, Float64Array.of(1))).toBeNull();
    expect(certify(problem, Float64Array.of(1, -1))).toBeNull();
    expect(certify(problem, Float64Array.of(1, NaN))).toBeNull();
  });

  it('the bound √ρ·2^{−exponent} is rounded up, for layers rescaled either way', () => {
    const problem = problemOf(pair);
    expect(problem.exponent).toBe(0);
    for (const rho of [2, 3, 10, 0.7]) {
      const b = boundFrom(problem, rho);
      expect(b).toBeGreaterThan(Math.sqrt(rho));
      expect(b).toBeLessThanOrEqual(Math.sqrt(rho) * (1 + 2 ** -51));
    }
    // f·4 (first layer ×4): exponent −2, the bound four times as large, exactly.
    const up = netOf(2, [[[4, 1.6], [-2.4, 5.2]], [0.2, -0.1]], [[[1.1, -0.8]], [0.3]]);
    const pUp = problemOf(up);
    expect(pUp.exponent).toBe(-2);
    expect(boundFrom(pUp, 3)).toBe(4 * boundFrom(problem, 3));
    // f/8 (output layer /8): exponent 3; the quotient is rounded up once more.
    const down = netOf(2, [[[1, 0.4], [-0.6, 1.3]], [0.2, -0.1]], [[[1.1 / 8, -0.1]], [0.3]]);
    const pDown = problemOf(down);
    expect(pDown.exponent).toBe(3);
    const b = boundFrom(pDown, 3);
    expect(b).toBeGreaterThan(Math.sqrt(3) / 8);
    expect(b).toBeLessThanOrEqual((Math.sqrt(3) / 8) * (1 + 2 ** -50));
    expect(certify(pUp, Float64Array.of(3, 0.7))!.upper).toBe(4 * certify(problem, Float64Array.of(3, 0.7))!.upper);
  });

  it('√ρ is rounded to exactly the next float up, and stays above √ρ·2^{−exponent} where the scaling underflows', () => {
    const nextUp = (x: number) => {
      const v = new DataView(new ArrayBuffer(8));
      v.setFloat64(0, x);
      v.setBigUint64(0, v.getBigUint64(0) + 1n);
      return v.getFloat64(0);
    };
    for (const rho of [2, 3, 10, 0.7]) expect(boundFrom(problemOf(pair), rho)).toBe(nextUp(Math.sqrt(rho)));
    // Both layers ×2⁻⁵²⁰: the bound is √ρ·2⁻¹⁰⁴⁰, subnormal; scaling it back up by 2¹⁰⁴⁰ is exact.
    const tiny = netOf(2, [[[2 ** -520, 0.4 * 2 ** -520], [-0.6 * 2 ** -520, 1.3 * 2 ** -520]], [0.2, -0.1]], [[[1.1 * 2 ** -520, -0.8 * 2 ** -520]], [0.3]]);
    const p = problemOf(tiny);
    expect(p.exponent).toBe(1040);
    for (const rho of [2, 3, 10, 0.7, 1.9, 5.3, 7.7, 0.31]) expect(boundFrom(p, rho) * 2 ** 520 * 2 ** 520).toBeGreaterThanOrEqual(Math.sqrt(rho));
  });

  it('a neuron coupled to the input through a combination of rows rules out the Schur form', () => {
    // Layer 1's unstable neuron sees 0.7·ξ₀ (not a plain row of W₀); no output row reaches the input.
    const states = [Int8Array.of(1, -1, 0), Int8Array.of(-1, 0)];
    const problem = problemOf(deep, states);
    const tau = Float64Array.of(1.3, 0.9);
    const c = certify(problem, tau)!;
    expect(c.form).toBe('full');
    expect(c.rho).toBeGreaterThanOrEqual(rhoStar(deep, states, tau));
  });

  it('the verified matrix’s radius is positive and of the order of rounding', () => {
    const problem = problemOf(deep);
    const m = verifiedMatrix(problem, Float64Array.of(2.6, 2.9, 2.4, 1.2, 1.3), 12);
    expect(m.form).toBe('schur');
    const scale = Math.max(...m.values.map(Math.abs));
    m.radius.forEach((r) => {
      expect(r).toBeGreaterThan(0);
      expect(r).toBeLessThan(1e-13 * scale);
    });
  });
});

describe('what the certificate refuses', () => {
  it('a negative ρ (the Schur complement H + CCᵀ/|ρ| would be definite) and one multiplier too many', () => {
    const problem = problemOf(pair);
    const tau = Float64Array.of(3, 0.7);
    const star = rhoStar(pair, null, tau);
    expect(proveCertificate(problem, tau, 2 * star)).toBe(true);
    // H ≻ 0 here, so K at ρ = −ρ* is definite: only the sign test stands between it and a "proof".
    expect(eigenvalues(verifiedMatrix(problem, tau, -star).values, 2)[0]).toBeGreaterThan(0);
    expect(proveCertificate(problem, tau, -star)).toBe(false);
    // τ with an extra entry would be read as its first two.
    const longer = Float64Array.of(3, 0.7, 1);
    expect(proveCertificate(problem, longer, 2 * star)).toBe(false);
    expect(certify(problem, longer)).toBeNull();
  });
});
