// Statistics kernels on the native tier (f64 storage).
import { firstNonFinite, toF64 } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';

/** The statistics entries of the kernel table on the native tier. */
export function statisticsKernels(addon: NativeAddon): Pick<KernelSet, 'firstNonFinite' | 'stats' | 'percentiles' | 'movingAverage' | 'outliersIQR' | 'outliersZScore'> {
  return {
    // Only Float64Array scans natively in place; converting another type just to scan it costs more than the JS loop.
    firstNonFinite: (x) => {
      if (!(x instanceof Float64Array)) return firstNonFinite(x);
      try {
        return addon.firstNonFiniteF64(x);
      } catch (e) {
        return rethrowNative('firstNonFinite', e, ['x'], [x]);
      }
    },
    stats: (x, ddof, out) => {
      try {
        addon.statsF64(toF64(x), ddof, out);
      } catch (e) {
        rethrowNative('stats', e, ['x', 'options.ddof', 'out'], [x, ddof, out]);
      }
    },
    percentiles: (x, ps, out) => {
      try {
        addon.percentilesF64(toF64(x), ps, out);
      } catch (e) {
        rethrowNative('percentiles', e, ['x', 'ps', 'out'], [x, ps, out]);
      }
    },
    movingAverage: (x, w, out) => {
      try {
        addon.movingAverageF64(toF64(x), w, out);
      } catch (e) {
        rethrowNative('movingAverage', e, ['x', 'window', 'out'], [x, w, out]);
      }
    },
    outliersIQR: (x, k) => {
      try {
        return addon.outliersIqrF64(toF64(x), k);
      } catch (e) {
        return rethrowNative('outliersIQR', e, ['x', 'options.k'], [x, k]);
      }
    },
    outliersZScore: (x, t) => {
      try {
        return addon.outliersZscoreF64(toF64(x), t);
      } catch (e) {
        return rethrowNative('outliersZScore', e, ['x', 'options.threshold'], [x, t]);
      }
    },
  };
}
