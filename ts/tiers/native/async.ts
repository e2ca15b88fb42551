// The native tier's kernels as promises: each runs as a napi AsyncTask on
// the libuv pool (the kernel's parallel part on the rayon pool, as the sync
// call does), so the JS thread returns at once. The addon holds every input
// by reference until the task settles (no copy on the JS thread) and reads
// it only within the length seen at call time. Semantics and preconditions
// are the sync native kernels': the caller has run the O(1) checks; the
// addon's own checks reject with `hotpath.<kernel>:` errors, as the sync
// glue throws them.
import { METRIC_CODE } from '../../contract/abi.js';
import type { NativeAsyncKernels } from '../../contract/async-kernels.js';
import type { FloatArray, Metric } from '../../contract/types.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';
import { loadNativeAddon } from './loader.js';

export type { NativeAsyncKernels } from '../../contract/async-kernels.js';

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
