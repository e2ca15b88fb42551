// The one kernel table. `KernelSet` is each kernel's signature after
// validation: every CPU tier implements all of it (the compiler checks each
// tier's object). `KERNELS` is each kernel's record: the work measure that
// dispatch, calibration, the async helpers and the bench matrix all read,
// and the tiers that have it (the WebGPU kernel list is derived from it).
import type { FloatArray, Metric, TierName, Vector } from './types.js';

/**
 * Kernel signatures after argument validation. Inputs are checked by the
 * public API (types, lengths, divisibility), so tier implementations only
 * convert storage and compute. Batch kernels write into a caller-sized `out`.
 */
export interface KernelSet {
  dot(a: Vector, b: Vector): number;
  cosine(a: Vector, b: Vector): number;
  euclidean(a: Vector, b: Vector): number;
  cosineBatch(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void;
  euclideanBatch(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void;
  /** Fills `outIndices`/`outScores` (length min(k, N)); returns the count of non-finite scores seen. */
  topK(query: Float32Array, matrix: Float32Array, dim: number, metric: Metric, outIndices: Uint32Array, outScores: Float32Array): number;

  /** Index of the first NaN or ±Infinity, or -1: the check selection-based kernels need up front. */
  firstNonFinite(x: Vector): number;
  /** Noisy-OR of one entity; NaN when an input is non-finite. */
  riskScore(severities: Vector, confidences: Vector, maxSeverity: number): number;
  /** CSR batch into `out`; returns the count of non-finite inputs seen. */
  riskScoreBatch(severities: Vector, confidences: Vector, offsets: Uint32Array, maxSeverity: number, out: Float64Array): number;
  /** Into `out`; returns flags: 1 = a non-finite input, 2 = a negative age. */
  temporalDecay(scores: Vector, ages: Vector, halfLife: number, out: Float64Array): number;
  /** Finite, non-empty `x`; out = [count, sum, mean, variance, std, min, max, median]. */
  stats(x: Vector, ddof: number, out: Float64Array): void;
  /** Finite, non-empty `x`; type-7 percentiles of `ps` into `out`. */
  percentiles(x: Vector, ps: Float64Array, out: Float64Array): void;
  movingAverage(x: Vector, window: number, out: Float64Array): void;
  /** Finite `x`; ascending indices outside the Tukey fences. */
  outliersIQR(x: Vector, k: number): Uint32Array;
  /** Finite `x`; ascending indices with |z| > threshold. */
  outliersZScore(x: Vector, threshold: number): Uint32Array;
  /** Hashed n-gram counts of each text into `out` (zeroed, texts·dims). */
  ngramFeatures(texts: readonly string[], n: number, dims: number, normalize: boolean, out: Float32Array): void;
  /** Row-major C = A·B into `out`; `a`, `b`, `out` share one storage type. */
  matmul(a: FloatArray, b: FloatArray, m: number, k: number, n: number, out: FloatArray): void;
  /** XXH64 (seed 0) of each text's UTF-8 (lone surrogates as U+FFFD) into `out`. */
  hashTexts(texts: readonly string[], out: BigUint64Array): void;
  /** Jump consistent hash of each key into `out`; `buckets` an integer in [1, 2^31]. */
  jumpHash(keys: BigUint64Array, buckets: number, out: Uint32Array): void;
  /**
   * Rendezvous: the index of each key's highest-scoring node into `out` (the lowest index on a
   * tie). Nodes are `seeds[i]` with `weights[i]` (finite, > 0; at least one); `uniform` says
   * every weight is equal, which makes the score u itself.
   */
  rendezvous(keys: BigUint64Array, seeds: BigUint64Array, weights: Float64Array, uniform: boolean, out: Uint32Array): void;
  /** Every node's rendezvous score for each key into `out` (keys × nodes, key-major). */
  rendezvousScores(keys: BigUint64Array, seeds: BigUint64Array, weights: Float64Array, uniform: boolean, out: Float64Array): void;
}

/** Name of a kernel in the table. */
export type KernelName = keyof KernelSet;

/** A tier a kernel can run on: the CPU tiers, and the WebGPU tier behind the async helpers. */
export type KernelTier = TierName | 'webgpu';

/** Static facts about one kernel, shared by every tier. */
export interface KernelRecord<K extends KernelName> {
  /**
   * The work measure dispatch compares with calibrated crossovers: the
   * element count the kernel reads. Takes the kernel's leading arguments
   * (those the public function shares with it), in O(1) unless noted.
   */
  readonly work: (...args: Parameters<KernelSet[K]>) => number;
  /** Tiers that implement it; every CPU tier that loads must. */
  readonly tiers: readonly KernelTier[];
}

const CPU = ['js', 'wasm', 'native'] as const;
const CPU_GPU = ['js', 'wasm', 'native', 'webgpu'] as const;
const length = (x: ArrayLike<unknown>): number => x.length;

/** The kernel table: one record per kernel. */
export const KERNELS = {
  dot: { work: length, tiers: CPU },
  cosine: { work: length, tiers: CPU },
  euclidean: { work: length, tiers: CPU },
  cosineBatch: { work: (queries: Float32Array, matrix: Float32Array, dim: number) => (queries.length / dim) * matrix.length, tiers: CPU_GPU },
  euclideanBatch: { work: (queries: Float32Array, matrix: Float32Array, dim: number) => (queries.length / dim) * matrix.length, tiers: CPU_GPU },
  topK: { work: (_query: Float32Array, matrix: Float32Array) => matrix.length, tiers: CPU_GPU },
  firstNonFinite: { work: length, tiers: CPU },
  riskScore: { work: length, tiers: CPU },
  riskScoreBatch: { work: length, tiers: CPU_GPU },
  temporalDecay: { work: length, tiers: CPU_GPU },
  stats: { work: length, tiers: CPU_GPU },
  percentiles: { work: length, tiers: CPU },
  movingAverage: { work: length, tiers: CPU },
  outliersIQR: { work: length, tiers: CPU },
  outliersZScore: { work: length, tiers: CPU },
  /** UTF-16 units over all texts: O(texts). */
  ngramFeatures: { work: (texts: readonly string[]) => texts.reduce((n, t) => n + t.length, 0), tiers: CPU },
  matmul: { work: (_a: FloatArray, _b: FloatArray, m: number, k: number, n: number) => m * k * n, tiers: CPU_GPU },
  /** UTF-16 units plus one per text: O(texts). */
  hashTexts: { work: (texts: readonly string[]) => texts.reduce((n, t) => n + t.length + 1, 0), tiers: CPU },
  jumpHash: { work: length, tiers: CPU },
  /** Key-node pairs scored. */
  rendezvous: { work: (keys: BigUint64Array, seeds: BigUint64Array) => keys.length * seeds.length, tiers: CPU },
  rendezvousScores: { work: (keys: BigUint64Array, seeds: BigUint64Array) => keys.length * seeds.length, tiers: CPU },
} as const satisfies { readonly [K in KernelName]: KernelRecord<K> };

/** Kernel names in table order. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/** Kernels the WebGPU tier runs (those whose record lists `'webgpu'`). */
export type GpuKernelName = { [K in KernelName]: 'webgpu' extends (typeof KERNELS)[K]['tiers'][number] ? K : never }[KernelName];

/** GPU kernel names in table order. */
export const GPU_KERNELS = KERNEL_NAMES.filter((k): k is GpuKernelName => (KERNELS[k].tiers as readonly KernelTier[]).includes('webgpu'));
