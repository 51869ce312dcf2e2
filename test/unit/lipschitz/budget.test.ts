import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Budget, timed } from '../../../src/lipschitz/budget.js';

// A controlled clock: performance.now() moves only when the test advances it (ms).
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['performance'], now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});
const advance = (seconds: number) => vi.advanceTimersByTime(seconds * 1000);

describe('Budget on a controlled clock', () => {
  it('counts elapsed and remaining seconds from its origin, never below zero', () => {
    advance(5);
    const b = new Budget(10);
    expect(b.elapsed()).toBe(0);
    advance(4);
    expect(b.elapsed()).toBe(4);
    expect(b.remaining()).toBe(6);
    advance(10);
    expect(b.remaining()).toBe(0);
    // From an earlier origin (here the process start, time 0), the time already spent is gone.
    expect(Budget.sinceProcessStart(30).elapsed()).toBe(19);
    expect(new Budget(30, Infinity, { origin: 9000 }).elapsed()).toBe(10);
  });
  it('runs out strictly after its limit, remembers it, and tells its ancestors', () => {
    const root = new Budget(100);
    const child = root.within(2);
    const grandchild = child.within(1);
    advance(1);
    expect(grandchild.exceeded()).toBe(null); // exactly at the limit: not yet
    expect(grandchild.stoppedOnTime).toBe(false);
    advance(0.001);
    expect(grandchild.exceeded()).toBe('time');
    expect([grandchild.stoppedOnTime, child.stoppedOnTime, root.stoppedOnTime]).toEqual([true, true, true]);
    expect(child.exceeded()).toBe(null);
    expect(root.exceeded()).toBe(null);
  });
  it('counts items strictly above its count limit, before looking at the time', () => {
    const b = new Budget(0, 3);
    advance(1);
    expect(b.exceeded(3)).toBe('time');
    expect(b.exceeded(4)).toBe('count');
    expect(new Budget(1, 3).exceeded(3)).toBe(null);
    expect(new Budget(1).exceeded()).toBe(null);
  });
  it('shares a fraction of what remains now, clamped to [0, 1], with its own count limit', () => {
    const root = new Budget(10);
    advance(2);
    expect(root.share(0.25).timeLimit).toBe(2);
    expect(root.share(0.25, 7).maxCount).toBe(7);
    expect(root.share(0.25).maxCount).toBe(Infinity);
    expect(root.share(3).timeLimit).toBe(8);
    expect(root.share(-1).timeLimit).toBe(0);
    expect(new Budget(Infinity).share(0).timeLimit).toBe(0); // not 0·∞ = NaN
    expect(new Budget(Infinity).share(1).timeLimit).toBe(Infinity);
  });
  it('gives a child at most the seconds asked for and never more than remains', () => {
    const root = new Budget(10);
    advance(4);
    expect(root.within(3).timeLimit).toBe(3);
    expect(root.within(30).timeLimit).toBe(6);
    expect(root.within(-5).timeLimit).toBe(0);
    expect(root.within(3, 9).maxCount).toBe(9);
    expect(root.within(3).maxCount).toBe(Infinity);
    // The child's clock starts now.
    const child = root.within(3);
    advance(3.5);
    expect(child.exceeded()).toBe('time');
    expect(root.exceeded()).toBe(null);
  });
  it('says a step fits when its estimate is at most what remains', () => {
    const b = new Budget(10);
    advance(4);
    expect(b.fits(6)).toBe(true);
    expect(b.fits(6.001)).toBe(false);
    expect(b.fits(0)).toBe(true);
    advance(10);
    expect(b.fits(0)).toBe(true);
    expect(b.fits(1e-9)).toBe(false);
  });
  it('lists skipped steps once, here and in every ancestor, counting as stopped on time', () => {
    const root = new Budget(10);
    const child = root.share(0.5);
    const sibling = root.share(0.5);
    child.skip('the SVD');
    child.skip('the SVD');
    root.skip('the MIPs');
    expect(child.skipped).toEqual(['the SVD']);
    expect(root.skipped).toEqual(['the SVD', 'the MIPs']);
    expect(sibling.skipped).toEqual([]);
    expect([child.stoppedOnTime, root.stoppedOnTime, sibling.stoppedOnTime]).toEqual([true, true, false]);
    // A grandchild that runs out marks its parent even when the grandparent already ran out.
    const late = root.within(1).within(1);
    advance(2);
    expect(late.exceeded()).toBe('time');
    expect(late.stoppedOnTime).toBe(true);
  });
  it('a stop already recorded higher up does not stop the walk below it', () => {
    const root = new Budget(100);
    const mid = root.within(50);
    root.skip('x'); // root ran out (stopped on time); mid did not
    expect(mid.stoppedOnTime).toBe(false);
    const leaf = mid.within(1);
    advance(1.5);
    leaf.exceeded();
    expect([leaf.stoppedOnTime, mid.stoppedOnTime]).toEqual([true, true]);
  });
});

describe('timed', () => {
  it('returns the value and the seconds the call took', () => {
    advance(7);
    expect(timed(() => {
      advance(1.5);
      return 'v';
    })).toEqual(['v', 1.5]);
  });
});
