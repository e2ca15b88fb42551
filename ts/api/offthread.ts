// The hook through which the async helpers leave the JS thread on the CPU
// tiers. The api layer cannot name a platform's workers (worker_threads in
// Node, Web Workers in browsers), so the platform modules install a runner
// here (ts/platform/offthread-node.ts, offthread-browser.ts); with none
// installed (a host without workers) the helpers run on the calling thread.
import type { NativeAsyncKernels } from '../contract/async-kernels.js';
import { describe, typeError } from '../contract/errors.js';
import type { ModelConfig } from '../contract/model.js';
import type { TierName } from '../contract/types.js';

/** The sync public functions a worker runs. @internal */
export type OffThreadKernel = 'cosineBatch' | 'euclideanBatch' | 'topK' | 'matmul' | 'riskScoreBatch' | 'temporalDecay' | 'stats';

/**
 * Runs CPU work on another thread. @internal
 */
export interface OffThreadRunner {
  /** Whether a worker here can load `tier` (the wasm build the main thread loaded; js always). */
  supports(tier: TierName): boolean;
  /** The sync public function `fn(...args)` on `tier` in a worker: its result, or its error rebuilt (same class and message). */
  call(tier: TierName, fn: OffThreadKernel, args: readonly unknown[], signal?: AbortSignal): Promise<unknown>;
  /** `batch` rows through the model `id` (sent once per worker from `config`, kept there until {@link OffThreadRunner.freeModel}). */
  predict(id: number, tier: TierName, config: ModelConfig, x: Float32Array, batch: number, signal?: AbortSignal): Promise<Float32Array>;
  /** Drops the workers' copies of model `id`. */
  freeModel(id: number): void;
}

/** Thrown by a runner for a call that must run on the calling thread instead (an argument a worker cannot take as it is). @internal */
export class RunInline extends Error {}

/** The native tier's async kernels (ts/tiers/native/async.ts, installed by the Node platform). @internal */
export type NativeAsync = NativeAsyncKernels;

let nativeAsync: NativeAsync | null = null;

/** Installs (or removes) the native tier's async kernels. @internal */
export function setNativeAsync(k: NativeAsync | null): void {
  nativeAsync = k;
}

/** The native tier's async kernels, or null. @internal */
export function nativeAsyncKernels(): NativeAsync | null {
  return nativeAsync;
}

let runner: OffThreadRunner | null = null;

/** Installs (or, with null, removes) the platform's runner. @internal */
export function setOffThreadRunner(r: OffThreadRunner | null): void {
  runner = r;
}

/** The installed runner, or null. @internal */
export function offThreadRunner(): OffThreadRunner | null {
  return runner;
}

/**
 * Work (`KERNELS[k].work`, elements read) below which an async helper runs
 * on the calling thread: posting to a worker and back costs tens of µs, what
 * the CPU tiers spend on about 2^16 elements. @internal
 */
export const INLINE_WORK = 1 << 16;

/** Options every `*Async` helper takes. */
export interface AsyncOptions {
  /**
   * Rejects the call with `signal.reason`: at once when already aborted, and
   * at once when aborted in flight (a worker running the call is then
   * terminated and replaced; the native thread pool's task runs to its end
   * and its result is dropped).
   */
  signal?: AbortSignal;
}

/** `signal` checked to be an AbortSignal (undefined allowed). @internal */
export function checkSignal(fn: string, arg: string, signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  const s = signal as AbortSignal;
  if (s === null || typeof s !== 'object' || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    typeError(fn, arg, `must be an AbortSignal; got ${describe(signal)}`);
  }
  return s;
}

/** `p`, or `signal.reason` as soon as the signal aborts. @internal */
export function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
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
