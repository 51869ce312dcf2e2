import fc from 'fast-check';
import { dualNorm, NORMS, type Norm } from '../linalg/norms.js';
import { denseLayer, makeNetwork } from '../network/network.js';
import { boxAround, dimensionArb, short, weightArb, type AdversarialCase, type PerNorm } from './adversarialCase.js';

/**
 * Arrangements that are not in general position: constant neurons, kinks through one point, and
 * parallel kinks (some of them a hair apart).
 */

/** What a neuron of zeroRowsArb is made of. */
type ZeroKind = 'random' | 'zero-row' | 'zero-bias' | 'zero-both';

/**
 * One or two hidden layers of 2–4 neurons where each neuron is random, has a zero row (a constant
 * neuron: ρ(b) is dead for b ≤ 0 and, for b > 0, a constant that the next layer sees as a bias),
 * a zero bias (its kink through the origin: a central arrangement) or both (identically 0; a ReLU
 * at exactly 0 counts as inactive). Globally or on a box [−h, h]^d around the origin, where the
 * zero-bias kinks meet.
 *
 * No formula: the answer is for an independent computation. Shrinks towards one layer of two
 * random neurons, d = 1, global.
 */
export function zeroRowsArb(): fc.Arbitrary<AdversarialCase> {
  const neuron = (inDim: number) =>
    fc.record({
      kind: fc.constantFrom<ZeroKind>('random', 'zero-row', 'zero-bias', 'zero-both'),
      w: fc.array(weightArb, { minLength: inDim, maxLength: inDim }),
      b: weightArb,
    });
  return fc
    .tuple(dimensionArb, fc.array(fc.integer({ min: 2, max: 4 }), { minLength: 1, maxLength: 2 }))
    .chain(([d, widths]) =>
      fc.record({
        d: fc.constant(d),
        layers: fc.tuple(...widths.map((n, l) => fc.array(neuron(l === 0 ? d : widths[l - 1]), { minLength: n, maxLength: n }))),
        output: fc.array(weightArb, { minLength: widths[widths.length - 1], maxLength: widths[widths.length - 1] }),
        half: fc.option(fc.double({ min: 0.1, max: 3, noNaN: true }), { nil: null }),
      }),
    )
    .map(({ d, layers, output, half }): AdversarialCase => {
      const dense = layers.map((ns) =>
        denseLayer(
          ns.map((n) => (n.kind === 'zero-row' || n.kind === 'zero-both' ? n.w.map(() => 0) : n.w)),
          ns.map((n) => (n.kind === 'zero-bias' || n.kind === 'zero-both' ? 0 : n.b)),
        ),
      );
      const kinds = layers.flat().map((n) => n.kind);
      const count = (k: ZeroKind) => kinds.filter((x) => x === k).length;
      return {
        family: 'zero-rows',
        description: `${layers.map((l) => l.length).join(',')} hidden: ${count('zero-row')} zero rows, ${count('zero-bias')} zero biases, ${count('zero-both')} zero neurons, ${half === null ? 'global' : `on [−${short(half)}, ${short(half)}]^${d}`}, d = ${d}`,
        network: makeNetwork(d, [...dense, denseLayer([output], [0])]),
        box: half === null ? null : boxAround(Array(d).fill(0), Array(d).fill(half)),
        analytic: null,
        thinnest: Infinity,
        withoutThin: null,
        analyticWithoutThin: null,
      };
    });
}

/**
 * 3–5 kinks through one point p (bᵢ = −wᵢ·p), exactly: weights are multiples of 1/8 and p's
 * coordinates multiples of 1/8 times 2^e (e up to 20: a meeting point up to ~1e7 from the origin), so
 * every product and sum is exact in floating point and no rounding pulls the kinks apart. Weights
 * that coincide or are parallel are allowed (degenerate on purpose). Optionally a second hidden layer
 * of two random neurons; globally or on a box around p.
 *
 * No formula: the answer is for an independent computation. Shrinks towards three kinks through
 * the origin (a central arrangement), d = 1, one layer, global.
 */
