import fc from 'fast-check';
import type { Box } from '../lipschitz/query.js';
import {
  backgroundArb,
  boxAround,
  dimensionArb,
  linearLipschitz,
  maxPerNorm,
  neuronArb,
  offsetArb,
  pointOnHyperplane,
  scaled,
  shallowNetwork,
  short,
  sum,
  weightArb,
  type AdversarialCase,
  type Neuron,
  type PerNorm,
} from './adversarialCase.js';

/**
 * Neurons that repeat, nearly repeat or cancel another neuron: the pairs that make a tool merge two
 * kinks that are distinct, or split one that is not.
 */

/** A neuron, its output weight's partner, the background, and an optional box around its kink. */
interface PairDraw {
  readonly d: number;
  readonly base: Neuron;
  readonly partner: 'cancel' | 'same' | 'random';
  readonly partnerWeight: number;
  readonly background: Neuron[];
  readonly box: { along: number[]; half: number } | null;
}

function pairDrawArb(): fc.Arbitrary<PairDraw> {
  return dimensionArb.chain((d) =>
    fc.record({
      d: fc.constant(d),
      base: neuronArb(d).filter((n) => Math.abs(n.a) >= 0.1),
      partner: fc.constantFrom('cancel' as const, 'same' as const, 'random' as const),
      partnerWeight: weightArb,
      background: backgroundArb(d),
      box: fc.option(fc.record({ along: fc.array(weightArb, { minLength: d, maxLength: d }), half: fc.double({ min: 0.1, max: 2, noNaN: true }) }), { nil: null }),
    }),
  );
}

function partnerOf(draw: PairDraw): number {
  return draw.partner === 'cancel' ? -draw.base.a : draw.partner === 'same' ? draw.base.a : draw.partnerWeight;
}

/** The box around a point of the base neuron's kink, when the draw asks for one. */
function boxOf(draw: PairDraw): Box | null {
  if (!draw.box) return null;
  const centre = pointOnHyperplane(draw.base.w, draw.base.b, draw.box.along);
  return boxAround(centre, Array(draw.d).fill(draw.box.half));
}

function describeRest(draw: PairDraw, box: Box | null): string {
  return `${draw.background.length} other neuron(s), ${box ? 'on a box around the kink' : 'global'}`;
}

/**
 * A neuron (w, b) with output weight a and a near copy of it, at relative offset δ from 1e-15 to
 * 1e-6 (by default): `shift` moves the bias by δ·s (s = max(|b|, ‖w‖_∞): a slab δ thin between
 * parallel kinks), `tilt` turns one weight by δ·s (two kinks crossing at a thin angle; d ≥ 2, else a
 * shift), `rescale` multiplies (w, b) by 1 + δ (the same kink, up to the rounding of the products,
 * which can leave a slab ~2⁻⁵² thin). The copy's output weight is −a (`cancel`: the thin regions
 * then carry the constant), a (`same`) or random; 0–2 other neurons; globally or on a box around
 * the kink.
 *
 * Analytic (global, no other neuron): shift: ‖w‖_{p′}·max(|a + a′|, |a′|) (the copy is on alone in
 * the slab, since its bias is larger); tilt: max(‖a w‖, ‖a′ w′‖, ‖a w + a′ w′‖)_{p′} (four
 * regions). `thinnest` is δ (2⁻⁵² for rescale); `withoutThin` merges the copy into the neuron
 * (weight a + a′, or a + a′(1 + δ) for rescale).
 *
 * Shrinks towards δ = 1e-6 (the thickest), d = 1, a shift, a cancelling partner, no other neuron,
 * the global constant.
 */
export function nearDuplicatesArb(options: { minExponent?: number; maxExponent?: number } = {}): fc.Arbitrary<AdversarialCase> {
  return fc
    .record({
      draw: pairDrawArb(),
      kind: fc.constantFrom('shift' as const, 'tilt' as const, 'rescale' as const),
      delta: offsetArb(options.minExponent ?? -15, options.maxExponent ?? -6),
    })
    .map(({ draw, kind: wanted, delta }): AdversarialCase => {
      const { d, base } = draw;
      const kind = wanted === 'tilt' && d === 1 ? 'shift' : wanted;
      const s = Math.max(Math.abs(base.b), ...base.w.map(Math.abs));
      const a2 = partnerOf(draw);
      let copy: Neuron;
      if (kind === 'shift') copy = { w: base.w, b: base.b + delta * s, a: a2 };
      else if (kind === 'tilt') {
        const big = base.w.reduce((m, v, j) => (Math.abs(v) > Math.abs(base.w[m]) ? j : m), 0);
        const j = (big + 1) % d;
        copy = { w: base.w.map((v, k) => (k === j ? v + delta * s : v)), b: base.b, a: a2 };
      } else copy = { w: base.w.map((v) => v * (1 + delta)), b: base.b * (1 + delta), a: a2 };
      const box = boxOf(draw);
      const merged = { ...base, a: base.a + (kind === 'rescale' ? a2 * (1 + delta) : a2) };
      const alone = draw.background.length === 0 && box === null;
      let analytic: PerNorm | null = null;
      if (alone && kind === 'shift') analytic = maxPerNorm([linearLipschitz(scaled(base.w, base.a + a2)), linearLipschitz(scaled(base.w, a2))]);
      if (alone && kind === 'tilt') {
        const one = scaled(base.w, base.a);
        const two = scaled(copy.w, a2);
        analytic = maxPerNorm([linearLipschitz(one), linearLipschitz(two), linearLipschitz(sum([one, two], d))]);
      }
      return {
        family: 'near-duplicates',
        description: `a near copy (${kind}, δ = ${short(delta)}) with output weight ${draw.partner === 'random' ? short(a2) : `${draw.partner} (${short(a2)})`} vs ${short(base.a)}, ${describeRest(draw, box)}, d = ${d}`,
        network: shallowNetwork(d, [base, copy, ...draw.background]),
        box,
        analytic,
        thinnest: kind === 'rescale' ? 2 ** -52 : delta,
        withoutThin: { network: shallowNetwork(d, [merged, ...draw.background]), box },
        analyticWithoutThin: alone ? linearLipschitz(scaled(base.w, merged.a)) : null,
      };
    });
}

