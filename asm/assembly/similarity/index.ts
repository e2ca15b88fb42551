// Similarity exports: pairwise metrics (f32 and f64), one-to-many batches and streaming
// top-k (f32). Pointers are byte offsets into the exported memory; n <= 0 yields 0 for every
// metric.
//
// The f32 paths compute with the fast reductions and redo a pair through the exact ones
// when `safeSq` rejects a sum of squares, and re-form a dot exactly when it is below
// F32_TINY_DOT (f32-subnormal products; see reductions.ts). The f64 paths redo a pair on
// scaled values when `safeF64` rejects a sum. Pairwise and batch use the
// same reductions in the same order, so their results agree bit for bit.

import {
  dotF32Fast, dotNormF32Fast, cosPartsF32Fast, sqDistF32Fast, dotProductF64, cosPartsF64, sqDistF64,
  outNormA, outNormB, cosineFrom, safeSq, dotF32Exact, sqDistF32Exact, cosineF32Exact,
  F32_TINY_DOT, TINY, safeF64, dotF64Scaled, unitDotF64, cosineF64Scaled, l2F64Scaled,
} from "./reductions";
import { METRIC_COSINE, METRIC_DOT, METRIC_EUCLIDEAN } from "../abi";

// ---------------------------------------------------------------------------------------
// Pairwise

// A lone dot product has no norms to guard on, and is too small for the
// fast path to matter, so it always forms exact products.
export function dotF32(a: usize, b: usize, n: i32): f64 {
  return dotF32Exact(a, b, n);
}

// Only overflow is redone: a dot below 2^-1022 is within n·2^-1074 of exact already.
export function dotF64(a: usize, b: usize, n: i32): f64 {
  const s = dotProductF64(a, b, n);
  return isFinite<f64>(s) ? s : dotF64Scaled(a, b, n);
}

/**
 * A fast f32 dot, re-formed exactly when it may be made of f32-subnormal products (only the
 * SIMD build has f32 lanes; the scalar build's fast path forms its products in f64 already).
 */
// @ts-ignore: decorator
@inline function fineDot(d: f64, a: usize, b: usize, n: i32): f64 {
  return !ASC_FEATURE_SIMD || Math.abs(d) >= F32_TINY_DOT ? d : dotF32Exact(a, b, n);
}

export function cosineF32(a: usize, b: usize, n: i32): f64 {
  const dot = cosPartsF32Fast(a, b, n);
  if (!safeSq(outNormA) || !safeSq(outNormB)) return cosineF32Exact(a, b, n);
  return cosineFrom(fineDot(dot, a, b, n), outNormA, outNormB);
}

export function cosineF64(a: usize, b: usize, n: i32): f64 {
  const dot = cosPartsF64(a, b, n);
  const na = outNormA, nb = outNormB;
  if (safeF64(na) && safeF64(nb)) {
    // Sound norms; a dot this small may be made of underflowed products.
    return Math.abs(dot) >= TINY ? cosineFrom(dot, na, nb) : unitDotF64(a, b, n, na, nb);
  }
  if (isNaN<f64>(na + nb)) return NaN;
  return cosineF64Scaled(a, b, n);
}

export function euclideanF32(a: usize, b: usize, n: i32): f64 {
  const s = sqDistF32Fast(a, b, n);
  return Math.sqrt(safeSq(s) ? s : sqDistF32Exact(a, b, n));
}

export function euclideanF64(a: usize, b: usize, n: i32): f64 {
  const s = sqDistF64(a, b, n);
  if (safeF64(s)) return Math.sqrt(s);
  return isNaN<f64>(s) ? NaN : l2F64Scaled(a, b, n);
}

// ---------------------------------------------------------------------------------------
// Batch: one query block against a row-major f32 matrix chunk.
//
// out[q * nrows + r] = f32(metric(query q, row r)). Rows are the outer loop so each row
// stays in L1 while every query visits it. Query norms are computed once per call (per
// group of QGROUP queries, kept in a static scratch area, so no allocation happens here).

// @ts-ignore: decorator
@inline const QGROUP: i32 = 64;

const qNorms = memory.data(QGROUP * 8, 16);

