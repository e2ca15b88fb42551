// QuantileSketch (and SlidingQuantileSketch, built on it) with the sketch's
// storage cores on every tier. Public code imports the classes from here
// (through public-api.ts), so a bundle that uses neither carries none of the
// cores. The batchers are here too: their latency statistics are a sketch.
import { AdaptiveBatcher as AdaptiveBatcherClass } from '../../api/adaptive-batcher.js';
import { riskBatcher as riskBatcherFn, topKBatcher as topKBatcherFn } from '../../api/kernel-batchers.js';
import { QuantileSketch as QuantileSketchClass } from '../../api/quantile-sketch.js';
import { SlidingQuantileSketch as SlidingQuantileSketchClass } from '../../api/sliding-quantile-sketch.js';
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

// Bindings of this module's own, not re-exports: webpack and Vite skip a
// "sideEffects"-free module that only re-exports, and with it the
// provideStructure call above.
/** {@inheritDoc AdaptiveBatcherClass} */
export const AdaptiveBatcher = AdaptiveBatcherClass;
export type AdaptiveBatcher<I, R> = AdaptiveBatcherClass<I, R>;
/** {@inheritDoc QuantileSketchClass} */
export const QuantileSketch = QuantileSketchClass;
export type QuantileSketch = QuantileSketchClass;
/** {@inheritDoc SlidingQuantileSketchClass} */
export const SlidingQuantileSketch = SlidingQuantileSketchClass;
export type SlidingQuantileSketch = SlidingQuantileSketchClass;
/** {@inheritDoc riskBatcherFn} */
export const riskBatcher = riskBatcherFn;
/** {@inheritDoc topKBatcherFn} */
export const topKBatcher = topKBatcherFn;
