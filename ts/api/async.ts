// Async forms of the batch kernels: the GPU when gpu.init() opened one and
// the call is above that device's measured cutoff, else the CPU tiers, off
// the JS thread: the tier the sync call would pick (dispatch, setBackend,
// HOTPATH_BACKEND) runs in a worker of the platform's pool (./offthread.ts;
// Node worker_threads, browser Web Workers), which runs the sync public
// function there, so checks, errors and results are the sync call's. Work
// below INLINE_WORK runs on the calling thread (posting costs more), as does
// everything on a host with no pool. A GPU failure (device lost, out of
// memory) falls back to the CPU for that call and is reported in
// backend().gpu.lastChoice; bad arguments still reject.
// Each helper checks only what it needs to size the call (O(1) for typed
// arrays); the full checks, the O(n) finite scans among them, run once, in
// whichever path takes the call.
import { checkBatch, checkDecay, checkMatmul, checkTopK, checkVector, type RiskOptions, type StatsOptions, type TopKOptions } from '../contract/checks.js';
import { checkKnownKeys, checkOptions } from '../contract/errors.js';
import { KERNELS, type GpuKernelName } from '../contract/kernels.js';
import type { FloatArray, Stats, TopKResult, Vector } from '../contract/types.js';
import { dispatchTier } from '../dispatch/dispatch.js';
import { activeGpu, recordChoice } from '../tiers/webgpu/active.js';
import type { GpuContext } from '../tiers/webgpu/context.js';
import { matmul } from './matmul.js';
import { abortable, checkSignal, INLINE_WORK, offThreadRunner, RunInline, type AsyncOptions, type OffThreadKernel } from './offthread.js';
import { riskScoreBatch, temporalDecay } from './risk.js';
import { cosineBatch, euclideanBatch, topK } from './similarity.js';
import { stats } from './statistics.js';

export type { AsyncOptions } from './offthread.js';

/**
 * The error a helper rejects with: the full checks ran in the sync kernel or
 * the GPU context under their names; a caller of `xAsync` is told `xAsync`.
 */
function asAsync(e: unknown, kernel: GpuKernelName): unknown {
  if (!(e instanceof TypeError || e instanceof RangeError)) return e;
  for (const from of [`hotpath.${kernel}:`, `hotpath.gpu.${kernel}:`]) {
    if (e.message.startsWith(from)) {
      const renamed = new (e.constructor as ErrorConstructor)(`hotpath.${kernel}Async:${e.message.slice(from.length)}`, { cause: e });
      return renamed;
    }
  }
  return e;
}

/** How one call may run: its kernel, size, whether the GPU can take it, and the sync function's arguments. */
interface Call<T> {
  kernel: OffThreadKernel & GpuKernelName;
  work: number;
  gpuOk: boolean;
  onGpu: (g: GpuContext) => Promise<T>;
  onCpu: () => T;
  args: readonly unknown[];
}

async function route<T>(c: Call<T>, signal: AbortSignal | undefined): Promise<T> {
  signal?.throwIfAborted();
  const run = routeNamed(c, signal).catch((e: unknown) => {
    throw asAsync(e, c.kernel);
  });
  return abortable(run, signal);
}

async function routeNamed<T>(c: Call<T>, signal: AbortSignal | undefined): Promise<T> {
  const { kernel, work, gpuOk } = c;
  const g = activeGpu();
  const cutoff = g?.cutoffs[kernel].work ?? Infinity;
  let why = g === null ? 'no GPU context (gpu.init())' : !gpuOk ? 'Float64Array input (WGSL has no f64)' : `work ${work} below the cutoff ${cutoff}`;
  if (g !== null && gpuOk && work >= cutoff) {
    try {
      const out = await c.onGpu(g);
      recordChoice({ kernel, work, tier: 'webgpu', why: `work ${work} >= cutoff ${cutoff}` });
      return out;
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw e;
      why = `GPU call failed, ran on the CPU: ${(e as Error).message}`;
    }
  }
  const tier = dispatchTier(kernel, work);
  recordChoice({ kernel, work, tier, why });
  const runner = offThreadRunner();
  if (runner !== null && work >= INLINE_WORK && runner.supports(tier)) {
    try {
      return (await runner.call(tier, kernel, c.args, signal)) as T;
    } catch (e) {
      if (!(e instanceof RunInline)) throw e;
    }
  }
  return c.onCpu();
}

/** The `signal` of a helper's options, and the options without it for the sync function (whose key check would refuse it). */
function splitOptions<O extends object>(fn: string, options: (O & AsyncOptions) | undefined): { signal: AbortSignal | undefined; rest: O | undefined } {
  if (options === null || typeof options !== 'object' || !('signal' in options)) return { signal: undefined, rest: options };
  const { signal, ...rest } = options;
  return { signal: checkSignal(fn, 'options.signal', signal), rest: rest as O };
}

/** Options that hold only `signal`. */
function onlySignal(fn: string, options: unknown): AbortSignal | undefined {
  const o = checkOptions<AsyncOptions>(fn, options);
  checkKnownKeys(fn, 'options', o, ['signal'], {});
  return checkSignal(fn, 'options.signal', o.signal);
}

