// The one kernel table. Every tier implements `KernelSet` (the compiler
// enforces completeness for a tier object literal) and registers it in
// `registry.ts`; `KERNELS` says which tiers a kernel must exist on, and the
// conformance suite fails when a loaded tier lacks one.
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
}

/** Name of a kernel in the table. */
export type KernelName = keyof KernelSet;

/** Static facts about a kernel, shared by every tier. */
export interface KernelSpec {
  /** Tiers that must implement the kernel. */
  readonly tiers: readonly TierName[];
}

const CPU: readonly TierName[] = ['js', 'wasm', 'native'];

/** The kernel table. */
export const KERNELS: { readonly [K in KernelName]: KernelSpec } = {
  dot: { tiers: CPU },
  cosine: { tiers: CPU },
  euclidean: { tiers: CPU },
  cosineBatch: { tiers: CPU },
  euclideanBatch: { tiers: CPU },
  topK: { tiers: CPU },
  firstNonFinite: { tiers: CPU },
  riskScore: { tiers: CPU },
  riskScoreBatch: { tiers: CPU },
  temporalDecay: { tiers: CPU },
  stats: { tiers: CPU },
  percentiles: { tiers: CPU },
  movingAverage: { tiers: CPU },
  outliersIQR: { tiers: CPU },
  outliersZScore: { tiers: CPU },
  ngramFeatures: { tiers: CPU },
  matmul: { tiers: CPU },
};

/** Kernel names in table order. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
