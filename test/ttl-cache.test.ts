import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TtlCache } from '../ts/index.js';
import type { EvictReason, TierName } from '../ts/index.js';
import { runChild } from './support/child.js';
import { TIERS } from './support/tiers.js';

type K = string | number;
type Event = [K, number, EvictReason];

/** Order of equal deadlines in expiry reports: numbers before strings, each ascending. */
function keyOrder(a: K, b: K): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The naive model: a Map in LRU order (oldest first) with absolute
 * deadlines. Every call first expires all entries whose deadline has passed,
 * by deadline, then by key.
 */
class CacheModel {
  entries = new Map<K, { value: number; deadline: number; seq: number }>();
  events: Event[] = [];
  stats = { hits: 0, misses: 0, evictions: 0, expirations: 0 };
  private seq = 0;
  constructor(private readonly maxSize: number, private readonly ttl: number) {}
  purge(now: number): void {
    const due = [...this.entries].filter(([, e]) => e.deadline <= now).sort((a, b) => a[1].deadline - b[1].deadline || keyOrder(a[0], b[0]));
    for (const [k, e] of due) {
      this.entries.delete(k);
      this.stats.expirations++;
      this.events.push([k, e.value, 'expired']);
    }
  }
  get(k: K, now: number): number | undefined {
    this.purge(now);
    const e = this.entries.get(k);
    if (!e) {
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    this.entries.delete(k);
    this.entries.set(k, e);
    return e.value;
  }
  peek(k: K, now: number): number | undefined {
    this.purge(now);
    return this.entries.get(k)?.value;
  }
  set(k: K, v: number, ttl: number | undefined, now: number): void {
    this.purge(now);
    const deadline = now + (ttl ?? this.ttl);
    const old = this.entries.get(k);
    if (old) {
      this.entries.delete(k);
      if (old.value !== v) this.events.push([k, old.value, 'set']);
    } else if (this.entries.size >= this.maxSize) {
      const [lk, le] = this.entries.entries().next().value!;
      this.entries.delete(lk);
      this.stats.evictions++;
      this.events.push([lk, le.value, 'evicted']);
    }
    this.entries.set(k, { value: v, deadline, seq: this.seq++ });
  }
  delete(k: K, now: number): boolean {
    this.purge(now);
    const e = this.entries.get(k);
    if (!e) return false;
    this.entries.delete(k);
    this.events.push([k, e.value, 'deleted']);
    return true;
  }
  pop(now: number): number | undefined {
    this.purge(now);
    const first = this.entries.entries().next();
    if (first.done) return undefined;
    const [k, e] = first.value;
    this.entries.delete(k);
    this.stats.evictions++;
    this.events.push([k, e.value, 'evicted']);
    return e.value;
  }
  clear(now: number): void {
    this.purge(now);
    for (const [k, e] of this.entries) this.events.push([k, e.value, 'deleted']);
    this.entries.clear();
  }
}

type Op =
  | { op: 'set'; k: K; v: number; ttl: number | undefined } | { op: 'get' | 'peek' | 'has' | 'delete'; k: K }
  | { op: 'time'; step: number } | { op: 'clear' }
  | { op: 'pop' } | { op: 'ttlLeft'; k: K } | { op: 'getMany'; ks: K[] } | { op: 'setMany'; ks: K[]; v: number };

const KEY = fc.constantFrom<K>('a', 'b', 'c', 'd', 'e', 'f', 1, 2, 3, '1', -0.5);
const OPS: fc.Arbitrary<Op[]> = fc.array(
  fc.oneof(
    { weight: 30, arbitrary: fc.record({ op: fc.constant('set' as const), k: KEY, v: fc.nat(), ttl: fc.option(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.double({ min: 0.001, max: 5000, noNaN: true }), fc.constant(Infinity)), { nil: undefined }) }) },
    { weight: 20, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const, 'delete' as const), k: KEY }) },
    { weight: 20, arbitrary: fc.record({ op: fc.constant('time' as const), step: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 400, noNaN: true })) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
    { weight: 3, arbitrary: fc.constant({ op: 'pop' as const }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('ttlLeft' as const), k: KEY }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('getMany' as const), ks: fc.array(KEY, { maxLength: 6 }) }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('setMany' as const), ks: fc.array(KEY, { maxLength: 6 }), v: fc.nat() }) },
  ),
  { maxLength: 300, size: 'max' },
);

