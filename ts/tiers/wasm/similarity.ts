// Similarity kernels on the wasm tier. Inputs are copied into linear memory;
// large matrices stream through in L2-sized chunks so the copy reads the
// source once and the kernel then reads the chunk from cache.
import type { KernelSet } from '../../contract/kernels.js';
import { METRIC_CODE } from '../../contract/abi.js';
import type { Metric, Vector } from '../../contract/types.js';
import { align, type WasmHeap } from './heap.js';

const CHUNK_BYTES = 256 * 1024;

type PairKernel = (a: number, b: number, n: number) => number;
type BatchKernel = (q: number, nq: number, m: number, rows: number, dim: number, out: number) => void;

/** Rows per streamed chunk: about CHUNK_BYTES, at least one row. */
export function chunkRows(dim: number, n: number): number {
  return Math.max(1, Math.min(n, Math.floor(CHUNK_BYTES / (dim * 4))));
}

/** The similarity entries of the kernel table on the wasm tier. */
export function similarityKernels(h: WasmHeap): Pick<KernelSet, 'dot' | 'cosine' | 'euclidean' | 'cosineBatch' | 'euclideanBatch' | 'topK'> {
  const ex = h.ex;

  function pair(f32k: PairKernel, f64k: PairKernel) {
    return (a: Vector, b: Vector): number => {
      const n = a.length;
      if (a instanceof Float32Array && b instanceof Float32Array) {
        const pa = h.scratch(2 * align(n * 4));
        const pb = pa + align(n * 4);
        h.f32.set(a, pa >>> 2);
        h.f32.set(b, pb >>> 2);
        return f32k(pa, pb, n);
      }
      const pa = h.scratch(2 * align(n * 8));
      const pb = pa + align(n * 8);
      // Float64Array.set converts number[] and Float32Array element-wise.
      h.f64.set(a, pa >>> 3);
      h.f64.set(b, pb >>> 3);
      return f64k(pa, pb, n);
    };
  }

  function batch(kernel: BatchKernel) {
    return (queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void => {
      const nq = queries.length / dim, n = matrix.length / dim;
      if (n === 0) return;
      const rowsPer = chunkRows(dim, n);
      const qBytes = align(queries.length * 4), mBytes = align(rowsPer * dim * 4);
      const base = h.scratch(qBytes + mBytes + align(nq * rowsPer * 4));
      const pm = base + qBytes, po = pm + mBytes;
      const { f32 } = h;
      f32.set(queries, base >>> 2);
      for (let r0 = 0; r0 < n; r0 += rowsPer) {
        const rows = Math.min(rowsPer, n - r0);
        f32.set(matrix.subarray(r0 * dim, (r0 + rows) * dim), pm >>> 2);
        kernel(base, nq, pm, rows, dim, po);
        const o = po >>> 2;
        if (nq === 1) out.set(f32.subarray(o, o + rows), r0);
        else for (let q = 0; q < nq; q++) out.set(f32.subarray(o + q * rows, o + (q + 1) * rows), q * n + r0);
      }
    };
  }

  function topK(query: Float32Array, matrix: Float32Array, dim: number, metric: Metric, outIndices: Uint32Array, outScores: Float32Array): number {
    const k = outIndices.length, n = matrix.length / dim, code = METRIC_CODE[metric];
    const rowsPer = chunkRows(dim, n);
    const qBytes = align(dim * 4), mBytes = align(rowsPer * dim * 4), hBytes = align(k * 4);
    const pq = h.scratch(qBytes + mBytes + 2 * hBytes + 16);
    const pm = pq + qBytes, pIdx = pm + mBytes, pSc = pIdx + hBytes, pState = pSc + hBytes;
    const { f32, i32 } = h;
    f32.set(query, pq >>> 2);
    i32[pState >>> 2] = 0;
    i32[(pState >>> 2) + 1] = 0;
    if (k > 0) {
      for (let r0 = 0; r0 < n; r0 += rowsPer) {
        const rows = Math.min(rowsPer, n - r0);
        f32.set(matrix.subarray(r0 * dim, (r0 + rows) * dim), pm >>> 2);
        ex.topKF32(pq, pm, rows, dim, code, r0, k, pIdx, pSc, pState);
      }
    }
    const size = i32[pState >>> 2];
    ex.topKFinishF32(pIdx, pSc, size, code);
    outIndices.set(h.u32.subarray(pIdx >>> 2, (pIdx >>> 2) + size));
    outScores.set(f32.subarray(pSc >>> 2, (pSc >>> 2) + size));
    return i32[(pState >>> 2) + 1];
  }

  return {
    dot: pair(ex.dotF32, ex.dotF64),
    cosine: pair(ex.cosineF32, ex.cosineF64),
    euclidean: pair(ex.euclideanF32, ex.euclideanF64),
    cosineBatch: batch(ex.cosineBatchF32),
    euclideanBatch: batch(ex.euclideanBatchF32),
    topK,
  };
}
