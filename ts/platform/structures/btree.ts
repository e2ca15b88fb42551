// BPlusTree with its storage cores on every tier. Public code imports the
// class from here (through public-api.ts), so a bundle that never uses the
// tree carries none of the cores.
import { BPlusTree as TreeConstructor, type BPlusTree as TreeOf } from '../../api/btree.js';
import type { Key } from '../../contract/btree.js';
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

// Bindings of this module's own, not re-exports: webpack and Vite skip a
// "sideEffects"-free module that only re-exports, and with it the
// provideStructure call above.
/** The ordered map (see {@link TreeConstructor | BPlusTreeConstructor} for how `keyType` fixes the key type). */
export const BPlusTree = TreeConstructor;
/** An ordered map with keys `K` and values `V`. */
export type BPlusTree<K extends Key = Key, V = unknown> = TreeOf<K, V>;
