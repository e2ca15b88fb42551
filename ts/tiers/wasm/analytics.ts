// Analytics kernels on the wasm tier. Elementwise and per-entity kernels
// stream through L2-sized chunks; kernels that need the whole sample
// (selection, moving windows, GEMM) copy it once into the scratch block.
import type { KernelSet } from '../../core/kernels.js';
import type { Vector } from '../../core/types.js';
import { firstNonFinite } from '../../core/vectors.js';
import { packTexts } from '../utf8.js';
import type { WasmHeap } from './heap.js';

const CHUNK = 32 * 1024; // f64 elements per streamed array chunk (256 KB)

/** A window of a vector without copying typed arrays. */
function part(x: Vector, from: number, to: number): ArrayLike<number> {
  return Array.isArray(x) ? x.slice(from, to) : (x as Float64Array | Float32Array).subarray(from, to);
}

export type AnalyticsKernels = Omit<KernelSet, 'dot' | 'cosine' | 'euclidean' | 'cosineBatch' | 'euclideanBatch' | 'topK'>;

export function wasmAnalytics(h: WasmHeap): AnalyticsKernels {
  const ex = h.ex;

  /** Copies a sample into fresh scratch regions: [x, ...extra]; returns their pointers. */
  function withSample(x: Vector, ...extra: number[]): number[] {
    const ptrs = h.regions(x.length * 8, ...extra);
    h.f64.set(x, ptrs[0] >>> 3);
    return ptrs;
  }

  function readIndices(p: number, count: number): Uint32Array {
    return h.u32.slice(p >>> 2, (p >>> 2) + count);
  }

  return {
    // Copying the sample into linear memory costs more than scanning it where it is.
    firstNonFinite: (x) => firstNonFinite(x),

    riskScore(s, c, max) {
      const [ps, pc] = h.regions(s.length * 8, c.length * 8);
      h.f64.set(s, ps >>> 3);
      h.f64.set(c, pc >>> 3);
      return ex.riskScoreF64(ps, pc, s.length, max);
    },

    riskScoreBatch(s, c, offsets, max, out) {
      const e = out.length;
      let bad = 0;
      // Entity ranges of about CHUNK signals; one oversized entity is a chunk of its own.
      for (let e0 = 0; e0 < e; ) {
        const base = offsets[e0];
        let e1 = e0 + 1;
        while (e1 < e && offsets[e1 + 1] - base <= CHUNK) e1++;
        const n = offsets[e1] - base, ents = e1 - e0;
        const [ps, pc, po, pout] = h.regions(n * 8, n * 8, (ents + 1) * 4, ents * 8);
        h.f64.set(part(s, base, base + n), ps >>> 3);
        h.f64.set(part(c, base, base + n), pc >>> 3);
        const u32 = h.u32, o = po >>> 2;
        for (let i = 0; i <= ents; i++) u32[o + i] = offsets[e0 + i] - base;
        bad += ex.riskScoreBatchF64(ps, pc, n, po, ents, max, pout);
        out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + ents), e0);
        e0 = e1;
      }
      return bad;
    },

    temporalDecay(s, a, halfLife, out) {
      let flags = 0;
      const [ps, pa, pout] = h.regions(CHUNK * 8, CHUNK * 8, CHUNK * 8);
      for (let i0 = 0; i0 < out.length; i0 += CHUNK) {
        const n = Math.min(CHUNK, out.length - i0);
        h.f64.set(part(s, i0, i0 + n), ps >>> 3);
        h.f64.set(part(a, i0, i0 + n), pa >>> 3);
        flags |= ex.temporalDecayF64(ps, pa, n, halfLife, pout);
        out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + n), i0);
      }
      return flags;
    },

    stats(x, ddof, out) {
      const [px, pout, pwork] = withSample(x, 64, x.length * 8);
      ex.statsF64(px, x.length, ddof, pout, pwork);
      out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + 8));
    },

    percentiles(x, ps, out) {
      const m = ps.length;
      const [px, pps, pout, pwork, pranks] = withSample(x, m * 8, m * 8, x.length * 8, 2 * m * 4);
      h.f64.set(ps, pps >>> 3);
      ex.percentilesF64(px, x.length, pps, m, pout, pwork, pranks);
      out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + m));
    },

    movingAverage(x, window, out) {
      const [px, pout] = withSample(x, out.length * 8);
      ex.movingAverageF64(px, x.length, window, pout);
      out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + out.length));
    },

    outliersIQR(x, k) {
      const [px, pout, pwork] = withSample(x, x.length * 4, x.length * 8);
      const count = ex.outliersIqrF64(px, x.length, k, pout, pwork);
      return readIndices(pout, count);
    },

    outliersZScore(x, threshold) {
      const [px, pout] = withSample(x, x.length * 4);
      const count = ex.outliersZscoreF64(px, x.length, threshold, pout);
      return readIndices(pout, count);
    },

    ngramFeatures(texts, n, dims, normalize, out) {
      const p = packTexts(texts);
      const [pb, po, pout, pc] = h.regions(p.bytes.length, p.offsets.length * 4, out.length * 4, dims * 4);
      h.u8.set(p.bytes, pb);
      h.u32.set(p.offsets, po >>> 2);
      h.f32.fill(0, pout >>> 2, (pout >>> 2) + out.length);
      ex.ngramFeatures(pb, po, texts.length, n, dims, normalize ? 1 : 0, pout, pc);
      out.set(h.f32.subarray(pout >>> 2, (pout >>> 2) + out.length));
    },

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
