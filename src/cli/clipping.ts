import { UserError } from '../errors.js';
import { boxFromPairs, boxToPairs, type Box } from '../lipschitz/query.js';
import { makeNetwork, type Network } from '../network/network.js';
import { fmt, VECTOR_FULL } from './io.js';

/**
 * Networks that clip their inputs — NNet imports, whose format computes g(x) = f(clip(x, lo, hi))
 * with f the folded network lipcheck keeps (src/io/nnet.ts): `meta.clipsInputs` is true and
 * `meta.inputBox` is [lo, hi] (both survive `convert` to relu-mlp JSON and ONNX). This module is
 * the one place where the CLI turns that into what it evaluates and measures; the library's
 * functions keep taking explicit queries.
 *
 * - Values: g(x) = f(clip(x)). Near x, g is f composed with clip's affine piece there (each input
 *   outside the box frozen at its bound), so its Jacobian is J_f(clip(x)) with the clipped columns 0.
 * - Constants: clip is coordinatewise 1-Lipschitz (‖clip x − clip y‖_p ≤ ‖x − y‖_p for every p) and
 *   the identity on the box I, so Lip_p(g) on ℝᵈ = Lip_p(f) on I. On a box B, clip maps B onto B ∩ I
 *   (coordinatewise, when every interval meets I's), so Lip_p(g; B) = Lip_p(f; B ∩ I): without
 *   `--box` the CLI measures on I, with `--box B` on B ∩ I. A B whose interval misses I's in some
 *   input (g is constant in it there) and an I of zero width in some input are refused: the
 *   constant over regions meeting the box's interior needs a box with an interior.
 */

/** The box a network carries in `meta.inputBox` (NNet imports), if it is well formed. */
export function inputBoxOf(net: Network): [number, number][] | null {
  const box = net.meta?.inputBox;
  if (!Array.isArray(box) || box.length !== net.inputDim) return null;
  const ok = box.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v)) && p[0] <= p[1]);
  return ok ? (box as [number, number][]) : null;
}

/** The box the network clips its inputs to (`meta.clipsInputs` with a well-formed `meta.inputBox`), else null. */
export function clippingBox(net: Network): [number, number][] | null {
  return net.meta?.clipsInputs === true ? inputBoxOf(net) : null;
}

/** The `--box` argument for a box (with `=` so a leading minus is not read as an option). */
export function boxArgument(box: readonly (readonly [number, number])[]): string {
  return `--box=${box.map(([lo, hi]) => `${lo}:${hi}`).join(',')}`;
}

/** A box for people, `[0, 1]×[-2, 2]`; past VECTOR_FULL intervals the first three and a count. */
export function describeBox(box: readonly (readonly [number, number])[]): string {
  const shown = box.length <= VECTOR_FULL ? box.length : 3;
  const text = box.slice(0, shown).map(([a, b]) => `[${fmt(a, 10)}, ${fmt(b, 10)}]`).join('×');
  return shown < box.length ? `${text}×… ${box.length - shown} more` : text;
}

/**
 * The box a Lipschitz constant of `net` is measured on, given the user's `--box` (null: global).
 * A network that does not clip: the user's box, no note. One that clips to I: I without `--box`,
 * B ∩ I with it (see the module comment), and a one-line note whenever that is not the user's box.
 * Throws a UserError when the resulting box has no interior.
 */
export function measuredBox(net: Network, box: Box | null): { box: Box | null; note: string | null } {
  const clip = clippingBox(net);
  if (!clip) return { box, note: null };
  const flat = clip.findIndex(([lo, hi]) => !(lo < hi));
  if (flat >= 0) {
    throw new UserError(
      `the network clips input ${flat + 1} to the single value ${clip[flat][0]} (its input box has zero width there), so it does not depend on that input; lipcheck measures constants on boxes with an interior`,
    );
  }
  if (box === null) {
    return {
      box: boxFromPairs(clip, net.inputDim, 'the input box'),
      note: `the network clips its inputs to its input box ${describeBox(clip)}, so its global constant is measured there (clipping is 1-Lipschitz in every p and the identity on the box)`,
    };
  }
  const pairs = boxToPairs(box)!;
  const met = pairs.map(([a, b], i): [number, number] => [Math.max(a, clip[i][0]), Math.min(b, clip[i][1])]);
  const miss = met.findIndex(([a, b]) => !(a < b));
  if (miss >= 0) {
    throw new UserError(
      `--box: interval ${miss + 1} [${pairs[miss][0]}, ${pairs[miss][1]}] does not overlap the input box's [${clip[miss][0]}, ${clip[miss][1]}], where the network clips input ${miss + 1}: there it does not depend on that input; give a box that meets the input box`,
    );
  }
  if (met.every(([a, b], i) => a === pairs[i][0] && b === pairs[i][1])) return { box, note: null };
  return {
    box: boxFromPairs(met, net.inputDim, '--box'),
    note: `the network clips its inputs to its input box ${describeBox(clip)}, so its constant on --box is measured on the part inside it, ${describeBox(met)} (on the rest it only repeats values from there)`,
  };
}

/** How a clipping network is evaluated at a point. */
export interface ClippedPoint {
  /** clip(x): where the folded network is evaluated. */
  readonly at: Float64Array;
  /** Inputs strictly outside the box (0-based): clipped, so g does not depend on them near x. */
  readonly clipped: number[];
  /**
   * The folded network composed with clip's affine piece at x (clipped inputs frozen at their
   * bounds): equal to g near x, so its Jacobian, kinks and margins at `at` are g's.
   */
  readonly piece: Network;
  /** The distance from x to the nearest face plane of the box, where clipping itself has a kink (0 on a face). */
  readonly faceDistance: number;
}

/** Evaluation of a clipping network at x (see ClippedPoint), or null when the network does not clip. */
export function clipPoint(net: Network, x: ArrayLike<number>): ClippedPoint | null {
  const clip = clippingBox(net);
  if (!clip) return null;
  const at = Float64Array.from(x, (v, i) => Math.min(Math.max(v, clip[i][0]), clip[i][1]));
  const clipped = clip.flatMap((_, i) => (at[i] !== x[i] ? [i] : []));
  let faceDistance = Infinity;
  clip.forEach(([lo, hi], i) => (faceDistance = Math.min(faceDistance, Math.abs(x[i] - lo), Math.abs(x[i] - hi))));
  const first = net.layers[0];
  const weights = first.weights.slice();
  const biases = first.biases.slice();
  for (const j of clipped) {
    for (let r = 0; r < first.outDim; r++) {
      biases[r] += weights[r * first.inDim + j] * at[j];
      weights[r * first.inDim + j] = 0;
    }
  }
  const piece = makeNetwork(net.inputDim, [{ ...first, weights, biases }, ...net.layers.slice(1)]);
  return { at, clipped, piece, faceDistance };
}
