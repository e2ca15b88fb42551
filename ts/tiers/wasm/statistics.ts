// Statistics kernels on the wasm tier. Each needs the whole sample (selection,
// moving windows), so it is copied once into the scratch block; a sample whose
// working set cannot fit there is refused by name before anything is copied.
import { firstNonFinite } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { WasmHeap } from './heap.js';

/** The statistics entries of the kernel table on the wasm tier. */
export function statisticsKernels(h: WasmHeap): Pick<KernelSet, 'firstNonFinite' | 'stats' | 'percentiles' | 'movingAverage' | 'outliersIQR' | 'outliersZScore'> {
  const ex = h.ex;
  return {
    // Copying the sample into linear memory costs more than scanning it where it is.
    firstNonFinite: (x) => firstNonFinite(x),

    stats(x, ddof, out) {
      const [px, pout, pwork] = h.sample('stats', x, 64, x.length * 8);
      ex.statsF64(px, x.length, ddof, pout, pwork);
      out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + 8));
    },

    percentiles(x, ps, out) {
      const m = ps.length;
      const [px, pps, pout, pwork, pranks] = h.sample('percentiles', x, m * 8, m * 8, x.length * 8, 2 * m * 4);
      h.f64.set(ps, pps >>> 3);
      ex.percentilesF64(px, x.length, pps, m, pout, pwork, pranks);
      out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + m));
    },

    movingAverage(x, window, out) {
      const [px, pout] = h.sample('movingAverage', x, out.length * 8);
      ex.movingAverageF64(px, x.length, window, pout);
      out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + out.length));
    },

    outliersIQR(x, k) {
      const [px, pout, pwork] = h.sample('outliersIQR', x, x.length * 4, x.length * 8);
      const count = ex.outliersIqrF64(px, x.length, k, pout, pwork);
      return h.readU32(pout, count);
    },

    outliersZScore(x, threshold) {
      const [px, pout] = h.sample('outliersZScore', x, x.length * 4);
      const count = ex.outliersZscoreF64(px, x.length, threshold, pout);
      return h.readU32(pout, count);
    },
  };
}
