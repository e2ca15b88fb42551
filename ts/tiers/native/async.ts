// The native tier's kernels as promises: each runs as a napi AsyncTask on
// the libuv pool (the kernel's parallel part on the rayon pool, as the sync
// call does), so the JS thread returns at once. The addon holds every input
// by reference until the task settles (no copy on the JS thread) and reads
// it only within the length seen at call time. Semantics and preconditions
// are the sync native kernels': the caller has run the O(1) checks; the
// addon's own checks reject with `hotpath.<kernel>:` errors, as the sync
// glue throws them.
import { METRIC_CODE } from '../../contract/abi.js';
import type { FloatArray, Metric } from '../../contract/types.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';
import { loadNativeAddon } from './loader.js';

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

const BATCH = ['queries', 'matrix', 'dim', 'out'] as const;
const TOPK = ['query', 'matrix', 'dim', 'k', 'metric', 'outIndices', 'outScores'] as const;
const RISK = ['severities', 'confidences', 'offsets', 'options.maxSeverity', 'out'] as const;
const DECAY = ['scores', 'ages', 'halfLife', 'out'] as const;
const STATS = ['x', 'options.ddof', 'out'] as const;
const MATMUL = ['a', 'b', 'm', 'k', 'n', 'out'] as const;

/**
 * Starts `start` (the addon call, given the signal napi should see) and
 * settles as the AbortSignal rules above say. napi-rs takes over the
 * `onabort` of a signal it is given, so it gets a private one that follows
 * the caller's, never the caller's own.
 */
function run<T>(fn: string, names: readonly string[], args: readonly unknown[], signal: AbortSignal | undefined, start: (s: AbortSignal | undefined) => Promise<T>): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const inner = signal === undefined ? undefined : new AbortController();
  let task: Promise<T>;
  try {
    task = start(inner?.signal);
  } catch (e) {
    // A call refused before queuing rejects like a failed task.
    task = Promise.reject(e);
  }
  // `args` stays referenced by this closure until the task settles.
  const named = task.catch((e: unknown) => rethrowNative(fn, e, names, args));
  if (signal === undefined || inner === undefined) return named;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason);
      // Cancels the task if it is still queued; a running one finishes and
      // its outcome lands on the (already settled) promise, unobserved.
      inner.abort(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    named.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The async kernels over a loaded addon. */
export function asyncKernelsOf(addon: NativeAddon): NativeAsyncKernels {
  return {
    cosineBatch: (q, m, dim, out, signal) => run('cosineBatch', BATCH, [q, m, dim, out], signal, (s) => addon.cosineBatchF32Async(q, m, dim, out, s)),
    euclideanBatch: (q, m, dim, out, signal) => run('euclideanBatch', BATCH, [q, m, dim, out], signal, (s) => addon.euclideanBatchF32Async(q, m, dim, out, s)),
    topK: (query, matrix, dim, metric, outIndices, outScores, signal) =>
      run('topK', TOPK, [query, matrix, dim, outIndices.length, metric, outIndices, outScores], signal, (s) =>
        addon.topKF32Async(query, matrix, dim, outIndices.length, METRIC_CODE[metric], outIndices, outScores, s),
      ),
    riskScoreBatch: (sev, conf, offsets, max, out, signal) =>
      run('riskScoreBatch', RISK, [sev, conf, offsets, max, out], signal, (s) => addon.riskScoreBatchF64Async(sev, conf, offsets, max, out, s)),
    temporalDecay: (scores, ages, h, out, signal) => run('temporalDecay', DECAY, [scores, ages, h, out], signal, (s) => addon.temporalDecayF64Async(scores, ages, h, out, s)),
    stats: (x, ddof, out, signal) => run('stats', STATS, [x, ddof, out], signal, (s) => addon.statsF64Async(x, ddof, out, s)),
    matmul: (a, b, m, k, n, out, signal) =>
      run('matmul', MATMUL, [a, b, m, k, n, out], signal, (s) =>
        a instanceof Float32Array
          ? addon.matmulF32Async(a, b as Float32Array, m, k, n, out as Float32Array, s)
          : addon.matmulF64Async(a, b as Float64Array, m, k, n, out as Float64Array, s),
      ),
    firstNonFinite: (x, signal) => run('firstNonFinite', ['x'], [x], signal, (s) => addon.firstNonFiniteAsync(x, s)),
  };
}

let cached: NativeAsyncKernels | null | undefined;

/** The native tier's async kernels, or null when the addon did not load. */
export function nativeAsyncKernels(): NativeAsyncKernels | null {
  if (cached === undefined) {
    const r = loadNativeAddon();
    cached = r.addon === null ? null : asyncKernelsOf(r.addon);
  }
  return cached;
}
