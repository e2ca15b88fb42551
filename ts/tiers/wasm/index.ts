import { failedTier, type Tier } from '../../core/tier.js';
import { WasmHeap } from './heap.js';
import { loadWasmModule } from './loader.js';
import { wasmAnalytics } from './analytics.js';
import { wasmSimilarity } from './similarity.js';

let heapRef: WasmHeap | null = null;

/** The wasm tier's heap (for data structures living in linear memory), or null. @internal */
export function wasmHeap(): WasmHeap | null {
  return heapRef;
}

/** Current size of the wasm tier's linear memory in bytes (0 when not loaded). @internal */
export function wasmMemoryBytes(): number {
  return heapRef === null ? 0 : heapRef.ex.memory.buffer.byteLength;
}

export function loadWasmTier(): Tier {
  const r = loadWasmModule();
  if (r.exports === null) return failedTier('wasm', r.error);
  const heap = (heapRef = new WasmHeap(r.exports));
  return {
    name: 'wasm',
    status: { loaded: true, error: null, path: r.path, simd: r.exports.simdEnabled() ? 'simd128' : 'none', threads: 1 },
    kernels: { ...wasmSimilarity(heap), ...wasmAnalytics(heap) },
  };
}
