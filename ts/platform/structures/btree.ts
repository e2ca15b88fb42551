// BPlusTree with its storage cores on every tier. Public code imports the
// class from here (through public-api.ts), so a bundle that never uses the
// tree carries none of the cores.
import { BPlusTree } from '../../api/btree.js';
import { provideStructure } from '../../dispatch/dispatch.js';
import { jsBTree } from '../../tiers/js/btree.js';
import type { NativeAddon } from '../../tiers/native/addon.js';
import { nativeBTree } from '../../tiers/native/btree.js';
import { wasmBTree } from '../../tiers/wasm/btree.js';
import type { WasmHeap } from '../../tiers/wasm/heap.js';

provideStructure('btree', {
  js: jsBTree,
  wasm: (heap) => wasmBTree(heap as WasmHeap),
  native: (addon) => (typeof (addon as NativeAddon).NativeBTree === 'function' ? nativeBTree(addon as NativeAddon) : null),
});

export { BPlusTree };
