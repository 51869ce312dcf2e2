import type { Budget } from '../../src/lipschitz/budget.js';
import { add, dyadic } from './exactArithmetic.js';
import { denseLayer, makeNetwork, type Network } from '../../src/network/network.js';
import type { RandomStream } from '../../src/random/stream.js';

/**
 * Shared helpers of the unit tests of src/lipschitz/upper (test/unit/lipschitz/upper/).
 */

/** A network d → widths → k with standard normal weights and biases (a fraction `zeros` of the weights 0). */
export function gaussianNet(s: RandomStream, d: number, widths: readonly number[], k = 1, zeros = 0, biasScale = 1): Network {
  const dims = [d, ...widths, k];
  return makeNetwork(
    d,
    dims.slice(1).map((out, l) =>
      denseLayer(
        Array.from({ length: out }, () => Array.from({ length: dims[l] }, () => (zeros > 0 && s.uniform() < zeros ? 0 : s.gaussian()))),
        Array.from({ length: out }, () => biasScale * s.gaussian()),
      ),
    ),
  );
}

/** A budget whose `exceeded()` answers null `checks` times, then 'time': a stop at a chosen check, without a clock. */
export function stopAfter(checks: number): Budget {
  let calls = 0;
  return { exceeded: () => (++calls > checks ? 'time' : null) } as unknown as Budget;
}

/**
 * A chain whose Jacobian cancels in floating point: 1 → 1 → 3 → 1, every unit active on the given
 * pre-activation bounds, J = 0.1 + 0.3 − 0.4 = −2⁻⁵⁵ in the doubles' exact values but 0 computed.
 * `J` is that exact value (dyadic); only a bound's rounding allowance keeps it above |J|.
 */
export function cancellingChain() {
  return {
    net: makeNetwork(1, [denseLayer([[1]], [0]), denseLayer([[0.1], [0.3], [0.4]], [0, 0, 0]), denseLayer([[1, 1, -1]], [0])]),
    bounds: { lo: [Float64Array.of(1), Float64Array.of(1, 1, 1)], hi: [Float64Array.of(2), Float64Array.of(2, 2, 2)] },
    J: add(add(dyadic(0.1), dyadic(0.3)), dyadic(-0.4)),
  };
}
