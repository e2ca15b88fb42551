// TtlCache against lru-cache (v11) as a differential oracle, plus feature
// tests of the lru-cache feature set TtlCache mirrors (sizes, stale reads,
// fetch, memo, iteration, dump/load, replace reports, option names).
//
// Differences from lru-cache that TtlCache documents, and how the oracle
// bridges them:
// - Expiry is at now >= start + ttl (lru-cache: now - start > ttl). Every
//   clock step here is an integer plus 1/1024 and every TTL an integer, so
//   no two clock readings ever differ by exactly a TTL: no ties.
// - Without `allowStale` TtlCache removes expired entries before every call;
//   the oracle calls lru.purgeStale() before each operation, and expired
//   reports are compared per step as a multiset (TtlCache reports them in
//   deadline order, lru-cache in LRU order).
// - getRemainingTTL is 0 for an expired entry (lru-cache: negative).
// - onEvict(key, value, reason) vs dispose(value, key, reason), with reasons
//   expired/evicted/deleted/set vs expire/evict/delete/set.
//
// Every clock here is fake (starting at 1000: lru-cache reads a start of 0
// as "no TTL") and autoPurge is off; the few real waits are a few ms.
import fc from 'fast-check';
import { LRUCache } from 'lru-cache';
import { afterEach, describe, expect, it } from 'vitest';
import { TtlCache } from '../ts/index.js';
import type { TierName, TtlCacheOptions } from '../ts/index.js';
import { lruOracle, lruSetOptions, splitEvents } from './support/lru-oracle.js';
import type { Event, Key, Reason } from './support/lru-oracle.js';
import { deferred } from './support/deferred.js';
import { TIERS } from './support/tiers.js';

type K = Key;

const T0 = 1000;
/** The fractional part of every clock step: differences of readings are never integers. */
const EPS = 1 / 1024;

// ---- 1. differential against lru-cache -------------------------------------

interface Variant {
  name: string;
  ttlMs: number | undefined;
  updateAgeOnGet?: boolean;
  updateAgeOnHas?: boolean;
  noUpdateTTL?: boolean;
  allowStale?: boolean;
  noDeleteOnStaleGet?: boolean;
  bytes?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'default ttl 20', ttlMs: 20 },
  { name: 'no default ttl, per-entry ttls', ttlMs: undefined },
  { name: 'updateAgeOnGet', ttlMs: 20, updateAgeOnGet: true },
  { name: 'noUpdateTTL', ttlMs: 20, noUpdateTTL: true },
  { name: 'allowStale', ttlMs: 20, allowStale: true },
  { name: 'allowStale + noDeleteOnStaleGet', ttlMs: 20, allowStale: true, noDeleteOnStaleGet: true },
  { name: 'maxBytes + sizeCalculation', ttlMs: 20, bytes: true },
  { name: 'updateAgeOnHas', ttlMs: 20, updateAgeOnHas: true },
  { name: 'allowStale + maxBytes + updateAgeOnGet + noUpdateTTL', ttlMs: 20, allowStale: true, bytes: true, updateAgeOnGet: true, noUpdateTTL: true },
];

type GetO = { allowStale?: boolean; updateAgeOnGet?: boolean; noDeleteOnStaleGet?: boolean };
type SetO = { ttlMs?: number; size?: number; noUpdateTTL?: boolean };

type Cmd =
  | { op: 'get'; k: K; o: GetO | undefined }
  | { op: 'peek'; k: K; o: { allowStale?: boolean } | undefined }
  | { op: 'has'; k: K; o: { updateAgeOnHas?: boolean } | undefined }
  | { op: 'set'; k: K; v: number; o: SetO | undefined }
  | { op: 'unset' | 'delete' | 'ttl'; k: K }
  | { op: 'getMany'; ks: K[] }
  | { op: 'setMany'; kv: [K, number][] }
  | { op: 'pop' | 'clear' | 'purgeStale' }
  | { op: 'advance'; ms: number };

const KEYS: K[] = ['a', 'b', 'c', 'd', 1, 2, '1'];
const KEY = fc.constantFrom(...KEYS);
/** Few values, so that a set often stores the value already there (no 'set' report). */
const VALUE = fc.integer({ min: 0, max: 5 });
const TTL = fc.integer({ min: 1, max: 40 });

function commands(v: Variant): fc.Arbitrary<Cmd[]> {
  const bool = fc.boolean();
  const getO = fc.option(fc.record({ allowStale: bool, updateAgeOnGet: bool, noDeleteOnStaleGet: bool }, { requiredKeys: [] }), { nil: undefined });
  const peekO = fc.option(fc.record({ allowStale: bool }, { requiredKeys: [] }), { nil: undefined });
  const hasO = fc.option(fc.record({ updateAgeOnHas: bool }, { requiredKeys: [] }), { nil: undefined });
  const setO = fc.option(
    v.bytes
      ? fc.record({ ttlMs: fc.oneof(TTL, fc.constant(Infinity)), noUpdateTTL: bool, size: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) }, { weight: 1, arbitrary: fc.integer({ min: 7, max: 14 }) }) }, { requiredKeys: [] })
      : fc.record({ ttlMs: fc.oneof(TTL, fc.constant(Infinity)), noUpdateTTL: bool }, { requiredKeys: [] }),
    { nil: undefined },
  );
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    { weight: 30, arbitrary: fc.record({ op: fc.constant('set' as const), k: KEY, v: VALUE, o: setO }) },
    { weight: 12, arbitrary: fc.record({ op: fc.constant('get' as const), k: KEY, o: getO }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('peek' as const), k: KEY, o: peekO }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constant('has' as const), k: KEY, o: hasO }) },
    { weight: 6, arbitrary: fc.record({ op: fc.constantFrom('delete' as const, 'ttl' as const, 'ttl' as const), k: KEY }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('unset' as const), k: KEY }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('getMany' as const), ks: fc.array(KEY, { minLength: 1, maxLength: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('setMany' as const), kv: fc.array(fc.tuple(KEY, VALUE), { minLength: 1, maxLength: 3 }) }) },
    { weight: 3, arbitrary: fc.constant({ op: 'pop' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
    { weight: 2, arbitrary: fc.constant({ op: 'purgeStale' as const }) },
    {
      weight: 14,
      arbitrary: fc
        .oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 12 }) }, { weight: 1, arbitrary: fc.integer({ min: 13, max: 80 }) })
        .map((n) => ({ op: 'advance' as const, ms: n + EPS })),
    },
  );
  return fc.array(cmd, { minLength: 40, maxLength: 60 });
}

interface Config {
  maxSize: number;
  maxBytes: number;
  /** A fraction of maxBytes (kept <= maxBytes: lru-cache loops forever on maxEntrySize > maxSize). */
  entryBytes: number | undefined;
}

const CONFIG: fc.Arbitrary<Config> = fc.record({
  maxSize: fc.integer({ min: 1, max: 6 }),
  maxBytes: fc.integer({ min: 3, max: 12 }),
  entryBytes: fc.option(fc.double({ min: 0.3, max: 1, noNaN: true }), { nil: undefined }),
});

const sizeOf = (v: number): number => (v % 4) + 1;

function show(c: Cmd): string {
  switch (c.op) {
    case 'set': return `set(${JSON.stringify(c.k)}, ${c.v}${c.o ? `, ${JSON.stringify(c.o)}` : ''})`;
    case 'get': case 'peek': case 'has': return `${c.op}(${JSON.stringify(c.k)}${c.o ? `, ${JSON.stringify(c.o)}` : ''})`;
    case 'unset': return `set(${JSON.stringify(c.k)}, undefined)`;
    case 'delete': return `delete(${JSON.stringify(c.k)})`;
    case 'ttl': return `getRemainingTTL(${JSON.stringify(c.k)})`;
    case 'getMany': return `getMany(${JSON.stringify(c.ks)})`;
    case 'setMany': return `setMany(${JSON.stringify(c.kv.map((p) => p[0]))}, ${JSON.stringify(c.kv.map((p) => p[1]))})`;
    case 'advance': return `t += ${c.ms}`;
    default: return `${c.op}()`;
  }
}

