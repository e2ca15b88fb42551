// Matrix multiply on the wasm tier. B (k×n) is copied whole; A and the product stream
// through in blocks of rows (all of them when they fit the budget), since each row of C
// depends only on its row of A and all of B (the per-element arithmetic is the same).
import type { KernelSet } from '../../contract/kernels.js';
import { align, exhausted, MAX_SCRATCH, STREAM_BUDGET, type WasmHeap } from './heap.js';

/** Micro-kernel height in asm/assembly/matmul.ts: blocks of a multiple of it keep full tiles. */
const MR = 4;

/** The matmul entries of the kernel table on the wasm tier. */
export function matmulKernels(h: WasmHeap): Pick<KernelSet, 'matmul'> {
  const ex = h.ex;
  return {
    matmul(a, b, m, k, n, out) {
      if (m === 0 || n === 0) return;
      // k = 0: the empty sum. Nothing to copy in, and no scratch block sized by m·n.
      if (k === 0) {
        out.fill(0);
        return;
      }
      const f32 = a instanceof Float32Array, es = f32 ? 4 : 8;
      const bBytes = align(k * n * es), rowBytes = align(k * es) + align(n * es);
      if (bBytes + rowBytes > MAX_SCRATCH) throw exhausted('matmul', bBytes + rowBytes, 'b (k·n) and one row of a and of the product');
      let rows = Math.min(m, Math.max(1, Math.floor((Math.max(STREAM_BUDGET, 2 * bBytes) - bBytes) / rowBytes)));
      rows = Math.min(rows, Math.floor((MAX_SCRATCH - bBytes) / rowBytes));
      if (rows < m && rows >= MR) rows -= rows % MR;
      const aBytes = align(rows * k * es);
      const pb = h.scratch(bBytes + aBytes + align(rows * n * es), 'matmul', 'b (k·n) and a block of rows of a and of the product');
      const pa = pb + bBytes, pc = pa + aBytes;
      if (f32) {
        h.f32.set(b, pb >>> 2);
        for (let i0 = 0; i0 < m; i0 += rows) {
          const r = Math.min(rows, m - i0);
          h.f32.set((a as Float32Array).subarray(i0 * k, (i0 + r) * k), pa >>> 2);
          ex.matmulF32(pa, pb, r, k, n, pc);
          out.set(h.f32.subarray(pc >>> 2, (pc >>> 2) + r * n), i0 * n);
        }
      } else {
        h.f64.set(b, pb >>> 3);
        for (let i0 = 0; i0 < m; i0 += rows) {
          const r = Math.min(rows, m - i0);
          h.f64.set((a as Float64Array).subarray(i0 * k, (i0 + r) * k), pa >>> 3);
          ex.matmulF64(pa, pb, r, k, n, pc);
          out.set(h.f64.subarray(pc >>> 3, (pc >>> 3) + r * n), i0 * n);
        }
      }
    },
  };
}
