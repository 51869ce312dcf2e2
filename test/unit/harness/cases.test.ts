import { describe, expect, it } from 'vitest';
import { casesFromLines, casesFromNetwork, caseToLine, generateCases, requestOf, type ConformanceCase } from '../../../src/harness/cases.js';
import { exactLipschitz } from '../../../src/lipschitz/exact/index.js';
import type { Norm } from '../../../src/linalg/norms.js';
import { hiddenWidths, outputDim } from '../../../src/network/network.js';
import { biasLawNames } from '../../../src/random/biasLaws.js';
import { bandFor } from '../../../src/theory/bands.js';
import { ridgeNet } from '../../support/harnessUnits.js';

// Properties of the generated case mix (seeded), not its exact draws: every base network's kind
// follows its index (tiny, tiny, band, large), its sizes and bias law stay in their ranges, every
// third base brings two transformed copies whose constants are the stated multiple of the base's
// (checked with the exact solver on the tiny ones), and sharding and the options select as documented.
const SYMMETRIC = biasLawNames({ symmetricOnly: true });
const RUNS = 24;
// Seed 0: a draw in which every option of the mix comes up at least once among the 24 bases (about
// a third of the seeds do; the rarest, three outputs on a large net, has probability 0.2 per large base).
// Made inside each test (not once per file), so that the mutation run sees the code that makes them.
const mix = () => {
  const all = generateCases({ seed: 0, runs: RUNS, shape: false });
  return { all, bases: all.filter((c) => c.family === null) };
};
const kindOf = (i: number) => ['tiny', 'tiny', 'band', 'large'][i % 4];
const biasName = (c: ConformanceCase) => /bias (\S+),/.exec(c.description)![1];
const exactLip = (c: ConformanceCase) => {
  const r = exactLipschitz(c.network, { norm: c.norm, box: c.box });
  if (r.kind !== 'exact') throw new Error(`case ${c.id} not exact`);
  return r.lipschitz;
};

