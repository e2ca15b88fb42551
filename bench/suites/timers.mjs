// Timing wheel and TTL cache benchmarks (issue 5): every tier of the wheel,
// against one setTimeout per timer; TtlCache against lru-cache with ttl and
// against a Map with one setTimeout per entry. Same keys, one run.
import { LRUCache } from 'lru-cache';
import { randomF32 } from '../data.mjs';

const HOUR = 3_600_000;

/** @param {import('../harness.mjs').Harness} h */
export default function timers(h) {
  const { hp } = h;
  const n = 1_000_000;
  // Delays up to 2 h with sub-ms parts: every level of the default wheel is used.
  const delays = Float64Array.from(randomF32(n, 51), (u) => (u + 1) * HOUR);
  const payloads = Array.from({ length: n }, (_, i) => i);
  const wheel = (t) => new hp.TimingWheel({ backend: t });

  h.group('TimingWheel schedule 1e6 (scheduleMany)', { baseline: 'js' }, (g) => {
    for (const t of h.tiers) g.add(t, () => { const w = wheel(t); w.scheduleMany(delays, payloads); w.dispose(); });
  });
  h.group('TimingWheel schedule 1e6 (one by one)', { baseline: 'js' }, (g) => {
    for (const t of h.tiers) g.add(t, () => { const w = wheel(t); for (let i = 0; i < n; i++) w.schedule(delays[i], i); w.dispose(); });
  });
  h.group('TimingWheel schedule+cancel x1e5 one by one', { baseline: 'setTimeout+clearTimeout' }, (g) => {
    g.add('setTimeout+clearTimeout', () => { const ts = new Array(100_000); for (let i = 0; i < 100_000; i++) ts[i] = setTimeout(noop, delays[i]); for (let i = 0; i < 100_000; i++) clearTimeout(ts[i]); });
    for (const t of h.tiers) {
      const w = wheel(t);
      const ids = new Float64Array(100_000);
      g.add(t, () => { for (let i = 0; i < 100_000; i++) ids[i] = w.schedule(delays[i], i); for (let i = 0; i < 100_000; i++) w.cancel(ids[i]); });
    }
  });
  h.group('TimingWheel 1e6: schedule, cancel half, advance through all', { baseline: 'js' }, (g) => {
    for (const t of h.tiers) {
      g.add(t, () => {
        const w = wheel(t);
        const ids = w.scheduleMany(delays, payloads);
        w.cancelMany(ids.filter((_, i) => i % 2 === 0));
        // Two hours in one-second steps: 7200 advances.
        let fired = 0;
        for (let now = 1000; now <= 2 * HOUR + 1000; now += 1000) fired += w.advance(now).length;
        if (fired !== n / 2) throw new Error(`fired ${fired}`);
        w.dispose();
      });
    }
  });
  // The cost of an advance that expires nothing must not grow with the number pending.
  // One wheel per row, built up front; timers wait 60-62 h out, so the ~14 h that
  // 5 * 10^6 ticks of 10 ms cover expire nothing.
  for (const pending of [1_000, 1_000_000]) {
    h.group(`TimingWheel idle advance x1e4, ${pending.toExponential(0)} pending`, { baseline: 'js' }, (g) => {
      for (const t of h.tiers) {
        const w = wheel(t);
        w.scheduleMany(delays.subarray(0, pending).map((d) => d + 60 * HOUR), payloads.slice(0, pending));
        let now = 0;
        g.add(t, () => { for (let i = 0; i < 10_000; i++) if (w.advance(now += 10).length) throw new Error('fired'); });
      }
    });
  }

  // ---- TtlCache ---------------------------------------------------------
  const m = 100_000;
  const keys = Array.from({ length: m }, (_, i) => `session:${(i * 2654435761) % 2 ** 32}`);
  const ttl = 60_000;
  const caches = () => {
    const out = {};
    for (const t of h.tiers) out[`TtlCache ${t}`] = new hp.TtlCache({ maxSize: m, ttlMs: ttl, backend: t });
    out['lru-cache ttl'] = new LRUCache({ max: m, ttl });
    return out;
  };
  h.group('TtlCache set 1e5 (new keys, ttl 60 s)', { baseline: 'lru-cache ttl' }, (g) => {
    for (const name of [...h.tiers.map((t) => `TtlCache ${t}`), 'lru-cache ttl']) {
      let c;
      g.add(name, () => { for (let i = 0; i < m; i++) c.set(keys[i], i); }, { beforeEach: () => { c?.dispose?.(); c = caches()[name]; } });
    }
    let mt;
    g.add('Map + setTimeout each', () => { for (let i = 0; i < m; i++) mapSet(mt, keys[i], i, ttl); }, { beforeEach: () => { mapClear(mt); mt = new Map(); } });
  });
  h.group('TtlCache get 1e5 (hits, ttl 60 s)', { baseline: 'lru-cache ttl' }, (g) => {
    const filled = caches();
    for (const c of Object.values(filled)) for (let i = 0; i < m; i++) c.set(keys[i], i);
    for (const [name, c] of Object.entries(filled)) g.add(name, () => { let s = 0; for (let i = 0; i < m; i++) s += c.get(keys[(i * 7) % m]); return s; });
    const mt = new Map();
    for (let i = 0; i < m; i++) mapSet(mt, keys[i], i, ttl);
    g.add('Map + setTimeout each', () => { let s = 0; for (let i = 0; i < m; i++) s += mt.get(keys[(i * 7) % m]).value; return s; });
  });
  h.group('TtlCache update 1e5 (existing keys, TTL restarts)', { baseline: 'lru-cache ttl' }, (g) => {
    const filled = caches();
    for (const c of Object.values(filled)) for (let i = 0; i < m; i++) c.set(keys[i], i);
    for (const [name, c] of Object.entries(filled)) g.add(name, () => { for (let i = 0; i < m; i++) c.set(keys[(i * 7) % m], i); });
    const mt = new Map();
    for (let i = 0; i < m; i++) mapSet(mt, keys[i], i, ttl);
    g.add('Map + setTimeout each', () => { for (let i = 0; i < m; i++) mapSet(mt, keys[(i * 7) % m], i, ttl); });
  });
}

function noop() {}

/** The naive TTL map: one unref'd setTimeout per entry, cleared when the key is set again. */
function mapSet(map, key, value, ttl) {
  const old = map.get(key);
  if (old) clearTimeout(old.timer);
  const timer = setTimeout(() => map.delete(key), ttl);
  timer.unref();
  map.set(key, { value, timer });
}

function mapClear(map) {
  if (map) for (const e of map.values()) clearTimeout(e.timer);
}
