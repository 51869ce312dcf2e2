import fc from 'fast-check';
import { dualNorm, NORMS, type Norm } from '../linalg/norms.js';
import { denseLayer, makeNetwork, type Network } from '../network/network.js';
import type { Box } from '../lipschitz/query.js';

/**
 * What every adversarial arbitrary generates: a small scalar ReLU network (d ≤ 3, at most 8 hidden
 * neurons, so an exact solver or an exponential brute force can answer), the domain of the question,
 * and what is known of the answer.
 */

/** The families, each a way to break a Lipschitz tool. */
export type AdversarialFamily =
  | 'near-duplicates'
  | 'duplicates'
  | 'cancelling-pairs'
  | 'zero-rows'
  | 'concurrent'
  | 'parallel'
  | 'scaled-weights'
  | 'far-box'
  | 'thin-box';

/** One value per norm p: Lip_p for p = 2, 1, ∞ (same p on input and output). */
export type PerNorm = Readonly<Record<Norm, number>>;

export interface AdversarialCase {
  readonly family: AdversarialFamily;
  /** What was generated, in one line (the family's parameters: offsets, scales, kinds). */
  readonly description: string;
  /** A ReLU network with one output. */
  readonly network: Network;
  /** The domain: null for ℝᵈ (the global constant), else a box (the largest ‖∇f‖ over regions meeting its interior). */
  readonly box: Box | null;
  /**
   * The exact constant by the family's formula, when it has one (each family's builder states it);
   * null otherwise: compute it independently (an exact-arithmetic brute force, say).
   */
  readonly analytic: PerNorm | null;
  /**
   * The thinnest feature built in, relative to the scale of the numbers around it: the offset of a
   * near-duplicate neuron, the gap between two breakpoints of a parallel family (2⁻⁵² when rounding
   * itself separates two kinks). Infinity when every region is thick. Regions about that thin lie
   * below the resolution of floating-point region enumeration (lipcheck's exact solver resolves
   * about 1e-9 of its normalised domain, README "How sure the numbers are").
   */
  readonly thinnest: number;
  /**
   * The question with its thin features removed — near copies merged into their neuron, close
   * breakpoints made equal, a box cut back from a kink that passes a hair from its face: every region
   * left is thick, and its regions' Jacobians are those of thick regions of the original question
   * (to within `thinnest` relative). A tool that misses thin regions must still find at least its
   * constant: missing it means losing what lies beyond a thin region. null when nothing is thin.
   */
  readonly withoutThin: { readonly network: Network; readonly box: Box | null } | null;
  /** The analytic constant of `withoutThin`, when the family has a formula for it. */
  readonly analyticWithoutThin: PerNorm | null;
}

/** A hidden neuron of a shallow network: pre-activation w·x + b, output weight a. */
export interface Neuron {
  readonly w: readonly number[];
  readonly b: number;
  readonly a: number;
}

/** The shallow network x ↦ Σ aᵢ ρ(wᵢ·x + bᵢ) (output bias 0). */
export function shallowNetwork(d: number, neurons: readonly Neuron[], meta?: Record<string, unknown>): Network {
  return makeNetwork(
    d,
    [
      denseLayer(
        neurons.map((n) => [...n.w]),
        neurons.map((n) => n.b),
      ),
      denseLayer([neurons.map((n) => n.a)], [0]),
    ],
    meta,
  );
}

/** Lip_p of x ↦ g·x, for each p: the dual norm ‖g‖_{p′}. */
export function linearLipschitz(g: readonly number[]): PerNorm {
  return Object.fromEntries(NORMS.map((p) => [p, dualNorm(g, p)])) as PerNorm;
}

/** The largest of several per-norm values, norm by norm. */
export function maxPerNorm(values: readonly PerNorm[]): PerNorm {
  return Object.fromEntries(NORMS.map((p) => [p, Math.max(0, ...values.map((v) => v[p]))])) as PerNorm;
}

/** x ↦ a·x (for vectors). */
export function scaled(v: readonly number[], a: number): number[] {
  return v.map((x) => a * x);
}

/** The sum of vectors. */
export function sum(vectors: readonly (readonly number[])[], d: number): number[] {
  return Array.from({ length: d }, (_, j) => vectors.reduce((s, v) => s + v[j], 0));
}

/** An input dimension 1–3, shrinking to 1. */
export const dimensionArb = fc.integer({ min: 1, max: 3 });

/**
 * A weight in [−2, 2], exactly 0 below 1e-3 in magnitude (exact zeros are adversarial; magnitudes
 * like 1e-300, which fc.double likes to draw, only make noise); shrinks towards 0.
 */
export const weightArb = fc.double({ min: -2, max: 2, noNaN: true }).map((x) => (Math.abs(x) < 1e-3 ? 0 : x));

/** A non-zero weight vector of length d, entries in [−2, 2] with one of magnitude ≥ 0.1; shrinks towards small entries. */
export function weightVectorArb(d: number): fc.Arbitrary<number[]> {
  return fc.array(weightArb, { minLength: d, maxLength: d }).filter((v) => v.some((x) => Math.abs(x) >= 0.1));
}

/** A neuron with a non-zero row; shrinks towards small weights, bias and output weight. */
export function neuronArb(d: number): fc.Arbitrary<Neuron> {
  return fc.record({ w: weightVectorArb(d), b: weightArb, a: weightArb });
}

/** 0–2 unremarkable neurons beside a family's structure (they make the regions interact); shrinks to none. */
export function backgroundArb(d: number): fc.Arbitrary<Neuron[]> {
  return fc.array(neuronArb(d), { maxLength: 2 });
}

/** A relative offset m·10^e, e in [minExponent, maxExponent], m in [1, 10); shrinks towards 10^maxExponent (the thickest). */
export function offsetArb(minExponent: number, maxExponent: number): fc.Arbitrary<number> {
  return fc
    .tuple(fc.integer({ min: minExponent, max: maxExponent }), fc.double({ min: 1, max: 10, maxExcluded: true, noNaN: true }))
    .map(([e, m]) => m * 10 ** e);
}

/** A point on the hyperplane w·x + b = 0 (the one nearest the origin, moved along the hyperplane by `along`). */
export function pointOnHyperplane(w: readonly number[], b: number, along: readonly number[]): number[] {
  const n2 = w.reduce((s, v) => s + v * v, 0);
  const x = w.map((v) => (-b * v) / n2);
  // Remove the component of `along` normal to the hyperplane.
  const t = along.reduce((s, v, j) => s + v * w[j], 0) / n2;
  return x.map((v, j) => v + along[j] - t * w[j]);
}

/** The box centre ± half (coordinatewise). */
export function boxAround(centre: readonly number[], half: readonly number[]): Box {
  return { lo: Float64Array.from(centre, (c, j) => c - half[j]), hi: Float64Array.from(centre, (c, j) => c + half[j]) };
}

/** Short text for a number in a description. */
export function short(x: number): string {
  return Number(x.toPrecision(3)).toString();
}
