/// <reference lib="esnext.disposable" preserve="true" />
// BPlusTree: an ordered map whose index lives in native or wasm memory while
// values stay in a JS slab, addressed by u32 slots. This is the class; users
// get it through ./btree.ts, which types its constructor so `keyType` fixes
// the key type (a class constructor cannot infer its class's type arguments
// from an option's literal).
import { ABI } from '../contract/abi.js';
import { ownCopy, realView } from '../contract/checks.js';
import { coreRegistry } from '../contract/disposal.js';
import type { Key, KindOfKey, RangeQuery, RangeResult, TreeCore } from '../contract/btree.js';
import { structureTier } from '../dispatch/dispatch.js';
import { allocate, batchLength, checkBoolean, checkCount, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { compareCodePoints } from '../contract/strings.js';

// Optional options say `| undefined`: the tree reads an undefined option as
// absent, and consumers with exactOptionalPropertyTypes may pass one.

/** Options of {@link BPlusTree} with keys of type `K`. */
export interface BPlusTreeOptions<K extends Key = Key> {
  /**
   * `'number'` keys order numerically (-0 equals 0); `'string'` keys by Unicode
   * code point (UTF-8 byte order). Must match `K`: `'number'` for number keys,
   * `'string'` for string keys.
   */
  keyType: KindOfKey<K>;
  /** Maximum keys per leaf and children per internal node, 4..1024 (default 64). */
  order?: number | undefined;
  /** Tier holding the tree; `'auto'` (default) follows setBackend, else picks the fastest loaded tier. Fixed for the tree's life. */
  backend?: BackendChoice | undefined;
}

/** Options of {@link BPlusTree.range}. */
export interface RangeOptions {
  /** Include `lo` itself (default true). */
  loInclusive?: boolean | undefined;
  /** Include `hi` itself (default false). */
  hiInclusive?: boolean | undefined;
  /** At most this many entries (default unlimited). */
  limit?: number | undefined;
  /** Descending, starting from `hi` (default false). */
  reverse?: boolean | undefined;
}

/** Options of {@link BPlusTree.prefix}. */
export interface PrefixOptions {
  /** At most this many entries (default unlimited). */
  limit?: number | undefined;
}

const DEFAULT_ORDER = 64;
const PAGE = 256;
// wasm measured fastest for single gets (no napi class-method overhead, ~400 ns a call), getMany,
// range and delete, for number and string keys alike; see README "B+ tree" for the numbers.
const PREFERENCE: readonly TierName[] = ['wasm', 'native', 'js'];

/**
 * An ordered map with point lookups, range and prefix scans, and batch
 * operations that cross into native or wasm memory once per call.
 *
 * Keys: numbers (finite; NaN and ±Infinity are RangeErrors; -0 is stored as 0)
 * or strings (well-formed UTF-16), fixed per tree by `keyType`. String order is
 * Unicode code point order, which differs from JS `<` when astral characters
 * (surrogate pairs) meet U+E000–U+FFFF. Values are any JS values.
 *
 * Iterators (`entries`, `keys`, `values`, `for…of`) may run while the tree is
 * modified and see it as it is at each step: keys inserted ahead of the
 * cursor are visited, keys deleted before the cursor reaches them are not, no
 * key is yielded twice, and each value is the current one. They read pages of
 * 256 entries; a modification makes the next step re-read from the cursor.
 *
 * Call `dispose()` (or use `using`) to free the tree's memory at once; a
 * FinalizationRegistry frees it after garbage collection otherwise.
 *
 * Type parameters: `K` the key type (tied to `keyType`), `V` the value type
 * (default `unknown`), in the order of `Map<K, V>` and sorted-btree.
 */
export class BPlusTree<K extends Key = Key, V = unknown> {
  private readonly core: TreeCore<K>;
  private readonly slab: (V | undefined)[] = [];
  /** String trees on native/wasm: each slot's key, so scans return slots and skip building strings. */
  private readonly keySlab: (K | undefined)[] | null;
  private readonly free: number[] = [];
  private disposed = false;
  /** Bumped by every modification so live iterators know to re-read. */
  private version = 0;
  /** Key type of this tree. */
  readonly keyType: KindOfKey<K>;
  /** Tier holding this tree. */
  readonly backend: TierName;

  constructor(options: BPlusTreeOptions<K>) {
    const o = checkOptions<BPlusTreeOptions<K>>('BPlusTree', options);
    if (o.keyType !== 'number' && o.keyType !== 'string') rangeError('BPlusTree', 'options.keyType', `must be 'number' or 'string'; got ${describe(o.keyType)}`);
    const order = o.order === undefined ? DEFAULT_ORDER : checkCount('BPlusTree', 'options.order', o.order, ABI.TREE_MIN_ORDER);
    if (order > ABI.TREE_MAX_ORDER) rangeError('BPlusTree', 'options.order', `must be <= ${ABI.TREE_MAX_ORDER}; got ${order}`);
    this.keyType = o.keyType;
    const { tier, make } = structureTier('BPlusTree', o.backend ?? 'auto', PREFERENCE, 'btree');
    this.backend = tier;
    this.core = make<K>(o.keyType, order);
    this.keySlab = o.keyType === 'string' && this.core.rangeSlots ? [] : null;
    coreRegistry.register(this, this.core as TreeCore<Key>, this);
  }

  /** Builds a tree from strictly ascending keys in O(n). */
  static fromSorted<K extends Key, V>(keys: readonly K[] | Float64Array, values: ArrayLike<V>, options: BPlusTreeOptions<K>): BPlusTree<K, V> {
    const t = new BPlusTree<K, V>(options);
    try {
      const ks = t.batchKeys('fromSorted', keys);
      const vs = t.batchValues('fromSorted', ks, values);
      for (let i = 1; i < ks.length; i++) {
        if (!(ks instanceof Float64Array ? ks[i - 1] < ks[i] : t.less(ks[i - 1] as K, ks[i] as K))) rangeError('BPlusTree.fromSorted', `keys[${i}]`, `must be greater than keys[${i - 1}]; keys must be strictly ascending`);
      }
      const slots = new Uint32Array(ks.length);
      for (let i = 0; i < ks.length; i++) {
        slots[i] = i;
        t.slab.push(vs[i]);
      }
      if (t.keySlab) for (let i = 0; i < ks.length; i++) t.keySlab.push(ks[i] as K);
      t.core.bulkLoad(ks, slots);
    } catch (e) {
      t.dispose(); // its index memory now, not at the next collection
      throw e;
    }
    return t;
  }

  // ---- validation -------------------------------------------------------

  private live(fn: string): void {
    if (this.disposed) throw new TypeError(`hotpath.BPlusTree.${fn}: tree is disposed`);
  }

  private key(fn: string, key: unknown, arg = 'key'): K {
    if (this.keyType === 'number') {
      if (typeof key !== 'number') typeError(`BPlusTree.${fn}`, arg, `must be a number in a number tree; got ${describe(key)}`);
      if (!Number.isFinite(key)) rangeError(`BPlusTree.${fn}`, arg, `must be finite; got ${key}`);
      return (key + 0) as K; // -0 → 0
    }
    if (typeof key !== 'string') typeError(`BPlusTree.${fn}`, arg, `must be a string in a string tree; got ${describe(key)}`);
    if (!key.isWellFormed()) rangeError(`BPlusTree.${fn}`, arg, 'contains a lone surrogate; string keys must be well-formed UTF-16');
    return key as K;
  }

  /** Bound of a range: null/undefined is unbounded; ±Infinity is allowed for number trees. */
  private bound(fn: string, x: unknown, arg: string): K | null {
    if (x === undefined || x === null) return null;
    if (this.keyType === 'number' && (x === Infinity || x === -Infinity)) return x as K;
    return this.key(fn, x, arg);
  }

  private less(a: K, b: K): boolean {
    return typeof a === 'number' ? a < (b as number) : compareCodePoints(a as string, b as string) < 0;
  }

  private batchKeys(fn: string, keys: unknown): K[] | Float64Array {
    const name = `BPlusTree.${fn}`;
    if (this.keyType === 'number') {
      if (keys instanceof Float64Array) {
        // Validated and used as one snapshot: a shared buffer could change in between.
        const own = ownCopy(realView(name, 'keys', keys));
        batchLength(name, 'keys', own);
        let copy: Float64Array | null = own === keys ? null : own;
        for (let i = 0; i < own.length; i++) {
          const k = own[i];
          if (k - k !== 0) rangeError(name, `keys[${i}]`, `must be finite; got ${k}`);
          if (k === 0 && 1 / k < 0) (copy ??= own.slice())[i] = 0;
        }
        return copy ?? own;
      }
      if (!Array.isArray(keys)) typeError(name, 'keys', `must be a Float64Array or number[]; got ${describe(keys)}`);
      const n = batchLength(name, 'keys', keys);
      if (n > 0) this.key(fn, keys[0], 'keys[0]'); // a hole or a wrong type is named before anything is allocated
      const out = allocate(name, 'keys', Float64Array, n);
      for (let i = 0; i < n; i++) out[i] = this.key(fn, keys[i], `keys[${i}]`) as number;
      return out;
    }
    if (!Array.isArray(keys)) typeError(name, 'keys', `must be an array of strings; got ${describe(keys)}`);
    batchLength(name, 'keys', keys);
    if (keys.length > 0) this.key(fn, keys[0], 'keys[0]');
    // A copy, so element getters run once and what was checked is what is stored.
    const own = keys.slice() as K[];
    for (let i = 0; i < own.length; i++) this.key(fn, own[i], `keys[${i}]`);
    return own;
  }

  /** The values of a batch, read once up front so a throwing getter fails the call before anything changes. */
  private batchValues(fn: string, keys: ArrayLike<unknown>, values: unknown): V[] {
    if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<V>).length !== 'number') {
      typeError(`BPlusTree.${fn}`, 'values', `must be an array-like; got ${describe(values)}`);
    }
    const n = (values as ArrayLike<V>).length;
    if (n !== keys.length) rangeError(`BPlusTree.${fn}`, 'values', `length ${n} does not match keys length ${keys.length}`);
    return Array.prototype.slice.call(values) as V[];
  }

  // ---- slab -------------------------------------------------------------

  private takeSlot(): number {
    return this.free.length > 0 ? this.free[this.free.length - 1] : this.slab.length;
  }

  private commitSlot(slot: number, key: K, value: V): void {
    if (this.free.length > 0 && this.free[this.free.length - 1] === slot) this.free.pop();
    this.slab[slot] = value;
    if (this.keySlab) this.keySlab[slot] = key;
  }

  private release(slot: number): void {
    this.slab[slot] = undefined;
    if (this.keySlab) this.keySlab[slot] = undefined;
    this.free.push(slot);
  }

  // ---- point operations ---------------------------------------------------

  /** Number of keys. */
  get size(): number {
    this.live('size');
    return this.core.size();
  }

  /** Inserts or overwrites `key`. */
  set(key: K, value: V): this {
    this.live('set');
    const k = this.key('set', key);
    this.version++;
    const slot = this.takeSlot();
    const prev = this.core.set(k, slot);
    if (prev >= 0) this.slab[prev] = value;
    else this.commitSlot(slot, k, value);
    return this;
  }

  /** The value of `key`, or undefined. */
  get(key: K): V | undefined {
    this.live('get');
    const slot = this.core.get(this.key('get', key));
    return slot < 0 ? undefined : this.slab[slot];
  }

  /** Whether `key` is present. */
  has(key: K): boolean {
    this.live('has');
    return this.core.get(this.key('has', key)) >= 0;
  }

  /** Removes `key`; true if it was present. */
  delete(key: K): boolean {
    this.live('delete');
    const slot = this.core.delete(this.key('delete', key));
    if (slot < 0) return false;
    this.version++;
    this.release(slot);
    return true;
  }

  /** Removes every key. */
  clear(): void {
    this.live('clear');
    this.version++;
    this.core.clear();
    this.slab.length = 0;
    if (this.keySlab) this.keySlab.length = 0;
    this.free.length = 0;
  }

  // ---- batch operations (one crossing each) --------------------------------

  /** Sets each `keys[i]` to `values[i]`, in order (a repeated key keeps the last value). */
  setMany(keys: readonly K[] | Float64Array, values: ArrayLike<V>): this {
    this.live('setMany');
    const ks = this.batchKeys('setMany', keys);
    const vs = this.batchValues('setMany', ks, values);
    this.version++;
    const n = ks.length, slots = new Uint32Array(n), out = new Int32Array(n);
    // Reserve one fresh slot per key; slots of keys that already exist are returned below.
    let next = this.slab.length;
    for (let i = 0; i < n; i++) slots[i] = this.free.length > 0 ? this.free.pop()! : next++;
    if (next > this.slab.length) this.slab.length = next;
    try {
      this.core.setMany(ks, slots, out);
    } catch (e) {
      // The core applies a batch wholly or not at all; give the reserved slots back.
      for (let i = n - 1; i >= 0; i--) this.free.push(slots[i]);
      throw e;
    }
    for (let i = 0; i < n; i++) {
      const prev = out[i];
      if (prev >= 0) {
        this.slab[prev] = vs[i];
        this.release(slots[i]);
      } else {
        this.slab[slots[i]] = vs[i];
        if (this.keySlab) this.keySlab[slots[i]] = ks[i] as K;
      }
    }
    return this;
  }

  /** Values of `keys` (undefined where absent), resolved in one pass. */
  getMany(keys: readonly K[] | Float64Array): (V | undefined)[] {
    this.live('getMany');
    const ks = this.batchKeys('getMany', keys);
    const out = new Int32Array(ks.length);
    this.core.getMany(ks, out);
    const vals = this.slab, res = new Array<V | undefined>(out.length);
    for (let i = 0; i < out.length; i++) res[i] = out[i] < 0 ? undefined : vals[out[i]];
    return res;
  }

  /** Removes `keys`; returns how many were present. */
  deleteMany(keys: readonly K[] | Float64Array): number {
    this.live('deleteMany');
    const ks = this.batchKeys('deleteMany', keys);
    const out = new Int32Array(ks.length);
    this.core.deleteMany(ks, out);
    this.version++;
    let removed = 0;
    for (let i = 0; i < out.length; i++) {
      if (out[i] >= 0) {
        this.release(out[i]);
        removed++;
      }
    }
    return removed;
  }

  // ---- ordered access -------------------------------------------------------

  /** Entries of a scan; string trees on native/wasm fetch slots only and take keys from the key slab. */
  private scan(q: RangeQuery<K>): [K, V][] {
    if (this.keySlab === null) return this.pairs(this.core.range(q));
    return this.slotPairs(this.core.rangeSlots!(q));
  }

  private slotPairs(slots: Uint32Array): [K, V][] {
    const out = new Array<[K, V]>(slots.length), ks = this.keySlab!, vs = this.slab;
    for (let i = 0; i < out.length; i++) out[i] = [ks[slots[i]] as K, vs[slots[i]] as V];
    return out;
  }

  private pairs(r: RangeResult<K>): [K, V][] {
    const out = new Array<[K, V]>(r.slots.length);
    for (let i = 0; i < out.length; i++) out[i] = [r.keys[i] as K, this.slab[r.slots[i]] as V];
    return out;
  }

  /** Smallest entry, or undefined when empty. */
  min(): [K, V] | undefined {
    this.live('min');
    return this.scan({ lo: null, hi: null, loInclusive: true, hiInclusive: true, limit: 1, reverse: false })[0];
  }

  /** Largest entry, or undefined when empty. */
  max(): [K, V] | undefined {
    this.live('max');
    return this.scan({ lo: null, hi: null, loInclusive: true, hiInclusive: true, limit: 1, reverse: true })[0];
  }

  /**
   * Entries with keys between `lo` and `hi` (null/undefined: unbounded), in
   * order. `lo > hi` gives an empty array.
   */
  range(lo: K | null | undefined, hi: K | null | undefined, options?: RangeOptions): [K, V][] {
    this.live('range');
    const o = checkOptions<RangeOptions>('BPlusTree.range', options);
    const limit = o.limit === undefined || o.limit === Infinity ? Infinity : checkCount('BPlusTree.range', 'options.limit', o.limit);
    for (const f of ['loInclusive', 'hiInclusive', 'reverse'] as const) {
      checkBoolean('BPlusTree.range', `options.${f}`, o[f]);
    }
    return this.scan({
      lo: this.bound('range', lo, 'lo'), hi: this.bound('range', hi, 'hi'),
      loInclusive: o.loInclusive ?? true, hiInclusive: o.hiInclusive ?? false,
      limit: limit === Infinity ? 0xffff_ffff : limit, reverse: o.reverse ?? false,
    });
  }

  /**
   * String trees: entries whose key starts with `prefix`, in order. Typed for
   * string trees only (`this`), so calling it on a number tree does not compile.
   */
  prefix(this: BPlusTree<string, V>, prefix: string, options?: PrefixOptions): [string, V][] {
    this.live('prefix');
    // Still checked at run time for JavaScript callers.
    if ((this.keyType as string) !== 'string') typeError('BPlusTree.prefix', 'this', 'is a number tree; prefix scans need keyType string');
    const p = this.key('prefix', prefix, 'prefix');
    const o = checkOptions<PrefixOptions>('BPlusTree.prefix', options);
    const limit = o.limit === undefined || o.limit === Infinity ? 0xffff_ffff : checkCount('BPlusTree.prefix', 'options.limit', o.limit);
    return this.keySlab === null ? this.pairs(this.core.prefix(p, limit)) : this.slotPairs(this.core.prefixSlots!(p, limit));
  }

  /** In-order entries; see the class notes for iteration under modification. */
  *entries(): IterableIterator<[K, V]> {
    let after: K | null = null;
    let page: [K, V][] = [], i = 0, seen = -1, exhausted = false;
    for (;;) {
      this.live('entries');
      if (seen !== this.version || (i >= page.length && !exhausted)) {
        page = this.scan({ lo: after, hi: null, loInclusive: after === null, hiInclusive: true, limit: PAGE, reverse: false });
        i = 0;
        seen = this.version;
        exhausted = page.length < PAGE;
      }
      if (i >= page.length) return;
      const e = page[i++];
      after = e[0];
      yield e;
    }
  }

  /** In-order keys. */
  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  /** Values in key order. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }

  /** Checks the tree's structural invariants; null when they hold. For tests and debugging. */
  checkInvariants(): string | null {
    this.live('checkInvariants');
    return this.core.check();
  }

  /** Bytes held by the tree's index in native or wasm memory (0 for js). */
  memoryBytes(): number {
    this.live('memoryBytes');
    return (this.core as TreeCore<K> & { memoryBytes?(): number }).memoryBytes?.() ?? 0;
  }

  /** Frees the index memory now; any later call throws. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    coreRegistry.unregister(this);
    this.core.dispose();
    this.slab.length = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
