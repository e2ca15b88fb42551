import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPlusTree, setBackend } from '../ts/index.js';
import type { TierName } from '../ts/index.js';
import { wasmMemoryBytes } from '../ts/tiers/wasm/index.js';
import { TIERS } from './support/tiers.js';

type K = number | string;

/** The model: a sorted array of keys and a Map of values. UTF-8 byte order via Buffer.compare, independent of the trees' comparators. */
class Model {
  keys: K[] = [];
  vals = new Map<K, number>();
  constructor(private readonly num: boolean) {}
  cmp = (a: K, b: K): number => (this.num ? (a as number) - (b as number) : Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)));
  private find(k: K): number {
    let lo = 0, hi = this.keys.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (this.cmp(this.keys[m], k) < 0) lo = m + 1;
      else hi = m;
    }
    return lo;
  }
  set(k: K, v: number): void {
    const i = this.find(k);
    if (i === this.keys.length || this.cmp(this.keys[i], k) !== 0) this.keys.splice(i, 0, k);
    this.vals.set(k, v);
  }
  delete(k: K): boolean {
    const i = this.find(k);
    if (i === this.keys.length || this.cmp(this.keys[i], k) !== 0) return false;
    this.keys.splice(i, 1);
    this.vals.delete(k);
    return true;
  }
  range(lo: K | null, hi: K | null, loIncl: boolean, hiIncl: boolean, limit: number, reverse: boolean): [K, number][] {
    let ks = this.keys.filter((k) => (lo === null || (loIncl ? this.cmp(k, lo) >= 0 : this.cmp(k, lo) > 0)) && (hi === null || (hiIncl ? this.cmp(k, hi) <= 0 : this.cmp(k, hi) < 0)));
    if (reverse) ks = ks.reverse();
    return ks.slice(0, limit).map((k) => [k, this.vals.get(k)!]);
  }
}

const NUM_KEY = fc.oneof(fc.integer({ min: -60, max: 60 }), fc.constantFrom(-0, 0.5, -1e300, 1e300, 2 ** 53, Number.MIN_VALUE, -Number.MAX_VALUE));
// Few distinct units so keys collide, share prefixes, and cross the astral / U+E000–U+FFFF ordering trap.
const STR_KEY = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '/', ':', 'é', '\uE000', '\uFFFD', '\u{1F600}', '\u{10000}'), maxLength: 5 });

type Op =
  | { op: 'set'; k: K; v: number } | { op: 'get'; k: K } | { op: 'delete'; k: K }
  | { op: 'range'; lo: K | null; hi: K | null; li: boolean; hi2: boolean; limit: number; rev: boolean }
  | { op: 'prefix'; p: string; limit: number } | { op: 'setMany'; ks: K[]; v: number } | { op: 'getMany'; ks: K[] }
  | { op: 'deleteMany'; ks: K[] } | { op: 'clear' } | { op: 'minmax' } | { op: 'iterate' };

function ops(key: fc.Arbitrary<K>, str: boolean): fc.Arbitrary<Op[]> {
  const opt = fc.option(key, { nil: null });
  const one: fc.Arbitrary<Op>[] = [
    fc.record({ op: fc.constant('set' as const), k: key, v: fc.nat() }),
    fc.record({ op: fc.constant('set' as const), k: key, v: fc.nat() }),
    fc.record({ op: fc.constant('get' as const), k: key }),
    fc.record({ op: fc.constant('delete' as const), k: key }),
    fc.record({ op: fc.constant('range' as const), lo: opt, hi: opt, li: fc.boolean(), hi2: fc.boolean(), limit: fc.oneof(fc.constant(Infinity), fc.nat(20)), rev: fc.boolean() }),
    fc.record({ op: fc.constant('setMany' as const), ks: fc.array(key, { maxLength: 40 }), v: fc.nat() }),
    fc.record({ op: fc.constant('getMany' as const), ks: fc.array(key, { maxLength: 20 }) }),
    fc.record({ op: fc.constant('deleteMany' as const), ks: fc.array(key, { maxLength: 30 }) }),
    fc.constant({ op: 'minmax' as const }),
    fc.constant({ op: 'iterate' as const }),
  ];
  if (str) one.push(fc.record({ op: fc.constant('prefix' as const), p: STR_KEY, limit: fc.oneof(fc.constant(Infinity), fc.nat(10)) }));
  return fc.array(fc.oneof({ weight: 60, arbitrary: fc.oneof(...one) }, { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) }), { maxLength: 500, size: 'max' });
}

