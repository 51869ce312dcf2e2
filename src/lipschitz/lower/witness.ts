import { jacobian, kinkMargin } from '../../network/evaluate.js';
import type { Network } from '../../network/network.js';
import { operatorNorm, type Norm } from '../../linalg/norms.js';

/**
 * A certified lower bound: a point x and ‖J_f(x)‖_{p→p}. Anyone can recompute it; lipcheck only
 * reports witnesses strictly inside a linear region (so the formal Jacobian is the derivative).
 */
export interface Witness {
  readonly value: number;
  readonly x: Float64Array;
}

/**
 * The Jacobian norm at x, or −Infinity if x is on a kink or too close to one to tell in floating
 * point (relative kink margin ≤ 1e-10, see `kinkMargin`: a scale-free test).
 */
export function witnessAt(net: Network, x: Float64Array, norm: Norm): Witness {
  if (!(kinkMargin(net, x) > 1e-10)) return { value: -Infinity, x };
  return { value: operatorNorm(jacobian(net, x), norm), x };
}

/** The better of two witnesses. */
export function better(a: Witness, b: Witness): Witness {
  return b.value > a.value ? b : a;
}

export const NO_WITNESS: Witness = { value: -Infinity, x: new Float64Array(0) };
