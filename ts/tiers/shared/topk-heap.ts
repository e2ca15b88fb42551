// Bounded selection shared by the js tier: a binary heap of size k with the
// worst kept candidate on top, so each row costs O(1) unless it beats it.

/** Scores rank higher-is-better (similarities) or lower-is-better (distances). */
export type Order = 'desc' | 'asc';

/** True when (sa, ia) ranks strictly worse than (sb, ib): score first, then higher index is worse. */
function worse(order: Order, sa: number, ia: number, sb: number, ib: number): boolean {
  if (sa !== sb) return order === 'desc' ? sa < sb : sa > sb;
  return ia > ib;
}

/** Keeps the best `k` (score, index) pairs seen; `finish` returns them best first. */
export class TopKHeap {
  private readonly idx: Uint32Array;
  private readonly sc: Float64Array;
  private n = 0;

  constructor(private readonly k: number, private readonly order: Order) {
    this.idx = new Uint32Array(k);
    this.sc = new Float64Array(k);
  }

  /** Offers a candidate; indices must arrive in increasing order for the tie rule to hold. */
  push(score: number, index: number): void {
    const { idx, sc, k, order } = this;
    if (this.n < k) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!worse(order, score, index, sc[p], idx[p])) break;
        sc[i] = sc[p];
        idx[i] = idx[p];
        i = p;
      }
      sc[i] = score;
      idx[i] = index;
      return;
    }
    if (k === 0 || !worse(order, sc[0], idx[0], score, index)) return;
    this.siftDown(score, index, k);
  }

  private siftDown(score: number, index: number, n: number): void {
    const { idx, sc, order } = this;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && worse(order, sc[c + 1], idx[c + 1], sc[c], idx[c])) c++;
      if (!worse(order, sc[c], idx[c], score, index)) break;
      sc[i] = sc[c];
      idx[i] = idx[c];
      i = c;
    }
    sc[i] = score;
    idx[i] = index;
  }

  /** Writes the kept candidates best first into the outputs; returns how many. */
  finish(outIndices: Uint32Array, outScores: Float32Array): number {
    const count = this.n;
    // Pop worst-first into the back of the outputs.
    for (let end = count - 1; end >= 0; end--) {
      outIndices[end] = this.idx[0];
      outScores[end] = this.sc[0];
      const lastS = this.sc[end];
      const lastI = this.idx[end];
      if (end > 0) this.siftDown(lastS, lastI, end);
    }
    this.n = 0;
    return count;
  }
}
