// Streaming top-k over chunks of a row-major f32 matrix.
//
// heapIdx (u32[k]) / heapScores (f32[k]) form a binary heap whose top (index 0) is the
// WORST kept candidate. state = [heapSize: i32, nonFiniteCount: i32].
// metric 0 = cosine, 1 = dot (higher is better), 2 = euclidean (lower is better).
// Scores are f32-rounded; equal scores rank the lower global row index first. NaN scores
// are counted and skipped; ±Infinity is counted and ranked.

import { dotF32K, dotNormF32K, sqDistF32K, outNormB, cosineFrom, safeSq, dotF32X, cosineF32X, sqDistF32X } from "./reductions";

// @ts-ignore: decorator
@inline const METRIC_COSINE: i32 = 0;
// @ts-ignore: decorator
@inline const METRIC_DOT: i32 = 1;
// @ts-ignore: decorator
@inline const METRIC_EUCLIDEAN: i32 = 2;

/** True when (sa, ia) ranks strictly better than (sb, ib). */
// @ts-ignore: decorator
@inline function better(sa: f32, ia: u32, sb: f32, ib: u32, lowerBetter: bool): bool {
  if (sa == sb) return ia < ib;
  return lowerBetter ? sa < sb : sa > sb;
}

// @ts-ignore: decorator
@inline function idxAt(p: usize, i: u32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function scoreAt(p: usize, i: u32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

/** Moves (s, id) down from slot i until both children are better (worst-at-top heap). */
function siftDown(hIdx: usize, hSc: usize, size: u32, i: u32, s: f32, id: u32, lowerBetter: bool): void {
  while (true) {
    const l = (i << 1) + 1;
    if (l >= size) break;
    // Pick the worse child.
    let c = l;
    let cs = scoreAt(hSc, l);
    let ci = idxAt(hIdx, l);
    const rr = l + 1;
    if (rr < size) {
      const rs = scoreAt(hSc, rr);
      const ri = idxAt(hIdx, rr);
      if (better(cs, ci, rs, ri, lowerBetter)) { c = rr; cs = rs; ci = ri; }
    }
    if (!better(s, id, cs, ci, lowerBetter)) break;
    store<f32>(hSc + (<usize>i << 2), cs);
    store<u32>(hIdx + (<usize>i << 2), ci);
    i = c;
  }
  store<f32>(hSc + (<usize>i << 2), s);
  store<u32>(hIdx + (<usize>i << 2), id);
}

/** Moves (s, id) up from slot i while it is worse than its parent. */
function siftUp(hIdx: usize, hSc: usize, i: u32, s: f32, id: u32, lowerBetter: bool): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    const ps = scoreAt(hSc, p);
    const pi = idxAt(hIdx, p);
    if (!better(ps, pi, s, id, lowerBetter)) break;
    store<f32>(hSc + (<usize>i << 2), ps);
    store<u32>(hIdx + (<usize>i << 2), pi);
    i = p;
  }
  store<f32>(hSc + (<usize>i << 2), s);
  store<u32>(hIdx + (<usize>i << 2), id);
}

export function topKF32(
  query: usize, matrix: usize, nrows: i32, dim: i32, metric: i32, rowBase: i32, k: i32,
  heapIdx: usize, heapScores: usize, state: usize,
): void {
  if (nrows <= 0) return;
  if (metric < METRIC_COSINE || metric > METRIC_EUCLIDEAN) return;
  if (dim < 0) dim = 0;
  const lowerBetter = metric == METRIC_EUCLIDEAN;
  const cap: u32 = k > 0 ? <u32>k : 0;
  let size = <u32>max(load<i32>(state), 0);
  if (size > cap) size = cap;
  let nonFinite = load<i32>(state, 4);
  const rowBytes = <usize>dim << 2;
  const qNorm = metric == METRIC_EUCLIDEAN ? 0.0 : dotF32K(query, query, dim);
  const qSafe = safeSq(qNorm);

  let row = matrix;
  for (let r = 0; r < nrows; r++, row += rowBytes) {
    let score: f32;
    // The row norm doubles as the range guard (see safeSq) for cosine and dot.
    if (metric == METRIC_COSINE) {
      const d = dotNormF32K(query, row, dim);
      score = <f32>(qSafe && safeSq(outNormB) ? cosineFrom(d, qNorm, outNormB) : cosineF32X(query, row, dim));
    } else if (metric == METRIC_DOT) {
      const d = dotNormF32K(query, row, dim);
      score = <f32>(qSafe && safeSq(outNormB) ? d : dotF32X(query, row, dim));
    } else {
      const s = sqDistF32K(query, row, dim);
      score = <f32>Math.sqrt(safeSq(s) ? s : sqDistF32X(query, row, dim));
    }
    if (!isFinite<f32>(score)) {
      nonFinite++;
      if (isNaN<f32>(score)) continue;
    }
    const id = <u32>(rowBase + r);
    if (size < cap) {
      siftUp(heapIdx, heapScores, size, score, id, lowerBetter);
      size++;
    } else if (cap > 0 && better(score, id, load<f32>(heapScores), load<u32>(heapIdx), lowerBetter)) {
      siftDown(heapIdx, heapScores, size, 0, score, id, lowerBetter);
    }
  }
  store<i32>(state, <i32>size);
  store<i32>(state, nonFinite, 4);
}

/** Sorts the heap arrays in place, best first (equal scores: lower index first). */
export function topKFinishF32(heapIdx: usize, heapScores: usize, size: i32, metric: i32): void {
  if (size <= 1) return;
  const lowerBetter = metric == METRIC_EUCLIDEAN;
  const n = <u32>size;
  // Heapify first so any array order is accepted (a no-op for a valid heap).
  for (let i = (n >> 1); i > 0; ) {
    i--;
    siftDown(heapIdx, heapScores, n, i, scoreAt(heapScores, i), idxAt(heapIdx, i), lowerBetter);
  }
  // Repeatedly move the worst remaining element to the end.
  for (let end = n - 1; end > 0; end--) {
    const s = scoreAt(heapScores, end);
    const id = idxAt(heapIdx, end);
    store<f32>(heapScores + (<usize>end << 2), load<f32>(heapScores));
    store<u32>(heapIdx + (<usize>end << 2), load<u32>(heapIdx));
    siftDown(heapIdx, heapScores, end, 0, s, id, lowerBetter);
  }
}
