import { describe, expect, it } from 'vitest';
import { Polytope } from '../../src/lipschitz/upper/polytope.js';

/** The farthest vertex of box ∩ {a·g ≤ b} in 2D, by enumerating corners and edge crossings. */
function farthestByEnumeration(lo: number[], hi: number[], a: number[], b: number): number {
  const points: number[][] = [];
  for (const x of [lo[0], hi[0]]) for (const y of [lo[1], hi[1]]) if (a[0] * x + a[1] * y <= b) points.push([x, y]);
  for (const x of [lo[0], hi[0]]) {
    const y = (b - a[0] * x) / a[1];
    if (y >= lo[1] && y <= hi[1]) points.push([x, y]);
  }
  for (const y of [lo[1], hi[1]]) {
    const x = (b - a[1] * y) / a[0];
    if (x >= lo[0] && x <= hi[0]) points.push([x, y]);
  }
  return Math.max(...points.map(([x, y]) => Math.hypot(x, y)));
}

describe('Polytope.cut keeps a superset of the true polytope', () => {
  it('a corner inside the cut by 1e-13 on gradients of size 1e-7 keeps its edge crossing (the farthest vertex was lost: 0.7% too small)', () => {
    // Found by random search: the old rule called vertices inside by up to 1e-12 absolute "on the
    // facet", so the crossing on the edge from that corner to the cut-off one was never formed.
    const lo = [-9.911407828330993e-8, 2.0245205610990523e-8];
    const hi = [3.077464699745178e-8, 1.2118381187319757e-7];
    const a = [-0.8060092926025391, 0.0014439225196838379];
    const b = -2.4774711591401053e-8;
    const q = new Polytope(Float64Array.from(lo), Float64Array.from(hi));
    q.cut(Float64Array.from(a), b);
    const truth = farthestByEnumeration(lo, hi, a, b);
    expect(q.farthest().norm).toBeGreaterThanOrEqual(truth * (1 - 1e-12));
    expect(q.farthest().norm).toBeLessThanOrEqual(truth * (1 + 1e-12));
  });
});
