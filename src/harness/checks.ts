import type { BandKind } from '../theory/bands.js';
import { bandScales } from '../theory/bands.js';
import type { Calibration } from '../theory/calibration.js';
import { binomialUpperTail, linearFit } from '../theory/stats.js';
import { hiddenWidths } from '../network/network.js';
import type { ConformanceCase } from './cases.js';
import type { Response } from './protocol.js';
import type { Reference } from './reference.js';
import { shapeCheck } from './shapeCheck.js';

/** The checks of the conformance harness, each passed, failed or skipped with counts. */
export type CheckName = 'soundness' | 'metamorphic' | 'theorem-bands' | 'theorem-shape' | 'upper-tightness';

export interface Finding {
  readonly check: CheckName;
  readonly caseId: number;
  readonly description: string;
  readonly message: string;
  /** Evidence a user can recompute (a witness point, lipcheck's bound). */
  readonly evidence?: Record<string, unknown>;
}

export interface CheckSummary {
  readonly name: CheckName;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly checked: number;
  readonly failed: number;
  readonly first: Finding | null;
  readonly notes: string[];
}

export interface CheckOptions {
  /** Relative tolerance for exact claims (default 1e-6). */
  readonly rtol: number;
  /**
   * Relative tolerance for `estimate` across transformed copies (default 0.25): an uncertified,
   * possibly randomised estimator (sampling, extreme-value fits) may differ by this much between a
   * network and a copy with the same constant (times the factor); deterministic estimators can ask
   * for a tight value.
   */
  readonly estimateRtol: number;
  readonly calibration: Calibration | null;
  /** How many shape cases the run had when its time limit stopped it early (the shape check then says how many were run). */
  readonly plannedShapeCases?: number;
}

/** Floating-point slack for bounds: a claim is refuted only when wrong by more than this (relative). */
export const BOUND_SLACK = 1e-9;

export interface CaseOutcome {
  readonly case: ConformanceCase;
  readonly response: Response;
  readonly reference: Reference | null;
}

/** Soundness of every claim of one case against lipcheck's exact value or certified bracket. */
export function soundnessFindings(o: CaseOutcome, rtol: number): Finding[] {
  const r = o.response;
  const ref = o.reference;
  if (r.kind !== 'claims' || !ref) return [];
  const f: Finding[] = [];
  const base = { check: 'soundness' as const, caseId: o.case.id, description: o.case.description };
  const witness = { witness: Array.from(ref.witness), jacobianNorm: ref.lower };
  if (r.upper !== undefined && r.upper < ref.lower * (1 - BOUND_SLACK)) {
    f.push({ ...base, message: `upper ${r.upper} is below the Jacobian norm ${ref.lower} at lipcheck's witness`, evidence: witness });
  }
  if (r.lower !== undefined && r.lower > ref.upper * (1 + BOUND_SLACK)) {
    f.push({ ...base, message: `lower ${r.lower} is above lipcheck's ${ref.exact !== null ? 'exact value' : 'certified upper bound'} ${ref.upper}`, evidence: { certifiedUpper: ref.upper } });
  }
  if (r.lower !== undefined && r.upper !== undefined && r.lower > r.upper * (1 + BOUND_SLACK)) {
    f.push({ ...base, message: `the claims contradict each other: lower ${r.lower} > upper ${r.upper}` });
  }
  if (r.exact !== undefined) {
    if (ref.exact !== null) {
      if (Math.abs(r.exact - ref.exact) > rtol * Math.max(ref.exact, Number.MIN_VALUE)) {
        f.push({ ...base, message: `exact ${r.exact} differs from lipcheck's exact ${ref.exact} by ${Math.abs(r.exact - ref.exact) / Math.max(ref.exact, Number.MIN_VALUE)} (relative; --rtol ${rtol})`, evidence: { exact: ref.exact, witness: Array.from(ref.witness) } });
      }
    } else if (r.exact < ref.lower * (1 - rtol)) {
      f.push({ ...base, message: `exact ${r.exact} is below the Jacobian norm ${ref.lower} at lipcheck's witness`, evidence: witness });
    } else if (r.exact > ref.upper * (1 + rtol)) {
      f.push({ ...base, message: `exact ${r.exact} is above lipcheck's certified upper bound ${ref.upper}`, evidence: { certifiedUpper: ref.upper } });
    }
  }
  return f;
}

function summary(name: CheckName, checked: number, findings: Finding[], notes: string[] = []): CheckSummary {
  return { name, status: checked === 0 ? 'skipped' : findings.length > 0 ? 'failed' : 'passed', checked, failed: findings.length, first: findings[0] ?? null, notes };
}

