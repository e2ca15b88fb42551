// Reference semantics for the similarity kernels. Every other tier is tested
// against these. Accumulation is in float64 whatever the storage type, so the
// f32 kernels (batch, top-k) form exact products that cannot over- or underflow;
// the f64 pairwise kernels check their sums after the fact and redo a pair on
// scaled values only when a sum left the safe range.
import type { Metric, Vector } from '../../contract/types.js';
import { TopKHeap } from '../shared/topk-heap.js';
import type { KernelSet } from '../../contract/kernels.js';

// Range guards shared by the f64 paths (f32 products cannot over- or underflow in f64).
// A sum of squares in [TINY, MAX] lost at most n·2^-1075 ≤ 2^-75 of itself to underflow
// (n ≤ 2^32); outside it, or NaN, the pair is redone on scaled values.
export const TINY = 2 ** -968;
const MAX = Number.MAX_VALUE;
// Scaling by a power of two is exact, so the redo changes nothing but the range.
const DOWN = 2 ** -540, UP = 2 ** 540;

export function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  // Only overflow is redone: a dot below 2^-1022 is already within n·2^-1074 of exact, and
  // no rescaling of the inputs can represent it better.
  return s - s === 0 ? s : dotScaled(a, b);
}

/** Σ a_i·b_i on values scaled by 2^-540 each: no product or partial sum can overflow. */
function dotScaled(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] * DOWN) * (b[i] * DOWN);
  return s * UP * UP;
}

/**
 * Cosine from its three sums: 0 when either norm is 0 (and both are finite,
 * so a non-finite input still surfaces as NaN), clamped to [-1, 1].
 */
export function cosineFromSums(ab: number, aa: number, bb: number): number {
  if (aa === 0 || bb === 0) return Number.isFinite(aa + bb) ? 0 : NaN;
  const c = ab / (Math.sqrt(aa) * Math.sqrt(bb));
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

export function cosine(a: Vector, b: Vector): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i], y = b[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa >= TINY && aa <= MAX && bb >= TINY && bb <= MAX) {
    // Norms are sound; a dot this small may be made of underflowed products.
    return Math.abs(ab) >= TINY ? cosineFromSums(ab, aa, bb) : unitDot(a, b, aa, bb);
  }
  if ((aa + bb) !== (aa + bb)) return NaN;
  return cosineScaled(a, b);
}

/** Cosine as the dot of the two unit vectors: its products are as large as they can be. */
function unitDot(a: Vector, b: Vector, aa: number, bb: number): number {
  const ra = 1 / Math.sqrt(aa), rb = 1 / Math.sqrt(bb);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] * ra) * (b[i] * rb);
  return s > 1 ? 1 : s < -1 ? -1 : s;
}

/** Cosine of a / max|a| and b / max|b| (as hypot does): sums of squares in [1, n]. */
function cosineScaled(a: Vector, b: Vector): number {
  let ma = 0, mb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Math.abs(a[i]), y = Math.abs(b[i]);
    if (x > ma) ma = x;
    if (y > mb) mb = y;
  }
  if (ma === Infinity || mb === Infinity) return NaN;
  if (ma === 0 || mb === 0) return 0;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] / ma, y = b[i] / mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return cosineFromSums(ab, aa, bb);
}

export function euclidean(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  if (s >= TINY && s <= MAX) return Math.sqrt(s);
  return s !== s ? NaN : l2Scaled(a, b);
}

function maxAbsDiff(a: Vector, b: Vector, h: number): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(h * a[i] - h * b[i]);
    if (d > m) m = d;
  }
  return m;
}

/** ‖a − b‖ as m·‖(a − b)/m‖ with m = max|a_i − b_i|; halves first when a difference overflows. */
function l2Scaled(a: Vector, b: Vector): number {
  let h = 1, m = maxAbsDiff(a, b, 1);
  if (m === Infinity) {
    h = 0.5;
    m = maxAbsDiff(a, b, h);
  }
  if (m === 0) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const t = (h * a[i] - h * b[i]) / m;
    s += t * t;
  }
  return (m * Math.sqrt(s)) / h;
}

function rowSums(m: Float32Array, base: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += m[base + j] * m[base + j];
  return s;
}

function rowDot(q: Float32Array, qb: number, m: Float32Array, mb: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += q[qb + j] * m[mb + j];
  return s;
}

function rowDist2(q: Float32Array, qb: number, m: Float32Array, mb: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const d = q[qb + j] - m[mb + j];
    s += d * d;
  }
  return s;
}

export function cosineBatch(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void {
  const nq = queries.length / dim, n = matrix.length / dim;
  const qn = new Float64Array(nq);
  for (let q = 0; q < nq; q++) qn[q] = rowSums(queries, q * dim, dim);
  for (let r = 0; r < n; r++) {
    const mb = r * dim;
    // The first query's pass also yields the row norm: one read of the row.
    let ab = 0, bb = 0;
    for (let j = 0; j < dim; j++) {
      const x = matrix[mb + j];
      ab += queries[j] * x;
      bb += x * x;
    }
    out[r] = cosineFromSums(ab, qn[0], bb);
    for (let q = 1; q < nq; q++) out[q * n + r] = cosineFromSums(rowDot(queries, q * dim, matrix, mb, dim), qn[q], bb);
  }
}

export function euclideanBatch(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void {
  const nq = queries.length / dim, n = matrix.length / dim;
  for (let r = 0; r < n; r++) {
    for (let q = 0; q < nq; q++) out[q * n + r] = Math.sqrt(rowDist2(queries, q * dim, matrix, r * dim, dim));
  }
}

export function topK(query: Float32Array, matrix: Float32Array, dim: number, metric: Metric, outIndices: Uint32Array, outScores: Float32Array): number {
  const n = matrix.length / dim;
  const heap = new TopKHeap(outIndices.length, metric === 'euclidean' ? 'asc' : 'desc');
  const qn = metric === 'cosine' ? rowSums(query, 0, dim) : 0;
  let nonFinite = 0;
  for (let r = 0; r < n; r++) {
    const base = r * dim;
    let s: number;
    if (metric === 'cosine') s = cosineFromSums(rowDot(query, 0, matrix, base, dim), qn, rowSums(matrix, base, dim));
    else if (metric === 'dot') s = rowDot(query, 0, matrix, base, dim);
    else s = Math.sqrt(rowDist2(query, 0, matrix, base, dim));
    // Rank on the float32 score that is returned, as every tier does.
    s = Math.fround(s);
    if (!Number.isFinite(s)) {
      nonFinite++;
      if (s !== s) continue;
    }
    heap.push(s, r);
  }
  heap.finish(outIndices, outScores);
  return nonFinite;
}

/** The similarity entries of the js kernel table. */
export const similarityKernels: Pick<KernelSet, 'dot' | 'cosine' | 'euclidean' | 'cosineBatch' | 'euclideanBatch' | 'topK'> = { dot, cosine, euclidean, cosineBatch, euclideanBatch, topK };
