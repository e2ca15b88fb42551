// TimingWheel (and TtlCache, built on it) with the wheel's storage cores on
// every tier. Public code imports the classes from here (through
// public-api.ts), so a bundle that uses neither carries none of the cores.
import { TimingWheel } from '../../api/timing-wheel.js';
import { TtlCache } from '../../api/ttl-cache.js';
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

export { TimingWheel, TtlCache };
