import { blameNonFinite, changedDuringCall, checkBatch, checkPair, checkTopK, type TopKOptions } from '../contract/checks.js';
import { allocate } from '../contract/errors.js';
import { KERNELS } from '../contract/kernels.js';
import type { TopKResult, Vector } from '../contract/types.js';
import { kernelsFor } from '../dispatch/dispatch.js';

export type { TopKOptions } from '../contract/checks.js';

function finiteOrBlame(fn: string, r: number, a: Vector, b: Vector): number {
  // r - r is 0 for every finite r and NaN otherwise: one cheap test on the hot path.
  if (r - r !== 0) blameNonFinite(fn, [['a', a], ['b', b]]);
  return r;
}

/**
 * Dot product `Σ a[i]·b[i]`, accumulated in float64.
 * @param a - Float32Array, Float64Array or number[]
 * @param b - same length as `a`
 * @throws TypeError for a non-numeric input, RangeError for unequal lengths or non-finite elements.
 */
export function dot(a: Vector, b: Vector): number {
  const [x, y] = checkPair('dot', a, b);
  return finiteOrBlame('dot', kernelsFor('dot', KERNELS.dot.work(x)).dot(x, y), x, y);
}

/**
 * Cosine similarity `a·b / (|a|·|b|)` in [-1, 1]; 0 when either vector has zero norm.
 * @throws TypeError for a non-numeric input, RangeError for unequal lengths or non-finite elements.
 */
export function cosine(a: Vector, b: Vector): number {
  const [x, y] = checkPair('cosine', a, b);
  return finiteOrBlame('cosine', kernelsFor('cosine', KERNELS.cosine.work(x)).cosine(x, y), x, y);
}

/**
 * Euclidean (L2) distance `sqrt(Σ (a[i] − b[i])²)`, not squared.
 * @throws TypeError for a non-numeric input, RangeError for unequal lengths or non-finite elements.
 */
export function euclidean(a: Vector, b: Vector): number {
  const [x, y] = checkPair('euclidean', a, b);
  return finiteOrBlame('euclidean', kernelsFor('euclidean', KERNELS.euclidean.work(x)).euclidean(x, y), x, y);
}

function checkBatchOutput(fn: string, out: Float32Array, q: Float32Array, m: Float32Array, d: number, n: number): void {
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    if (v - v !== 0) {
      const qi = Math.floor(i / n), r = i % n;
      blameNonFinite(fn, [['queries', q, qi * d, (qi + 1) * d], ['matrix', m, r * d, (r + 1) * d]]);
    }
  }
}

/** Validates, dispatches and checks one all-pairs batch kernel. */
function runBatch(fn: 'cosineBatch' | 'euclideanBatch', queries: unknown, matrix: unknown, dim: unknown): Float32Array {
  const s = checkBatch(fn, queries, matrix, dim);
  const out = allocate(fn, 'the output (queries × rows)', Float32Array, s.nq * s.n);
  kernelsFor(fn, KERNELS[fn].work(s.q, s.m, s.d))[fn](s.q, s.m, s.d, out);
  checkBatchOutput(fn, out, s.q, s.m, s.d, s.n);
  return out;
}

/**
 * Cosine similarity of every query against every matrix row.
 * @param queries - Float32Array of Q·dim (Q ≥ 1), row-major
 * @param matrix - Float32Array of N·dim, row-major
 * @param dim - vector length, integer ≥ 1
 * @returns Float32Array of Q·N; row q holds query q against all N rows.
 * @throws TypeError for non-Float32Array inputs, RangeError for bad dim, lengths or non-finite elements.
 */
export function cosineBatch(queries: Float32Array, matrix: Float32Array, dim: number): Float32Array {
  return runBatch('cosineBatch', queries, matrix, dim);
}

/**
 * Euclidean distance of every query to every matrix row (shapes as in {@link cosineBatch}).
 * @returns Float32Array of Q·N distances.
 */
export function euclideanBatch(queries: Float32Array, matrix: Float32Array, dim: number): Float32Array {
  return runBatch('euclideanBatch', queries, matrix, dim);
}

/**
 * The `min(k, N)` rows of `matrix` closest to `query`, best first, ties broken
 * by lower row index. Uses a bounded heap: O(N·dim + N·log k) time, O(k) memory.
 * Ranking uses the returned float32 scores.
 * @param query - vector of length dim (Float32Array, or Float64Array/number[] converted to float32)
 * @param matrix - Float32Array of N·dim, row-major
 * @param k - integer ≥ 0
 * @throws TypeError / RangeError naming the bad argument.
 */
export function topK(query: Float32Array | Vector, matrix: Float32Array, dim: number, k: number, options?: TopKOptions): TopKResult {
  const { q, m, d, k: want, metric } = checkTopK('topK', query, matrix, dim, k, options);
  const count = Math.min(want, m.length / d);
  const indices = new Uint32Array(count), scores = new Float32Array(count);
  const nonFinite = count === 0 ? 0 : kernelsFor('topK', KERNELS.topK.work(q, m)).topK(q, m, d, metric, indices, scores);
  if (nonFinite > 0) {
    blameNonFinite('topK', [['query', q], ['matrix', m]]);
    // Finite inputs can still score ±Infinity (a distance past f32); a NaN or a missing row cannot.
    const rows = m.length / d;
    for (let i = 0; i < count; i++) if (scores[i] !== scores[i] || indices[i] >= rows) changedDuringCall('topK', 'query or matrix');
  }
  return { indices, scores };
}
