import { loadCalibration } from '../../src/theory/calibration.js';
import { describe, expect, it } from 'vitest';
import { chiSquareVarianceTest, networkInfo, signedRankTest, signTest, theoremBand, type LawCheck, type TheoremFacts } from '../../src/network/info.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { createStream } from '../../src/random/stream.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import { python } from '../support/python.js';

const sample = (widths: number[], opts: { bias?: string; weights?: 'he-fanout' | 'he-fanin'; outputs?: number; seed?: number; d?: number } = {}) =>
  sampleNetwork({
    inputDim: opts.d ?? 3,
    widths,
    bias: parseBiasLaw(opts.bias ?? 'normal:1'),
    weights: opts.weights ?? 'he-fanout',
    seed: opts.seed ?? 1,
    outputs: opts.outputs ?? 1,
  });

describe('the statistical tests of info, against SciPy', () => {
  const rng = createStream(2, 'info-tests');
  const xs = Array.from({ length: 40 }, () => rng.gaussian() * 0.7 + 0.1);
  const ties = [-3, -2, -2, -1, 1, 1, 2, 2, 2, 3, 4, 5, 0, 0, 6, -1];
  const scipy = python<{ chi: number; sign: number; wil: number; wilTies: number }>(
    `
import json, sys
from scipy import stats
d = json.load(sys.stdin)
xs, ties = d['xs'], d['ties']
s = sum(x * x for x in xs) / 0.5
lo, hi = stats.chi2.cdf(s, len(xs)), stats.chi2.sf(s, len(xs))
pos = sum(1 for x in xs if x > 0)
print(json.dumps({
  'chi': min(1, 2 * min(lo, hi)),
  'sign': stats.binomtest(pos, len(xs), 0.5).pvalue,
  'wil': stats.wilcoxon(xs, correction=True, method='approx').pvalue,
  'wilTies': stats.wilcoxon(ties, zero_method='wilcox', correction=True, method='approx').pvalue,
}))`,
    { xs, ties },
  );
  it('chi-square test of the variance', () => expect(chiSquareVarianceTest(xs, 0.5)).toBeCloseTo(scipy.chi, 10));
  it('exact sign test', () => expect(signTest(xs.filter((x) => x > 0).length, xs.length)).toBeCloseTo(scipy.sign, 10));
  it('Wilcoxon signed-rank test, with ties and zeros', () => {
    expect(signedRankTest(xs)).toBeCloseTo(scipy.wil, 10);
    expect(signedRankTest(ties)).toBeCloseTo(scipy.wilTies, 10);
  });
  it('too few nonzero values for the signed-rank approximation give null', () => expect(signedRankTest([1, -2, 0, 0, 3])).toBeNull());
});

