// npm start: after a from-source build, show what loaded and run each kernel
// on the active tier beside a plain-JS loop.
import * as hp from '../dist/index.js';
import { plainCosine, plainCosineBatch, plainTopK } from '../bench/lib/plain.mjs';
import { randomF32 } from '../bench/lib/data.mjs';

const b = hp.backend();
const t = hp.topology();
console.log('hotpath demo\n');
for (const [name, s] of Object.entries(b.tiers)) {
  console.log(`  ${name.padEnd(7)} ${s.loaded ? `loaded  simd=${s.simd} threads=${s.threads}${s.path ? `  ${s.path}` : ''}` : `not loaded: ${s.error}`}`);
}
console.log(`  large inputs run on: ${b.largeInputTier}\n`);
console.log(`topology (${t.source}): ${t.logicalCpus} logical CPUs, ${t.physicalCores} cores, ${t.packages} package(s), ` +
  `${t.numaNodes.length} NUMA node(s); L1d ${t.caches.l1d >> 10} KiB, L2 ${t.caches.l2 >> 10} KiB, L3 ${t.caches.l3 >> 10} KiB; ` +
  `affinity ${t.affinityCpus.length} CPUs, cgroup limit ${t.cgroupCpuLimit ?? 'none'}, recommended threads ${t.recommendedThreads}`);
console.log(`SIMD features: ${t.simd.join(' ') || 'none'}\n`);

function time(fn, minMs = 300) {
  fn();
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) { fn(); runs++; }
  return (performance.now() - t0) / runs;
}

