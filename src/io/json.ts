/**
 * JSON parsing that explains itself. `JSON.parse` rejects the bare tokens NaN, Infinity and
 * -Infinity that Python's json module writes; here they parse to a marker object so a validator can
 * name the exact path that holds one.
 */
export class NonFiniteToken {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const MARKER = '\u0000lipcheck-nonfinite:';

/** V8's JSON error message, made one line and short (it may quote raw text with newlines). */
function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  const short = flat.length > 160 ? flat.slice(0, 157) + '...' : flat;
  return short.charAt(0).toLowerCase() + short.slice(1);
}

/**
 * Parses JSON text, turning bare NaN/Infinity/-Infinity into `NonFiniteToken`s. Throws an Error
 * whose message is one line (with line and column) for malformed text. Linear time: valid JSON
 * goes straight to `JSON.parse`; only text it rejects is scanned (by one regular expression that
 * skips strings) for the bare tokens, which are then marked and parsed again.
 */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    let changed = false;
    const marked = text.replace(/"(?:[^"\\]|\\[\s\S])*"|-?(?:NaN|Infinity)\b/g, (token: string, offset: number) => {
      if (token[0] === '"' || (offset > 0 && !/[\s,[:]/.test(text[offset - 1]))) return token;
      changed = true;
      return JSON.stringify(MARKER + token);
    });
    if (!changed) throw new Error(`not valid JSON: ${oneLine((err as Error).message)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(marked);
    } catch (again) {
      throw new Error(`not valid JSON: ${oneLine((again as Error).message)}`);
    }
    return revive(parsed);
  }
}

function revive(value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(MARKER)) return new NonFiniteToken(value.slice(MARKER.length));
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = revive(v);
    return out;
  }
  return value;
}