function run(tier: TierName, str: boolean, order: number, seq: Op[]): void {
  const num = !str;
  const t = new BPlusTree<K, number>({ keyType: str ? 'string' : 'number', order, backend: tier });
  const m = new Model(num);
  const norm = (k: K) => (typeof k === 'number' ? k + 0 : k);
  try {
    for (const o of seq) {
      switch (o.op) {
        case 'set': t.set(o.k, o.v); m.set(norm(o.k), o.v); break;
        case 'get': expect(t.get(o.k)).toBe(m.vals.get(norm(o.k))); expect(t.has(o.k)).toBe(m.vals.has(norm(o.k))); break;
        case 'delete': expect(t.delete(o.k)).toBe(m.delete(norm(o.k))); break;
        case 'range': expect(t.range(o.lo, o.hi, { loInclusive: o.li, hiInclusive: o.hi2, limit: o.limit, reverse: o.rev })).toEqual(m.range(o.lo === null ? null : norm(o.lo), o.hi === null ? null : norm(o.hi), o.li, o.hi2, o.limit, o.rev)); break;
        case 'prefix': expect((t as BPlusTree<string, number>).prefix(o.p, { limit: o.limit })).toEqual(m.range(null, null, true, true, Infinity, false).filter(([k]) => (k as string).startsWith(o.p)).slice(0, o.limit)); break;
        case 'setMany': {
          const vs = o.ks.map((_, i) => o.v + i);
          t.setMany(num ? Float64Array.from(o.ks as number[]) : o.ks, vs);
          o.ks.forEach((k, i) => m.set(norm(k), vs[i]));
          break;
        }
        case 'getMany': expect(t.getMany(o.ks)).toEqual(o.ks.map((k) => m.vals.get(norm(k)))); break;
        case 'deleteMany': {
          const removed = o.ks.filter((k) => m.delete(norm(k))).length;
          expect(t.deleteMany(num ? Float64Array.from(o.ks as number[]) : o.ks)).toBe(removed);
          break;
        }
        case 'clear': t.clear(); m.keys = []; m.vals.clear(); break;
        case 'minmax': {
          const all = m.range(null, null, true, true, Infinity, false);
          expect(t.min()).toEqual(all[0]);
          expect(t.max()).toEqual(all[all.length - 1]);
          break;
        }
        case 'iterate': expect([...t]).toEqual(m.range(null, null, true, true, Infinity, false)); break;
      }
      expect(t.size).toBe(m.keys.length);
    }
    expect(t.checkInvariants()).toBeNull();
    expect([...t.keys()]).toEqual(m.keys);
  } finally {
    t.dispose();
  }
}

