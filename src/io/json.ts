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
 * whose message is one line (with line and column) for malformed text.
 */
export function parseJsonLenient(text: string): unknown {
  let out = '';
  let i = 0;
  let changed = false;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const m = /^-?(?:NaN|Infinity)\b/.exec(text.slice(i, i + 10));
    if (m && (i === 0 || /[\s,[:]/.test(text[i - 1]))) {
      out += JSON.stringify(MARKER + m[0]);
      i += m[0].length;
      changed = true;
      continue;
    }
    out += ch;
    i++;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(changed ? out : text);
  } catch (err) {
    throw new Error(`not valid JSON: ${oneLine((err as Error).message)}`);
  }
  return changed ? revive(parsed) : parsed;
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
