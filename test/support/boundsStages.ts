import { afterEach, expect } from 'vitest';
import { certifiedBounds, type BoundsOptions, type BoundsResult } from '../../src/lipschitz/bounds.js';
import { Budget } from '../../src/lipschitz/budget.js';
import type { LipschitzQuery } from '../../src/lipschitz/query.js';
import { jacobian } from '../../src/network/evaluate.js';
import { operatorNorm } from '../../src/linalg/norms.js';
import type { Network } from '../../src/network/network.js';
import { box, fastMachineClock, net, tickingClock } from './lipschitzUnits.js';

/**
 * Shared by the unit tests of certifiedBounds' later stages (the MIPs, the cutting planes, the branch
 * and bound): hand-built nets whose MIPs are exact, and a run of certifiedBounds on a controlled
 * clock that leaves those stages their time.
 */

/**
 * f(x) = relu(x₁) − relu(−x₁ − 0.2) + relu(x₂) on [−1, 1]²: both x₁-neurons are unstable, but never
 * active together (x₁ ≥ 0 and x₁ ≤ −0.2, not even on a boundary), so the gradients are {0, 1}²:
 * Lip₁ = 1, Lip_∞ = 2, Lip₂ = √2, while every bound that ignores the patterns sees ∂f/∂x₁ ∈ [0, 2]
 * (interval, linear relaxation: 2, 3, √5). MIPs over realisable patterns are exact here.
 */
export const APART = net(2, [[[1, 0], [-1, 0], [0, 1]], [0, -0.2, 0]], [[[1, -1, 1]], [0]]);
/** APART's hidden layer with outputs (g₁, g₂) and (g₁, −g₂): ‖J‖₁ = ‖J‖_∞ = 2, Lip₂ = √2. */
export const APART2 = net(2, [[[1, 0], [-1, 0], [0, 1]], [0, -0.2, 0]], [[[1, -1, 1], [1, -1, -1]], [0, 0]]);
export const CUBE = box([-1, -1], [1, 1]);
export const onCube = (norm: LipschitzQuery['norm']): LipschitzQuery => ({ norm, box: CUBE });
/** A relative margin the MIP bounds stay within (MIP_MARGIN, 1e-6 relative and absolute, a few times over). */
export const MIP_SLACK = 1e-5;

/** A budget that remembers the last child it handed out (`share`): certifiedBounds' search budget, once the search runs. */
class Watched extends Budget {
  last: Budget | null = null;
  override share(fraction: number, maxCount = Infinity): Budget {
    return (this.last = super.share(fraction, maxCount));
  }
}

/**
 * For a test file of certifiedBounds' later stages: returns `run(net, query, seconds, options)`, which
 * runs certifiedBounds without exact (one region allowed) in `seconds` of a 1 ms-per-read clock on a
 * fast machine (fastMachineClock: HiGHS reads this clock too, about 44 reads per MIP here; with
 * `fastMachine` false the rate is measured on the clock itself, so a MIP's root LP is estimated at about
 * 0.4 s, 400 reads), and records the stages reported. At the search's first report (after the ascent) the clock jumps to the
 * end of the search's share, as if the search had taken all of it at once: the later stages get what
 * they would have had, and the test spends its time in them. `advance` moves the clock of the run in
 * progress; the real clock is restored after each test.
 */
export function stagesOnClock(): {
  run: (n: Network, query: LipschitzQuery, seconds: number, options?: BoundsOptions, fastMachine?: boolean) => Promise<{ r: BoundsResult; stages: string[]; uppers: number[] }>;
  advance: (seconds: number) => void;
} {
  let clock: ReturnType<typeof fastMachineClock> | null = null;
  afterEach(() => {
    clock?.restore();
    clock = null;
  });
  const run = async (n: Network, query: LipschitzQuery, seconds: number, options: BoundsOptions = {}, fastMachine = true) => {
    clock?.restore();
    const c = (clock = fastMachine ? fastMachineClock(1) : tickingClock(1));
    const stages: string[] = [];
    const uppers: number[] = [];
    const budget = new Watched(seconds);
    const onProgress: BoundsOptions['onProgress'] = (stage, fraction, lower, upper) => {
      if (stage === 'lower bound search' && !stages.includes(stage)) c.advance(budget.last!.remaining());
      stages.push(stage);
      uppers.push(upper);
      options.onProgress?.(stage, fraction, lower, upper);
    };
    const r = await certifiedBounds(n, query, { budget, maxExactRegions: 1, ...options, onProgress });
    return { r, stages, uppers };
  };
  return { run, advance: (seconds) => clock!.advance(seconds) };
}

/**
 * Not exact; the witness re-evaluates to `lower`; every bound is sound against `lip`; `upper` is the
 * least upper bound; no method took longer than the whole.
 */
export function expectSoundBracket(n: Network, query: LipschitzQuery, r: BoundsResult, lip: number): void {
  expect(r.exact).toBeNull();
  expect(operatorNorm(jacobian(n, r.witness), query.norm)).toBe(r.lower);
  expect(r.lower).toBeLessThanOrEqual(lip);
  for (const [name, m] of Object.entries(r.methods)) if (m.kind === 'upper') expect(m.value, name).toBeGreaterThanOrEqual(lip);
  expect(r.upper).toBe(Math.min(...Object.values(r.methods).filter((m) => m.kind === 'upper').map((m) => m.value)));
  for (const [name, m] of Object.entries(r.methods)) if (!Number.isNaN(m.seconds)) expect(m.seconds, name).toBeLessThanOrEqual(r.seconds);
}
