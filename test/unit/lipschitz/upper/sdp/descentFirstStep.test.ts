import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { solverEmbedding } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { optimalRho } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { descend } from '../../../../../src/lipschitz/upper/sdp/descent.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { deepNet, mixedStates, pairNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

// descent.ts: "First step: at most 1 in log τ (a factor e) in any coordinate." Near the edge of
// feasibility (H barely definite) ∂log ρ*/∂log τ is large, so an uncapped first step would move
// some multiplier by far more (measured: up to a factor e^3.4 on these starts).
describe('the descent’s first step (descent.ts)', () => {
  it('moves no multiplier by more than a factor e, and the cap binds on starts near the edge of feasibility; ρ* does not rise', () => {
    const cases = [
      { net: deepNet, states: null, scale: 3, skew: 2 },
      { net: deepNet, states: mixedStates(), scale: 0.7, skew: 0 },
      { net: pairNet, states: null, scale: 0.7, skew: 1 },
    ];
    for (const { net, states, scale, skew } of cases) {
      const problem = problemOf(net, states);
      const embedding = solverEmbedding(problem);
      const start = eclipseFastMultipliers(problem)!.tau.map((t, p) => t * scale * Math.exp(skew * Math.sin(3 * p + 1)));
      expect(optimalRho(problem, start, embedding)).not.toBeNull();
      const d = descend(problem, embedding, start, { budget: new Budget(Infinity), maxIterations: 1 })!;
      const moves = Array.from(d.tau, (t, p) => Math.abs(Math.log(t / start[p])));
      expect(Math.max(...moves)).toBeLessThanOrEqual(1 + 1e-12);
      expect(Math.max(...moves)).toBeGreaterThan(1 - 1e-12);
      expect(rhoStar(net, states, d.tau)).toBeLessThanOrEqual(rhoStar(net, states, start));
    }
  });
});
