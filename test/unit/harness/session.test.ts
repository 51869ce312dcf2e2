import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { casesFromLines, caseToLine } from '../../../src/harness/cases.js';
import type { Response } from '../../../src/harness/protocol.js';
import type { Reference } from '../../../src/harness/reference.js';
import { DEFAULT_MIN_CHECKED, ImplementationFault, runSession, type SessionOptions } from '../../../src/harness/session.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { claimsOf, exactReference, ridgeNet, scriptedResponder, unitCase } from '../../support/harnessUnits.js';

// runSession driven in-process by scripted responders. Case i is the ridge net x ↦ (i+1)·relu(x₁ + x₂)
// (d = 2, one neuron): its constant is (i+1)·√2, which the exact reference must find.
const cases = [0, 1, 2, 3].map((i) => unitCase(i, { network: ridgeNet(2, [i + 1], [0.5]) }));
const lip = (id: number) => (id + 1) * Math.SQRT2;
const options: SessionOptions = { rtol: 1e-6, estimateRtol: 0.25, calibration: null, faultDir: null, referenceTime: 1 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

describe('runSession', () => {
  it('asks every case, counts the kinds of answer, checks claims against the exact reference and closes the responder', async () => {
    const script: Record<number, Response> = {
      0: claimsOf(0, { upper: lip(0) * 1.5, lower: lip(0) * 0.5 }),
      1: { id: 1, kind: 'unsupported' },
      2: { id: 2, kind: 'error', message: 'first failure' },
      3: { id: 3, kind: 'error', message: 'second failure' },
    };
    const responder = scriptedResponder((id) => script[id]);
    const progress: [number, number][] = [];
    const cache = new Map<number, Reference>();
    const r = await runSession(cases, responder, { ...options, onProgress: (done, total) => progress.push([done, total]), referenceCache: cache });
    expect(responder.seen).toEqual([0, 1, 2, 3]);
    expect(responder.closedWith).toEqual([3]);
    expect(progress).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
    expect(r.counts).toEqual({ cases: 4, answered: 1, unsupported: 1, errors: 2 });
    expect(r.firstError).toEqual({ caseId: 2, message: 'first failure' });
    expect(r.outcomes.map((o) => o.reference === null)).toEqual([false, true, true, true]);
    expect(r.outcomes[0].reference!.exact).toBeCloseTo(lip(0), 12);
    expect([...cache.keys()]).toEqual([0]); // the reference is kept for the next run over these cases
    expect(r.coverage).toEqual({ checked: 1, required: DEFAULT_MIN_CHECKED, enough: true });
    expect(r).toMatchObject({ exitCode: 0, fault: null, stoppedOnTime: false });
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.checks.find((c) => c.name === 'soundness')).toMatchObject({ status: 'passed', checked: 1 });
  });
  it('fails a wrong claim (exit 1) and a run that checked fewer answers than required', async () => {
    const wrong = await runSession(cases.slice(0, 2), scriptedResponder((id) => claimsOf(id, { upper: 0.9 * lip(id) })), options);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.checks.find((c) => c.name === 'soundness')).toMatchObject({ status: 'failed', failed: 2 });
    // A cached reference is used as given (here a fake one that makes a sound claim look wrong).
    const cache = new Map<number, Reference>([[0, exactReference(100)]]);
    const fromCache = await runSession(cases.slice(0, 1), scriptedResponder((id) => claimsOf(id, { upper: 1.1 * lip(id) })), { ...options, referenceCache: cache });
    expect(fromCache.outcomes[0].reference!.exact).toBe(100);
    expect(fromCache.exitCode).toBe(1);
    const unsupported = scriptedResponder((id) => ({ id, kind: 'unsupported' }));
    const none = await runSession(cases, unsupported, options);
    expect(none.coverage).toEqual({ checked: 0, required: 1, enough: false });
    expect(none.exitCode).toBe(1);
    expect((await runSession(cases, unsupported, { ...options, minChecked: 0 })).exitCode).toBe(0);
    const good = scriptedResponder((id) => (id < 2 ? claimsOf(id, { upper: 2 * lip(id) }) : { id, kind: 'unsupported' }));
    expect((await runSession(cases, good, { ...options, minChecked: 2 })).coverage).toEqual({ checked: 2, required: 2, enough: true });
    expect((await runSession(cases, good, { ...options, minChecked: 3 })).exitCode).toBe(1);
  });
  it('does not keep a reference that stopped at a refuted claim (it is no reference for another implementation)', async () => {
    // A large case: lipcheck brackets it, and a lower claim ten times the constant is refuted by the first upper bound.
    const large = [unitCase(0, { network: ridgeNet(2, [1], [0.5]), size: 'large' })];
    const cache = new Map<number, Reference>();
    const r = await runSession(large, scriptedResponder((id) => claimsOf(id, { lower: 10 * lip(id) })), { ...options, referenceCache: cache });
    expect(r.outcomes[0].reference).toMatchObject({ exact: null, stoppedAtClaim: true });
    expect(r.outcomes[0].reference!.upper).toBeLessThan(10 * lip(0));
    expect(cache.size).toBe(0);
    expect(r.exitCode).toBe(1);
    const sound = await runSession(large, scriptedResponder((id) => claimsOf(id, { upper: 10 * lip(id) })), { ...options, referenceCache: cache });
    expect(sound.exitCode).toBe(0);
    expect([...cache.keys()]).toEqual([0]);
  });
  it('stops at the first fault, keeps its kind, saves the case for replay, and still closes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lipcheck-session-'));
    temps.push(dir);
    const responder = scriptedResponder((id) => {
      if (id === 1) throw new ImplementationFault('no answer in time', 'hang');
      return { id, kind: 'unsupported' };
    });
    const r = await runSession(cases, responder, { ...options, faultDir: join(dir, 'failures') });
    expect(responder.seen).toEqual([0, 1]);
    expect(responder.closedWith).toEqual([3]);
    const saved = join(dir, 'failures', 'case-1.jsonl');
    expect(r.fault).toEqual({ kind: 'hang', caseId: 1, message: 'no answer in time', savedTo: saved });
    expect(r.exitCode).toBe(3);
    expect(r.outcomes).toHaveLength(1);
    const text = readFileSync(saved, 'utf8');
    expect(text).toBe(caseToLine(cases[1]) + '\n');
    expect(casesFromLines(text, saved)[0].network.layers[1].weights[0]).toBe(2);
    // Any other error is an exception fault; nothing is saved with faultDir null, or where it cannot be.
    const plain = await runSession(cases, scriptedResponder(() => {
      throw new Error('oops');
    }), options);
    expect(plain.fault).toEqual({ kind: 'exception', caseId: 0, message: 'oops', savedTo: null });
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const unwritable = await runSession(cases, scriptedResponder(() => {
      throw new Error('oops');
    }), { ...options, faultDir: join(blocker, 'sub') });
    expect(unwritable.fault!.savedTo).toBeNull();
  });
  it('saves to lipcheck-failures/ in the working directory by default', async () => {
    // A case id no other test uses; the file (and the folder, when this test made it) is removed after.
    const odd = unitCase(987_654, { network: ridgeNet(2, [1], [0.5]) });
    const folderExisted = existsSync('lipcheck-failures');
    const path = join('lipcheck-failures', 'case-987654.jsonl');
    try {
      const r = await runSession([odd], scriptedResponder(() => {
        throw new Error('oops');
      }), { ...options, faultDir: undefined });
      expect(r.fault!.savedTo).toBe(path);
      expect(readFileSync(path, 'utf8')).toBe(caseToLine(odd) + '\n');
    } finally {
      rmSync(path, { force: true });
      if (!folderExisted) rmSync('lipcheck-failures', { recursive: true, force: true });
    }
  });
});

