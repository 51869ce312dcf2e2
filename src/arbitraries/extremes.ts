import fc from 'fast-check';
import { sampleNetwork } from '../network/sample.js';
import { parseBiasLaw } from '../random/biasLaws.js';
import { makeNetwork, type Network } from '../network/network.js';
import { rescaleNeuron, scaleInput, scaleOutput, translateInput } from '../network/transform.js';
import type { Box } from '../lipschitz/query.js';
import { networkSpecArb } from './model.js';
import { boxAround, short, weightArb, type AdversarialCase } from './adversarialCase.js';

/**
 * Extreme numbers: weights scaled by 1e±8, boxes far from the origin, boxes thinner than 1e-9. Each
 * starts from a small random network of the papers' model (d 1–3, one or two hidden layers of 2–3)
 * with normal biases, so that its kinks are in general position and the only extreme thing is the
 * scale. (Kinks that meet exactly — zero biases — would be pulled apart by the rounding of the
 * translation or scaling into regions ~1e-16 thin; the concurrent family covers exactly meeting
 * kinks, far from the origin too, without rounding.)
 */

/** A small random network of the papers' model with N(0, 1) biases; shrinks like networkSpecArb. */
function baseArb(): fc.Arbitrary<Network> {
  return networkSpecArb({ maxInputDim: 3, maxDepth: 2, minWidth: 2, maxWidth: 3 }).map((spec) => sampleNetwork({ ...spec, bias: NORMAL_BIASES }));
}

const NORMAL_BIASES = parseBiasLaw('normal:1');

/** The network with neuron 0's kink moved through x0 (its bias set to −w₀·x0), so a box around x0 meets a kink. */
function kinkThrough(net: Network, x0: readonly number[]): Network {
  const [first, ...rest] = net.layers;
  const biases = first.biases.slice();
  biases[0] = -x0.reduce((s, v, j) => s + first.weights[j] * v, 0);
  return makeNetwork(net.inputDim, [{ ...first, biases }, ...rest], net.meta);
}

/** A scale m·10^(±e), e from `min` to 8, m in [1, 10); shrinks towards 10^min. */
function hugeOrTinyArb(min: number): fc.Arbitrary<number> {
  return fc
    .tuple(fc.integer({ min, max: 8 }), fc.constantFrom(1, -1), fc.double({ min: 1, max: 10, maxExcluded: true, noNaN: true }))
    .map(([e, sign, m]) => m * 10 ** (sign * e));
}

/**
 * A small random network with its weights scaled by s = m·10^(±e), e from 6 to 8: `input` scales
 * the first layer's weights (f(s·x): Lip × s, regions shrink by 1/s; a box B becomes B/s),
 * `neuron` rescales hidden neuron 0 (row and bias × s, outgoing column × 1/s: the same function),
 * `output` scales the last layer (Lip × s). Globally or on a box [−1, 1]^d (mapped with the input).
 * The products are rounded, so the scaled network is close to, not exactly, the rescaled base.
 *
 * No formula for the scaled network as rounded (the base's constant × the factor is a metamorphic
 * check, not an independent answer). Shrinks towards s = 1e6, the input, d = 1, global.
 */
export function scaledWeightsArb(): fc.Arbitrary<AdversarialCase> {
  return fc
    .record({ base: baseArb(), kind: fc.constantFrom('input' as const, 'neuron' as const, 'output' as const), s: hugeOrTinyArb(6), boxed: fc.boolean() })
    .map(({ base, kind, s, boxed }): AdversarialCase => {
      const d = base.inputDim;
      const t = kind === 'input' ? scaleInput(base, s) : kind === 'neuron' ? rescaleNeuron(base, 0, 0, s) : scaleOutput(base, s);
      const unit: Box = boxAround(Array(d).fill(0), Array(d).fill(1));
      return {
        family: 'scaled-weights',
        description: `${kind} weights × ${short(s)} (Lip × ${short(t.factor)}) of a ${[d, ...base.layers.map((l) => l.outDim)].join('→')} network, ${boxed ? 'on a box' : 'global'}`,
        network: t.net,
        box: boxed ? t.mapBox!(unit) : null,
        analytic: null,
        thinnest: Infinity,
        withoutThin: null,
        analyticWithoutThin: null,
      };
    });
}

/**
 * Where in a box of width w the kink sits: at the fraction f of the width from the lower face, with
 * f = 1/2 (the centre) or 10^(−12 … −1) from either face (a kink a hair inside the box, which a box
 * bound computed without an error term loses). Shrinks towards the centre.
 */
function kinkPositionArb(): fc.Arbitrary<number> {
  return fc.option(fc.tuple(fc.integer({ min: -12, max: -1 }), fc.boolean()), { nil: null, freq: 2 }).map((near) => (near === null ? 0.5 : near[1] ? 1 - 10 ** near[0] : 10 ** near[0]));
}

/** The box of widths w with x0 at the fraction f of every width from the lower faces. */
function boxWith(x0: readonly number[], widths: readonly number[], f: number): Box {
  return { lo: Float64Array.from(x0, (v, j) => v - f * widths[j]), hi: Float64Array.from(x0, (v, j) => v + (1 - f) * widths[j]) };
}

