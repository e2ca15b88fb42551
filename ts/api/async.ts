// Async forms of the batch kernels: the GPU when gpu.init() opened one and
// the call is above that device's measured cutoff, else the CPU tiers, off
// the JS thread: the tier the sync call would pick (dispatch, setBackend,
// HOTPATH_BACKEND) runs in a worker of the platform's pool (./offthread.ts;
// Node worker_threads, browser Web Workers), which runs the sync public
// function there, so checks, errors and results are the sync call's; on
// native, the addon's AsyncTasks (libuv pool, inputs held by reference)
// with the sync call's checks around them, its O(n) finite scans through
// the async firstNonFinite (a failed call's blame scan runs here). Work
// below INLINE_WORK runs on the calling thread (posting costs more), as does
// everything on a host with no pool. A GPU failure (device lost, out of
// memory) falls back to the CPU for that call and is reported in
// backend().gpu.lastChoice; bad arguments still reject.
// Each helper checks only what it needs to size the call (O(1) for typed
// arrays); the full checks, the O(n) finite scans among them, run once, in
// whichever path takes the call.
import {
  blameDecayInputs, blameNonFinite, changedDuringCall, checkBatch, checkDdof, checkDecay, checkMatmul, checkRiskBatch, checkTopK, checkVector, ddofBelow,
  type RiskOptions, type StatsOptions, type TopKOptions,
} from '../contract/checks.js';
import { allocate, checkKnownKeys, checkOptions, rangeError } from '../contract/errors.js';
import { KERNELS, type GpuKernelName } from '../contract/kernels.js';
import type { FloatArray, Stats, TopKResult, Vector } from '../contract/types.js';
import { dispatchTier, kernelsFor } from '../dispatch/dispatch.js';
import { activeGpu, recordChoice } from '../tiers/webgpu/active.js';
import type { GpuContext } from '../tiers/webgpu/context.js';
import { matmul } from './matmul.js';
import { abortable, checkSignal, INLINE_WORK, nativeAsyncKernels, offThreadRunner, RunInline, type AsyncOptions, type NativeAsync, type OffThreadKernel } from './offthread.js';
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
  /** The call on the native tier's async kernels: the sync function's steps, its kernel and O(n) scans awaited. */
  onNative: (k: NativeAsync, signal: AbortSignal | undefined) => Promise<T>;
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
  // What the sync call would throw before any work (a HOTPATH_BACKEND or HOTPATH_CALIBRATION that failed), the off-thread paths throw too.
  kernelsFor(kernel, work);
  const native = tier === 'native' ? nativeAsyncKernels() : null;
  if (native !== null && work >= INLINE_WORK) return c.onNative(native, signal);
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

/** Index of the first non-finite element of `x` at or after `from`, scanned off the thread; -1 for none. */
async function nextNonFinite(k: NativeAsync, x: FloatArray, from: number, signal: AbortSignal | undefined): Promise<number> {
  if (from >= x.length) return -1;
  const i = await k.firstNonFinite(from === 0 ? x : x.subarray(from), signal);
  return i < 0 ? -1 : from + i;
}

/** What blameNonFinite does over whole arrays, with the scans off the thread. */
async function blameAsync(k: NativeAsync, fn: string, arrays: ReadonlyArray<readonly [string, FloatArray]>, signal: AbortSignal | undefined): Promise<void> {
  for (const [arg, x] of arrays) {
    const i = await nextNonFinite(k, x, 0, signal);
    if (i >= 0) rangeError(fn, `${arg}[${i}]`, `is ${x[i]}; inputs must be finite`);
  }
}

/** cosineBatch / euclideanBatch on native: the sync call's output check, each non-finite output traced to its rows. */
async function nativeBatch(k: NativeAsync, fn: 'cosineBatch' | 'euclideanBatch', queries: Float32Array, matrix: Float32Array, dim: number, signal: AbortSignal | undefined): Promise<Float32Array> {
  const s = checkBatch(fn, queries, matrix, dim);
  const out = allocate(fn, 'the output (queries × rows)', Float32Array, s.nq * s.n);
  await k[fn](s.q, s.m, s.d, out, signal);
  for (let i = await nextNonFinite(k, out, 0, signal); i >= 0; i = await nextNonFinite(k, out, i + 1, signal)) {
    const qi = Math.floor(i / s.n), r = i % s.n;
    blameNonFinite(fn, [['queries', s.q, qi * s.d, (qi + 1) * s.d], ['matrix', s.m, r * s.d, (r + 1) * s.d]]);
  }
  return out;
}