const dim = 384, n = 100_000;
const q = randomF32(dim, 1), m = randomF32(n * dim, 2);
const a16 = randomF32(16, 3), b16 = randomF32(16, 4);
const x = Float64Array.from(randomF32(1_000_000, 5), (v) => v * 100);
const e = 200_000, sev = Float64Array.from(randomF32(e * 8, 6), (v) => (v + 1) * 2.5), conf = Float64Array.from(randomF32(e * 8, 7), (v) => (v + 1) / 2);
const offsets = Uint32Array.from({ length: e + 1 }, (_, i) => i * 8);
const plainRisk = () => {
  const out = new Float64Array(e);
  for (let k = 0; k < e; k++) {
    let keep = 1;
    for (let i = offsets[k]; i < offsets[k + 1]; i++) keep *= 1 - Math.min(1, Math.max(0, conf[i])) * Math.min(1, Math.max(0, sev[i] / 5));
    out[k] = 1 - keep;
  }
  return out;
};
const plainPercentiles = () => { const s = Float64Array.from(x).sort(); return [50, 99].map((p) => s[Math.floor((s.length - 1) * p / 100)]); };
const d = 256, ma = randomF32(d * d, 8), mb = randomF32(d * d, 9);
const plainMatmul = () => { const c = new Float32Array(d * d); for (let i = 0; i < d; i++) for (let p = 0; p < d; p++) { const v = ma[i * d + p]; for (let j = 0; j < d; j++) c[i * d + j] += v * mb[p * d + j]; } return c; };
const keys = Float64Array.from(randomF32(200_000, 10), (v, i) => v * 1e6 + i / 1e6);
const tree = hp.BPlusTree.fromSorted(Float64Array.from(keys).sort(), Array.from(keys, (_, i) => i), { keyType: 'number' });
const probes = keys.subarray(0, 10_000);
const jsMap = new Map(Array.from(keys, (k, i) => [k, i]));
const wheelDelays = Float64Array.from(randomF32(100_000, 11), (v) => (v + 1) * 3_600_000);
const cases = [
  [`riskScoreBatch ${e} entities x 8`, () => hp.riskScoreBatch(sev, conf, offsets), plainRisk],
  ['percentiles p50,p99 of 1e6', () => hp.percentiles(x, [50, 99]), plainPercentiles],
  [`matmul ${d}x${d}x${d} f32`, () => hp.matmul(ma, mb, d, d, d), plainMatmul],
  [`wheel 1e5 schedule+cancel`, () => { const w = new hp.TimingWheel(); const ids = w.scheduleMany(wheelDelays, wheelDelays); w.cancelMany(ids); w.dispose(); }, () => { const ts = Array.from(wheelDelays, (d) => setTimeout(Boolean, d)); ts.forEach(clearTimeout); }],
  ['QuantileSketch recordMany 1e6 + p50/p99 vs sort', () => { const s = new hp.QuantileSketch(); s.recordMany(x); const r = s.quantiles([0.5, 0.99]); s.dispose(); return r; }, plainPercentiles],
  [`B+ tree getMany 1e4 (${tree.backend}) vs Map`, () => tree.getMany(probes), () => Array.from(probes, (k) => jsMap.get(k))],
  ['cosine dim=16 (x1000)', () => { for (let i = 0; i < 1000; i++) hp.cosine(a16, b16); }, () => { for (let i = 0; i < 1000; i++) plainCosine(a16, b16); }],
  [`cosineBatch N=${n} dim=${dim}`, () => hp.cosineBatch(q, m, dim), () => plainCosineBatch(q, m, dim)],
  [`topK k=10 N=${n} dim=${dim}`, () => hp.topK(q, m, dim, 10), () => plainTopK(q, m, dim, 10)],
];
console.log(`${'kernel'.padEnd(32)} ${'hotpath'.padStart(10)} ${'plain JS'.padStart(10)}  speed-up`);
for (const [name, fast, plain] of cases) {
  const tf = time(fast), tp = time(plain);
  console.log(`${name.padEnd(32)} ${tf.toFixed(3).padStart(8)}ms ${tp.toFixed(3).padStart(8)}ms  ${(tp / tf).toFixed(2)}x`);
}
const top = hp.topK(q, m, dim, 3);
console.log(`\ntop-3 rows for the query: ${Array.from(top.indices).join(', ')} (scores ${Array.from(top.scores, (s) => s.toFixed(4)).join(', ')})`);
const st = hp.stats(x);
console.log(`stats of 1e6 values: mean ${st.mean.toFixed(4)}, std ${st.std.toFixed(4)}, median ${st.median.toFixed(4)}`);
console.log(`B+ tree on ${tree.backend}: ${tree.size} keys, first ${tree.min()[0].toFixed(3)}, range of 3 from 0: ${tree.range(0, null, { limit: 3 }).map(([k]) => k.toFixed(3)).join(', ')}`);
tree.dispose();
const acl = new hp.PermissionIndex();
acl.grant('role:editor', 'doc:*', '*');
acl.deny('user:13', 'doc:7/*', 'read');
acl.addRole('user:13', 'role:editor');
const why = acl.explain('user:13', 'doc:7/page:1', 'read');
console.log(`PermissionIndex (${acl.backend}): user:13 may write doc:7/page:1: ${acl.check('user:13', 'doc:7/page:1', 'write')}; read: ${why.allowed} (${why.rule.effect} ${why.rule.resource} held by ${why.rule.subject})`);
acl.dispose();
{
  // A 64 → 32 → 1 risk scorer (random weights) over 1024 events in one predict call.
  const mk = (i, o, activation, seed) => ({ weights: randomF32(i * o, seed).map((v) => v / 8), bias: new Float32Array(o), activation });
  const model = new hp.DenseModel([mk(64, 32, 'relu', 11), mk(32, 1, 'sigmoid', 12)]);
  const events = randomF32(1024 * 64, 13);
  model.predict(events, 1024); // first call: scratch and pool warm-up
  const t0 = performance.now();
  const p = model.predict(events, 1024);
  console.log(`DenseModel (${model.backend}): 1024 events scored in ${(performance.now() - t0).toFixed(2)} ms, first ${p[0].toFixed(4)}`);
  model.dispose();
}
const sessions = new hp.TtlCache({ maxSize: 2, ttlMs: 50, onEvict: (k, _v, why) => console.log(`TtlCache (${sessions.backend}): ${k} left, ${why}`) });
sessions.set('alice', 1).set('bob', 2).set('carol', 3);
setTimeout(() => {
  console.log(`after 80 ms: size ${sessions.size}, stats ${JSON.stringify(sessions.stats())}`);
  sessions.dispose();
}, 80);
