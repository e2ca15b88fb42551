/// <reference lib="esnext.disposable" preserve="true" />
// TtlCache: an LRU map with per-entry TTLs and lru-cache's feature set.
//
// Entries live in parallel arrays (keys, values, deadlines, Int32 LRU links)
// indexed by a slot number that a Map gives for each key; free slots chain
// through the LRU links. Expiry is an index over the same slots (see
// ttl-expiry.ts): on the js tier a lazy timing wheel threaded through the
// cache's arrays, on wasm and native a WheelCore. Every call that can return
// or count an entry first removes what is due (unless stale entries are kept:
// `allowStale`), so a hit never checks its own deadline: no entry's deadline
// is below `wakeAt`, and nothing is due while the time is below it.
import { drainQueue } from '../contract/callbacks.js';
import { coreRegistry } from '../contract/disposal.js';
import { checkBoolean, checkCount, checkFunction, checkKnownKeys, checkOptions, describe, rangeError, typeError } from '../contract/errors.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { CoreExpiry, type ExpiryIndex, IntrusiveWheel } from './ttl-expiry.js';
import { createWheelCore, readClock, wheelConfig } from './timing-wheel.js';

/** Why an entry left the cache (lru-cache's `dispose` reasons `'expire' | 'evict' | 'delete' | 'set'`). */
export type EvictReason = 'expired' | 'evicted' | 'deleted' | 'set';

/** What {@link TtlCacheOptions.fetchMethod} receives besides the key and the stale value. */
export interface FetcherOptions<K, V> {
  /** Aborts when every caller waiting on this load has aborted, or the key was set, deleted or cleared meanwhile. */
  signal: AbortSignal;
  /** The options of the `fetch` call that started the load. */
  options: FetchOptions<K, V>;
  /** `context` of the `fetch` call that started the load. */
  context: unknown;
}

/** Options of {@link TtlCache}. lru-cache's name, where it differs, is in brackets. */
export interface TtlCacheOptions<K, V> {
  /** Most entries held (an integer >= 1) [lru-cache: `max`]; the least recently used entry is evicted beyond it. */
  maxSize: number;
  /** Default time to live in ms (> 0); `Infinity` (the default) means entries never expire [`ttl`]. */
  ttlMs?: number;
  /** Budget for the sum of entry sizes [lru-cache: `maxSize`]; needs `size` on each set or `sizeCalculation`. */
  maxBytes?: number;
  /** Largest size one entry may have (default `maxBytes`); a bigger one is not stored [`maxEntrySize`]. */
  maxEntryBytes?: number;
  /** Size of an entry: a positive integer (called before the cache changes; it may read the cache). */
  sizeCalculation?: (value: V, key: K) => number;
  /**
   * Called once for each entry that leaves: by expiry, LRU eviction, `delete`,
   * `clear`, `pop`, or a `set` that replaces its value with a different one
   * [`dispose`, called as `(value, key, reason)`]. Calls are made after the
   * cache operation has completed, so the callback may call any method of
   * the cache; entries those calls remove are reported in turn. If a callback
   * throws, the remaining ones still run and the first error is rethrown
   * from the cache call.
   */
  onEvict?: (key: K, value: V, reason: EvictReason) => void;
  /**
   * Keep expired entries as stale until they are read, evicted or purged,
   * and let `get`/`peek`/`fetch` return them (default false: expired entries
   * are removed at their deadline). With it, `fetch` serves the stale value
   * while it reloads (stale-while-revalidate).
   */
  allowStale?: boolean;
  /** With `allowStale`: a `get` that returns a stale value keeps it (default: removes it). */
  noDeleteOnStaleGet?: boolean;
  /** `get` restarts the entry's TTL. */
  updateAgeOnGet?: boolean;
  /** `has` restarts the entry's TTL. */
  updateAgeOnHas?: boolean;
  /** `set` of an existing key keeps its deadline (a new key always gets one). */
  noUpdateTTL?: boolean;
  /**
   * Reuse a clock reading for up to this many ms (default 0: read the clock
   * on every call). Like lru-cache's option of the same name (whose default
   * is 1): the reading is dropped by a timer, so an entry may be returned up
   * to `ttlResolution` ms past its deadline, or longer while the event loop
   * is blocked.
   */
  ttlResolution?: number;
  /** Loader of `fetch`: the value for `key` (or undefined: nothing to store). Its rejection is not cached. */
  fetchMethod?: (key: K, staleValue: V | undefined, options: FetcherOptions<K, V>) => V | undefined | Promise<V | undefined>;
  /** A rejected load leaves the stale entry in place (default: removes it). */
  noDeleteOnFetchRejection?: boolean;
  /** A rejected load resolves the stale value (and keeps it) instead of rejecting. */
  allowStaleOnFetchRejection?: boolean;
  /** Negative caching: a load that resolves undefined is remembered for this many ms, and `fetch` of the key resolves undefined without loading. */
  cacheMissesMs?: number;
  /** Computes the value of `memo` on a miss (synchronously). */
  memoMethod?: (key: K, staleValue: V | undefined, options: { options: GetOptions; context: unknown }) => V;
  /** Clock in ms (default `performance.now`) [`perf`]. It must return a finite number >= 0; a reading behind the previous one counts as the previous one. */
  clock?: () => number;
  /** Expire entries from a background unref'd timer even when the cache is idle (default true) [`ttlAutopurge`]. */
  autoPurge?: boolean;
  /** Resolution of the expiry wheel in ms (default 10). Expiry itself is exact: nothing is returned past its deadline. */
  tickMs?: number;
  /** Tier of the expiry index (default `'auto'`: the js tier's wheel, threaded through the cache's arrays). */
  backend?: BackendChoice;
}

/** Options of {@link TtlCache.set}. */
export interface SetOptions {
  /** This entry's time to live in ms (> 0, or Infinity); default the cache's `ttlMs`. */
  ttlMs?: number;
  /** This entry's size (a positive integer), instead of `sizeCalculation`. */
  size?: number;
  /** Keep the deadline of an existing entry. */
  noUpdateTTL?: boolean;
}

/** Options of {@link TtlCache.get}. */
export interface GetOptions {
  /** Return a stale entry (in a cache with `allowStale`); default the cache's option. */
  allowStale?: boolean;
  /** Restart the entry's TTL. */
  updateAgeOnGet?: boolean;
  /** Keep a stale entry that is returned. */
  noDeleteOnStaleGet?: boolean;
}

/** Options of {@link TtlCache.fetch}. */
export interface FetchOptions<K, V> extends GetOptions, SetOptions {
  /** Rejects this call with the signal's reason when it aborts. */
  signal?: AbortSignal;
  /** Passed to `fetchMethod`. */
  context?: unknown;
  /** Load even if a fresh entry exists. */
  forceRefresh?: boolean;
}

/** One entry of {@link TtlCache.dump}: lru-cache's `Entry`, `start` a `Date.now()` time. */
export interface DumpEntry<V> {
  value: V;
  /** Time to live in ms counted from `start`. */
  ttl?: number;
  /** `Date.now()` when the TTL started. */
  start?: number;
  size?: number;
}

/** Counters of {@link TtlCache.stats}. */
export interface TtlCacheStats {
  /** Reads that found a live entry. */
  hits: number;
  /** Reads that found nothing (or only an expired entry). */
  misses: number;
  /** Entries removed by the LRU policy to make room. */
  evictions: number;
  /** Entries removed because their TTL ran out. */
  expirations: number;
}

