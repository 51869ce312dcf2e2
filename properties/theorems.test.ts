import { describe, expect, it } from 'vitest';
import { sampleNetwork, type WeightConvention } from '../src/network/sample.js';
import { parseBiasLaw, biasLawNames, makeBiasLaw } from '../src/random/biasLaws.js';
import { exactLipschitz } from '../src/lipschitz/exact/index.js';
import { operatorNormProduct } from '../src/lipschitz/upper/operatorNorms.js';
import { loadCalibration } from '../src/theory/calibration.js';
import { bandScales, type BandKind } from '../src/theory/bands.js';
import { binomialUpperTail, linearFit } from '../src/theory/stats.js';
import type { Norm } from '../src/linalg/norms.js';
import { draws, statistical } from './support/statistical.js';
import { lowerBound } from '../src/lipschitz/lower/index.js';
import { fixedPointStatistic } from './support/fixedPoint.js';

/**
 * The theorems of papers A and B as statistical properties on fresh random networks (their seeds
 * differ from the calibration's). Each test states its false-failure probability α: the chance
 * that it fails although the property holds. Band constants c, C come from config/calibration.json
 * (written by `lipcheck study --config config/study-calibration.json --calibrate`).
 *
 * The tests named 'has power: …' are not statistical properties and carry no false-failure
 * probability: they run one fixed seed each (ignoring LIPCHECK_FRESH_SEEDS), so their outcome is
 * deterministic, and they fail only if a test above has lost the power to reject a planted
 * violation of the model.
 */
const file = import.meta.url;
const calibration = loadCalibration();

interface Draw {
  d: number;
  L: number;
  N: number;
  lip: number;
}

/** Exact Lip_p of `count` fresh networks of one architecture. */
function exactDraws(seed: number, tag: string, d: number, widths: number[], bias: string, norm: Norm, count: number, weights: WeightConvention = 'he-fanout'): Draw[] {
  const out: Draw[] = [];
  for (let i = 0; i < count; i++) {
    const net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(bias), weights, seed: `${seed}:${tag}:${d}:${widths.join('x')}:${bias}:${i}` });
    const r = exactLipschitz(net, { norm, box: null }, { timeLimit: 60 });
    if (r.kind !== 'exact') throw new Error(r.message);
    out.push({ d, L: widths.length, N: Math.max(...widths), lip: r.lipschitz });
  }
  return out;
}

/**
 * Band check: violations of [c·lowerScale, C·upperScale] among n draws, against the calibrated
 * rate. The calibration margins make the true violation rate well below 1%; the test fails when
 * P(X ≥ k | n, 1%) < 1e-6 (exact binomial tail), so α ≤ 1e-6 whenever the rate is ≤ 1%.
 */
function bandVerdict(kind: BandKind, rows: Draw[]): { ok: boolean; detail: string } {
  const constants = calibration.bands[kind];
  if (!constants) return { ok: false, detail: `no calibrated ${kind} band` };
  const outside = rows.filter((r) => {
    const s = bandScales(kind, r.d, r.L, r.N);
    return r.lip < constants.c * s.lower || r.lip > constants.C * s.upper;
  });
  const p = binomialUpperTail(outside.length, rows.length, 0.01);
  return {
    ok: p >= 1e-6,
    detail: `${outside.length} of ${rows.length} networks outside the ${kind} band (c = ${constants.c}, C = ${constants.C}); binomial tail p = ${p}; first: ${JSON.stringify(outside[0] ?? null)}`,
  };
}

/** Log-log slope with its two-sided (1 − α) confidence interval. */
function slope(xs: number[], ys: number[], alpha: number): { slope: number; interval: [number, number] } {
  const fit = linearFit(xs.map(Math.log), ys.map(Math.log));
  return { slope: fit.slope, interval: fit.slopeInterval(1 - alpha) };
}

/**
 * A growth-rate property as a null hypothesis: "the log-log slope lies in [lo, hi]". It is
 * rejected only when the two-sided (1 − 2e-6) interval misses the whole window, so whenever the
 * true slope is in the window the test fails with probability ≤ 1e-6 (one tail of the interval).
 */
function slopeWindow(xs: number[], ys: number[], lo: number, hi: number): { ok: boolean; detail: string } {
  const s = slope(xs, ys, 2e-6);
  return { ok: s.interval[1] >= lo && s.interval[0] <= hi, detail: `slope ${s.slope}, (1 − 2e-6) interval [${s.interval[0]}, ${s.interval[1]}], window [${lo}, ${hi}]` };
}

/** Certified lower bounds (witness values) of fresh networks: cheap where exact values are not. */
function lowerDraws(seed: number, tag: string, d: number, widths: number[], norm: Norm, count: number): Draw[] {
  return Array.from({ length: count }, (_, i) => {
    const net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: `${seed}:${tag}:${d}:${i}` });
    // An iteration budget, not a time limit: the value depends on the seed alone (replayable).
    return { d, L: widths.length, N: Math.max(...widths), lip: lowerBound(net, { norm, box: null }, { timeLimit: Infinity, maxRestarts: 3, seed: i }).witness.value };
  });
}

