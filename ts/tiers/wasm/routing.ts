// Consistent hashing on the wasm tier: keys stream through linear memory in
// chunks (texts as one UTF-8 buffer with offsets, grouped by the streaming
// budget); the nodes' seeds and weights are copied once per call.
import type { KernelSet } from '../../contract/kernels.js';
import { packTexts } from '../shared/utf8.js';
import { STREAM_BUDGET, STREAM_F64, type WasmHeap } from './heap.js';

/** Keys per chunk: 256 KiB of u64 keys. */
const KEYS = STREAM_F64;

/** The routing entries of the kernel table on the wasm tier. */
export function routingKernels(h: WasmHeap): Pick<KernelSet, 'hashTexts' | 'jumpHash' | 'rendezvous' | 'rendezvousScores'> {
  const ex = h.ex;
  const u64 = (p: number, n: number): BigUint64Array => new BigUint64Array(h.u8.buffer, p, n);

  /** Runs `f` over chunks of `keys` copied in; seeds and weights (if any) copied once. */
  function overNodes(fn: string, keys: BigUint64Array, seeds: BigUint64Array, weights: Float64Array, outBytesPerKey: number, f: (pk: number, n: number, ps: number, pw: number, pout: number, i0: number) => void): void {
    const nodes = seeds.length;
    const per = Math.max(1, Math.min(KEYS, Math.floor(STREAM_BUDGET / Math.max(1, outBytesPerKey))));
    const chunk = Math.min(per, keys.length);
    const [ps, pw, pk, pout] = h.regionsFor(fn, 'the nodes', nodes * 8, nodes * 8, chunk * 8, chunk * outBytesPerKey);
    u64(ps, nodes).set(seeds);
    h.f64.set(weights, pw >>> 3);
    for (let i0 = 0; i0 < keys.length; i0 += chunk) {
      const n = Math.min(chunk, keys.length - i0);
      u64(pk, n).set(keys.subarray(i0, i0 + n));
      f(pk, n, ps, pw, pout, i0);
    }
  }

  return {
    hashTexts(texts, out) {
      const p = packTexts(texts), offs = p.offsets, count = texts.length;
      for (let t0 = 0; t0 < count; ) {
        const base = offs[t0]!;
        let t1 = t0 + 1;
        while (t1 < count && t1 - t0 < KEYS && offs[t1 + 1]! - base <= STREAM_BUDGET) t1++;
        const g = t1 - t0, bytes = offs[t1]! - base;
        const [pb, po, pout] = h.regionsFor('hashKeys', `keys[${t0}]`, bytes, (g + 1) * 4, g * 8);
        h.u8.set(p.bytes.subarray(base, base + bytes), pb);
        const u32 = h.u32, o = po >>> 2;
        for (let i = 0; i <= g; i++) u32[o + i] = offs[t0 + i]! - base;
        ex.hashTexts(pb, po, g, pout);
        out.set(u64(pout, g), t0);
        t0 = t1;
      }
    },

    jumpHash(keys, buckets, out) {
      const chunk = Math.min(KEYS, keys.length);
      const [pk, pout] = h.regions('jumpHash', chunk * 8, chunk * 4);
      for (let i0 = 0; i0 < keys.length; i0 += chunk) {
        const n = Math.min(chunk, keys.length - i0);
        u64(pk, n).set(keys.subarray(i0, i0 + n));
        ex.jumpHash(pk, n, buckets, pout);
        out.set(h.u32.subarray(pout >>> 2, (pout >>> 2) + n), i0);
      }
    },

    rendezvous(keys, seeds, weights, uniform, out) {
      overNodes('HashRing.routeMany', keys, seeds, weights, 4, (pk, n, ps, pw, pout, i0) => {
        ex.rendezvous(pk, n, ps, seeds.length, pw, uniform ? 1 : 0, pout);
        out.set(h.u32.subarray(pout >>> 2, (pout >>> 2) + n), i0);
      });
    },

    rendezvousScores(keys, seeds, weights, uniform, out) {
      const nodes = seeds.length;
      overNodes('HashRing.routeN', keys, seeds, weights, nodes * 8, (pk, n, ps, pw, pout, i0) => {
        ex.rendezvousScores(pk, n, ps, nodes, pw, uniform ? 1 : 0, pout);
        out.set(h.f64.subarray(pout >>> 3, (pout >>> 3) + n * nodes), i0 * nodes);
      });
    },
  };
}
