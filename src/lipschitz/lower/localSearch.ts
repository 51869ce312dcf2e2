import { activationPattern, jacobianOfPattern, pieceMaps, type Pattern } from '../../network/evaluate.js';
import type { Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import type { Mat } from '../../linalg/mat.js';
import { Budget } from '../budget.js';
import { AXPY_SLOWDOWN, pieceMapsFlops, secondsFor } from '../costs.js';
import { cubeConstraints, queryDomain, toInput, type Domain } from '../domain.js';
import { relevantRows, slackLp, stepAcross, REGION_TOLERANCE } from '../exact/regionSearch.js';
import type { LipschitzQuery } from '../query.js';
import { witnessAt, type Witness } from './witness.js';

/**
 * Local search across linear regions. In a region R with Jacobian J, crossing the facet of hidden
 * neuron (ℓ, i) changes only that neuron's switch, so the neighbour's Jacobian is the rank-one
 * update J ± β a ᵀ, with β = ∂f/∂h_{ℓ,i} (k-vector) and a = ∇z_{ℓ,i} — every neighbour's norm costs
 * O(k·d). The climb moves to the best neighbour whose facet really exists (found by shooting a ray
 * at it, or, if another constraint is in the way, by an LP), and stops at a local maximum.
 */
export function climb(net: Network, query: LipschitzQuery, start: Witness, budget: Budget, maxSteps = 500): Witness {
  const domain = queryDomain(net, query.box);
  let current = start;
  for (let step = 0; step < maxSteps && !budget.exceeded(); step++) {
    // A step starts with the piece's affine maps, which no check interrupts.
    if (!budget.fits(stepSeconds(net))) {
      budget.skip('local search across regions (one step would not fit)');
      break;
    }
    const next = improve(net, query, domain, current, budget);
    if (!next) break;
    current = next;
  }
  return current;
}

/** The uninterruptible part of one climbing step: the piece's maps, sensitivities, and a few rank-one norms. */
function stepSeconds(net: Network): number {
  const k = net.layers[net.layers.length - 1].outDim;
  return secondsFor(AXPY_SLOWDOWN * pieceMapsFlops(net) + 64 * k * k * net.inputDim);
}

interface Candidate {
  layer: number;
  neuron: number;
  value: number;
}

/**
 * Output sensitivities β_ℓ = ∂f/∂h_ℓ (k × N_ℓ, row-major) of every hidden layer ℓ under a pattern:
 * the Jacobian of the layers after ℓ with their neurons switched as the pattern says. The last is
 * the output layer's weights themselves (not a copy).
 */
export function sensitivities(net: Network, pattern: Pattern): Float64Array[] {
  const L = net.layers.length;
  const k = net.layers[L - 1].outDim;
  let beta = net.layers[L - 1].weights; // k × N_{L−1}
  const out = [beta];
  for (let l = L - 2; l >= 1; l--) {
    const layer = net.layers[l];
    const next = new Float64Array(k * layer.inDim);
    // Stryker disable next-line EqualityOperator: r <= k reads past beta (undefined: NaN) and writes past next (ignored by a typed array)
    for (let r = 0; r < k; r++) {
      // Stryker disable next-line EqualityOperator: i <= outDim reads pattern[l][outDim] (undefined: skipped)
      for (let i = 0; i < layer.outDim; i++) {
        if (!pattern[l][i]) continue;
        const c = beta[r * layer.outDim + i];
        // Stryker disable next-line ConditionalExpression: skipping a zero sensitivity only saves adding zeros
        if (c === 0) continue;
        for (let j = 0; j < layer.inDim; j++) next[r * layer.inDim + j] += c * layer.weights[i * layer.inDim + j];
      }
    }
    beta = next;
    out.unshift(beta);
  }
  return out;
}

function improve(net: Network, query: LipschitzQuery, domain: Domain, current: Witness, budget: Budget): Witness | null {
  const d = net.inputDim;
  const x = current.x;
  const pattern = activationPattern(net, x);
  const J = jacobianOfPattern(net, pattern);
  const k = J.rows;
  const { A, c } = pieceMaps(net, pattern);
  const betas = sensitivities(net, pattern);
  const candidates: Candidate[] = [];
  const trial = new Float64Array(k * d);
  const trialMat: Mat = { rows: k, cols: d, data: trial };
  for (let l = 0; l < A.length; l++) {
    const width = c[l].length;
    // Stryker disable next-line EqualityOperator: i <= width gives a NaN trial (A past its end), never a candidate
    for (let i = 0; i < width; i++) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: checking more often (or never here) only moves the stop to the candidates loop's check, with the same null
      if ((i & 31) === 31 && budget.exceeded()) return null;
      const sign = pattern[l][i] ? -1 : 1;
      // The neuron's row of A is zero: its flip leaves J as it is, so it cannot beat the current norm.
      // Stryker disable next-line BooleanLiteral: a speed-only shortcut (see above)
      let any = false;
      // Stryker disable next-line EqualityOperator: r <= k writes past trial (ignored)
      for (let r = 0; r < k; r++) {
        const b = sign * betas[l][r * width + i];
        // Stryker disable next-line EqualityOperator: j <= d writes row r + 1's first entry, rewritten next, or past trial
        for (let j = 0; j < d; j++) {
          const a = A[l][i * d + j];
          // Stryker disable next-line ConditionalExpression: a speed-only shortcut (see above)
          if (a !== 0) any = true;
          trial[r * d + j] = J.data[r * d + j] + b * a;
        }
      }
      // Stryker disable next-line ConditionalExpression: a speed-only shortcut (see above)
      if (!any) continue;
      const value = operatorNorm(trialMat, query.norm);
      if (value > current.value * (1 + 1e-12)) candidates.push({ layer: l, neuron: i, value });
    }
  }
  candidates.sort((a, b) => b.value - a.value);
  let lpTries = 0;
  for (const cand of candidates.slice(0, 12)) {
    if (budget.exceeded()) return null;
    const direct = shootAcross(net, query, A, c, pattern, x, cand);
    const viaRay = direct ? witnessAt(net, direct, query.norm) : null;
    if (viaRay && viaRay.value > current.value) return viaRay;
    if (lpTries++ < 2) {
      const viaLp = crossByLp(net, domain, pattern, cand, query.norm, budget);
      if (viaLp && viaLp.value > current.value) return viaLp;
    }
  }
  return null;
}

