import { describe, expect, it } from 'vitest';
import { exactLipschitz, type ExactOutcome, type ExactValue } from '../../../../src/lipschitz/exact/index.js';
import { boxFromPairs } from '../../../../src/lipschitz/query.js';
import { jacobian } from '../../../../src/network/evaluate.js';
import { operatorNorm } from '../../../../src/linalg/norms.js';
import { shallow, tinyNet } from '../../../support/exactNets.js';
import { exactBruteForce } from '../../../support/exactBruteForce.js';

function exact(o: ExactOutcome): ExactValue {
  if (o.kind !== 'exact') throw new Error(o.message);
  return o;
}

describe('exactLipschitz', () => {
  it('an affine network (no hidden layer) is one region: the operator norm of W', () => {
    // W = [[3, −4], [1, 2]]: column sums 4, 6; row sums 7, 3; σ_max² is the larger root of λ² − 30λ + 100.
    const affine = tinyNet([[[3, -4], [1, 2]], [5, 6]]);
    const sigma = Math.sqrt(15 + Math.sqrt(125));
    const global = exact(exactLipschitz(affine, { norm: '2', box: null }));
    expect(global.lipschitz).toBeCloseTo(sigma, 12);
    expect(global).toMatchObject({ regions: 1, algorithm: 'region-search' });
    expect(Array.from(global.witness)).toEqual([0, 0]);
    expect(global.witnessValue).toBeCloseTo(sigma, 12);
    expect(exact(exactLipschitz(affine, { norm: '1', box: null })).lipschitz).toBe(6);
    const boxed = exact(exactLipschitz(affine, { norm: 'inf', box: boxFromPairs([[1, 2], [-3, 5]], 2) }));
    expect(boxed.lipschitz).toBe(7);
    expect(Array.from(boxed.witness)).toEqual([1.5, 1]);
  });
  it('d = 1 goes to the breakpoint sweep, on ℝ and on an interval', () => {
    const vee = shallow([[1], [-1]], [0, 0], [3, 2]);
    expect(exact(exactLipschitz(vee, { norm: '2', box: null }))).toMatchObject({ lipschitz: 3, algorithm: 'breakpoints', regions: 2 });
    expect(exact(exactLipschitz(vee, { norm: '2', box: boxFromPairs([[-2, -1]], 1) }))).toMatchObject({ lipschitz: 2, algorithm: 'breakpoints', regions: 1 });
  });
  it('a shallow net in general position on ℝᵈ uses the arrangement; on a box, or degenerate, region search', () => {
    const lines = shallow([[1, 0.2], [-0.3, 1], [1, 1]], [0.1, -0.2, -0.9], [1, -2, 1.5]);
    const global = exact(exactLipschitz(lines, { norm: '2', box: null }));
    expect(global.algorithm).toBe('arrangement');
    const boxed = exact(exactLipschitz(lines, { norm: '2', box: boxFromPairs([[-1, 1], [-1, 1]], 2) }));
    expect(boxed.algorithm).toBe('region-search');
    // A slab 1e-10 thin: not in general position, so region search resolves it (Lip₂ = √1.25 only there).
    const slab = shallow([[1, 0], [1, 0], [0, 1]], [-1, -1 - 1e-10, 0], [1, -1, 0.5]);
    const r = exact(exactLipschitz(slab, { norm: '2', box: null }));
    expect(r.algorithm).toBe('region-search');
    expect(r.lipschitz).toBeCloseTo(Math.sqrt(1.25), 5);
    // Every answer agrees with the Jacobian at its witness.
    for (const v of [global, boxed]) expect(operatorNorm(jacobian(lines, v.witness), '2')).toBe(v.lipschitz);
  });
  it('passes its limits on: regions and time', () => {
    const lines = shallow([[1, 0.2], [-0.3, 1], [1, 1]], [0.1, -0.2, -0.9], [1, -2, 1.5]);
    const few = exactLipschitz(lines, { norm: '2', box: null }, { maxRegions: 3 });
    expect(few.kind === 'too-large' && [few.limit, few.limitValue]).toEqual(['regions', 3]);
    const deep = tinyNet([[[1, 0], [0, 1]], [0, 0.5]], [[[1, 1]], [-0.2]], [[[1]], [0]]);
    const late = exactLipschitz(deep, { norm: '2', box: null }, { timeLimit: -1 });
    expect(late.kind === 'too-large' && late.limit).toBe('time');
    const done = exact(exactLipschitz(deep, { norm: '2', box: null }, { timeLimit: 60 }));
    const brute = exactBruteForce(deep, null);
    expect([done.regions, done.algorithm]).toEqual([brute.regions, 'region-search']);
    expect(done.lipschitz).toBeCloseTo(brute.lipschitz['2'], 12);
  });
});
