// In-place selection on a private copy: after select(a, k, lo, hi), a[k] holds
// the k-th smallest of a[lo..hi] with smaller-or-equal values left of it and
// greater-or-equal values right of it. Expected O(n); a depth limit switches
// to sorting the remaining range so adversarial inputs stay O(n log n).
import type { Vector } from '../../contract/types.js';

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

export function select(a: Float64Array, k: number, lo = 0, hi = a.length - 1): void {
  let depth = 2 * Math.ceil(Math.log2(hi - lo + 2)) + 8;
  while (hi > lo) {
    if (hi - lo < 16 || depth-- === 0) {
      a.subarray(lo, hi + 1).sort();
      return;
    }
    // Median of three as pivot, then a three-way (Dutch flag) partition so runs of equal keys finish at once.
    const mid = lo + ((hi - lo) >> 1);
    if (a[mid] < a[lo]) swap(a, mid, lo);
    if (a[hi] < a[lo]) swap(a, hi, lo);
    if (a[hi] < a[mid]) swap(a, hi, mid);
    const p = a[mid];
    let lt = lo, i = lo, gt = hi;
    while (i <= gt) {
      const v = a[i];
      if (v < p) swap(a, lt++, i++);
      else if (v > p) swap(a, i, gt--);
      else i++;
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return;
  }
}

/** Maximum of a[lo..hi]. */
export function maxOf(a: Float64Array, lo: number, hi: number): number {
  let m = a[lo];
  for (let i = lo + 1; i <= hi; i++) if (a[i] > m) m = a[i];
  return m;
}

/** Median by selection on a copy: O(n), the input untouched. */
export function median(x: Vector): number {
  const a = Float64Array.from(x), n = a.length, h = n >> 1;
  select(a, h);
  return n % 2 === 1 ? a[h] : (maxOf(a, 0, h - 1) + a[h]) / 2;
}
