// Similarity kernels on the native tier: f32 pairs stay f32, anything else
// is promoted to f64 (the addon borrows typed arrays in place).
import { METRIC_CODE } from '../../contract/abi.js';
import { toF64 } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { Vector } from '../../contract/types.js';
import type { NativeAddon } from './addon.js';

/** Binds a pair kernel: f32 when both inputs are Float32Array, otherwise both promoted to f64. */
function pair(f32: (a: Float32Array, b: Float32Array) => number, f64: (a: Float64Array, b: Float64Array) => number) {
  return (a: Vector, b: Vector): number => (a instanceof Float32Array && b instanceof Float32Array ? f32(a, b) : f64(toF64(a), toF64(b)));
}

/** The similarity entries of the kernel table on the native tier. */
export function similarityKernels(addon: NativeAddon): Pick<KernelSet, 'dot' | 'cosine' | 'euclidean' | 'cosineBatch' | 'euclideanBatch' | 'topK'> {
  return {
    dot: pair(addon.dotF32, addon.dotF64),
    cosine: pair(addon.cosineF32, addon.cosineF64),
    euclidean: pair(addon.euclideanF32, addon.euclideanF64),
    cosineBatch: addon.cosineBatchF32,
    euclideanBatch: addon.euclideanBatchF32,
    topK: (query, matrix, dim, metric, outIndices, outScores) =>
      addon.topKF32(query, matrix, dim, outIndices.length, METRIC_CODE[metric], outIndices, outScores),
  };
}
