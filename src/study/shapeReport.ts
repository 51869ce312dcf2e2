import type { StudyRow } from './compute.js';
import { inPapersModel } from './plots.js';
import { bracketSlope, inconsistentPoint, type BracketPoint } from '../theory/shape.js';
import { quantile, studentTQuantile } from '../theory/stats.js';

/**
 * The study report's shape fits: log-log slopes whose intervals come from the bracket ends (the
 * least-squares slope over the box of brackets, widened by a standard error bounded over the box;
 * theory/shape.ts), so a bracketed network enters with its whole bracket, never a midpoint.
 */
export interface ShapeFit {
  readonly name: string;
  /** What the theorems say about the slope. */
  readonly theory: string;
  readonly n: number;
  readonly bracketed: number;
  readonly midSlope: number;
  /** Exact range of the slope over the brackets. */
  readonly minSlope: number;
  readonly maxSlope: number;
  /** 95% interval: [minSlope − t·se⁺, maxSlope + t·se⁺]. */
  readonly low: number;
  readonly high: number;
}

interface FitSpec {
  readonly name: string;
  readonly theory: string;
  readonly select: (r: StudyRow) => boolean;
  readonly x: (r: StudyRow) => number;
  /** What Lip is divided by before the fit (1: Lip itself). */
  readonly scale: (r: StudyRow) => number;
}

const shallow = (norm: string) => (r: StudyRow) => inPapersModel(r) && r.L === 1 && r.norm === norm;

const FITS: readonly FitSpec[] = [
  { name: 'shallow Lip₂ against d', theory: '½ (paper A: Lip₂ ≍ √d)', select: shallow('2'), x: (r) => r.d, scale: () => 1 },
  { name: 'shallow Lip₂/√d against N', theory: '0 (bounded in N; pattern-agnostic bounds: ½)', select: shallow('2'), x: (r) => r.N, scale: (r) => Math.sqrt(r.d) },
  { name: 'shallow Lip₁ against d', theory: '½ (paper B: like ‖g‖₂; finite d: a √(log d) term lowers it)', select: shallow('1'), x: (r) => r.d, scale: () => 1 },
  { name: 'shallow Lip_∞ against d', theory: '1 (paper B: like ‖g‖₁ ≈ √(2/π)·d)', select: shallow('inf'), x: (r) => r.d, scale: () => 1 },
  { name: 'deep Lip₂/√d against L', theory: '≤ 1 (paper B: at most linear in depth)', select: (r) => inPapersModel(r) && r.L >= 1 && r.norm === '2' && r.group.startsWith('deep'), x: (r) => r.L, scale: (r) => Math.sqrt(r.d) },
];

/** Every fit the rows support (≥ 3 rows with finite positive brackets, ≥ 2 distinct x). */
export function shapeFits(rows: readonly StudyRow[]): ShapeFit[] {
  const out: ShapeFit[] = [];
  for (const spec of FITS) {
    const points: BracketPoint[] = rows
      .filter(spec.select)
      .map((r) => ({ x: spec.x(r), lower: r.lower / spec.scale(r), upper: r.upper / spec.scale(r) }))
      .filter((p) => p.lower > 0 && Number.isFinite(p.upper));
    if (points.length < 3 || new Set(points.map((p) => p.x)).size < 2 || inconsistentPoint(points)) continue;
    const s = bracketSlope(points);
    const t = studentTQuantile(0.975, s.degreesOfFreedom);
    out.push({
      name: spec.name,
      theory: spec.theory,
      n: s.n,
      bracketed: points.filter((p) => p.upper > p.lower).length,
      midSlope: s.midSlope,
      minSlope: s.minSlope,
      maxSlope: s.maxSlope,
      low: s.minSlope - t * s.seUpper,
      high: s.maxSlope + t * s.seUpper,
    });
  }
  return out;
}

/** One summary line per fit. */
export function fitLine(f: ShapeFit): string {
  const range = f.bracketed > 0 ? `, ${f.minSlope.toFixed(3)}–${f.maxSlope.toFixed(3)} over the brackets` : '';
  return `slope of ${f.name}: ${f.midSlope.toFixed(3)}${range} (95% CI ${f.low.toFixed(3)} to ${f.high.toFixed(3)} from the bracket ends; theory ${f.theory}; n = ${f.n}, ${f.bracketed} bracketed)`;
}

/** Bracketed rows (no exact value): how many, and how wide their brackets are. */
export function bracketSummary(rows: readonly StudyRow[]): string | null {
  const bracketed = rows.filter((r) => r.lipschitz === null && r.lower > 0 && Number.isFinite(r.upper));
  if (bracketed.length === 0) return null;
  const ratios = bracketed.map((r) => r.upper / r.lower);
  return `brackets: ${bracketed.length} networks with a certified [lower, upper] only (upper/lower median ${quantile(ratios, 0.5).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}); every fit uses both ends`;
}
