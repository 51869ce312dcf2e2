import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { solveBarrier } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { deepNet, mixedStates, netOf, pairNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

// The dual bound is a lower bound on the SDP's optimum (weak duality, module doc: X is dual feasible
// only when the Newton decrement is below 1). Far from the central path — a path weight t₀ 1000 times
// the default puts the first iterates far off it — a "bound" taken there can exceed the optimum. The
// reference: ρ*(τ) of a converged solve's multipliers, by a dense eigen-solver, is at least the optimum.
describe('the barrier’s dual bound off the central path (barrier.ts)', () => {
  it('never exceeds a certificate’s ρ*, at any iteration count, from starts on and off the path; a converged gap is real; the multipliers returned are the best seen', () => {
    let converged = 0;
    for (const [net, states] of [[deepNet, null], [deepNet, mixedStates()], [pairNet, null]] as const) {
      const problem = problemOf(net, states);
      const start = eclipseFastMultipliers(problem)!;
      const reference = solveBarrier(problem, { budget: new Budget(Infinity), start: start.tau, startRho: 2 * start.rho, relativeGap: 1e-9 });
      const ceiling = rhoStar(net, states, reference.tau);
      const startStar = rhoStar(net, states, start.tau);
      for (const initialWeight of [1e-3, 1, 1e3]) {
        for (const maxIterations of [1, 2, 3, 5, 8]) {
          const r = solveBarrier(problem, { budget: new Budget(Infinity), start: start.tau, startRho: 3 * start.rho, maxIterations, initialWeight });
          expect(r.dualLower).toBeLessThanOrEqual(ceiling * (1 + 1e-12));
          // The best multipliers seen, the start among them: never worse than the start, and ρ is theirs.
          expect(r.rho).toBeLessThanOrEqual(startStar * (1 + 1e-9));
          expect(r.rho / rhoStar(net, states, r.tau) - 1).toBeCloseTo(0, 9);
          if (r.stoppedBy === 'converged') {
            converged++;
            expect(rhoStar(net, states, r.tau) - r.dualLower).toBeLessThanOrEqual(1e-3 * r.rho * (1 + 1e-9));
          }
        }
      }
    }
    expect(converged).toBeGreaterThan(0); // the converged-gap check ran (once in these 45 runs)
  });
});

describe('the barrier on three hidden layers (barrier.ts)', () => {
  it('rows whose hidden parts start past the first neuron: converged, the dual bound below ρ* of the result and within the gap of it', () => {
    // Layer 2's rows are over layer 1's neurons (hidden coordinates 2 and 3): A·Y must read them there.
    const net = netOf(2, [[[0.9, -0.5], [0.3, 1.2]], [0.1, -0.2]], [[[0.7, -1.0], [1.2, 0.6]], [0.2, 0.1]], [[[1.0, -0.6], [0.4, 0.8]], [0, 0]], [[[1.1, -0.7]], [0]]);
    const problem = problemOf(net);
    expect(problem.incoming.map((a) => a.start)).toEqual([0, 1, 2, 2, 4, 4]);
    const start = eclipseFastMultipliers(problem)!;
    const r = solveBarrier(problem, { budget: new Budget(Infinity), start: start.tau, startRho: 1.5 * start.rho, relativeGap: 1e-6 });
    const star = rhoStar(net, null, r.tau);
    expect(r.stoppedBy).toBe('converged');
    expect(r.rho / star - 1).toBeCloseTo(0, 9);
    expect(r.dualLower).toBeLessThanOrEqual(star * (1 + 1e-12));
    expect(star - r.dualLower).toBeLessThanOrEqual(1e-6 * star);
  });
});
