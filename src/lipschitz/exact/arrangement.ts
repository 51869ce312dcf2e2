import type { Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { solveLinearInPlace } from '../../linalg/solve.js';
import type { Pattern } from '../../network/evaluate.js';
import { Budget } from '../budget.js';
import { liftedDomain, toInput } from '../domain.js';
import { regionCentre } from './regionSearch.js';
import { witnessAt } from '../lower/witness.js';
import { tooLarge, type ExactOutcome } from './types.js';

/**
 * Exact global Lipschitz constants of shallow networks (one hidden layer) whose hyperplane
 * arrangement is in general position, by vertex enumeration: every cell of an arrangement whose
 * normals span ℝᵈ is a pointed polyhedron, so it has a vertex, and around a simple vertex (exactly
 * d hyperplanes through it) the 2ᵈ sign choices of those d hyperplanes are exactly the cells that
 * touch it. Neurons whose normalised (w, b) agree bit for bit share one hyperplane and are grouped
 * first; any other pair is two hyperplanes (a near-duplicate pair then fails the general-position
 * test below, so region search resolves the thin slab between them).
 *
 * Returns null — and the caller falls back to region search — when the arrangement is not in
 * general position: normals that do not span ℝᵈ, or a vertex with another hyperplane through it or
 * too close to tell (|ŵ·v + b̂| ≤ (1e-9 + 1e-13/p)·(1 + ‖v‖), p the smallest pivot of the d unit
 * normals, which bounds how well v is known; zero biases put every hyperplane through 0). d-subsets
 * with p < 1e-12 are treated as parallel (no vertex).
 */
export function arrangementExact(net: Network, norm: Norm, budget: Budget, maxRegions: number): ExactOutcome | null {
  if (net.layers.length !== 2 || net.inputDim < 2) return null;
  const [hidden, out] = net.layers;
  const d = net.inputDim;
  const N = hidden.outDim;
  const k = out.outDim;

  // Group neurons by hyperplane (unit normal with a canonical sign, offset).
  const groups: { w: Float64Array; b: number }[] = [];
  const byKey = new Map<string, number>();
  const constantActive = new Uint8Array(N);
  const groupOf = new Int32Array(N).fill(-1);
  const orientation = new Int8Array(N);
  // Stryker disable next-line EqualityOperator: i = N reads an empty weight row (norm 0) and writes past the typed arrays' ends (ignored)
  for (let i = 0; i < N; i++) {
    const w = hidden.weights.subarray(i * d, (i + 1) * d);
    const norm2 = w.reduce((a, v) => a + v * v, 0);
    if (norm2 === 0) {
      // Stryker disable next-line EqualityOperator: a constant neuron with bias 0 outputs 0 either way, and its zero row is no constraint of the witness's region
      constantActive[i] = hidden.biases[i] > 0 ? 1 : 0;
      continue;
    }
    const len = Math.sqrt(norm2);
    const firstNonZero = w.findIndex((v) => v !== 0);
    const o = w[firstNonZero] > 0 ? 1 : -1;
    const unit = Float64Array.from(w, (v) => (o * v) / len);
    const offset = (o * hidden.biases[i]) / len;
    // Only hyperplanes equal bit for bit (after normalising) are grouped: near-duplicates stay
    // apart, and the degeneracy test below sends them to region search, which resolves their slab.
    const key = [offset, ...unit].join(','); // −0 prints as 0
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({ w: unit, b: offset });
    }
    groupOf[i] = g;
    orientation[i] = o;
  }
  const G = groups.length;

  // Rank check: the normals must span ℝᵈ (so there are at least d groups).
  if (!spans(groups.map((g) => g.w), d)) return null;

  // Per group, the summed rank-one contributions V[:, i] w_iᵀ of its members when the group's
  // side is positive (members with o > 0 active) and when negative (members with o < 0 active).
  // Constant neurons (w_i = 0) contribute nothing to any Jacobian.
  const kd = k * d;
  const plus = new Float64Array(G * kd);
  const minus = new Float64Array(G * kd);
  // Stryker disable next-line EqualityOperator: i = N has group undefined, so its offset is NaN: every write is dropped
  for (let i = 0; i < N; i++) {
    const g = groupOf[i];
    // Stryker disable next-line ConditionalExpression: a constant neuron's weight row is zero (its offset −kd only addresses writes that are dropped)
    if (g < 0) continue;
    const target = orientation[i] > 0 ? plus : minus;
    const offset = g * kd;
    for (let r = 0; r < k; r++) {
      const v = out.weights[r * N + i];
      // Stryker disable next-line ConditionalExpression: skipping a zero output weight only saves adding 0·w = 0
      if (v === 0) continue;
      // Stryker disable next-line AssignmentOperator: negating every term negates every Jacobian, which leaves every norm unchanged
      for (let c = 0; c < d; c++) target[offset + r * d + c] += v * hidden.weights[i * d + c];
    }
  }

  const normals = new Float64Array(G * d);
  const offsets = new Float64Array(G);
  groups.forEach((g, i) => {
    normals.set(g.w, i * d);
    offsets[i] = g.b;
  });

  // First pass: the maximum only. If every d-subset of hyperplanes meets in one simple vertex the
  // arrangement is in general position and its cells number exactly Σ_{j≤d} C(G, j) (Zaslavsky), so
  // no cell needs to be remembered; otherwise a second pass counts distinct cells.
  const countDistinct = (dedupe: boolean): ExactOutcome | null | { best: number; bestSides: Uint8Array; singular: boolean; distinct: number } => {
    const seen = dedupe ? new Set<string>() : null;
    let best = -1;
    let bestSides = new Uint8Array(G);
    let singular = false;
    const subset = Array.from({ length: d }, (_, i) => i);
    const M = new Float64Array(d * d);
    const rhs = new Float64Array(d);
    const v = new Float64Array(d);
    const sides = new Uint8Array(G);
    const inSubset = new Uint8Array(G);
    const J = new Float64Array(kd);
    const Jbase = new Float64Array(kd);
    const mat = { rows: k, cols: d, data: J };
    /** Puts hyperplane g on `side` (1: positive) in `sides`, and adds its members' terms to the Jacobian M. */
    const addSide = (M: Float64Array, g: number, side: number): void => {
      sides[g] = side;
      const src = side ? plus : minus;
      const o = g * kd;
      for (let e = 0; e < kd; e++) M[e] += src[o + e];
    };
    let visited = 0;
    for (;;) {
      // Stryker disable next-line UpdateOperator: −n & 1023 is 0 exactly when n & 1023 is, so the time is checked at the same vertices
      if ((++visited & 1023) === 0 && budget.exceeded()) return tooLarge('time', budget.timeLimit, seen ? seen.size : 0, budget.elapsed(), best, null);
      subset.forEach((g, r) => {
        M.set(normals.subarray(g * d, (g + 1) * d), r * d);
        rhs[r] = -offsets[g];
      });
      const minPivot = solveLinearInPlace(M, rhs, v, d);
      if (minPivot < 1e-12) singular = true;
      else {
        let vnorm = 0;
        for (let c = 0; c < d; c++) vnorm += v[c] * v[c];
        vnorm = Math.sqrt(vnorm);
        // The vertex is known to about (1/minPivot)·u relative (unit rows): a side is trusted only
        // beyond that, with a wide safety factor.
        const sideTolerance = 1e-9 + 1e-13 / minPivot;
        for (const g of subset) inSubset[g] = 1;
        Jbase.fill(0);
        let degenerate = false;
        for (let g = 0; g < G && !degenerate; g++) {
          if (inSubset[g]) continue;
          let sv = offsets[g];
          const o0 = g * d;
          for (let c = 0; c < d; c++) sv += normals[o0 + c] * v[c];
          if (Math.abs(sv) <= sideTolerance * (1 + vnorm)) degenerate = true;
          // Stryker disable next-line EqualityOperator: sv = 0 is degenerate (|sv| ≤ tolerance): null is returned before these sides are used
          addSide(Jbase, g, sv > 0 ? 1 : 0);
        }
        for (const g of subset) inSubset[g] = 0;
        if (degenerate) return null;
        for (let mask = 0; mask < 1 << d; mask++) {
          J.set(Jbase);
          subset.forEach((g, r) => addSide(J, g, (mask >> r) & 1));
          if (seen) {
            const key = sidesKey(sides);
            // Stryker disable next-line ConditionalExpression: a cell seen before leaves the set's size as it is, and its value is not above the best
            if (seen.has(key)) continue;
            seen.add(key);
            if (seen.size > maxRegions) return tooLarge('regions', maxRegions, seen.size, budget.elapsed(), best, null);
          }
          // Stryker disable next-line ConditionalExpression,StringLiteral: operatorNorm of a 1 × d matrix is the same Euclidean norm (scaled; the constant reported is the witness's recomputed value either way)
          const value = k === 1 && norm === '2' ? euclidean(J) : operatorNorm(mat, norm);
          if (value > best) {
            best = value;
            bestSides = sides.slice();
          }
        }
      }
      if (!nextCombination(subset, G)) break;
    }
    return { best, bestSides, singular, distinct: seen ? seen.size : 0 };
  };

  let general = 0;
  for (let j = 0; j <= d; j++) general += binomial(G, j);
  if (general > maxRegions && general !== Infinity) {
    // In general position that many cells exist; with parallel hyperplanes fewer might, so count.
    const counted = countDistinct(true);
    if (counted === null || 'kind' in counted) return counted;
    return finishWith(counted.best, counted.bestSides, counted.distinct);
  }
  const pass = countDistinct(false);
  if (pass === null || 'kind' in pass) return pass;
  if (!pass.singular) return finishWith(pass.best, pass.bestSides, general);
  const counted = countDistinct(true);
  if (counted === null || 'kind' in counted) return counted;
  return finishWith(counted.best, counted.bestSides, counted.distinct);

  function finishWith(best: number, bestSides: Uint8Array, regions: number): ExactOutcome | null {
    // Witness: the centre of the best cell, found by an LP in the homogenised domain.
    const pattern: Pattern = [Uint8Array.from({ length: N }, (_, i) => (groupOf[i] < 0 ? constantActive[i] : (bestSides[groupOf[i]] === 1) === (orientation[i] > 0) ? 1 : 0))];
    const domain = liftedDomain(net);
    const centre = regionCentre(net, domain, pattern);
    if (!centre) return null; // cannot happen in general position; be safe and fall back
    // The witness is re-checked like every other (exact/witness.ts); if the best cell is too thin
    // for that, region search finds the best re-checked one.
    const witness = toInput(domain, centre);
    const check = witnessAt(net, witness, norm);
    if (!(Math.abs(check.value - best) <= 1e-12 * best)) return null;
    return { kind: 'exact', lipschitz: check.value, witness, witnessValue: check.value, regions, seconds: budget.elapsed(), algorithm: 'arrangement' };
  }
}

