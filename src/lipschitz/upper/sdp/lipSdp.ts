import type { Network } from '../../../network/network.js';
import { Budget } from '../../budget.js';
import { queryDomain } from '../../domain.js';
import type { Box } from '../../query.js';
import { neuronStates, preActivationBounds } from '../intervals.js';
import { solveBarrier, solverEmbedding } from './barrier.js';
import { descend } from './descent.js';
import { certify, optimalRho, type Certificate } from './certificate.js';
import { eclipseFastMultipliers } from './eclipseFast.js';
import type { Embedding } from './lmi.js';
import { fromNetworkUnits, sdpProblem, toNetworkUnits, type NetworkMultipliers, type SdpMultipliers, type SdpProblem } from './problem.js';

/**
 * LipSDP-Neuron upper bounds on Lip₂ (global, or local on a box), verified in floating point.
 *
 * Pipeline: the problem (problem.ts; on a box, neurons proven stable by interval bounds are
 * eliminated exactly) → ECLipsE-Fast's closed form (eclipseFast.ts), itself certified → a few
 * quasi-Newton steps on log ρ*(log τ) from it (descent.ts: the multipliers' shape, which the barrier
 * finds only slowly on deep nets), or a caller's warm start when better → the barrier method
 * (barrier.ts) → the verified certificate of the best multipliers (certificate.ts). The reported `upper` is the smaller of the proven bounds;
 * the solver's own values are reported beside it, never used as one.
 */
export interface LipSdpOptions {
  /** The work budget (default: `timeLimit` seconds, else 60). Checked inside the solver's loop. */
  readonly budget?: Budget;
  readonly timeLimit?: number;
  /** Multipliers to start from (e.g. a parent box's); used when better than ECLipsE-Fast's. */
  readonly warmStart?: NetworkMultipliers;
  /** The solver stops when its certificate value and dual bound are this close, relatively (default 1e-3). */
  readonly relativeGap?: number;
  readonly maxIterations?: number;
  /** Neuron states to use instead of those computed from the box (1 on, 0 off, −1 unstable). */
  readonly states?: readonly Int8Array[] | null;
  /**
   * Compute (and certify) ECLipsE-Fast's closed form (default true). Branch and bound turns it off
   * for cells that start from their parent's multipliers.
   */
  readonly closedForm?: boolean;
}

export interface LipSdpResult {
  /** The certified upper bound on Lip₂ over the domain. */
  readonly upper: number;
  /** √ρ* of the solver's best multipliers (an unverified estimate of what they prove). */
  readonly solverValue: number;
  /**
   * A lower bound on the optimum of the SDP itself (from a dual feasible point; 0 when none was
   * found): no LipSDP-Neuron certificate on this domain proves less. Not a bound on Lip, and not
   * verified (for benchmarks and diagnosis).
   */
  readonly sdpLower: number;
  /** The certified ECLipsE-Fast bound (the starting point), or null when it could not be proven. */
  readonly eclipseFast: number | null;
  /** The multipliers behind `upper`, in the network's units, with their proven ρ (= upper²). */
  readonly multipliers: NetworkMultipliers | null;
  readonly iterations: number;
  readonly stoppedBy: 'converged' | 'time' | 'iterations' | 'numerical' | 'trivial';
  readonly seconds: number;
  /** Hidden neurons by state on the domain. */
  readonly neurons: { readonly unstable: number; readonly active: number; readonly inactive: number };
  readonly verified: true;
}

/** Neuron states on a box (interval bounds, rounded outward), or null for the global problem. */
export function boxStates(net: Network, box: Box | null): Int8Array[] | null {
  return box ? neuronStates(preActivationBounds(net, queryDomain(net, box))) : null;
}

function countStates(net: Network, states: readonly Int8Array[] | null): LipSdpResult['neurons'] {
  let unstable = 0;
  let active = 0;
  let inactive = 0;
  net.layers.slice(0, -1).forEach((layer, l) => {
    for (let i = 0; i < layer.outDim; i++) {
      const s = states ? states[l][i] : -1;
      if (s === 1) active++;
      else if (s === 0) inactive++;
      else unstable++;
    }
  });
  return { unstable, active, inactive };
}

/**
 * The certified LipSDP-Neuron bound on Lip₂ of f over ℝᵈ (box null) or the box, or null when no
 * proof could be made, or when f is affine on the domain (no hidden layer, or every neuron stable
 * there: its constant is then the norm of one Jacobian, which the interval bound gets exactly).
 * Anytime: stops at the budget with the best verified bound so far.
 */
