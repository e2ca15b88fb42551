import type { KernelSet } from '../../core/kernels.js';
import { failedTier, type Tier } from '../../core/tier.js';
import type { Metric, Vector } from '../../core/types.js';
import type { NativeAddon } from './addon.js';
import { setNativeAddon } from './handle.js';
import { loadNativeAddon } from './loader.js';
import { firstNonFinite, toF64 } from '../../core/vectors.js';
import { packTexts } from '../utf8.js';

const METRIC_CODE: Record<Metric, number> = { cosine: 0, dot: 1, euclidean: 2 };

function f64(x: Vector): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}

/** Binds a pair kernel: f32 when both inputs are Float32Array, otherwise both promoted to f64. */
function pair(f32: (a: Float32Array, b: Float32Array) => number, f64k: (a: Float64Array, b: Float64Array) => number) {
  return (a: Vector, b: Vector): number =>
    a instanceof Float32Array && b instanceof Float32Array ? f32(a, b) : f64k(f64(a), f64(b));
}

/** Adapts the addon's exports to the kernel table. */
export function nativeKernels(addon: NativeAddon): KernelSet {
  return {
    dot: pair(addon.dotF32, addon.dotF64),
    cosine: pair(addon.cosineF32, addon.cosineF64),
    euclidean: pair(addon.euclideanF32, addon.euclideanF64),
    cosineBatch: addon.cosineBatchF32,
    euclideanBatch: addon.euclideanBatchF32,
    topK: (query, matrix, dim, metric, outIndices, outScores) =>
      addon.topKF32(query, matrix, dim, outIndices.length, METRIC_CODE[metric], outIndices, outScores),
    // Only Float64Array scans natively in place; converting another type just to scan it costs more than the JS loop.
    firstNonFinite: (x) => (x instanceof Float64Array ? addon.firstNonFiniteF64(x) : firstNonFinite(x)),
    riskScore: (s, c, max) => addon.riskScoreF64(toF64(s), toF64(c), max),
    riskScoreBatch: (s, c, offsets, max, out) => addon.riskScoreBatchF64(toF64(s), toF64(c), offsets, max, out),
    temporalDecay: (s, a, h, out) => addon.temporalDecayF64(toF64(s), toF64(a), h, out),
    stats: (x, ddof, out) => addon.statsF64(toF64(x), ddof, out),
    percentiles: (x, ps, out) => addon.percentilesF64(toF64(x), ps, out),
    movingAverage: (x, w, out) => addon.movingAverageF64(toF64(x), w, out),
    outliersIQR: (x, k) => addon.outliersIqrF64(toF64(x), k),
    outliersZScore: (x, t) => addon.outliersZscoreF64(toF64(x), t),
    ngramFeatures: (texts, n, dims, normalize, out) => {
      const p = packTexts(texts);
      addon.ngramFeatures(p.bytes, p.offsets, n, dims, normalize, out);
    },
    matmul: (a, b, m, k, n, out) =>
      a instanceof Float32Array
        ? addon.matmulF32(a, b as Float32Array, m, k, n, out as Float32Array)
        : addon.matmulF64(a, b as Float64Array, m, k, n, out as Float64Array),
  };
}

export { nativeAddon } from './handle.js';

export function loadNativeTier(): Tier {
  const r = loadNativeAddon();
  if (r.addon === null) return failedTier('native', r.error);
  try {
    setNativeAddon(r.addon);
    return {
      name: 'native',
      status: { loaded: true, error: null, path: r.path, simd: r.addon.simdLevel(), threads: r.addon.threadCount() },
      kernels: nativeKernels(r.addon),
    };
  } catch (e) {
    setNativeAddon(null);
    return failedTier('native', `native addon loaded but failed its self-check: ${(e as Error).message}`);
  }
}
