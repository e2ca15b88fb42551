// The wasm tier once an instance exists. How the instance comes about differs
// per platform (sync file read on Node: loader.ts; fetch + async compile in
// browsers: instantiate.ts), so this module imports neither.
import type { Tier } from '../../core/tier.js';
import type { WasmExports } from './exports.js';
import { WasmHeap } from './heap.js';
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

/** The wasm tier over an instantiated module; `path` is where it came from (file path or URL). @internal */
export function wasmTier(exports: WasmExports, path: string): Tier {
  const heap = (heapRef = new WasmHeap(exports));
  return {
    name: 'wasm',
    status: { loaded: true, error: null, path, simd: exports.simdEnabled() ? 'simd128' : 'none', threads: 1 },
    kernels: { ...wasmSimilarity(heap), ...wasmAnalytics(heap) },
  };
}