/**
 * A kink through x0 a hair (f of the width) from the lower faces, or from the upper ones, can cut
 * off a thin corner of the box, or a thin sliver along an edge when the box is thin too. The box cut
 * back to 1% of its width beyond x0 on that side stays clear of them: the kink through x0 misses it
 * or crosses it at an angle that the margin keeps open, and the other kinks are in general position.
 * Returns the thinness and that box.
 */
function cutBack(box: Box, x0: readonly number[], f: number): { thinnest: number; box: Box | null } {
  if (f === 0.5) return { thinnest: Infinity, box: null };
  const margin = Array.from(x0, (_, j) => 0.01 * (box.hi[j] - box.lo[j]));
  const low = f < 0.5;
  return {
    thinnest: Math.min(f, 1 - f),
    box: {
      lo: low ? Float64Array.from(x0, (v, j) => v + margin[j]) : box.lo,
      hi: low ? box.hi : Float64Array.from(x0, (v, j) => v - margin[j]),
    },
  };
}

/**
 * A small random network moved far from the origin: its input translated by c (|cⱼ| = m·10^e, e from
 * 3 to 8, so f(x − c), biases b − W·c rounded) and a box of width w = 10^(−6 … 0) in every coordinate
 * containing a point c + x0 where one of its kinks passes (neuron 0's bias is set so) — at its centre
 * or a hair from a face — the way a box at [1e8, 1e8 + 1e-3] tests whether a tool keeps its kinks.
 * The box's ends are rounded too: the case is the rounded network on the rounded box.
 *
 * No formula (rounding moves the kinks by up to ~1e-16·|c|, which matters at w = 1e-6 and c = 1e8):
 * the answer is for an independent computation. Shrinks towards c = 1e3, w = 1, the kink at the
 * centre, d = 1.
 */
export function farBoxArb(): fc.Arbitrary<AdversarialCase> {
  return baseArb()
    .chain((base) =>
      fc.record({
        base: fc.constant(base),
        c: fc.array(fc.tuple(fc.integer({ min: 3, max: 8 }), fc.double({ min: 1, max: 10, maxExcluded: true, noNaN: true })), { minLength: base.inputDim, maxLength: base.inputDim }),
        signs: fc.array(fc.constantFrom(1, -1), { minLength: base.inputDim, maxLength: base.inputDim }),
        x0: fc.array(weightArb, { minLength: base.inputDim, maxLength: base.inputDim }),
        width: fc.integer({ min: -6, max: 0 }).map((e) => 10 ** e),
        f: kinkPositionArb(),
      }),
    )
    .map(({ base, c: magnitudes, signs, x0, width, f }): AdversarialCase => {
      const d = base.inputDim;
      const c = magnitudes.map(([e, m], j) => m * 10 ** e * signs[j]);
      const moved = translateInput(kinkThrough(base, x0), c.map((v) => -v));
      const local = boxWith(x0, Array(d).fill(width), f);
      const box = moved.mapBox!(local);
      const thin = cutBack(local, x0, f);
      return {
        family: 'far-box',
        description: `a box of width ${short(width)} at distance ~${short(Math.max(...c.map(Math.abs)))} from the origin, a kink through it at ${short(f)} of its width, ${[d, ...base.layers.map((l) => l.outDim)].join('→')}`,
        network: moved.net,
        box,
        analytic: null,
        thinnest: thin.thinnest,
        withoutThin: thin.box ? { network: moved.net, box: moved.mapBox!(thin.box) } : null,
        analyticWithoutThin: null,
      };
    });
}

/**
 * A small random network on a box thinner than 1e-9 in some coordinates (width 10^(−14 … −10);
 * all of them when d = 1) and of width 0.1–1 in the others, containing a point where one of its
 * kinks passes (neuron 0's bias is set so) — at its centre or a hair from a face: the regions on both
 * sides of the kink meet the box's interior, however thin it is.
 *
 * No formula: the answer is for an independent computation. Shrinks towards width 1e-10 in the first
 * coordinate only, the kink at the centre, d = 1.
 */
export function thinBoxArb(): fc.Arbitrary<AdversarialCase> {
  return baseArb()
    .chain((base) =>
      fc.record({
        base: fc.constant(base),
        x0: fc.array(weightArb, { minLength: base.inputDim, maxLength: base.inputDim }),
        thin: fc.array(fc.option(fc.integer({ min: -14, max: -10 }), { nil: null, freq: 2 }), { minLength: base.inputDim, maxLength: base.inputDim }),
        wide: fc.array(fc.double({ min: 0.1, max: 1, noNaN: true }), { minLength: base.inputDim, maxLength: base.inputDim }),
        f: kinkPositionArb(),
      }),
    )
    .map(({ base, x0, thin, wide, f }): AdversarialCase => {
      const d = base.inputDim;
      const exponents = thin.every((e) => e === null) ? [-10, ...thin.slice(1)] : thin;
      const widths = exponents.map((e, j) => (e === null ? wide[j] : 10 ** e));
      const network = kinkThrough(base, x0);
      const box = boxWith(x0, widths, f);
      const cut = cutBack(box, x0, f);
      return {
        family: 'thin-box',
        description: `a box of widths [${widths.map(short).join(', ')}] across a kink at ${short(f)} of them, ${[d, ...base.layers.map((l) => l.outDim)].join('→')}`,
        network,
        box,
        analytic: null,
        thinnest: cut.thinnest,
        withoutThin: cut.box ? { network, box: cut.box } : null,
        analyticWithoutThin: null,
      };
    });
}
