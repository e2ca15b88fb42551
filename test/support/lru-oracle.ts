// lru-cache (v11) configured as the oracle for TtlCache: the same option
// values under lru-cache's names, a fake clock, no autopurge, no clock
// caching (lru-cache's default ttlResolution of 1 caches perf.now() behind a
// real setTimeout, which a fake clock must not see), and dispose events
// recorded as TtlCache's onEvict events ([key, value, reason], TtlCache's
// reason names).
import { LRUCache } from 'lru-cache';

export type Key = string | number;
export type Reason = 'expired' | 'evicted' | 'deleted' | 'set';
export type Event<V> = [Key, V, Reason];

/** lru-cache's dispose reasons under TtlCache's names ('fetch' has no counterpart). */
export const LRU_REASON: Record<string, Reason | 'fetch'> = { expire: 'expired', evict: 'evicted', delete: 'deleted', set: 'set', fetch: 'fetch' };

/** The TtlCache option values the oracle understands (TtlCache names). */
export interface OracleOptions<V> {
  maxSize: number;
  ttlMs?: number;
  maxBytes?: number;
  maxEntryBytes?: number;
  sizeCalculation?: (value: V, key: Key) => number;
  allowStale?: boolean;
  noDeleteOnStaleGet?: boolean;
  updateAgeOnGet?: boolean;
  updateAgeOnHas?: boolean;
  noUpdateTTL?: boolean;
  clock: () => number;
}

/** lru-cache's `ttl` for a TtlCache ttlMs: 0 (no TTL) for Infinity or undefined. */
export function lruTtl(ttlMs: number | undefined): number {
  return ttlMs === undefined || ttlMs === Infinity ? 0 : ttlMs;
}

/**
 * An LRUCache with the same configuration as a TtlCache built from `o`;
 * every dispose call is pushed onto `events` as [key, value, reason].
 * The fake clock must never read 0: lru-cache takes a start of 0 as "no TTL".
 */
export function lruOracle<V extends {}>(o: OracleOptions<V>, events: Event<V>[]): LRUCache<Key, V> {
  return new LRUCache<Key, V>({
    max: o.maxSize,
    ttl: lruTtl(o.ttlMs),
    ...(o.maxBytes !== undefined ? { maxSize: o.maxBytes } : {}),
    ...(o.maxEntryBytes !== undefined ? { maxEntrySize: o.maxEntryBytes } : {}),
    ...(o.sizeCalculation !== undefined ? { sizeCalculation: o.sizeCalculation } : {}),
    allowStale: o.allowStale ?? false,
    noDeleteOnStaleGet: o.noDeleteOnStaleGet ?? false,
    updateAgeOnGet: o.updateAgeOnGet ?? false,
    updateAgeOnHas: o.updateAgeOnHas ?? false,
    noUpdateTTL: o.noUpdateTTL ?? false,
    ttlAutopurge: false,
    ttlResolution: 0,
    perf: { now: o.clock },
    dispose: (v, k, r) => {
      events.push([k, v, LRU_REASON[r] as Reason]);
    },
  });
}

/** TtlCache set options → lru-cache set options. */
export function lruSetOptions(o: { ttlMs?: number; size?: number; noUpdateTTL?: boolean } | undefined): { ttl?: number; size?: number; noUpdateTTL?: boolean } {
  const r: { ttl?: number; size?: number; noUpdateTTL?: boolean } = {};
  if (o === undefined) return r;
  if (o.ttlMs !== undefined) r.ttl = lruTtl(o.ttlMs);
  if (o.size !== undefined) r.size = o.size;
  if (o.noUpdateTTL !== undefined) r.noUpdateTTL = o.noUpdateTTL;
  return r;
}

/** A total order on events for comparing multisets: key type, key, value, reason. */
export function compareEvents<V>(a: Event<V>, b: Event<V>): number {
  const ka = `${typeof a[0]}:${String(a[0])}`;
  const kb = `${typeof b[0]}:${String(b[0])}`;
  if (ka !== kb) return ka < kb ? -1 : 1;
  const va = JSON.stringify(a[1]);
  const vb = JSON.stringify(b[1]);
  if (va !== vb) return va < vb ? -1 : 1;
  return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
}

/** Splits one step's events: the expired ones sorted (their order is not compared), the rest in order. */
export function splitEvents<V>(events: Event<V>[]): { expired: Event<V>[]; other: Event<V>[] } {
  return {
    expired: events.filter((e) => e[2] === 'expired').sort(compareEvents),
    other: events.filter((e) => e[2] !== 'expired'),
  };
}
