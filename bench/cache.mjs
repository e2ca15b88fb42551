// npm run bench:cache [-- --quick]: TtlCache beside lru-cache and quick-lru,
// side by side in one process (memory rows each in a fresh child):
//  - per-op ns of get hit, get hit on freshly built key strings, get miss,
//    set update and set new (evicting) at N = 10^4 and 10^6 entries
//    (--quick: 10^4 and 10^5), 24-char string keys, small-integer values,
//    each op a loop over a precomputed pseudo-random array of 2^16 keys;
//  - batches of 1024 keys: getMany / setMany (when TtlCache has them) against
//    a loop of get / set of each implementation;
//  - single-get latency at the largest N: hrtime.bigint() around each of
//    2^21 get hits per implementation, interleaved in chunks of 2^16;
//  - memory at 10^6 entries (each in a fresh `node --expose-gc`): RSS and V8
//    heap+external bytes per entry after gc, and peak RSS during the fill.
// Rounds are interleaved (A, B, C, ... then again, the starting variant
// rotating each round); a cell is the median ns/op over the rounds, a ratio
// is peer median / TtlCache median (> 1: TtlCache faster) with the min-max
// of the per-round ratios. Every timed loop is its own compiled function (so
// no call site is shared between implementations) and feeds a sink.
// Writes bench/results/cache.json and cache.md (cache-quick.* with --quick).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from './lib/data.mjs';

const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');

// Five caches of 10^6 entries live at once, and gc() runs between phases.
if (typeof globalThis.gc !== 'function') {
  try {
    execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', self, ...argv], { stdio: 'inherit' });
  } catch (e) {
    process.exit(e.status ?? 1);
  }
  process.exit(0);
}

const hp = await import('../dist/index.js');
if (typeof hp.init === 'function') await hp.init();
const { LRUCache } = await import('lru-cache');
const { default: QuickLRU } = await import('quick-lru');
const { TtlCache } = hp;

const TTL = 86_400_000;
const KEY_LEN = 24;
const key = (prefix, i) => `${prefix}:${i}:`.padEnd(KEY_LEN, '_');

// ---- feature detection ---------------------------------------------------------

/** Whether the constructor takes `extra`: it must not throw, and (if the constructor ignores unknown options) the build must name the option. */
function takesOption(extra) {
  const make = (o) => {
    try {
      new TtlCache({ maxSize: 4, ttlMs: TTL, autoPurge: false, ...o }).dispose();
      return true;
    } catch {
      return false;
    }
  };
  if (!make(extra)) return false;
  if (!make({ __notAnOption__: 1 })) return true; // unknown options are refused, so this one is known
  const name = Object.keys(extra)[0];
  const dir = fileURLToPath(new URL('../dist/api/', import.meta.url));
  return readdirSync(dir).some((f) => f.endsWith('.js') && readFileSync(`${dir}${f}`, 'utf8').includes(name));
}
const HAS_RES = takesOption({ ttlResolution: 1 });
const HAS_GETMANY = typeof TtlCache.prototype.getMany === 'function';
const HAS_SETMANY = typeof TtlCache.prototype.setMany === 'function';

const FACTORY = {
  'TtlCache exact': (n) => new TtlCache({ maxSize: n, ttlMs: TTL }),
  'TtlCache ttlResolution 1': (n) => new TtlCache({ maxSize: n, ttlMs: TTL, ttlResolution: 1 }),
  'TtlCache wasm': (n) => new TtlCache({ maxSize: n, ttlMs: TTL, backend: 'wasm' }),
  'lru-cache ttl': (n) => new LRUCache({ max: n, ttl: TTL }),
  'lru-cache': (n) => new LRUCache({ max: n }),
  'quick-lru': (n) => new QuickLRU({ maxSize: n }),
};

// ---- memory child ----------------------------------------------------------------

