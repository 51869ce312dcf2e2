import { afterEach, describe, expect, it, vi } from 'vitest';
import { shapeCases, shapeCheck, shapeReference } from '../../../src/harness/shapeCheck.js';
import type { CaseOutcome } from '../../../src/harness/checks.js';
import { Budget } from '../../../src/lipschitz/budget.js';
import { secondsFor, svdFlops } from '../../../src/lipschitz/costs.js';
import { claimsOf, outcomeOf, ridgeNet, RoomFor, unitCase } from '../../support/harnessUnits.js';

// The theorem-shape check on synthetic answers whose log-log slope is known exactly: c·d^s over
// d = 2…64 is a straight line of slope s in log space (no residual, so the slope's range is the
// point s up to rounding), which the check must pass for s = ½ and refute for s = 0 and s = 1.
const DIMS = [2, 64, 8, 32, 4, 16];
const shapeCase = (id: number, d: number) => unitCase(id, { d, shape: true, description: `shape ${id}` });
const answers = (f: (d: number) => Parameters<typeof claimsOf>[1], dims = DIMS, firstId = 0): CaseOutcome[] =>
  dims.map((d, i) => outcomeOf(shapeCase(firstId + i, d), claimsOf(firstId + i, f(d))));

describe('theorem-shape on answers with a known slope', () => {
  it('passes estimates exactly 3·√d, with the fitted range in its notes', () => {
    const r = shapeCheck(answers((d) => ({ estimate: 3 * Math.sqrt(d) })));
    expect(r).toMatchObject({ name: 'theorem-shape', status: 'passed', checked: 6, failed: 0, first: null });
    expect(r.notes[0]).toBe('slope of log(answer) on log d over 6 He-random shallow networks (d = 2, 4, 8, 16, 32, 64); paper A: ½');
    expect(r.notes).toHaveLength(2);
    expect(r.notes[1]).toMatch(/^slope over the brackets \[0\.500, 0\.500\]/);
  });
  it('refutes a constant (slower) and c·d (faster), naming the exponent range and the first shape case', () => {
    const flat = shapeCheck([outcomeOf(unitCase(40), claimsOf(40, { estimate: 1 })), ...answers(() => ({ estimate: 5 }), DIMS, 7)]);
    expect(flat).toMatchObject({ status: 'failed', checked: 6, failed: 1 });
    expect(flat.first).toMatchObject({ check: 'theorem-shape', caseId: 7, description: '6 shape-check cases' });
    expect(flat.first!.message).toMatch(/^the answers grow like d\^-?0\.00…d\^-?0\.00, slower than the theorem's √d allows \(slope over the brackets .*; α = 0\.0001\)$/);
    expect(flat.notes).toHaveLength(1); // the fit's detail is in the message, not repeated
    const steep = shapeCheck(answers((d) => ({ estimate: 0.4 * d })));
    expect(steep.status).toBe('failed');
    expect(steep.first!.message).toMatch(/^the answers grow like d\^1\.00…d\^1\.00, faster than/);
  });
  it('reads exact before estimate, and a bracket only when both ends are given', () => {
    // exact grows like √d, the estimate is flat: exact wins.
    expect(shapeCheck(answers((d) => ({ exact: Math.sqrt(d), estimate: 5 }))).status).toBe('passed');
    expect(shapeCheck(answers((d) => ({ exact: 5, estimate: Math.sqrt(d) }))).status).toBe('failed');
    // A bracket [√d, 2√d]: its slope range is [½, ½] widened by the half-widths, inside the window.
    const bracket = shapeCheck(answers((d) => ({ lower: Math.sqrt(d), upper: 2 * Math.sqrt(d) })));
    expect(bracket).toMatchObject({ status: 'passed', checked: 6 });
    // A point estimate beats the bracket: a flat estimate with a √d bracket fails.
    expect(shapeCheck(answers((d) => ({ estimate: 5, lower: Math.sqrt(d), upper: 2 * Math.sqrt(d) }))).status).toBe('failed');
    // A bracket steep like d: refuted from its own ends.
    expect(shapeCheck(answers((d) => ({ lower: d, upper: 1.01 * d }))).status).toBe('failed');
    // One end only: nothing usable.
    for (const half of [(d: number) => ({ lower: Math.sqrt(d) }), (d: number) => ({ upper: Math.sqrt(d) })]) {
      const r = shapeCheck(answers(half));
      expect(r).toMatchObject({ status: 'skipped', checked: 0, failed: 0, first: null });
      expect(r.notes[0]).toContain('over 0 He-random shallow networks (d = none)');
      expect(r.notes.at(-1)).toBe('too few exact claims, estimates or brackets on these cases');
    }
  });
  it('flags a self-contradicting bracket (lower above upper)', () => {
    const r = shapeCheck(answers((d) => (d === 8 ? { lower: 3 * Math.sqrt(d), upper: Math.sqrt(d) } : { estimate: Math.sqrt(d) })));
    expect(r.status).toBe('failed');
    expect(r.first!.message).toMatch(/^the answers contradict themselves: slope test: the bracket at x = 8 is empty/);
  });
  it('uses only positive, finite answers on shape cases', () => {
    const zero = answers((d) => ({ estimate: d === 64 ? 0 : Math.sqrt(d) }));
    expect(shapeCheck(zero).checked).toBe(5);
    expect(shapeCheck(zero).notes[0]).toContain('(d = 2, 4, 8, 16, 32)');
    const infinite = answers((d) => (d === 64 ? { lower: 1, upper: Infinity } : { estimate: Math.sqrt(d) }));
    expect(shapeCheck(infinite).checked).toBe(5);
    // Non-shape cases and answers without claims do not count.
    const mixed = [
      ...answers((d) => ({ estimate: Math.sqrt(d) })),
      outcomeOf(unitCase(20, { d: 3 }), claimsOf(20, { estimate: 1e6 })),
      outcomeOf(shapeCase(21, 64), { id: 21, kind: 'unsupported' }),
      outcomeOf(shapeCase(22, 64), { id: 22, kind: 'error', message: 'no' }),
    ];
    const r = shapeCheck(mixed);
    expect(r).toMatchObject({ status: 'passed', checked: 6 });
  });
  it('skips with the reason: no shape cases, the time limit, too few answers, one dimension only', () => {
    const none = shapeCheck([outcomeOf(unitCase(1), claimsOf(1, { estimate: 2 }))]);
    expect(none).toMatchObject({ status: 'skipped', checked: 0 });
    expect(none.notes).toEqual(['slope of log(answer) on log d over 0 He-random shallow networks (d = none); paper A: ½', 'no shape cases in this run (they need p = 2, global constants, the first shard and no --no-shape)']);
    const two = answers((d) => ({ estimate: Math.sqrt(d) }), [2, 64]);
    expect(shapeCheck(two, 18).notes).toEqual([
      'slope of log(answer) on log d over 2 He-random shallow networks (d = 2, 64); paper A: ½',
      'only 2 of the 18 shape cases were run before the time limit: the slope rests on those (a wider interval, less power)',
      'the time limit ended the run before enough shape cases were run',
    ]);
    expect(shapeCheck(two).notes.at(-1)).toBe('too few exact claims, estimates or brackets on these cases');
    expect(shapeCheck(two, 2).notes).toHaveLength(2);
    // Three cases run of 18, two answered: not the time limit's fault any more.
    const three = [...two, outcomeOf(shapeCase(9, 8), { id: 9, kind: 'unsupported' })];
    expect(shapeCheck(three, 18).notes.at(-1)).toBe('too few exact claims, estimates or brackets on these cases');
    // Three answers at one d: no slope.
    const flat = shapeCheck(answers(() => ({ estimate: 2 }), [8, 8, 8]));
    expect(flat).toMatchObject({ status: 'skipped', checked: 0 });
    expect(flat.notes[0]).toContain('(d = 8)');
    // Three answers over two d: enough.
    expect(shapeCheck(answers((d) => ({ estimate: Math.sqrt(d) }), [8, 8, 32])).status).toBe('passed');
  });
  it('notes a run cut short only when fewer cases ran than were planned', () => {
    const six = answers((d) => ({ estimate: Math.sqrt(d) }));
    expect(shapeCheck(six, 18).notes[1]).toBe('only 6 of the 18 shape cases were run before the time limit: the slope rests on those (a wider interval, less power)');
    expect(shapeCheck(six, 18).status).toBe('passed');
    for (const planned of [6, 3, undefined]) expect(shapeCheck(six, planned).notes.join('\n')).not.toContain('time limit');
  });
});

// Made inside each test (not once per file), so that the mutation run sees the code that makes them.
describe('shape cases', () => {
  it('three rounds over d = 2, 64, 8, 32, 4, 16 of He-random d → max(d, 16) → 1 nets, numbered from firstId', () => {
    const cases = shapeCases(5, 10);
    expect(cases.map((c) => c.id)).toEqual(Array.from({ length: 18 }, (_, i) => 10 + i));
    expect(cases.map((c) => c.network.inputDim)).toEqual([...DIMS, ...DIMS, ...DIMS]);
    for (const c of cases) {
      const d = c.network.inputDim;
      const N = Math.max(d, 16);
      expect(c.network.layers.map((l) => [l.inDim, l.outDim])).toEqual([[d, N], [N, 1]]);
      expect(c).toMatchObject({ norm: '2', box: null, size: 'large', family: null, band: 'shallow', shape: true });
      expect(c.network.meta).toMatchObject({ bias: 'normal:1', weights: 'he-fanout' });
      expect(c.description).toBe(`shape-check He-random net d=${d} ${d}→${N}→1 bias normal:1, p=2, global`);
    }
  });
  it('every draw is a different network, and another seed gives other networks', () => {
    const cases = shapeCases(5, 10);
    const weights = (cs: typeof cases) => cs.map((c) => `${c.network.layers[0].weights[0]} ${c.network.layers[1].weights[0]} ${c.network.layers[0].biases[0]}`);
    expect(new Set(weights(cases)).size).toBe(18);
    const other = weights(shapeCases(6, 10));
    expect(other.some((w, i) => w === weights(cases)[i])).toBe(false);
  });
});

describe('the shape reference within a budget', () => {
  afterEach(() => vi.useRealTimers());
  // d = 2, one neuron relu(x₁ + x₂ + 1) with output weight 3: Lip₂ = 3√2, the Jacobian at the origin.
  const on = unitCase(0, { network: ridgeNet(2, [3], [1]), shape: true });
  /** The doc's cost model (multiply-adds) of the full reference at d inputs and N neurons. */
  const fullFlops = (d: number, N: number) => 8 * 200 * 2 * N * d + 4 * (N * N * d + N ** 3 / 3) + 50 * 3 * 2 * N * d + svdFlops(N, d) + 16 * N * d;

  it('with room for the pattern search: a bracket of the true constant, nothing skipped', async () => {
    const budget = new RoomFor(Infinity);
    const r = await shapeReference(on, budget);
    expect(r.exact).toBeNull();
    expect(r.lower).toBeCloseTo(3 * Math.SQRT2, 12);
    expect(r.upper).toBeGreaterThanOrEqual(3 * Math.SQRT2 * (1 - 1e-12));
    expect(r.upper).toBeLessThan(3 * Math.SQRT2 * 1.01);
    expect(budget.skipped).toEqual([]);
    expect(r.seconds).toBeGreaterThanOrEqual(0);
  });
  it('is the full search exactly when the cost model fits (a controlled clock), and says how long it took', async () => {
    vi.useFakeTimers({ toFake: ['performance'], now: 0 });
    // d = 3 inputs, N = 2 neurons (distinct, and N ≠ 1, so that every factor of the model counts).
    const two = unitCase(2, { network: ridgeNet(3, [3, 0.5], [1, 1]), shape: true });
    const seconds = secondsFor(fullFlops(3, 2));
    const fits = new Budget(seconds);
    await shapeReference(two, fits);
    expect(fits.skipped).toEqual([]);
    const short = new Budget(seconds * (1 - 1e-9));
    await shapeReference(two, short);
    expect(short.skipped[0]).toBe('shape-case pattern search');
    vi.advanceTimersByTime(1234);
    vi.useRealTimers();
    const started = performance.now();
    for (const budget of [new RoomFor(Infinity), new Budget(0)]) {
      const r = await shapeReference(two, budget);
      expect(r.seconds).toBeGreaterThanOrEqual(0);
      expect(r.seconds).toBeLessThanOrEqual((performance.now() - started) / 1000);
    }
  });
  it('without that room: the gradient at the origin and the operator-norm product, or no upper bound', async () => {
    const svd = secondsFor(svdFlops(1, 2));
    const roomForSvd = new RoomFor(svd);
    const r = await shapeReference(on, roomForSvd);
    expect(roomForSvd.skipped).toEqual(['shape-case pattern search']);
    expect(roomForSvd.stoppedOnTime).toBe(true);
    expect(r.lower).toBeCloseTo(3 * Math.SQRT2, 12); // all neurons on at the origin
    expect(Array.from(r.witness)).toEqual([0, 0]);
    // ‖W₀‖₂·|3| = √2·3, with a rounding allowance (a few units of γ).
    expect(r.upper).toBeGreaterThanOrEqual(3 * Math.SQRT2);
    expect(r.upper).toBeLessThan(3 * Math.SQRT2 * (1 + 1e-8));
    const noSvd = new RoomFor(svd * (1 - 1e-9));
    const bare = await shapeReference(on, noSvd);
    expect(noSvd.skipped).toEqual(['shape-case pattern search', 'shape-case upper bound']);
    expect(bare.upper).toBe(Infinity);
    expect(bare.lower).toBeCloseTo(3 * Math.SQRT2, 12);
    // The origin on a kink (bias 0): no witness there, lower bound 0 at the origin.
    const kink = await shapeReference(unitCase(1, { network: ridgeNet(3, [2], [0]), shape: true }), new Budget(0));
    expect(kink.lower).toBe(0);
    expect(Array.from(kink.witness)).toEqual([0, 0, 0]);
    expect(kink.upper).toBe(Infinity);
  });
});