/** ‖v‖₂ without scaling (the values here are sums of products of ordinary weights). */
function euclidean(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

function sidesKey(sides: Uint8Array): string {
  const chars: number[] = [];
  for (let i = 0; i < sides.length; i += 16) {
    let acc = 0;
    for (let b = 0; b < 16 && i + b < sides.length; b++) acc |= sides[i + b] << b;
    chars.push(acc);
  }
  return String.fromCharCode(...chars);
}

/** Next d-subset of {0..G−1} in lexicographic order; false after the last. */
function nextCombination(subset: number[], G: number): boolean {
  const d = subset.length;
  let i = d - 1;
  while (i >= 0 && subset[i] === G - d + i) i--;
  if (i < 0) return false;
  subset[i]++;
  for (let j = i + 1; j < d; j++) subset[j] = subset[j - 1] + 1;
  return true;
}

/** Whether the unit vectors span ℝᵈ (Gram–Schmidt with a 1e-10 threshold). */
function spans(vectors: Float64Array[], d: number): boolean {
  const basis: Float64Array[] = [];
  for (const v of vectors) {
    const r = v.slice();
    for (const q of basis) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += r[c] * q[c];
      for (let c = 0; c < d; c++) r[c] -= dot * q[c];
    }
    const len = Math.sqrt(r.reduce((a, x) => a + x * x, 0));
    if (len > 1e-10) {
      basis.push(r.map((x) => x / len));
      if (basis.length === d) return true;
    }
  }
  return false;
}