/** lru-cache's remaining TTL as TtlCache reports it: 0 once expired. */
const remaining = (r: number): number => (r > 0 ? r : 0);

function runDifferential(tier: TierName, v: Variant, cfg: Config, cmds: Cmd[]): void {
  let t = T0;
  const clock = (): number => t;
  const got: Event<number>[] = [];
  const want: Event<number>[] = [];
  const maxEntryBytes = v.bytes && cfg.entryBytes !== undefined ? Math.max(1, Math.round(cfg.entryBytes * cfg.maxBytes)) : undefined;
  const shared = {
    maxSize: cfg.maxSize,
    ...(v.ttlMs !== undefined ? { ttlMs: v.ttlMs } : {}),
    ...(v.bytes ? { maxBytes: cfg.maxBytes, sizeCalculation: sizeOf } : {}),
    ...(maxEntryBytes !== undefined ? { maxEntryBytes } : {}),
    ...(v.allowStale ? { allowStale: true } : {}),
    ...(v.noDeleteOnStaleGet ? { noDeleteOnStaleGet: true } : {}),
    ...(v.updateAgeOnGet ? { updateAgeOnGet: true } : {}),
    ...(v.updateAgeOnHas ? { updateAgeOnHas: true } : {}),
    ...(v.noUpdateTTL ? { noUpdateTTL: true } : {}),
  };
  const c = new TtlCache<K, number>({ ...shared, clock, autoPurge: false, backend: tier, onEvict: (k: K, val: number, r: Reason) => { got.push([k, val, r]); } } as TtlCacheOptions<K, number>);
  const lru = lruOracle<number>({ ...shared, clock }, want);
  const entryLimit = maxEntryBytes ?? cfg.maxBytes;
  const log: string[] = [];
  const purge = (): void => {
    if (!v.allowStale) lru.purgeStale();
  };
  /**
   * lru.set, except that setting the value a key already holds with a new
   * size takes the new size, as TtlCache does: lru-cache skips the size
   * update when the value is the same (v === old). The oracle stores a
   * marker value first, and drops the two 'set' reports that makes.
   */
  const lruSet = (k: K, val: number, o: SetO | undefined): void => {
    const size = o?.size ?? sizeOf(val);
    const old = v.bytes && lru.peek(k, { allowStale: true }) === val ? lru.info(k)?.size : undefined;
    if (old === undefined || old === size || size > entryLimit) {
      lru.set(k, val, lruSetOptions(o));
      return;
    }
    const from = want.length;
    lru.set(k, -1, { size, noUpdateTTL: true });
    lru.set(k, val, lruSetOptions(o));
    const added = want.splice(from).filter((e) => !(e[0] === k && e[2] === 'set'));
    want.push(...added);
  };
  try {
    for (const cmd of cmds) {
      log.push(show(cmd));
      try {
        got.length = 0;
        want.length = 0;
        /** A key whose removal by an oversize set may be reported as 'deleted' (lru-cache: 'set'). */
        let oversized: K | undefined;
        purge();
        switch (cmd.op) {
          case 'get':
            expect(c.get(cmd.k, cmd.o && { ...cmd.o }), 'get').toBe(lru.get(cmd.k, cmd.o && { ...cmd.o }));
            break;
          case 'peek':
            expect(c.peek(cmd.k, cmd.o && { ...cmd.o }), 'peek').toBe(lru.peek(cmd.k, cmd.o && { ...cmd.o }));
            break;
          case 'has':
            expect(c.has(cmd.k, cmd.o && { ...cmd.o }), 'has').toBe(lru.has(cmd.k, cmd.o && { ...cmd.o }));
            break;
          case 'set': {
            if (v.bytes && (cmd.o?.size ?? sizeOf(cmd.v)) > entryLimit) oversized = cmd.k;
            expect(c.set(cmd.k, cmd.v, cmd.o && { ...cmd.o }), 'set returns the cache').toBe(c);
            lruSet(cmd.k, cmd.v, cmd.o);
            break;
          }
          case 'unset':
            c.set(cmd.k, undefined as unknown as number);
            lru.set(cmd.k, undefined);
            break;
          case 'delete':
            expect(c.delete(cmd.k), 'delete').toBe(lru.delete(cmd.k));
            break;
          case 'ttl':
            expect(c.getRemainingTTL(cmd.k), 'getRemainingTTL').toBe(remaining(lru.getRemainingTTL(cmd.k)));
            break;
          case 'getMany':
            expect(c.getMany(cmd.ks), 'getMany').toEqual(cmd.ks.map((k) => lru.get(k)));
            break;
          case 'setMany':
            if (v.bytes) for (const [k, val] of cmd.kv) if (sizeOf(val) > entryLimit) oversized = k;
            c.setMany(cmd.kv.map((p) => p[0]), cmd.kv.map((p) => p[1]));
            for (const [k, val] of cmd.kv) lruSet(k, val, undefined);
            break;
          case 'pop':
            expect(c.pop(), 'pop').toBe(lru.pop());
            break;
          case 'clear':
            c.clear();
            lru.clear();
            break;
          case 'purgeStale': {
            const r = c.purgeStale();
            // Without allowStale everything expired is already gone before the call.
            if (v.allowStale) expect(r, 'purgeStale').toBe(lru.purgeStale());
            break;
          }
          case 'advance':
            t += cmd.ms;
            break;
        }
        // The state after the step (these calls expire what is due, like any call).
        purge();
        expect([...c.keys()], 'keys(), most recent first').toEqual([...lru.keys()]);
        expect([...c.rkeys()], 'rkeys(), least recent first').toEqual([...lru.rkeys()]);
        expect([...c.values()], 'values()').toEqual([...lru.values()]);
        expect(c.size, 'size').toBe(lru.size);
        expect(c.size).toBeLessThanOrEqual(cfg.maxSize);
        if (v.bytes) {
          expect(c.calculatedSize, 'calculatedSize').toBe(lru.calculatedSize);
          expect(c.calculatedSize).toBeLessThanOrEqual(cfg.maxBytes);
        }
        const g = splitEvents(got);
        const w = splitEvents(want);
        if (oversized !== undefined) {
          for (const e of g.other) if (e[0] === oversized && e[2] === 'deleted') e[2] = 'set';
        }
        expect(g.expired, "'expired' reports of the step (any order)").toEqual(w.expired);
        expect(g.other, 'other onEvict reports of the step, in order').toEqual(w.other);
      } catch (e) {
        const err = e as Error;
        err.message = `${err.message}\n  at t=${t}, config ${JSON.stringify({ ...cfg, maxEntryBytes })}, variant ${v.name}, after:\n    ${log.join(';\n    ')}`;
        throw err;
      }
    }
  } finally {
    c.dispose();
  }
}

describe.each(TIERS)('TtlCache vs lru-cache, differential, on %s tier', (tier) => {
  it.each(VARIANTS.map((v, i) => [v.name, v, i] as const))('%s', (_name, v, i) => {
    fc.assert(
      fc.property(CONFIG, commands(v), (cfg, cmds) => runDifferential(tier, v, cfg, cmds)),
      { numRuns: 300, seed: 0x7c1 + 97 * i + (tier === 'js' ? 0 : tier === 'wasm' ? 1 : 2) },
    );
  });
});

// ---- 2. feature tests ------------------------------------------------------


/** Lets pending promise reactions run (a macrotask turn). */
const flush = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