function run(tier: TierName, maxSize: number, ttl: number, start: number, seq: Op[]): void {
  let now = start;
  const events: Event[] = [];
  const c = new TtlCache<K, number>({ maxSize, ttlMs: ttl, clock: () => now, autoPurge: false, backend: tier, onEvict: (k, v, r) => events.push([k, v, r]) });
  expect(c.backend).toBe(tier);
  const m = new CacheModel(maxSize, ttl);
  try {
    for (const o of seq) {
      switch (o.op) {
        case 'set': c.set(o.k, o.v, o.ttl === undefined ? undefined : { ttlMs: o.ttl }); m.set(o.k, o.v, o.ttl, now); break;
        case 'get': expect(c.get(o.k)).toBe(m.get(o.k, now)); break;
        case 'peek': expect(c.peek(o.k)).toBe(m.peek(o.k, now)); break;
        case 'has': expect(c.has(o.k)).toBe(m.peek(o.k, now) !== undefined); break;
        case 'delete': expect(c.delete(o.k)).toBe(m.delete(o.k, now)); break;
        case 'clear': c.clear(); m.clear(now); break;
        case 'time': now += o.step; break;
        case 'pop': expect(c.pop()).toBe(m.pop(now)); break;
        case 'ttlLeft': {
          m.purge(now);
          const e = m.entries.get(o.k);
          expect(c.getRemainingTTL(o.k)).toBe(e === undefined ? 0 : e.deadline === Infinity ? Infinity : e.deadline - now);
          break;
        }
        case 'getMany': expect(c.getMany(o.ks)).toEqual(o.ks.map((k) => m.get(k, now))); break;
        case 'setMany': c.setMany(o.ks, o.ks.map(() => o.v)); for (const k of o.ks) m.set(k, o.v, undefined, now); break;
      }
      expect(c.check()).toBeNull();
      // `size` expires what is due first, like every call.
      const size = c.size;
      m.purge(now);
      expect(size).toBe(m.entries.size);
      expect(size).toBeLessThanOrEqual(maxSize);
      expect(events).toEqual(m.events);
    }
    expect([...c.keysLru()]).toEqual([...m.entries.keys()]);
    expect([...c.rkeys()]).toEqual([...m.entries.keys()]);
    expect([...c.keys()]).toEqual([...m.entries.keys()].reverse());
    expect([...c]).toEqual([...m.entries].reverse().map(([k, e]) => [k, e.value]));
    expect(c.stats()).toEqual(m.stats);
  } finally {
    c.dispose();
  }
}