export function cosineBatchF32(
  queries: usize, nq: i32, matrix: usize, nrows: i32, dim: i32, out: usize,
): void {
  if (nq <= 0 || nrows <= 0) return;
  if (dim < 0) dim = 0;
  const rowBytes = <usize>dim << 2;
  const outStride = <usize>nrows << 2;
  for (let q0 = 0; q0 < nq; q0 += QGROUP) {
    const qn = min(QGROUP, nq - q0);
    const qBase = queries + <usize>q0 * rowBytes;
    const outBase = out + <usize>q0 * outStride;
    for (let j = 0; j < qn; j++) {
      const qp = qBase + <usize>j * rowBytes;
      store<f64>(qNorms + (<usize>j << 3), dotF32Fast(qp, qp, dim));
    }
    let row = matrix;
    let o = outBase;
    for (let r = 0; r < nrows; r++) {
      // First query: dot and row norm in one pass.
      const d0 = dotNormF32Fast(qBase, row, dim);
      const rn = outNormB;
      const rowSafe = safeSq(rn);
      const qn0 = load<f64>(qNorms);
      store<f32>(o, <f32>(rowSafe && safeSq(qn0) ? cosineFrom(fineDot(d0, qBase, row, dim), qn0, rn) : cosineF32Exact(qBase, row, dim)));
      let qp = qBase + rowBytes;
      let oq = o + outStride;
      for (let j = 1; j < qn; j++) {
        const qn = load<f64>(qNorms + (<usize>j << 3));
        const c = rowSafe && safeSq(qn) ? cosineFrom(fineDot(dotF32Fast(qp, row, dim), qp, row, dim), qn, rn) : cosineF32Exact(qp, row, dim);
        store<f32>(oq, <f32>c);
        qp += rowBytes;
        oq += outStride;
      }
      row += rowBytes;
      o += 4;
    }
  }
}

export function euclideanBatchF32(
  queries: usize, nq: i32, matrix: usize, nrows: i32, dim: i32, out: usize,
): void {
  if (nq <= 0 || nrows <= 0) return;
  if (dim < 0) dim = 0;
  const rowBytes = <usize>dim << 2;
  const outStride = <usize>nrows << 2;
  let row = matrix;
  let o = out;
  for (let r = 0; r < nrows; r++) {
    let qp = queries;
    let oq = o;
    for (let j = 0; j < nq; j++) {
      const s = sqDistF32Fast(qp, row, dim);
      store<f32>(oq, <f32>Math.sqrt(safeSq(s) ? s : sqDistF32Exact(qp, row, dim)));
      qp += rowBytes;
      oq += outStride;
    }
    row += rowBytes;
    o += 4;
  }
}

// ---------------------------------------------------------------------------------------
// Top-k, streamed over chunks of a row-major f32 matrix.
//
// heapIdx (u32[k]) / heapScores (f32[k]) form a binary heap whose top (index 0) is the
// WORST kept candidate. state = [heapSize: i32, nonFiniteCount: i32].
// metric: METRIC_COSINE, METRIC_DOT (higher is better), METRIC_EUCLIDEAN (lower is better).
// Scores are f32-rounded; equal scores rank the lower global row index first. NaN scores
// are counted and skipped; ±Infinity is counted and ranked.

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
  const qNorm = metric == METRIC_EUCLIDEAN ? 0.0 : dotF32Fast(query, query, dim);
  const qSafe = safeSq(qNorm);

  let row = matrix;
  for (let r = 0; r < nrows; r++, row += rowBytes) {
    let score: f32;
    // The row norm doubles as the range guard (see safeSq) for cosine and dot.
    if (metric == METRIC_COSINE) {
      const d = dotNormF32Fast(query, row, dim);
      score = <f32>(qSafe && safeSq(outNormB) ? cosineFrom(fineDot(d, query, row, dim), qNorm, outNormB) : cosineF32Exact(query, row, dim));
    } else if (metric == METRIC_DOT) {
      const d = dotNormF32Fast(query, row, dim);
      score = <f32>(qSafe && safeSq(outNormB) ? fineDot(d, query, row, dim) : dotF32Exact(query, row, dim));
    } else {
      const s = sqDistF32Fast(query, row, dim);
      score = <f32>Math.sqrt(safeSq(s) ? s : sqDistF32Exact(query, row, dim));
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
