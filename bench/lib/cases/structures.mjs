// The data-structure rows of the matrix: each operation of the B+ tree, the
// timing wheel and the TTL cache at three sizes, on every tier, against the
// plain-JS structure a user would otherwise use. A task runs `ops(n)`
// operations; the report divides by that.
import { randomF32 } from '../data.mjs';

const HOUR = 3_600_000;
const noop = () => {};

/** Distinct random f64 keys. */
const keysOf = (n, seed) => Float64Array.from(randomF32(n, seed), (v, i) => v * 1e9 + i / n);
// sorted-btree is CommonJS with the class on `default`: import() wraps it once more.
const BTreeOf = (m) => m.default?.default ?? m.default ?? m;
const sortedPeer = (m, list) => { const T = BTreeOf(m); const t = new T(); for (let i = 0; i < list.length; i++) t.set(list[i], i); return t; };
const SORTED_BTREE = { name: 'sorted-btree', module: 'sorted-btree' };

const tree = (hp, tier) => new hp.BPlusTree({ keyType: 'number', backend: tier });
const built = (hp, tier, x) => hp.BPlusTree.fromSorted(x.sorted, x.values, { keyType: 'number', backend: tier });

/** One setup per size, shared by every case of a family (inputs are never mutated). */
function shared(make) {
  const memo = new Map();
  return (n) => { if (!memo.has(n)) { memo.clear(); memo.set(n, make(n)); } return memo.get(n); };
}

const btreeData = shared((n) => {
  const keys = keysOf(n, 31);
  const sorted = Float64Array.from(keys).sort();
  const probes = Float64Array.from({ length: Math.min(n, 100_000) }, (_, i) => keys[(i * 7919) % n]);
  return { n, keys, list: Array.from(keys), sorted, values: Array.from({ length: n }, (_, i) => i), probes, probeList: Array.from(probes) };
});

// Delays up to 2 h with sub-ms parts, so every level of the default wheel is used.
const wheelData = shared((n) => ({ n, delays: Float64Array.from(randomF32(n, 51), (u) => (u + 1) * HOUR), payloads: Array.from({ length: n }, (_, i) => i), ids: new Float64Array(n) }));

function btreeCase(name, ops, tierTask, peerTask) {
  return {
    name: `BPlusTree.${name}`, family: 'btree', sizes: [1_000, 100_000, 1_000_000],
    label: (n) => `n=${n} f64 keys`,
    setup: btreeData,
    ops,
    tier: tierTask,
    baseline: { ...SORTED_BTREE, make: peerTask },
    peers: [],
  };
}

function wheelCase(name, ops, tierTask, baseline) {
  return {
    name: `TimingWheel.${name}`, family: 'timers', sizes: [1_000, 100_000, 1_000_000],
    label: (n) => `n=${n} timers`,
    setup: wheelData,
    ops,
    tier: tierTask,
    baseline,
    peers: [],
  };
}

/** The naive TTL map: one unref'd setTimeout per entry, cleared when the key is set again. */
function mapSet(map, key, value, ttl) {
  const old = map.get(key);
  if (old) clearTimeout(old.timer);
  const timer = setTimeout(() => map.delete(key), ttl);
  timer.unref();
  map.set(key, { value, timer });
}
const mapClear = (map) => { if (map) for (const e of map.values()) clearTimeout(e.timer); };

function cacheCase(name, tierTask, lruTask, mapTask) {
  return {
    name: `TtlCache.${name}`, family: 'cache', sizes: [1_000, 10_000, 100_000],
    label: (n) => `n=${n} string keys, ttl 60 s`,
    setup: (n) => ({ n, ttl: 60_000, keys: Array.from({ length: n }, (_, i) => `session:${(i * 2654435761) % 2 ** 32}`) }),
    ops: (n) => n,
    tier: tierTask,
    baseline: { name: 'lru-cache', module: 'lru-cache', make: lruTask },
    peers: [{ name: 'Map + setTimeout', make: (_, x) => mapTask(x) }],
  };
}