describe('generateCases', () => {
  it('numbers the cases 0…n−1 and follows each base with its copies (two for every third base)', () => {
    const { all, bases } = mix();
    expect(bases).toHaveLength(RUNS);
    all.forEach((c, i) => expect(c.id).toBe(i));
    bases.forEach((b, i) => {
      const copies = all.filter((c) => c.family?.base === b.id);
      expect(copies.map((c) => c.id)).toEqual(i % 3 === 0 ? [b.id + 1, b.id + 2] : []);
      for (const c of copies) {
        expect(c).toMatchObject({ norm: b.norm, size: b.size, band: null });
        expect(c.description).toBe(`${c.family!.transformation} of case ${b.id}`);
        expect(c.box === null).toBe(b.box === null);
        if (c.box) expect(c.box.lo.length).toBe(c.network.inputDim);
      }
      if (copies.length === 2) expect(copies[0].family!.transformation).not.toBe(copies[1].family!.transformation);
    });
  });
  it('copies have the stated constant: Lip(copy) = factor · Lip(base), on the tiny cases by the exact solver', () => {
    const { all, bases } = mix();
    let checked = 0;
    // The cheap ones (d = 1: a millisecond each; d = 2 and 3 can take a second), a box among them.
    for (const b of bases.filter((c) => c.description.startsWith('tiny net') && c.network.inputDim === 1)) {
      const copies = all.filter((c) => c.family?.base === b.id);
      if (copies.length === 0 || checked >= 6) continue;
      const lip = exactLip(b);
      for (const c of copies) {
        expect(exactLip(c)).toBeCloseTo(Math.abs(c.family!.factor) * lip, 6);
        checked++;
      }
    }
    expect(checked).toBe(6);
  });
  it('tiny bases: d 1–3, 1–3 hidden layers of 2–7, one or two outputs, the symmetric bias laws in turn', () => {
    const { bases } = mix();
    const tiny = bases.filter((_, i) => kindOf(i) === 'tiny');
    bases.forEach((b, i) => {
      if (kindOf(i) !== 'tiny') return;
      expect(b.size).toBe('tiny');
      expect(b.band).toBeNull();
      expect(biasName(b)).toBe(SYMMETRIC[i % SYMMETRIC.length]);
      expect(b.description).toMatch(/^tiny net d=\d /);
    });
    const seen = (f: (c: ConformanceCase) => number) => [...new Set(tiny.map(f))].sort((a, b) => a - b);
    expect(seen((c) => c.network.inputDim)).toEqual([1, 2, 3]);
    expect(seen((c) => c.network.layers.length - 1)).toEqual([1, 2, 3]);
    expect([...new Set(tiny.flatMap((c) => hiddenWidths(c.network)))].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(seen((c) => outputDim(c.network))).toEqual([1, 2]);
  });
  it('band bases: He-random d 2–3 shallow nets, widths 8…128 by index, no zero bias, global, with their band', () => {
    const { bases } = mix();
    bases.forEach((b, i) => {
      if (kindOf(i) !== 'band') return;
      expect(b.size).toBe('tiny');
      expect([2, 3]).toContain(b.network.inputDim);
      expect(hiddenWidths(b.network)).toEqual([[8, 16, 32, 64, 128][Math.floor(i / 4) % 5]]);
      expect(outputDim(b.network)).toBe(1);
      expect(SYMMETRIC.filter((n) => n !== 'zero')).toContain(biasName(b));
      expect(b.box).toBeNull();
      expect(b.band).toBe(bandFor(b.norm, 1, 1));
      expect(b.band).not.toBeNull();
      expect(b.description).toMatch(/^tiny He-random net d=\d \d+→1 bias /);
    });
  });
  it('large bases: d 4–8, one hidden layer of 32 or 64 or two of 24, one or three outputs, bias normal, uniform or laplace', () => {
    const { bases } = mix();
    const large = bases.filter((_, i) => kindOf(i) === 'large');
    for (const b of large) {
      expect(b).toMatchObject({ size: 'large', band: null });
      expect(b.network.inputDim).toBeGreaterThanOrEqual(4);
      expect(b.network.inputDim).toBeLessThanOrEqual(8);
      expect(['normal:1', 'uniform:1', 'laplace:1']).toContain(biasName(b));
      expect(b.description).toMatch(/^large net d=\d /);
    }
    expect(new Set(large.map((b) => hiddenWidths(b.network).join('→')))).toEqual(new Set(['32', '64', '24→24']));
    expect(new Set(large.map((b) => outputDim(b.network)))).toEqual(new Set([1, 3]));
    // Not kinds of their own: a band net is never 'large', nor a large one He-random.
    expect(bases.filter((b) => b.size === 'large')).toHaveLength(large.length);
  });
  it('boxes: some non-band bases local, each box a cube of one of four widths around a point; the descriptions say so', () => {
    const { bases } = mix();
    const local = bases.filter((b) => b.box !== null);
    expect(local.length).toBeGreaterThan(3);
    expect(bases.filter((b, i) => b.box === null && kindOf(i) !== 'band').length).toBeGreaterThan(3);
    for (const b of bases) {
      expect(b.description.endsWith(b.box ? ', box' : ', global')).toBe(true);
      expect(b.description).toContain(`p=${b.norm},`);
      expect(b.description).toContain(`d=${b.network.inputDim} `);
      expect(b.description).toContain(` ${b.network.layers.map((l) => l.outDim).join('→')} bias `);
      if (!b.box) continue;
      expect(b.box.lo.length).toBe(b.network.inputDim);
      const widths = Array.from(b.box.lo, (lo, k) => b.box!.hi[k] - lo);
      const w = widths[0];
      expect([0.05, 0.3, 1, 3].some((x) => Math.abs(x - w) < 1e-12)).toBe(true);
      for (const x of widths) expect(x).toBeCloseTo(w, 12);
    }
    const norms = new Set(bases.map((b) => b.norm));
    expect(norms).toEqual(new Set(['1', '2', 'inf']));
  });
  it('options: the domains, the norms, the number of runs, the shape cases', () => {
    const global = generateCases({ seed: 11, runs: 8, domains: 'global', shape: false });
    expect(global.every((c) => c.box === null)).toBe(true);
    const local = generateCases({ seed: 11, runs: 8, domains: 'local' });
    expect(local.every((c) => c.box !== null && c.band === null && !c.shape)).toBe(true);
    const inf = generateCases({ seed: 11, runs: 8, norms: ['inf'] });
    expect(inf.every((c) => c.norm === 'inf')).toBe(true);
    expect(inf.some((c) => c.shape)).toBe(false);
    expect(generateCases({ seed: 11, shape: false }).filter((c) => c.family === null)).toHaveLength(24);
    const withShape = generateCases({ seed: 11, runs: 2, norms: ['2'] });
    expect(withShape.filter((c) => c.shape)).toHaveLength(18);
    expect(withShape.filter((c) => c.shape).map((c) => c.id)).toEqual(Array.from({ length: 18 }, (_, k) => withShape.length - 18 + k));
    expect(generateCases({ seed: 11, runs: 2 }).some((c) => c.shape)).toBe(true);
    expect(generateCases({ seed: 11, runs: 2, shape: true, shard: { index: 2, count: 2 } }).some((c) => c.shape)).toBe(false);
  });
  it('a shard takes every count-th base (offset index − 1) with its copies, the same networks renumbered', () => {
    const sig = (c: ConformanceCase) => `${c.description.replace(/of case \d+$/, '')} ${c.network.layers[0].weights[0]}`;
    for (const index of [1, 2, 3]) {
      const shard = generateCases({ seed: 11, runs: 12, shard: { index, count: 3 }, shape: false });
      const full = generateCases({ seed: 11, runs: 12, shape: false });
      const expected = full.filter((c) => {
        const baseId = c.family?.base ?? c.id;
        const i = full.filter((b) => b.family === null).findIndex((b) => b.id === baseId);
        return i % 3 === index - 1;
      });
      expect(shard.map(sig)).toEqual(expected.map(sig));
      shard.forEach((c, k) => expect(c.id).toBe(k));
    }
  });
});

describe('saved cases', () => {
  it('round-trip through caseToLine and casesFromLines, with every field', () => {
    const { all } = mix();
    const some = [...all.slice(0, 6), ...generateCases({ seed: 1, runs: 1, norms: ['2'], domains: 'global' }).filter((c) => c.shape).slice(0, 1)];
    const text = some.map(caseToLine).join('\n\n  \n');
    const back = casesFromLines(text, 'saved.jsonl');
    expect(back).toHaveLength(some.length);
    back.forEach((c, k) => {
      const o = some[k];
      expect({ ...c, network: null }).toEqual({ ...o, network: null });
      expect(Array.from(c.network.layers[0].weights)).toEqual(Array.from(o.network.layers[0].weights));
      expect('shape' in c).toBe(o.shape === true);
    });
    expect(some.some((c) => c.box !== null) && some.some((c) => c.family !== null) && some.some((c) => c.size === 'large')).toBe(true);
    expect(JSON.parse(caseToLine(all[0])).meta).not.toHaveProperty('shape');
    expect(JSON.parse(caseToLine(some.at(-1)!)).meta.shape).toBe(true);
  });
  it('the request: the network document, the norm and the box as pairs', () => {
    const { bases } = mix();
    const box = bases.find((b) => b.box !== null)!;
    const r = requestOf(box);
    expect(r).toMatchObject({ id: box.id, norm: box.norm });
    expect(r.box).toEqual(Array.from(box.box!.lo, (lo, k) => [lo, box.box!.hi[k]]));
    expect(requestOf(bases.find((b) => b.box === null)!).box).toBeNull();
  });
  it('bare requests get defaults: id = line index, norm 2, tiny, no family, band or shape, a description naming the line', () => {
    const { all } = mix();
    const network = JSON.parse(JSON.stringify(requestOf(all.find((c) => c.network.inputDim === 2)!).network));
    const lines = [JSON.stringify({ network }), JSON.stringify({ id: 'x', network, norm: 'inf', box: [[0, 1], [0, 1]], meta: { size: 'huge', shape: 'yes' } })];
    const [a, b] = casesFromLines(lines.join('\n'), 'bare.jsonl');
    expect(a).toEqual({ id: 0, network: a.network, norm: '2', box: null, size: 'tiny', family: null, band: null, description: 'case 1 of bare.jsonl' });
    expect(b).toMatchObject({ id: 1, norm: 'inf', size: 'tiny', description: 'case 2 of bare.jsonl' });
    expect(Array.from(b.box!.hi)).toEqual([1, 1]);
    expect('shape' in b).toBe(false);
    const large = casesFromLines(JSON.stringify({ id: 4, network, meta: { size: 'large', band: 'shallow' } }), 'x');
    expect(large[0]).toMatchObject({ id: 4, size: 'large', band: 'shallow' });
  });
  it('bad lines: one-line errors naming the file and the line', () => {
    const { all } = mix();
    const network = requestOf(all.find((c) => c.network.inputDim === 2)!).network;
    const ok = JSON.stringify({ id: 0, network });
    expect(() => casesFromLines(`${ok}\n{oops`, 'f.jsonl')).toThrow(/^f\.jsonl: line 2: not JSON$/);
    expect(() => casesFromLines(`${ok}\n${JSON.stringify({ network, norm: '3' })}`, 'f.jsonl')).toThrow(/^f\.jsonl: line 2: norm must be "2", "1" or "inf"$/);
    expect(() => casesFromLines(JSON.stringify({ network, box: [[0, 1]] }), 'f.jsonl')).toThrow(/^f\.jsonl: line 1: box: /);
    expect(() => casesFromLines(JSON.stringify({ network: { layers: 3 } }), 'f.jsonl')).toThrow(/^f\.jsonl: line 1: network/);
  });
});

describe('casesFromNetwork', () => {
  const net = ridgeNet(2, [2, -1], [0.5, 1]);
  it('a global and a local case per norm, each with the scaled and shifted output copies', () => {
    const feasible: [Norm, boolean][] = [];
    const cases = casesFromNetwork(net, { seed: 4, exactFeasible: (_, norm, box) => (feasible.push([norm, box !== null]), norm !== 'inf') });
    expect(cases).toHaveLength(18);
    cases.forEach((c, i) => expect(c.id).toBe(i));
    expect(feasible).toEqual([['2', false], ['2', true], ['1', false], ['1', true], ['inf', false], ['inf', true]]);
    const bases = cases.filter((c) => c.family === null);
    expect(bases.map((c) => [c.norm, c.box === null, c.size])).toEqual([
      ['2', true, 'tiny'], ['2', false, 'tiny'], ['1', true, 'tiny'], ['1', false, 'tiny'], ['inf', true, 'large'], ['inf', false, 'large'],
    ]);
    for (const b of bases) {
      expect(b.network).toBe(net);
      expect(b.description).toBe(`the given network, p=${b.norm}, ${b.box ? 'box' : 'global'}`);
      if (b.box) expect([Array.from(b.box.lo), Array.from(b.box.hi)]).toEqual([[-1, -1], [1, 1]]);
      const copies = cases.filter((c) => c.family?.base === b.id);
      expect(copies.map((c) => c.id)).toEqual([b.id + 1, b.id + 2]);
      expect(copies.map((c) => c.family!.transformation)).toEqual([expect.stringMatching(/^scale output by /), expect.stringMatching(/^add .* to the output bias$/)]);
      for (const c of copies) {
        expect(c).toMatchObject({ norm: b.norm, size: b.size, band: null, description: `${c.family!.transformation} of case ${b.id}` });
        expect(c.box === null).toBe(b.box === null);
        // The output scaled by s: every value s times the base's (here at x = (0.3, −0.2)); shifted: plus a constant.
      }
      expect(exactLip(copies[0])).toBeCloseTo(Math.abs(copies[0].family!.factor) * exactLip(b), 9);
      expect(copies[1].family!.factor).toBe(1);
    }
  });
  it('the domains option, and the box a network brings (NNet) when it fits its input', () => {
    expect(casesFromNetwork(net, { seed: 4, domains: 'global', norms: ['2'], exactFeasible: () => true }).every((c) => c.box === null)).toBe(true);
    const local = casesFromNetwork(net, { seed: 4, domains: 'local', norms: ['1'], exactFeasible: () => true });
    expect(local).toHaveLength(3);
    expect(local.every((c) => c.box !== null && c.norm === '1')).toBe(true);
    const boxed = { ...net, meta: { inputBox: [[0, 2], [-3, 1]] } };
    const [withBox] = casesFromNetwork(boxed, { seed: 4, domains: 'local', exactFeasible: () => true });
    expect([Array.from(withBox.box!.lo), Array.from(withBox.box!.hi)]).toEqual([[0, -3], [2, 1]]);
    const wrong = { ...net, meta: { inputBox: [[0, 2]] } };
    const [fallback] = casesFromNetwork(wrong, { seed: 4, domains: 'local', exactFeasible: () => true });
    expect([Array.from(fallback.box!.lo), Array.from(fallback.box!.hi)]).toEqual([[-1, -1], [1, 1]]);
  });
});
