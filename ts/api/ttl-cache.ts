/// <reference lib="esnext.disposable" preserve="true" />
// TtlCache: an LRU map with per-entry TTLs whose expiry a TimingWheel drives.
// Entries live in parallel arrays linked into one LRU list by index; the
// wheel holds one timer per entry with a finite TTL, its payload the entry.
import { drainQueue } from '../contract/callbacks.js';
import { coreRegistry, grown } from '../contract/disposal.js';
import { checkBoolean, checkCount, checkFunction, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import type { WheelCore } from '../contract/wheel.js';
import { createWheelCore, nodeIndex, readClock, wheelConfig } from './timing-wheel.js';

/** Why an entry left the cache. */
export type EvictReason = 'expired' | 'evicted' | 'deleted';

/** Options of {@link TtlCache}. */
export interface TtlCacheOptions<K, V> {
  /** Most entries held (>= 1); the least recently used entry is evicted beyond it. */
  maxSize: number;
  /** Default time to live in ms (> 0); `Infinity` means entries never expire. */
  ttlMs: number;
  /**
   * Called once for each entry that leaves: by expiry, LRU eviction, `delete`
   * or `clear`. Not called when `set` replaces a value. Calls are made after
   * the cache operation that removed the entries has completed, so the
   * callback may call any method of the cache (including `set`, `delete`
   * and `clear`); entries those calls remove are reported in turn. If a
   * callback throws, the remaining ones still run and the first error is
   * rethrown from the cache call.
   */
  onEvict?: (key: K, value: V, reason: EvictReason) => void;
  /** Clock in ms (default `performance.now`). It must return a finite number >= 0; a reading behind the previous one counts as the previous one. */
  clock?: () => number;
  /** Expire entries from a background unref'd timer even when the cache is idle (default true). */
  autoPurge?: boolean;
  /** Resolution of the expiry wheel in ms (default 10). Expiry itself is exact: reads check the deadline. */
  tickMs?: number;
  /** Tier of the expiry wheel (default `'auto'`). */
  backend?: BackendChoice;
}

/** Options of {@link TtlCache.set}. */
export interface SetOptions {
  /** This entry's time to live in ms (> 0, or Infinity); default the cache's `ttlMs`. */
  ttlMs?: number;
}

/** Counters of {@link TtlCache.stats}. */
export interface TtlCacheStats {
  /** `get` calls that found a live entry. */
  hits: number;
  /** `get` calls that found nothing (or only an expired entry). */
  misses: number;
  /** Entries removed by the LRU policy to make room. */
  evictions: number;
  /** Entries removed because their TTL ran out. */
  expirations: number;
}

const NIL = -1;

/**
 * A size-bounded LRU cache with per-entry TTLs.
 *
 * - `size` never exceeds `maxSize`; inserting a new key into a full cache
 *   evicts the least recently used entry (`get` and `set` count as use;
 *   `peek` and `has` do not).
 * - An expired entry is never returned: every call first expires all entries
 *   whose deadline has passed (in deadline order, through the wheel), and a
 *   read checks the entry's own deadline too.
 * - Keys are strings or numbers (as a `Map` compares them; NaN is refused).
 *
 * The expiry wheel lives on the native, wasm or js tier; call `dispose()`
 * (or `using`) to stop its timer and free it at once.
 */
export class TtlCache<K extends string | number, V> {
  private readonly map = new Map<K, number>();
  private keys: (K | undefined)[] = [];
  private values: (V | undefined)[] = [];
  private deadlines: Float64Array = new Float64Array(16);
  /** Wheel timer id per entry, 0 when the entry never expires. */
  private timers: Float64Array = new Float64Array(16);
  private prev: Int32Array = new Int32Array(16);
  private next: Int32Array = new Int32Array(16);
  /** Entry index of each wheel node. */
  private entryOf: Int32Array = new Int32Array(16);
  private head = NIL; // least recently used
  private tail = NIL; // most recently used
  private freeList: number[] = [];
  private used = 0;
  private readonly wheel: WheelCore;
  private readonly clock: () => number;
  private readonly ttl: number;
  private readonly onEvict: ((key: K, value: V, reason: EvictReason) => void) | undefined;
  private readonly autoPurge: boolean;
  private readonly maxTime: number;
  /** The wheel's next wake in ms: below it nothing can have expired. */
  private wakeAt = Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  private disposed = false;
  /** Latest clock reading: time never runs backwards for the cache. */
  private lastNow = 0;
  /** Evictions not yet reported: key, value, reason triples. */
  private pending: unknown[] = [];
  private delivering = false;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expirations = 0;
  /** Most entries held. */
  readonly maxSize: number;
  /** Tier of the expiry wheel. */
  readonly backend: TierName;

  constructor(options: TtlCacheOptions<K, V>) {
    const o = checkOptions<TtlCacheOptions<K, V>>('TtlCache', options);
    this.maxSize = checkCount('TtlCache', 'options.maxSize', o.maxSize, 1);
    this.ttl = this.ttlArg('TtlCache', o.ttlMs, 'options.ttlMs');
    checkFunction('TtlCache', 'options.onEvict', o.onEvict);
    checkFunction('TtlCache', 'options.clock', o.clock);
    checkBoolean('TtlCache', 'options.autoPurge', o.autoPurge);
    this.onEvict = o.onEvict;
    this.clock = o.clock ?? (() => performance.now());
    this.autoPurge = o.autoPurge ?? true;
    const start = readClock('TtlCache', this.clock);
    this.lastNow = start;
    const cfg = wheelConfig('TtlCache', { tickMs: o.tickMs, now: start });
    this.maxTime = cfg.maxTime;
    const { core, tier } = createWheelCore('TtlCache', o.backend ?? 'auto', cfg);
    this.wheel = core;
    this.backend = tier;
    coreRegistry.register(this, core, this);
  }

  private ttlArg(fn: string, ttl: unknown, arg: string): number {
    if (typeof ttl !== 'number') typeError(fn, arg, `must be a number; got ${describe(ttl)}`);
    if (!(ttl > 0)) rangeError(fn, arg, `must be > 0 (or Infinity); got ${ttl}`);
    return ttl;
  }

  private live(fn: string): void {
    if (this.disposed) throw new TypeError(`hotpath.TtlCache.${fn}: cache is disposed`);
  }

  private keyArg(fn: string, key: unknown): K {
    if (typeof key === 'string') return key as K;
    if (typeof key !== 'number') typeError(`TtlCache.${fn}`, 'key', `must be a string or a number; got ${describe(key)}`);
    if (key !== key) rangeError(`TtlCache.${fn}`, 'key', 'must not be NaN');
    return key as K;
  }

  /** Reads the clock and expires everything due (reported later by deliver); returns the time. */
  private tick(fn: string): number {
    const read = readClock(`TtlCache.${fn}`, this.clock);
    const t = read < this.lastNow ? this.lastNow : (this.lastNow = read);
    if (t >= this.wakeAt) this.purge(t);
    return t;
  }

  /**
   * Reports removed entries to onEvict, once the structure is consistent
   * again. Re-entrant calls from a callback queue their own removals here,
   * and this loop (not a nested one) reports them, in order.
   */
  private deliver(): void {
    if (this.delivering || this.pending.length === 0) return;
    const cb = this.onEvict!;
    const q = this.pending;
    this.delivering = true;
    try {
      drainQueue(q, 3, (i) => cb(q[i] as K, q[i + 1] as V, q[i + 2] as EvictReason));
    } finally {
      this.delivering = false;
    }
  }

  private purge(t: number): void {
    const now = Math.min(t, this.maxTime);
    if (now < this.wheel.now()) return;
    const nodes = this.wheel.advance(now);
    const w = this.wheel.nextWake();
    this.wakeAt = w < 0 ? Infinity : w;
    for (let k = 0; k < nodes.length; k++) {
      const e = this.entryOf[nodes[k]];
      this.timers[e] = 0;
      this.expirations++;
      this.remove(e, 'expired');
    }
  }

  private grow(): void {
    const cap = this.deadlines.length * 2;
    this.deadlines = grown(this.deadlines, cap);
    this.timers = grown(this.timers, cap);
    this.prev = grown(this.prev, cap);
    this.next = grown(this.next, cap);
  }

  private link(e: number): void {
    this.prev[e] = this.tail;
    this.next[e] = NIL;
    if (this.tail !== NIL) this.next[this.tail] = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: number): void {
    const p = this.prev[e];
    const n = this.next[e];
    if (p !== NIL) this.next[p] = n;
    else this.head = n;
    if (n !== NIL) this.prev[n] = p;
    else this.tail = p;
  }

  /** Removes entry e (its timer already gone or to be cancelled here) and reports it. */
  private remove(e: number, reason: EvictReason): void {
    const key = this.keys[e] as K;
    const value = this.values[e] as V;
    if (this.timers[e] !== 0) this.wheel.cancel(this.timers[e]);
    this.timers[e] = 0;
    this.unlink(e);
    this.map.delete(key);
    this.keys[e] = undefined;
    this.values[e] = undefined;
    this.freeList.push(e);
    if (this.onEvict !== undefined) this.pending.push(key, value, reason);
  }

  /** Starts, moves or drops entry e's timer for a new deadline. */
  private setTimer(e: number, deadline: number): void {
    const id = this.timers[e];
    if (deadline === Infinity) {
      if (id !== 0) this.wheel.cancel(id);
      this.timers[e] = 0;
      return;
    }
    if (id !== 0) this.wheel.reschedule(id, deadline);
    else {
      const nid = this.wheel.schedule(deadline);
      if (nid < 0) rangeError('TtlCache.set', 'entries', 'exceed the expiry wheel capacity');
      const node = nodeIndex(nid);
      if (node >= this.entryOf.length) this.entryOf = grown(this.entryOf, Math.max(node + 1, this.entryOf.length * 2));
      this.entryOf[node] = e;
      this.timers[e] = nid;
    }
    if (deadline < this.wakeAt) this.wakeAt = deadline;
    if (this.autoPurge && deadline < this.timerAt) this.armTimer(deadline);
  }

  private armTimer(at: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.min(0x7fff_ffff, Math.max(0, at - this.lastNow));
    const t = setTimeout(() => this.onTimer(), delay);
    (t as { unref?: () => void }).unref?.();
    this.timer = t;
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.disposed) return;
    try {
      this.tick('purge');
      this.deliver();
    } finally {
      if (!this.disposed && this.wakeAt !== Infinity && this.timer === null) this.armTimer(this.wakeAt);
    }
  }

  /** Value of a live entry, marking it most recently used; counts a hit or a miss. */
  get(key: K): V | undefined {
    this.live('get');
    const k = this.keyArg('get', key);
    const now = this.tick('get');
    this.deliver();
    const e = this.map.get(k);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    if (this.deadlines[e] <= now) {
      this.expirations++;
      this.remove(e, 'expired');
      this.misses++;
      this.deliver();
      return undefined;
    }
    this.hits++;
    if (e !== this.tail) {
      this.unlink(e);
      this.link(e);
    }
    return this.values[e];
  }

  /** Value of a live entry without marking it used or counting stats. */
  peek(key: K): V | undefined {
    this.live('peek');
    const k = this.keyArg('peek', key);
    const now = this.tick('peek');
    this.deliver();
    const e = this.map.get(k);
    if (e === undefined || this.deadlines[e] <= now) return undefined;
    return this.values[e];
  }

  /** Whether a live entry exists (does not mark it used). */
  has(key: K): boolean {
    this.live('has');
    const k = this.keyArg('has', key);
    const now = this.tick('has');
    this.deliver();
    const e = this.map.get(k);
    return e !== undefined && this.deadlines[e] > now;
  }

  /**
   * Inserts or replaces `key`, marking it most recently used and restarting
   * its TTL. A new key in a full cache evicts the least recently used entry
   * first (`onEvict` reason `'evicted'`, reported once the entry is in).
   */
  set(key: K, value: V, options?: SetOptions): this {
    this.live('set');
    const k = this.keyArg('set', key);
    let ttl = this.ttl;
    if (options !== undefined) {
      const o = checkOptions<SetOptions>('TtlCache.set', options);
      if (o.ttlMs !== undefined) ttl = this.ttlArg('TtlCache.set', o.ttlMs, 'options.ttlMs');
    }
    const now = this.tick('set');
    const deadline = ttl === Infinity ? Infinity : now + ttl;
    if (deadline !== Infinity && deadline > this.maxTime) {
      this.deliver();
      rangeError('TtlCache.set', 'options.ttlMs', `puts the deadline beyond the largest time ${this.maxTime}`);
    }
    let e = this.map.get(k);
    if (e !== undefined) {
      this.values[e] = value;
      if (e !== this.tail) {
        this.unlink(e);
        this.link(e);
      }
    } else {
      if (this.map.size >= this.maxSize) {
        this.evictions++;
        this.remove(this.head, 'evicted');
      }
      if (this.freeList.length > 0) e = this.freeList.pop() as number;
      else {
        if (this.used === this.deadlines.length) this.grow();
        e = this.used++;
      }
      this.keys[e] = k;
      this.values[e] = value;
      this.timers[e] = 0;
      this.map.set(k, e);
      this.link(e);
    }
    this.deadlines[e] = deadline;
    try {
      this.setTimer(e, deadline);
    } catch (err) {
      // The wheel is full: the entry cannot expire, so it must not stay.
      this.map.delete(k);
      this.unlink(e);
      this.keys[e] = undefined;
      this.values[e] = undefined;
      this.freeList.push(e);
      this.deliver();
      throw err;
    }
    this.deliver();
    return this;
  }

  /** Removes `key`; true if a live entry was removed (`onEvict` reason `'deleted'`). */
  delete(key: K): boolean {
    this.live('delete');
    const k = this.keyArg('delete', key);
    this.tick('delete');
    const e = this.map.get(k);
    if (e !== undefined) this.remove(e, 'deleted');
    this.deliver();
    return e !== undefined;
  }

  /** Removes every entry, least recently used first (`onEvict` reason `'deleted'`). */
  clear(): void {
    this.live('clear');
    this.tick('clear');
    while (this.head !== NIL) this.remove(this.head, 'deleted');
    this.wheel.clear();
    this.wakeAt = Infinity;
    this.deliver();
  }

  /** Live entries (never more than `maxSize`). */
  get size(): number {
    this.live('size');
    this.tick('size');
    this.deliver();
    return this.map.size;
  }

  /** Hit, miss, eviction and expiration counts since creation. */
  stats(): TtlCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, expirations: this.expirations };
  }

  /**
   * Live keys from least to most recently used, as they are when the call
   * is made: the walk is over a snapshot, so it ends whatever the loop body
   * does to the cache.
   */
  keysLru(): IterableIterator<K> {
    this.live('keysLru');
    this.tick('keysLru');
    this.deliver();
    const keys: K[] = [];
    for (let e = this.head; e !== NIL; e = this.next[e]) keys.push(this.keys[e] as K);
    return keys[Symbol.iterator]();
  }

  /** Stops the purge timer and frees the expiry wheel; entries are dropped without `onEvict`. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    coreRegistry.unregister(this);
    this.wheel.dispose();
    this.map.clear();
    this.keys = [];
    this.values = [];
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
