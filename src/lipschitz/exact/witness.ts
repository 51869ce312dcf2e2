import type { Network } from '../../network/network.js';
import type { Norm } from '../../linalg/norms.js';
import { witnessAt } from '../lower/witness.js';

/**
 * Every exact algorithm keeps its best few regions as candidates, each with points inside it, and
 * reports as its witness the first candidate point (by value, then in the order given) that passes
 * the same kink-margin re-evaluation as every other witness (`witnessAt`: the pattern recomputed at
 * x is the same with a relative margin of 1e-10) and whose recomputed Jacobian norm is within 1e-12
 * (relative) of the candidate's value. When the maximising region has no such point (a region
 * thinner than that margin, a box so far out that no point near a kink passes it), the witness is
 * the best re-checked one and `witnessValue` < `lipschitz` says so.
 */
export interface Candidate {
  readonly value: number;
  /** Input points inside the candidate's region, the most robust first. */
  readonly points: () => Iterable<Float64Array>;
}

/** Keeps the `size` candidates of largest value. */
export class Candidates {
  private readonly list: Candidate[] = [];
  constructor(private readonly size = 8) {}

  /** Offers a candidate; `points` is only called if it is kept and needed. */
  offer(candidate: Candidate): void {
    // A shortcut only: without it the candidate would be pushed, sorted last (the sort is stable)
    // and popped again.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
    if (this.list.length === this.size && candidate.value <= this.list[this.list.length - 1].value) return;
    this.list.push(candidate);
    this.list.sort((a, b) => b.value - a.value);
    if (this.list.length > this.size) this.list.pop();
  }

  /** The largest value offered (−Infinity if none). */
  get best(): number {
    return this.list.length > 0 ? this.list[0].value : -Infinity;
  }

  /**
   * The best re-checked witness: its point and recomputed value (−Infinity and a fallback point if
   * none), and the constant to report — the largest value offered, or the witness's recomputed
   * value when the witness lies in a maximising region (the same norm, summed in another order).
   */
  recheck(net: Network, norm: Norm, fallback: Float64Array): { witness: Float64Array; witnessValue: number; lipschitz: number } {
    const best = this.best;
    for (const c of this.list) {
      for (const x of c.points()) {
        const w = witnessAt(net, x, norm);
        if (w.value > -Infinity && Math.abs(w.value - c.value) <= 1e-12 * Math.max(Math.abs(c.value), Number.MIN_VALUE)) {
          return { witness: x, witnessValue: w.value, lipschitz: c.value === best ? w.value : best };
        }
      }
    }
    return { witness: fallback, witnessValue: -Infinity, lipschitz: best };
  }
}