/** The `signal` of a helper's options, and the options without it for the sync function (whose key check would refuse it). */
function splitOptions<O extends object>(fn: string, options: (O & AsyncOptions) | undefined): { signal: AbortSignal | undefined; rest: O | undefined } {
  if (options === null || typeof options !== 'object' || !('signal' in options)) return { signal: undefined, rest: options };
  const { signal, ...rest } = options;
  return { signal: checkSignal(fn, 'options.signal', signal), rest: rest as O };
}

/**
 * `x` as far as sizing the call needs: a number[] as it is (its length; the
 * path that takes the call converts and checks it once, off the thread on
 * the worker path), any other Vector checked (O(1) for typed arrays).
 */
function sized(fn: string, arg: string, x: unknown): Vector {
  return Array.isArray(x) ? (x as number[]) : checkVector(fn, arg, x);
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
  return route({ kernel: 'cosineBatch', work: KERNELS.cosineBatch.work(s.q, s.m, s.d), gpuOk: true, onGpu: (g) => g.cosineBatch(queries, matrix, dim), onCpu: () => cosineBatch(queries, matrix, dim), args: [queries, matrix, dim], onNative: (k, sg) => nativeBatch(k, 'cosineBatch', queries, matrix, dim, sg) }, signal);
}

/** {@link euclideanBatch}, on the GPU above its measured cutoff, else on the CPU off the JS thread; see {@link cosineBatchAsync}. */
export async function euclideanBatchAsync(queries: Float32Array, matrix: Float32Array, dim: number, options?: AsyncOptions): Promise<Float32Array> {
  const signal = onlySignal('euclideanBatchAsync', options);
  const s = checkBatch('euclideanBatchAsync', queries, matrix, dim);
  return route({ kernel: 'euclideanBatch', work: KERNELS.euclideanBatch.work(s.q, s.m, s.d), gpuOk: true, onGpu: (g) => g.euclideanBatch(queries, matrix, dim), onCpu: () => euclideanBatch(queries, matrix, dim), args: [queries, matrix, dim], onNative: (k, sg) => nativeBatch(k, 'euclideanBatch', queries, matrix, dim, sg) }, signal);
}

/** {@link topK}, scored on the GPU above its measured cutoff, else on the CPU off the JS thread; `options.signal` as in {@link cosineBatchAsync}. */
export async function topKAsync(query: Float32Array | Vector, matrix: Float32Array, dim: number, k: number, options?: TopKOptions & AsyncOptions): Promise<TopKResult> {
  const { signal, rest } = splitOptions<TopKOptions>('topKAsync', options);
  const s = checkTopK('topKAsync', query, matrix, dim, k, rest);
  return route({ kernel: 'topK', work: KERNELS.topK.work(s.q, s.m), gpuOk: true, onGpu: (g) => g.topK(query, matrix, dim, k, rest), onCpu: () => topK(query, matrix, dim, k, rest), args: [query, matrix, dim, k, rest], onNative: async (nk, sg) => {
    const fn = 'topK';
    const t = checkTopK(fn, query, matrix, dim, k, rest);
    const count = Math.min(t.k, t.m.length / t.d);
    const indices = new Uint32Array(count), scores = new Float32Array(count);
    const nonFinite = count === 0 ? 0 : await nk.topK(t.q, t.m, t.d, t.metric, indices, scores, sg);
    if (nonFinite > 0) {
      await blameAsync(nk, fn, [['query', t.q], ['matrix', t.m]], sg);
      const rows = t.m.length / t.d;
      for (let i = 0; i < count; i++) if (scores[i] !== scores[i] || indices[i] >= rows) changedDuringCall(fn, 'query or matrix');
    }
    return { indices, scores };
  } }, signal);
}

/** {@link matmul}; Float32Array inputs above the measured cutoff run on the GPU, Float64Array always on the CPU (off the JS thread). */
export async function matmulAsync<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number, options?: AsyncOptions): Promise<T> {
  const signal = onlySignal('matmulAsync', options);
  const s = checkMatmul('matmulAsync', a, b, m, k, n);
  return route({ kernel: 'matmul', work: KERNELS.matmul.work(s.a, s.b, s.m, s.k, s.n), gpuOk: s.f32, onGpu: (g) => g.matmul(a as Float32Array, b as Float32Array, m, k, n) as Promise<T>, onCpu: () => matmul(a, b, m, k, n), args: [a, b, m, k, n], onNative: async (nk, sg) => {
    const fn = 'matmul';
    const out = allocate(fn, 'the output (m × n)', (s.f32 ? Float32Array : Float64Array) as unknown as (new (n: number) => T) & { BYTES_PER_ELEMENT: number }, s.m * s.n);
    await nk.matmul(a, b, s.m, s.k, s.n, out, sg);
    // Finite inputs that overflow: IEEE infinities are the answer.
    if ((await nextNonFinite(nk, out, 0, sg)) >= 0) await blameAsync(nk, fn, [['a', a], ['b', b]], sg);
    return out;
  } }, signal);
}

