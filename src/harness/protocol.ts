import type { Norm } from '../linalg/norms.js';
import type { ReluMlpDocument } from '../network/format.js';

/**
 * The conformance protocol, JSON Lines over the implementation's stdin and stdout.
 *
 * lipcheck writes one request per line and waits for one response line:
 *   {"id": 7, "network": <relu-mlp v1>, "norm": "2" | "1" | "inf", "box": [[lo, hi], …] | null}
 * `box` absent or null asks for the global constant; otherwise the local constant on the box (the
 * largest ‖J_R‖_{p→p} over regions meeting its interior). Networks may have k ≥ 1 outputs;
 * Lip_p is then sup ‖J_f(x)‖_{p→p} (same p on input and output).
 *
 * The implementation answers with any subset of four claims,
 *   {"id": 7, "lower"?: number, "upper"?: number, "exact"?: number, "estimate"?: number}
 * or {"id": 7, "unsupported": true} (it does not handle this kind of case), or
 * {"id": 7, "error": "<message>"}. After the last case lipcheck closes stdin.
 * `lower`/`upper` are certified bounds, `exact` the true value, `estimate` an uncertified value.
 */
export interface Request {
  readonly id: number;
  readonly network: ReluMlpDocument;
  readonly norm: Norm;
  readonly box: [number, number][] | null;
}

export interface Claims {
  readonly lower?: number;
  readonly upper?: number;
  readonly exact?: number;
  readonly estimate?: number;
}

export type Response =
  | ({ readonly id: number; readonly kind: 'claims' } & Claims)
  | { readonly id: number; readonly kind: 'unsupported' }
  | { readonly id: number; readonly kind: 'error'; readonly message: string };

const CLAIM_NAMES = ['lower', 'upper', 'exact', 'estimate'] as const;

/** Why a response line is an implementation fault. */
export class ProtocolFault extends Error {}

/**
 * Parses one response line for request `expectedId`. Throws a ProtocolFault for non-JSON, a wrong
 * or missing id, claims that are not finite non-negative numbers (NaN, strings, negatives), or a
 * response with no claim that is neither `unsupported` nor `error`.
 */
export function parseResponse(line: string, expectedId: number): Response {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ProtocolFault(`not JSON: ${JSON.stringify(line.length > 120 ? line.slice(0, 117) + '...' : line)}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ProtocolFault(`not a JSON object: ${line.slice(0, 120)}`);
  const o = value as Record<string, unknown>;
  if (o.id !== expectedId) throw new ProtocolFault(`wrong id: expected ${expectedId}, got ${JSON.stringify(o.id)}`);
  if (o.unsupported === true) return { id: expectedId, kind: 'unsupported' };
  if ('error' in o) return { id: expectedId, kind: 'error', message: String(o.error) };
  const claims: Record<string, number> = {};
  for (const name of CLAIM_NAMES) {
    if (!(name in o) || o[name] === undefined) continue;
    const v = o[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolFault(`"${name}" is not a finite number: ${JSON.stringify(v)}`);
    if (v < 0) throw new ProtocolFault(`"${name}" is negative (${v}); a Lipschitz constant is ≥ 0`);
    claims[name] = v;
  }
  if (Object.keys(claims).length === 0) throw new ProtocolFault('no claim: give lower, upper, exact or estimate, or "unsupported": true, or "error"');
  return { id: expectedId, kind: 'claims', ...claims };
}