describe.each(TIERS)('TtlCache on %s tier', (tier) => {
  it.each([[1, 100], [3, 50], [8, 1000], [64, Infinity]] as const)('model-based: maxSize %i, ttlMs %s', (maxSize, ttl) => {
    fc.assert(fc.property(OPS, fc.constantFrom(0, 12.5, 1_700_000_000_000), (seq, start) => run(tier, maxSize, ttl, start, seq)), { numRuns: 80 });
  });

  it('an expired entry is never returned, even between wheel ticks', () => {
    let now = 1000;
    const c = new TtlCache<string, string>({ maxSize: 10, ttlMs: 5, tickMs: 100, clock: () => now, autoPurge: false, backend: tier });
    c.set('k', 'v');
    now = 1004.999;
    expect(c.get('k')).toBe('v');
    now = 1005;
    expect(c.peek('k')).toBeUndefined();
    expect(c.has('k')).toBe(false);
    expect(c.get('k')).toBeUndefined();
    expect(c.stats()).toEqual({ hits: 1, misses: 1, evictions: 0, expirations: 1 });
    c.dispose();
  });

  it('LRU eviction order and onEvict reasons', () => {
    let now = 0;
    const ev: string[] = [];
    const c = new TtlCache<string, number>({ maxSize: 3, ttlMs: 100, clock: () => now, autoPurge: false, backend: tier, onEvict: (k, v, r) => ev.push(`${k}=${v}:${r}`) });
    c.set('a', 1).set('b', 2).set('c', 3);
    c.get('a'); // b is now least recently used
    c.peek('b'); // peek does not count as use
    c.set('d', 4);
    expect(ev).toEqual(['b=2:evicted']);
    c.set('a', 10, { ttlMs: 10 }); // a replaced value is reported as 'set'
    c.set('a', 10, { ttlMs: 10 }); // the same value: nothing to report
    expect(ev).toEqual(['b=2:evicted', 'a=1:set']);
    now = 10;
    expect(c.size).toBe(2);
    expect(ev).toEqual(['b=2:evicted', 'a=1:set', 'a=10:expired']);
    expect(c.delete('c')).toBe(true);
    expect(c.delete('c')).toBe(false);
    c.clear();
    expect(ev).toEqual(['b=2:evicted', 'a=1:set', 'a=10:expired', 'c=3:deleted', 'd=4:deleted']);
    expect(c.size).toBe(0);
    c.dispose();
  });

  it('grows past its initial capacity: 10^4 keys into 5000 slots, mixed TTLs', () => {
    let now = 0;
    const ev = { expired: 0, evicted: 0, deleted: 0 };
    const c = new TtlCache<number, string>({ maxSize: 5000, ttlMs: 1000, clock: () => now, autoPurge: false, backend: tier, onEvict: (_k, _v, r) => ev[r]++ });
    for (let i = 0; i < 10_000; i++) c.set(i, `v${i}`, { ttlMs: i % 2 === 0 ? 100 : Infinity });
    expect(c.size).toBe(5000);
    expect(ev.evicted).toBe(5000);
    for (let i = 5000; i < 10_000; i += 7) expect(c.get(i)).toBe(`v${i}`);
    expect(c.get(4999)).toBeUndefined();
    now = 100;
    expect(c.size).toBe(2500);
    expect(ev.expired).toBe(2500);
    for (let i = 5001; i < 10_000; i += 2) expect(c.peek(i)).toBe(`v${i}`);
    c.dispose();
  });

  it('autoPurge expires idle entries from an unref\'d timer', async () => {
    const ev: string[] = [];
    const c = new TtlCache<string, number>({ maxSize: 10, ttlMs: 15, tickMs: 1, backend: tier, onEvict: (k, _v, r) => ev.push(`${k}:${r}`) });
    c.set('x', 1).set('y', 2, { ttlMs: 5 }).set('z', 3, { ttlMs: Infinity });
    await new Promise((r) => setTimeout(r, 80));
    expect(ev).toEqual(['y:expired', 'x:expired']);
    expect(c.stats().expirations).toBe(2);
    expect(c.peek('z')).toBe(3);
    c.dispose();
  });

  it('bad input: TypeError/RangeError naming the argument', () => {
    const err = (f: () => unknown, type: ErrorConstructor, re: RegExp): void => {
      expect(f).toThrow(type);
      expect(f).toThrow(re);
    };
    err(() => new TtlCache({ maxSize: 0, ttlMs: 1, backend: tier }), RangeError, /TtlCache: options.maxSize must be >= 1/);
    err(() => new TtlCache({ maxSize: 1.5, ttlMs: 1, backend: tier }), RangeError, /options.maxSize must be an integer/);
    err(() => new TtlCache({ maxSize: 1, ttlMs: 0, backend: tier }), RangeError, /options.ttlMs must be > 0/);
    err(() => new TtlCache({ maxSize: 1, ttlMs: NaN, backend: tier }), RangeError, /options.ttlMs/);
    err(() => new TtlCache({ maxSize: 1, ttlMs: '5' as unknown as number, backend: tier }), TypeError, /options.ttlMs must be a number/);
    err(() => new TtlCache({ maxSize: 1, ttlMs: 5, onEvict: 5 as unknown as () => void, backend: tier }), TypeError, /options.onEvict must be a function/);
    err(() => new TtlCache({ maxSize: 1, ttlMs: 5, clock: () => -1, backend: tier }), TypeError, /options.clock must return a finite time >= 0/);
    err(() => new TtlCache(undefined as unknown as { maxSize: number; ttlMs: number }), TypeError, /options.maxSize must be a number/);
    const c = new TtlCache<K, number>({ maxSize: 2, ttlMs: 5, backend: tier, autoPurge: false });
    err(() => c.set({} as unknown as string, 1), TypeError, /TtlCache.set: key must be a string or a number; got Object/);
    err(() => c.get(NaN), RangeError, /TtlCache.get: key must not be NaN/);
    err(() => c.set('k', 1, { ttlMs: -1 }), RangeError, /TtlCache.set: options.ttlMs must be > 0/);
    err(() => c.set('k', 1, 5 as unknown as { ttlMs: number }), TypeError, /TtlCache.set: options must be an object/);
    expect(c.size).toBe(0);
    c.dispose();
    c.dispose();
    err(() => c.get('k'), TypeError, /TtlCache.get: cache is disposed/);
  });
});