if (argv[0] === '--child') {
  const [, what, nArg] = argv;
  const N = Number(nArg);
  const keys = Array.from({ length: N }, (_, i) => key('prop', i));
  const snap = () => {
    for (let i = 0; i < 3; i++) globalThis.gc();
    const u = process.memoryUsage();
    return { rss: u.rss, js: u.heapUsed + u.external };
  };
  const before = snap();
  const c = FACTORY[what](N);
  let peak = process.memoryUsage.rss();
  for (let i = 0; i < N; i++) {
    c.set(keys[i], i & 1023);
    if ((i & 16383) === 16383) peak = Math.max(peak, process.memoryUsage.rss());
  }
  peak = Math.max(peak, process.memoryUsage.rss());
  const after = snap();
  let hits = 0;
  for (let i = 0; i < N; i += 997) if (c.get(keys[i]) !== undefined) hits++;
  console.log(JSON.stringify({
    what, n: N, backend: c.backend ?? null, size: c.size, sampledHits: hits, sampled: Math.ceil(N / 997),
    rssPerEntry: (after.rss - before.rss) / N,
    heapExtPerEntry: (after.js - before.js) / N,
    peakRssPerEntry: (peak - before.rss) / N,
  }));
  process.exit(0);
}

// ---- setup -----------------------------------------------------------------------

const SIZES = quick ? [10_000, 100_000] : [10_000, 1_000_000];
const ROUNDS = quick ? 7 : 31;
// Sets of new keys make a Map rehash (O(size)) every so many inserts: longer samples, fewer rounds, so each sample spans that period.
const NEW_S = 1 << 16;
const NEW_ROUNDS = quick ? 5 : 15;
const M = 1 << 16; // keys in a pseudo-random key array
const S = 1 << 14; // ops per timed sample: a quarter of a key array, round r taking quarter r % 4
const QN = M / S;
const BATCH = 1024;
const NB = S / BATCH; // batches per timed sample
const LAT_N = quick ? 1 << 18 : 1 << 21; // single-get samples per implementation
const LAT_CHUNK = 1 << 16;
const MEM_N = quick ? 100_000 : 1_000_000; // --quick: 10^5, to stay under a minute

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();
const loads = [{ at: 'start', loadavg: loadavg() }];
const log = (...a) => console.error(`[${(performance.now() / 1000).toFixed(1)}s]`, ...a);
const git = (...a) => {
  try {
    return execFileSync('git', a, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const distFile = new URL('../dist/api/ttl-cache.js', import.meta.url);
const distStamp = () => (existsSync(distFile) ? statSync(distFile).mtimeMs : null);
const source = {
  commit: git('rev-parse', '--short', 'HEAD'),
  // The last commit that touched the cache's sources, and its subject (cut short).
  ttlCacheCommit: git('log', '-1', '--format=%h', '--', 'ts/api/ttl-cache.ts', 'ts/api/ttl-expiry.ts'),
  subject: (git('log', '-1', '--format=%s', '--', 'ts/api/ttl-cache.ts', 'ts/api/ttl-expiry.ts') ?? '').slice(0, 60),
  dirty: (git('status', '--porcelain', '--', 'ts/api/ttl-cache.ts', 'ts/api/ttl-expiry.ts') ?? '') !== '',
  dist: distStamp(),
};
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** A function of its own (own feedback, own optimized code) for each implementation and op. */
const compile = (body) => new Function('c', 'keys', 'vals', 'base', body);
const BODIES = {
  // keys: an array of M keys; returns hits (the sink).
  get: `let h = 0, s = 0; for (let i = 0; i < keys.length; i++) { const v = c.get(keys[i]); if (v !== undefined) { h++; s += v; } } return h + (s & 0);`,
  set: `for (let i = 0; i < keys.length; i++) c.set(keys[i], (i + base) & 1023); return keys.length;`,
  // keys: an array of key batches; vals: a value batch per key batch.
  getMany: `let h = 0; for (let b = 0; b < keys.length; b++) { const r = c.getMany(keys[b]); h += r.length; if (r[b] !== undefined) h++; } return h;`,
  getLoop: `let h = 0; for (let b = 0; b < keys.length; b++) { const k = keys[b], r = new Array(k.length); for (let j = 0; j < k.length; j++) r[j] = c.get(k[j]); h += r.length; if (r[b] !== undefined) h++; } return h;`,
  setMany: `for (let b = 0; b < keys.length; b++) c.setMany(keys[b], vals[b]); return keys.length;`,
  setLoop: `for (let b = 0; b < keys.length; b++) { const k = keys[b], v = vals[b]; for (let j = 0; j < k.length; j++) c.set(k[j], v[j]); } return keys.length;`,
};
let sink = 0;

/**
 * Runs ROUNDS interleaved rounds of `samples` ({ name: (round) => ops }), the
 * starting one rotating; returns { name: [ns/op per round] }.
 */
function interleave(samples, warm = 2, rounds = ROUNDS) {
  const names = Object.keys(samples);
  for (let w = 0; w < warm; w++) for (const n of names) sink += samples[n](-1 - w) ? 1 : 0;
  const ns = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + r) % names.length];
      const t0 = performance.now();
      const ops = samples[n](r);
      ns[n][r] = ((performance.now() - t0) * 1e6) / ops;
    }
  }
  return ns;
}

