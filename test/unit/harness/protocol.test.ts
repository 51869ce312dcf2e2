import { describe, expect, it } from 'vitest';
import { parseResponse, ProtocolFault } from '../../../src/harness/protocol.js';

const fault = (line: string, id = 3): string => {
  try {
    parseResponse(line, id);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolFault);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${line}`);
};

describe('response lines, exactly', () => {
  it('quotes a bad line whole up to 120 characters, else its first 117 and an ellipsis', () => {
    const short = 'x'.repeat(120);
    expect(fault(short)).toBe(`not JSON: "${short}"`);
    const long = 'y'.repeat(121);
    expect(fault(long)).toBe(`not JSON: "${'y'.repeat(117)}..."`);
    const array = `[${'1,'.repeat(80)}1]`;
    expect(fault(array)).toBe(`not a JSON object: ${array.slice(0, 120)}`);
    expect(fault('null')).toBe('not a JSON object: null');
    expect(fault('"text"')).toBe('not a JSON object: "text"');
  });
  it('names the id it expected and the one it got', () => {
    expect(fault('{"id": "3", "upper": 1}')).toBe('wrong id: expected 3, got "3"');
    expect(fault('{"upper": 1}', 0)).toBe('wrong id: expected 0, got undefined');
  });
  it('accepts zero and any finite non-negative claim, and refuses the rest by name', () => {
    expect(parseResponse('{"id": 3, "lower": 0, "estimate": 1e300}', 3)).toEqual({ id: 3, kind: 'claims', lower: 0, estimate: 1e300 });
    expect(fault('{"id": 3, "exact": -1e-300}')).toBe('"exact" is negative (-1e-300); a Lipschitz constant is ≥ 0');
    expect(fault('{"id": 3, "estimate": "1"}')).toBe('"estimate" is not a finite number: "1"');
    expect(fault('{"id": 3, "lower": 1e999}')).toBe('"lower" is not a finite number: null'); // JSON's Infinity
    expect(fault('{"id": 3, "lower": 1, "upper": [2]}')).toBe('"upper" is not a finite number: [2]');
    expect(fault('{"id": 3, "bound": 1}')).toBe('no claim: give lower, upper, exact or estimate, or "unsupported": true, or "error"');
  });
  it('reads unsupported only when it is true, and an error of any type as text', () => {
    expect(parseResponse('{"id": 3, "unsupported": false, "upper": 2}', 3)).toEqual({ id: 3, kind: 'claims', upper: 2 });
    expect(fault('{"id": 3, "unsupported": "yes"}')).toMatch(/^no claim/);
    expect(parseResponse('{"id": 3, "error": 42, "upper": 2}', 3)).toEqual({ id: 3, kind: 'error', message: '42' });
    expect(parseResponse('{"id": 3, "error": null}', 3)).toEqual({ id: 3, kind: 'error', message: 'null' });
  });
});
