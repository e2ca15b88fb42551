// Matrix multiply on the wasm tier: both operands and the product in linear memory.
import type { KernelSet } from '../../contract/kernels.js';
import type { WasmHeap } from './heap.js';

/** The matmul entries of the kernel table on the wasm tier. */
export function matmulKernels(h: WasmHeap): Pick<KernelSet, 'matmul'> {
  const ex = h.ex;
  return {
    matmul(a, b, m, k, n, out) {
      if (a instanceof Float32Array) {
        const [pa, pb, pc] = h.regions(a.length * 4, b.length * 4, out.length * 4);
        h.f32.set(a, pa >>> 2);
        h.f32.set(b, pb >>> 2);
        ex.matmulF32(pa, pb, m, k, n, pc);
        out.set(h.f32.subarray(pc >>> 2, (pc >>> 2) + out.length));
      } else {
        const [pa, pb, pc] = h.regions(a.length * 8, b.length * 8, out.length * 8);
        h.f64.set(a, pa >>> 3);
        h.f64.set(b, pb >>> 3);
        ex.matmulF64(pa, pb, m, k, n, pc);
        out.set(h.f64.subarray(pc >>> 3, (pc >>> 3) + out.length));
      }
    },
  };
}