/**
 * A neuron (w, b) with an exact duplicate (w, b) (`exact`) or its negation (−w, −b) (`negated`),
 * the copy with output weight −a, a or random; 0–2 other neurons; globally or on a box around the
 * kink. No region is thin: the two kinks coincide exactly.
 *
 * Analytic (no other neuron): exact: ‖(a + a′)·w‖_{p′} (one neuron, merged); negated: a ρ(z) + a′ ρ(−z)
 * has gradient a w on one side and −a′ w on the other, so max(|a|, |a′|)·‖w‖_{p′}.
 *
 * Shrinks towards an exact duplicate with a cancelling weight, d = 1, no other neuron, global.
 */
export function duplicatesArb(): fc.Arbitrary<AdversarialCase> {
  return fc.record({ draw: pairDrawArb(), kind: fc.constantFrom('exact' as const, 'negated' as const) }).map(({ draw, kind }): AdversarialCase => {
    const { d, base } = draw;
    const a2 = partnerOf(draw);
    const copy: Neuron = kind === 'exact' ? { w: base.w, b: base.b, a: a2 } : { w: base.w.map((v) => -v), b: -base.b, a: a2 };
    const box = boxOf(draw);
    const analytic =
      draw.background.length > 0
        ? null
        : kind === 'exact'
          ? linearLipschitz(scaled(base.w, base.a + a2))
          : linearLipschitz(scaled(base.w, Math.max(Math.abs(base.a), Math.abs(a2))));
    return {
      family: 'duplicates',
      description: `an ${kind} duplicate with output weight ${draw.partner === 'random' ? short(a2) : `${draw.partner} (${short(a2)})`} vs ${short(base.a)}, ${describeRest(draw, box)}, d = ${d}`,
      network: shallowNetwork(d, [base, copy, ...draw.background]),
      box,
      analytic,
      thinnest: Infinity,
      withoutThin: null,
      analyticWithoutThin: null,
    };
  });
}

/**
 * One or two cancelling pairs: (w, b) with output weight a beside (−w, −b) with −a, whose kinks
 * cancel (a ρ(z) − a ρ(−z) = a z: a linear function with a kink that is not there), or, `same`,
 * (w, b) twice with a and −a (the pair is identically 0); 0–2 other neurons; globally or on a box
 * around the first kink.
 *
 * Analytic (no other neuron): ‖Σ a_k w_k‖_{p′} over the `negated` pairs (0 when all are `same`).
 *
 * Shrinks towards one negated pair, d = 1, no other neuron, global.
 */
export function cancellingPairsArb(): fc.Arbitrary<AdversarialCase> {
  return dimensionArb
    .chain((d) =>
      fc.record({
        d: fc.constant(d),
        pairs: fc.array(fc.record({ neuron: neuronArb(d), kind: fc.constantFrom('negated' as const, 'same' as const) }), { minLength: 1, maxLength: 2 }),
        background: backgroundArb(d),
        box: fc.option(fc.record({ along: fc.array(weightArb, { minLength: d, maxLength: d }), half: fc.double({ min: 0.1, max: 2, noNaN: true }) }), { nil: null }),
      }),
    )
    .map(({ d, pairs, background, box: boxDraw }): AdversarialCase => {
      const neurons = pairs.flatMap(({ neuron: n, kind }) => [n, kind === 'negated' ? { w: n.w.map((v) => -v), b: -n.b, a: -n.a } : { ...n, a: -n.a }]);
      const first = pairs[0].neuron;
      const box = boxDraw ? boxAround(pointOnHyperplane(first.w, first.b, boxDraw.along), Array(d).fill(boxDraw.half)) : null;
      const linear = sum(
        pairs.filter((p) => p.kind === 'negated').map((p) => scaled(p.neuron.w, p.neuron.a)),
        d,
      );
      return {
        family: 'cancelling-pairs',
        description: `${pairs.map((p) => p.kind).join(' and ')} cancelling pair(s), ${background.length} other neuron(s), ${box ? 'on a box around a kink' : 'global'}, d = ${d}`,
        network: shallowNetwork(d, [...neurons, ...background]),
        box,
        analytic: background.length === 0 ? linearLipschitz(linear) : null,
        thinnest: Infinity,
        withoutThin: null,
        analyticWithoutThin: null,
      };
    });
}
