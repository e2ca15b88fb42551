// A fixed, deterministic workload over every kernel and every structure, on
// one tier. Returns one SHA-256 per result (over its exact bytes), so runs in
// different threads can be compared bit for bit.
import { createHash } from 'node:crypto';
import { mulberry32 as rng } from '../../bench/lib/data.mjs';


const f32 = (n, r) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const f64 = (n, r) => Float64Array.from({ length: n }, () => r() * 2 - 1);

/** Bytes of any result: typed arrays as is, numbers as float64, the rest as JSON with numbers as float64 hex. */
function digest(v) {
  const h = createHash('sha256');
  const put = (x) => {
    if (ArrayBuffer.isView(x)) h.update(`${x.constructor.name}:`).update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    else if (typeof x === 'number') h.update(Buffer.from(Float64Array.of(x).buffer));
    else if (Array.isArray(x)) { h.update('['); x.forEach(put); h.update(']'); }
    else if (x && typeof x === 'object') for (const k of Object.keys(x).sort()) { h.update(k); put(x[k]); }
    else h.update(String(x));
  };
  put(v);
  return h.digest('hex');
}

export function workload(hp, tier, scale = 1) {
  hp.setBackend(tier);
  const r = rng(42);
  const out = {};
  const dim = 64, nq = 8, n = 2000 * scale;
  const q = f32(nq * dim, r), m = f32(n * dim, r);
  out.cosineBatch = digest(hp.cosineBatch(q, m, dim));
  out.euclideanBatch = digest(hp.euclideanBatch(q, m, dim));
  for (const metric of ['cosine', 'dot', 'euclidean']) out[`topK.${metric}`] = digest(hp.topK(q.subarray(0, dim), m, dim, 10, { metric }));
  const a32 = f32(10_000, r), b32 = f32(10_000, r), a64 = f64(10_000, r), b64 = f64(10_000, r);
  for (const k of ['dot', 'cosine', 'euclidean']) out[k] = digest([hp[k](a32, b32), hp[k](a64, b64), hp[k](a64.subarray(3), b64.subarray(3))]);
  const ns = 20_000 * scale, ne = 1000;
  const sev = Float64Array.from({ length: ns }, () => r() * 6), conf = Float64Array.from({ length: ns }, () => r());
  const offs = new Uint32Array(ne + 1);
  for (let e = 1; e <= ne; e++) offs[e] = Math.round((e / ne) * ns);
  out.riskScore = digest(hp.riskScore(sev.subarray(0, 500), conf.subarray(0, 500), { maxSeverity: 5 }));
  out.riskScoreBatch = digest(hp.riskScoreBatch(sev, conf, offs, { maxSeverity: 5 }));
  out.temporalDecay = digest(hp.temporalDecay(conf, sev, 3));
  const x = Float64Array.from({ length: 50_000 * scale }, () => (r() - 0.5) * 1000 + (r() < 0.01 ? 1e5 : 0));
  out.stats = digest(hp.stats(x, { ddof: 1 }));
  out.percentiles = digest(hp.percentiles(x, [0, 1, 25, 50, 75, 99, 100]));
  out.movingAverage = digest(hp.movingAverage(x, 17));
  out.outliersIQR = digest(hp.outliersIQR(x));
  out.outliersZScore = digest(hp.outliersZScore(x, { threshold: 2.5 }));
  const texts = Array.from({ length: 200 * scale }, (_, i) => `GET /api/v${i % 7}/user/${Math.floor(r() * 1e6)} \u{1F600}${i}`);
  out.ngramFeatures = digest(hp.ngramFeatures(texts, { n: 3, dims: 256 }));
  out.matmul32 = digest(hp.matmul(f32(64 * 48, r), f32(48 * 80, r), 64, 48, 80));
  out.matmul64 = digest(hp.matmul(f64(64 * 48, r), f64(48 * 80, r), 64, 48, 80));
  // Structures on the same tier.
  {
    const t = new hp.BPlusTree({ keyType: 'number', order: 16, backend: tier });
    const ks = Float64Array.from({ length: 5000 * scale }, () => Math.floor(r() * 1e6) / 8);
    t.setMany(ks, Array.from(ks, (_, i) => i));
    const got = t.getMany(ks.subarray(0, 1000));
    const removed = t.deleteMany(ks.subarray(0, 2000));
    const range = t.range(1000, 50_000, { hiInclusive: true, limit: 500 });
    const all = [...t.keys()];
    out.btreeNum = digest([got, removed, range.flat(), all, t.size, t.checkInvariants() === null ? 1 : 0]);
    t.dispose();
  }
  {
    const t = new hp.BPlusTree({ keyType: 'string', backend: tier });
    const ks = Array.from({ length: 2000 * scale }, (_, i) => `user:${Math.floor(r() * 1e5)}/doc:${i % 97}${i % 5 === 0 ? '\u{1F600}' : '\uE000'}`);
    t.setMany(ks, ks.map((_, i) => i));
    const got = t.getMany(ks.slice(0, 500));
    const removed = t.deleteMany(ks.slice(0, 700));
    const pre = t.prefix('user:1', { limit: 300 });
    const all = [...t.entries()].flat();
    out.btreeStr = digest([got, removed, pre.flat(), all, t.size, t.checkInvariants() === null ? 1 : 0]);
    t.dispose();
  }
  {
    const w = new hp.TimingWheel({ tickMs: 1, wheels: [64, 64, 64], now: 0, backend: tier });
    const delays = Float64Array.from({ length: 5000 * scale }, () => Math.floor(r() * 1e6) / 4);
    const ids = w.scheduleMany(delays, Array.from(delays, (_, i) => i));
    const cancelled = w.cancelMany(ids.filter((_, i) => i % 3 === 0));
    const fired = [];
    for (let t = 0; t <= 300_000; t += 997) fired.push(...w.advance(t));
    out.wheel = digest([ids, cancelled, fired, w.size, w.check() === null ? 1 : 0]);
    w.dispose();
  }
  {
    let now = 0;
    const evicted = [];
    const c = new hp.TtlCache({ maxSize: 500, ttlMs: 50, clock: () => now, autoPurge: false, backend: tier, onEvict: (k, v, why) => evicted.push(`${k}:${why}`) });
    for (let i = 0; i < 3000 * scale; i++) {
      now += r() * 2;
      if (r() < 0.6) c.set(`k${Math.floor(r() * 800)}`, i, r() < 0.2 ? { ttlMs: 200 } : undefined);
      else c.get(`k${Math.floor(r() * 800)}`);
    }
    out.ttlCache = digest([JSON.stringify(c.stats()), [...c.keysLru()].join(), evicted.join(), c.size]);
    c.dispose();
  }
  hp.setBackend('auto');
  return out;
}

/** Big kernel calls and structure batches, for terminating a worker mid-call. */
export function heavyStep(hp, tier, i) {
  hp.setBackend(tier);
  const r = rng(i);
  const dim = 128;
  hp.cosineBatch(f32(16 * dim, r), f32(8000 * dim, r), dim);
  hp.topK(f32(dim, r), f32(10_000 * dim, r), dim, 50);
  hp.matmul(f32(192 * 192, r), f32(192 * 192, r), 192, 192, 192);
  hp.stats(f64(300_000, r));
  const t = new hp.BPlusTree({ keyType: 'number', backend: tier });
  const ks = Float64Array.from({ length: 60_000 }, () => r() * 1e9);
  t.setMany(ks, ks);
  t.getMany(ks);
  t.deleteMany(ks.subarray(0, 30_000));
  const w = new hp.TimingWheel({ backend: tier });
  w.scheduleMany(Float64Array.from({ length: 60_000 }, () => r() * 1e7), new Array(60_000).fill(0));
  w.advance(5e6);
  // Left undisposed on purpose every other step: termination must also reclaim them.
  if (i % 2 === 0) { t.dispose(); w.dispose(); }
}
