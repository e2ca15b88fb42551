// Reference semantics for the similarity kernels. Every other tier is tested
// against these. Accumulation is in float64 whatever the storage type.
import type { Metric, Vector } from '../../contract/types.js';
import { TopKHeap } from '../shared/topk-heap.js';
import type { KernelSet } from '../../contract/kernels.js';

export function dot(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
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
  return cosineFromSums(ab, aa, bb);
}

export function euclidean(a: Vector, b: Vector): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
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