type Settled<T> = { state: 'pending' } | { state: 'fulfilled'; value: T } | { state: 'rejected'; reason: unknown };

/** How `p` stands after the pending reactions ran; attaches a handler, so a rejection is never unhandled. */
async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  let s: Settled<T> = { state: 'pending' };
  p.then((value) => { s = { state: 'fulfilled', value }; }, (reason: unknown) => { s = { state: 'rejected', reason }; });
  await flush();
  await flush();
  return s;
}

function fakeClock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

/** Throws from f, checks the class and that the message starts with hotpath.TtlCache and matches every pattern. */
function expectError(f: () => unknown, types: ErrorConstructor[], ...patterns: RegExp[]): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeDefined();
  expect(types.some((T) => err instanceof T), `${String(err)} is one of ${types.map((T) => T.name).join('/')}`).toBe(true);
  const m = (err as Error).message;
  expect(m.startsWith('hotpath.TtlCache'), `message starts with hotpath.TtlCache: ${m}`).toBe(true);
  for (const p of patterns) expect(m).toMatch(p);
}

const BAD = [TypeError, RangeError];

describe.each(TIERS)('TtlCache lru-cache features on %s tier', (tier) => {
  const made: TtlCache<K, unknown>[] = [];
  afterEach(() => {
    for (const c of made.splice(0)) c.dispose();
  });
  /** A TtlCache on this tier with a fake clock and autoPurge off unless given. */
  function mk<V>(o: Partial<TtlCacheOptions<K, V>> & Record<string, unknown>): TtlCache<K, V> {
    const c = new TtlCache<K, V>({ clock: () => T0, autoPurge: false, backend: tier, ...o } as TtlCacheOptions<K, V>);
    made.push(c as TtlCache<K, unknown>);
    return c;
  }

  describe('options', () => {
    it('lru-cache option names: a TypeError naming each and the TtlCache name meant', () => {
      const bad = (o: Record<string, unknown>, ...patterns: RegExp[]): void => expectError(() => new TtlCache({ backend: tier, ...o } as never).dispose(), [TypeError], ...patterns);
      bad({ max: 10, ttl: 5 }, /\bmax\b[^;]*\bmaxSize\b/, /\bttl\b[^;]*\bttlMs\b/);
      bad({ maxSize: 10, dispose: () => {} }, /\bdispose\b[^;]*\bonEvict\b/);
      bad({ maxSize: 10, maxEntrySize: 5 }, /\bmaxEntrySize\b[^;]*\bmaxEntryBytes\b/);
      bad({ maxSize: 10, ttlAutopurge: true }, /\bttlAutopurge\b[^;]*\bautoPurge\b/);
      bad({ maxSize: 10, perf: { now: () => 1 } }, /\bperf\b[^;]*\bclock\b/);
      bad({ maxSize: 10, fooBar: 1 }, /\bfooBar\b/);
    });

    it('ttlMs is optional (entries never expire) and other bad values are named', () => {
      const clk = fakeClock();
      const c = mk<number>({ maxSize: 2, clock: clk.now });
      c.set('a', 1);
      clk.advance(1e9);
      expect(c.get('a')).toBe(1);
      expect(c.getRemainingTTL('a')).toBe(Infinity);
      const ctor = (o: Record<string, unknown>) => () => new TtlCache({ maxSize: 4, backend: tier, autoPurge: false, ...o } as never).dispose();
      expectError(ctor({ maxBytes: 0 }), BAD, /options\.maxBytes/);
      expectError(ctor({ maxBytes: 2.5 }), BAD, /options\.maxBytes/);
      expectError(ctor({ maxBytes: 10, sizeCalculation: 3 }), BAD, /options\.sizeCalculation/);
      expectError(ctor({ maxBytes: 10, maxEntryBytes: -1 }), BAD, /options\.maxEntryBytes/);
      expectError(ctor({ fetchMethod: 'x' }), BAD, /options\.fetchMethod/);
      expectError(ctor({ memoMethod: 1 }), BAD, /options\.memoMethod/);
      expectError(ctor({ allowStale: 'yes' }), BAD, /options\.allowStale/);
      expectError(ctor({ ttlResolution: -1 }), BAD, /options\.ttlResolution/);
      expectError(ctor({ cacheMissesMs: -5 }), BAD, /options\.cacheMissesMs/);
    });
  });

  describe('maxBytes, sizeCalculation, maxEntryBytes', () => {
    it('each set needs a size; LRU entries are evicted until the new one fits; oversize entries are not stored', () => {
      const ev: Event<string>[] = [];
      const c = mk<string>({ maxSize: 100, maxBytes: 10, onEvict: (k: K, v: string, r: Reason) => { ev.push([k, v, r]); } });
      expectError(() => c.set('a', 'x'), [TypeError], /options\.size/);
      for (const size of [0, -1, 1.5, NaN, Infinity]) expectError(() => c.set('a', 'x', { size }), BAD, /options\.size/);
      expect(c.size).toBe(0);
      c.set('a', 'A', { size: 4 }).set('b', 'B', { size: 4 });
      expect(c.calculatedSize).toBe(8);
      c.set('c', 'C', { size: 5 });
      expect(ev).toEqual([['a', 'A', 'evicted']]);
      expect([...c.keys()]).toEqual(['c', 'b']);
      expect(c.calculatedSize).toBe(9);
      ev.length = 0;
      c.set('d', 'D', { size: 10 });
      expect(ev).toEqual([['b', 'B', 'evicted'], ['c', 'C', 'evicted']]);
      expect(c.calculatedSize).toBe(10);
      ev.length = 0;
      // Bigger than maxEntryBytes (default maxBytes): not stored, and the old value for the key is gone.
      c.set('d', 'D2', { size: 11 });
      expect(c.has('d')).toBe(false);
      expect(c.get('d')).toBeUndefined();
      expect(c.size).toBe(0);
      expect(c.calculatedSize).toBe(0);
      expect(ev.map((e) => e.slice(0, 2))).toEqual([['d', 'D']]);
      ev.length = 0;
      c.set('e', 'E', { size: 11 });
      expect(c.size).toBe(0);
      expect(ev).toEqual([]);
    });

    it('sizeCalculation(value, key); an explicit size wins; maxEntryBytes below maxBytes', () => {
      const calls: [unknown, unknown][] = [];
      const c = mk<string>({ maxSize: 100, maxBytes: 10, maxEntryBytes: 4, sizeCalculation: (v: string, k: K) => { calls.push([v, k]); return v.length; } });
      c.set('k1', 'abc');
      expect(calls).toEqual([['abc', 'k1']]);
      expect(c.calculatedSize).toBe(3);
      c.set('k2', 'abcdefgh', { size: 2 });
      expect(c.calculatedSize).toBe(5);
      expect(c.get('k2')).toBe('abcdefgh');
      c.set('k3', 'abcde'); // 5 > maxEntryBytes 4
      expect(c.has('k3')).toBe(false);
      expect(c.calculatedSize).toBe(5);
      c.set('k1', 'abcd'); // replace: 3 -> 4
      expect(c.calculatedSize).toBe(6);
      const bad = mk<string>({ maxSize: 100, maxBytes: 10, sizeCalculation: () => 0 });
      expectError(() => bad.set('a', 'x'), BAD, /size/);
      expect(bad.size).toBe(0);
    });
  });

  describe('onEvict reasons', () => {
    it("'set' when set() replaces a value with a different one, nothing for the same value; set(k, undefined) deletes", () => {
      const ev: Event<unknown>[] = [];
      const c = mk<unknown>({ maxSize: 10, onEvict: (k: K, v: unknown, r: Reason) => { ev.push([k, v, r]); } });
      c.set('a', 1).set('a', 1);
      expect(ev).toEqual([]);
      c.set('a', 2);
      expect(ev).toEqual([['a', 1, 'set']]);
      ev.length = 0;
      const o = { x: 1 };
      c.set('o', o).set('o', o);
      expect(ev).toEqual([]);
      const o2 = { x: 1 };
      c.set('o', o2);
      expect(ev.length).toBe(1);
      expect(ev[0][1]).toBe(o);
      expect(ev[0][2]).toBe('set');
      ev.length = 0;
      c.set('a', undefined);
      expect(ev).toEqual([['a', 2, 'deleted']]);
      expect(c.has('a')).toBe(false);
      expect(c.size).toBe(1);
      ev.length = 0;
      c.clear();
      expect(ev).toEqual([['o', o2, 'deleted']]);
    });

    it("pop() removes and returns the least recently used value (reason 'evicted')", () => {
      const ev: Event<number>[] = [];
      const c = mk<number>({ maxSize: 10, onEvict: (k: K, v: number, r: Reason) => { ev.push([k, v, r]); } });
      c.set('a', 1).set('b', 2).set('c', 3);
      c.get('a');
      expect(c.pop()).toBe(2);
      expect(ev).toEqual([['b', 2, 'evicted']]);
      expect(c.pop()).toBe(3);
      expect(c.pop()).toBe(1);
      expect(c.pop()).toBeUndefined();
      expect(c.size).toBe(0);
    });

    it("expired reports come in deadline order; equal deadlines: numbers (ascending) before strings (ascending)", () => {
      const clk = fakeClock();
      const ev: K[] = [];
      const c = mk<number>({ maxSize: 20, ttlMs: 10, clock: clk.now, onEvict: (k: K, _v: number, r: Reason) => { if (r === 'expired') ev.push(k); } });
      c.set('b', 0).set(10, 0).set('a', 0).set(9, 0).set('10', 0).set('z', 0, { ttlMs: 5 }).set('y', 0, { ttlMs: 5 });
      clk.advance(3);
      c.set('late', 0, { ttlMs: 8 }); // deadline T0 + 11
      clk.advance(20);
      expect(c.size).toBe(0);
      expect(ev).toEqual(['y', 'z', 9, 10, '10', 'a', 'b', 'late']);
    });
  });

  describe('getMany, setMany, getRemainingTTL, stats, keysLru', () => {
    it('getMany counts as gets; setMany sets in order and validates everything first', () => {
      const c = mk<number>({ maxSize: 3 });
      c.setMany(['a', 'b', 'c'], [1, 2, 3]);
      expect([...c.keys()]).toEqual(['c', 'b', 'a']);
      expect(c.getMany(['a', 'x', 'b'])).toEqual([1, undefined, 2]);
      expect([...c.keys()]).toEqual(['b', 'a', 'c']);
      expect(c.stats()).toMatchObject({ hits: 2, misses: 1 });
      expectError(() => c.setMany(['d', 'e'], [4]), BAD, /setMany/);
      expectError(() => c.setMany(['d', {} as unknown as K], [4, 5]), BAD, /setMany/);
      expectError(() => c.setMany(['d', NaN], [4, 5]), BAD, /setMany/);
      expect([...c.keys()]).toEqual(['b', 'a', 'c']);
      c.setMany(['d', 'e'], [4, 5]);
      expect([...c.keys()]).toEqual(['e', 'd', 'b']);
      expect([...c.keysLru()]).toEqual(['b', 'd', 'e']);
      expect([...c.keysLru()]).toEqual([...c.rkeys()]);
    });

    it('getRemainingTTL: ms left, Infinity without TTL, 0 when absent or expired', () => {
      const clk = fakeClock();
      const c = mk<number>({ maxSize: 10, ttlMs: 100, clock: clk.now });
      c.set('a', 1).set('b', 2, { ttlMs: Infinity }).set('c', 3, { ttlMs: 10 });
      clk.advance(2.5);
      expect(c.getRemainingTTL('a')).toBe(97.5);
      expect(c.getRemainingTTL('b')).toBe(Infinity);
      expect(c.getRemainingTTL('c')).toBe(7.5);
      expect(c.getRemainingTTL('x')).toBe(0);
      clk.advance(7.5); // exactly at c's deadline: expired (lru-cache would still call it fresh)
      expect(c.getRemainingTTL('c')).toBe(0);
      expect(c.has('c')).toBe(false);
      expect(c.getRemainingTTL('a')).toBe(90);
    });

    it('stats count hits, misses, evictions and expirations', () => {
      const clk = fakeClock();
      const c = mk<number>({ maxSize: 2, ttlMs: 10, clock: clk.now });
      c.set('a', 1).set('b', 2);
      c.get('a');
      c.get('zz');
      c.set('c', 3); // evicts b
      clk.advance(11);
      c.get('a'); // expired
      expect(c.stats()).toEqual({ hits: 1, misses: 2, evictions: 1, expirations: 2 });
    });
  });

  describe('allowStale', () => {
    it('stale entries stay until read: get returns them once, peek keeps them, has is false, iteration lists them', () => {
      const clk = fakeClock();
      const ev: Event<number>[] = [];
      const c = mk<number>({ maxSize: 10, ttlMs: 10, allowStale: true, clock: clk.now, onEvict: (k: K, v: number, r: Reason) => { ev.push([k, v, r]); } });
      c.set('a', 1).set('b', 2).set('c', 3).set('k', 4, { ttlMs: 1000 });
      clk.advance(11);
      expect(c.size).toBe(4);
      expect(c.has('a')).toBe(false);
      expect(c.peek('a')).toBe(1);
      expect(c.getRemainingTTL('a')).toBe(0);
      expect([...c.keys()]).toEqual(['k', 'c', 'b', 'a']);
      expect(ev).toEqual([]);
      expect(c.get('a')).toBe(1);
      expect(ev).toEqual([['a', 1, 'expired']]);
      expect(c.get('a')).toBeUndefined();
      expect(c.peek('a')).toBeUndefined();
      expect(c.get('b', { noDeleteOnStaleGet: true })).toBe(2);
      expect(c.peek('b')).toBe(2);
      expect(c.get('b', { allowStale: false })).toBeUndefined();
      expect(c.peek('b')).toBeUndefined();
      expect(c.peek('c', { allowStale: false })).toBeUndefined();
      expect(c.peek('c')).toBe(3);
      expect(c.purgeStale()).toBe(true);
      expect(c.purgeStale()).toBe(false);
      expect([...c.keys()]).toEqual(['k']);
      expect(c.get('k')).toBe(4);
    });

    it('noDeleteOnStaleGet at construction: a stale get returns the value and keeps it', () => {
      const clk = fakeClock();
      const c = mk<number>({ maxSize: 10, ttlMs: 10, allowStale: true, noDeleteOnStaleGet: true, clock: clk.now });
      c.set('a', 1);
      clk.advance(20);
      expect(c.get('a')).toBe(1);
      expect(c.get('a')).toBe(1);
      expect(c.size).toBe(1);
    });

    it('without allowStale an entry is gone at its deadline, whatever the per-call options', () => {
      const clk = fakeClock();
      const c = mk<number>({ maxSize: 10, ttlMs: 10, clock: clk.now });
      c.set('a', 1);
      clk.advance(10);
      expect(c.peek('a', { allowStale: true })).toBeUndefined();
      expect(c.get('a', { allowStale: true })).toBeUndefined();
      expect(c.size).toBe(0);
    });
  });

  describe('ttlResolution', () => {
    it('0 (default): every call reads the clock, expiry is exact', () => {
      let t = T0;
      let reads = 0;
      const c = mk<number>({ maxSize: 10, ttlMs: 10, clock: () => { reads++; return t; } });
      c.set('a', 1);
      const before = reads;
      for (let i = 0; i < 10; i++) c.get('a');
      expect(reads - before).toBe(10);
      t += 9.999;
      expect(c.get('a')).toBe(1);
      t += 0.001;
      expect(c.get('a')).toBeUndefined();
    });

    it('> 0: the clock reading is reused for up to that many ms', async () => {
      let t = T0;
      let reads = 0;
      const c = mk<number>({ maxSize: 10, ttlMs: 10, ttlResolution: 25, clock: () => { reads++; return t; } });
      c.set('a', 1);
      const before = reads;
      for (let i = 0; i < 100; i++) c.get('a');
      expect(reads - before).toBeLessThan(10);
      t += 50;
      await new Promise((r) => setTimeout(r, 60));
      expect(c.get('a')).toBeUndefined();
    });
  });

  describe('fetch', () => {
    it('concurrent fetches of a key share one load', async () => {
      const d = deferred<string>();
      let calls = 0;
      const c = mk<string>({ maxSize: 10, ttlMs: 1000, fetchMethod: () => { calls++; return d.promise; } });
      const ps = [c.fetch('k'), c.fetch('k'), c.fetch('k')];
      await flush();
      expect(calls).toBe(1);
      d.resolve('v');
      expect(await Promise.all(ps)).toEqual(['v', 'v', 'v']);
      expect(c.get('k')).toBe('v');
      expect(await c.fetch('k')).toBe('v');
      expect(calls).toBe(1);
      // lru-cache: the same.
      let lruCalls = 0;
      const d2 = deferred<string>();
      const lru = new LRUCache<K, string>({ max: 10, fetchMethod: () => { lruCalls++; return d2.promise; } });
      const lps = [lru.fetch('k'), lru.fetch('k'), lru.fetch('k')];
      d2.resolve('v');
      expect(await Promise.all(lps)).toEqual(['v', 'v', 'v']);
      expect(lruCalls).toBe(1);
    });

    it('a rejected load is not cached: the next fetch calls the loader again', async () => {
      let calls = 0;
      const c = mk<string>({ maxSize: 10, fetchMethod: async () => { calls++; if (calls === 1) throw new Error('boom'); return 'ok'; } });
      await expect(c.fetch('k')).rejects.toThrow('boom');
      expect(c.has('k')).toBe(false);
      expect(c.size).toBe(0);
      expect(await c.fetch('k')).toBe('ok');
      expect(calls).toBe(2);
      expect(c.get('k')).toBe('ok');
    });

    it('stale-while-revalidate: a stale entry resolves at once while the reload runs, then the new value', async () => {
      const clk = fakeClock();
      const d = deferred<string>();
      const stales: unknown[] = [];
      const c = mk<string>({ maxSize: 10, ttlMs: 10, allowStale: true, clock: clk.now, fetchMethod: (_k: K, stale: unknown) => { stales.push(stale); return d.promise; } });
      c.set('k', 'old');
      clk.advance(11);
      const s = await settle(c.fetch('k', { allowStale: true }));
      expect(s).toEqual({ state: 'fulfilled', value: 'old' });
      expect(stales).toEqual(['old']);
      d.resolve('new');
      await flush();
      expect(c.get('k')).toBe('new');
      expect(await c.fetch('k')).toBe('new');
      expect(stales.length).toBe(1);
    });

    it('forceRefresh reloads a fresh entry (the old value still served meanwhile)', async () => {
      const d = deferred<string>();
      const stales: unknown[] = [];
      const c = mk<string>({ maxSize: 10, ttlMs: 1000, fetchMethod: (_k: K, stale: unknown) => { stales.push(stale); return d.promise; } });
      c.set('k', 'a');
      expect(await c.fetch('k')).toBe('a');
      expect(stales).toEqual([]);
      const p = c.fetch('k', { forceRefresh: true });
      await flush();
      expect(stales).toEqual(['a']);
      expect(c.peek('k')).toBe('a');
      d.resolve('b');
      expect(await p).toBe('b');
      expect(c.get('k')).toBe('b');
    });

    it('context, options and signal reach the loader', async () => {
      const seen: { context?: unknown; signal?: unknown; options?: unknown }[] = [];
      const c = mk<string>({ maxSize: 10, fetchMethod: async (_k: K, _s: unknown, o: { context?: unknown; signal: AbortSignal; options: unknown }) => { seen.push(o); return 'v'; } });
      const ctx = { who: 'me' };
      expect(await c.fetch('k', { context: ctx })).toBe('v');
      expect(seen.length).toBe(1);
      expect(seen[0].context).toBe(ctx);
      expect(seen[0].signal).toBeInstanceOf(AbortSignal);
      expect((seen[0].signal as AbortSignal).aborted).toBe(false);
      expect(typeof seen[0].options).toBe('object');
    });

    it("a caller's signal rejects that caller with signal.reason; the load aborts only when every caller has", async () => {
      const d = deferred<string>();
      let loadSignal: AbortSignal | undefined;
      const c = mk<string>({ maxSize: 10, fetchMethod: (_k: K, _s: unknown, o: { signal: AbortSignal }) => { loadSignal = o.signal; return d.promise; } });
      // Two callers, one aborts.
      const a1 = new AbortController();
      const p1 = c.fetch('k', { signal: a1.signal });
      const p2 = c.fetch('k');
      await flush();
      const reason = new Error('caller 1 gave up');
      a1.abort(reason);
      const s1 = await settle(p1);
      expect(s1.state).toBe('rejected');
      expect((s1 as { reason: unknown }).reason).toBe(reason);
      expect(loadSignal!.aborted).toBe(false);
      d.resolve('v');
      expect(await p2).toBe('v');
      expect(c.get('k')).toBe('v');
      // The only caller aborts: its promise rejects at once, the load's signal aborts.
      const d2 = deferred<string>();
      const c2 = mk<string>({ maxSize: 10, fetchMethod: (_k: K, _s: unknown, o: { signal: AbortSignal }) => { loadSignal = o.signal; return d2.promise; } });
      const a2 = new AbortController();
      const q = c2.fetch('k', { signal: a2.signal });
      await flush();
      a2.abort('stop');
      const s2 = await settle(q);
      expect(s2).toEqual({ state: 'rejected', reason: 'stop' });
      expect(loadSignal!.aborted).toBe(true);
      d2.resolve('late');
      await flush();
      // An already aborted signal.
      const a3 = new AbortController();
      a3.abort('before');
      const s3 = await settle(c2.fetch('j', { signal: a3.signal }));
      expect(s3).toEqual({ state: 'rejected', reason: 'before' });
    });

    it('a loader resolving undefined: fetch resolves undefined, nothing is stored, the next fetch loads again', async () => {
      let calls = 0;
      const c = mk<string>({ maxSize: 10, fetchMethod: async () => { calls++; return undefined; } });
      expect(await c.fetch('k')).toBeUndefined();
      expect(c.has('k')).toBe(false);
      expect(c.size).toBe(0);
      expect(await c.fetch('k')).toBeUndefined();
      expect(calls).toBe(2);
      await expect(c.forceFetch('k')).rejects.toThrow();
      expect(calls).toBe(3);
    });

    it('forceFetch resolves a loaded value', async () => {
      const c = mk<string>({ maxSize: 10, fetchMethod: async (k: K) => `v:${String(k)}` });
      expect(await c.forceFetch('k')).toBe('v:k');
      expect(c.get('k')).toBe('v:k');
    });

    it('fetch options ttlMs and size apply to the stored value', async () => {
      const clk = fakeClock();
      const c = mk<string>({ maxSize: 10, ttlMs: 1000, maxBytes: 50, clock: clk.now, fetchMethod: async (k: K) => `v:${String(k)}` });
      expect(await c.fetch('k', { ttlMs: 40, size: 7 })).toBe('v:k');
      expect(c.getRemainingTTL('k')).toBe(40);
      expect(c.calculatedSize).toBe(7);
      clk.advance(40);
      expect(c.get('k')).toBeUndefined();
    });

    it('stale-while-revalidate: concurrent fetches of a stale key share one reload', async () => {
      const clk = fakeClock();
      const d = deferred<string>();
      let calls = 0;
      const c = mk<string>({ maxSize: 10, ttlMs: 10, allowStale: true, clock: clk.now, fetchMethod: () => { calls++; return d.promise; } });
      c.set('k', 'old');
      clk.advance(11);
      expect(await Promise.all([c.fetch('k'), c.fetch('k'), c.fetch('k')])).toEqual(['old', 'old', 'old']);
      expect(calls).toBe(1);
      d.resolve('new');
      await flush();
      expect(c.peek('k')).toBe('new');
    });

    it.each(['set', 'delete', 'clear'] as const)('%s of the key during a load: the load aborts, its value is not stored, waiting callers reject', async (op) => {
      const d = deferred<string>();
      let loadSignal: AbortSignal | undefined;
      const c = mk<string>({ maxSize: 10, fetchMethod: (_k: K, _s: unknown, o: { signal: AbortSignal }) => { loadSignal = o.signal; return d.promise; } });
      const p = c.fetch('k');
      await flush();
      expect(loadSignal).toBeDefined();
      if (op === 'set') c.set('k', 'manual');
      else if (op === 'delete') c.delete('k');
      else c.clear();
      expect(loadSignal!.aborted).toBe(true);
      d.resolve('loaded');
      const s = await settle(p);
      expect(s.state).toBe('rejected');
      expect(c.get('k')).toBe(op === 'set' ? 'manual' : undefined);
      // lru-cache: the same for set and delete.
      if (op !== 'clear') {
        const d2 = deferred<string>();
        const lru = new LRUCache<K, string>({ max: 10, fetchMethod: () => d2.promise });
        const lp = lru.fetch('k');
        if (op === 'set') lru.set('k', 'manual');
        else lru.delete('k');
        d2.resolve('loaded');
        expect((await settle(lp)).state).toBe('rejected');
        expect(lru.get('k')).toBe(op === 'set' ? 'manual' : undefined);
      }
    });

    it('a load in flight is not an entry (a documented difference: lru-cache stores a promise in the entry)', async () => {
      const d = deferred<string>();
      const c = mk<string>({ maxSize: 1, fetchMethod: () => d.promise });
      c.set('x', 'X');
      const p = c.fetch('k');
      await flush();
      expect(c.size).toBe(1);
      expect([...c.keys()]).toEqual(['x']);
      expect(c.has('k')).toBe(false);
      expect(c.peek('k')).toBeUndefined();
      d.resolve('v');
      expect(await p).toBe('v');
      expect([...c.keys()]).toEqual(['k']);
    });

    it('without a fetchMethod fetch is Promise.resolve(get(k))', async () => {
      const c = mk<number>({ maxSize: 10 });
      c.set('a', 1).set('b', 2);
      expect(await c.fetch('a')).toBe(1);
      expect(await c.fetch('x')).toBeUndefined();
      expect([...c.keys()]).toEqual(['a', 'b']);
    });

    it('allowStaleOnFetchRejection / noDeleteOnFetchRejection', async () => {
      const make = (o: Record<string, unknown>) => mk<string>({ maxSize: 10, ttlMs: 1000, fetchMethod: async () => { throw new Error('down'); }, ...o });
      const a = make({ allowStaleOnFetchRejection: true });
      a.set('k', 'old');
      expect(await a.fetch('k', { forceRefresh: true })).toBe('old');
      expect(a.get('k')).toBe('old');
      const b = make({ noDeleteOnFetchRejection: true });
      b.set('k', 'old');
      await expect(b.fetch('k', { forceRefresh: true })).rejects.toThrow('down');
      expect(b.get('k')).toBe('old');
      const c = make({});
      c.set('k', 'old');
      await expect(c.fetch('k', { forceRefresh: true })).rejects.toThrow('down');
    });

    it('cacheMissesMs: a miss is remembered for that long; a set or delete of the key forgets it', async () => {
      const clk = fakeClock();
      let calls = 0;
      let answer: string | undefined;
      const c = mk<string>({ maxSize: 10, clock: clk.now, cacheMissesMs: 100, fetchMethod: async () => { calls++; return answer; } });
      expect(await c.fetch('k')).toBeUndefined();
      expect(calls).toBe(1);
      expect(await c.fetch('k')).toBeUndefined();
      clk.advance(50);
      expect(await c.fetch('k')).toBeUndefined();
      expect(calls).toBe(1);
      expect(c.has('k')).toBe(false);
      clk.advance(60);
      expect(await c.fetch('k')).toBeUndefined();
      expect(calls).toBe(2);
      // set clears the remembered miss: after a delete the loader runs again.
      c.set('k', 'manual');
      expect(await c.fetch('k')).toBe('manual');
      c.delete('k');
      answer = 'loaded';
      expect(await c.fetch('k')).toBe('loaded');
      expect(calls).toBe(3);
      // delete alone clears it too.
      answer = undefined;
      expect(await c.fetch('m')).toBeUndefined();
      expect(calls).toBe(4);
      c.delete('m');
      answer = 'm!';
      expect(await c.fetch('m')).toBe('m!');
      expect(calls).toBe(5);
      // Without cacheMissesMs misses are not remembered.
      let calls2 = 0;
      const d = mk<string>({ maxSize: 10, clock: clk.now, fetchMethod: async () => { calls2++; return undefined; } });
      await d.fetch('k');
      await d.fetch('k');
      expect(calls2).toBe(2);
    });
  });

  describe('memo', () => {
    it('memoMethod runs on a miss or forceRefresh, with the stale value and the context; like lru-cache', () => {
      const clk = fakeClock();
      const run = <C extends { memo: (k: K, o?: { context?: unknown; forceRefresh?: boolean }) => unknown; get: (k: K) => unknown }>(c: C, calls: unknown[][]) => {
        const out: unknown[] = [];
        out.push(c.memo('a', { context: 7 }));
        out.push(c.memo('a'));
        out.push(c.get('a'));
        out.push(c.memo('a', { forceRefresh: true, context: 8 }));
        clk.advance(150 + EPS);
        out.push(c.memo('a'));
        out.push(c.memo('b'));
        return { out, calls };
      };
      let n = 0;
      const tc: unknown[][] = [];
      const c = mk<string>({ maxSize: 10, ttlMs: 100, clock: clk.now, memoMethod: (k: K, stale: unknown, o: { context?: unknown; options?: unknown }) => { tc.push([k, stale, o.context]); return `${String(k)}:${n++}`; } });
      const mine = run(c, tc);
      expect(mine.out).toEqual(['a:0', 'a:0', 'a:0', 'a:1', 'a:2', 'b:3']);
      expect(mine.calls).toEqual([['a', undefined, 7], ['a', 'a:0', 8], ['a', undefined, undefined], ['b', undefined, undefined]]);
      n = 0;
      const lc: unknown[][] = [];
      const lru = new LRUCache<K, string, unknown>({ max: 10, ttl: 100, ttlResolution: 0, perf: { now: clk.now }, memoMethod: (k, stale, o) => { lc.push([k, stale, o.context]); return `${String(k)}:${n++}`; } });
      const theirs = run(lru, lc);
      expect(mine).toEqual(theirs);
    });
  });

  describe('iteration', () => {
    it('orders match lru-cache after a mixed sequence (entries, keys, values, r*, forEach, rforEach, the iterator)', () => {
      const clk = fakeClock();
      const c = mk<string>({ maxSize: 5, ttlMs: 100, clock: clk.now });
      const lru = new LRUCache<K, string>({ max: 5, ttl: 100, ttlResolution: 0, perf: { now: clk.now } });
      const both = (f: (x: TtlCache<K, string> | LRUCache<K, string>) => unknown): void => {
        expect(f(c)).toEqual(f(lru));
      };
      for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 1, 2]) both((x) => x.set(k, `v${String(k)}`) && undefined);
      both((x) => x.get('d'));
      both((x) => x.set('e', 'E2') && undefined);
      both((x) => x.peek('f'));
      both((x) => x.has(1));
      both((x) => x.get('a'));
      clk.advance(50 + EPS);
      c.set('h', 'H', { ttlMs: 20 });
      lru.set('h', 'H', { ttl: 20 });
      both((x) => x.delete(2));
      both((x) => x.set('i', 'I') && undefined);
      clk.advance(30 + EPS); // h expired
      lru.purgeStale();
      const forEach = (x: TtlCache<K, string> | LRUCache<K, string>, r: boolean): unknown[] => {
        const out: unknown[] = [];
        (r ? x.rforEach : x.forEach).call(x, (v: string, k: K) => { out.push([k, v]); });
        return out;
      };
      both((x) => [...x]);
      both((x) => [...x.entries()]);
      both((x) => [...x.keys()]);
      both((x) => [...x.values()]);
      both((x) => [...x.rentries()]);
      both((x) => [...x.rkeys()]);
      both((x) => [...x.rvalues()]);
      both((x) => forEach(x, false));
      both((x) => forEach(x, true));
      expect([...c.keys()]).toEqual(['i', 'e', 'd', 1]);
    });

    it('forEach and rforEach call fn(value, key, cache) with thisArg', () => {
      const c = mk<number>({ maxSize: 5 });
      c.set('a', 1).set('b', 2);
      const self = { me: true };
      const seen: unknown[][] = [];
      c.forEach(function (this: unknown, v: number, k: K, cache: unknown) { seen.push([this, v, k, cache]); }, self);
      expect(seen).toEqual([[self, 2, 'b', c], [self, 1, 'a', c]]);
      expect(seen[0][3]).toBe(c);
      seen.length = 0;
      c.rforEach(function (this: unknown, v: number, k: K, cache: unknown) { seen.push([this, v, k, cache]); }, self);
      expect(seen).toEqual([[self, 1, 'a', c], [self, 2, 'b', c]]);
    });

    it('iteration does not change recency', () => {
      const c = mk<number>({ maxSize: 3 });
      c.set('a', 1).set('b', 2).set('c', 3);
      void [...c.keys(), ...c.values(), ...c.entries(), ...c.rkeys(), ...c];
      c.forEach(() => {});
      c.set('d', 4);
      expect(c.has('a')).toBe(false);
    });

    it('ends, over a snapshot of the keys, whatever the loop body does', () => {
      const c = mk<number>({ maxSize: 100 });
      const fill = (): void => {
        c.clear();
        for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) c.set(k, i);
      };
      // get / set / set new keys on every key reached.
      fill();
      const seen: K[] = [];
      let n = 0;
      for (const k of c.keys()) {
        seen.push(k);
        c.get(k);
        c.set(k, 100 + n);
        c.set(`new${n++}`, 0);
        if (seen.length > 50) break;
      }
      expect(seen).toEqual(['e', 'd', 'c', 'b', 'a']);
      // Entries deleted before they are reached are skipped.
      fill();
      seen.length = 0;
      const snap = [...c.keys()];
      for (const k of c.keys()) {
        seen.push(k);
        c.delete(snap[snap.indexOf(k as string) + 1] ?? 'none');
        if (seen.length > 50) break;
      }
      expect(seen).toEqual(['e', 'c', 'a']);
      // entries(): the value when the entry is reached.
      fill();
      const got: [K, number][] = [];
      for (const [k, v] of c.entries()) {
        got.push([k, v]);
        if (k === 'e') c.set('c', 77);
        if (got.length > 50) break;
      }
      expect(got).toEqual([['e', 4], ['d', 3], ['c', 77], ['b', 1], ['a', 0]]);
      // rkeys() with get() moving each key to the front.
      fill();
      seen.length = 0;
      for (const k of c.rkeys()) {
        seen.push(k);
        c.get(k);
        if (seen.length > 50) break;
      }
      expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
      // forEach whose body clears the cache.
      fill();
      let calls = 0;
      c.forEach(() => {
        calls++;
        c.clear();
        c.set('x', 1);
      });
      expect(calls).toBe(1);
    });
  });

  describe('dump and load', () => {
    const close = (a: number, b: number, tol = 50): void => {
      if (a === Infinity || b === Infinity) expect(a).toBe(b);
      else expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(tol);
    };

    it("dump() has lru-cache's shape, least recently used first, start Date.now()-based", () => {
      const clk = fakeClock();
      const c = mk<string>({ maxSize: 10, ttlMs: 10_000, clock: clk.now });
      c.set('a', 'A').set('b', 'B', { ttlMs: 5000 }).set('c', 'C', { ttlMs: Infinity });
      clk.advance(1000);
      c.set('d', 'D');
      c.get('a');
      const dump = c.dump();
      expect(dump.map((e) => e[0])).toEqual(['b', 'c', 'd', 'a']);
      expect(dump.map((e) => e[1].value)).toEqual(['B', 'C', 'D', 'A']);
      const a = dump[3][1];
      expect(a.ttl).toBe(10_000);
      close(a.start!, Date.now() - 1000);
      expect(dump[0][1].ttl).toBe(5000);
      const cEntry = dump[1][1];
      expect(cEntry.ttl === undefined || cEntry.ttl === 0 || cEntry.ttl === Infinity, `no-TTL entry's ttl ${cEntry.ttl}`).toBe(true);
    });

    it('TtlCache -> lru-cache -> TtlCache keeps values, remaining TTLs and LRU order', () => {
      const clk = fakeClock();
      const c = mk<string>({ maxSize: 10, ttlMs: 10_000, clock: clk.now });
      c.set('a', 'A').set('b', 'B', { ttlMs: 5000 }).set('c', 'C', { ttlMs: Infinity }).set(1, 'one', { ttlMs: 20_000 });
      clk.advance(1234);
      c.set('d', 'D');
      c.get('a');
      let lt = 987_654;
      const lru = new LRUCache<K, string>({ max: 10, ttlResolution: 0, perf: { now: () => lt } });
      lru.load(c.dump());
      expect([...lru.keys()]).toEqual([...c.keys()]);
      expect([...lru.values()]).toEqual([...c.values()]);
      for (const k of c.keys()) close(lru.getRemainingTTL(k), c.getRemainingTTL(k));
      lt += 100;
      const back = mk<string>({ maxSize: 10, ttlMs: 10_000, clock: () => 5_000_000 });
      back.load(lru.dump());
      expect([...back.keys()]).toEqual([...c.keys()]);
      expect([...back.values()]).toEqual([...c.values()]);
      for (const k of c.keys()) close(back.getRemainingTTL(k), c.getRemainingTTL(k) - 100);
      expect(back.getRemainingTTL('c')).toBe(Infinity);
      // TtlCache -> TtlCache, through JSON for the finite TTLs.
      const finite = mk<string>({ maxSize: 10, ttlMs: 10_000, clock: clk.now });
      finite.set('x', 'X', { ttlMs: 3000 }).set('y', 'Y');
      const again = mk<string>({ maxSize: 10, ttlMs: 10_000, clock: () => 42_000 });
      again.load(JSON.parse(JSON.stringify(finite.dump())));
      expect([...again.entries()]).toEqual([...finite.entries()]);
      close(again.getRemainingTTL('x'), 3000);
      close(again.getRemainingTTL('y'), 10_000);
    });

    it('an entry without a TTL stays without one through lru.load into a cache with a default ttl, and through load() into a TtlCache with a finite ttlMs', () => {
      const clk = fakeClock();
      const c = mk<string>({ maxSize: 10, ttlMs: 10_000, clock: clk.now });
      c.set('forever', 'F', { ttlMs: Infinity }).set('soon', 'S', { ttlMs: 3000 });
      const lru = new LRUCache<K, string>({ max: 10, ttl: 1000, ttlResolution: 0, perf: { now: () => 5000 } });
      lru.load(c.dump());
      expect(lru.getRemainingTTL('forever'), "lru-cache gives an entry without a ttl field its default ttl: dump() must say ttl: 0 as lru-cache's own dump does").toBe(Infinity);
      close(lru.getRemainingTTL('soon'), 3000);
      const back = mk<string>({ maxSize: 10, ttlMs: 700, clock: () => 77_000 });
      back.load(c.dump());
      expect(back.getRemainingTTL('forever')).toBe(Infinity);
      close(back.getRemainingTTL('soon'), 3000);
    });

    it('load(): an entry without ttl takes the cache default ttlMs (as set() and lru-cache do); ttl 0 means none', () => {
      const mine = mk<string>({ maxSize: 10, ttlMs: 700 });
      const lru = new LRUCache<K, string>({ max: 10, ttl: 700, ttlResolution: 0, perf: { now: () => T0 } });
      const entries = (): [K, { value: string; ttl?: number; start?: number }][] => [['a', { value: 'A' }], ['z', { value: 'Z', ttl: 0, start: Date.now() }]];
      lru.load(entries());
      expect(['a', 'z'].map((k) => lru.getRemainingTTL(k))).toEqual([700, Infinity]);
      mine.load(entries());
      expect(['a', 'z'].map((k) => mine.getRemainingTTL(k))).toEqual([700, Infinity]);
    });

    it('load(): ttl null (what JSON makes of a dumped ttl: Infinity) means no TTL, as in lru-cache', () => {
      const lru = new LRUCache<K, string>({ max: 10, ttlResolution: 0, perf: { now: () => T0 } });
      lru.set('n', 'N', { ttl: Infinity });
      const json = JSON.parse(JSON.stringify(lru.dump())) as [K, { value: string; ttl?: number | null; start?: number }][];
      expect(json[0][1].ttl).toBeNull();
      const again = new LRUCache<K, string>({ max: 10, ttlResolution: 0, perf: { now: () => T0 } });
      again.load(structuredClone(json) as never);
      expect(again.getRemainingTTL('n')).toBe(Infinity);
      const mine = mk<string>({ maxSize: 10, ttlMs: 700 });
      mine.load(json as never);
      expect(mine.getRemainingTTL('n')).toBe(Infinity);
    });

    it('lru-cache -> TtlCache: mixed TTLs (ttl 0 = none), sizes, order', () => {
      let lt = 5000;
      const lru = new LRUCache<K, string>({ max: 10, ttl: 8000, maxSize: 100, sizeCalculation: (v) => v.length, ttlResolution: 0, perf: { now: () => lt } });
      lru.set('p', 'pp').set('q', 'qqq', { ttl: 0 }).set('r', 'r', { ttl: 2000 });
      lt += 700;
      lru.set('s', 'ssss');
      lru.get('p');
      const c = mk<string>({ maxSize: 10, ttlMs: 60_000, maxBytes: 100, sizeCalculation: (v: string) => v.length, clock: () => 31_337 });
      c.load(lru.dump());
      expect([...c.keys()]).toEqual([...lru.keys()]);
      expect([...c.rvalues()]).toEqual([...lru.rvalues()]);
      expect(c.calculatedSize).toBe(lru.calculatedSize);
      for (const k of lru.keys()) close(c.getRemainingTTL(k), lru.getRemainingTTL(k));
      expect(c.getRemainingTTL('q')).toBe(Infinity);
      // load() clears first.
      c.load([['only', { value: 'o', size: 1 }]]);
      expect([...c.keys()]).toEqual(['only']);
    });
  });

  describe('re-entrant onEvict', () => {
    type Act = { op: 'set'; k: K; v: number } | { op: 'delete' | 'get'; k: K } | { op: 'clear' };
    const ACT: fc.Arbitrary<Act> = fc.oneof(
      fc.record({ op: fc.constant('set' as const), k: KEY, v: VALUE }),
      fc.record({ op: fc.constantFrom('delete' as const, 'get' as const), k: KEY }),
      fc.constant({ op: 'clear' as const }),
    );

    it('reports are made after the operation completed', () => {
      const seen: unknown[] = [];
      const c: TtlCache<K, number> = mk<number>({ maxSize: 2, onEvict: (k: K, v: number, r: Reason) => { seen.push([k, v, r, c.size, c.peek('c'), c.has(k)]); } });
      c.set('a', 1).set('b', 2).set('c', 3);
      expect(seen).toEqual([['a', 1, 'evicted', 2, 3, false]]);
      seen.length = 0;
      c.set('c', 4);
      expect(seen).toEqual([['c', 3, 'set', 2, 4, true]]);
    });

    it.each([false, true])('callbacks that set / delete other keys keep the invariants (bytes %s)', (bytes) => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5 }), commands({ name: 'reentrant', ttlMs: 20, bytes }), fc.array(fc.array(ACT, { maxLength: 3 }), { minLength: 1, maxLength: 6 }), (maxSize, cmds, plan) => {
          let t = T0;
          let budget = 200;
          let calls = 0;
          const maxBytes = 8;
          const c: TtlCache<K, number> = new TtlCache<K, number>({
            maxSize, ttlMs: 20, clock: () => t, autoPurge: false, backend: tier,
            ...(bytes ? { maxBytes, sizeCalculation: sizeOf } : {}),
            onEvict: (_k: K, _v: number, r: Reason) => {
              expect(['expired', 'evicted', 'deleted', 'set']).toContain(r);
              for (const a of plan[calls++ % plan.length]) {
                if (budget-- <= 0) return;
                if (a.op === 'set') c.set(a.k, 100 + a.v);
                else if (a.op === 'clear') c.clear();
                else c[a.op](a.k);
              }
            },
          } as TtlCacheOptions<K, number>);
          const invariants = (): void => {
            const keys = [...c.keys()];
            expect(new Set(keys).size).toBe(keys.length);
            expect(keys.length).toBeLessThanOrEqual(maxSize);
            expect(c.size).toBe(keys.length);
            let bytesSum = 0;
            for (const k of keys) {
              const v = c.peek(k);
              expect(v, `live key ${String(k)}`).toBeDefined();
              bytesSum += sizeOf(v!);
              expect(c.getRemainingTTL(k)).toBeGreaterThan(0);
            }
            if (bytes) {
              expect(c.calculatedSize).toBe(bytesSum);
              expect(c.calculatedSize).toBeLessThanOrEqual(maxBytes);
            }
          };
          try {
            for (const cmd of cmds) {
              switch (cmd.op) {
                case 'set': c.set(cmd.k, cmd.v, cmd.o?.ttlMs !== undefined ? { ttlMs: cmd.o.ttlMs } : undefined); break;
                case 'get': case 'peek': case 'has': case 'delete': c[cmd.op](cmd.k); break;
                case 'pop': c.pop(); break;
                case 'clear': c.clear(); break;
                case 'advance': t += cmd.ms; break;
                default: break;
              }
              invariants();
            }
          } finally {
            c.dispose();
          }
        }),
        { numRuns: 100, seed: 0x5e7 + (bytes ? 1 : 0) },
      );
    });
  });
});