const SYMMETRIC = biasLawNames({ symmetricOnly: true });

describe('fixed point: E‖∇f(x₀)‖₂² = d for every width, depth and symmetric bias law', () => {
  const configs: [number, number[]][] = [
    [3, [64]],
    [2, [16, 16]],
  ];
  // One two-sided z-test per (architecture, law) at α = 1e-6 each: 14 tests, family-wise α ≤ 1.4e-5.
  it.each(configs.flatMap(([d, widths]) => SYMMETRIC.map((law) => [d, widths, law] as const)))('d=%i widths=%j bias %s (α = 1e-6)', (d, widths, law) => {
    const name = `d=${d} widths=${JSON.stringify(widths)} bias ${law} (α = 1e-6)`;
    statistical({ seed: 6001, falseFailure: 1e-6, file, name }, (seed) => {
      const z = fixedPointStatistic({ inputDim: d, widths, bias: makeBiasLaw(law).spec, weights: 'he-fanout', draws: draws(400), seed });
      return { ok: z.pValue >= 1e-6, detail: `mean ‖∇f(x₀)‖²/d = ${z.mean} ± ${z.standardError}, z = ${z.z}, p = ${z.pValue}` };
    });
  });
  it('has power: an asymmetric bias law and the fan-in variance are both rejected', () => {
    // The same test must reject model violations (here with probability ≈ 1 at these draw counts).
    const shifted = fixedPointStatistic({ inputDim: 3, widths: [64], bias: 'shifted-normal:1,1', weights: 'he-fanout', draws: 400, seed: 6002 });
    const fanIn = fixedPointStatistic({ inputDim: 3, widths: [64], bias: 'normal:1', weights: 'he-fanin', draws: 400, seed: 6002 });
    expect(shifted.pValue).toBeLessThan(1e-6);
    expect(fanIn.pValue).toBeLessThan(1e-6);
  });
});

describe('shallow networks: c·√d ≤ Lip₂ ≤ C·√d', () => {
  // The premise "rate ≤ 1%" over this test's mixture of strata was measured when the constants were
  // calibrated: 0.28% of 2,160 fresh draws fell outside. Single strata run higher (d = 1, N = 8:
  // about 5%), which is why the test pools them as the theorem does (all d, N and laws alike).
  it('holds with high probability across d, N and bias laws (binomial, α ≤ 1e-6)', () => {
    const name = 'holds with high probability across d, N and bias laws (binomial, α ≤ 1e-6)';
    statistical({ seed: 6101, falseFailure: 1e-6, file, name }, (seed) => {
      const rows: Draw[] = [];
      for (const d of [1, 2, 3, 4]) for (const N of d === 4 ? [8, 16, 32] : [8, 32, 64]) for (const law of ['normal:1', 'laplace:1', 'student-t:1']) rows.push(...exactDraws(seed, 'band', d, [N], law, '2', draws(2)));
      return bandVerdict('shallow', rows);
    });
  });
  it('Lip₂/√d does not grow like √N (H₀: log-log slope in N ≤ 0.25; α ≤ 1e-6)', () => {
    // Pattern-agnostic quantities grow with slope 0.5. The test fails only if the lower end of the
    // (1 − 2e-6) interval exceeds 0.25, which has probability ≤ 1e-6 when the slope is ≤ 0.25.
    // (The calibration data show a mild rise at small N that levels off: slope 0.12 over N = 8–128.)
    const name = 'Lip₂/√d does not grow like √N (H₀: log-log slope in N ≤ 0.25; α ≤ 1e-6)';
    statistical({ seed: 6102, falseFailure: 1e-6, file, name }, (seed) => {
      const rows = [8, 16, 32, 64, 128, 256].flatMap((N) => exactDraws(seed, 'trend', 2, [N], 'normal:1', '2', draws(12)));
      const s = slope(rows.map((r) => r.N), rows.map((r) => r.lip / Math.sqrt(r.d)), 2e-6);
      return { ok: s.interval[0] <= 0.25, detail: `slope ${s.slope}, interval [${s.interval[0]}, ${s.interval[1]}]` };
    });
  });
  it('has power: the trend test sees the √N growth of the operator-norm product', () => {
    const rows = [8, 16, 32, 64, 128, 256].flatMap((N) =>
      Array.from({ length: 6 }, (_, i) => ({ N, v: operatorNormProduct(sampleNetwork({ inputDim: 2, widths: [N], bias: parseBiasLaw('normal:1'), weights: 'he-fanout', seed: `power:${N}:${i}` }), '2') })),
    );
    const s = slope(rows.map((r) => r.N), rows.map((r) => r.v), 2e-6);
    expect(s.interval[0]).toBeGreaterThan(0.25);
  });
});