/** ratio of medians, and min/max of per-round ratios, peer / ours. */
function ratioOf(peer, ours) {
  if (!peer || !ours) return null;
  const per = peer.map((p, r) => p / ours[r]);
  return { ratio: median(peer) / median(ours), min: Math.min(...per), max: Math.max(...per) };
}

const results = { sizes: {} };
const features = { ttlResolution: HAS_RES, getMany: HAS_GETMANY, setMany: HAS_SETMANY };
const single = ['TtlCache exact', ...(HAS_RES ? ['TtlCache ttlResolution 1'] : []), 'lru-cache ttl', 'lru-cache', 'quick-lru'];
const backendOf = {};

for (const N of SIZES) {
  log(`N=${N}: keys`);
  loads.push({ at: `N=${N} start`, loadavg: loadavg() });
  const rnd = mulberry32(N);
  const keys = Array.from({ length: N }, (_, i) => key('prop', i));
  const pick = () => Math.floor(rnd() * N);
  const hitIdx = Array.from({ length: M }, pick);
  const hit = hitIdx.map((i) => keys[i]);
  const miss = Array.from({ length: M }, (_, i) => key('miss', i));
  const REGIONS = NEW_ROUNDS + 2; // two warm-up samples, then one region of NEW_S new keys per round
  const fresh = Array.from({ length: REGIONS * NEW_S }, (_, i) => key('prop', N + i));
  // Batch sets of new keys: two pools, since a TtlCache's setMany row and its set loop row fill the same cache in a round.
  const freshB = Array.from({ length: 2 * REGIONS * NEW_S }, (_, i) => key('prop', N + REGIONS * NEW_S + i));
  // Pre-hash every key (V8 caches a string's hash in it), so the first implementation to meet a key does not pay for everyone.
  {
    const s = new Set();
    for (const a of [keys, miss, fresh, freshB]) for (const k of a) s.add(k);
  }
  const region = (a, r) => a.slice((r + 2) * NEW_S, (r + 3) * NEW_S); // r = -2, -1 for warm-up
  const quarters = (a) => Array.from({ length: QN }, (_, q) => a.slice(q * S, (q + 1) * S));
  const hitQ = quarters(hit), missQ = quarters(miss), hitIdxQ = quarters(hitIdx);
  const batchesOf = (a) => Array.from({ length: a.length / BATCH }, (_, b) => a.slice(b * BATCH, (b + 1) * BATCH));
  const hitBatchQ = hitQ.map(batchesOf);
  const hitBatches = hitBatchQ[0];
  const valBatches = [0, 1].map((p) => Array.from({ length: NEW_S / BATCH }, (_, b) => Array.from({ length: BATCH }, (_, j) => (b + j + p) & 1023)));
  const freshRegions = Array.from({ length: REGIONS }, (_, r) => region(fresh, r - 2));
  const freshBatchRegions = [0, 1].map((pool) => Array.from({ length: REGIONS }, (_, r) => batchesOf(region(freshB, pool * REGIONS + r - 2))));

  log(`N=${N}: filling ${single.length} caches`);
  const caches = {};
  for (const name of single) {
    const c = FACTORY[name](N);
    for (let i = 0; i < N; i++) c.set(keys[i], i & 1023);
    caches[name] = c;
    if (c.backend) backendOf[name] = c.backend;
  }
  const fn = {};
  for (const name of single) fn[name] = Object.fromEntries(Object.entries(BODIES).map(([op, b]) => [op, compile(b)]));
  const ops = {};
  const phase = (op, samples, rounds = ROUNDS) => {
    globalThis.gc();
    log(`N=${N}: ${op}`);
    ops[op] = interleave(samples, 2, rounds);
  };
  const each = (f) => Object.fromEntries(single.map((n) => [n, f(n)]));
  // Checks that a loop found what it should, on its first (warm-up) run.
  const expect = (name, op, got, want) => {
    if (got !== want) throw new Error(`${name} ${op} at N=${N}: ${got}, expected ${want}`);
  };

  phase('get hit', each((n) => (r) => {
    const h = fn[n].get(caches[n], hitQ[r & 3], null, 0);
    if (r === -1) expect(n, 'get hit', h, S);
    sink += h;
    return S;
  }));
  // Keys built afresh before each sample (untimed), as off a request: no cached hash, not the stored string.
  {
    const fresher = (r) => hitIdxQ[r & 3].map((i) => key('prop', i));
    let cur = null;
    // Timed here rather than by interleave(): building the keys before each sample must stay outside the timer.
    const names = single;
    const fnFresh = each((n) => compile(BODIES.get));
    const ns = Object.fromEntries(names.map((n) => [n, []]));
    globalThis.gc();
    log(`N=${N}: get hit (fresh strings)`);
    for (let w = 0; w < 2; w++) for (const n of names) { cur = fresher(w); const h = fnFresh[n](caches[n], cur, null, 0); expect(n, 'get hit (fresh strings)', h, S); }
    for (let r = 0; r < ROUNDS; r++) {
      for (let j = 0; j < names.length; j++) {
        const n = names[(j + r) % names.length];
        cur = fresher(r);
        const t0 = performance.now();
        sink += fnFresh[n](caches[n], cur, null, 0);
        ns[n][r] = ((performance.now() - t0) * 1e6) / S;
      }
    }
    ops['get hit (fresh strings)'] = ns;
  }
  phase('get miss', each((n) => (r) => {
    const h = fn[n].get(caches[n], missQ[r & 3], null, 0);
    if (r === -1) expect(n, 'get miss', h, 0);
    sink += h;
    return S;
  }));
  phase('set update', each((n) => (r) => {
    sink += fn[n].set(caches[n], hitQ[r & 3], null, r + 3);
    return S;
  }));
  for (const n of single) expect(n, 'size after set update', caches[n].size, N);

  // Batches: getMany / setMany against loops of get / set.
  const batch = {};
  {
    const getS = {};
    if (HAS_GETMANY) {
      for (const n of single.filter((x) => x.startsWith('TtlCache'))) {
        const f = compile(BODIES.getMany);
        getS[`${n} getMany`] = (r) => {
          if (r === -1) {
            const got = caches[n].getMany(hitBatches[0]);
            const want = hitBatches[0].map((k) => caches[n].peek(k));
            if (got.length !== BATCH || got.some((v, i) => v !== want[i])) throw new Error(`${n} getMany disagrees with peek`);
          }
          sink += f(caches[n], hitBatchQ[r & 3], null, 0);
          return S;
        };
      }
    }
    for (const n of single) {
      const f = compile(BODIES.getLoop);
      getS[`${n} get loop`] = (r) => {
        sink += f(caches[n], hitBatchQ[r & 3], null, 0);
        return S;
      };
    }
    globalThis.gc();
    log(`N=${N}: batch get`);
    batch.get = interleave(getS);
    const setS = {};
    if (HAS_SETMANY) {
      for (const n of single.filter((x) => x.startsWith('TtlCache'))) {
        const f = compile(BODIES.setMany);
        setS[`${n} setMany`] = (r) => {
          sink += f(caches[n], hitBatchQ[r & 3], valBatches[r & 1], 0);
          return S;
        };
      }
    }
    for (const n of single) {
      const f = compile(BODIES.setLoop);
      setS[`${n} set loop`] = (r) => {
        sink += f(caches[n], hitBatchQ[r & 3], valBatches[r & 1], 0);
        return S;
      };
    }
    globalThis.gc();
    log(`N=${N}: batch set update`);
    batch.setUpdate = interleave(setS);
    if (HAS_SETMANY) {
      for (const n of single.filter((x) => x.startsWith('TtlCache'))) {
        const c = caches[n];
        c.setMany(hitBatches[0], valBatches[1][0]);
        const want = new Map(hitBatches[0].map((k, j) => [k, valBatches[1][0][j]])); // a key twice in the batch: the later value
        for (const [k, v] of want) if (c.peek(k) !== v) throw new Error(`${n} setMany did not store ${k}`);
      }
    }
  }

  // Single-get latency at the largest N.
  let latency = null;
  if (N === SIZES.at(-1)) {
    globalThis.gc();
    log(`N=${N}: single-get latency, ${LAT_N} samples each`);
    const lat = ['TtlCache exact', ...(HAS_RES ? ['TtlCache ttlResolution 1'] : []), 'lru-cache ttl', 'lru-cache', 'timer only'];
    const body = (call) => `const h = process.hrtime.bigint, m = keys.length - 1; let s = 0; for (let i = 0; i < vals.n; i++) { const k = keys[i & m]; const t0 = h(); ${call}; const t1 = h(); vals.out[base + i] = Number(t1 - t0); } return s;`;
    const lf = Object.fromEntries(lat.map((n) => [n, compile(body(n === 'timer only' ? 's += k.length' : 'const v = c.get(k); if (v !== undefined) s++'))]));
    const out = Object.fromEntries(lat.map((n) => [n, new Float64Array(LAT_N)]));
    // Warm-up into slot 0.
    for (const n of lat) sink += lf[n](caches[n], hit, { n: LAT_CHUNK, out: out[n] }, 0);
    const hitShifted = hit.slice(M / 2).concat(hit.slice(0, M / 2));
    const chunks = LAT_N / LAT_CHUNK;
    for (let ch = 0; ch < chunks; ch++) {
      for (let j = 0; j < lat.length; j++) {
        const n = lat[(j + ch) % lat.length];
        // Each chunk starts at another point of the key array.
        const got = lf[n](caches[n], ch % 2 ? hit : hitShifted, { n: LAT_CHUNK, out: out[n] }, ch * LAT_CHUNK);
        if (n !== 'timer only' && got !== LAT_CHUNK) throw new Error(`${n} latency: ${got} hits of ${LAT_CHUNK}`);
        sink += got;
      }
    }
    latency = {};
    for (const n of lat) {
      const s = out[n].sort();
      const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
      latency[n] = { samples: s.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: s[s.length - 1], mean: s.reduce((a, x) => a + x, 0) / s.length };
    }
  }

  // Sets of new keys last: they replace the cache's contents. Each sample's keys must be new to the cache (checked on the first and last key: two has() calls per sample).
  const notHeld = (n, ks) => {
    if (caches[n].has(ks[0]) || caches[n].has(ks.at(-1))) throw new Error(`${n} at N=${N}: a "new" key is already in the cache`);
  };
  phase('set new (evicting)', each((n) => (r) => {
    notHeld(n, freshRegions[r + 2]);
    sink += fn[n].set(caches[n], freshRegions[r + 2], null, 0);
    return NEW_S;
  }), NEW_ROUNDS);
  for (const n of single) expect(n, 'size after set new', caches[n].size, n === 'quick-lru' ? caches[n].size : N);
  {
    const newS = {};
    if (HAS_SETMANY) {
      for (const n of single.filter((x) => x.startsWith('TtlCache'))) {
        const f = compile(BODIES.setMany);
        newS[`${n} setMany`] = (r) => {
          notHeld(n, freshBatchRegions[0][r + 2].at(-1));
          sink += f(caches[n], freshBatchRegions[0][r + 2], valBatches[0], 0);
          return NEW_S;
        };
      }
    }
    for (const n of single) {
      const f = compile(BODIES.setLoop);
      newS[`${n} set loop`] = (r) => {
        notHeld(n, freshBatchRegions[1][r + 2].at(-1));
        sink += f(caches[n], freshBatchRegions[1][r + 2], valBatches[0], 0);
        return NEW_S;
      };
    }
    globalThis.gc();
    log(`N=${N}: batch set new (evicting)`);
    batch.setNew = interleave(newS, 2, NEW_ROUNDS);
  }
  for (const n of single) if (n.startsWith('TtlCache')) caches[n].dispose();
  results.sizes[N] = { ops, batch, latency };
  loads.push({ at: `N=${N} end`, loadavg: loadavg() });
}

