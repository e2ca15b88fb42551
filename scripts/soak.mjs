#!/usr/bin/env node
// Soak: memory over long runs, against the built package (npm run build:ts).
//   node --expose-gc scripts/soak.mjs [--quick]
// Phase 1: 10^5 create/dispose cycles per structure (BPlusTree number and
// string keys, TimingWheel, TtlCache) per tier (js, wasm, native).
// Phase 2: 10^4 large kernel calls (cosineBatch, topK, matmul, stats,
// riskScoreBatch, ngramFeatures at ~10^5-10^6 elements), across the tiers.
// Prints RSS and wasm linear memory at the start and end of each phase as a
// table. --quick runs 10x fewer cycles and calls.
import { fileURLToPath } from 'node:url';
import { mulberry32 as rng } from '../bench/lib/data.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');
const hp = await import(`${ROOT}dist/index.js`);
const { wasmMemoryBytes } = await import(`${ROOT}dist/tiers/wasm/index.js`);
const CYCLES = quick ? 10_000 : 100_000;
const CALLS = quick ? 1_000 : 10_000;
const TIERS = ['js', 'wasm', 'native'].filter((t) => hp.backend().tiers[t].loaded);
if (!globalThis.gc) console.error('soak: run with node --expose-gc for settled figures');

const MiB = 2 ** 20;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 10)); // lets FinalizationRegistry callbacks run
  }
};
const mem = () => ({ rss: process.memoryUsage().rss, wasm: wasmMemoryBytes() });
const rows = [];

async function phase(name, n, body) {
  await settle();
  const a = mem();
  const t = performance.now();
  for (let i = 0; i < n; i++) body(i);
  const secs = (performance.now() - t) / 1000;
  await settle();
  const b = mem();
  rows.push({ name, n, a, b, secs });
  process.stderr.write(`soak: ${name} done in ${secs.toFixed(1)} s\n`);
}


const start = mem();
for (const tier of TIERS) {
  await phase(`BPlusTree number, ${tier}`, CYCLES, (i) => {
    const t = new hp.BPlusTree({ keyType: 'number', backend: tier });
    t.set(i, i);
    t.setMany([i + 1, i + 2, i + 3], [1, 2, 3]);
    t.dispose();
  });
  await phase(`BPlusTree string, ${tier}`, CYCLES, (i) => {
    const t = new hp.BPlusTree({ keyType: 'string', backend: tier });
    t.set(`key:${i}`, i);
    t.setMany(['a', 'b', `c${i}`], [1, 2, 3]);
    t.dispose();
  });
  await phase(`TimingWheel, ${tier}`, CYCLES, (i) => {
    const w = new hp.TimingWheel({ backend: tier });
    w.schedule(i % 1000, i);
    w.scheduleMany([1, 2, 3], [1, 2, 3]);
    w.dispose();
  });
  await phase(`TtlCache, ${tier}`, CYCLES, (i) => {
    const c = new hp.TtlCache({ maxSize: 16, ttlMs: 1000, autoPurge: false, backend: tier });
    c.set(`k${i}`, i);
    c.get(`k${i}`);
    c.dispose();
  });
}

// Inputs built once; calls rotate over kernels and tiers (js on 1 in 8 calls: it is the slow one).
const r = rng(7);
const f32 = (n) => Float32Array.from({ length: n }, () => r() * 2 - 1);
const f64 = (n) => Float64Array.from({ length: n }, () => r() * 2 - 1);
const dim = 128;
const q = f32(4 * dim), m = f32(2000 * dim); // 256k elements
const m2 = f32(4000 * dim); // 512k elements
const ma = f32(256 * 256), mb = f32(256 * 256);
const x = f64(1_000_000);
const sev = Float64Array.from({ length: 500_000 }, () => r() * 5), conf = Float64Array.from({ length: 500_000 }, () => r());
const offs = new Uint32Array(10_001);
for (let e = 1; e <= 10_000; e++) offs[e] = e * 50;
const texts = Array.from({ length: 2000 }, (_, i) => `GET /api/v${i % 9}/items/${i * 7919} HTTP/1.1 user-agent ${i % 13}`); // ~10^5 chars
const KERNEL_CALLS = [
  () => hp.cosineBatch(q, m, dim),
  () => hp.topK(q.subarray(0, dim), m2, dim, 20),
  () => hp.matmul(ma, mb, 256, 256, 256),
  () => hp.stats(x),
  () => hp.riskScoreBatch(sev, conf, offs),
  () => hp.ngramFeatures(texts, { dims: 512 }),
];
const ACCEL = TIERS.filter((t) => t !== 'js');
await phase(`kernels (${KERNEL_CALLS.length} kinds, ${[...ACCEL, 'js 1/8'].join(', ')})`, CALLS, (i) => {
  const tier = i % 8 === 7 || ACCEL.length === 0 ? 'js' : ACCEL[i % ACCEL.length];
  hp.setBackend(tier);
  KERNEL_CALLS[i % KERNEL_CALLS.length]();
});
hp.setBackend('auto');
const end = mem();

const fmt = (b) => (b / MiB).toFixed(1).padStart(8);
const sd = (b) => `${b >= 0 ? '+' : ''}${(b / MiB).toFixed(1)}`.padStart(8);
console.log(`hotpath soak${quick ? ' (--quick)' : ''}: ${CYCLES} create/dispose cycles per structure per tier, ${CALLS} kernel calls; memory in MiB after gc`);
console.log(`${'phase'.padEnd(40)} ${'count'.padStart(7)} ${'rss start'.padStart(9)} ${'rss end'.padStart(8)} ${'Δrss'.padStart(8)} ${'wasm start'.padStart(10)} ${'wasm end'.padStart(8)} ${'Δwasm'.padStart(8)} ${'s'.padStart(6)}`);
for (const w of rows) {
  console.log(`${w.name.padEnd(40)} ${String(w.n).padStart(7)} ${fmt(w.a.rss).padStart(9)} ${fmt(w.b.rss)} ${sd(w.b.rss - w.a.rss)} ${fmt(w.a.wasm).padStart(10)} ${fmt(w.b.wasm)} ${sd(w.b.wasm - w.a.wasm)} ${w.secs.toFixed(1).padStart(6)}`);
}
console.log(`${'whole run'.padEnd(40)} ${''.padStart(7)} ${fmt(start.rss).padStart(9)} ${fmt(end.rss)} ${sd(end.rss - start.rss)} ${fmt(start.wasm).padStart(10)} ${fmt(end.wasm)} ${sd(end.wasm - start.wasm)}`);