describe('networkInfo', () => {
  // The law checks are seeded statistical tests: 'consistent' is a χ² variance test at α = 1e-3
  // (info.ts ALPHA) or a variance within a fixed factor; with this fixed seed the outcome is
  // deterministic, and for a fresh seed the false-failure probability of each check is ≤ 1e-3.
  it('describes a sample of the papers\' model and finds the shallow band', () => {
    const net = sample([64], { d: 4 });
    const info = networkInfo(net);
    expect(info).toMatchObject({ architecture: '4→64→1', inputDim: 4, widths: [64], outputs: 1, hiddenLayers: 1, neurons: 64, parameters: 4 * 64 + 64 + 64 + 1 });
    expect(info.layers[0].laws.map((l) => [l.law, l.variance])).toEqual([['he-fanout', 2 / 64], ['he-fanin', 2 / 4]]);
    expect(info.layers[0].laws[0].consistent).toBe(true);
    expect(info.layers[0].laws[1].consistent).toBe(false);
    expect(info.layers[1].laws[0]).toMatchObject({ law: 'standard', variance: 1, consistent: true });
    expect(info.biases.n).toBe(64);
    expect(info.biases.symmetric).toBe(true);
    const cal = loadCalibration().bands.shallow!;
    expect(info.theorem).toEqual({
      kind: 'shallow',
      band: 'c·√d ≤ Lip₂ ≤ C·√d',
      lowerScale: 2,
      upperScale: 2,
      calibrated: { c: cal.c, C: cal.C, draws: cal.draws, lower: 2 * cal.c, upper: 2 * cal.C },
      reasons: [],
    });
  });
  it('gives the deep band with N the largest width', () => {
    const t = networkInfo(sample([32, 48, 32], { d: 5, seed: 3 })).theorem;
    expect(t.kind).toBe('deep');
    expect(t.band).toBe('c·√d ≤ Lip₂ ≤ C·√d·L·√(log N)');
    expect(t.lowerScale).toBeCloseTo(Math.sqrt(5), 14);
    expect(t.upperScale).toBeCloseTo(Math.sqrt(5) * 3 * Math.sqrt(Math.log(48)), 12);
  });
  it('the norm product is the product of the layers\' operator norms', () => {
    // diag(2, 3) then [1, −4]: spectral norms 3 and √17, column sums 3 and 4, row sums 3 and 5.
    const net = makeNetwork(2, [denseLayer([[2, 0], [0, 3]], [0, 0]), denseLayer([[1, -4]], [0])]);
    const info = networkInfo(net);
    for (const [p, want] of [['2', 3 * Math.sqrt(17)], ['1', 12], ['inf', 15]] as const) expect(info.operatorNormProduct[p]).toBeCloseTo(want, 12);
  });
  it('names every reason no theorem applies', () => {
    const fanin = networkInfo(sample([40], { weights: 'he-fanin', d: 3, seed: 5 })).theorem;
    expect(fanin.kind).toBe('none');
    expect(fanin.reasons.join('\n')).toMatch(/layer 0 weights: variance is \d+(\.\d+)? × the papers' 2\/N_out .*it matches the fan-in variant 2\/N_in/);
    const multi = networkInfo(sample([16], { outputs: 3 })).theorem;
    expect(multi.reasons[0]).toMatch(/^k = 3 outputs: the theorems are about scalar networks/);
    const net = sample([200], { seed: 6 });
    const shifted: Network = { ...net, layers: [{ ...net.layers[0], biases: net.layers[0].biases.map((b) => Math.abs(b) + 0.1) }, net.layers[1]] };
    const info = networkInfo(shifted);
    expect(info.biases.signTestP).toBeLessThan(1e-50);
    expect(info.biases.symmetric).toBe(false);
    expect(info.theorem.reasons).toEqual([expect.stringMatching(/hidden biases are not symmetric about 0/)]);
    const scaled: Network = { ...net, layers: [net.layers[0], { ...net.layers[1], weights: net.layers[1].weights.map((w) => 10 * w) }] };
    expect(networkInfo(scaled).theorem.reasons).toEqual([expect.stringMatching(/^output weights: variance is \d+ × the papers' 1 \(chi-square p (≈ 0|= [\d.e-]+)\)$/)]);
  });
  it('an affine network has no hidden biases and no theorem, and its norm product is exact', () => {
    const affine: Network = { inputDim: 2, layers: [{ inDim: 2, outDim: 1, weights: Float64Array.of(3, -4), biases: Float64Array.of(1) }] };
    const info = networkInfo(affine);
    expect(info.biases).toMatchObject({ n: 0, symmetric: null, signTestP: null });
    expect(info.operatorNormProduct).toEqual({ '2': 5, '1': 4, inf: 7 });
    expect(info.theorem.reasons[0]).toMatch(/affine \(L = 0\)/);
  });
  it('flags a mean-zero, median-zero skewed bias law (only the symmetry test can)', () => {
    // 512 hidden biases: the KS-type test rejects this law with power ≈ 1 at n ≥ 256 (measured:
    // 400 of 400 draws at α = 0.001), the sign and signed-rank tests almost never (≤ 0.5%).
    const info = networkInfo(sample([256, 256], { bias: 'skewed-mixture:1', d: 4, seed: 9 }));
    expect(info.biases.symmetryP).toBeLessThan(1e-6);
    expect(info.biases.symmetric).toBe(false);
    expect(info.theorem.reasons).toEqual([expect.stringMatching(/hidden biases are not symmetric about 0 \(sign, signed-rank or symmetry test/)]);
    expect(networkInfo(sample([256, 256], { bias: 'normal:1', d: 4, seed: 9 })).biases.symmetric).toBe(true);
  });
  it('zero biases are the degenerate symmetric law', () => {
    const net = sample([20], { bias: 'zero' });
    expect(networkInfo(net).biases).toMatchObject({ zeros: 20, symmetric: true, signTestP: null });
  });
});

describe('theoremBand', () => {
  const ok: LawCheck = { law: 'he-fanout', variance: 1, ratio: 1, chiSquareP: 0.5, consistent: true };
  const facts: TheoremFacts = { inputDim: 9, hiddenLayers: 2, outputs: 1, maxWidth: 1, hidden: [{ fanout: ok, fanin: ok }, { fanout: ok, fanin: ok }], output: ok, biasesSymmetric: true };
  it('a deep band needs log N > 0', () => {
    expect(theoremBand(facts)).toMatchObject({ kind: 'none', reasons: [expect.stringMatching(/largest hidden width is 1/)] });
    expect(theoremBand({ ...facts, maxWidth: 8 })).toMatchObject({ kind: 'deep', lowerScale: 3, upperScale: 3 * 2 * Math.sqrt(Math.log(8)) });
  });
});
