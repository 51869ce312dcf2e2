import { standardBrackets } from '../lipschitz/brackets.js';
import { Budget } from '../lipschitz/budget.js';
import { secondsFor, svdFlops } from '../lipschitz/costs.js';
import { witnessAt } from '../lipschitz/lower/witness.js';
import { operatorNormProduct } from '../lipschitz/upper/operatorNorms.js';
import { sampleNetwork } from '../network/sample.js';
import { parseBiasLaw } from '../random/biasLaws.js';
import { bracketSlopeTest, type BracketPoint } from '../theory/shape.js';
import type { ConformanceCase } from './cases.js';
import type { CaseOutcome, CheckSummary, Finding } from './checks.js';
import type { Reference } from './reference.js';

/**
 * The theorem as a shape check on an implementation's own answers. The calibrated bands cannot
 * tell √d from a constant on small networks (an estimate that never grows, or one that grows like
 * d, stays inside them), so the conformance run adds He-random shallow networks of the papers'
 * model over d = 2…64 (N = max(d, 16), p = 2, global) and fits the slope of log(answer) on log d:
 * the exact claim or the estimate as a point value, or the implementation's own [lower, upper] as a
 * bracket (theory/shape.ts). Paper A says the slope of the true constant is ½; the check fails when
 * the slope's (1 − α) range misses [0.3, 0.7], α = 1e-4 (the premise, measured on lipcheck's own
 * brackets of this design: slope about 0.5 with a log-spread about 0.2 per network).
 */
const SHAPE_WINDOW = { lo: 0.3, hi: 0.7 } as const;
const SHAPE_ALPHA = 1e-4;
const SHAPE_DIMS = [2, 4, 8, 16, 32, 64] as const;
const DRAWS_PER_DIM = 3;

/**
 * The order of the dimensions within a round of draws: the ends of the range first, so that a run
 * cut short by its time limit still spans d = 2…64 with its first few shape cases.
 */
const SPREAD_ORDER = [2, 64, 8, 32, 4, 16] as const;

/**
 * The shape cases, numbered from `firstId`: deterministic from the seed. Round after round of one
 * network per dimension (in `SPREAD_ORDER`), so any prefix covers the whole range of d.
 */
export function shapeCases(seed: number, firstId: number): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  const bias = parseBiasLaw('normal:1');
  for (let i = 0; i < DRAWS_PER_DIM; i++) {
    for (const d of SPREAD_ORDER) {
      const N = Math.max(d, 16);
      const network = sampleNetwork({ inputDim: d, widths: [N], bias, weights: 'he-fanout', seed: `${seed}:shape:${d}:${i}` });
      out.push({ id: firstId + out.length, network, norm: '2', box: null, size: 'large', family: null, band: 'shallow', shape: true, description: `shape-check He-random net d=${d} ${d}→${N}→1 bias normal:1, p=2, global` });
    }
  }
  return out;
}

/**
 * Multiply-adds of the full shape reference, pessimistically: 8 pattern-ascent starts of at most
 * 200 alternations (2·N·d each), realising 4 patterns (an N×N Gram matrix and its solve), 50 line
 * steps in 3 directions (2·N·d each), the cheap upper bounds (an SVD per layer and a few passes).
 */
function shapeReferenceFlops(c: ConformanceCase): number {
  const d = c.network.inputDim;
  const N = c.network.layers[0].outDim;
  return 8 * 200 * 2 * N * d + 4 * (N * N * d + N ** 3 / 3) + 50 * 3 * 2 * N * d + svdFlops(N, d) + 16 * N * d;
}

/**
 * lipcheck's reference for a shape case: a realisable-pattern witness (at N ≤ d every pattern is
 * realisable, so it is near the constant) and the cheap sound upper bounds — milliseconds at d = 64.
 * When `budget` cannot fit that (by the cost model of lipschitz/costs.ts), a one-point witness (the
 * gradient at the origin) and the operator-norm product instead, or no upper bound at all if even
 * its SVD does not fit; what was left out is recorded with `budget.skip`. Never unsound: a
 * looser bracket only makes the soundness check on this case weaker.
 */