const NIL = -1;
// Bound once: a bound call measured ~20 ns cheaper than `performance.now()`
// (which also reaches a lazy global getter each time in Node).
const perfNow: () => number = performance.now.bind(performance);
const OPTIONS = [
  'maxSize', 'ttlMs', 'maxBytes', 'maxEntryBytes', 'sizeCalculation', 'onEvict', 'allowStale', 'noDeleteOnStaleGet', 'updateAgeOnGet',
  'updateAgeOnHas', 'noUpdateTTL', 'ttlResolution', 'fetchMethod', 'noDeleteOnFetchRejection', 'allowStaleOnFetchRejection',
  'cacheMissesMs', 'memoMethod', 'clock', 'autoPurge', 'tickMs', 'backend',
] as const;
const RENAMES: Readonly<Record<string, string>> = {
  max: 'maxSize', ttl: 'ttlMs', dispose: 'onEvict', disposeAfter: 'onEvict', maxEntrySize: 'maxEntryBytes', ttlAutopurge: 'autoPurge', perf: 'clock',
};
const SET_OPTIONS = ['ttlMs', 'size', 'noUpdateTTL'] as const;
const GET_OPTIONS = ['allowStale', 'updateAgeOnGet', 'noDeleteOnStaleGet'] as const;
const FETCH_OPTIONS = [...GET_OPTIONS, ...SET_OPTIONS, 'signal', 'context', 'forceRefresh'] as const;
const CALL_RENAMES: Readonly<Record<string, string>> = { ttl: 'ttlMs' };

/** A load in flight for one key, shared by every `fetch` of that key. */
interface Load<V> {
  readonly ac: AbortController;
  readonly waiters: { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[];
}

/**
 * A size-bounded LRU cache with per-entry TTLs, byte budgets, async loading
 * and lru-cache's API (README: "Migrating from lru-cache").
 *
 * - `size` never exceeds `maxSize` (nor the sizes `maxBytes`); inserting into
 *   a full cache evicts the least recently used entries (`get`, `set` and a
 *   `fetch` hit count as use; `peek`, `has` and iteration do not).
 * - An expired entry is never returned: it is removed at its deadline (every
 *   call first removes what is due, in deadline order), unless the cache
 *   keeps stale entries (`allowStale`).
 * - Keys are strings or numbers (as a `Map` compares them; NaN is refused).
 *   `set(key, undefined)` deletes, as in lru-cache.
 *
 * Call `dispose()` (or `using`) to stop its timer and free the expiry index at once.
 */
export class TtlCache<K extends string | number, V> {
  private readonly map = new Map<K, number>();
  private keyList: (K | undefined)[] = [];
  private valList: (V | undefined)[] = [];
  private deadlines: Float64Array;
  /** LRU links, interleaved so one cache line holds a slot's both: prev at 2e, next at 2e + 1. */
  private links: Int32Array;
  /** Per-entry TTL; null while every entry has the default. */
  private ttls: Float64Array | null = null;
  /** Per-entry size; null without a byte budget. */
  private sizes: Float64Array | null = null;
  private head = NIL; // least recently used
  private tail = NIL; // most recently used
  private freeHead = NIL;
  private used = 0;
  private cap: number;
  /** No live entry's deadline is below this, and nothing is due before it. */
  private wakeAt = Infinity;
  /** Reading reused under ttlResolution; -1 when there is none. */
  private cachedNow = -1;
  private lastNow: number;
  private disposed = false;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expirations = 0;
  private bytes = 0;
  /** Evictions not yet reported: key, value, reason triples. */
  private readonly pending: unknown[] = [];
  private delivering = false;
  private readonly due: number[] = [];
  /** getMany's slot numbers, reused across calls up to 2^16 keys. */
  private scratch = new Int32Array(0);
  private readonly expiry: ExpiryIndex;
  private readonly ttl: number;
  private readonly keepStale: boolean;
  private readonly userClock: (() => number) | undefined;
  private readonly resolution: number;
  /** performance.now read on every call (no user clock, no ttlResolution). */
  private readonly plainClock: boolean;
  /** The expiry index ignores deadlines that move later (IntrusiveWheel). */
  private readonly lazyExpiry: boolean;
  private readonly onEvict: ((key: K, value: V, reason: EvictReason) => void) | undefined;
  private readonly autoPurge: boolean;
  private readonly maxTime: number;
  private readonly o: {
    noDeleteOnStaleGet: boolean; updateAgeOnGet: boolean; updateAgeOnHas: boolean; noUpdateTTL: boolean;
    noDeleteOnFetchRejection: boolean; allowStaleOnFetchRejection: boolean;
  };
  private readonly sizeCalculation: ((value: V, key: K) => number) | undefined;
  private readonly fetchMethod: TtlCacheOptions<K, V>['fetchMethod'];
  private readonly memoMethod: TtlCacheOptions<K, V>['memoMethod'];
  private loads: Map<K, Load<V>> | null = null;
  private missCache: TtlCache<K, true> | null = null;
  private readonly cacheMissesMs: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  /** Most entries held. */
  readonly maxSize: number;
  /** Budget for the sum of sizes; Infinity without one. */
  readonly maxBytes: number;
  /** Largest size of one entry. */
  readonly maxEntryBytes: number;
  /** Tier of the expiry index. */
  readonly backend: TierName;

  constructor(options: TtlCacheOptions<K, V>) {
    const o = checkOptions<TtlCacheOptions<K, V>>('TtlCache', options);
    checkKnownKeys('TtlCache', 'options', o, OPTIONS, RENAMES);
    this.maxSize = checkCount('TtlCache', 'options.maxSize', o.maxSize, 1);
    this.ttl = o.ttlMs === undefined ? Infinity : ttlArg('TtlCache', o.ttlMs, 'options.ttlMs');
    this.maxBytes = o.maxBytes === undefined ? Infinity : positiveInt('TtlCache', 'options.maxBytes', o.maxBytes);
    this.maxEntryBytes = o.maxEntryBytes === undefined ? this.maxBytes : positiveInt('TtlCache', 'options.maxEntryBytes', o.maxEntryBytes);
    if (this.maxEntryBytes > this.maxBytes) rangeError('TtlCache', 'options.maxEntryBytes', `must be <= options.maxBytes (${this.maxBytes}); got ${this.maxEntryBytes}`);
    if (this.maxEntryBytes !== Infinity && this.maxBytes === Infinity) {
      this.maxBytes = Number.MAX_SAFE_INTEGER; // sizes are tracked for the entry limit alone
    }
    for (const b of ['allowStale', 'noDeleteOnStaleGet', 'updateAgeOnGet', 'updateAgeOnHas', 'noUpdateTTL', 'noDeleteOnFetchRejection', 'allowStaleOnFetchRejection', 'autoPurge'] as const) {
      checkBoolean('TtlCache', `options.${b}`, o[b]);
    }
    this.onEvict = checkFunction('TtlCache', 'options.onEvict', o.onEvict);
    this.userClock = checkFunction('TtlCache', 'options.clock', o.clock);
    this.sizeCalculation = checkFunction('TtlCache', 'options.sizeCalculation', o.sizeCalculation);
    this.fetchMethod = checkFunction('TtlCache', 'options.fetchMethod', o.fetchMethod);
    this.memoMethod = checkFunction('TtlCache', 'options.memoMethod', o.memoMethod);
    this.resolution = o.ttlResolution === undefined ? 0 : nonNegative('TtlCache', 'options.ttlResolution', o.ttlResolution);
    this.plainClock = this.userClock === undefined && this.resolution === 0;
    this.cacheMissesMs = o.cacheMissesMs === undefined ? 0 : ttlArg('TtlCache', o.cacheMissesMs, 'options.cacheMissesMs');
    this.keepStale = o.allowStale ?? false;
    this.autoPurge = !this.keepStale && (o.autoPurge ?? true);
    this.o = {
      noDeleteOnStaleGet: o.noDeleteOnStaleGet ?? false, updateAgeOnGet: o.updateAgeOnGet ?? false, updateAgeOnHas: o.updateAgeOnHas ?? false,
      noUpdateTTL: o.noUpdateTTL ?? false, noDeleteOnFetchRejection: o.noDeleteOnFetchRejection ?? false,
      allowStaleOnFetchRejection: o.allowStaleOnFetchRejection ?? false,
    };
    const start = this.userClock === undefined ? perfNow() : readClock('TtlCache', this.userClock);
    this.lastNow = start;
    const cfg = wheelConfig('TtlCache', { tickMs: o.tickMs, now: start });
    this.maxTime = cfg.maxTime;
    this.cap = Math.min(16, this.maxSize);
    this.keyList = new Array<K | undefined>(this.cap).fill(undefined);
    this.valList = new Array<V | undefined>(this.cap).fill(undefined);
    this.deadlines = new Float64Array(this.cap);
    this.links = new Int32Array(2 * this.cap);
    if (this.maxBytes !== Infinity) this.sizes = new Float64Array(this.cap);
    const requested = o.backend ?? 'auto';
    if (requested === 'auto' || requested === 'js') {
      // Measured (bench/cache.mjs): no crossing and 8 bytes per entry beat
      // every tier's WheelCore, so `auto` keeps expiry in JS.
      this.expiry = new IntrusiveWheel(cfg, this.deadlines, (e) => this.keyList[e] !== undefined);
      this.lazyExpiry = true;
      this.backend = 'js';
    } else {
      const { core, tier } = createWheelCore('TtlCache', requested, cfg);
      this.expiry = new CoreExpiry(core, this.cap);
      this.lazyExpiry = false;
      this.backend = tier;
      coreRegistry.register(this, core, this);
    }
  }