describe.each(TIERS)('BPlusTree on %s tier', (tier) => {
  it.each([4, 5, 16, 64])('model-based: number keys, order %i', (order) => {
    fc.assert(fc.property(ops(NUM_KEY, false), (seq) => run(tier, false, order, seq)), { numRuns: 25 });
  });

  it.each([4, 7, 64])('model-based: string keys, order %i', (order) => {
    fc.assert(fc.property(ops(STR_KEY, true), (seq) => run(tier, true, order, seq)), { numRuns: 25 });
  });

  it('edge cases', () => {
    const t = new BPlusTree<string, string>({ keyType: 'string', backend: tier });
    expect(t.size).toBe(0);
    expect(t.min()).toBeUndefined();
    expect(t.max()).toBeUndefined();
    expect(t.range('a', 'z')).toEqual([]);
    expect(t.prefix('')).toEqual([]);
    expect(t.delete('missing')).toBe(false);
    t.set('user:42/doc:7/read', 'r').set('user:42/doc:7/read', 'R');
    expect(t.size).toBe(1);
    expect(t.get('user:42/doc:7/read')).toBe('R');
    t.setMany(['user:4', 'user:42', 'user:420', 'user:42/', 'user:43', ''], [1, 2, 3, 4, 5, 6].map(String));
    expect(t.prefix('user:42').map(([k]) => k)).toEqual(['user:42', 'user:42/', 'user:42/doc:7/read', 'user:420']);
    expect(t.prefix('user:42/', { limit: 1 })).toEqual([['user:42/', '4']]);
    expect(t.prefix('').length).toBe(7);
    expect(t.range('user:43', 'user:4')).toEqual([]);
    expect(t.range('user:42', 'user:42')).toEqual([]);
    expect(t.range('user:42', 'user:42', { hiInclusive: true })).toEqual([['user:42', '2']]);
    expect(t.min()).toEqual(['', '6']);
    // Code point order, not UTF-16 order: U+1F600 sorts after U+FFFD.
    t.setMany(['\uFFFD', '\u{1F600}', '\uE000'], ['a', 'b', 'c']);
    expect(t.range('\uE000', null).map(([k]) => k)).toEqual(['\uE000', '\uFFFD', '\u{1F600}']);
    const long = 'k'.repeat(10_240);
    t.set(long, 'long').set(`${long}x`, 'longer');
    expect(t.get(long)).toBe('long');
    expect(t.prefix(long).length).toBe(2);
    expect(t.checkInvariants()).toBeNull();
    t[Symbol.dispose]();
    expect(() => t.get('a')).toThrow(/BPlusTree\.get: tree is disposed/);
    t.dispose(); // idempotent
  });

  it('number keys: -0 equals 0, ranges with bounds, fromSorted', () => {
    const t = BPlusTree.fromSorted([-5, -0.5, 0, 2, 3.25, 1e9], ['a', 'b', 'c', 'd', 'e', 'f'], { keyType: 'number', order: 4, backend: tier });
    expect(t.get(-0)).toBe('c');
    t.set(-0, 'zero');
    expect(t.get(0)).toBe('zero');
    expect(t.size).toBe(6);
    expect(t.range(0, 3.25, { hiInclusive: true }).map(([k]) => k)).toEqual([0, 2, 3.25]);
    expect(t.range(null, 0, { reverse: true }).map(([k]) => k)).toEqual([-0.5, -5]);
    expect(t.range(-Infinity, Infinity, { limit: 2 }).map(([k]) => k)).toEqual([-5, -0.5]);
    expect(Object.is(t.min()![0], -5) && Object.is(t.range(0, 0, { hiInclusive: true })[0][0], 0)).toBe(true);
    expect(t.checkInvariants()).toBeNull();
    expect(() => BPlusTree.fromSorted([1, 1], ['a', 'b'], { keyType: 'number', backend: tier })).toThrow(/keys\[1\] must be greater than keys\[0\]/);
    t.dispose();
  });

  it('iterators stay correct while the tree changes', () => {
    const t = new BPlusTree<number, number>({ keyType: 'number', order: 4, backend: tier });
    t.setMany(Float64Array.from({ length: 1000 }, (_, i) => i * 2), Array.from({ length: 1000 }, (_, i) => i));
    const seen: number[] = [];
    for (const [k] of t) {
      seen.push(k);
      if (k === 10) t.set(11, -1); // ahead of the cursor: visited
      if (k === 20) t.delete(22); // not yet reached: skipped
      if (k === 30) t.delete(0); // behind the cursor: no effect
      if (k % 600 === 0) t.set(1999 - k, 0);
    }
    expect(seen.includes(11)).toBe(true);
    expect(seen.includes(22)).toBe(false);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    t.dispose();
  });

  it('holds 10^6 keys', () => {
    const n = 1_000_000;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = ((i * 2654435761) % 4294967296) / 7; // distinct, scrambled
    const t = new BPlusTree<number, number>({ keyType: 'number', backend: tier });
    t.setMany(keys, new Uint32Array(n).map((_, i) => i) as unknown as number[]);
    expect(t.size).toBe(n);
    expect(t.get(keys[123_456])).toBe(123_456);
    expect(t.range(null, null, { limit: 3 }).map(([k]) => k)).toEqual(Array.from(keys).sort((a, b) => a - b).slice(0, 3));
    expect(t.deleteMany(keys.filter((_, i) => i % 2 === 0))).toBe(n / 2);
    expect(t.size).toBe(n / 2);
    expect(t.checkInvariants()).toBeNull();
    t.dispose();
  });

  it('rejects bad input with the problem named', () => {
    const t = new BPlusTree<number, number>({ keyType: 'number', backend: tier });
    expect(() => t.set(NaN, 1)).toThrow(/BPlusTree\.set: key must be finite; got NaN/);
    expect(() => t.set('1' as never, 1)).toThrow(/key must be a number in a number tree/);
    expect(() => t.getMany(Float64Array.of(1, NaN))).toThrow(/keys\[1\] must be finite/);
    expect(() => t.setMany([1, 2], [1])).toThrow(/values length 1 does not match keys length 2/);
    expect(() => t.range(0, NaN)).toThrow(/hi must be finite/);
    expect(() => t.range(0, 1, { limit: -1 })).toThrow(/options\.limit must be >= 0/);
    // @ts-expect-error prefix is typed for string trees; JavaScript callers get this TypeError
    expect(() => t.prefix('a')).toThrow(/number tree/);
    const s = new BPlusTree<string, number>({ keyType: 'string', backend: tier });
    expect(() => s.set(1 as never, 1)).toThrow(/must be a string in a string tree/);
    expect(() => s.set('\uD800', 1)).toThrow(/lone surrogate/);
    expect(() => new BPlusTree({ keyType: 'date' as never })).toThrow(/options\.keyType/);
    expect(() => new BPlusTree({ keyType: 'number', order: 3 })).toThrow(/options\.order must be >= 4/);
    expect(() => new BPlusTree({ keyType: 'number', backend: 'gpu' as never })).toThrow(/options\.backend/);
    t.dispose();
    s.dispose();
  });
});

