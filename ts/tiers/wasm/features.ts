// Hashed n-gram features on the wasm tier: texts cross as one UTF-8 buffer
// with offsets.
import { packTexts } from '../shared/utf8.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { WasmHeap } from './heap.js';

/** The features entries of the kernel table on the wasm tier. */
export function featuresKernels(h: WasmHeap): Pick<KernelSet, 'ngramFeatures'> {
  const ex = h.ex;
  return {
    ngramFeatures(texts, n, dims, normalize, out) {
      const p = packTexts(texts);
      const [pb, po, pout, pc] = h.regions(p.bytes.length, p.offsets.length * 4, out.length * 4, dims * 4);
      h.u8.set(p.bytes, pb);
      h.u32.set(p.offsets, po >>> 2);
      h.f32.fill(0, pout >>> 2, (pout >>> 2) + out.length);
      ex.ngramFeatures(pb, po, texts.length, n, dims, normalize ? 1 : 0, pout, pc);
      out.set(h.f32.subarray(pout >>> 2, (pout >>> 2) + out.length));
    },
  };
}
