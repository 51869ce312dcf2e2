import { describe, expect, it } from 'vitest';
import { parseResponse, ProtocolFault } from '../../src/harness/protocol.js';
import { casesFromLines, caseToLine, generateCases, requestOf } from '../../src/harness/cases.js';
import { stringifyReluMlp } from '../../src/network/format.js';

describe('response lines', () => {
  it('accepts any subset of claims, unsupported and error', () => {
    expect(parseResponse('{"id": 3, "upper": 2.5}', 3)).toEqual({ id: 3, kind: 'claims', upper: 2.5 });
    expect(parseResponse('{"id": 3, "lower": 1, "upper": 2, "exact": 1.5, "estimate": 1.4}', 3)).toMatchObject({ lower: 1, upper: 2, exact: 1.5, estimate: 1.4 });
    expect(parseResponse('{"id": 3, "unsupported": true}', 3)).toEqual({ id: 3, kind: 'unsupported' });
    expect(parseResponse('{"id": 3, "error": "out of memory"}', 3)).toEqual({ id: 3, kind: 'error', message: 'out of memory' });
  });
  it.each([
    ['hello', /not JSON/],
    ['[1]', /not a JSON object/],
    ['{"id": 4, "upper": 1}', /wrong id: expected 3, got 4/],
    ['{"upper": 1}', /wrong id/],
    ['{"id": 3, "upper": NaN}', /not JSON/],
    ['{"id": 3, "upper": "2"}', /"upper" is not a finite number/],
    ['{"id": 3, "upper": null}', /"upper" is not a finite number/],
    ['{"id": 3, "upper": -1}', /"upper" is negative/],
    ['{"id": 3}', /no claim/],
  ])('refuses %s', (line, message) => {
    expect(() => parseResponse(line, 3)).toThrow(ProtocolFault);
    expect(() => parseResponse(line, 3)).toThrow(message);
  });
});

describe('case mix', () => {
  it('is deterministic from the seed and mixes sizes, domains, norms, families and bands', () => {
    const a = generateCases({ seed: 1, runs: 24 });
    const b = generateCases({ seed: 1, runs: 24 });
    expect(a.map(caseToLine)).toEqual(b.map(caseToLine));
    expect(generateCases({ seed: 2, runs: 24 }).map(caseToLine)).not.toEqual(a.map(caseToLine));
    expect(new Set(a.map((c) => c.size))).toEqual(new Set(['tiny', 'large']));
    expect(a.some((c) => c.box !== null) && a.some((c) => c.box === null)).toBe(true);
    expect(new Set(a.map((c) => c.norm)).size).toBe(3);
    expect(a.some((c) => c.family !== null)).toBe(true);
    expect(a.some((c) => c.band !== null)).toBe(true);
    expect(a.some((c) => c.network.layers[c.network.layers.length - 1].outDim > 1)).toBe(true);
    a.forEach((c, i) => expect(c.id).toBe(i));
  });
  it('restricts norms and domains, and shards keep families together', () => {
    expect(generateCases({ seed: 1, runs: 12, norms: ['inf'] }).every((c) => c.norm === 'inf')).toBe(true);
    expect(generateCases({ seed: 1, runs: 12, domains: 'local' }).every((c) => c.box !== null)).toBe(true);
    expect(generateCases({ seed: 1, runs: 12, domains: 'global' }).every((c) => c.box === null)).toBe(true);
    const all = generateCases({ seed: 3, runs: 12 }).map((c) => c.description);
    const shards = [1, 2, 3].flatMap((i) => generateCases({ seed: 3, runs: 12, shard: { index: i, count: 3 } }));
    expect(shards.length).toBe(all.length);
    for (const c of shards) if (c.family) expect(shards.some((b) => b.id === c.family!.base)).toBe(true);
  });
  it('round-trips through saved lines, networks bit for bit', () => {
    const cases = generateCases({ seed: 4, runs: 8 });
    const again = casesFromLines(cases.map(caseToLine).join('\n'), 'saved.jsonl');
    again.forEach((c, i) => {
      expect(stringifyReluMlp(c.network)).toBe(stringifyReluMlp(cases[i].network));
      expect(requestOf(c)).toEqual(requestOf(cases[i]));
      expect(c.family).toEqual(cases[i].family);
    });
    expect(() => casesFromLines('{"id": 1, "network": {"format": "x"}}', 'bad.jsonl')).toThrow(/bad\.jsonl: line 1: network: format/);
    expect(() => casesFromLines('nope', 'bad.jsonl')).toThrow(/line 1: not JSON/);
  });
});