/**
 * Moves from x straight towards the candidate's hyperplane; if no other constraint (or box face) is
 * hit first, returns a point just across it.
 */
function shootAcross(net: Network, query: LipschitzQuery, A: Float64Array[], c: Float64Array[], pattern: Pattern, x: Float64Array, cand: Candidate): Float64Array | null {
  const d = net.inputDim;
  const a = A[cand.layer].subarray(cand.neuron * d, (cand.neuron + 1) * d);
  const s = pattern[cand.layer][cand.neuron] ? 1 : -1;
  let na = 0;
  let za = c[cand.layer][cand.neuron];
  for (let j = 0; j < d; j++) {
    na += a[j] * a[j];
    za += a[j] * x[j];
  }
  na = Math.sqrt(na);
  const slack = s * za;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a guard: x is a witness, strictly inside its region, so slack > 0
  if (!(slack > 0)) return null;
  const target = slack / na;
  const v = Float64Array.from(a, (aj) => (-s * aj) / na);
  let nearestOther = Infinity;
  for (let l = 0; l < A.length; l++) {
    // Stryker disable next-line EqualityOperator: i <= length reads past A and c (NaN rate: no bound)
    for (let i = 0; i < c[l].length; i++) {
      if (l === cand.layer && i === cand.neuron) continue;
      let z = c[l][i];
      let rate = 0;
      for (let j = 0; j < d; j++) {
        const aj = A[l][i * d + j];
        z += aj * x[j];
        rate += aj * v[j];
      }
      const sm = pattern[l][i] ? 1 : -1;
      const decrease = -sm * rate;
      if (decrease > 0) nearestOther = Math.min(nearestOther, (sm * z) / decrease);
    }
  }
  if (query.box) {
    // Stryker disable next-line EqualityOperator: v[d] is undefined: neither branch
    for (let j = 0; j < d; j++) {
      if (v[j] > 0) nearestOther = Math.min(nearestOther, (query.box.hi[j] - x[j]) / v[j]);
      else if (v[j] < 0) nearestOther = Math.min(nearestOther, (query.box.lo[j] - x[j]) / v[j]);
    }
  }
  if (!(nearestOther > target * (1 + 1e-9))) return null;
  const step = target + Math.min(0.5 * (nearestOther - target), 0.5 * target);
  return Float64Array.from(x, (xj, j) => xj + step * v[j]);
}

/** Finds the candidate's facet with an LP in the domain cube and steps across it. */
function crossByLp(net: Network, domain: Domain, pattern: Pattern, cand: Candidate, norm: Norm, budget: Budget): Witness | null {
  const n = domain.n;
  const cons = cubeConstraints(net, domain, pattern, budget);
  if (!cons) return null; // the budget ran out
  let row = -1;
  // Stryker disable next-line EqualityOperator: r <= count reads past the rows (undefined: no match)
  for (let r = 0; r < cons.count; r++) if (cons.layer[r] === cand.layer && cons.neuron[r] === cand.neuron) row = r;
  if (row < 0) return null;
  const rows = relevantRows(cons, n);
  if (!rows.includes(row)) return null;
  const { u, tau } = slackLp(cons, rows, n, row, { budget });
  if (!(tau > REGION_TOLERANCE)) return null;
  const across = stepAcross(net, domain, u, cons.g.subarray(row * n, (row + 1) * n), tau, cons, pattern);
  if (!across) return null;
  return witnessAt(net, toInput(domain, across), norm); // −Infinity on a kink: the caller's comparison rejects it
}

