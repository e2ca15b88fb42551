// The one kernel table. Every tier implements `KernelSet` (the compiler
// enforces completeness for a tier object literal) and registers it in
// `registry.ts`; `KERNELS` says which tiers a kernel must exist on, and the
// conformance suite fails when a loaded tier lacks one.
import type { Metric, TierName, Vector } from './types.js';

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
};

/** Kernel names in table order. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
