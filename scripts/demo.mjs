// npm start: after a from-source build, show what loaded and run each kernel
// on the active tier beside a plain-JS loop.
import * as hp from '../dist/index.js';
import { plainCosine, plainCosineBatch, plainTopK } from '../bench/plain.mjs';
import { randomF32 } from '../bench/data.mjs';

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
const cases = [
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
