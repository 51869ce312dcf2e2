import { describe, expect, it } from 'vitest';
import { MaxHeap } from '../../../../../src/lipschitz/upper/sdp/heap.js';
import { createStream } from '../../../../../src/random/stream.js';

describe('MaxHeap (branch and bound’s open cells)', () => {
  it('pops in the order of a descending sort, with peek always the largest, also between pushes', () => {
    const s = createStream(3, 'heap');
    for (let trial = 0; trial < 8; trial++) {
      const heap = new MaxHeap<{ upper: number; id: number }>();
      const reference: number[] = [];
      for (let k = 0; k < 30; k++) {
        // Few distinct values: ties are common.
        const upper = Math.floor(8 * s.uniform());
        heap.push({ upper, id: k });
        reference.push(upper);
        reference.sort((a, b) => b - a);
        expect(heap.peek()!.upper).toBe(reference[0]);
        expect(heap.items).toHaveLength(reference.length);
        if (s.uniform() < 0.3) {
          expect(heap.pop()!.upper).toBe(reference.shift());
          if (reference.length > 0) expect(heap.peek()!.upper).toBe(reference[0]);
        }
      }
      const popped: number[] = [];
      for (let top = heap.pop(); top; top = heap.pop()) popped.push(top.upper);
      expect(popped).toEqual(reference);
      expect(heap.pop()).toBeUndefined();
      expect(heap.peek()).toBeUndefined();
    }
  });

  it('keeps the heap property over the whole array (every parent at least its children)', () => {
    const heap = new MaxHeap<{ upper: number }>();
    for (const upper of [1, 5, 2, 9, 9, 0, 3, 7, 4, 8, 6]) heap.push({ upper });
    heap.pop();
    heap.pop();
    const a = heap.items.map((c) => c.upper);
    for (let i = 1; i < a.length; i++) expect(a[(i - 1) >> 1]).toBeGreaterThanOrEqual(a[i]);
    expect([...a].sort((x, y) => y - x)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('a single item: pop returns it and leaves the heap empty', () => {
    const heap = new MaxHeap<{ upper: number }>();
    heap.push({ upper: -Infinity });
    expect(heap.pop()!.upper).toBe(-Infinity);
    expect(heap.items).toHaveLength(0);
  });
});