/** Metamorphic consistency of `exact` and `estimate` between each copy and its base case. */
function metamorphic(outcomes: readonly CaseOutcome[], options: CheckOptions): CheckSummary {
  const byId = new Map(outcomes.map((o) => [o.case.id, o]));
  const findings: Finding[] = [];
  let checked = 0;
  for (const o of outcomes) {
    const fam = o.case.family;
    if (!fam || o.response.kind !== 'claims') continue;
    const base = byId.get(fam.base);
    if (!base || base.response.kind !== 'claims') continue;
    for (const claim of ['exact', 'estimate'] as const) {
      const a = base.response[claim];
      const b = o.response[claim];
      if (a === undefined || b === undefined) continue;
      checked++;
      const expected = fam.factor * a;
      const tol = claim === 'exact' ? options.rtol : options.estimateRtol;
      if (Math.abs(b - expected) > tol * Math.max(expected, Number.MIN_VALUE)) {
        findings.push({
          check: 'metamorphic',
          caseId: o.case.id,
          description: o.case.description,
          message: `${claim} ${b} should be ${fam.factor} × ${a} = ${expected} (${fam.transformation} of case ${fam.base}; relative tolerance ${tol})`,
        });
      }
    }
  }
  return summary('metamorphic', checked, findings, [`exact claims within --rtol ${options.rtol}; estimates within ${options.estimateRtol} (an uncertified, possibly randomised estimator)`]);
}

/**
 * Exact values and estimates on He-random band cases against the calibrated bands. A band holds
 * with high probability, not always: the check fails only when violations are more frequent than a
 * 1% rate allows (exact binomial test, false-failure probability ≤ 1e-6).
 */
function theoremBands(outcomes: readonly CaseOutcome[], calibration: Calibration | null): CheckSummary {
  if (!calibration) return summary('theorem-bands', 0, [], ['no calibration available']);
  const violations: Finding[] = [];
  let checked = 0;
  for (const o of outcomes) {
    const kind: BandKind | null = o.case.band;
    const constants = kind ? calibration.bands[kind] : undefined;
    if (!kind || !constants || o.response.kind !== 'claims') continue;
    const widths = hiddenWidths(o.case.network);
    const s = bandScales(kind, o.case.network.inputDim, widths.length, Math.max(...widths));
    // One value per network (its exact claim, else its estimate): draws, not claims, are the trials.
    const claim = o.response.exact !== undefined ? 'exact' : o.response.estimate !== undefined ? 'estimate' : null;
    if (claim === null) continue;
    const v = o.response[claim]!;
    checked++;
    const lo = constants.c * s.lower;
    const hi = constants.C * s.upper;
    if (v < lo || v > hi) violations.push({ check: 'theorem-bands', caseId: o.case.id, description: o.case.description, message: `${claim} ${v} lies outside the ${kind} band [${lo}, ${hi}]` });
  }
  const p = binomialUpperTail(violations.length, checked, 0.01);
  const failed = checked > 0 && p < 1e-6;
  return { ...summary('theorem-bands', checked, failed ? violations : []), notes: [`${violations.length} of ${checked} networks' values outside the calibrated bands (binomial p = ${p.toPrecision(3)} against a 1% rate)`] };
}

/**
 * How tight the upper bounds are (ratio to lipcheck's lower bound), and, on the He-random band cases
 * (global, widths 8–128), whether upper/√d grows with the width like √N — the mark of a
 * pattern-agnostic bound, since Lip ≍ √d there. Informational: never fails.
 */
function upperTightness(outcomes: readonly CaseOutcome[]): CheckSummary {
  const ratios: number[] = [];
  const band: { N: number; scaled: number }[] = [];
  for (const o of outcomes) {
    if (o.response.kind !== 'claims' || o.response.upper === undefined || !o.reference || !(o.reference.lower > 0)) continue;
    ratios.push(o.response.upper / o.reference.lower);
    if (o.case.band !== null && !o.case.shape) band.push({ N: Math.max(...hiddenWidths(o.case.network)), scaled: o.response.upper / Math.sqrt(o.case.network.inputDim) });
  }
  if (ratios.length === 0) return summary('upper-tightness', 0, []);
  const sorted = [...ratios].sort((a, b) => a - b);
  const notes = [`upper / lipcheck's lower bound: median ${sorted[sorted.length >> 1].toPrecision(4)}, max ${sorted[sorted.length - 1].toPrecision(4)} over ${ratios.length} cases`];
  if (new Set(band.map((b) => b.N)).size >= 3 && band.length >= 4) {
    const fit = linearFit(band.map((b) => Math.log(b.N)), band.map((b) => Math.log(b.scaled)));
    notes.push(
      fit.slope > 0.25
        ? `on He-random networks upper/√d grows with the width (log-log slope ${fit.slope.toFixed(2)} in N, √N would be 0.5): the bound behaves like a pattern-agnostic one and cannot be tight there, where Lip ≍ √d`
        : `on He-random networks upper/√d does not grow like √N (log-log slope ${fit.slope.toFixed(2)} in N)`,
    );
  }
  return { ...summary('upper-tightness', ratios.length, []), notes };
}

/** Every check over all outcomes. */
export function evaluateChecks(outcomes: readonly CaseOutcome[], options: CheckOptions): CheckSummary[] {
  const sound = outcomes.flatMap((o) => soundnessFindings(o, options.rtol));
  const soundChecked = outcomes.filter((o) => o.response.kind === 'claims' && o.reference).length;
  return [summary('soundness', soundChecked, sound), metamorphic(outcomes, options), theoremBands(outcomes, options.calibration), shapeCheck(outcomes, options.plannedShapeCases), upperTightness(outcomes)];
}
