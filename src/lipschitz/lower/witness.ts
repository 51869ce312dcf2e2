import { jacobian, regionRadius } from '../../network/evaluate.js';
import type { Network } from '../../network/network.js';
import { operatorNorm, vectorNorm, type Norm } from '../../linalg/norms.js';

/**
 * A certified lower bound: a point x and ‖J_f(x)‖_{p→p}. Anyone can recompute it; lipcheck only
 * reports witnesses strictly inside a linear region (so the formal Jacobian is the derivative).
 */
export interface Witness {
  readonly value: number;
  readonly x: Float64Array;
}

/** The Jacobian norm at x, or −Infinity if x is (numerically) on a kink. */
export function witnessAt(net: Network, x: Float64Array, norm: Norm): Witness {
  const radius = regionRadius(net, x);
  if (!(radius > 1e-9 * (1 + vectorNorm(x, 'inf')))) return { value: -Infinity, x };
  return { value: operatorNorm(jacobian(net, x), norm), x };
}

/** The better of two witnesses. */
export function better(a: Witness, b: Witness): Witness {
  return b.value > a.value ? b : a;
}

export const NO_WITNESS: Witness = { value: -Infinity, x: new Float64Array(0) };
