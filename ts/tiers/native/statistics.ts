// Statistics kernels on the native tier (f64 storage).
import { firstNonFinite, toF64 } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { NativeAddon } from './addon.js';

/** The statistics entries of the kernel table on the native tier. */
export function statisticsKernels(addon: NativeAddon): Pick<KernelSet, 'firstNonFinite' | 'stats' | 'percentiles' | 'movingAverage' | 'outliersIQR' | 'outliersZScore'> {
  return {
    // Only Float64Array scans natively in place; converting another type just to scan it costs more than the JS loop.
    firstNonFinite: (x) => (x instanceof Float64Array ? addon.firstNonFiniteF64(x) : firstNonFinite(x)),
    stats: (x, ddof, out) => addon.statsF64(toF64(x), ddof, out),
    percentiles: (x, ps, out) => addon.percentilesF64(toF64(x), ps, out),
    movingAverage: (x, w, out) => addon.movingAverageF64(toF64(x), w, out),
    outliersIQR: (x, k) => addon.outliersIqrF64(toF64(x), k),
    outliersZScore: (x, t) => addon.outliersZscoreF64(toF64(x), t),
  };
}
