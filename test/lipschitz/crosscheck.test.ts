import { describe, expect, it } from 'vitest';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { sampleNetwork } from '../../src/network/sample.js';
import { toReluMlp } from '../../src/network/format.js';
import { parseBiasLaw } from '../../src/random/biasLaws.js';
import { boxFromPairs, boxToPairs } from '../../src/lipschitz/query.js';
import { createStream } from '../../src/random/stream.js';
import { NORMS } from '../../src/linalg/norms.js';
import { pythonFile } from '../support/python.js';

/**
 * Against fixtures/crosscheck/exact_lipschitz.py: an independent implementation (Python, SciPy's
 * HiGHS, its own enumeration) written without reading lipcheck's solver. One batch call.
 */
describe('exact solver against the independent Python implementation', () => {
  it('agrees on value (1e-9) and region count for 30 random nets', () => {
    const stream = createStream(77, 'crosscheck');
    const laws = ['normal:1', 'zero', 'uniform:2', 'laplace:0.5', 'student-t:1', 'rademacher:1', 'mixture:0.1,3,0.5'];
    const cases = Array.from({ length: 30 }, (_, i) => {
      const d = 1 + (i % 3);
      const depth = 1 + Math.floor(stream.uniform() * 3);
      const widths = Array.from({ length: depth }, () => 2 + Math.floor(stream.uniform() * (depth === 1 ? 8 : 4)));
      const net = sampleNetwork({ inputDim: d, widths, bias: parseBiasLaw(laws[i % laws.length]), weights: i % 5 === 0 ? 'he-fanin' : 'he-fanout', seed: i, outputs: 1 + (i % 2) });
      const box = i % 3 === 0 ? boxFromPairs(Array.from({ length: d }, () => [-1 + stream.uniform(), 0.2 + stream.uniform()] as [number, number]), d) : null;
      return { net, box, norm: NORMS[i % 3] };
    });
    const reference = pythonFile<{ lipschitz: number; regions: number }[]>(
      'fixtures/crosscheck/exact_lipschitz.py',
      cases.map((c) => ({ network: toReluMlp(c.net), norm: c.norm, box: boxToPairs(c.box) })),
    );
    cases.forEach((c, i) => {
      const r = exactLipschitz(c.net, { norm: c.norm, box: c.box });
      if (r.kind !== 'exact') throw new Error(r.message);
      expect(Math.abs(r.lipschitz - reference[i].lipschitz), `case ${i}`).toBeLessThanOrEqual(1e-9 * Math.max(1, reference[i].lipschitz));
      expect(r.regions, `case ${i}`).toBe(reference[i].regions);
    });
  });
});