describe('runSession within a time budget', () => {
  it('starts nothing once the budget is spent, and gives the responder no grace', async () => {
    const responder = scriptedResponder((id) => claimsOf(id, { upper: 10 }));
    const r = await runSession(cases, responder, { ...options, budget: new Budget(0, Infinity, { origin: performance.now() - 1000 }) });
    expect(responder.seen).toEqual([]);
    expect(responder.closedWith).toEqual([0]);
    expect(r).toMatchObject({ stoppedOnTime: true, outcomes: [], exitCode: 1 });
  });
  it('does not start a case when the last one would not fit in what remains', async () => {
    class NoRoom extends Budget {
      constructor() {
        super(1000);
      }
      override fits(seconds: number): boolean {
        return seconds <= 0;
      }
    }
    const responder = scriptedResponder(async (id) => {
      await sleep(5);
      return { id, kind: 'unsupported' };
    });
    const r = await runSession(cases, responder, { ...options, budget: new NoRoom() });
    expect(responder.seen).toEqual([0]);
    expect(r.stoppedOnTime).toBe(true);
    expect(responder.closedWith[0]).toBeLessThanOrEqual(3);
    expect(responder.closedWith[0]).toBeGreaterThan(2.9);
  });
  it('stops waiting for an answer when the budget ends, and says how many shape cases were planned', async () => {
    const shapeCases = [2, 64, 8, 32].map((d, i) => unitCase(i, { d, shape: true }));
    const responder = scriptedResponder(async (id, call) => {
      if (call > 1) await sleep(2000);
      return { id, kind: 'unsupported' };
    });
    const started = performance.now();
    const r = await runSession(shapeCases, responder, { ...options, budget: new Budget(0.15) });
    expect(performance.now() - started).toBeLessThan(1500);
    expect(responder.seen).toEqual([0, 1]);
    expect(r).toMatchObject({ stoppedOnTime: true, fault: null });
    expect(r.outcomes).toHaveLength(1);
    expect(r.checks.find((c) => c.name === 'theorem-shape')!.notes).toContain('only 1 of the 4 shape cases were run before the time limit: the slope rests on those (a wider interval, less power)');
  });
  it('a budget far longer than any timer does not end the wait at once', async () => {
    const responder = scriptedResponder(async (id) => {
      await sleep(5);
      return { id, kind: 'unsupported' };
    });
    for (const budget of [new Budget(Infinity), new Budget(1e9)]) {
      const r = await runSession(cases, responder, { ...options, budget, minChecked: 0 });
      expect(r.stoppedOnTime).toBe(false);
      expect(r.outcomes).toHaveLength(4);
    }
  });
});
