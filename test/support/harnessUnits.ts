/**
 * Shared fixtures of the harness unit tests (test/unit/harness/): hand-built tiny networks whose
 * constants are known, conformance cases and outcomes around them, scripted responders, and a
 * budget whose room is set by the test instead of by the wall clock.
 */
import type { ConformanceCase } from '../../src/harness/cases.js';
import type { CaseOutcome } from '../../src/harness/checks.js';
import type { Response } from '../../src/harness/protocol.js';
import type { Reference } from '../../src/harness/reference.js';
import type { Responder } from '../../src/harness/session.js';
import { Budget } from '../../src/lipschitz/budget.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';

/**
 * x ↦ a·relu(x₁ + … + x_d) − … with one hidden neuron per entry of `outs`: neuron i is
 * relu(⟨1, x⟩ + biases[i]) and the output weights are `outs`. Every neuron has the same direction
 * (1, …, 1), so on the region where all of them are on the Jacobian is (Σ outs)·1ᵀ: its 2-norm is
 * |Σ outs|·√d, its ∞→∞ norm |Σ outs|·d and its 1→1 norm |Σ outs|.
 */
export function ridgeNet(d: number, outs: readonly number[] = [1], biases: readonly number[] = outs.map(() => 0)): Network {
  return makeNetwork(d, [denseLayer(outs.map(() => new Array(d).fill(1)), biases), denseLayer([[...outs]], [0])]);
}

/** A conformance case around `network` (default: a ridge net of dimension `d`). */
export function unitCase(id: number, extra: Partial<ConformanceCase> & { d?: number } = {}): ConformanceCase {
  const { d = 2, ...rest } = extra;
  return { id, network: ridgeNet(d), norm: '2', box: null, size: 'tiny', family: null, band: null, description: `case ${id}`, ...rest };
}

/** A claims response. */
export const claimsOf = (id: number, c: Partial<Record<'lower' | 'upper' | 'exact' | 'estimate', number>>): Response => ({ id, kind: 'claims', ...c });

/** An exact reference of value v at witness (0.25, −1). */
export const exactReference = (v: number, witness: readonly number[] = [0.25, -1]): Reference => ({ exact: v, lower: v, upper: v, witness: Float64Array.from(witness), seconds: 0 });

/** A case outcome. */
export const outcomeOf = (c: ConformanceCase, response: Response, reference: Reference | null = null): CaseOutcome => ({ case: c, response, reference });

/** A budget with no clock in its `fits`: a step fits when its estimate is at most `room` seconds. */
export class RoomFor extends Budget {
  constructor(private readonly room: number) {
    super(Infinity);
  }
  override fits(seconds: number): boolean {
    return seconds <= this.room;
  }
}

/** A responder that answers from a script (a function of the request), and records what it saw. */
export function scriptedResponder(answer: (id: number, call: number) => Response | Promise<Response>): Responder & { readonly seen: number[]; closedWith: number[] } {
  const seen: number[] = [];
  const closedWith: number[] = [];
  return {
    seen,
    closedWith,
    async respond(request) {
      seen.push(request.id);
      return answer(request.id, seen.length);
    },
    async close(grace = 3) {
      closedWith.push(grace);
    },
  };
}