/**
 * {@link cosineBatch}, on the GPU above its measured cutoff (see {@link gpu.init}), else on the CPU
 * off the JS thread (a worker on wasm and js). Do not change the inputs while the call is in flight.
 * @param options - `signal`: an AbortSignal; aborting rejects with its reason.
 */
export async function cosineBatchAsync(queries: Float32Array, matrix: Float32Array, dim: number, options?: AsyncOptions): Promise<Float32Array> {
  const signal = onlySignal('cosineBatchAsync', options);
  const s = checkBatch('cosineBatchAsync', queries, matrix, dim);
  return route({ kernel: 'cosineBatch', work: KERNELS.cosineBatch.work(s.q, s.m, s.d), gpuOk: true, onGpu: (g) => g.cosineBatch(queries, matrix, dim), onCpu: () => cosineBatch(queries, matrix, dim), args: [queries, matrix, dim] }, signal);
}

/** {@link euclideanBatch}, on the GPU above its measured cutoff, else on the CPU off the JS thread; see {@link cosineBatchAsync}. */
export async function euclideanBatchAsync(queries: Float32Array, matrix: Float32Array, dim: number, options?: AsyncOptions): Promise<Float32Array> {
  const signal = onlySignal('euclideanBatchAsync', options);
  const s = checkBatch('euclideanBatchAsync', queries, matrix, dim);
  return route({ kernel: 'euclideanBatch', work: KERNELS.euclideanBatch.work(s.q, s.m, s.d), gpuOk: true, onGpu: (g) => g.euclideanBatch(queries, matrix, dim), onCpu: () => euclideanBatch(queries, matrix, dim), args: [queries, matrix, dim] }, signal);
}

/** {@link topK}, scored on the GPU above its measured cutoff, else on the CPU off the JS thread; `options.signal` as in {@link cosineBatchAsync}. */
export async function topKAsync(query: Float32Array | Vector, matrix: Float32Array, dim: number, k: number, options?: TopKOptions & AsyncOptions): Promise<TopKResult> {
  const { signal, rest } = splitOptions<TopKOptions>('topKAsync', options);
  const s = checkTopK('topKAsync', query, matrix, dim, k, rest);
  return route({ kernel: 'topK', work: KERNELS.topK.work(s.q, s.m), gpuOk: true, onGpu: (g) => g.topK(query, matrix, dim, k, rest), onCpu: () => topK(query, matrix, dim, k, rest), args: [query, matrix, dim, k, rest] }, signal);
}

/** {@link matmul}; Float32Array inputs above the measured cutoff run on the GPU, Float64Array always on the CPU (off the JS thread). */
export async function matmulAsync<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number, options?: AsyncOptions): Promise<T> {
  const signal = onlySignal('matmulAsync', options);
  const s = checkMatmul('matmulAsync', a, b, m, k, n);
  return route({ kernel: 'matmul', work: KERNELS.matmul.work(s.a, s.b, s.m, s.k, s.n), gpuOk: s.f32, onGpu: (g) => g.matmul(a as Float32Array, b as Float32Array, m, k, n) as Promise<T>, onCpu: () => matmul(a, b, m, k, n), args: [a, b, m, k, n] }, signal);
}

/** {@link riskScoreBatch}, on the GPU (f32 arithmetic) above its measured cutoff, else on the CPU off the JS thread. */
export async function riskScoreBatchAsync(severities: Vector, confidences: Vector, offsets: Uint32Array, options?: RiskOptions & AsyncOptions): Promise<Float64Array> {
  const { signal, rest } = splitOptions<RiskOptions>('riskScoreBatchAsync', options);
  const work = KERNELS.riskScoreBatch.work(checkVector('riskScoreBatchAsync', 'severities', severities));
  return route({ kernel: 'riskScoreBatch', work, gpuOk: true, onGpu: (g) => g.riskScoreBatch(severities, confidences, offsets, rest), onCpu: () => riskScoreBatch(severities, confidences, offsets, rest), args: [severities, confidences, offsets, rest] }, signal);
}

/** {@link temporalDecay}, on the GPU (f32 arithmetic) above its measured cutoff, else on the CPU off the JS thread. */
export async function temporalDecayAsync(scores: Vector, ages: Vector, halfLife: number, options?: AsyncOptions): Promise<Float64Array> {
  const signal = onlySignal('temporalDecayAsync', options);
  const s = checkDecay('temporalDecayAsync', scores, ages, halfLife);
  return route({ kernel: 'temporalDecay', work: KERNELS.temporalDecay.work(s.s), gpuOk: true, onGpu: (g) => g.temporalDecay(scores, ages, halfLife), onCpu: () => temporalDecay(scores, ages, halfLife), args: [scores, ages, halfLife] }, signal);
}

/** {@link stats}, reduced on the GPU above its measured cutoff (median on the CPU), else on the CPU off the JS thread. */
export async function statsAsync(x: Vector, options?: StatsOptions & AsyncOptions): Promise<Stats> {
  const { signal, rest } = splitOptions<StatsOptions>('statsAsync', options);
  const work = KERNELS.stats.work(checkVector('statsAsync', 'x', x));
  return route({ kernel: 'stats', work, gpuOk: true, onGpu: (g) => g.stats(x, rest), onCpu: () => stats(x, rest), args: [x, rest] }, signal);
}
