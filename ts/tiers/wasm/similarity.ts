// Similarity kernels on the wasm tier. Inputs are copied into linear memory;
// large matrices stream through in L2-sized chunks so the copy reads the
// source once and the kernel then reads the chunk from cache.
import type { KernelSet } from '../../contract/kernels.js';
import { METRIC_CODE } from '../../contract/abi.js';
import type { Metric, Vector } from '../../contract/types.js';
import { align, STREAM_BUDGET, type WasmHeap } from './heap.js';

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

  function pair(fn: 'dot' | 'cosine' | 'euclidean', f32k: PairKernel, f64k: PairKernel) {
    return (a: Vector, b: Vector): number => {
      const n = a.length;
      // One reduction over both vectors whole (chunks would change the summation order).
      if (a instanceof Float32Array && b instanceof Float32Array) {
        const pa = h.scratch(2 * align(n * 4), fn, 'a and b');
        const pb = pa + align(n * 4);
        h.f32.set(a, pa >>> 2);
        h.f32.set(b, pb >>> 2);
        return f32k(pa, pb, n);
      }
      const pa = h.scratch(2 * align(n * 8), fn, 'a and b');
      const pb = pa + align(n * 8);
      // Float64Array.set converts number[] and Float32Array element-wise.
      h.f64.set(a, pa >>> 3);
      h.f64.set(b, pb >>> 3);
      return f64k(pa, pb, n);
    };
  }

  function batch(fn: 'cosineBatch' | 'euclideanBatch', kernel: BatchKernel) {
    return (queries: Float32Array, matrix: Float32Array, dim: number, out: Float32Array): void => {
      const nq = queries.length / dim, n = matrix.length / dim;
      if (n === 0 || nq === 0) return;
      // Queries and output stream too: blocks of queries (all of them unless they pass the
      // budget) against L2-sized row chunks, the output chunk capped by the same budget.
      const rowBytes = dim * 4;
      const qPer = Math.max(1, Math.min(nq, Math.floor(STREAM_BUDGET / rowBytes), Math.floor(STREAM_BUDGET / 4)));
      const rowsPer = Math.max(1, Math.min(chunkRows(dim, n), Math.floor(STREAM_BUDGET / (qPer * 4))));
      const qBytes = align(qPer * rowBytes), mBytes = align(rowsPer * rowBytes);
      const base = h.scratch(qBytes + mBytes + align(qPer * rowsPer * 4), fn, 'dim (one query and one matrix row at least)');
      const pm = base + qBytes, po = pm + mBytes;
      const { f32 } = h;
      for (let q0 = 0; q0 < nq; q0 += qPer) {
        const qs = Math.min(qPer, nq - q0);
        f32.set(queries.subarray(q0 * dim, (q0 + qs) * dim), base >>> 2);
        for (let r0 = 0; r0 < n; r0 += rowsPer) {
          const rows = Math.min(rowsPer, n - r0);
          f32.set(matrix.subarray(r0 * dim, (r0 + rows) * dim), pm >>> 2);
          kernel(base, qs, pm, rows, dim, po);
          const o = po >>> 2;
          if (qs === 1) out.set(f32.subarray(o, o + rows), q0 * n + r0);
          else for (let q = 0; q < qs; q++) out.set(f32.subarray(o + q * rows, o + (q + 1) * rows), (q0 + q) * n + r0);
        }
      }
    };
  }

  function topK(query: Float32Array, matrix: Float32Array, dim: number, metric: Metric, outIndices: Uint32Array, outScores: Float32Array): number {
    const k = outIndices.length, n = matrix.length / dim, code = METRIC_CODE[metric];
    const rowsPer = chunkRows(dim, n);
    const qBytes = align(dim * 4), mBytes = align(rowsPer * dim * 4), hBytes = align(k * 4);
    // The heap of k entries must be whole; the matrix streams.
    const pq = h.scratch(qBytes + mBytes + 2 * hBytes + 16, 'topK', 'k (the heap of k entries) with dim');
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
    dot: pair('dot', ex.dotF32, ex.dotF64),
    cosine: pair('cosine', ex.cosineF32, ex.cosineF64),
    euclidean: pair('euclidean', ex.euclideanF32, ex.euclideanF64),
    cosineBatch: batch('cosineBatch', ex.cosineBatchF32),
    euclideanBatch: batch('euclideanBatch', ex.euclideanBatchF32),
    topK,
  };
}
