import { describe, expect, it } from 'vitest';
import { dualBound, soundMax, type Polytope } from '../../../src/lipschitz/upper/sdp/soundLp.js';
import { createStream } from '../../../src/random/stream.js';

/** max c·v over a 2-D polytope by brute force: every feasible intersection of two boundary lines. */
function vertexMax(p: Polytope, c: number[]): number {
  const lines: [number, number, number][] = p.rhs.map((b, i) => [p.rows[2 * i], p.rows[2 * i + 1], b]);
  lines.push([1, 0, p.hi[0]], [-1, 0, -p.lo[0]], [0, 1, p.hi[1]], [0, -1, -p.lo[1]]);
  let best = -Infinity;
  for (let i = 0; i < lines.length; i++) {
    for (let j = i + 1; j < lines.length; j++) {
      const [a1, b1, r1] = lines[i];
      const [a2, b2, r2] = lines[j];
      const det = a1 * b2 - a2 * b1;
      if (Math.abs(det) < 1e-12) continue;
      const x = (r1 * b2 - r2 * b1) / det;
      const y = (a1 * r2 - a2 * r1) / det;
      if (lines.every(([a, b, r]) => a * x + b * y <= r + 1e-9)) best = Math.max(best, c[0] * x + c[1] * y);
    }
  }
  return best;
}

describe('sound LP bounds (weak duality evaluated outside the simplex)', () => {
  it('brackets the true maximum tightly on random 2-D polytopes, and any y ≥ 0 gives an upper bound', () => {
    const s = createStream(5, 'soundLp');
    for (let trial = 0; trial < 40; trial++) {
      const m = 1 + Math.floor(6 * s.uniform());
      const rows: number[] = [];
      const rhs: number[] = [];
      for (let i = 0; i < m; i++) {
        rows.push(2 * s.uniform() - 1, 2 * s.uniform() - 1);
        rhs.push(s.uniform() * 0.5); // the origin stays feasible
      }
      const p: Polytope = { n: 2, rows, rhs, lo: Float64Array.of(-1, -2), hi: Float64Array.of(3, 1) };
      const c = [2 * s.uniform() - 1, 2 * s.uniform() - 1];
      const truth = vertexMax(p, c);
      const { bound } = soundMax(p, c);
      expect(bound).toBeGreaterThanOrEqual(truth);
      expect(bound).toBeLessThanOrEqual(truth + 1e-9 * (1 + Math.abs(truth)));
      const y = Float64Array.from(rhs, () => s.uniform());
      expect(dualBound(p, c, y)).toBeGreaterThanOrEqual(truth);
    }
  });

  it('a point polytope (n = 0) bounds by 0', () => {
    expect(soundMax({ n: 0, rows: [], rhs: [], lo: new Float64Array(0), hi: new Float64Array(0) }, []).bound).toBe(0);
  });
});
