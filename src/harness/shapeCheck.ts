import { standardBrackets } from '../lipschitz/brackets.js';
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

/** The shape cases, numbered from `firstId`: deterministic from the seed. */
export function shapeCases(seed: number, firstId: number): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  const bias = parseBiasLaw('normal:1');
  for (const d of SHAPE_DIMS) {
    for (let i = 0; i < DRAWS_PER_DIM; i++) {
      const N = Math.max(d, 16);
      const network = sampleNetwork({ inputDim: d, widths: [N], bias, weights: 'he-fanout', seed: `${seed}:shape:${d}:${i}` });
      out.push({ id: firstId + out.length, network, norm: '2', box: null, size: 'large', family: null, band: 'shallow', shape: true, description: `shape-check He-random net d=${d} ${d}→${N}→1 bias normal:1, p=2, global` });
    }
  }
  return out;
}

/**
 * lipcheck's reference for a shape case, in milliseconds: a realisable-pattern witness (at N ≤ d
 * every pattern is realisable, so it is near the constant) and the cheap sound upper bounds.
 */
export async function shapeReference(c: ConformanceCase): Promise<Reference> {
  const started = performance.now();
  const b = await standardBrackets({ exactRegions: 0, patternStarts: 8, samples: 0, lineStarts: 0, zonotopeMaxInputDim: 0 }).bracket(c.network, c.norm);
  return { exact: null, lower: b.lower, witness: b.witness, upper: b.upper, seconds: (performance.now() - started) / 1000 };
}

/** The implementation's answer on a case as a bracket (a point for exact or estimate), or null. */
function answered(o: CaseOutcome): BracketPoint | null {
  const r = o.response;
  if (r.kind !== 'claims') return null;
  const x = o.case.network.inputDim;
  const point = r.exact ?? r.estimate;
  if (point !== undefined) return { x, lower: point, upper: point };
  return r.lower !== undefined && r.upper !== undefined ? { x, lower: r.lower, upper: r.upper } : null;
}

/** The 'theorem-shape' check over the shape cases' outcomes (skipped when fewer than 3 were answered). */
export function shapeCheck(outcomes: readonly CaseOutcome[]): CheckSummary {
  const shape = outcomes.filter((o) => o.case.shape);
  const points = shape.flatMap((o) => {
    const p = answered(o);
    return p && p.lower > 0 && Number.isFinite(p.upper) ? [p] : [];
  });
  const notes = [`slope of log(answer) on log d over ${points.length} He-random shallow networks (d = ${SHAPE_DIMS.join(', ')}); paper A: ½`];
  if (points.length < 3 || new Set(points.map((p) => p.x)).size < 2) {
    return { name: 'theorem-shape', status: 'skipped', checked: 0, failed: 0, first: null, notes: [...notes, 'too few exact claims, estimates or brackets on these cases'] };
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