// ---- memory (fresh processes) --------------------------------------------------------

const memory = [];
{
  const variants = ['TtlCache exact', ...(HAS_RES ? ['TtlCache ttlResolution 1'] : []), 'TtlCache wasm', 'lru-cache ttl', 'lru-cache', 'quick-lru'];
  const RUNS = quick ? 1 : 3; // each variant's children interleaved with the others'; the median of each figure is reported
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  for (let k = 0; k < RUNS; k++) {
    for (const what of variants) {
      log(`memory ${what} N=${MEM_N} (run ${k + 1}/${RUNS})`);
      try {
        const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', self, '--child', what, String(MEM_N)], { encoding: 'utf8' });
        runs[what].push(JSON.parse(out.trim().split('\n').pop()));
      } catch (e) {
        runs[what].push({ what, n: MEM_N, error: e.message.split('\n')[0] });
      }
    }
  }
  for (const what of variants) {
    const ok = runs[what].filter((r) => !r.error);
    if (ok.length === 0) {
      memory.push(runs[what][0]);
      continue;
    }
    const fig = (k) => median(ok.map((r) => r[k]));
    memory.push({
      ...ok[0], runs: ok.length,
      rssPerEntry: fig('rssPerEntry'), heapExtPerEntry: fig('heapExtPerEntry'), peakRssPerEntry: fig('peakRssPerEntry'),
      rssMin: Math.min(...ok.map((r) => r.rssPerEntry)), rssMax: Math.max(...ok.map((r) => r.rssPerEntry)),
      each: ok.map(({ rssPerEntry, heapExtPerEntry, peakRssPerEntry }) => ({ rssPerEntry, heapExtPerEntry, peakRssPerEntry })),
    });
  }
}
loads.push({ at: 'end', loadavg: loadavg() });
source.rebuiltDuringRun = distStamp() !== source.dist;
if (source.rebuiltDuringRun) log('!! dist/api/ttl-cache.js changed during the run: the results mix two builds');

