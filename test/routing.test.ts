// Consistent hashing: fixed vectors (XXH64, jump hash), xxhash-wasm as the
// XXH64 oracle, every tier equal to js on generated inputs, the movement and
// balance properties over 10^5 keys, the same answers in another process, and
// bad input for every argument.
import fc from 'fast-check';
import xxhash from 'xxhash-wasm';
import { describe, expect, it } from 'vitest';
import { HashRing, hashKeys, jumpHash, xxh64 } from '../ts/index.js';
import { runChild } from './support/child.js';
import { TIERS, onTier } from './support/tiers.js';

const { h64 } = await xxhash();

const KEYS = 100_000;
const keys = (n: number, prefix = 'user:'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}:session`);
const ALL = [...TIERS, 'auto'] as const;
const on = <T>(t: (typeof ALL)[number], f: () => T): T => (t === 'auto' ? f() : onTier(t, f));

// Strings with astral characters and lone surrogates (which hash as U+FFFD).
const text = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(fc.constantFrom('a', 'é', '\u{1F600}', '\uD800', '\uDFFF', '\u0000', 'xyz', '\uFFFD', '\uE000'), { maxLength: 40 }).map((a) => a.join('')),
);

describe('XXH64', () => {
  it('matches the published vectors', () => {
    expect(xxh64('')).toBe(0xef46db3751d8e999n);
    expect(xxh64('a')).toBe(0xd24ec4f1a98c6e5bn);
    expect(xxh64('abc')).toBe(0x44bc2cf5ad770999n);
    // Lone surrogates are U+FFFD, as TextEncoder writes them.
    expect(xxh64('\uD800')).toBe(xxh64('\uFFFD'));
  });

  it.each(ALL)('%s equals xxhash-wasm on generated strings (all lengths past 32 bytes, astral, lone surrogates)', (tier) => {
    fc.assert(fc.property(fc.array(text, { maxLength: 40 }), (list) => {
      const got = on(tier, () => hashKeys(list));
      expect(Array.from(got)).toEqual(list.map((s) => h64(s)));
    }), { numRuns: 150 });
  });

  it.each(ALL)('%s hashes a batch past the streaming chunks like xxhash-wasm', (tier) => {
    const list = keys(70_000).map((k, i) => (i % 7 === 0 ? `${k}\u{1F600}${'x'.repeat(i % 50)}` : k));
    const got = on(tier, () => hashKeys(list));
    for (let i = 0; i < list.length; i += 997) expect(got[i], list[i]).toBe(h64(list[i]!));
    if (tier !== 'js') expect(Array.from(got)).toEqual(Array.from(onTier('js', () => hashKeys(list))));
  });
});

describe('jumpHash', () => {
  // dgryski/go-jump's table, generated from the paper's C++ code; buckets 1, 2, …
  const TABLE: [bigint, number[]][] = [
    [0n, Array(20).fill(0)],
    [1n, [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]],
    [0xdeadbeefn, [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]],
    [0x0ddc0ffeebadf00dn, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]],
  ];

  it.each(ALL)('%s matches the published vectors', (tier) => {
    on(tier, () => {
      for (const [key, want] of TABLE) {
        want.forEach((b, i) => expect(jumpHash(BigUint64Array.of(key), i + 1)[0], `key ${key} buckets ${i + 1}`).toBe(b));
        want.forEach((b, i) => expect(jumpHash(key, i + 1)).toBe(b));
      }
      // Other published pairs (key, buckets → bucket).
      expect(Array.from(jumpHash(BigUint64Array.of(1n, 42n, 0xdead10ccn, 0xdead10ccn, 256n), 1))).toEqual([0, 0, 0, 0, 0]);
      expect(jumpHash(42n, 57)).toBe(43);
      expect(jumpHash(0xdead10ccn, 666)).toBe(361);
      expect(jumpHash(256n, 1024)).toBe(520);
      expect(jumpHash(Float64Array.of(256, 0xdead10cc), 1024)[0]).toBe(520);
    });
  });

  it.each(ALL)('%s equals js on generated keys and bucket counts, for every key form', (tier) => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { maxLength: 50 }), fc.integer({ min: 1, max: 2 ** 31 }), fc.array(text, { maxLength: 20 }), (ks, b, strs) => {
      const u = BigUint64Array.from(ks);
      const want = onTier('js', () => jumpHash(u, b));
      expect(Array.from(on(tier, () => jumpHash(u, b)))).toEqual(Array.from(want));
      for (const x of want) expect(x).toBeLessThan(b);
      // Strings route as their hashes; integer doubles as their exact value.
      expect(Array.from(on(tier, () => jumpHash(strs, b)))).toEqual(Array.from(onTier('js', () => jumpHash(hashKeys(strs), b))));
      const f = Float64Array.from(ks.map((k) => Number(k)).filter((x) => x < 2 ** 64));
      expect(Array.from(on(tier, () => jumpHash(f, b)))).toEqual(Array.from(onTier('js', () => jumpHash(BigUint64Array.from(Array.from(f, (x) => BigInt(x))), b))));
    }), { numRuns: 100 });
    const big = hashKeys(keys(50_000));
    expect(Array.from(on(tier, () => jumpHash(big, 2 ** 31)))).toEqual(Array.from(onTier('js', () => jumpHash(big, 2 ** 31))));
  });

  it('n → n+1 buckets moves only keys that go to the new bucket, about 1/(n+1) of them (±10% of that, 10^5 keys)', () => {
    const h = hashKeys(keys(KEYS));
    for (const n of [1, 9, 99, 999]) {
      const a = jumpHash(h, n), b = jumpHash(h, n + 1);
      let moved = 0;
      for (let i = 0; i < KEYS; i++) {
        if (a[i] !== b[i]) {
          expect(b[i]).toBe(n);
          moved++;
        }
      }
      expect(Math.abs(moved / KEYS - 1 / (n + 1)), `n=${n}: moved ${moved}`).toBeLessThan(0.1 / (n + 1) + 3 / KEYS);
    }
    // Balance: 10 buckets within ±3% of 10^4 each.
    const counts = new Array(10).fill(0);
    for (const b of jumpHash(h, 10)) counts[b]++;
    for (const c of counts) expect(Math.abs(c - KEYS / 10)).toBeLessThan(0.03 * KEYS / 10);
  });

  it('rejects bad input by name', () => {
    expect(() => jumpHash(BigUint64Array.of(1n), 0)).toThrow(/^hotpath\.jumpHash: buckets must be an integer in \[1, 2\^31\]; got 0$/);
    expect(() => jumpHash(BigUint64Array.of(1n), 2 ** 31 + 1)).toThrow(RangeError);
    expect(() => jumpHash(BigUint64Array.of(1n), 2.5)).toThrow(RangeError);
    expect(() => jumpHash(BigUint64Array.of(1n), NaN)).toThrow(RangeError);
    expect(() => jumpHash(BigUint64Array.of(1n), '4' as never)).toThrow(/^hotpath\.jumpHash: buckets must be a number/);
    expect(() => jumpHash(Float64Array.of(1, 2.5), 4)).toThrow(/^hotpath\.jumpHash: keys\[1\] must be an integer in \[0, 2\^64\); got 2\.5$/);
    for (const bad of [-1, NaN, 2 ** 64, Infinity]) expect(() => jumpHash(Float64Array.of(0, 0, bad), 4)).toThrow(/keys\[2\]/);
    expect(() => jumpHash(['a', 5] as never, 4)).toThrow(/^hotpath\.jumpHash: keys\[1\] must be a string/);
    expect(() => jumpHash(-1n, 4)).toThrow(RangeError);
    expect(() => jumpHash(1n << 64n, 4)).toThrow(RangeError);
    for (const bad of [new Uint32Array(2), 5, null, undefined, {}, new Set(['a'])]) expect(() => jumpHash(bad as never, 4)).toThrow(/^hotpath\.jumpHash: keys must be/);
    expect(jumpHash(new BigUint64Array(0), 4)).toEqual(new Uint32Array(0));
    expect(jumpHash([], 4)).toEqual(new Uint32Array(0));
  });
});

describe('HashRing', () => {
  const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${i}`);

  it.each(ALL)('%s routes as js (uniform and weighted rings, routeMany, route, routeN)', (tier) => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.tuple(text.filter((s) => s.length > 0), fc.oneof(fc.constant(1), fc.double({ min: 2 ** -32, max: 2 ** 32, noNaN: true }))), { minLength: 1, maxLength: 12, selector: ([n]) => n }),
      fc.array(text, { maxLength: 30 }),
      fc.boolean(),
      (nodes, ks, uniform) => {
        const list = nodes.map(([n, w]) => [n, uniform ? 1 : w] as const);
        const ring = (): HashRing => new HashRing(list);
        const want = onTier('js', () => ring().routeMany(ks));
        expect(on(tier, () => ring().routeMany(ks))).toEqual(want);
        expect(on(tier, () => ring().routeMany(hashKeys(ks)))).toEqual(want);
        const r = on(tier, () => ring());
        on(tier, () => {
          ks.forEach((k, i) => {
            expect(r.route(k)).toBe(want[i]);
            const order = r.routeN(k, list.length);
            expect(order).toEqual(onTier('js', () => r.routeN(k, list.length)));
            expect(order[0]).toBe(want[i]);
          });
        });
      },
    ), { numRuns: 60 });
  });

  it.each(ALL)('%s routes 40000 keys (past the wasm chunk) over 100 nodes as js', (tier) => {
    const ks = keys(40_000);
    const uniform = new HashRing(names(100)), weighted = new HashRing(names(100).map((n, i) => [n, 1 + (i % 4)] as const));
    for (const ring of [uniform, weighted]) expect(on(tier, () => ring.routeMany(ks))).toEqual(onTier('js', () => ring.routeMany(ks)));
  });

  it('does not depend on insertion order; ties go to the name first in code point order', () => {
    const a = new HashRing(['b', 'a', 'c', '\u{1F600}', '\uE000']);
    const b = new HashRing();
    for (const n of ['\uE000', 'c', '\u{1F600}', 'a', 'b']) b.add(n);
    const ks = keys(2000);
    expect(a.routeMany(ks)).toEqual(b.routeMany(ks));
    expect(a.nodes.map((n) => n.name)).toEqual(['a', 'b', 'c', '\uE000', '\u{1F600}']);
    // '\uD800' and '\uFFFD' have the same seed, so they tie on every key: the first in code point order wins.
    const tie = new HashRing(['\uFFFD', '\uD800']);
    expect(new Set(tie.routeMany(ks))).toEqual(new Set(['\uD800']));
  });

  it('removing one of n nodes moves only the keys that were on it (10^5 keys)', () => {
    const ks = keys(KEYS);
    for (const weighted of [false, true]) {
      const ring = new HashRing(names(10).map((n, i) => [n, weighted ? 1 + i : 1] as const));
      const before = ring.routeMany(ks);
      ring.remove('node-3');
      const after = ring.routeMany(ks);
      let moved = 0;
      for (let i = 0; i < KEYS; i++) {
        if (before[i] !== 'node-3') expect(after[i]).toBe(before[i]);
        else moved++;
      }
      expect(moved).toBeGreaterThan(0);
      expect(after).not.toContain('node-3');
    }
  });

  it('adding a node to n moves ≈ 1/(n+1) of the keys (±10% of that), all to the new node (10^5 keys)', () => {
    const ks = keys(KEYS);
    for (const n of [4, 10, 50]) {
      const ring = new HashRing(names(n));
      const before = ring.routeMany(ks);
      ring.add('new-node');
      const after = ring.routeMany(ks);
      let moved = 0;
      for (let i = 0; i < KEYS; i++) {
        if (after[i] !== before[i]) {
          expect(after[i]).toBe('new-node');
          moved++;
        }
      }
      expect(Math.abs(moved / KEYS - 1 / (n + 1)), `n=${n}: moved ${moved}`).toBeLessThan(0.1 / (n + 1));
    }
  });

  it('shares are ∝ weight: each node within ±5% of its expected share (10^5 keys)', () => {
    const ks = keys(KEYS);
    const weights = [1, 2, 3, 4, 0.5, 10, 1, 1];
    const ring = new HashRing(weights.map((w, i) => [`w${i}`, w] as const));
    const counts = new Map<string, number>();
    for (const n of ring.routeMany(ks)) counts.set(n, (counts.get(n) ?? 0) + 1);
    const total = weights.reduce((a, b) => a + b, 0);
    weights.forEach((w, i) => {
      const want = (KEYS * w) / total, got = counts.get(`w${i}`) ?? 0;
      expect(Math.abs(got - want) / want, `w${i} (weight ${w}): ${got} vs ${want.toFixed(0)}`).toBeLessThan(0.05);
    });
    // Equal weights: every node within ±5% of 1/n.
    const eq = new Map<string, number>();
    for (const n of new HashRing(names(20)).routeMany(ks)) eq.set(n, (eq.get(n) ?? 0) + 1);
    for (const c of eq.values()) expect(Math.abs(c - KEYS / 20) / (KEYS / 20)).toBeLessThan(0.05);
  });

  it('routeN: distinct nodes in preference order; removing the first choice makes route give the second', () => {
    const ring = new HashRing(names(12).map((n, i) => [n, 1 + (i % 3)] as const));
    for (const k of keys(300)) {
      const order = ring.routeN(k, 12);
      expect(new Set(order).size).toBe(12);
      expect(ring.routeN(k, 1)).toEqual([ring.route(k)]);
      expect(ring.routeN(k, 3)).toEqual(order.slice(0, 3));
      expect(ring.routeN(k, 99)).toEqual(order);
      const r2 = new HashRing(ring.nodes.map((n) => [n.name, n.weight] as const));
      r2.remove(order[0]!);
      expect(r2.route(k)).toBe(order[1]);
      r2.remove(order[1]!);
      expect(r2.route(k)).toBe(order[2]);
    }
    expect(ring.routeN('k', 0)).toEqual([]);
  });

  it('add, remove, has, nodes, size; an empty ring', () => {
    const ring = new HashRing();
    expect(ring.route('k')).toBeUndefined();
    expect(ring.routeN('k', 3)).toEqual([]);
    expect(ring.routeMany([])).toEqual([]);
    expect(() => ring.routeMany(['k'])).toThrow(/^hotpath\.HashRing\.routeMany: the ring has no nodes/);
    expect(ring.add('a').add('b', 2).add('a', 3)).toBe(ring);
    expect(ring.size).toBe(2);
    expect(ring.nodes).toEqual([{ name: 'a', weight: 3 }, { name: 'b', weight: 2 }]);
    expect(Object.isFrozen(ring.nodes)).toBe(true);
    expect(ring.has('a')).toBe(true);
    expect(ring.remove('a')).toBe(true);
    expect(ring.remove('a')).toBe(false);
    expect(ring.has('a')).toBe(false);
    expect(ring.route('anything')).toBe('b');
    expect(new HashRing([['x', 1], 'x', ['x', 5]]).nodes).toEqual([{ name: 'x', weight: 5 }]);
    expect(String(new HashRing(['a', 'b']))).toBe('HashRing(2 nodes: "a", "b")');
  });

  it.each(TIERS)('options.backend %s runs the ring there', (tier) => {
    const ring = new HashRing(names(5), { backend: tier });
    expect(ring.routeMany(keys(100))).toEqual(new HashRing(names(5), { backend: 'js' }).routeMany(keys(100)));
  });

  it('rejects bad input by name', () => {
    const ring = new HashRing(['a']);
    expect(() => new HashRing('ab' as never)).toThrow(/^hotpath\.HashRing: nodes must be an iterable/);
    expect(() => new HashRing(5 as never)).toThrow(TypeError);
    expect(() => new HashRing([5] as never)).toThrow(/^hotpath\.HashRing: nodes\[0\] must be a name or a \[name, weight\] pair/);
    expect(() => new HashRing(['a', ['b', 0]])).toThrow(/^hotpath\.HashRing: nodes\[1\] weight must be finite and in \[2\^-32, 2\^32\]; got 0$/);
    expect(() => new HashRing([['b', '1']] as never)).toThrow(/^hotpath\.HashRing: nodes\[0\] weight must be a number/);
    expect(() => new HashRing([''])).toThrow(/^hotpath\.HashRing: nodes\[0\] must be a non-empty string/);
    expect(() => new HashRing([], { backend: 'gpu' as never })).toThrow(/^hotpath\.HashRing: options\.backend/);
    expect(() => new HashRing([], { replicas: 3 } as never)).toThrow(/^hotpath\.HashRing: options has unknown option "replicas" \(did you mean "routeN"\?\)/);
    expect(() => new HashRing([], 5 as never)).toThrow(/^hotpath\.HashRing: options must be an object/);
    for (const w of [-1, NaN, Infinity, 2 ** 33, 1e-12]) expect(() => ring.add('b', w)).toThrow(/^hotpath\.HashRing\.add: weight must be finite/);
    expect(() => ring.add(5 as never)).toThrow(/^hotpath\.HashRing\.add: node must be a string/);
    expect(() => ring.add('')).toThrow(RangeError);
    expect(() => ring.remove(5 as never)).toThrow(/^hotpath\.HashRing\.remove: node must be a string/);
    expect(() => ring.has(null as never)).toThrow(/^hotpath\.HashRing\.has: node must be a string/);
    expect(() => ring.route(5 as never)).toThrow(/^hotpath\.HashRing\.route: key must be a string/);
    expect(() => ring.routeN(5 as never, 1)).toThrow(/^hotpath\.HashRing\.routeN: key must be a string/);
    for (const n of [-1, 1.5, NaN]) expect(() => ring.routeN('k', n)).toThrow(/^hotpath\.HashRing\.routeN: n must be/);
    expect(() => ring.routeN('k', '1' as never)).toThrow(TypeError);
    expect(() => ring.routeMany('abc' as never)).toThrow(/^hotpath\.HashRing\.routeMany: keys must be an array of strings or a BigUint64Array/);
    expect(() => ring.routeMany(['a', 1] as never)).toThrow(/^hotpath\.HashRing\.routeMany: keys\[1\] must be a string/);
    expect(() => ring.routeMany(new Float64Array(1) as never)).toThrow(TypeError);
    expect(() => hashKeys('abc' as never)).toThrow(/^hotpath\.hashKeys: keys must be an array of strings/);
    expect(() => hashKeys([1] as never)).toThrow(/^hotpath\.hashKeys: keys\[0\] must be a string/);
    expect(() => xxh64(1 as never)).toThrow(/^hotpath\.xxh64: text must be a string/);
  });
});

