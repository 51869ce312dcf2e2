import { UserError } from '../errors.js';
import type { Norm } from '../linalg/norms.js';
import { makeNetwork, outputDim, type Network } from '../network/network.js';

/** An axis-aligned box lo ≤ x ≤ hi with lo < hi in every coordinate. */
export interface Box {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
}

/**
 * What a Lipschitz constant is taken over: the norm p (the same on input and output, so for k
 * outputs it is sup ‖J_f(x)‖_{p→p}) and the domain — all of ℝᵈ (`box: null`) or a box, where the
 * constant is the largest ‖J_R‖ over linear regions R that meet the box's interior.
 */
export interface LipschitzQuery {
  readonly norm: Norm;
  readonly box: Box | null;
}

/** Parses a norm as written on the command line or in the protocol: `2`, `1`, `inf` (also `infinity`, `∞`). */
export function parseNorm(text: string | number): Norm {
  const t = String(text).trim().toLowerCase();
  if (t === '2' || t === '1') return t;
  if (t === 'inf' || t === 'infinity' || t === '∞') return 'inf';
  throw new UserError(`unknown norm "${text}" (use 2, 1 or inf)`);
}

/** Builds a box from [lo, hi] pairs; throws a one-line `UserError` for a bad one. */
export function boxFromPairs(pairs: readonly (readonly [number, number])[], dim: number, what = 'box'): Box {
  if (pairs.length !== dim) throw new UserError(`${what}: has ${pairs.length} interval(s) but the network has ${dim} inputs`);
  const lo = new Float64Array(dim);
  const hi = new Float64Array(dim);
  pairs.forEach(([a, b], i) => {
    if (!Number.isFinite(a) || !Number.isFinite(b)) throw new UserError(`${what}: interval ${i + 1} has a bound that is not a finite number`);
    if (!(a < b)) throw new UserError(`${what}: interval ${i + 1} is [${a}, ${b}], but lo must be < hi`);
    lo[i] = a;
    hi[i] = b;
  });
  return { lo, hi };
}

/**
 * Parses `--box LO:HI` (the same interval in every coordinate) or `--box lo1:hi1,lo2:hi2,…`
 * (one interval per input).
 */
export function parseBox(text: string, dim: number): Box {
  const parts = text.split(',').map((s) => s.trim());
  const pairs = parts.map((part, i): [number, number] => {
    // Both sides are non-empty and, the part being trimmed, start and end with a non-blank (Number('') would be 0).
    const m = /^(.+?):(.+)$/.exec(part);
    const a = m ? Number(m[1]) : NaN;
    const b = m ? Number(m[2]) : NaN;
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      throw new UserError(`--box: "${part}" (interval ${i + 1}) is not of the form lo:hi with finite numbers`);
    }
    return [a, b];
  });
  return boxFromPairs(pairs.length === 1 ? Array(dim).fill(pairs[0]) : pairs, dim, '--box');
}

/** The box as [lo, hi] pairs (the protocol's and the JSON outputs' form). */
export function boxToPairs(box: Box | null): [number, number][] | null {
  return box === null ? null : Array.from(box.lo, (lo, i) => [lo, box.hi[i]]);
}

/**
 * The scalar network c·f (a class margin, as LipMIP and CLEVER use): the output layer is replaced
 * by its combination cᵀW⁽ᴸ⁾, cᵀb⁽ᴸ⁾. Its Lipschitz constant is that of c·f.
 */
export function scalarize(net: Network, c: readonly number[]): Network {
  const k = outputDim(net);
  if (c.length !== k) throw new UserError(`--c: has ${c.length} entries but the network has ${k} outputs`);
  if (c.some((v) => !Number.isFinite(v))) throw new UserError('--c: every entry must be a finite number');
  const last = net.layers[net.layers.length - 1];
  const weights = Float64Array.from({ length: last.inDim }, (_, j) => c.reduce((s, ci, i) => s + ci * last.weights[i * last.inDim + j], 0));
  const bias = c.reduce((s, ci, i) => s + ci * last.biases[i], 0);
  const layers = [...net.layers.slice(0, -1), { outDim: 1, inDim: last.inDim, weights, biases: Float64Array.of(bias) }];
  return makeNetwork(net.inputDim, layers, { ...(net.meta ?? {}), scalarizedBy: [...c] });
}

/** Parses a comma-separated list of finite numbers (for `--x`, `--c`); `what` names the option in errors. */
export function parseNumberList(text: string, what: string, expected?: number): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map((p, i) => {
    const v = Number(p);
    if (p === '' || !Number.isFinite(v)) throw new UserError(`${what}: entry ${i + 1} ("${p}") is not a finite number`);
    return v;
  });
  if (expected !== undefined && values.length !== expected) {
    throw new UserError(`${what}: has ${values.length} entries, expected ${expected}`);
  }
  return values;
}
