import { loadCalibration, type Calibration } from '../theory/calibration.js';
import type { Norm } from '../linalg/norms.js';
import { generateCases, type ConformanceCase } from './cases.js';
import { parseResponse, ProtocolFault, type Claims, type Request, type Response } from './protocol.js';
import { ImplementationFault, runSession, type ConformanceReport, type Responder } from './session.js';
import { formatReport } from './reportFormat.js';
import type { Reference } from './reference.js';

/**
 * What a function answers: claims, `'unsupported'`, or `{ error: message }` (it tried and could not;
 * counted and reported, like a process's error line).
 */
export type Answer = Claims | 'unsupported' | { readonly error: string };

/** A Lipschitz estimator written in JS/TS: the same protocol as a process, as a function. */
export type Implementation = (request: Request) => Answer | Promise<Answer>;

/**
 * A responder that calls a function. Its answers are validated exactly like a process's lines
 * (finite, non-negative numbers; at least one claim); a thrown exception is an implementation fault.
 */
function functionResponder(impl: Implementation): Responder {
  return {
    async respond(request: Request): Promise<Response> {
      let answer: Answer;
      try {
        answer = await impl(request);
      } catch (err) {
        throw new ImplementationFault(`case ${request.id}: the implementation threw: ${(err as Error).message}`, 'exception');
      }
      const line = JSON.stringify(answer === 'unsupported' ? { id: request.id, unsupported: true } : { id: request.id, ...answer });
      try {
        return parseResponse(line, request.id);
      } catch (err) {
        if (err instanceof ProtocolFault) throw new ImplementationFault(`case ${request.id}: ${err.message}`, 'protocol');
        throw err;
      }
    },
    async close() {},
  };
}

export interface ConformanceOptions {
  readonly seed?: number;
  readonly runs?: number;
  readonly norms?: readonly Norm[];
  readonly domains?: 'both' | 'global' | 'local';
  readonly rtol?: number;
  readonly estimateRtol?: number;
  /** Seconds of lipcheck's own work per case (default 3). */
  readonly referenceTime?: number;
  readonly calibration?: Calibration | null;
  /** Replay these cases instead of generating them. */
  readonly cases?: readonly ConformanceCase[];
  /** Share lipcheck's references between runs over the same cases (e.g. several implementations). */
  readonly referenceCache?: Map<number, Reference>;
  /** Fail unless at least this many answers with claims were checked for soundness (default 1). */
  readonly minChecked?: number;
}

/** Runs the conformance checks against a function and returns the report (never throws for a failing implementation). */
export async function checkImplementation(impl: Implementation, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const cases = options.cases ?? generateCases({ seed: options.seed ?? 0, runs: options.runs, norms: options.norms, domains: options.domains });
  return runSession(cases, functionResponder(impl), {
    rtol: options.rtol ?? 1e-6,
    estimateRtol: options.estimateRtol ?? 0.25,
    calibration: options.calibration === undefined ? loadCalibration() : options.calibration,
    referenceTime: options.referenceTime,
    referenceCache: options.referenceCache,
    minChecked: options.minChecked,
    faultDir: null,
  });
}

/**
 * Like fast-check's `fc.assert`: resolves if every check passes and at least `minChecked` answers
 * (default 1) were checked, otherwise throws an Error whose message is the full report (the first
 * counterexample of each failed check, the error answers, the seed, and how to replay), for use
 * inside a vitest or jest test.
 */
export async function assertConformance(impl: Implementation, options: ConformanceOptions = {}): Promise<void> {
  const report = await checkImplementation(impl, options);
  if (report.exitCode !== 0) {
    throw new Error(`${formatReport(report)}\nseed ${options.seed ?? 0}: rerun with the same seed to replay these cases`);
  }
}
