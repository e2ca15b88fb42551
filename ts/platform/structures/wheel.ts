// TimingWheel (and TtlCache, built on it) with the wheel's storage cores on
// every tier. Public code imports the classes from here (through
// public-api.ts), so a bundle that uses neither carries none of the cores.
import { TimingWheel as TimingWheelClass } from '../../api/timing-wheel.js';
import { TtlCache as TtlCacheClass } from '../../api/ttl-cache.js';
import { provideStructure } from '../../dispatch/dispatch.js';
import { jsWheel } from '../../tiers/js/wheel.js';
import type { NativeAddon } from '../../tiers/native/addon.js';
import { nativeWheel } from '../../tiers/native/wheel.js';
import type { WasmHeap } from '../../tiers/wasm/heap.js';
import { wasmWheel } from '../../tiers/wasm/wheel.js';

provideStructure('wheel', {
  js: jsWheel,
  wasm: (heap) => wasmWheel(heap as WasmHeap),
  native: (addon) => (typeof (addon as NativeAddon).NativeTimingWheel === 'function' ? nativeWheel(addon as NativeAddon) : null),
});

// Bindings of this module's own, not re-exports: webpack and Vite skip a
// "sideEffects"-free module that only re-exports, and with it the
// provideStructure call above.
/** {@inheritDoc TimingWheelClass} */
export const TimingWheel = TimingWheelClass;
export type TimingWheel<P = unknown> = TimingWheelClass<P>;
/** {@inheritDoc TtlCacheClass} */
export const TtlCache = TtlCacheClass;
export type TtlCache<K extends string | number, V> = TtlCacheClass<K, V>;