  // ---- time and expiry ---------------------------------------------------

  /** The time: a clock reading (or the one reused under ttlResolution), never behind the last. */
  private now(fn: string): number {
    // The default: performance.now is monotonic and needs no checks.
    if (this.plainClock) return perfNow();
    return this.nowSlow(fn);
  }

  private nowSlow(fn: string): number {
    if (this.cachedNow >= 0) return this.cachedNow;
    let t = this.userClock === undefined ? perfNow() : readClock(`TtlCache.${fn}`, this.userClock);
    if (t < this.lastNow) t = this.lastNow;
    else this.lastNow = t;
    if (this.resolution > 0) this.holdNow(t);
    return t;
  }

  private holdNow(t: number): void {
    this.cachedNow = t;
    const h = setTimeout(() => {
      this.cachedNow = -1;
    }, this.resolution);
    (h as { unref?: () => void }).unref?.();
  }

  /** The time, after removing everything due (reported by the caller's deliver). */
  private tick(fn: string): number {
    const t = this.now(fn);
    if (t >= this.wakeAt) this.purge(t);
    return t;
  }

  private purge(t: number): void {
    const now = Math.min(t, this.maxTime);
    const due = this.due;
    this.expiry.advance(now, due);
    this.wakeAt = this.expiry.nextWake();
    if (due.length === 0) return;
    if (due.length > 1) {
      const d = this.deadlines;
      const k = this.keyList;
      due.sort((a, b) => d[a] - d[b] || keyOrder(k[a] as K, k[b] as K));
    }
    for (let i = 0; i < due.length; i++) {
      this.expirations++;
      this.remove(due[i], 'expired');
    }
    due.length = 0;
  }