// ---- report ----------------------------------------------------------------------------

const sci = (n) => {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `10^${e}` : String(n);
};
const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e4 ? `${(ns / 1e3).toFixed(1)} µs` : ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));
const fx = (x) => x.toFixed(x >= 10 ? 1 : 2);
const fmtR = (r) => (r === null ? 'n/a' : `${fx(r.ratio)}× (${fx(r.min)}–${fx(r.max)})`);
const cell = (a) => (a ? fmtNs(median(a)) : 'n/a');
const OPS = ['get hit', 'get hit (fresh strings)', 'get miss', 'set update', 'set new (evicting)'];
const EXACT = 'TtlCache exact', RES = 'TtlCache ttlResolution 1', LT = 'lru-cache ttl', L = 'lru-cache', Q = 'quick-lru';

const targets = [];
for (const N of SIZES) {
  const { ops, batch } = results.sizes[N];
  for (const op of ['get hit', 'get miss', 'set update', 'set new (evicting)']) {
    const r = HAS_RES ? ratioOf(ops[op][LT], ops[op][RES]) : null;
    targets.push({ target: `ttlResolution 1: ${op} ≥ 1.0× lru-cache ttl, ${sci(N)}`, measured: fmtR(r), met: r === null ? null : r.ratio >= 1 });
  }
  const g = ratioOf(ops['get hit'][LT], ops['get hit'][EXACT]);
  targets.push({ target: `exact (default): get hit ≥ 0.8× lru-cache ttl, ${sci(N)}`, measured: fmtR(g), met: g.ratio >= 0.8 });
  const gm = HAS_GETMANY ? ratioOf(batch.get[`${LT} get loop`], batch.get[`${EXACT} getMany`]) : null;
  targets.push({ target: `getMany ≥ 3× a loop of lru-cache ttl get, ${sci(N)}`, measured: fmtR(gm), met: gm === null ? null : gm.ratio >= 3 });
  for (const [k, label] of [['setUpdate', 'update'], ['setNew', 'new keys, evicting']]) {
    const sm = HAS_SETMANY ? ratioOf(batch[k][`${LT} set loop`], batch[k][`${EXACT} setMany`]) : null;
    targets.push({ target: `setMany (${label}) ≥ 3× a loop of lru-cache ttl set, ${sci(N)}`, measured: fmtR(sm), met: sm === null ? null : sm.ratio >= 3 });
  }
}
{
  const mine = memory.find((m) => m.what === EXACT && !m.error), peer = memory.find((m) => m.what === LT && !m.error);
  if (mine && peer) targets.push({ target: `RSS/entry at ${sci(MEM_N)} ≤ lru-cache ttl's (TtlCache exact, ${mine.backend})`, measured: `${mine.rssPerEntry.toFixed(0)} vs ${peer.rssPerEntry.toFixed(0)} B`, met: mine.rssPerEntry <= peer.rssPerEntry });
  const lat = results.sizes[SIZES.at(-1)].latency;
  targets.push({ target: `p99.9 single get at ${sci(SIZES.at(-1))} ≤ lru-cache ttl's (TtlCache exact)`, measured: `${lat[EXACT].p999} vs ${lat[LT].p999} ns`, met: lat[EXACT].p999 <= lat[LT].p999 });
}