export async function shapeReference(c: ConformanceCase, budget: Budget = new Budget(Infinity)): Promise<Reference> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  if (budget.fits(secondsFor(shapeReferenceFlops(c)))) {
    const b = await standardBrackets({ exactRegions: 0, patternStarts: 8, samples: 0, lineStarts: 0, zonotopeMaxInputDim: 0 }).bracket(c.network, c.norm);
    return { exact: null, lower: b.lower, witness: b.witness, upper: b.upper, seconds: seconds() };
  }
  budget.skip('shape-case pattern search');
  const origin = new Float64Array(c.network.inputDim);
  const lower = Math.max(0, witnessAt(c.network, origin, c.norm).value); // −∞ on a kink: then 0, still at the origin
  const N = c.network.layers[0].outDim;
  const svdFits = budget.fits(secondsFor(svdFlops(N, c.network.inputDim)));
  if (!svdFits) budget.skip('shape-case upper bound');
  return { exact: null, lower, witness: origin, upper: svdFits ? operatorNormProduct(c.network, c.norm) : Infinity, seconds: seconds() };
}

/** The implementation's answer on a case as a bracket (a point for exact or estimate), or null without claims. */
function answered(o: CaseOutcome): BracketPoint | null {
  const r = o.response;
  // Stryker disable next-line ConditionalExpression: equivalent, an answer without claims has none of the fields read below (null either way)
  if (r.kind !== 'claims') return null;
  const x = o.case.network.inputDim;
  const point = r.exact ?? r.estimate;
  // A bracket needs both ends: a missing one reads as 0 or ∞, which `shapeCheck` leaves out.
  return point !== undefined ? { x, lower: point, upper: point } : { x, lower: r.lower ?? 0, upper: r.upper ?? Infinity };
}

/**
 * The 'theorem-shape' check over the shape cases' outcomes. `planned` is how many shape cases the run
 * had, given when its time limit ended it before all were run: the slope then rests on those that
 * were, and the notes say how many — with fewer cases the interval is
 * wider (less power), never less sound. Skipped, with the reason, when fewer than 3 answers over
 * at least 2 dimensions can be used.
 */
export function shapeCheck(outcomes: readonly CaseOutcome[], planned?: number): CheckSummary {
  const shape = outcomes.filter((o) => o.case.shape);
  const points = shape.flatMap((o) => {
    const p = answered(o);
    return p && p.lower > 0 && Number.isFinite(p.upper) ? [p] : [];
  });
  const total = Math.max(planned ?? shape.length, shape.length);
  const dims = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const notes = [`slope of log(answer) on log d over ${points.length} He-random shallow networks (d = ${dims.length > 0 ? dims.join(', ') : 'none'}); paper A: ½`];
  if (shape.length < total) notes.push(`only ${shape.length} of the ${total} shape cases were run before the time limit: the slope rests on those (a wider interval, less power)`);
  if (points.length < 3 || dims.length < 2) {
    const why =
      total === 0
        ? 'no shape cases in this run (they need p = 2, global constants, the first shard and no --no-shape)'
        : shape.length < total && shape.length < 3
          ? 'the time limit ended the run before enough shape cases were run'
          : 'too few exact claims, estimates or brackets on these cases';
    return { name: 'theorem-shape', status: 'skipped', checked: 0, failed: 0, first: null, notes: [...notes, why] };
  }
  const v = bracketSlopeTest(points, SHAPE_WINDOW, SHAPE_ALPHA);
  const findings: Finding[] = v.ok
    ? []
    : [
        {
          check: 'theorem-shape',
          caseId: shape[0].case.id,
          description: `${shape.length} shape-check cases`,
          message:
            v.finding === 'inconsistent'
              ? `the answers contradict themselves: ${v.detail}`
              : `the answers grow like d^${v.interval[0].toFixed(2)}…d^${v.interval[1].toFixed(2)}, ${v.finding === 'steeper' ? 'faster' : 'slower'} than the theorem's √d allows (${v.detail}; α = ${SHAPE_ALPHA})`,
        },
      ];
  return { name: 'theorem-shape', status: v.ok ? 'passed' : 'failed', checked: points.length, failed: findings.length, first: findings[0] ?? null, notes: v.ok ? [...notes, v.detail] : notes };
}