/** {@link riskScoreBatch}, on the GPU (f32 arithmetic) above its measured cutoff, else on the CPU off the JS thread. */
export async function riskScoreBatchAsync(severities: Vector, confidences: Vector, offsets: Uint32Array, options?: RiskOptions & AsyncOptions): Promise<Float64Array> {
  const { signal, rest } = splitOptions<RiskOptions>('riskScoreBatchAsync', options);
  const work = KERNELS.riskScoreBatch.work(sized('riskScoreBatchAsync', 'severities', severities));
  return route({ kernel: 'riskScoreBatch', work, gpuOk: true, onGpu: (g) => g.riskScoreBatch(severities, confidences, offsets, rest), onCpu: () => riskScoreBatch(severities, confidences, offsets, rest), args: [severities, confidences, offsets, rest], onNative: async (k, sg) => {
    const fn = 'riskScoreBatch';
    const r = checkRiskBatch(fn, severities, confidences, offsets, rest);
    const sv = r.s as FloatArray, cv = r.c as FloatArray;
    const out = new Float64Array(r.offsets.length - 1);
    if ((await k.riskScoreBatch(sv, cv, r.offsets, r.max, out, sg)) > 0) {
      await blameAsync(k, fn, [['severities', sv], ['confidences', cv]], sg);
      changedDuringCall(fn, 'severities or confidences');
    }
    return out;
  } }, signal);
}

/** {@link temporalDecay}, on the GPU (f32 arithmetic) above its measured cutoff, else on the CPU off the JS thread. */
export async function temporalDecayAsync(scores: Vector, ages: Vector, halfLife: number, options?: AsyncOptions): Promise<Float64Array> {
  const signal = onlySignal('temporalDecayAsync', options);
  // Arrays are checked (and converted) once, by the path that takes the call.
  const arrays = Array.isArray(scores) || Array.isArray(ages);
  const work = KERNELS.temporalDecay.work(arrays ? sized('temporalDecayAsync', 'scores', scores) : checkDecay('temporalDecayAsync', scores, ages, halfLife).s);
  return route({ kernel: 'temporalDecay', work, gpuOk: true, onGpu: (g) => g.temporalDecay(scores, ages, halfLife), onCpu: () => temporalDecay(scores, ages, halfLife), args: [scores, ages, halfLife], onNative: async (k, sg) => {
    const s = checkDecay('temporalDecay', scores, ages, halfLife);
    const out = new Float64Array(s.s.length);
    // A bad input (the error path only) is named by the sync call's scan.
    if ((await k.temporalDecay(s.s as FloatArray, s.a as FloatArray, s.h, out, sg)) !== 0) blameDecayInputs('temporalDecay', s.s, s.a);
    return out;
  } }, signal);
}

/** {@link stats}, reduced on the GPU above its measured cutoff (median on the CPU), else on the CPU off the JS thread. */
export async function statsAsync(x: Vector, options?: StatsOptions & AsyncOptions): Promise<Stats> {
  const { signal, rest } = splitOptions<StatsOptions>('statsAsync', options);
  const work = KERNELS.stats.work(sized('statsAsync', 'x', x));
  return route({ kernel: 'stats', work, gpuOk: true, onGpu: (g) => g.stats(x, rest), onCpu: () => stats(x, rest), args: [x, rest], onNative: async (k, sg) => {
    const fn = 'stats';
    const d = checkDdof(fn, rest);
    const v = checkVector(fn, 'x', x) as FloatArray;
    if (v.length === 0) rangeError(fn, 'x', 'must not be empty');
    await blameAsync(k, fn, [['x', v]], sg);
    const out = new Float64Array(8);
    await k.stats(v, ddofBelow(fn, d, v.length), out, sg);
    return { count: out[0], sum: out[1], mean: out[2], variance: out[3], std: out[4], min: out[5], max: out[6], median: out[7] };
  } }, signal);
}
