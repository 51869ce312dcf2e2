import { operatorNorm, type Norm } from '../../src/linalg/norms.js';
import type { Network } from '../../src/network/network.js';
import type { Box } from '../../src/lipschitz/query.js';
import { add, dyadic, mul, sign, toNumber, type Dyadic } from './exactArithmetic.js';
import { abs, less, maximise, neg, ZERO, type LpRow } from './exactLp.js';

/**
 * The Lipschitz constant by brute force in exact arithmetic, for the adversarial families: every
 * activation pattern is tried (depth first, neuron by neuron, a branch cut as soon as its region is
 * empty), each region's pre-activation maps are computed exactly from the network's doubles (dyadic
 * rationals, no rounding), and whether the region has an interior point — in the box, or globally in
 * homogeneous coordinates — is decided by an exact LP (exactLp.ts). So near-duplicate neurons 1e-15
 * apart, slabs 1e-12 thin, boxes at 1e8 or 1e-10 wide are resolved exactly, where a brute force in
 * doubles is fooled the same way as the solver under test. The constant is the largest ‖J_R‖_{p→p}
 * over the regions found, each Jacobian computed exactly and rounded once at the end (p = 2 with
 * k > 1: the SVD of the rounded Jacobian). Shares nothing with src/lipschitz/.
 *
 * Convention, as lipcheck's: a pre-activation that is constant on a region (its row is exactly 0) is
 * no kink; its neuron is active iff the constant is > 0. Exponential: for ≤ ~10 hidden neurons.
 */
export function exactBruteForce(net: Network, box: Box | null): { lipschitz: Record<Norm, number>; regions: number } {
  const d = net.inputDim;
  const hidden = net.layers.slice(0, -1);
  const out = net.layers[net.layers.length - 1];
  const best: Record<Norm, number> = { '2': 0, '1': 0, inf: 0 };
  let regions = 0;
  const lo = box ? Array.from(box.lo, dyadic) : null;
  const width = box ? Array.from(box.hi, (h, j) => add(dyadic(h), neg(lo![j]))) : null;

  /** A point strictly inside the region of these constraints s(a·x + c) > 0 (in the box, or anywhere), or null when it is empty. */
  const open = (cons: readonly Constraint[]): Witness | null => (box ? openInBox(cons, lo!, width!) : openGlobally(cons, d));
  /** The exact sign of a·x + c at a witness. */
  const signAt = (a: readonly Dyadic[], c: Dyadic, w: Witness): number => {
    const D = { m: w.den, e: 0 };
    const t = box ? mul(add(dot(a, lo!), c), D) : mul(c, { m: w.point[d], e: 0 });
    return sign(a.reduce((s, v, j) => add(s, mul(v, { m: box ? w.point[j] : w.point[j] - w.den, e: 0 })), t));
  };
  const weights = net.layers.map((l) => Array.from(l.weights, dyadic));
  const biases = net.layers.map((l) => Array.from(l.biases, dyadic));

  // h = H·x + hc, the post-activations of the layer below, as exact affine maps of x.
  const visit = (layer: number, H: Dyadic[][], hc: Dyadic[], cons: Constraint[], witness: Witness | null): void => {
    if (layer === hidden.length) {
      regions++;
      const W = weights[hidden.length];
      const J = Array.from({ length: out.outDim }, (_, k) => Array.from({ length: d }, (_, j) => H.reduce((s, row, i) => add(s, mul(W[k * out.inDim + i], row[j])), ZERO)));
      const norms = jacobianNorms(J);
      for (const p of ['2', '1', 'inf'] as const) best[p] = Math.max(best[p], norms[p]);
      return;
    }
    const L = hidden[layer];
    // Pre-activations of this layer: z_i = A_i·x + c_i.
    const W = weights[layer];
    const A = Array.from({ length: L.outDim }, (_, i) => Array.from({ length: d }, (_, j) => H.reduce((s, row, k) => add(s, mul(W[i * L.inDim + k], row[j])), ZERO)));
    const c = Array.from({ length: L.outDim }, (_, i) => hc.reduce((s, v, k) => add(s, mul(W[i * L.inDim + k], v)), biases[layer][i]));
    const bits: number[] = [];
    const choose = (i: number, cs: Constraint[], w: Witness | null): void => {
      if (i === L.outDim) {
        visit(
          layer + 1,
          A.map((row, k) => (bits[k] ? row : row.map(() => ZERO))),
          c.map((v, k) => (bits[k] ? v : ZERO)),
          cs,
          w,
        );
        return;
      }
      if (A[i].every((v) => v.m === 0n)) {
        bits[i] = sign(c[i]) > 0 ? 1 : 0; // constant on this piece: no kink
        choose(i + 1, cs, w);
        return;
      }
      // The side the parent's witness lies on strictly needs no LP: the witness is inside it too.
      const side = w ? signAt(A[i], c[i], w) : 0;
      for (const bit of [1, 0] as const) {
        const s: 1 | -1 = bit ? 1 : -1;
        const next = [...cs, { a: A[i], c: c[i], s }];
        const inside = side === s ? w : open(next);
        if (!inside) continue;
        bits[i] = bit;
        choose(i + 1, next, inside);
      }
    };
    choose(0, cons, witness);
  };
  const identity = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? dyadic(1) : ZERO)));
  visit(0, identity, Array(d).fill(ZERO), [], null);
  return { lipschitz: best, regions };
}

/**
 * A point strictly inside a region, as the LP variables point[j]/den: y (x = lo + y) in a box;
 * globally y and t (x = (y − 1)/t).
 */
