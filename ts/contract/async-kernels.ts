// The native tier's kernels as promises, the shape the api layer calls
// (ts/api/async.ts) and the native tier implements (ts/tiers/native/async.ts):
// declared here, below both.
import type { FloatArray, Metric } from './types.js';

/**
 * The async kernels of the native tier. Every input and `out` must stay
 * unchanged, and its buffer attached (not transferred), until the promise
 * settles: the task reads and writes them in place on another thread. A
 * SharedArrayBuffer rewritten meanwhile gives torn values, never a crash;
 * a transferred ArrayBuffer is the caller's bug (napi cannot pin a buffer).
 *
 * `signal`: already aborted, the call rejects with `signal.reason` and queues
 * nothing; aborted while queued, the task is cancelled; aborted while running,
 * the promise rejects with `signal.reason` at once and the result is
 * discarded when the task finishes (the inputs stay referenced until then,
 * and `out` may still be written).
 */
export interface NativeAsyncKernels {
  cosineBatch(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array, signal?: AbortSignal): Promise<void>;
  euclideanBatch(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array, signal?: AbortSignal): Promise<void>;
  /** As KernelSet.topK (k is `outIndices.length`): fills outIndices/outScores, resolves to the count of non-finite scores. */
  topK(query: Float32Array, matrix: Float32Array, dim: number, metric: Metric, outIndices: Uint32Array, outScores: Float32Array, signal?: AbortSignal): Promise<number>;
  /** f64 arithmetic; a Float32Array input is widened off the JS thread. Resolves to the count of non-finite signals. */
  riskScoreBatch(severities: FloatArray, confidences: FloatArray, offsets: Uint32Array, maxSeverity: number, out: Float64Array, signal?: AbortSignal): Promise<number>;
  /** As riskScoreBatch's storage rule; resolves to the flags (1 = a non-finite input, 2 = a negative age). */
  temporalDecay(scores: FloatArray, ages: FloatArray, halfLife: number, out: Float64Array, signal?: AbortSignal): Promise<number>;
  /** Finite, non-empty `x` (f64, or f32 widened off the JS thread); out = [count, sum, mean, variance, std, min, max, median]. */
  stats(x: FloatArray, ddof: number, out: Float64Array, signal?: AbortSignal): Promise<void>;
  /** `a`, `b` and `out` share one storage type. */
  matmul(a: FloatArray, b: FloatArray, m: number, k: number, n: number, out: FloatArray, signal?: AbortSignal): Promise<void>;
  /** Index of the first NaN/±Infinity or -1, off the JS thread (the O(n) scan the sync checks do). */
  firstNonFinite(x: FloatArray, signal?: AbortSignal): Promise<number>;
}