export function lipSdpBound(net: Network, box: Box | null, options: LipSdpOptions = {}): LipSdpResult | null {
  const budget = options.budget ?? new Budget(options.timeLimit ?? 60);
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const states = options.states !== undefined ? options.states : boxStates(net, box);
  const neurons = countStates(net, states);
  const setup = sdpProblem(net, states);
  if (setup.kind === 'affine') return null;
  if (setup.kind === 'constant') {
    return { upper: 0, solverValue: 0, sdpLower: 0, eclipseFast: 0, multipliers: null, iterations: 0, stoppedBy: 'trivial', seconds: seconds(), neurons, verified: true };
  }
  const problem = setup.problem;
  const widths = net.layers.slice(0, -1).map((l) => l.outDim);
  const closed = options.closedForm === false && options.warmStart ? null : eclipseFastMultipliers(problem);
  const closedCertificate = closed ? certify(problem, closed.tau) : null;
  // The final certificate costs about what the closed form's did (an estimate and a few Cholesky
  // factorisations): keep that much time for it.
  const certificateSeconds = seconds();
  const embedding = solverEmbedding(problem);
  const warm = options.warmStart ? fromNetworkUnits(problem, options.warmStart).tau : null;
  let start = startingPoint(problem, embedding, closed?.tau ?? null, warm);
  if (start && !warm && !budget.exceeded()) {
    const descended = descend(problem, embedding, start.tau, { budget: budget.share(0.25), maxIterations: 30 });
    if (descended && descended.rho < start.rho) start = descended;
  }
  let best: Certificate | null = closedCertificate;
  let solverValue = NaN;
  let sdpLower = 0;
  let iterations = 0;
  let stoppedBy: LipSdpResult['stoppedBy'] = 'numerical';
  if (start && !budget.exceeded()) {
    const solved = solveBarrier(
      problem,
      {
        budget: budget.within(budget.remaining() - 1.5 * certificateSeconds),
        start: start.tau,
        startRho: start.rho * 1.5,
        relativeGap: options.relativeGap,
        maxIterations: options.maxIterations,
      },
      embedding,
    );
    iterations = solved.iterations;
    stoppedBy = solved.stoppedBy;
    solverValue = Math.sqrt(solved.rho) * 2 ** -problem.exponent;
    sdpLower = Math.sqrt(solved.dualLower) * 2 ** -problem.exponent;
    const certificate = certify(problem, solved.tau, { estimate: solved.rho });
    if (certificate && (!best || certificate.upper < best.upper)) best = certificate;
  } else if (start && start.tau !== closed?.tau) {
    // No time for the solver: the warm start or the descent's multipliers, certified as they are.
    solverValue = Math.sqrt(start.rho) * 2 ** -problem.exponent;
    const certificate = certify(problem, start.tau, { estimate: start.rho });
    if (certificate && (!best || certificate.upper < best.upper)) best = certificate;
  }
  if (!best) return null;
  return {
    upper: best.upper,
    solverValue,
    sdpLower,
    eclipseFast: closedCertificate?.upper ?? null,
    multipliers: toNetworkUnits(problem, best.tau, best.rho, widths),
    iterations,
    stoppedBy,
    seconds: seconds(),
    neurons,
    verified: true,
  };
}

/** The better (smaller ρ*) of ECLipsE-Fast's multipliers and a warm start, with its ρ*. */
function startingPoint(problem: SdpProblem, embedding: Embedding, closed: SdpMultipliers | null, warm: SdpMultipliers | null): { tau: SdpMultipliers; rho: number } | null {
  let best: { tau: SdpMultipliers; rho: number } | null = null;
  for (const tau of [closed, warm]) {
    if (!tau || tau.length !== problem.hidden || !tau.every((t) => t >= 0)) continue;
    const rho = optimalRho(problem, tau, embedding);
    if (rho !== null && rho > 0 && (!best || rho < best.rho)) best = { tau, rho };
  }
  return best;
}

/**
 * The certified ECLipsE-Fast bound alone (milliseconds), global or on a box; null when unproven or f
 * is affine there. `states` (1 on, 0 off, −1 unstable; sound for the box) replace the interval ones.
 */
export function eclipseFastBound(net: Network, box: Box | null, states?: readonly Int8Array[] | null): number | null {
  const setup = sdpProblem(net, states !== undefined ? states : boxStates(net, box));
  if (setup.kind === 'affine') return null;
  if (setup.kind === 'constant') return 0;
  const closed = eclipseFastMultipliers(setup.problem);
  return closed ? (certify(setup.problem, closed.tau)?.upper ?? null) : null;
}
