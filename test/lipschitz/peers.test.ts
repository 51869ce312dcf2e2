import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { networkFromJson } from '../../src/network/format.js';
import { exactLipschitz } from '../../src/lipschitz/exact/index.js';
import { boxFromPairs } from '../../src/lipschitz/query.js';
import type { Norm } from '../../src/linalg/norms.js';

interface Peer {
  name?: string;
  description?: string;
  network: unknown;
  box?: [number, number][] | null;
  lipschitz: Partial<Record<Norm, number>>;
  regions?: number;
}

const peers: Peer[] = [
  JSON.parse(readFileSync('fixtures/peers/lipsdp-random-weights.json', 'utf8')),
  JSON.parse(readFileSync('fixtures/peers/lipbab-iris.json', 'utf8')),
  ...JSON.parse(readFileSync('fixtures/peers/reference-cases.json', 'utf8')),
];

describe('published values are reproduced to 1e-9', () => {
  it.each(peers.map((p) => [p.name ?? p.description!, p] as const))('%s', (_name, peer) => {
    const net = networkFromJson(peer.network, 'peer');
    const box = peer.box ? boxFromPairs(peer.box, net.inputDim) : null;
    for (const [p, value] of Object.entries(peer.lipschitz) as [Norm, number][]) {
      const r = exactLipschitz(net, { norm: p, box }, { timeLimit: 60 });
      if (r.kind !== 'exact') throw new Error(r.message);
      expect(Math.abs(r.lipschitz - value) / value).toBeLessThan(1e-9);
      if (peer.regions !== undefined) expect(r.regions).toBe(peer.regions);
    }
  });
});
