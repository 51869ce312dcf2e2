import { describe, expect, it } from 'vitest';
import { Budget } from '../../../../../src/lipschitz/budget.js';
import { solverEmbedding } from '../../../../../src/lipschitz/upper/sdp/barrier.js';
import { certify, optimalRho } from '../../../../../src/lipschitz/upper/sdp/certificate.js';
import { descend } from '../../../../../src/lipschitz/upper/sdp/descent.js';
import { eclipseFastMultipliers } from '../../../../../src/lipschitz/upper/sdp/eclipseFast.js';
import { lipSdpBound } from '../../../../../src/lipschitz/upper/sdp/lipSdp.js';
import { toNetworkUnits } from '../../../../../src/lipschitz/upper/sdp/problem.js';
import { deepNet, problemOf, rhoStar } from '../../../../support/sdpUnits.js';

// Which multipliers lipSdpBound starts the barrier from (module doc: ECLipsE-Fast's closed form, then
// a few descent steps from it, or a caller's warm start when better). With maxIterations 0 the
// barrier takes no step and returns its start, so the certified bound is the start's certificate:
// the choice shows in `upper` and `solverValue`. The references are built from the stages' own
// modules, called here on the same problem, and checked against ρ* from a dense eigen-solver.
const problem = problemOf(deepNet);
const embedding = solverEmbedding(problem);
const widths = [3, 2];
const closed = eclipseFastMultipliers(problem)!.tau;
const descended = descend(problem, embedding, closed, { budget: new Budget(Infinity), maxIterations: 30 })!;
const closedUpper = certify(problem, closed)!.upper;
const descendedUpper = certify(problem, descended.tau)!.upper;
/** A point between the closed form and the descent's multipliers: better than the first, worse than the second. */
const between = Float64Array.from(closed, (t, p) => Math.sqrt(t * descended.tau[p]));
const betweenRho = optimalRho(problem, between, embedding)!;
const betweenUpper = certify(problem, between)!.upper;

describe('lipSdpBound’s starting point (lipSdp.ts), seen through a solve of no iterations', () => {
  it('premises: on deepNet the descent improves on the closed form, and the midpoint lies strictly between (ρ* by a dense eigen-solver)', () => {
    const star = (tau: Float64Array) => rhoStar(deepNet, null, tau);
    expect(star(descended.tau)).toBeLessThan(0.99 * star(between));
    expect(star(between)).toBeLessThan(0.99 * star(closed));
    expect(descendedUpper).toBeLessThan(0.995 * betweenUpper);
    expect(betweenUpper).toBeLessThan(0.995 * closedUpper);
  });

  it('no warm start: the descent’s multipliers, certified; the closed form’s bound beside it', () => {
    const r = lipSdpBound(deepNet, null, { maxIterations: 0 })!;
    expect(r.iterations).toBe(0);
    expect(r.eclipseFast).toBe(closedUpper);
    expect(r.upper).toBe(descendedUpper);
    expect(r.solverValue / Math.sqrt(descended.rho) - 1).toBeCloseTo(0, 9);
  });

  it('a warm start better than the closed form is used as given (no descent from it)', () => {
    const warm = toNetworkUnits(problem, between, betweenRho, widths);
    const r = lipSdpBound(deepNet, null, { maxIterations: 0, warmStart: warm })!;
    expect(r.upper).toBe(betweenUpper);
    expect(r.solverValue / Math.sqrt(betweenRho) - 1).toBeCloseTo(0, 9);
    expect(r.eclipseFast).toBe(closedUpper);
  });

  it('a warm start worse than the closed form is not used: the closed form, undescended (a warm start was given)', () => {
    const poor = toNetworkUnits(problem, closed.map((t) => t * 40), 1, widths);
    const r = lipSdpBound(deepNet, null, { maxIterations: 0, warmStart: poor })!;
    expect(r.upper).toBe(closedUpper);
    expect(r.solverValue / Math.sqrt(optimalRho(problem, closed, embedding)!) - 1).toBeCloseTo(0, 9);
    // With no time for the solver the same choice is certified as it is: the closed form alone.
    const spent = new Budget(0);
    const late = lipSdpBound(deepNet, null, { budget: spent, warmStart: poor })!;
    expect(late.upper).toBe(closedUpper);
    expect(late.solverValue).toBeNaN();
  });

  it('a time limit replaces the default budget: one of a nanosecond is spent before the descent and the solver start', () => {
    // (Any clock advances by more than 1 ns while the closed form is built and certified.)
    const r = lipSdpBound(deepNet, null, { timeLimit: 1e-9 })!;
    expect(r).toMatchObject({ iterations: 0, stoppedBy: 'numerical', upper: closedUpper });
  });

  it('a warm start with a negative or missing multiplier is ignored, not certified', () => {
    const negative = toNetworkUnits(problem, Float64Array.from(between, (t, p) => (p === 3 ? -t : t)), betweenRho, widths);
    const r = lipSdpBound(deepNet, null, { maxIterations: 0, warmStart: negative })!;
    expect(r.upper).toBe(closedUpper);
  });
});