describe('deep networks: c·√d ≤ Lip₂ ≤ C·√d·L·√(log N), growth like √d', () => {
  // Premise measured: 0 of 270 fresh draws of this mixture outside the deep band.
  it('the bands hold with high probability (binomial, α ≤ 1e-6)', () => {
    const name = 'the bands hold with high probability (binomial, α ≤ 1e-6)';
    statistical({ seed: 6201, falseFailure: 1e-6, file, name }, (seed) => {
      const rows: Draw[] = [];
      for (const d of [1, 2, 3]) for (const widths of [[8, 8], [12, 12], [6, 6, 6]]) rows.push(...exactDraws(seed, 'deep', d, widths, 'normal:1', '2', draws(3)));
      return bandVerdict('deep', rows);
    });
  });
  it('Lip₂ grows like √d (H₀: log-log slope in d within [0.3, 0.9]; α ≤ 1e-6)', () => {
    // Certified lower bounds over d = 1–16 (the theorem's lower band is about them; they match the
    // exact value on these nets). The window allows the slowly varying factors of the theorem: the
    // calibration found 0.69 for widths 16,16 over d = 1–16 — far from 0 (no growth) and 1 (linear).
    const name = 'Lip₂ grows like √d (H₀: log-log slope in d within [0.3, 0.9]; α ≤ 1e-6)';
    statistical({ seed: 6202, falseFailure: 1e-6, file, name }, (seed) => {
      const rows = [1, 2, 4, 8, 16].flatMap((d) => lowerDraws(seed, 'deep-d', d, [16, 16], '2', draws(16)));
      return slopeWindow(rows.map((r) => r.d), rows.map((r) => r.lip), 0.3, 0.9);
    });
  });
});

describe('ℓp (paper B): Lip_∞ ≍ √(2/π)·d and Lip₁ ≍ √d', () => {
  const lpRows = (seed: number, tag: string, norm: Norm) => [1, 2, 3, 4, 5, 6].flatMap((d) => exactDraws(seed, tag, d, [16], 'normal:1', norm, draws(10)));
  /** The band test (binomial, α ≤ 1e-6) and the growth window (α ≤ 1e-6) together: α ≤ 2e-6. */
  const lpVerdict = (rows: Draw[], kind: BandKind, lo: number, hi: number) => {
    const band = bandVerdict(kind, rows);
    const growth = slopeWindow(rows.map((r) => r.d), rows.map((r) => r.lip), lo, hi);
    return { ok: band.ok && growth.ok, detail: `${band.detail}; ${growth.detail}` };
  };
  it('Lip_∞ lies in its band and grows linearly in d (binomial α ≤ 1e-6; H₀ slope in [0.75, 1.25], α ≤ 1e-6)', () => {
    const name = 'Lip_∞ lies in its band and grows linearly in d (binomial α ≤ 1e-6; H₀ slope in [0.75, 1.25], α ≤ 1e-6)';
    statistical({ seed: 6301, falseFailure: 2e-6, file, name }, (seed) => lpVerdict(lpRows(seed, 'linf', 'inf'), 'linf', 0.75, 1.25));
  });
  it('Lip₁ lies in its band and grows like √d (binomial α ≤ 1e-6; H₀ slope in [0.3, 0.8], α ≤ 1e-6)', () => {
    // Paper B: Lip₁ ≍ ‖g‖₂ ≈ √d. (At d ≤ 6 a slope cannot tell √d from √(2 log d); the band can.)
    const name = 'Lip₁ lies in its band and grows like √d (binomial α ≤ 1e-6; H₀ slope in [0.3, 0.8], α ≤ 1e-6)';
    statistical({ seed: 6302, falseFailure: 2e-6, file, name }, (seed) => lpVerdict(lpRows(seed, 'l1', '1'), 'l1', 0.3, 0.8));
  });
  it('has power: the √d window rejects the linear growth of Lip_∞', () => {
    const rows = lpRows(6303, 'power-linf', 'inf');
    expect(slopeWindow(rows.map((r) => r.d), rows.map((r) => r.lip), 0.3, 0.8).ok).toBe(false);
  });
});

describe('bias-law independence: the same shallow band for every symmetric law', () => {
  // One binomial band test per law at α ≤ 1e-6: 7 tests, family-wise α ≤ 7e-6. The premise (rate
  // ≤ 1%) was measured at d = 2, N = 32: 0 of 300 draws per law outside the band.
  it.each(SYMMETRIC)('bias %s (α ≤ 1e-6)', (law) => {
    const name = `bias ${law} (α ≤ 1e-6)`;
    statistical({ seed: 6401, falseFailure: 1e-6, file, name }, (seed) => bandVerdict('shallow', exactDraws(seed, 'law', 2, [32], makeBiasLaw(law).spec, '2', draws(20))));
  });
  it('has power: the fan-in variance at N ≫ d leaves the band', () => {
    const rows = exactDraws(6402, 'fanin', 2, [128], 'normal:1', '2', 10, 'he-fanin');
    expect(bandVerdict('shallow', rows).ok).toBe(false);
  });
});