export function concurrentArb(): fc.Arbitrary<AdversarialCase> {
  const eighth = fc.integer({ min: -16, max: 16 }).map((k) => k / 8);
  return dimensionArb
    .chain((d) =>
      fc.record({
        d: fc.constant(d),
        rows: fc.array(
          fc.array(eighth, { minLength: d, maxLength: d }).filter((w) => w.some((v) => v !== 0)),
          { minLength: 3, maxLength: 5 },
        ),
        outputs: fc.array(weightArb, { minLength: 5, maxLength: 5 }),
        point: fc.array(fc.integer({ min: -64, max: 64 }), { minLength: d, maxLength: d }),
        exponent: fc.integer({ min: 0, max: 20 }),
        second: fc.option(fc.array(fc.array(weightArb, { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 2 }), { nil: null }),
        half: fc.option(fc.double({ min: 0.1, max: 3, noNaN: true }), { nil: null }),
      }),
    )
    .map(({ d, rows, outputs, point, exponent, second, half }): AdversarialCase => {
      const p = point.map((m) => (m / 8) * 2 ** exponent);
      const biases = rows.map((w) => -w.reduce((s, v, j) => s + v * p[j], 0)); // exact: few-bit dyadics
      const n = rows.length;
      const first = denseLayer(rows, biases);
      const layers = second
        ? [first, denseLayer(second.map((r) => r.slice(0, n)), second.map((r) => r[5])), denseLayer([outputs.slice(0, 2)], [0])]
        : [first, denseLayer([outputs.slice(0, n)], [0])];
      const far = Math.max(0, ...p.map(Math.abs));
      return {
        family: 'concurrent',
        description: `${n} kinks through one point ${far === 0 ? '(the origin)' : `at distance ~${short(far)}`}${second ? ', a second layer of 2' : ''}, ${half === null ? 'global' : `on a box of half-width ${short(half)} around it`}, d = ${d}`,
        network: makeNetwork(d, layers),
        box: half === null ? null : boxAround(p, Array(d).fill(half)),
        analytic: null,
        thinnest: Infinity,
        withoutThin: null,
        analyticWithoutThin: null,
      };
    });
}

/** One neuron of a parallel family: wᵢ = αᵢ·u with αᵢ = ±2^k, kink at u·x = tᵢ, output weight aᵢ. */
interface ParallelNeuron {
  readonly alpha: number;
  readonly t: number;
  readonly group: number;
  readonly a: number;
}

/**
 * Lip_p of x ↦ Σ aᵢ ρ(αᵢ (u·x − tᵢ)): a function of s = u·x alone, piecewise linear with slope
 * Σ_{i active} aᵢ αᵢ between consecutive breakpoints (neuron i is active right of tᵢ when αᵢ > 0,
 * left of it when αᵢ < 0), so Lip_p = ‖u‖_{p′} · max |slope| over the intervals — the thick ones
 * only when `thickOnly` (an interval between two breakpoints of the same group is thin).
 */
function parallelLipschitz(u: readonly number[], neurons: readonly ParallelNeuron[], thickOnly: boolean): PerNorm {
  const ts = [...new Set(neurons.map((n) => n.t))].sort((x, y) => x - y);
  const groupOf = new Map(neurons.map((n) => [n.t, n.group]));
  let best = 0;
  for (let j = 0; j <= ts.length; j++) {
    const left = j === 0 ? -Infinity : ts[j - 1];
    const right = j === ts.length ? Infinity : ts[j];
    if (thickOnly && j > 0 && j < ts.length && groupOf.get(left) === groupOf.get(right)) continue;
    const slope = neurons.reduce((s, n) => s + ((n.alpha > 0 ? n.t <= left : n.t >= right) ? n.a * n.alpha : 0), 0);
    best = Math.max(best, Math.abs(slope));
  }
  return Object.fromEntries(NORMS.map((p: Norm) => [p, best * dualNorm(u, p)])) as PerNorm;
}

/**
 * 2–6 parallel kinks: wᵢ = αᵢ·u with u a small integer vector and αᵢ = ±2^k (k from −3 to 3), so
 * wᵢ and bᵢ = −αᵢ·tᵢ are exact and the kinks exactly parallel. The breakpoints tᵢ come in groups at
 * least 0.25 apart; within a group they coincide or lie a relative 1e-15 … 1e-10 apart (slabs far
 * thinner than any floating-point resolution), so a thin slab can hide the region beyond it.
 * Globally, or on a box [−R, R]^d that every slab crosses (R = max|tᵢ| + 2, so the constant is the
 * global one).
 *
 * Analytic: f(x) = g(u·x) with g piecewise linear, so Lip_p = ‖u‖_{p′} · max |Σ_{i active} aᵢαᵢ|
 * over the intervals between breakpoints; `analyticWithoutThin` takes the same maximum over the
 * thick intervals only, and `withoutThin` moves every breakpoint to its group's first.
 *
 * Shrinks towards two kinks in one group at the thickest gap, u = e₁, d = 1, global.
 */
export function parallelFamilyArb(): fc.Arbitrary<AdversarialCase> {
  const neuron = fc.record({
    sign: fc.constantFrom(1, -1),
    k: fc.integer({ min: -3, max: 3 }),
    group: fc.integer({ min: 0, max: 2 }),
    offset: fc.option(fc.tuple(fc.integer({ min: -15, max: -10 }), fc.double({ min: 1, max: 10, maxExcluded: true, noNaN: true })), { nil: null, freq: 2 }),
    a: weightArb,
  });
  return dimensionArb
    .chain((d) =>
      fc.record({
        d: fc.constant(d),
        u: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: d, maxLength: d }).filter((u) => u.some((v) => v !== 0)),
        start: fc.double({ min: -3, max: 3, noNaN: true }),
        gaps: fc.array(fc.double({ min: 0.25, max: 2, noNaN: true }), { minLength: 2, maxLength: 2 }),
        neurons: fc.array(neuron, { minLength: 2, maxLength: 6 }),
        boxed: fc.boolean(),
      }),
    )
    .map(({ d, u, start, gaps, neurons: drawn, boxed }): AdversarialCase => {
      const bases = [start, start + gaps[0], start + gaps[0] + gaps[1]];
      let thinnest = Infinity;
      const neurons: ParallelNeuron[] = drawn.map((n) => {
        const base = bases[n.group];
        const t = n.offset ? base + n.offset[1] * 10 ** n.offset[0] * Math.max(1, Math.abs(base)) : base;
        if (t !== base) thinnest = Math.min(thinnest, Math.abs(t - base) / Math.max(1, Math.abs(base)));
        return { alpha: n.sign * 2 ** n.k, t, group: n.group, a: n.a };
      });
      const network = (ns: readonly ParallelNeuron[]) =>
        makeNetwork(d, [
          denseLayer(
            ns.map((n) => u.map((v) => n.alpha * v)),
            ns.map((n) => -n.alpha * n.t),
          ),
          denseLayer([ns.map((n) => n.a)], [0]),
        ]);
      const snapped = neurons.map((n) => ({ ...n, t: bases[n.group] }));
      const R = Math.max(...neurons.map((n) => Math.abs(n.t))) + 2;
      const box = boxed ? boxAround(Array(d).fill(0), Array(d).fill(R)) : null;
      return {
        family: 'parallel',
        description: `${neurons.length} kinks parallel to u = [${u.join(', ')}] in ${new Set(neurons.map((n) => n.group)).size} group(s)${thinnest < Infinity ? `, thinnest slab ${short(thinnest)}` : ''}, ${boxed ? `on [−${short(R)}, ${short(R)}]^${d}` : 'global'}, d = ${d}`,
        network: network(neurons),
        box,
        analytic: parallelLipschitz(u, neurons, false),
        thinnest,
        withoutThin: thinnest < Infinity ? { network: network(snapped), box } : null,
        analyticWithoutThin: thinnest < Infinity ? parallelLipschitz(u, neurons, true) : null,
      };
    });
}
