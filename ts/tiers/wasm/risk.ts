// Risk kernels on the wasm tier. Elementwise and per-entity kernels stream
// through L2-sized chunks of linear memory.
import type { KernelSet } from '../../contract/kernels.js';
import { STREAM_F64, window, type WasmHeap } from './heap.js';

/** The risk entries of the kernel table on the wasm tier. */
export function riskKernels(h: WasmHeap): Pick<KernelSet, 'riskScore' | 'riskScoreBatch' | 'temporalDecay'> {
  const ex = h.ex;
  return {
    riskScore(s, c, max) {
      const [ps, pc] = h.regionsFor('riskScore', 'severities and confidences', s.length * 8, c.length * 8);
      h.f64.set(s, ps >>> 3);
      h.f64.set(c, pc >>> 3);
      return ex.riskScoreF64(ps, pc, s.length, max);
    },

    riskScoreBatch(s, c, offsets, max, out) {
      const e = out.length;
      let bad = 0;
      // Entity ranges of about STREAM_F64 signals; one oversized entity is a chunk of its own.
      for (let e0 = 0; e0 < e; ) {
        const base = offsets[e0];
        let e1 = e0 + 1;
        // Capped in entities too: a run of empty entities must not ask for an unbounded output chunk.
        while (e1 < e && e1 - e0 < STREAM_F64 && offsets[e1 + 1] - base <= STREAM_F64) e1++;
        const n = offsets[e1] - base, ents = e1 - e0;
        const [ps, pc, po, pout] = h.regionsFor('riskScoreBatch', `the severities and confidences of entity ${e0}`, n * 8, n * 8, (ents + 1) * 4, ents * 8);
        h.f64.set(window(s, base, base + n), ps >>> 3);
        h.f64.set(window(c, base, base + n), pc >>> 3);
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
      const [ps, pa, pout] = h.regions('temporalDecay', STREAM_F64 * 8, STREAM_F64 * 8, STREAM_F64 * 8);
      for (let i0 = 0; i0 < out.length; i0 += STREAM_F64) {
        const n = Math.min(STREAM_F64, out.length - i0);
        h.f64.set(window(s, i0, i0 + n), ps >>> 3);
        h.f64.set(window(a, i0, i0 + n), pa >>> 3);
        flags |= ex.temporalDecayF64(ps, pa, n, halfLife, pout);
        out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + n), i0);
      }
      return flags;
    },
  };
}
