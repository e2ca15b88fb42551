// Hashed n-gram features on the wasm tier: texts cross as one UTF-8 buffer
// with offsets, in groups whose rows and bytes fit the streaming budget (all
// texts at once unless the output would pass it; rows are independent).
import { packTexts } from '../shared/utf8.js';
import type { KernelSet } from '../../contract/kernels.js';
import { STREAM_BUDGET, type WasmHeap } from './heap.js';

/** The features entries of the kernel table on the wasm tier. */
export function featuresKernels(h: WasmHeap): Pick<KernelSet, 'ngramFeatures'> {
  const ex = h.ex;
  return {
    ngramFeatures(texts, n, dims, normalize, out) {
      const p = packTexts(texts), offs = p.offsets, count = texts.length;
      const rowsPer = Math.max(1, Math.floor(STREAM_BUDGET / (dims * 4)));
      for (let t0 = 0; t0 < count; ) {
        const base = offs[t0];
        let t1 = t0 + 1;
        while (t1 < count && t1 - t0 < rowsPer && offs[t1 + 1] - base <= STREAM_BUDGET) t1++;
        const g = t1 - t0, bytes = offs[t1] - base, cells = g * dims;
        const [pb, po, pout, pc] = h.regionsFor('ngramFeatures', `texts[${t0}]`, bytes, (g + 1) * 4, cells * 4, dims * 4);
        h.u8.set(p.bytes.subarray(base, base + bytes), pb);
        const u32 = h.u32, o = po >>> 2;
        for (let i = 0; i <= g; i++) u32[o + i] = offs[t0 + i] - base;
        h.f32.fill(0, pout >>> 2, (pout >>> 2) + cells);
        ex.ngramFeatures(pb, po, g, n, dims, normalize ? 1 : 0, pout, pc);
        out.set(h.f32.subarray(pout >>> 2, (pout >>> 2) + cells), t0 * dims);
        t0 = t1;
      }
    },
  };
}