const md = [];
const backends = Object.entries(backendOf).map(([n, b]) => `${n}: ${b}`).join(', ');
md.push(`Node ${process.version}, TtlCache at ${source.commit ?? '?'}${source.dirty ? ' (modified)' : ''} (its source last changed in ${source.ttlCacheCommit ?? '?'} "${source.subject}…")${source.rebuiltDuringRun ? ' (**dist rebuilt during the run: two builds mixed**)' : ''}, lru-cache ${pkgVersion('lru-cache')}, quick-lru ${pkgVersion('quick-lru')}; backends ${backends}; \`/proc/loadavg\` ${loads[0].loadavg} at the start, ${loads.at(-1).loadavg} at the end (2 vCPUs); \`npm run bench:cache${quick ? ' -- --quick' : ''}\`.`);
md.push(`Keys: 24-char strings (\`prop:<i>:\` padded with \`_\`), values small integers, TTL 24 h. Each cell is the median ns/op over ${ROUNDS} interleaved rounds (the first variant rotating) of ${S} ops each, round r taking quarter r mod 4 of a precomputed pseudo-random array of ${M} keys (sets of new keys: ${NEW_ROUNDS} rounds of ${NEW_S} keys never seen before, so that each sample spans the periodic O(size) rehash a Map does under inserts and deletes); keys are pre-hashed (V8 caches a string's hash, so each implementation meets the same strings); ratio = peer time / TtlCache time (> 1: TtlCache faster), the median's ratio with the min–max of the per-round ratios. "fresh strings" builds the sample's key strings anew before each sample (untimed), as keys parsed off a request would be: no cached hash. quick-lru keeps up to 2 × maxSize entries (two generations of maxSize each), so it holds more than the others at the same maxSize. It also moves a key it reads from the old generation into a new Map, so after the first pass the 2^16-key hot set of the get rows sits in a small, compact Map: its get hit gains from that at 10^6. lru-cache ttl (ttlResolution 1, its default) reads \`performance.now()\` at most once per ms and clears its cached reading from a timer, so inside one synchronous timed loop it reads the clock once; TtlCache exact reads the clock on every call. TtlCache ttlResolution 1 ${HAS_RES ? 'is measured' : 'is n/a: this TtlCache has no ttlResolution option'}; getMany / setMany ${HAS_GETMANY && HAS_SETMANY ? 'are measured' : HAS_GETMANY ? 'getMany measured, setMany n/a' : HAS_SETMANY ? 'setMany measured, getMany n/a' : 'n/a: this TtlCache has neither'}.`);
for (const N of SIZES) {
  const { ops, batch } = results.sizes[N];
  md.push('');
  md.push(`**${sci(N)} entries**, ns/op:`);
  md.push('');
  md.push(`| operation | ${EXACT} | ${RES} | ${LT} | ${L} | ${Q} | ${LT} ÷ exact | ${LT} ÷ res 1 | ${L} ÷ exact | ${Q} ÷ exact |`);
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const op of OPS) {
    const o = ops[op];
    md.push(`| ${op} | ${cell(o[EXACT])} | ${cell(o[RES])} | ${cell(o[LT])} | ${cell(o[L])} | ${cell(o[Q])} | ${fmtR(ratioOf(o[LT], o[EXACT]))} | ${fmtR(ratioOf(o[LT], o[RES]))} | ${fmtR(ratioOf(o[L], o[EXACT]))} | ${fmtR(ratioOf(o[Q], o[EXACT]))} |`);
  }
  md.push('');
  md.push(`**${sci(N)} entries, batches of ${BATCH} keys**, ns/key (a get loop builds its result array, as getMany does):`);
  md.push('');
  md.push(`| operation | implementation | ns/key | ${LT} loop ÷ this | ${L} loop ÷ this |`);
  md.push('|---|---|---:|---:|---:|');
  const loopRef = { get: 'get loop', setUpdate: 'set loop', setNew: 'set loop' };
  const label = { get: 'get hit', setUpdate: 'set update', setNew: 'set new (evicting)' };
  for (const k of ['get', 'setUpdate', 'setNew']) {
    const b = batch[k];
    const many = k === 'get' ? 'getMany' : 'setMany';
    if (!(k === 'get' ? HAS_GETMANY : HAS_SETMANY)) md.push(`| ${label[k]} | TtlCache ${many} | n/a | n/a | n/a |`);
    for (const [name, a] of Object.entries(b)) {
      md.push(`| ${label[k]} | ${name} | ${fmtNs(median(a))} | ${fmtR(ratioOf(b[`${LT} ${loopRef[k]}`], a))} | ${fmtR(ratioOf(b[`${L} ${loopRef[k]}`], a))} |`);
    }
  }
}
{
  const N = SIZES.at(-1);
  const lat = results.sizes[N].latency;
  md.push('');
  md.push(`**Single \`get\` latency at ${sci(N)} entries**, ns, \`process.hrtime.bigint()\` around each of ${LAT_N} hits per implementation (interleaved chunks of ${LAT_CHUNK}; the timer pair's own cost, "timer only", is in every row alike, and its BigInts make the young-generation GCs that show in the tail of every row):`);
  md.push('');
  md.push('| implementation | p50 | p99 | p99.9 | max | mean |');
  md.push('|---|---:|---:|---:|---:|---:|');
  for (const [n, s] of Object.entries(lat)) md.push(`| ${n} | ${s.p50} | ${s.p99} | ${s.p999} | ${fmtNs(s.max)} | ${s.mean.toFixed(0)} |`);
}
md.push('');
md.push(`**Memory at ${sci(MEM_N)} entries** (each in a fresh \`node --expose-gc\`, ${(memory[0]?.runs ?? 1) > 1 ? `${memory[0].runs} children per variant, interleaved; medians, RSS min–max in brackets` : "one child per variant"}; the keys are built before the first snapshot; deltas after 3 gc() calls; peak = highest RSS sampled every 16384 sets, less the start; native and wasm memory counts in RSS, wasm memory also in external, native memory not in V8's numbers):`);
md.push('');
md.push('| variant | backend | size | RSS B/entry | V8 heap+external B/entry | peak RSS B/entry during fill |');
md.push('|---|---|---:|---:|---:|---:|');
for (const m of memory) {
  md.push(m.error ? `| ${m.what} | failed: ${m.error} | | | | |` : `| ${m.what} | ${m.backend ?? '-'} | ${m.size} | ${m.rssPerEntry.toFixed(0)}${m.runs > 1 ? ` (${m.rssMin.toFixed(0)}–${m.rssMax.toFixed(0)})` : ''} | ${m.heapExtPerEntry.toFixed(0)} | ${m.peakRssPerEntry.toFixed(0)} |`);
}
md.push('');
md.push('Targets:');
md.push('');
md.push('| target | measured | met |');
md.push('|---|---|:-:|');
for (const t of targets) md.push(`| ${t.target} | ${t.measured} | ${t.met === null ? 'n/a' : t.met ? 'met' : '**not met**'} |`);
md.push('');
md.push(`Load (\`/proc/loadavg\`): ${loads.map((l) => `${l.at} ${l.loadavg}`).join('; ')}.`);
const text = md.join('\n');

function pkgVersion(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return '?';
  }
}

const base = fileURLToPath(new URL(`./results/cache${quick ? '-quick' : ''}`, import.meta.url));
writeFileSync(`${base}.json`, JSON.stringify({
  node: process.version, quick, source, features, backends: backendOf, loads, rounds: ROUNDS, opsPerSample: S, newKeyRounds: NEW_ROUNDS, newKeysPerSample: NEW_S, keyArray: M, batch: BATCH, keyLength: KEY_LEN, ttlMs: TTL,
  lruCache: pkgVersion('lru-cache'), quickLru: pkgVersion('quick-lru'),
  sizes: results.sizes, memory, targets,
}, (k, v) => (v instanceof Float64Array ? undefined : v), 2));
writeFileSync(`${base}.md`, `${text}\n`);
console.log(`\n${text}`);
if (sink === 0.5) console.log(sink);
