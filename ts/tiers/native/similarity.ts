// Similarity kernels on the native tier: f32 pairs stay f32, anything else
// is promoted to f64 (the addon borrows typed arrays in place).
import { METRIC_CODE } from '../../contract/abi.js';
import { toF64 } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { Vector } from '../../contract/types.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';

const PAIR = ['a', 'b'] as const;
const BATCH = ['queries', 'matrix', 'dim', 'out'] as const;
const TOPK = ['query', 'matrix', 'dim', 'metric', 'outIndices', 'outScores'] as const;

/** Binds a pair kernel: f32 when both inputs are Float32Array, otherwise both promoted to f64. */
function pair(fn: string, f32: (a: Float32Array, b: Float32Array) => number, f64: (a: Float64Array, b: Float64Array) => number) {
  return (a: Vector, b: Vector): number => {
    try {
      return a instanceof Float32Array && b instanceof Float32Array ? f32(a, b) : f64(toF64(a), toF64(b));
    } catch (e) {
      return rethrowNative(fn, e, PAIR, [a, b]);
    }
  };
}

function batch(fn: string, f: (q: Float32Array, m: Float32Array, dim: number, out: Float32Array) => void) {
  return (q: Float32Array, m: Float32Array, dim: number, out: Float32Array): void => {
    try {
      f(q, m, dim, out);
    } catch (e) {
      rethrowNative(fn, e, BATCH, [q, m, dim, out]);
    }
  };
}

/** The similarity entries of the kernel table on the native tier. */
export function similarityKernels(addon: NativeAddon): Pick<KernelSet, 'dot' | 'cosine' | 'euclidean' | 'cosineBatch' | 'euclideanBatch' | 'topK'> {
  return {
    dot: pair('dot', addon.dotF32, addon.dotF64),
    cosine: pair('cosine', addon.cosineF32, addon.cosineF64),
    euclidean: pair('euclidean', addon.euclideanF32, addon.euclideanF64),
    cosineBatch: batch('cosineBatch', addon.cosineBatchF32),
    euclideanBatch: batch('euclideanBatch', addon.euclideanBatchF32),
    topK: (query, matrix, dim, metric, outIndices, outScores) => {
      try {
        return addon.topKF32(query, matrix, dim, outIndices.length, METRIC_CODE[metric], outIndices, outScores);
      } catch (e) {
        return rethrowNative('topK', e, TOPK, [query, matrix, dim, metric, outIndices, outScores]);
      }
    },
  };
}