describe('TtlCache process behaviour', () => {
  it('a cache with pending TTLs does not keep the process alive', () => {
    const out = runChild(`const c = new hp.TtlCache({ maxSize: 10, ttlMs: 3_600_000 }); c.set('a', 1); return c.size;`);
    expect(out).toBe(1);
  });
});

// ---- re-entrancy: onEvict may call any method -------------------------------

type Reenter =
  | { op: 'set'; k: K; ttl: number | undefined } | { op: 'get' | 'peek' | 'has' | 'delete'; k: K }
  | { op: 'clear' } | { op: 'size' } | { op: 'keys' };

const REENTER: fc.Arbitrary<Reenter> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('set' as const), k: KEY, ttl: fc.option(fc.integer({ min: 1, max: 200 }), { nil: undefined }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const, 'delete' as const), k: KEY }) },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 2, arbitrary: fc.constantFrom({ op: 'size' as const }, { op: 'keys' as const }) },
);

/**
 * Callbacks that call back into the cache. The cache's own promise is
 * checked after every top-level call: size <= maxSize, iteration ends and
 * lists each live key once, every live key reads back the value last set
 * for it, no entry past its deadline is returned, and every report names a
 * key with a value that was set for it.
 */
function runReentrant(tier: TierName, maxSize: number, seq: Op[], plan: Reenter[][]): void {
  let now = 0;
  let budget = 400; // callbacks that insert can chain forever; a test must end
  const last = new Map<K, { v: number; deadline: number }>();
  const everSet = new Map<K, Set<number>>();
  let counter = 1_000_000;
  const setTracked = (k: K, v: number, ttl: number | undefined, fromCallback: boolean): void => {
    if (fromCallback && budget-- <= 0) return;
    // Recorded first: the call's own callbacks run before it returns and may change k again.
    last.set(k, { v, deadline: now + (ttl ?? 100) });
    (everSet.get(k) ?? everSet.set(k, new Set()).get(k)!).add(v);
    c.set(k, v, ttl === undefined ? undefined : { ttlMs: ttl });
  };
  let calls = 0;
  const c: TtlCache<K, number> = new TtlCache<K, number>({
    maxSize, ttlMs: 100, clock: () => now, autoPurge: false, backend: tier,
    onEvict: (k, v, r) => {
      expect(['expired', 'evicted', 'deleted', 'set']).toContain(r);
      expect(everSet.get(k)?.has(v), `onEvict(${String(k)}, ${v}, ${r}) reports a value never set for that key`).toBe(true);
      if (last.get(k)?.v === v) last.delete(k);
      for (const a of plan[calls++ % plan.length]) {
        if (budget <= 0) break;
        switch (a.op) {
          case 'set': setTracked(a.k, counter++, a.ttl, true); break;
          case 'get': case 'peek': case 'has': c[a.op](a.k); break;
          case 'delete': last.delete(a.k); c.delete(a.k); break;
          case 'clear': last.clear(); c.clear(); break;
          case 'size': void c.size; break;
          case 'keys': for (const k of c.keysLru()) c.peek(k); break;
        }
      }
    },
  });
  const invariants = (): void => {
    const keys = [...c.keysLru()];
    expect(keys.length).toBe(new Set(keys).size);
    expect(keys.length).toBeLessThanOrEqual(maxSize);
    expect(c.size).toBe(keys.length);
    for (const k of keys) {
      const v = c.peek(k);
      expect(v, `live key ${String(k)}`).toBeDefined();
      expect(last.get(k)?.v, `key ${String(k)} maps to its own value`).toBe(v);
      expect(last.get(k)!.deadline > now, `key ${String(k)} returned past its deadline`).toBe(true);
    }
  };
  try {
    for (const o of seq) {
      switch (o.op) {
        case 'set': setTracked(o.k, o.v, o.ttl === undefined || o.ttl === Infinity ? undefined : Math.max(1, Math.round(o.ttl)), false); break;
        case 'get': case 'peek': case 'has': c[o.op](o.k); break;
        case 'delete': last.delete(o.k); c.delete(o.k); break;
        case 'clear': last.clear(); c.clear(); break;
        case 'time': now += o.step; break;
      }
      invariants();
    }
  } finally {
    c.dispose();
  }
}

