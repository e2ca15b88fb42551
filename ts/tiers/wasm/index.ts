// The wasm tier once an instance exists. How the instance comes about differs
// per platform (sync file read on Node: loader.ts; fetch + async compile in
// browsers: instantiate.ts), so this module imports neither.
import type { KernelSet } from '../../contract/kernels.js';
import type { Tier } from '../../contract/tier.js';
import type { WasmExports } from './exports.js';
import { featuresKernels } from './features.js';
import { WasmHeap } from './heap.js';
import { matmulKernels } from './matmul.js';
import { riskKernels } from './risk.js';
import { routingKernels } from './routing.js';
import { similarityKernels } from './similarity.js';
import { statisticsKernels } from './statistics.js';

let heapRef: WasmHeap | null = null;
let kernelsRef: KernelSet | null = null;

/** Current size of the wasm tier's linear memory in bytes (0 when not loaded). @internal */
export function wasmMemoryBytes(): number {
  return heapRef === null ? 0 : heapRef.ex.memory.buffer.byteLength;
}

/** The loaded wasm tier's heap and kernel set, for tests that drive the allocator or pass their own `out`. @internal */
export function wasmRuntime(): { heap: WasmHeap; kernels: KernelSet } | null {
  return heapRef === null || kernelsRef === null ? null : { heap: heapRef, kernels: kernelsRef };
}

/** The wasm tier over an instantiated module; `path` is where it came from (file path or URL). @internal */
export function wasmTier(exports: WasmExports, path: string): Tier {
  const h = (heapRef = new WasmHeap(exports));
  const kernels: KernelSet = (kernelsRef = { ...similarityKernels(h), ...riskKernels(h), ...statisticsKernels(h), ...featuresKernels(h), ...matmulKernels(h), ...routingKernels(h) });
  return {
    name: 'wasm',
    status: { loaded: true, error: null, path, simd: exports.simdEnabled() ? 'simd128' : 'none', threads: 1 },
    kernels,
    runtime: h,
  };
}
