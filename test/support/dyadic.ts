import type { Domain } from '../../src/lipschitz/domain.js';
import type { Network } from '../../src/network/network.js';

/**
 * Exact arithmetic on dyadic rationals n·2^e (every double is one), for checks that must not share
 * floating point's rounding with the code under test: sums and products are exact, so a bound that
 * misses the exact value by one rounding error is caught.
 */
export interface Dyadic {
  readonly n: bigint;
  readonly e: number;
}

const view = new DataView(new ArrayBuffer(8));

/** The exact value of a finite double. */
export function dyadic(x: number): Dyadic {
  if (!Number.isFinite(x)) throw new Error(`dyadic: ${x} is not finite`);
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? -1n : 1n;
  const exponent = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exponent !== 0) mantissa |= 1n << 52n;
  return { n: sign * mantissa, e: (exponent === 0 ? 1 : exponent) - 1075 };
}

export function add(a: Dyadic, b: Dyadic): Dyadic {
  if (a.n === 0n) return b;
  if (b.n === 0n) return a;
  return a.e >= b.e ? { n: (a.n << BigInt(a.e - b.e)) + b.n, e: b.e } : { n: a.n + (b.n << BigInt(b.e - a.e)), e: a.e };
}

export function mul(a: Dyadic, b: Dyadic): Dyadic {
  return { n: a.n * b.n, e: a.e + b.e };
}

/** The sign of a − b. */
export function compare(a: Dyadic, b: Dyadic): number {
  const d = add(a, { n: -b.n, e: b.e }).n;
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

const ZERO: Dyadic = { n: 0n, e: 0 };
const relu = (z: Dyadic): Dyadic => (z.n > 0n ? z : ZERO);

/**
 * The exact hidden pre-activations at a cube point u of a domain (domain.ts): x = centre + half ⊙ u
 * on a box; t·z(x) with t = (u_{d+1} + 1)/2 and x = S·u/t on the lifted domain — with the domain's
 * stored (double) centre, half and S, in exact arithmetic.
 */
export function exactCubePreActivations(net: Network, domain: Domain, u: ArrayLike<number>): Dyadic[][] {
  const d = domain.inputDim;
  const half = dyadic(0.5);
  let h: Dyadic[];
  let t: Dyadic = dyadic(1);
  if (domain.kind === 'box') {
    h = Array.from({ length: d }, (_, k) => add(dyadic(domain.centre[k]), mul(dyadic(domain.half[k]), dyadic(u[k]))));
  } else {
    t = mul(half, add(dyadic(u[d]), dyadic(1)));
    h = Array.from({ length: d }, (_, k) => mul(dyadic(domain.scale), dyadic(u[k])));
  }
  const out: Dyadic[][] = [];
  for (let l = 0; l < net.layers.length - 1; l++) {
    const layer = net.layers[l];
    const z: Dyadic[] = [];
    for (let i = 0; i < layer.outDim; i++) {
      let s = mul(dyadic(layer.biases[i]), t);
      for (let j = 0; j < layer.inDim; j++) s = add(s, mul(dyadic(layer.weights[i * layer.inDim + j]), h[j]));
      z.push(s);
    }
    out.push(z);
    h = z.map(relu);
  }
  return out;
}
