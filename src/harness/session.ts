import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import type { Budget } from '../lipschitz/budget.js';
import { caseToLine, requestOf, type ConformanceCase } from './cases.js';
import { evaluateChecks, type CaseOutcome, type CheckOptions, type CheckSummary } from './checks.js';
import type { Request, Response } from './protocol.js';
import { referenceFor, type Reference } from './reference.js';

/** Why an implementation was judged faulty (exit code 3). */
export type FaultKind = 'crash' | 'hang' | 'protocol' | 'early-exit' | 'exception';

export class ImplementationFault extends Error {
  constructor(
    message: string,
    readonly kind: FaultKind,
  ) {
    super(message);
  }
}

/** Something that answers protocol requests: a child process, or a function in this process. */
export interface Responder {
  /** The response to one request; throws an ImplementationFault when the implementation misbehaves. */
  respond(request: Request): Promise<Response>;
  /**
   * Ends the implementation (closes stdin, waits up to `graceSeconds` (default 3) for it to exit,
   * kills it if needed). Never hangs.
   */
  close(graceSeconds?: number): Promise<void>;
}

export interface ConformanceReport {
  readonly outcomes: CaseOutcome[];
  readonly checks: CheckSummary[];
  readonly fault: { readonly kind: FaultKind; readonly caseId: number; readonly message: string; readonly savedTo: string | null } | null;
  readonly counts: { readonly cases: number; readonly answered: number; readonly unsupported: number; readonly errors: number };
  /** The first `error` answer, if any (the others are counted in `counts.errors`). */
  readonly firstError: { readonly caseId: number; readonly message: string } | null;
  /**
   * The gate against a run that checked nothing: `checked` answers with claims were checked for
   * soundness, at least `required` (--min-checked) had to be; `enough` is false otherwise (exit 1).
   */
  readonly coverage: { readonly checked: number; readonly required: number; readonly enough: boolean };
  readonly seconds: number;
  /** 0 all passed, 1 a property violated or too few claims checked, 3 the implementation faulted. */
  readonly exitCode: 0 | 1 | 3;
  /** True when the run's time budget ended it before every case was run (the checks saw `outcomes` only). */
  readonly stoppedOnTime: boolean;
}

export interface SessionOptions extends CheckOptions {
  /** Seconds lipcheck spends on its own reference per case (default 3). */
  readonly referenceTime?: number;
  /** Where a faulting case is saved for replay (default lipcheck-failures/); null saves nothing. */
  readonly faultDir?: string | null;
  readonly onProgress?: (done: number, total: number) => void;
  /** References already computed for these cases (by case id); filled as the session goes. */
  readonly referenceCache?: Map<number, Reference>;
  /**
   * The fewest answers with claims that must be checked for soundness (default 1): below it the run
   * fails (exit 1), because an implementation that answered only `unsupported` or `error` was not tested.
   */
  readonly minChecked?: number;
  /**
   * A time budget for the whole run: each case's reference gets at most an even share of what
   * remains, a case is not started when the last one's time would not fit, a wait for an answer
   * ends when the budget does, and the run then stops with a report of the cases run so far.
   */
  readonly budget?: Budget;
}

/**
 * The longest delay `setTimeout` keeps (2³¹ − 1 ms, about 24.8 days): a longer one, or Infinity,
 * fires after 1 ms instead. Timers on user-given seconds are capped at this.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves to the promise's value, or to `null` after `seconds` (the promise is left to settle alone). */
async function until<T>(promise: Promise<T>, seconds: number): Promise<T | null> {
  promise.catch(() => {}); // abandoned, it fails later when the implementation is killed: expected
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), Math.min(Math.max(0, seconds) * 1000, MAX_TIMER_MS))));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The default of `minChecked`: a run must check at least one claim to pass. */
export const DEFAULT_MIN_CHECKED = 1;

/**
 * Runs every case through a responder, computes lipcheck's reference for each answered case, and
 * evaluates the checks. Stops at the first fault (the implementation's state is then unknown),
 * saves that case to a file for replay, and always closes the responder.
 */
export async function runSession(cases: readonly ConformanceCase[], responder: Responder, options: SessionOptions): Promise<ConformanceReport> {
  const started = performance.now();
  const outcomes: CaseOutcome[] = [];
  let fault: ConformanceReport['fault'] = null;
  let unsupported = 0;
  let errors = 0;
  let firstError: ConformanceReport['firstError'] = null;
  const budget = options.budget;
  let stoppedOnTime = false;
  let lastCase = 0; // seconds the previous case took without its reference: the estimate for the next
  try {
    for (const [n, c] of cases.entries()) {
      const caseStart = performance.now();
      if (budget && (budget.exceeded() || !budget.fits(lastCase))) { // the first case: fits(0), always
        stoppedOnTime = true;
        break;
      }
      let response: Response;
      try {
        const answer = budget ? await until(responder.respond(requestOf(c)), budget.remaining()) : await responder.respond(requestOf(c));
        if (answer === null) {
          stoppedOnTime = true; // the run's time ran out while the implementation was working
          break;
        }
        response = answer;
      } catch (err) {
        const f = err instanceof ImplementationFault ? err : new ImplementationFault((err as Error).message, 'exception');
        fault = { kind: f.kind, caseId: c.id, message: f.message, savedTo: saveCase(c, options.faultDir) };
        break;
      }
      if (response.kind === 'unsupported') unsupported++;
      if (response.kind === 'error') {
        errors++;
        firstError ??= { caseId: c.id, message: response.message };
      }
      let reference: Reference | null = null;
      const answered = performance.now();
      if (response.kind === 'claims') {
        const time = options.referenceTime ?? 3;
        reference = options.referenceCache?.get(c.id) ?? (await referenceFor(c, budget ? budget.within(Math.min(time, budget.remaining() / (cases.length - n))) : time, response));
        if (!reference.stoppedAtClaim) options.referenceCache?.set(c.id, reference);
      }
      outcomes.push({ case: c, response, reference });
      options.onProgress?.(n + 1, cases.length);
      lastCase = (answered - caseStart) / 1000;
    }
  } finally {
    await responder.close(budget ? Math.min(3, budget.remaining()) : 3);
  }
  // The shape check says how many of its cases the time limit left out (a fault says so itself).
  const checks = evaluateChecks(outcomes, stoppedOnTime ? { ...options, plannedShapeCases: cases.filter((c) => c.shape).length } : options);
  const required = options.minChecked ?? DEFAULT_MIN_CHECKED;
  const checked = checks.find((c) => c.name === 'soundness')?.checked ?? 0;
  const coverage = { checked, required, enough: checked >= required };
  const exitCode = fault ? 3 : checks.some((c) => c.status === 'failed') || !coverage.enough ? 1 : 0;
  return {
    outcomes,
    checks,
    fault,
    counts: { cases: cases.length, answered: outcomes.filter((o) => o.response.kind === 'claims').length, unsupported, errors },
    firstError,
    coverage,
    seconds: (performance.now() - started) / 1000,
    exitCode,
    stoppedOnTime,
  };
}

function saveCase(c: ConformanceCase, dir: string | null | undefined): string | null {
  if (dir === null) return null;
  const folder = dir ?? 'lipcheck-failures';
  try {
    const path = join(folder, `case-${c.id}.jsonl`);
    writeFileAtomic(path, caseToLine(c) + '\n');
    return path;
  } catch {
    return null;
  }
}