describe('BPlusTree memory', () => {
  it.runIf(TIERS.includes('wasm'))('wasm: 10^5 trees created and disposed, and ten fill/clear cycles to 10^6 keys, leave linear memory flat', () => {
    const cycle = () => {
      for (let i = 0; i < 100_000; i++) {
        const t = new BPlusTree<number, number>({ keyType: 'number', backend: 'wasm' });
        t.set(i, i);
        t.dispose();
      }
    };
    cycle();
    const afterTrees = wasmMemoryBytes();
    cycle();
    expect(wasmMemoryBytes()).toBe(afterTrees);
    const keys = Float64Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    const vals = new Array(keys.length).fill(0);
    const t = new BPlusTree<number, number>({ keyType: 'number', backend: 'wasm' });
    let peak = 0;
    for (let round = 0; round < 10; round++) {
      t.setMany(keys, vals);
      expect(t.size).toBe(1_000_000);
      t.clear();
      if (round === 0) peak = wasmMemoryBytes();
    }
    expect(wasmMemoryBytes()).toBe(peak);
    t.dispose();
  });

  it.runIf(TIERS.includes('native'))('native: fill/clear cycles and 10^5 create/dispose keep the index memory and RSS bounded', () => {
    const keys = Float64Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    const vals = new Array(keys.length).fill(0);
    const t = new BPlusTree<number, number>({ keyType: 'number', backend: 'native' });
    let bytes = 0;
    for (let round = 0; round < 10; round++) {
      t.setMany(keys, vals);
      if (round === 0) bytes = t.memoryBytes();
      expect(t.memoryBytes()).toBeLessThanOrEqual(bytes);
      t.clear();
    }
    t.dispose();
    const rss0 = process.memoryUsage().rss;
    for (let i = 0; i < 100_000; i++) {
      const u = new BPlusTree<number, number>({ keyType: 'number', backend: 'native' });
      u.set(i, i);
      u.dispose();
    }
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 2 ** 20);
  });

  it('auto picks a tier and follows setBackend', () => {
    const t = new BPlusTree({ keyType: 'number' });
    expect(TIERS).toContain(t.backend);
    t.dispose();
    setBackend('js');
    try {
      const j = new BPlusTree({ keyType: 'number' });
      expect(j.backend).toBe('js');
      j.dispose();
    } finally {
      setBackend('auto');
    }
  });
});
