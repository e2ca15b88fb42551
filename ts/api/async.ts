// Async forms of the batch kernels: the GPU when gpu.init() opened one and
// the call is above that device's measured cutoff, else the CPU tiers. A GPU
// failure (device lost, out of memory) falls back to the CPU for that call
// and is reported in backend().gpu.lastChoice; bad arguments still reject.
// Each helper checks only what it needs to size the call (O(1) for typed
// arrays); the full checks, the O(n) finite scans among them, run once, in
// whichever path takes the call.
import { checkBatch, checkDecay, checkMatmul, checkTopK, checkVector, type RiskOptions, type StatsOptions, type TopKOptions } from '../contract/checks.js';
import { KERNELS, type GpuKernelName } from '../contract/kernels.js';
import type { FloatArray, Stats, TopKResult, Vector } from '../contract/types.js';
import { dispatchTier } from '../dispatch/dispatch.js';
import { activeGpu, recordChoice } from '../tiers/webgpu/active.js';
import type { GpuContext } from '../tiers/webgpu/context.js';
import { matmul } from './matmul.js';
import { riskScoreBatch, temporalDecay } from './risk.js';
import { cosineBatch, euclideanBatch, topK } from './similarity.js';
import { stats } from './statistics.js';

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

async function route<T>(kernel: GpuKernelName, work: number, gpuOk: boolean, onGpu: (g: GpuContext) => Promise<T>, onCpu: () => T): Promise<T> {
  try {
    return await routeNamed(kernel, work, gpuOk, onGpu, onCpu);
  } catch (e) {
    throw asAsync(e, kernel);
  }
}

async function routeNamed<T>(kernel: GpuKernelName, work: number, gpuOk: boolean, onGpu: (g: GpuContext) => Promise<T>, onCpu: () => T): Promise<T> {
  const g = activeGpu();
  const cutoff = g?.cutoffs[kernel].work ?? Infinity;
  let why = g === null ? 'no GPU context (gpu.init())' : !gpuOk ? 'Float64Array input (WGSL has no f64)' : `work ${work} below the cutoff ${cutoff}`;
  if (g !== null && gpuOk && work >= cutoff) {
    try {
      const out = await onGpu(g);
      recordChoice({ kernel, work, tier: 'webgpu', why: `work ${work} >= cutoff ${cutoff}` });
      return out;
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw e;
      why = `GPU call failed, ran on the CPU: ${(e as Error).message}`;
    }
  }
  recordChoice({ kernel, work, tier: dispatchTier(kernel, work), why });
  return onCpu();
}

/** {@link cosineBatch}, on the GPU above its measured cutoff (see {@link gpu.init}), else on the CPU. */
export async function cosineBatchAsync(queries: Float32Array, matrix: Float32Array, dim: number): Promise<Float32Array> {
  const s = checkBatch('cosineBatchAsync', queries, matrix, dim);
  return route('cosineBatch', KERNELS.cosineBatch.work(s.q, s.m, s.d), true, (g) => g.cosineBatch(queries, matrix, dim), () => cosineBatch(queries, matrix, dim));
}

/** {@link euclideanBatch}, on the GPU above its measured cutoff, else on the CPU. */
export async function euclideanBatchAsync(queries: Float32Array, matrix: Float32Array, dim: number): Promise<Float32Array> {
  const s = checkBatch('euclideanBatchAsync', queries, matrix, dim);
  return route('euclideanBatch', KERNELS.euclideanBatch.work(s.q, s.m, s.d), true, (g) => g.euclideanBatch(queries, matrix, dim), () => euclideanBatch(queries, matrix, dim));
}

/** {@link topK}, scored on the GPU above its measured cutoff, else on the CPU. */
export async function topKAsync(query: Float32Array | Vector, matrix: Float32Array, dim: number, k: number, options?: TopKOptions): Promise<TopKResult> {
  const s = checkTopK('topKAsync', query, matrix, dim, k, options);
  return route('topK', KERNELS.topK.work(s.q, s.m), true, (g) => g.topK(query, matrix, dim, k, options), () => topK(query, matrix, dim, k, options));
}

/** {@link matmul}; Float32Array inputs above the measured cutoff run on the GPU, Float64Array always on the CPU. */
export async function matmulAsync<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number): Promise<T> {
  const s = checkMatmul('matmulAsync', a, b, m, k, n);
  return route('matmul', KERNELS.matmul.work(s.a, s.b, s.m, s.k, s.n), s.f32, (g) => g.matmul(a as Float32Array, b as Float32Array, m, k, n) as Promise<T>, () => matmul(a, b, m, k, n));
}

/** {@link riskScoreBatch}, on the GPU (f32 arithmetic) above its measured cutoff, else on the CPU. */
export async function riskScoreBatchAsync(severities: Vector, confidences: Vector, offsets: Uint32Array, options?: RiskOptions): Promise<Float64Array> {
  const work = KERNELS.riskScoreBatch.work(checkVector('riskScoreBatchAsync', 'severities', severities));
  return route('riskScoreBatch', work, true, (g) => g.riskScoreBatch(severities, confidences, offsets, options), () => riskScoreBatch(severities, confidences, offsets, options));
}

/** {@link temporalDecay}, on the GPU (f32 arithmetic) above its measured cutoff, else on the CPU. */
export async function temporalDecayAsync(scores: Vector, ages: Vector, halfLife: number): Promise<Float64Array> {
  const s = checkDecay('temporalDecayAsync', scores, ages, halfLife);
  return route('temporalDecay', KERNELS.temporalDecay.work(s.s), true, (g) => g.temporalDecay(scores, ages, halfLife), () => temporalDecay(scores, ages, halfLife));
}

/** {@link stats}, reduced on the GPU above its measured cutoff (median on the CPU), else on the CPU. */
export async function statsAsync(x: Vector, options?: StatsOptions): Promise<Stats> {
  const work = KERNELS.stats.work(checkVector('statsAsync', 'x', x));
  return route('stats', work, true, (g) => g.stats(x, options), () => stats(x, options));
}
