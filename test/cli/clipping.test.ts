import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { measuredBox } from '../../src/cli/clipping.js';
import { boxToPairs, parseBox } from '../../src/lipschitz/query.js';
import { parseNnet } from '../../src/io/nnet.js';
import { stringifyReluMlp } from '../../src/network/format.js';
import { createStream } from '../../src/random/stream.js';

const dir = mkdtempSync(join(tmpdir(), 'lipcheck-clipping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * An NNet whose folded network has its steep part outside the input box [0, 1]²: no normalisation,
 * f(x) = 10·ρ(x₁ − 5) + ρ(x₂ + 10). The format's function clips first, so on ℝ² it is
 * g(x) = clip(x₂, 0, 1) + 10: its gradient is (0, 1) or 0, hence Lip_p(g) = 1 for every p
 * (analytic). The folded network alone has Lip₂ = ‖(10, 1)‖₂ = √101 (the region x₁ > 5, x₂ > −10),
 * Lip₁ = max column sum 10 and Lip_∞ = ‖(10, 1)‖₁ = 11.
 */
const steepOutside = `// steep outside its box
2,2,1,2,
2,2,1,
0,
0.0,0.0,
1.0,1.0,
0.0,0.0,0.0,
1.0,1.0,1.0,
1.0,0.0,
0.0,1.0,
-5.0,
10.0,
10.0,1.0,
0.0,
`;
const nnetFile = join(dir, 'steep.nnet');
writeFileSync(nnetFile, steepOutside);
const net = parseNnet(steepOutside, nnetFile);
/** The same network without the clipping (a relu-mlp copy whose meta says nothing of it). */
const unclippedFile = join(dir, 'unclipped.json');
writeFileSync(unclippedFile, stringifyReluMlp({ ...net, meta: {} }));
/** The format's function, written from its definition: clip, then the layers. */
const g = (x: number[]) => 10 * Math.max(Math.min(Math.max(x[0], 0), 1) - 5, 0) + Math.max(Math.min(Math.max(x[1], 0), 1) + 10, 0);

describe('a network that clips: exact, bounds and verify measure the clipped function', () => {
  it('sampled difference quotients of the format\'s function stay ≤ 1 and reach it (the analytic constant is right)', () => {
    const rng = createStream(11, 'clipping');
    let best = 0;
    for (let t = 0; t < 2000; t++) {
      const x = [rng.gaussian() * 8, rng.gaussian() * 2];
      const y = [x[0] + rng.gaussian(), x[1] + rng.gaussian() * 0.1];
      const q = Math.abs(g(x) - g(y)) / Math.hypot(x[0] - y[0], x[1] - y[1]);
      expect(q).toBeLessThanOrEqual(1 + 1e-12);
      best = Math.max(best, q);
    }
    expect(best).toBeGreaterThan(0.9);
  });
  it.each([
    ['2', Math.sqrt(101)],
    ['1', 10],
    ['inf', 11],
  ])('exact --norm %s: 1 without --box (one line says it measured on the input box); the unclipped copy gives its own constant', async (norm, unclipped) => {
    const r = await cli('exact', nnetFile, '--norm', norm);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^note: the network clips its inputs to its input box \[0, 1\]×\[0, 1\], so its global constant is measured there/m);
    const json = JSON.parse((await cli('exact', nnetFile, '--norm', norm, '--json')).stdout);
    expect(json.lipschitz).toBeCloseTo(1, 12);
    expect(json.box).toEqual([[0, 1], [0, 1]]);
    expect(json.note).toMatch(/clips its inputs/);
    const copy = JSON.parse((await cli('exact', unclippedFile, '--norm', norm, '--json')).stdout);
    expect(copy.lipschitz).toBeCloseTo(unclipped, 12);
    expect(copy.note).toBeUndefined();
  });
  it('bounds and verify use the same box; --box is intersected with the input box', async () => {
    const b = JSON.parse((await cli('bounds', nnetFile, '--json', '--time-limit', '5')).stdout);
    expect(b.lower).toBeLessThanOrEqual(1 + 1e-12);
    expect(b.upper).toBeGreaterThanOrEqual(1 - 1e-12);
    expect(b.upper).toBeLessThan(2); // the folded network's √101 would be a loose bracket of the wrong function
    const proven = await cli('verify', nnetFile, '--upper', '1.000001');
    expect(proven.code).toBe(0);
    expect(proven.stdout).toMatch(/^note: the network clips its inputs/m);
    expect((await cli('verify', unclippedFile, '--upper', '1.000001')).code).toBe(1);
    const wide = await cli('exact', nnetFile, '--box=-4:8,0.5:3', '--json');
    const out = JSON.parse(wide.stdout);
    expect(out.box).toEqual([[0, 1], [0.5, 1]]);
    expect(out.note).toMatch(/its constant on --box is measured on the part inside it, \[0, 1\]×\[0\.5, 1\]/);
    expect(out.lipschitz).toBeCloseTo(1, 12);
    const inside = JSON.parse((await cli('exact', nnetFile, '--box=0.2:0.4,0:1', '--json')).stdout);
    expect(inside.box).toEqual([[0.2, 0.4], [0, 1]]);
    expect(inside.note).toBeUndefined();
  });
  it('refuses a --box that misses the input box in some input, with one line', async () => {
    const r = await cli('exact', nnetFile, '--box=2:3,0:1');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "lipcheck: --box: interval 1 [2, 3] does not overlap the input box's [0, 1], where the network clips input 1: there it does not depend on that input; give a box that meets the input box\n",
    );
  });
});

describe('measuredBox, the one rule', () => {
  const clipping = (box: [number, number][]) => ({ ...net, meta: { inputBox: box, clipsInputs: true } });
  it('leaves a network that does not clip alone, whatever its meta.inputBox', () => {
    const box = parseBox('5:6', 2);
    expect(measuredBox({ ...net, meta: { inputBox: [[0, 1], [0, 1]] } }, box)).toEqual({ box, note: null });
    expect(measuredBox({ ...net, meta: {} }, null)).toEqual({ box: null, note: null });
  });
  it('refuses an input box of zero width (the clipped function ignores that input)', () => {
    expect(() => measuredBox(clipping([[0, 1], [2, 2]]), null)).toThrow(/clips input 2 to the single value 2/);
  });
  it('touching boxes have no common interior', () => {
    expect(() => measuredBox(clipping([[0, 1], [0, 1]]), parseBox('1:2,0:1', 2))).toThrow(/interval 1 \[1, 2\] does not overlap/);
    expect(boxToPairs(measuredBox(clipping([[0, 1], [0, 1]]), parseBox('0.5:2,-1:0.5', 2)).box)).toEqual([
      [0.5, 1],
      [0, 0.5],
    ]);
  });
});
