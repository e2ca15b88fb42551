/** Topology as the native probe reports it. */
export interface NativeTopology {
  source: string;
  logicalCpus: number;
  physicalCores: number;
  packages: number;
  numaNodes: { id: number; cpus: number[]; memoryBytes: number }[];
  caches: { l1d: number; l2: number; l3: number };
  simd: string[];
  affinityCpus: number[];
  cgroupCpuLimit: number | null;
  recommendedThreads: number;
  sources: { sysfsCpus: number; affinity: number; availableParallelism: number; cgroup: number | null };
}

import type { NativeBTreeClass } from './btree.js';
import type { NativeTimingWheelClass } from './timing-wheel.js';

/** The functions the Rust addon exports (see native/src/lib.rs). */
export interface NativeAddon {
  NativeBTree: NativeBTreeClass;
  NativeTimingWheel: NativeTimingWheelClass;
  dotF32(a: Float32Array, b: Float32Array): number;
  dotF64(a: Float64Array, b: Float64Array): number;
  cosineF32(a: Float32Array, b: Float32Array): number;
  cosineF64(a: Float64Array, b: Float64Array): number;
  euclideanF32(a: Float32Array, b: Float32Array): number;
  euclideanF64(a: Float64Array, b: Float64Array): number;
  cosineBatchF32(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void;
  euclideanBatchF32(queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void;
  topKF32(query: Float32Array, matrix: Float32Array, dim: number, k: number, metric: number, outIndices: Uint32Array, outScores: Float32Array): number;
  firstNonFiniteF64(x: Float64Array): number;
  riskScoreF64(severities: Float64Array, confidences: Float64Array, maxSeverity: number): number;
  riskScoreBatchF64(severities: Float64Array, confidences: Float64Array, offsets: Uint32Array, maxSeverity: number, out: Float64Array): number;
  temporalDecayF64(scores: Float64Array, ages: Float64Array, halfLife: number, out: Float64Array): number;
  statsF64(x: Float64Array, ddof: number, out: Float64Array): void;
  percentilesF64(x: Float64Array, ps: Float64Array, out: Float64Array): void;
  movingAverageF64(x: Float64Array, window: number, out: Float64Array): void;
  outliersIqrF64(x: Float64Array, k: number): Uint32Array;
  outliersZscoreF64(x: Float64Array, threshold: number): Uint32Array;
  ngramFeatures(bytes: Uint8Array, offsets: Uint32Array, n: number, dims: number, normalize: boolean, out: Float32Array): void;
  matmulF32(a: Float32Array, b: Float32Array, m: number, k: number, n: number, out: Float32Array): void;
  matmulF64(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out: Float64Array): void;
  simdLevel(): string;
  simdFeatures(): string[];
  threadCount(): number;
  topology(): NativeTopology;
  memoryBandwidth(elements: number, passes: number): { bytesPerPass: number; bestSeconds: number; threads: number };
}

/** Exports every addon must have; a stale or foreign `.node` file is rejected on load. */
export const REQUIRED_EXPORTS: readonly (keyof NativeAddon)[] = [
  'dotF32', 'dotF64', 'cosineF32', 'cosineF64', 'euclideanF32', 'euclideanF64',
  'cosineBatchF32', 'euclideanBatchF32', 'topKF32', 'simdLevel', 'simdFeatures', 'threadCount', 'topology', 'memoryBandwidth',
  'firstNonFiniteF64', 'riskScoreF64', 'riskScoreBatchF64', 'temporalDecayF64', 'statsF64', 'percentilesF64', 'movingAverageF64',
  'outliersIqrF64', 'outliersZscoreF64', 'ngramFeatures', 'matmulF32', 'matmulF64', 'NativeBTree', 'NativeTimingWheel',
];
