import { certifiedBounds } from '../lipschitz/bounds.js';
import { exactLipschitz } from '../lipschitz/exact/index.js';
import { boxFromPairs } from '../lipschitz/query.js';
import { networkFromJson } from '../network/format.js';
import type { Network } from '../network/network.js';
import type { Claims, Request } from './protocol.js';
import type { Implementation } from './library.js';

/** A request's network and query, decoded. */
export function decodeRequest(request: Request): { net: Network; norm: Request['norm']; box: ReturnType<typeof boxFromPairs> | null } {
  const net = networkFromJson(request.network, `request ${request.id}`);
  return { net, norm: request.norm, box: request.box ? boxFromPairs(request.box, net.inputDim) : null };
}

/**
 * lipcheck itself behind the protocol: the exact value when the solver finishes within
 * `exactTime` seconds, otherwise certified bounds within `boundsTime`. Used as the reference
 * implementation in the suites and by `fixtures/adapters/lipcheck-adapter.mjs`.
 */
export function lipcheckImplementation(options: { exactTime?: number; boundsTime?: number } = {}): Implementation {
  return async (request: Request): Promise<Claims> => {
    const { net, norm, box } = decodeRequest(request);
    const exact = exactLipschitz(net, { norm, box }, { timeLimit: options.exactTime ?? 2, maxRegions: 200_000 });
    if (exact.kind === 'exact') return { exact: exact.lipschitz, lower: exact.lipschitz, upper: exact.lipschitz };
    const b = await certifiedBounds(net, { norm, box }, { timeLimit: options.boundsTime ?? 2, maxExactRegions: 1 });
    return { lower: b.lower, upper: b.upper, estimate: b.lower };
  };
}