/** @type {import('../matrix.mjs').StructureCase[]} */
export const STRUCTURE_CASES = [
  btreeCase('set', (n) => n,
    (hp, x, tier) => ({ fn: () => { const t = tree(hp, tier); for (let i = 0; i < x.n; i++) t.set(x.keys[i], i); t.dispose(); } }),
    (m, x) => ({ fn: () => sortedPeer(m, x.list) })),
  btreeCase('setMany', (n) => n,
    (hp, x, tier) => ({ fn: () => tree(hp, tier).setMany(x.keys, x.values).dispose() }),
    (m, x) => { const T = BTreeOf(m); return { fn: () => new T(x.list.map((k, i) => [k, i])) }; }),
  btreeCase('get', (n) => Math.min(n, 100_000),
    (hp, x, tier) => { const t = built(hp, tier, x); return { fn: () => { let s = 0; for (let i = 0; i < x.probes.length; i++) s += t.get(x.probes[i]); return s; }, dispose: () => t.dispose() }; },
    (m, x) => { const t = sortedPeer(m, x.list); return { fn: () => { let s = 0; for (let i = 0; i < x.probeList.length; i++) s += t.get(x.probeList[i]); return s; } }; }),
  btreeCase('getMany', (n) => Math.min(n, 100_000),
    (hp, x, tier) => { const t = built(hp, tier, x); return { fn: () => t.getMany(x.probes), dispose: () => t.dispose() }; },
    (m, x) => { const t = sortedPeer(m, x.list); return { fn: () => { const r = new Array(x.probeList.length); for (let i = 0; i < r.length; i++) r[i] = t.get(x.probeList[i]); return r; } }; }),
  btreeCase('fromSorted', (n) => n,
    (hp, x, tier) => ({ fn: () => built(hp, tier, x).dispose() }),
    (m, x) => { const T = BTreeOf(m), pairs = Array.from(x.sorted, (k, i) => [k, i]); return { fn: () => new T(pairs) }; }),
  btreeCase('range', (n) => Math.min(n, 1000),
    (hp, x, tier) => { const t = built(hp, tier, x), lo = x.sorted[x.n >> 2]; return { fn: () => t.range(lo, null, { limit: 1000 }), dispose: () => t.dispose() }; },
    (m, x) => { const t = sortedPeer(m, x.list), lo = x.sorted[x.n >> 2]; return { fn: () => t.getRange(lo, Infinity, false, 1000) }; }),
  btreeCase('delete', (n) => n >> 1,
    (hp, x, tier) => {
      const evens = x.keys.filter((_, i) => i % 2 === 0);
      let t = null;
      return { fn: () => { for (let i = 0; i < evens.length; i++) t.delete(evens[i]); }, beforeEach: () => { t?.dispose(); t = built(hp, tier, x); }, dispose: () => t?.dispose() };
    },
    (m, x) => {
      const evens = x.list.filter((_, i) => i % 2 === 0);
      let t = null;
      return { fn: () => { for (let i = 0; i < evens.length; i++) t.delete(evens[i]); }, beforeEach: () => { t = sortedPeer(m, x.list); } };
    }),

  wheelCase('schedule+cancel', (n) => n,
    (hp, x, tier) => {
      const w = new hp.TimingWheel({ backend: tier });
      return { fn: () => { for (let i = 0; i < x.n; i++) x.ids[i] = w.schedule(x.delays[i], i); for (let i = 0; i < x.n; i++) w.cancel(x.ids[i]); }, dispose: () => w.dispose() };
    },
    { name: 'setTimeout+clearTimeout', make: (_, x) => ({ fn: () => { const ts = new Array(x.n); for (let i = 0; i < x.n; i++) ts[i] = setTimeout(noop, x.delays[i]); for (let i = 0; i < x.n; i++) clearTimeout(ts[i]); } }) }),
  wheelCase('scheduleMany', (n) => n,
    (hp, x, tier) => ({ fn: () => { const w = new hp.TimingWheel({ backend: tier }); w.scheduleMany(x.delays, x.payloads); w.dispose(); } }),
    { tier: 'js' }),
  wheelCase('advance (expire all)', (n) => n,
    (hp, x, tier) => {
      let w = null;
      return {
        // Two hours in one-second steps: 7200 advances that expire every timer.
        fn: () => { let fired = 0; for (let now = 1000; now <= 2 * HOUR + 1000; now += 1000) fired += w.advance(now).length; if (fired !== x.n) throw new Error(`fired ${fired} of ${x.n}`); },
        beforeEach: () => { w?.dispose(); w = new hp.TimingWheel({ backend: tier }); w.scheduleMany(x.delays, x.payloads); },
        dispose: () => w?.dispose(),
      };
    },
    { tier: 'js' }),
  // An advance that expires nothing must not cost more with more pending:
  // timers wait 60-62 h, the 10^4 steps of 10 ms cover 100 s.
  wheelCase('advance (idle, x1e4)', () => 10_000,
    (hp, x, tier) => {
      const w = new hp.TimingWheel({ backend: tier });
      w.scheduleMany(x.delays.map((d) => d + 60 * HOUR), x.payloads);
      let now = 0;
      return { fn: () => { for (let i = 0; i < 10_000; i++) if (w.advance(now += 10).length) throw new Error('fired'); }, dispose: () => w.dispose() };
    },
    { tier: 'js' }),

  cacheCase('set',
    (hp, x, tier) => { let c = null; return { fn: () => { for (let i = 0; i < x.n; i++) c.set(x.keys[i], i); }, beforeEach: () => { c?.dispose(); c = new hp.TtlCache({ maxSize: x.n, ttlMs: x.ttl, backend: tier }); }, dispose: () => c?.dispose() }; },
    (m, x) => { let c = null; return { fn: () => { for (let i = 0; i < x.n; i++) c.set(x.keys[i], i); }, beforeEach: () => { c = new m.LRUCache({ max: x.n, ttl: x.ttl }); } }; },
    (x) => { let mt = null; return { fn: () => { for (let i = 0; i < x.n; i++) mapSet(mt, x.keys[i], i, x.ttl); }, beforeEach: () => { mapClear(mt); mt = new Map(); }, dispose: () => mapClear(mt) }; }),
  cacheCase('set (update)',
    (hp, x, tier) => { const c = new hp.TtlCache({ maxSize: x.n, ttlMs: x.ttl, backend: tier }); for (let i = 0; i < x.n; i++) c.set(x.keys[i], i); return { fn: () => { for (let i = 0; i < x.n; i++) c.set(x.keys[(i * 7) % x.n], i); }, dispose: () => c.dispose() }; },
    (m, x) => { const c = new m.LRUCache({ max: x.n, ttl: x.ttl }); for (let i = 0; i < x.n; i++) c.set(x.keys[i], i); return { fn: () => { for (let i = 0; i < x.n; i++) c.set(x.keys[(i * 7) % x.n], i); } }; },
    (x) => { const mt = new Map(); for (let i = 0; i < x.n; i++) mapSet(mt, x.keys[i], i, x.ttl); return { fn: () => { for (let i = 0; i < x.n; i++) mapSet(mt, x.keys[(i * 7) % x.n], i, x.ttl); }, dispose: () => mapClear(mt) }; }),
  cacheCase('get',
    (hp, x, tier) => { const c = new hp.TtlCache({ maxSize: x.n, ttlMs: x.ttl, backend: tier }); for (let i = 0; i < x.n; i++) c.set(x.keys[i], i); return { fn: () => { let s = 0; for (let i = 0; i < x.n; i++) s += c.get(x.keys[(i * 7) % x.n]); return s; }, dispose: () => c.dispose() }; },
    (m, x) => { const c = new m.LRUCache({ max: x.n, ttl: x.ttl }); for (let i = 0; i < x.n; i++) c.set(x.keys[i], i); return { fn: () => { let s = 0; for (let i = 0; i < x.n; i++) s += c.get(x.keys[(i * 7) % x.n]); return s; } }; },
    (x) => { const mt = new Map(); for (let i = 0; i < x.n; i++) mapSet(mt, x.keys[i], i, x.ttl); return { fn: () => { let s = 0; for (let i = 0; i < x.n; i++) s += mt.get(x.keys[(i * 7) % x.n]).value; return s; }, dispose: () => mapClear(mt) }; }),
];