describe.each(TIERS)('TtlCache re-entrancy on %s tier', (tier) => {
  it.each([1, 3, 8])('callbacks calling every method keep the invariants (maxSize %i)', (maxSize) => {
    fc.assert(fc.property(OPS, fc.array(fc.array(REENTER, { maxLength: 4 }), { minLength: 1, maxLength: 8 }), (seq, plan) => runReentrant(tier, maxSize, seq, plan)), { numRuns: 60 });
  });

  it('the reproducers: set from an expiry, delete of another key from an expiry, set from an eviction', () => {
    let now = 0;
    // 'expired' -> set: every expired entry leaves, new entries are live.
    const a = new TtlCache<string, number>({ maxSize: 100, ttlMs: 10, clock: () => now, autoPurge: false, backend: tier, onEvict: (k, _v, r) => { if (r === 'expired') a.set(`new-${k}`, 1, { ttlMs: 1000 }); } });
    for (let i = 0; i < 50; i++) a.set(`k${i}`, i);
    now = 20;
    expect(a.size).toBe(50);
    expect([...a.keysLru()].every((k) => k.startsWith('new-'))).toBe(true);
    expect(a.get('new-k0')).toBe(1);
    a.dispose();
    // 'expired' -> delete(otherKey): no report of undefined, every key keeps its value.
    const seen: (string | undefined)[] = [];
    const b = new TtlCache<string, string>({ maxSize: 10, ttlMs: 10, clock: () => now, autoPurge: false, backend: tier, onEvict: (k, _v, r) => { seen.push(k); if (r === 'expired') b.delete('x'); } });
    b.set('e1', 'E1', { ttlMs: 5 }).set('e2', 'E2', { ttlMs: 5 }).set('x', 'X', { ttlMs: 1000 }).set('y', 'Y', { ttlMs: 1000 });
    now = 30;
    expect(b.get('y')).toBe('Y');
    expect(seen).not.toContain(undefined);
    expect(seen.sort()).toEqual(['e1', 'e2', 'x']);
    expect([...b.keysLru()]).toEqual(['y']);
    b.dispose();
    // 'evicted' -> set: never above maxSize.
    const c = new TtlCache<string, number>({ maxSize: 3, ttlMs: 1000, clock: () => now, autoPurge: false, backend: tier, onEvict: (k, v, r) => { if (r === 'evicted' && v < 3) c.set(`${k}+`, v + 1); } });
    for (let i = 0; i < 10; i++) {
      c.set(`k${i}`, 0);
      expect(c.size).toBeLessThanOrEqual(3);
    }
    c.dispose();
  });

  it('a throwing onEvict: the others still run, the first error is rethrown, the cache stays sound', () => {
    let now = 0;
    const got: string[] = [];
    const c = new TtlCache<string, number>({ maxSize: 10, ttlMs: 10, clock: () => now, autoPurge: false, backend: tier, onEvict: (k) => { got.push(k); if (k === 'a') throw new Error('boom'); } });
    c.set('a', 1).set('b', 2).set('c', 3, { ttlMs: 100 });
    now = 15;
    expect(() => c.size).toThrow('boom');
    expect(got).toEqual(['a', 'b']);
    expect(c.size).toBe(1);
    expect(c.get('c')).toBe(3);
    c.dispose();
  });

  it('a clock returning NaN, a BigInt or going backwards: the same named error or behaviour on every tier', () => {
    let t: unknown = 0;
    const c = new TtlCache<string, number>({ maxSize: 4, ttlMs: 10, clock: () => t as number, autoPurge: false, backend: tier });
    c.set('a', 1);
    t = NaN;
    expect(() => c.get('a')).toThrow(/^hotpath\.TtlCache\.get: options\.clock must return a finite time >= 0; returned NaN$/);
    t = 5n;
    expect(() => c.set('b', 2)).toThrow(/^hotpath\.TtlCache\.set: options\.clock must return a number of ms; returned bigint 5$/);
    t = 8;
    expect(c.get('a')).toBe(1);
    t = 3; // backwards: time stays at 8 for the cache
    expect(c.get('a')).toBe(1);
    t = 10;
    expect(c.get('a')).toBeUndefined();
    c.dispose();
  });
});
