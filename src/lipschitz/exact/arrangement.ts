import type { Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';
import { solveLinear } from '../../linalg/solve.js';
import type { Pattern } from '../../network/evaluate.js';
import { Budget } from '../budget.js';
import { liftedDomain, toInput } from '../domain.js';
import { regionCentre } from './regionSearch.js';
import { tooLarge, type ExactOutcome } from './types.js';

/**
 * Exact global Lipschitz constants of shallow networks (one hidden layer) whose hyperplane
 * arrangement is in general position, by vertex enumeration: every cell of an arrangement whose
 * normals span ℝᵈ is a pointed polyhedron, so it has a vertex, and around a simple vertex (exactly
 * d hyperplanes through it) the 2ᵈ sign choices of those d hyperplanes are exactly the cells that
 * touch it. Neurons with proportional (w, b) share one hyperplane and are grouped first.
 *
 * Returns null — and the caller falls back to region search — when the arrangement is not in
 * general position: normals that do not span ℝᵈ, a vertex with more than d hyperplanes through it
 * (|ŵ·v + b̂| ≤ 1e-9·(1 + ‖v‖), e.g. zero biases), or nearly dependent normals (smallest pivot of
 * the unit normals below 1e-8 but not below 1e-12; below 1e-12 they are treated as parallel).
 */
export function arrangementExact(net: Network, norm: Norm, budget: Budget, maxRegions: number): ExactOutcome | null {
  if (net.layers.length !== 2 || net.inputDim < 2) return null;
  const [hidden, out] = net.layers;
  const d = net.inputDim;
  const N = hidden.outDim;
  const k = out.outDim;

  // Group neurons by hyperplane (unit normal with a canonical sign, offset).
  const groups: { w: Float64Array; b: number; members: { i: number; o: number }[] }[] = [];
  const byKey = new Map<string, number>();
  const constantActive = new Uint8Array(N);
  const groupOf = new Int32Array(N).fill(-1);
  const orientation = new Int8Array(N);
  for (let i = 0; i < N; i++) {
    const w = hidden.weights.subarray(i * d, (i + 1) * d);
    const norm2 = w.reduce((a, v) => a + v * v, 0);
    if (norm2 === 0) {
      constantActive[i] = hidden.biases[i] > 0 ? 1 : 0;
      continue;
    }
    const len = Math.sqrt(norm2);
    const firstNonZero = w.findIndex((v) => v !== 0);
    const o = w[firstNonZero] > 0 ? 1 : -1;
    const unit = Float64Array.from(w, (v) => (o * v) / len);
    const offset = (o * hidden.biases[i]) / len;
    const key = [offset, ...unit].map((v) => (Math.abs(v) < 1e-300 ? '0' : v.toPrecision(12))).join(',');
    let g = byKey.get(key);
    if (g === undefined) {
      g = groups.length;
      byKey.set(key, g);
      groups.push({ w: unit, b: offset, members: [] });
    }
    groups[g].members.push({ i, o });
    groupOf[i] = g;
    orientation[i] = o;
  }
  const G = groups.length;
  if (G < d) return null;

  // Rank check: the normals must span ℝᵈ.
  if (!spans(groups.map((g) => g.w), d)) return null;

  // Rank-one contributions V[:, i] w_iᵀ per neuron, and the constant ones.
  const contribution = (i: number, J: Float64Array, sign: number) => {
    for (let r = 0; r < k; r++) {
      const v = sign * out.weights[r * N + i];
      if (v === 0) continue;
      for (let c = 0; c < d; c++) J[r * d + c] += v * hidden.weights[i * d + c];
    }
  };

  const seen = new Set<string>();
  let best = -1;
  let bestSides: Uint8Array | null = null;
  const subset = Array.from({ length: d }, (_, i) => i);
  const M = new Float64Array(d * d);
  const rhs = new Float64Array(d);
  const sides = new Uint8Array(G);
  const J = new Float64Array(k * d);
  const Jbase = new Float64Array(k * d);
  let visited = 0;
  for (;;) {
    if ((++visited & 1023) === 0 && budget.exceeded()) return tooLarge('time', budget.timeLimit, seen.size, budget.elapsed(), best, null);
    subset.forEach((g, r) => {
      M.set(groups[g].w, r * d);
      rhs[r] = -groups[g].b;
    });
    const solved = solveLinear(M, rhs, d);
    if (solved.minPivot >= 1e-12) {
      if (solved.minPivot < 1e-8) return null;
      const v = solved.x;
      const vnorm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
      // Sides of the other hyperplanes at v; a hyperplane through v is a degeneracy.
      let degenerate = false;
      const inSubset = new Uint8Array(G);
      subset.forEach((g) => (inSubset[g] = 1));
      for (let g = 0; g < G; g++) {
        if (inSubset[g]) continue;
        let s = groups[g].b;
        for (let c = 0; c < d; c++) s += groups[g].w[c] * v[c];
        if (Math.abs(s) <= 1e-9 * (1 + vnorm)) {
          degenerate = true;
          break;
        }
        sides[g] = s > 0 ? 1 : 0;
      }
      if (degenerate) return null;
      // J for the other hyperplanes' neurons plus constant neurons.
      Jbase.fill(0);
      for (let i = 0; i < N; i++) {
        const g = groupOf[i];
        const active = g < 0 ? constantActive[i] === 1 : !inSubset[g] && (sides[g] === 1) === (orientation[i] > 0);
        if (active) contribution(i, Jbase, 1);
      }
      for (let mask = 0; mask < 1 << d; mask++) {
        J.set(Jbase);
        subset.forEach((g, r) => {
          const side = (mask >> r) & 1;
          sides[g] = side;
          for (const { i, o } of groups[g].members) if ((side === 1) === (o > 0)) contribution(i, J, 1);
        });
        const key = sidesKey(sides);
        if (seen.has(key)) continue;
        seen.add(key);
        if (seen.size > maxRegions) return tooLarge('regions', maxRegions, seen.size, budget.elapsed(), best, null);
        const value = operatorNorm({ rows: k, cols: d, data: J }, norm);
        if (value > best) {
          best = value;
          bestSides = sides.slice();
        }
      }
    }
    if (!nextCombination(subset, G)) break;
  }
  // Witness: the centre of the best cell, found by an LP in the homogenised domain.
  const pattern: Pattern = [Uint8Array.from({ length: N }, (_, i) => (groupOf[i] < 0 ? constantActive[i] : (bestSides![groupOf[i]] === 1) === (orientation[i] > 0) ? 1 : 0))];
  const domain = liftedDomain(net);
  const centre = regionCentre(net, domain, pattern);
  if (!centre) return null; // cannot happen in general position; be safe and fall back
  return { kind: 'exact', lipschitz: best, witness: toInput(domain, centre), regions: seen.size, seconds: budget.elapsed(), algorithm: 'arrangement' };
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
