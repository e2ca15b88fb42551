// QuantileSketch (and SlidingQuantileSketch, built on it) with the sketch's
// storage cores on every tier. Public code imports the classes from here
// (through public-api.ts), so a bundle that uses neither carries none of the
// cores. The batchers are here too: their latency statistics are a sketch.
import { AdaptiveBatcher } from '../../api/adaptive-batcher.js';
import { riskBatcher, topKBatcher } from '../../api/kernel-batchers.js';
import { QuantileSketch } from '../../api/quantile-sketch.js';
import { SlidingQuantileSketch } from '../../api/sliding-quantile-sketch.js';
import { provideStructure } from '../../dispatch/dispatch.js';
import { jsSketch } from '../../tiers/js/sketch.js';
import type { NativeAddon } from '../../tiers/native/addon.js';
import { nativeSketch } from '../../tiers/native/sketch.js';
import type { WasmHeap } from '../../tiers/wasm/heap.js';
import { wasmSketch } from '../../tiers/wasm/sketch.js';

provideStructure('sketch', {
  js: jsSketch,
  wasm: (heap) => wasmSketch(heap as WasmHeap),
  native: (addon) => (typeof (addon as NativeAddon).NativeQuantileSketch === 'function' ? nativeSketch(addon as NativeAddon) : null),
});

export { AdaptiveBatcher, QuantileSketch, riskBatcher, SlidingQuantileSketch, topKBatcher };