describe('across processes', () => {
  it('a child process computing from dist/ gives the same hashes, buckets and routes', () => {
    const child = runChild(`
      const keys = Array.from({ length: 5000 }, (_, i) => 'user:' + i + ':session');
      const ring = new hp.HashRing(Array.from({ length: 17 }, (_, i) => ['node-' + i, 1 + (i % 3)]));
      const uniform = new hp.HashRing(Array.from({ length: 17 }, (_, i) => 'node-' + i));
      return {
        hashes: Array.from(hp.hashKeys(keys.slice(0, 100)), String),
        buckets: Array.from(hp.jumpHash(keys, 1000)),
        weighted: ring.routeMany(keys), uniform: uniform.routeMany(keys), n: ring.routeN('user:7:session', 17),
      };`);
    const ks = Array.from({ length: 5000 }, (_, i) => `user:${i}:session`);
    expect(child.hashes).toEqual(Array.from(hashKeys(ks.slice(0, 100)), String));
    expect(child.buckets).toEqual(Array.from(jumpHash(ks, 1000)));
    const ring = new HashRing(Array.from({ length: 17 }, (_, i) => [`node-${i}`, 1 + (i % 3)] as const));
    expect(child.weighted).toEqual(ring.routeMany(ks));
    expect(child.uniform).toEqual(new HashRing(Array.from({ length: 17 }, (_, i) => `node-${i}`)).routeMany(ks));
    expect(child.n).toEqual(ring.routeN('user:7:session', 17));
  });
});
