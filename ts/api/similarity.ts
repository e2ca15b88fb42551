import { pick } from '../core/dispatch.js';
import { checkCount, checkOptions, rangeError, typeError, describe } from '../core/errors.js';
import type { Metric, TopKResult, Vector } from '../core/types.js';
import { blameNonFinite, checkF32, checkPair, checkVector } from '../core/vectors.js';

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
  return finiteOrBlame('dot', pick('dot', x.length).dot(x, y), x, y);
}

/**
 * Cosine similarity `a·b / (|a|·|b|)` in [-1, 1]; 0 when either vector has zero norm.
 * @throws TypeError for a non-numeric input, RangeError for unequal lengths or non-finite elements.
 */
export function cosine(a: Vector, b: Vector): number {
  const [x, y] = checkPair('cosine', a, b);
  return finiteOrBlame('cosine', pick('cosine', x.length).cosine(x, y), x, y);
}

/**
 * Euclidean (L2) distance `sqrt(Σ (a[i] − b[i])²)`, not squared.
 * @throws TypeError for a non-numeric input, RangeError for unequal lengths or non-finite elements.
 */
export function euclidean(a: Vector, b: Vector): number {
  const [x, y] = checkPair('euclidean', a, b);
  return finiteOrBlame('euclidean', pick('euclidean', x.length).euclidean(x, y), x, y);
}

interface BatchShape {
  nq: number;
  n: number;
}

/** Validates an all-pairs batch call (shared with the GPU tier). @internal */
export function checkBatch(fn: string, queries: unknown, matrix: unknown, dim: unknown): BatchShape & { q: Float32Array; m: Float32Array; d: number } {
  const q = checkF32(fn, 'queries', queries);
  const m = checkF32(fn, 'matrix', matrix);
  const d = checkCount(fn, 'dim', dim, 1);
  if (q.length === 0) rangeError(fn, 'queries', 'must hold at least one vector of length dim');
  if (q.length % d !== 0) rangeError(fn, 'queries', `length ${q.length} is not a multiple of dim ${d}`);
  if (m.length % d !== 0) rangeError(fn, 'matrix', `length ${m.length} is not a multiple of dim ${d}`);
  return { q, m, d, nq: q.length / d, n: m.length / d };
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
  const out = new Float32Array(s.nq * s.n);
  pick(fn, s.nq * s.m.length)[fn](s.q, s.m, s.d, out);
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

/** Options of {@link topK}. */
export interface TopKOptions {
  /** `'cosine'` (default) and `'dot'` rank highest first; `'euclidean'` ranks smallest distance first. */
  metric?: Metric;
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
  const { q, m, d, kk, metric } = checkTopK('topK', query, matrix, dim, k, options);
  const count = Math.min(kk, m.length / d);
  const indices = new Uint32Array(count), scores = new Float32Array(count);
  const nonFinite = count === 0 ? 0 : pick('topK', m.length).topK(q, m, d, metric, indices, scores);
  if (nonFinite > 0) blameNonFinite('topK', [['query', q], ['matrix', m]]);
  return { indices, scores };
}

/** Validates a top-k call (shared with the GPU tier). @internal */
export function checkTopK(fn: string, query: unknown, matrix: unknown, dim: unknown, k: unknown, options: unknown): { q: Float32Array; m: Float32Array; d: number; kk: number; metric: Metric } {
  const qv = checkVector(fn, 'query', query);
  const m = checkF32(fn, 'matrix', matrix);
  const d = checkCount(fn, 'dim', dim, 1);
  const kk = checkCount(fn, 'k', k);
  const metric = checkOptions<TopKOptions>(fn, options).metric ?? 'cosine';
  if (metric !== 'cosine' && metric !== 'dot' && metric !== 'euclidean') {
    if (typeof metric !== 'string') typeError(fn, 'options.metric', `must be a string; got ${describe(metric)}`);
    rangeError(fn, 'options.metric', `must be 'cosine', 'dot' or 'euclidean'; got ${JSON.stringify(metric)}`);
  }
  if (qv.length !== d) rangeError(fn, 'query', `length ${qv.length} does not match dim ${d}`);
  if (m.length % d !== 0) rangeError(fn, 'matrix', `length ${m.length} is not a multiple of dim ${d}`);
  const q = qv instanceof Float32Array ? qv : Float32Array.from(qv);
  return { q, m, d, kk, metric };
}
