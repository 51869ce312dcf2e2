/**
 * A bounded polytope {g ∈ ℝᵈ : a_f·g ≤ b_f} kept with its vertex list, updated one cut at a time by
 * the double-description method (new vertices on the edges between kept and cut-off vertices, with
 * the combinatorial adjacency test). Used to bound max ‖g‖₂ over a set known only through its
 * support function. Vertices are exact up to rounding (≈1e-15 relative); callers add a margin. The
 * polytope kept always contains the true one (see `cut`).
 */
export class Polytope {
  readonly dim: number;
  /** Facets so far: the box's 2d, then one per cut (a vertex lists the facets through it by index). */
  private facets = 0;
  /** Each vertex with the sorted indices of the facets through it. */
  vertices: { x: Float64Array; facets: number[] }[] = [];

  /** The box lo ≤ g ≤ hi. */
  constructor(lo: Float64Array, hi: Float64Array) {
    const d = lo.length;
    this.dim = d;
    for (let j = 0; j < d; j++) {
      this.facets += 2; // g_j ≤ hi_j (2j) and −g_j ≤ −lo_j (2j + 1)
    }
    for (let mask = 0; mask < 1 << d; mask++) {
      const x = new Float64Array(d);
      const facets: number[] = [];
      for (let j = 0; j < d; j++) {
        const up = (mask >> j) & 1;
        x[j] = up ? hi[j] : lo[j];
        facets.push(2 * j + (up ? 0 : 1));
      }
      this.vertices.push({ x, facets });
    }
  }

  /** The vertex of largest Euclidean norm. */
  farthest(): { x: Float64Array; norm: number } {
    let best = this.vertices[0];
    let bestNorm = -1;
    for (const v of this.vertices) {
      let s = 0;
      for (let j = 0; j < this.dim; j++) s += v.x[j] * v.x[j];
      if (s > bestNorm) {
        bestNorm = s;
        best = v;
      }
    }
    return { x: best.x, norm: Math.sqrt(bestNorm) };
  }

  /**
   * Intersects with {g : a·g ≤ b}, or with a slightly larger set — never a smaller one: a vertex
   * outside the cut by at most eps (relative to the size of its slack's terms) is kept where it is,
   * as a vertex on the new facet, and every vertex strictly inside stays inside, so the edge from it
   * to a removed vertex always yields its crossing point. (Calling vertices inside by up to an
   * absolute 1e-12 "on the facet" lost the thin sliver between such a vertex and the crossing: on
   * gradients of size 1e-7 the cutting-planes bound fell 2e-7 below the constant.) Returns false if
   * the cut removed nothing.
   */
  cut(a: Float64Array, b: number): boolean {
    const d = this.dim;
    let largest = 0;
    for (const v of this.vertices) for (let j = 0; j < d; j++) largest = Math.max(largest, Math.abs(v.x[j]));
    const eps = 1e-12 * (Math.sqrt(a.reduce((s, v) => s + v * v, 0)) * largest * d + Math.abs(b));
    const slack = this.vertices.map((v) => {
      let s = b;
      for (let j = 0; j < d; j++) s -= a[j] * v.x[j];
      return s;
    });
    const outside = slack.map((s, i) => (s < -eps ? i : -1)).filter((i) => i >= 0);
    if (outside.length === 0) return false;
    const index = this.facets++;
    const kept: { x: Float64Array; facets: number[] }[] = [];
    const inside: number[] = [];
    this.vertices.forEach((v, i) => {
      if (slack[i] > 0) {
        kept.push(v);
        inside.push(i);
      } else if (slack[i] >= -eps) kept.push({ x: v.x, facets: [...v.facets, index] });
    });
    const added: { x: Float64Array; facets: number[] }[] = [];
    for (const p of inside) {
      for (const q of outside) {
        const common = intersect(this.vertices[p].facets, this.vertices[q].facets);
        // Stryker disable next-line ConditionalExpression: a quick pre-filter (for `false`): with fewer than d − 1 shared facets the face they span has a third vertex, so `adjacent` says no as well
        if (common.length < d - 1) continue;
        if (!this.adjacent(p, q, common)) continue;
        const t = slack[p] / (slack[p] - slack[q]);
        const x = Float64Array.from(this.vertices[p].x, (xp, j) => xp + t * (this.vertices[q].x[j] - xp));
        added.push({ x, facets: [...common, index] });
      }
    }
    this.vertices = [...kept, ...added];
    return true;
  }

  /** Combinatorial adjacency: no third vertex lies on every facet the two share. */
  private adjacent(p: number, q: number, common: number[]): boolean {
    for (let w = 0; w < this.vertices.length; w++) {
      if (w === p || w === q) continue;
      if (isSubset(common, this.vertices[w].facets)) return false;
    }
    return true;
  }
}

function intersect(a: number[], b: number[]): number[] {
  const set = new Set(b);
  return a.filter((x) => set.has(x));
}

function isSubset(a: number[], b: number[]): boolean {
  // Stryker disable next-line ConditionalExpression: a quick exit (for `false`): a longer list of distinct facets is no subset of a shorter one, which `every` finds too
  if (a.length > b.length) return false;
  const set = new Set(b);
  return a.every((x) => set.has(x));
}