interface Witness {
  readonly point: readonly bigint[];
  readonly den: bigint;
}

/** s·(a·x + c) > 0. */
interface Constraint {
  readonly a: readonly Dyadic[];
  readonly c: Dyadic;
  readonly s: 1 | -1;
}

const dot = (a: readonly Dyadic[], x: readonly Dyadic[]) => a.reduce((s, v, j) => add(s, mul(v, x[j])), ZERO);
const max = (xs: Dyadic[]) => xs.reduce((m, v) => (less(m, v) ? v : m), ZERO);
const scaled = (a: readonly Dyadic[], s: 1 | -1) => a.map((v) => (s > 0 ? v : neg(v)));

/** The optimum's point when its value num/den exceeds the dyadic M (τ > 0: an interior point), else null. */
function witnessIf(opt: { num: bigint; den: bigint; point: bigint[] }, M: Dyadic): Witness | null {
  const above = M.e >= 0 ? opt.num > (M.m << BigInt(M.e)) * opt.den : opt.num << BigInt(-M.e) > M.m * opt.den;
  return above ? { point: opt.point, den: opt.den } : null;
}

/**
 * In the box lo + y, 0 ≤ y ≤ width: max τ subject to s(a·x + c) ≥ τ and every face at distance ≥ τ,
 * with τ = τ' − M ≥ −M shifted so that y = 0, τ' = 0 is feasible. Open and meeting the box's
 * interior iff the optimum τ > 0.
 */
function openInBox(cons: readonly Constraint[], lo: readonly Dyadic[], width: readonly Dyadic[]): Witness | null {
  const d = lo.length;
  const atLo = cons.map((k) => (k.s > 0 ? add(dot(k.a, lo), k.c) : neg(add(dot(k.a, lo), k.c))));
  const M = add(max(atLo.map(neg)), dyadic(1));
  const tau = d;
  const row = (coeffs: Dyadic[], rhs: Dyadic): LpRow => ({ coeffs, rhs });
  const unit = (j: number, v: number) => Array.from({ length: d + 1 }, (_, k) => (k === j ? dyadic(v) : ZERO));
  const rows: LpRow[] = cons.map((k, i) => row([...scaled(k.a, k.s).map(neg), dyadic(1)], add(atLo[i], M)));
  for (let j = 0; j < d; j++) {
    rows.push(row(unit(j, 1), width[j]));
    const lower = unit(j, -1);
    lower[tau] = dyadic(1);
    rows.push(row(lower, M));
    const upper = unit(j, 1);
    upper[tau] = dyadic(1);
    rows.push(row(upper, add(width[j], M)));
  }
  rows.push(row(unit(tau, 1), add(M, dyadic(1))));
  return witnessIf(maximise(rows, tau), M);
}

/**
 * Globally, in homogeneous coordinates (x, t), x = y − 1 ∈ [−1, 1]ᵈ, t ∈ [0, 1]: s(a·x + c·t) has
 * the sign of s(a·(x/t) + c) for t > 0, so the region is open and non-empty iff max τ subject to
 * s(a·x + c·t) ≥ τ and t ≥ τ is positive.
 */
function openGlobally(cons: readonly Constraint[], d: number): Witness | null {
  const ones = Array(d).fill(dyadic(1));
  const shift = cons.map((k) => (k.s > 0 ? dot(k.a, ones) : neg(dot(k.a, ones))));
  const M = add(max(shift), dyadic(1));
  const t = d;
  const tau = d + 1;
  const zeros = () => Array.from({ length: d + 2 }, () => ZERO);
  const rows: LpRow[] = cons.map((k, i) => {
    const coeffs = zeros();
    scaled(k.a, k.s).forEach((v, j) => (coeffs[j] = neg(v)));
    coeffs[t] = k.s > 0 ? neg(k.c) : k.c;
    coeffs[tau] = dyadic(1);
    return { coeffs, rhs: add(neg(shift[i]), M) };
  });
  for (let j = 0; j < d; j++) {
    const coeffs = zeros();
    coeffs[j] = dyadic(1);
    rows.push({ coeffs, rhs: dyadic(2) });
  }
  const tCap = zeros();
  tCap[t] = dyadic(1);
  rows.push({ coeffs: tCap, rhs: dyadic(1) });
  const tFloor = zeros();
  tFloor[t] = dyadic(-1);
  tFloor[tau] = dyadic(1);
  rows.push({ coeffs: tFloor, rhs: M });
  const cap = zeros();
  cap[tau] = dyadic(1);
  rows.push({ coeffs: cap, rhs: add(M, dyadic(1)) });
  return witnessIf(maximise(rows, tau), M);
}

/** ‖J‖_{p→p} for p = 2, 1, ∞ of an exact Jacobian (k × d). */
function jacobianNorms(J: Dyadic[][]): Record<Norm, number> {
  const k = J.length;
  const d = J[0].length;
  const colSums = Array.from({ length: d }, (_, j) => toNumber(J.reduce((s, row) => add(s, abs(row[j])), ZERO)));
  const rowSums = J.map((row) => toNumber(row.reduce((s, v) => add(s, abs(v)), ZERO)));
  const two =
    k === 1
      ? Math.sqrt(toNumber(J[0].reduce((s, v) => add(s, mul(v, v)), ZERO)))
      : operatorNorm({ rows: k, cols: d, data: Float64Array.from(J.flat(), toNumber) }, '2');
  return { '2': two, '1': Math.max(0, ...colSums), inf: Math.max(0, ...rowSums) };
}