  /**
   * Reports removed entries to onEvict, once the structure is consistent
   * again. Re-entrant calls from a callback queue their own removals here,
   * and this loop (not a nested one) reports them, in order.
   */
  private deliver(): void {
    if (this.pending.length === 0 || this.delivering) return;
    const cb = this.onEvict!;
    const q = this.pending;
    this.delivering = true;
    try {
      drainQueue(q, 3, (i) => cb(q[i] as K, q[i + 1] as V, q[i + 2] as EvictReason));
    } finally {
      this.delivering = false;
    }
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

  // ---- slots -------------------------------------------------------------

  private live(fn: string): void {
    if (this.disposed) throw new TypeError(`hotpath.TtlCache.${fn}: cache is disposed`);
  }

  private keyArg(fn: string, key: unknown): K {
    if (typeof key === 'string') return key as K;
    if (typeof key !== 'number') typeError(`TtlCache.${fn}`, 'key', `must be a string or a number; got ${describe(key)}`);
    if (key !== key) rangeError(`TtlCache.${fn}`, 'key', 'must not be NaN');
    return key as K;
  }

  private growTo(cap: number): void {
    // Explicit doubling capped at maxSize: V8's own growth of an array written
    // past its end overshoots by up to 1.5x (measured 10.4 against 8.1 B/slot).
    this.keyList = grownArray(this.keyList, cap);
    this.valList = grownArray(this.valList, cap);
    const d = new Float64Array(cap);
    d.set(this.deadlines);
    this.deadlines = d;
    const l = new Int32Array(2 * cap);
    l.set(this.links);
    this.links = l;
    if (this.ttls !== null) {
      const t = new Float64Array(cap);
      t.set(this.ttls);
      this.ttls = t;
    }
    if (this.sizes !== null) {
      const s = new Float64Array(cap);
      s.set(this.sizes);
      this.sizes = s;
    }
    this.cap = cap;
    this.expiry.grow(cap, d);
  }

  private alloc(): number {
    const f = this.freeHead;
    if (f !== NIL) {
      this.freeHead = this.links[2 * f + 1];
      return f;
    }
    if (this.used === this.cap) this.growTo(Math.min(this.maxSize, this.cap * 2));
    return this.used++;
  }

  private linkTail(e: number): void {
    this.links[2 * e] = this.tail;
    this.links[2 * e + 1] = NIL;
    if (this.tail !== NIL) this.links[2 * this.tail + 1] = e;
    else this.head = e;
    this.tail = e;
  }

  private unlink(e: number): void {
    const p = this.links[2 * e];
    const n = this.links[2 * e + 1];
    if (p !== NIL) this.links[2 * p + 1] = n;
    else this.head = n;
    if (n !== NIL) this.links[2 * n] = p;
    else this.tail = p;
  }

  private touch(e: number): void {
    if (e !== this.tail) {
      this.unlink(e);
      this.linkTail(e);
    }
  }

  /** Removes slot e and queues its report. Its deadline stays for the expiry index. */
  private remove(e: number, reason: EvictReason): void {
    const key = this.keyList[e] as K;
    const value = this.valList[e] as V;
    this.unlink(e);
    this.map.delete(key);
    this.keyList[e] = undefined;
    this.valList[e] = undefined;
    if (this.sizes !== null) this.bytes -= this.sizes[e];
    this.expiry.drop(e);
    this.links[2 * e + 1] = this.freeHead;
    this.freeHead = e;
    if (this.onEvict !== undefined) this.pending.push(key, value, reason);
  }

  private ttlOf(e: number): number {
    return this.ttls === null ? this.ttl : this.ttls[e];
  }

  /**
   * Gives slot e deadline d and tells the expiry index. `fresh`: e was just
   * allocated (its old deadline is a freed entry's). A live entry with a
   * finite deadline is always linked in a lazy index, so a later deadline
   * needs no index work there.
   */
  private setDeadline(e: number, d: number, fresh = false): void {
    const prev = this.deadlines[e];
    this.deadlines[e] = d;
    if (this.keepStale) return;
    if (fresh || !this.lazyExpiry || d < prev || prev === Infinity) this.expiry.place(e, prev, d);
    if (d < this.wakeAt) this.wakeAt = d;
    if (this.autoPurge && d < this.timerAt) this.armTimer(d);
  }

  private deadlineFor(fn: string, now: number, ttl: number): number {
    if (ttl === Infinity) return Infinity;
    const d = now + ttl;
    if (d > this.maxTime) rangeError(`TtlCache.${fn}`, 'options.ttlMs', `puts the deadline beyond the largest time ${this.maxTime}`);
    return d;
  }

  private isStale(e: number, now: number): boolean {
    return this.deadlines[e] <= now;
  }

  /** A new entry for k: evicts to make room, then links it most recent. */
  private insert(k: K, v: V, ttl: number, d: number, size: number): number {
    let evicted = NIL;
    while (this.head !== NIL && (this.map.size >= this.maxSize || (size !== 0 && this.bytes + size > this.maxBytes))) {
      this.evictions++;
      evicted = this.head;
      this.remove(evicted, 'evicted');
    }
    const e = this.alloc();
    // The slot of an entry evicted just now (the free list is LIFO) was live,
    // so with a finite deadline it is linked in a lazy index: no need to ask.
    const linked = e === evicted && this.deadlines[e] !== Infinity;
    this.keyList[e] = k;
    this.valList[e] = v;
    this.map.set(k, e);
    this.linkTail(e);
    if (this.sizes !== null) {
      this.sizes[e] = size;
      this.bytes += size;
    }
    if (ttl !== this.ttl && this.ttls === null) this.ttls = new Float64Array(this.cap).fill(this.ttl);
    if (this.ttls !== null) this.ttls[e] = ttl;
    this.setDeadline(e, d, !linked);
    return e;
  }

  /** A new value for slot e (most recent now). */
  private update(e: number, k: K, v: V, ttl: number, d: number, size: number, keepTtl: boolean): void {
    const old = this.valList[e] as V;
    this.valList[e] = v;
    this.touch(e);
    if (old !== v && this.onEvict !== undefined) this.pending.push(k, old, 'set');
    if (!keepTtl) {
      if (ttl !== this.ttl && this.ttls === null) this.ttls = new Float64Array(this.cap).fill(this.ttl);
      if (this.ttls !== null) this.ttls[e] = ttl;
      this.setDeadline(e, d);
    }
    if (this.sizes !== null) {
      this.bytes += size - this.sizes[e];
      this.sizes[e] = size;
      while (this.bytes > this.maxBytes && this.head !== e) {
        this.evictions++;
        this.remove(this.head, 'evicted');
      }
    }
  }

  private sizeOf(fn: string, k: K, v: V, size: unknown): number {
    if (this.sizes === null) {
      if (size !== undefined) typeError(`TtlCache.${fn}`, 'options.size', 'needs a cache with maxBytes or maxEntryBytes');
      return 0;
    }
    if (size !== undefined) return positiveInt(`TtlCache.${fn}`, 'options.size', size);
    if (this.sizeCalculation === undefined) typeError(`TtlCache.${fn}`, 'options.size', 'is required: the cache has maxBytes and no sizeCalculation');
    return positiveInt(`TtlCache.${fn}`, 'options.sizeCalculation', this.sizeCalculation(v, k), 'must return');
  }

  // ---- reads -------------------------------------------------------------

  /** Value of a live entry, marking it most recently used; counts a hit or a miss. */
  get(key: K, options?: GetOptions): V | undefined {
    if (options !== undefined) return this.getWith(key, options);
    const e = this.map.get(key);
    if (e === undefined) return this.miss('get', key);
    const now = this.now('get');
    if (now >= this.wakeAt || this.keepStale || this.pending.length !== 0) return this.getWith(key, {});
    this.hits++;
    this.touch(e);
    if (this.o.updateAgeOnGet) this.setDeadline(e, this.deadlineFor('get', now, this.ttlOf(e)));
    return this.valList[e];
  }

  private miss(fn: string, key: unknown): undefined {
    this.live(fn);
    this.keyArg(fn, key);
    this.misses++;
    return undefined;
  }

  private getWith(key: K, options: GetOptions): V | undefined {
    this.live('get');
    const k = this.keyArg('get', key);
    const o = callOptions<GetOptions>('TtlCache.get', options, GET_OPTIONS);
    const allowStale = checkBoolean('TtlCache.get', 'options.allowStale', o.allowStale) ?? this.keepStale;
    const updateAge = checkBoolean('TtlCache.get', 'options.updateAgeOnGet', o.updateAgeOnGet) ?? this.o.updateAgeOnGet;
    const noDelete = checkBoolean('TtlCache.get', 'options.noDeleteOnStaleGet', o.noDeleteOnStaleGet) ?? this.o.noDeleteOnStaleGet;
    try {
      const now = this.tick('get');
      return this.read(k, now, allowStale, updateAge, noDelete);
    } finally {
      this.deliver();
    }
  }

  /** get's work after the purge: hit, stale or miss. */
  private read(k: K, now: number, allowStale: boolean, updateAge: boolean, noDelete: boolean): V | undefined {
    const e = this.map.get(k);
    if (e === undefined) {
      this.misses++;
      return undefined;
    }
    if (this.isStale(e, now)) {
      this.misses++;
      const v = this.valList[e];
      if (!noDelete) {
        this.expirations++;
        this.remove(e, 'expired');
      }
      return allowStale ? v : undefined;
    }
    this.hits++;
    this.touch(e);
    if (updateAge) this.setDeadline(e, this.deadlineFor('get', now, this.ttlOf(e)));
    return this.valList[e];
  }

  /** Values of `keys` in order (undefined where absent), each read as `get` reads, at one clock reading. */
  getMany(keys: readonly K[]): (V | undefined)[] {
    this.live('getMany');
    const ks = keyList<K>('getMany', keys);
    const n = ks.length;
    const out: (V | undefined)[] = new Array(n);
    try {
      const now = this.tick('getMany');
      if (this.keepStale || this.o.updateAgeOnGet) {
        for (let i = 0; i < n; i++) out[i] = this.read(ks[i], now, this.keepStale, this.o.updateAgeOnGet, this.o.noDeleteOnStaleGet);
        return out;
      }
      // Three passes, so the cache misses of one pass are independent loads
      // the CPU overlaps (measured ~12% faster than one pass at 10^6 entries):
      // look every key up, read the values (and touch the links), then
      // move the hits to the front in key order, as a loop of get would.
      const map = this.map;
      const vals = this.valList;
      const links = this.links;
      const es = n <= 65_536 ? (this.scratch.length >= n ? this.scratch : (this.scratch = new Int32Array(Math.max(n, 2 * this.scratch.length)))) : new Int32Array(n);
      let hits = 0;
      for (let i = 0; i < n; i++) {
        const e = map.get(ks[i]);
        es[i] = e === undefined ? NIL : e;
      }
      let touched = 0;
      for (let i = 0; i < n; i++) {
        const e = es[i];
        if (e === NIL) out[i] = undefined;
        else {
          hits++;
          touched += links[2 * e];
          out[i] = vals[e];
        }
      }
      for (let i = 0; i < n; i++) {
        const e = es[i];
        if (e !== NIL && e !== this.tail) {
          this.unlink(e);
          this.linkTail(e);
        }
      }
      if (touched === -0.5) return out; // keeps the touching loads alive
      this.hits += hits;
      this.misses += n - hits;
      return out;
    } finally {
      this.deliver();
    }
  }

  /** Value of a live entry without marking it used or counting stats. */
  peek(key: K, options?: { allowStale?: boolean }): V | undefined {
    this.live('peek');
    const k = this.keyArg('peek', key);
    let allowStale = this.keepStale;
    if (options !== undefined) {
      const o = callOptions<{ allowStale?: boolean }>('TtlCache.peek', options, ['allowStale']);
      allowStale = checkBoolean('TtlCache.peek', 'options.allowStale', o.allowStale) ?? allowStale;
    }
    try {
      const now = this.tick('peek');
      const e = this.map.get(k);
      if (e === undefined || (!allowStale && this.isStale(e, now))) return undefined;
      return this.valList[e];
    } finally {
      this.deliver();
    }
  }

  /** Whether a live (not stale) entry exists; does not mark it used. */
  has(key: K, options?: { updateAgeOnHas?: boolean }): boolean {
    this.live('has');
    const k = this.keyArg('has', key);
    let updateAge = this.o.updateAgeOnHas;
    if (options !== undefined) {
      const o = callOptions<{ updateAgeOnHas?: boolean }>('TtlCache.has', options, ['updateAgeOnHas']);
      updateAge = checkBoolean('TtlCache.has', 'options.updateAgeOnHas', o.updateAgeOnHas) ?? updateAge;
    }
    try {
      const now = this.tick('has');
      const e = this.map.get(k);
      if (e === undefined || this.isStale(e, now)) return false;
      if (updateAge) this.setDeadline(e, this.deadlineFor('has', now, this.ttlOf(e)));
      return true;
    } finally {
      this.deliver();
    }
  }

  /** Ms left before `key` expires: Infinity without a TTL, 0 when absent or stale (lru-cache gives a negative number for stale). */
  getRemainingTTL(key: K): number {
    this.live('getRemainingTTL');
    const k = this.keyArg('getRemainingTTL', key);
    try {
      const now = this.tick('getRemainingTTL');
      const e = this.map.get(k);
      if (e === undefined) return 0;
      const d = this.deadlines[e];
      return d === Infinity ? Infinity : Math.max(0, d - now);
    } finally {
      this.deliver();
    }
  }

  // ---- writes ------------------------------------------------------------

  /**
   * Inserts or replaces `key`, marking it most recently used and restarting
   * its TTL (unless `noUpdateTTL`). A new key in a full cache evicts the
   * least recently used entries first (`onEvict` reason `'evicted'`); a
   * replaced value is reported with reason `'set'`. `set(key, undefined)`
   * deletes `key`.
   */
  set(key: K, value: V, options?: SetOptions): this {
    if (options !== undefined || value === undefined || this.sizes !== null || this.disposed || this.loads !== null) return this.setWith(key, value, options);
    const k = this.keyArg('set', key);
    const now = this.now('set');
    const d = this.ttl === Infinity ? Infinity : now + this.ttl;
    if (d > this.maxTime && d !== Infinity) this.deadlineFor('set', now, this.ttl);
    if (now >= this.wakeAt) this.purge(now);
    const e = this.map.get(k);
    if (e !== undefined) this.update(e, k, value, this.ttl, d, 0, this.o.noUpdateTTL);
    else this.insert(k, value, this.ttl, d, 0);
    this.deliver();
    return this;
  }

  private setWith(key: K, value: V, options: SetOptions | undefined): this {
    this.live('set');
    const k = this.keyArg('set', key);
    if (value === undefined) {
      this.delete(k);
      return this;
    }
    const o = options === undefined ? {} : callOptions<SetOptions>('TtlCache.set', options, SET_OPTIONS);
    const ttl = o.ttlMs === undefined ? this.ttl : ttlArg('TtlCache.set', o.ttlMs, 'options.ttlMs');
    const keepTtl = checkBoolean('TtlCache.set', 'options.noUpdateTTL', o.noUpdateTTL) ?? this.o.noUpdateTTL;
    const size = this.sizeOf('set', k, value, o.size);
    try {
      const now = this.tick('set');
      this.store(k, value, ttl, this.deadlineFor('set', now, ttl), size, keepTtl);
    } finally {
      this.deliver();
    }
    return this;
  }

  /** set's work after validation and the purge. */
  private store(k: K, v: V, ttl: number, d: number, size: number, keepTtl: boolean): void {
    if (this.loads !== null) this.abortLoad(k, 'replaced');
    if (this.missCache !== null) this.missCache.delete(k);
    const e = this.map.get(k);
    if (size > this.maxEntryBytes) {
      if (e !== undefined) this.remove(e, 'set');
      return;
    }
    if (e !== undefined) this.update(e, k, v, ttl, d, size, keepTtl);
    else this.insert(k, v, ttl, d, size);
  }

  /**
   * `set(keys[i], values[i])` for each i in order, at one clock reading.
   * Every argument is read once and checked (and every size computed)
   * before the cache changes, so a bad one changes nothing.
   */
  setMany(keys: readonly K[], values: readonly V[], options?: SetOptions): this {
    this.live('setMany');
    const ks = keyList<K>('setMany', keys);
    const n = ks.length;
    if (!Array.isArray(values)) typeError('TtlCache.setMany', 'values', `must be an array of keys.length (${n}) values; got ${describe(values)}`);
    const vs: (V | undefined)[] = Array.prototype.slice.call(values, 0, n);
    if (values.length !== n) rangeError('TtlCache.setMany', 'values', `must have keys.length (${n}) elements; got ${values.length}`);
    const o = options === undefined ? {} : callOptions<SetOptions>('TtlCache.setMany', options, SET_OPTIONS);
    const ttl = o.ttlMs === undefined ? this.ttl : ttlArg('TtlCache.setMany', o.ttlMs, 'options.ttlMs');
    const keepTtl = checkBoolean('TtlCache.setMany', 'options.noUpdateTTL', o.noUpdateTTL) ?? this.o.noUpdateTTL;
    let sizes: number[] | null = null;
    if (this.sizes !== null) {
      sizes = new Array<number>(n);
      for (let i = 0; i < n; i++) sizes[i] = vs[i] === undefined ? 0 : this.sizeOf('setMany', ks[i], vs[i] as V, o.size);
    } else if (o.size !== undefined) this.sizeOf('setMany', ks[0] as K, vs[0] as V, o.size);
    try {
      const now = this.tick('setMany');
      const d = this.deadlineFor('setMany', now, ttl);
      const plain = sizes === null && this.loads === null && this.missCache === null;
      for (let i = 0; i < n; i++) {
        const k = ks[i];
        const v = vs[i];
        if (v === undefined) {
          const e = this.map.get(k);
          if (e !== undefined) this.remove(e, 'deleted');
        } else if (plain) {
          const e = this.map.get(k);
          if (e !== undefined) this.update(e, k, v, ttl, d, 0, keepTtl);
          else this.insert(k, v, ttl, d, 0);
        } else this.store(k, v, ttl, d, sizes === null ? 0 : sizes[i], keepTtl);
      }
    } finally {
      this.deliver();
    }
    return this;
  }

  /** Removes `key`; true if an entry was removed (`onEvict` reason `'deleted'`). Aborts a load of `key` in flight. */
  delete(key: K): boolean {
    this.live('delete');
    const k = this.keyArg('delete', key);
    try {
      this.tick('delete');
      if (this.loads !== null) this.abortLoad(k, 'deleted');
      if (this.missCache !== null) this.missCache.delete(k);
      const e = this.map.get(k);
      if (e !== undefined) this.remove(e, 'deleted');
      return e !== undefined;
    } finally {
      this.deliver();
    }
  }

  /** Removes every entry, least recently used first (`onEvict` reason `'deleted'`), and aborts every load in flight. */
  clear(): void {
    this.live('clear');
    try {
      this.tick('clear');
      if (this.loads !== null) for (const k of [...this.loads.keys()]) this.abortLoad(k, 'deleted');
      this.missCache?.clear();
      if (this.onEvict !== undefined) {
        for (let e = this.head; e !== NIL; e = this.links[2 * e + 1]) this.pending.push(this.keyList[e], this.valList[e], 'deleted');
      }
      this.map.clear();
      this.keyList.fill(undefined);
      this.valList.fill(undefined);
      this.head = this.tail = this.freeHead = NIL;
      this.used = 0;
      this.bytes = 0;
      this.expiry.clear();
      this.wakeAt = Infinity;
    } finally {
      this.deliver();
    }
  }

  /** Removes the least recently used entry and returns its value (`onEvict` reason `'evicted'`); undefined when empty. */
  pop(): V | undefined {
    this.live('pop');
    try {
      this.tick('pop');
      if (this.head === NIL) return undefined;
      const v = this.valList[this.head];
      this.evictions++;
      this.remove(this.head, 'evicted');
      return v;
    } finally {
      this.deliver();
    }
  }

  /** Removes every stale entry (reason `'expired'`); true if any was. Only a cache with `allowStale` holds stale entries. */
  purgeStale(): boolean {
    this.live('purgeStale');
    try {
      const now = this.tick('purgeStale');
      let any = false;
      for (let e = this.head; e !== NIL; ) {
        const n = this.links[2 * e + 1];
        if (this.isStale(e, now)) {
          this.expirations++;
          this.remove(e, 'expired');
          any = true;
        }
        e = n;
      }
      return any;
    } finally {
      this.deliver();
    }
  }

  // ---- loading -----------------------------------------------------------

  /**
   * The value of `key`, loaded with `fetchMethod` when it is absent, stale
   * or `forceRefresh` is set. One load per key runs at a time: concurrent
   * calls share it. A load that resolves a value stores it (with this
   * call's `ttlMs`/`size`); one that resolves undefined stores nothing (and,
   * with `cacheMissesMs`, is remembered); one that rejects is not cached and
   * removes the stale entry (unless `noDeleteOnFetchRejection`), or with
   * `allowStaleOnFetchRejection` resolves the stale value. With `allowStale`
   * a stale entry resolves at once while the reload runs. `signal` rejects
   * this call with its reason; the load itself is aborted only when every
   * waiting call has aborted, or the key is set, deleted or cleared. Without
   * a `fetchMethod` this is `Promise.resolve(get(key))`.
   */
  fetch(key: K, options?: FetchOptions<K, V>): Promise<V | undefined> {
    try {
      return this.fetchNow(key, options);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private fetchNow(key: K, options: FetchOptions<K, V> | undefined): Promise<V | undefined> {
    this.live('fetch');
    const k = this.keyArg('fetch', key);
    const o = options === undefined ? ({} as FetchOptions<K, V>) : callOptions<FetchOptions<K, V>>('TtlCache.fetch', options, FETCH_OPTIONS);
    const allowStale = checkBoolean('TtlCache.fetch', 'options.allowStale', o.allowStale) ?? this.keepStale;
    const updateAge = checkBoolean('TtlCache.fetch', 'options.updateAgeOnGet', o.updateAgeOnGet) ?? this.o.updateAgeOnGet;
    const noDelete = checkBoolean('TtlCache.fetch', 'options.noDeleteOnStaleGet', o.noDeleteOnStaleGet) ?? this.o.noDeleteOnStaleGet;
    const force = checkBoolean('TtlCache.fetch', 'options.forceRefresh', o.forceRefresh) ?? false;
    checkBoolean('TtlCache.fetch', 'options.noUpdateTTL', o.noUpdateTTL);
    if (o.ttlMs !== undefined) ttlArg('TtlCache.fetch', o.ttlMs, 'options.ttlMs');
    if (o.size !== undefined) positiveInt('TtlCache.fetch', 'options.size', o.size);
    const signal = o.signal;
    if (signal !== undefined && !isSignal(signal)) typeError('TtlCache.fetch', 'options.signal', `must be an AbortSignal; got ${describe(signal)}`);
    if (this.fetchMethod === undefined) {
      const v = this.getWith(k, { allowStale, updateAgeOnGet: updateAge, noDeleteOnStaleGet: noDelete });
      return Promise.resolve(v);
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    let stale: V | undefined;
    try {
      const now = this.tick('fetch');
      const e = this.map.get(k);
      if (e !== undefined) {
        if (!this.isStale(e, now)) {
          if (!force) {
            this.hits++;
            this.touch(e);
            if (updateAge) this.setDeadline(e, this.deadlineFor('fetch', now, this.ttlOf(e)));
            return Promise.resolve(this.valList[e]);
          }
          stale = this.valList[e];
        } else {
          stale = this.valList[e];
          this.misses++;
          if (allowStale) {
            this.start(k, stale, o);
            return Promise.resolve(stale);
          }
        }
      } else {
        this.misses++;
        if (!force && this.missCache !== null && this.missCache.has(k)) return Promise.resolve(undefined);
      }
      return this.wait(this.start(k, stale, o), signal);
    } finally {
      this.deliver();
    }
  }

  /** `fetch` that rejects when the result is undefined. */
  async forceFetch(key: K, options?: FetchOptions<K, V>): Promise<V> {
    const v = await this.fetch(key, options);
    if (v === undefined) throw new TypeError(`hotpath.TtlCache.forceFetch: fetchMethod returned undefined for key ${quote(key)}`);
    return v;
  }

  /** The load of k in flight, started if there is none. */
  private start(k: K, stale: V | undefined, o: FetchOptions<K, V>): Load<V> {
    this.loads ??= new Map();
    const running = this.loads.get(k);
    if (running !== undefined) return running;
    const load: Load<V> = { ac: new AbortController(), waiters: [] };
    this.loads.set(k, load);
    let p: Promise<V | undefined>;
    try {
      p = Promise.resolve(this.fetchMethod!(k, stale, { signal: load.ac.signal, options: o, context: o.context }));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      (v) => this.settle(k, load, o, v),
      (err) => this.fail(k, load, stale, err),
    );
    return load;
  }

  private settle(k: K, load: Load<V>, o: FetchOptions<K, V>, v: V | undefined): void {
    if (this.loads?.get(k) !== load) return; // superseded: its waiters were told
    this.loads.delete(k);
    if (this.disposed) return finish(load, undefined, new TypeError('hotpath.TtlCache.fetch: cache is disposed'));
    if (v === undefined) {
      if (this.cacheMissesMs > 0) {
        this.missCache ??= new TtlCache<K, true>({ maxSize: this.maxSize, ttlMs: this.cacheMissesMs, clock: this.userClock, autoPurge: this.autoPurge });
        this.missCache.set(k, true);
      }
      return finish(load, undefined);
    }
    try {
      const size = this.sizeOf('fetch', k, v, o.size);
      const ttl = o.ttlMs ?? this.ttl;
      const now = this.tick('fetch');
      this.store(k, v, ttl, this.deadlineFor('fetch', now, ttl), size, o.noUpdateTTL ?? this.o.noUpdateTTL);
      this.deliver();
    } catch (err) {
      return finish(load, undefined, err);
    }
    finish(load, v);
  }

  private fail(k: K, load: Load<V>, stale: V | undefined, err: unknown): void {
    if (this.loads?.get(k) !== load) return;
    this.loads.delete(k);
    if (this.disposed) return finish(load, undefined, err);
    const e = this.map.get(k);
    const holds = e !== undefined && stale !== undefined && this.valList[e] === stale;
    if (this.o.allowStaleOnFetchRejection && holds) return finish(load, stale);
    if (holds && !this.o.noDeleteOnFetchRejection) {
      try {
        const now = this.tick('fetch');
        const e2 = this.map.get(k);
        if (e2 !== undefined && this.valList[e2] === stale) {
          if (this.isStale(e2, now)) this.expirations++;
          this.remove(e2, this.isStale(e2, now) ? 'expired' : 'deleted');
        }
        this.deliver();
      } catch (cbErr) {
        return finish(load, undefined, cbErr);
      }
    }
    finish(load, undefined, err);
  }

  /** Aborts k's load: its value will not be stored, and its waiters reject. */
  private abortLoad(k: K, why: 'replaced' | 'deleted'): void {
    const load = this.loads!.get(k);
    if (load === undefined) return;
    this.loads!.delete(k);
    const reason = new Error(`hotpath.TtlCache: the load of ${quote(k)} was ${why === 'replaced' ? 'replaced by a set' : 'deleted'}`);
    load.ac.abort(reason);
    finish(load, undefined, reason);
  }

  /** A promise for one caller of `load`, rejected early by its own signal. */
  private wait(load: Load<V>, signal: AbortSignal | undefined): Promise<V | undefined> {
    return new Promise<V | undefined>((resolve, reject) => {
      if (signal === undefined) {
        load.waiters.push({ resolve, reject });
        return;
      }
      const onAbort = (): void => {
        const i = load.waiters.indexOf(w);
        if (i >= 0) load.waiters.splice(i, 1);
        reject(signal.reason);
        if (load.waiters.length === 0 && !load.ac.signal.aborted) {
          load.ac.abort(signal.reason);
          for (const [key, l] of this.loads ?? []) if (l === load) this.loads!.delete(key);
        }
      };
      const w = {
        resolve: (v: V | undefined) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        reject: (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      load.waiters.push(w);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The value of `key`, computed with `memoMethod(key, staleValue, { options, context })`
   * and stored when absent (or `forceRefresh`), synchronously.
   */
  memo(key: K, options?: GetOptions & SetOptions & { context?: unknown; forceRefresh?: boolean }): V {
    this.live('memo');
    if (this.memoMethod === undefined) typeError('TtlCache.memo', 'options.memoMethod', 'must be given to the constructor to use memo');
    const k = this.keyArg('memo', key);
    const o = options === undefined ? {} : callOptions<GetOptions & SetOptions & { context?: unknown; forceRefresh?: boolean }>('TtlCache.memo', options, [...GET_OPTIONS, ...SET_OPTIONS, 'context', 'forceRefresh']);
    const force = checkBoolean('TtlCache.memo', 'options.forceRefresh', o.forceRefresh) ?? false;
    const get: GetOptions = {};
    for (const g of GET_OPTIONS) if (o[g] !== undefined) get[g] = o[g];
    const v = this.getWith(k, get);
    if (v !== undefined && !force) return v;
    const vv = this.memoMethod(k, v, { options: get, context: o.context });
    const set: SetOptions = {};
    for (const s of SET_OPTIONS) if (o[s] !== undefined) (set as Record<string, unknown>)[s] = o[s];
    this.setWith(k, vv, set);
    return vv;
  }

  // ---- iteration and state -----------------------------------------------

  /** Slots most recent first (or least recent first), as they are at the call. */
  private snapshot(fn: string, lruFirst: boolean): K[] {
    this.live(fn);
    try {
      this.tick(fn);
    } finally {
      this.deliver();
    }
    const keys: K[] = [];
    if (lruFirst) for (let e = this.head; e !== NIL; e = this.links[2 * e + 1]) keys.push(this.keyList[e] as K);
    else for (let e = this.tail; e !== NIL; e = this.links[2 * e]) keys.push(this.keyList[e] as K);
    return keys;
  }

  /** The live slot of k when it is reached, or -1 (gone, or stale in a cache that hides stale entries). */
  private reach(k: K): number {
    const e = this.map.get(k);
    if (e === undefined) return -1;
    if (!this.keepStale) return this.isStale(e, this.now('entries')) ? -1 : e;
    return e;
  }

  private *walk(fn: string, lruFirst: boolean): Generator<[K, V], void, undefined> {
    const keys = this.snapshot(fn, lruFirst);
    for (const k of keys) {
      if (this.disposed) return;
      const e = this.reach(k);
      if (e >= 0) yield [k, this.valList[e] as V];
    }
  }

  /**
   * `[key, value]` pairs, most recently used first (lru-cache's order). The
   * walk is over the keys as they are at the call, so it ends whatever the
   * loop body does; an entry removed before it is reached is skipped, and
   * values are read when reached. Iteration does not mark entries used.
   */
  entries(): IterableIterator<[K, V]> {
    return this.walk('entries', false);
  }

  /** `entries()`, least recently used first. */
  rentries(): IterableIterator<[K, V]> {
    return this.walk('rentries', true);
  }

  /** Keys, most recently used first (see `entries`). */
  *keys(): IterableIterator<K> {
    for (const [k] of this.walk('keys', false)) yield k;
  }

  /** Keys, least recently used first. */
  *rkeys(): IterableIterator<K> {
    for (const [k] of this.walk('rkeys', true)) yield k;
  }

  /** Values, most recently used first. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.walk('values', false)) yield v;
  }

  /** Values, least recently used first. */
  *rvalues(): IterableIterator<V> {
    for (const [, v] of this.walk('rvalues', true)) yield v;
  }

  /** `entries()`: `for (const [k, v] of cache)`. */
  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.walk('entries', false);
  }

  /** Calls `fn(value, key, cache)` for each entry, most recently used first. */
  forEach(fn: (value: V, key: K, cache: this) => void, thisArg?: unknown): void {
    checkFunction('TtlCache.forEach', 'fn', fn);
    if (fn === undefined) typeError('TtlCache.forEach', 'fn', 'must be a function; got undefined');
    for (const [k, v] of this.walk('forEach', false)) fn.call(thisArg, v, k, this);
  }

  /** `forEach`, least recently used first. */
  rforEach(fn: (value: V, key: K, cache: this) => void, thisArg?: unknown): void {
    checkFunction('TtlCache.rforEach', 'fn', fn);
    if (fn === undefined) typeError('TtlCache.rforEach', 'fn', 'must be a function; got undefined');
    for (const [k, v] of this.walk('rforEach', true)) fn.call(thisArg, v, k, this);
  }

  /** Live keys from least to most recently used (the same as `rkeys()`). */
  keysLru(): IterableIterator<K> {
    return this.snapshot('keysLru', true)[Symbol.iterator]();
  }

  /**
   * The entries, least recently used first, as lru-cache's `dump()` gives
   * them: `[key, { value, ttl, start, size }]` with `start` a `Date.now()`
   * time, so `load` (here or in lru-cache, in this process or another) restores
   * the remaining TTLs and the LRU order. Stale entries are included.
   */
  dump(): [K, DumpEntry<V>][] {
    this.live('dump');
    let now: number;
    try {
      now = this.tick('dump');
    } finally {
      this.deliver();
    }
    const wall = Date.now();
    const out: [K, DumpEntry<V>][] = [];
    for (let e = this.head; e !== NIL; e = this.links[2 * e + 1]) {
      const entry: DumpEntry<V> = { value: this.valList[e] as V };
      const d = this.deadlines[e];
      if (d !== Infinity) {
        // lru-cache's format: the entry's TTL and when it started, so its age is now - start.
        const ttl = this.ttlOf(e);
        entry.ttl = ttl;
        entry.start = Math.floor(wall - (ttl - (d - now)));
      } else entry.ttl = 0; // lru-cache's "no TTL" (an entry without `ttl` gets the default)
      if (this.sizes !== null) entry.size = this.sizes[e];
      out.push([this.keyList[e] as K, entry]);
    }
    return out;
  }

  /**
   * Clears the cache, then sets each `[key, entry]` in order (a `dump()`
   * from here or from lru-cache): an entry with `ttl` and `start` keeps its
   * remaining TTL, one already expired is skipped (or kept stale with
   * `allowStale`). Every entry is checked before the cache changes.
   */
  load(entries: readonly (readonly [K, DumpEntry<V>])[]): void {
    this.live('load');
    if (!Array.isArray(entries)) typeError('TtlCache.load', 'entries', `must be an array of [key, entry] pairs; got ${describe(entries)}`);
    const wall = Date.now();
    const rows: { k: K; v: V; ttl: number; left: number; size: number }[] = [];
    for (let i = 0; i < entries.length; i++) {
      const row = entries[i];
      if (!Array.isArray(row) || row.length < 2) typeError('TtlCache.load', `entries[${i}]`, `must be a [key, entry] pair; got ${describe(row)}`);
      const k = row[0] as K;
      if (typeof k !== 'string' && (typeof k !== 'number' || k !== k)) badKey('load', `entries[${i}][0]`, k);
      const en = row[1];
      if (en === null || typeof en !== 'object') typeError('TtlCache.load', `entries[${i}][1]`, `must be an entry object; got ${describe(en)}`);
      if (en.value === undefined) continue;
      // No `ttl`: the cache's default; 0 or null (JSON's Infinity): none; as in lru-cache.
      let ttl = en.ttl === undefined ? this.ttl : en.ttl === 0 || en.ttl === null ? Infinity : (en.ttl as number);
      let left = ttl;
      if (en.ttl !== undefined && ttl !== Infinity) {
        if (typeof en.ttl !== 'number' || !(en.ttl > 0)) typeError('TtlCache.load', `entries[${i}][1].ttl`, `must be a number > 0 (ms), 0 or null; got ${describe(en.ttl)}`);
        left = ttl = en.ttl;
        if (en.start !== undefined && en.start !== 0) {
          if (typeof en.start !== 'number' || !Number.isFinite(en.start)) typeError('TtlCache.load', `entries[${i}][1].start`, `must be a Date.now() time; got ${describe(en.start)}`);
          left -= wall - en.start;
        }
        if (left <= 0 && !this.keepStale) continue;
      }
      const size = this.sizes === null ? 0 : this.sizeOf('load', k, en.value, en.size);
      rows.push({ k, v: en.value, ttl, left, size });
    }
    this.clear();
    try {
      const now = this.tick('load');
      for (const r of rows) {
        const d = r.left === Infinity ? Infinity : Math.min(this.maxTime, now + r.left);
        this.store(r.k, r.v, r.ttl, d, r.size, false);
      }
    } finally {
      this.deliver();
    }
  }

  /** Live entries (never more than `maxSize`); a cache with `allowStale` counts stale ones too, as lru-cache does. */
  get size(): number {
    this.live('size');
    try {
      this.tick('size');
    } finally {
      this.deliver();
    }
    return this.map.size;
  }

  /** Sum of the entries' sizes (0 without a byte budget) [lru-cache: `calculatedSize`]. */
  get calculatedSize(): number {
    return this.bytes;
  }

  /** Hit, miss, eviction and expiration counts since creation. */
  stats(): TtlCacheStats {
    return { hits: this.hits, misses: this.misses, evictions: this.evictions, expirations: this.expirations };
  }

  /**
   * Structural invariants: null when they hold, else what is broken (for tests).
   * @internal
   */
  check(): string | null {
    if (this.disposed) return null;
    let n = 0;
    let bytes = 0;
    for (let e = this.head, p = NIL; e !== NIL; p = e, e = this.links[2 * e + 1]) {
      if (++n > this.used) return 'LRU list has a cycle';
      if (this.links[2 * e] !== p) return `LRU prev link of slot ${e} is ${this.links[2 * e]}, not ${p}`;
      const k = this.keyList[e];
      if (k === undefined || this.map.get(k) !== e) return `slot ${e} and the key map disagree`;
      if (this.sizes !== null) bytes += this.sizes[e];
      if (!this.keepStale && this.deadlines[e] < this.wakeAt) return `slot ${e} is due at ${this.deadlines[e]}, before wakeAt ${this.wakeAt}`;
    }
    if (n !== this.map.size) return `LRU list holds ${n} entries, the key map ${this.map.size}`;
    if (n > this.maxSize) return `${n} entries exceed maxSize ${this.maxSize}`;
    if (bytes !== this.bytes || bytes > this.maxBytes) return `sizes sum to ${bytes}, calculatedSize is ${this.bytes} (maxBytes ${this.maxBytes})`;
    let free = 0;
    for (let e = this.freeHead; e !== NIL; e = this.links[2 * e + 1]) {
      if (++free > this.used) return 'free list has a cycle';
      if (this.keyList[e] !== undefined) return `free slot ${e} holds a key`;
    }
    if (free + n !== this.used) return `${free} free + ${n} live slots, ${this.used} used`;
    return this.keepStale ? null : this.expiry.check(this.used, (e) => this.keyList[e] !== undefined);
  }

  /** Stops the purge timer, aborts loads in flight and frees the expiry index; entries are dropped without `onEvict`. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    coreRegistry.unregister(this);
    this.expiry.dispose();
    if (this.loads !== null) {
      for (const [, load] of this.loads) {
        const reason = new TypeError('hotpath.TtlCache.fetch: cache is disposed');
        load.ac.abort(reason);
        finish(load, undefined, reason);
      }
      this.loads.clear();
    }
    this.missCache?.dispose();
    this.map.clear();
    this.keyList = [];
    this.valList = [];
    this.head = this.tail = this.freeHead = NIL;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

function grownArray<T>(a: (T | undefined)[], cap: number): (T | undefined)[] {
  const b = new Array<T | undefined>(cap).fill(undefined);
  for (let i = 0; i < a.length; i++) b[i] = a[i];
  return b;
}

function finish<V>(load: Load<V>, v: V | undefined, err?: unknown): void {
  const ws = load.waiters.splice(0);
  for (const w of ws) {
    if (err !== undefined) w.reject(err);
    else w.resolve(v);
  }
}

function ttlArg(fn: string, ttl: unknown, arg: string): number {
  if (typeof ttl !== 'number') typeError(fn, arg, `must be a number; got ${describe(ttl)}`);
  if (!(ttl > 0)) rangeError(fn, arg, `must be > 0 (or Infinity); got ${ttl}`);
  return ttl;
}

function nonNegative(fn: string, arg: string, x: unknown): number {
  if (typeof x !== 'number') typeError(fn, arg, `must be a number; got ${describe(x)}`);
  if (!(x >= 0) || x === Infinity) rangeError(fn, arg, `must be a finite number >= 0; got ${x}`);
  return x;
}

function positiveInt(fn: string, arg: string, x: unknown, verb = 'must be'): number {
  if (typeof x !== 'number') typeError(fn, arg, `${verb} a positive integer; got ${describe(x)}`);
  if (!Number.isSafeInteger(x) || x < 1) rangeError(fn, arg, `${verb} a positive integer; got ${x}`);
  return x;
}

/** A copy of an array of keys, each read once and checked. */
function keyList<K>(fn: string, keys: unknown): K[] {
  if (!Array.isArray(keys)) typeError(`TtlCache.${fn}`, 'keys', `must be an array; got ${describe(keys)}`);
  const ks: K[] = Array.prototype.slice.call(keys);
  for (let i = 0; i < ks.length; i++) {
    const k = ks[i];
    if (typeof k !== 'string' && (typeof k !== 'number' || k !== k)) badKey(fn, `keys[${i}]`, k);
  }
  return ks;
}

function badKey(fn: string, arg: string, k: unknown): never {
  if (typeof k === 'number') rangeError(`TtlCache.${fn}`, arg, 'must not be NaN');
  typeError(`TtlCache.${fn}`, arg, `must be a string or a number; got ${describe(k)}`);
}

function callOptions<T extends object>(fn: string, options: unknown, known: readonly string[]): Partial<T> {
  const o = checkOptions<T>(fn, options);
  checkKnownKeys(fn, 'options', o, known, CALL_RENAMES);
  return o;
}

function isSignal(x: unknown): x is AbortSignal {
  return typeof x === 'object' && x !== null && typeof (x as AbortSignal).aborted === 'boolean' && typeof (x as AbortSignal).addEventListener === 'function';
}

function quote(k: unknown): string {
  return typeof k === 'string' ? JSON.stringify(k.length > 64 ? `${k.slice(0, 64)}…` : k) : String(k);
}

/** Order of equal deadlines: numbers before strings, each ascending. */
function keyOrder(a: string | number, b: string | number): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
