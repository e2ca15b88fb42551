// The storage contract of BPlusTree: what each tier's tree implements. Values
// never cross into native or wasm memory; the tree maps keys to u32 slots of
// a JS-side slab. Keys arrive validated: numbers are finite or ±Infinity,
// never NaN, with -0 already turned into 0; strings are well-formed UTF-16 and
// order by code point (UTF-8 byte order).

/** Key type of a tree. */
export type KeyKind = 'number' | 'string';

/** A key of either kind. */
export type Key = number | string;

/** The key type a `keyType` names: `'number'` ⇒ number, `'string'` ⇒ string (either ⇒ `number | string`). */
export type KeyOfKind<T extends KeyKind> = T extends 'number' ? number : T extends 'string' ? string : never;

/**
 * The `keyType` that holds keys of type `K`: number (and its subtypes) ⇒
 * `'number'`, string (literal unions and branded strings too) ⇒ `'string'`,
 * `number | string` ⇒ either.
 */
export type KindOfKey<K extends Key> = K extends number ? 'number' : K extends string ? 'string' : never;

/** Bounds and options of a range scan. `lo`/`hi` of null are unbounded. */
export interface RangeQuery<K extends Key> {
  lo: K | null;
  hi: K | null;
  loInclusive: boolean;
  hiInclusive: boolean;
  /** Maximum entries returned (≥ 0). */
  limit: number;
  /** Descending order: starts at `hi`. */
  reverse: boolean;
}

/** Keys and their slots in scan order. */
export interface RangeResult<K extends Key> {
  keys: K[] | Float64Array;
  slots: Uint32Array;
}

/** Insert/lookup/delete results use -1 for "absent". */
export interface TreeCore<K extends Key> {
  /** Inserts `key` → `slot` if absent and returns -1; if present, leaves it and returns its existing slot. */
  set(key: K, slot: number): number;
  /** Slot of `key`, or -1. */
  get(key: K): number;
  /** Removes `key`; returns its slot, or -1 if it was absent. */
  delete(key: K): number;
  size(): number;
  clear(): void;
  range(q: RangeQuery<K>): RangeResult<K>;
  /** String trees: keys starting with `prefix` (byte-wise), ascending, at most `limit`. */
  prefix(prefix: string, limit: number): RangeResult<K>;
  /** `set` for each pair in order (a key repeated in the batch: later pairs see the earlier insert); out[i] as `set` returns. */
  setMany(keys: K[] | Float64Array, slots: Uint32Array, out: Int32Array): void;
  getMany(keys: K[] | Float64Array, out: Int32Array): void;
  deleteMany(keys: K[] | Float64Array, out: Int32Array): void;
  /**
   * Optional, string trees: `range`/`prefix` returning only slots. The API keeps
   * string keys beside their values, so tiers that would have to build a JS
   * string per key (native, wasm) implement these instead.
   */
  rangeSlots?(q: RangeQuery<K>): Uint32Array;
  prefixSlots?(prefix: string, limit: number): Uint32Array;
  /** Loads strictly ascending keys into an empty tree in O(n). */
  bulkLoad(keys: K[] | Float64Array, slots: Uint32Array): void;
  /** Structural invariants: null when they hold, else what is broken. */
  check(): string | null;
  /** Frees the tree's memory; the core is unusable afterwards. */
  dispose(): void;
}
