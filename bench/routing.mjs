// npm run bench:routing: consistent hashing beside the npm `hashring` package
// (ketama: MD5 points on a sorted ring, the usual pick), in one process:
//  - HashRing.routeMany of 10^6 string keys (~23 chars) over 10 and 100 nodes,
//    per tier and auto, against a loop of hashring.get over the same keys;
//  - route(key) single-key ns/op against hashring.get;
//  - jumpHash of 10^6 keys (BigUint64Array, and strings) against a plain JS loop.
// Ratios are peer time / ours (higher is better for hotpath). Best of several
// runs each. Writes bench/results/routing.json and .md (the README's table).
import { best as bestOf } from './lib/timing.mjs';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import HashRingKetama from 'hashring';
import xxhash from 'xxhash-wasm';
import * as hp from '../dist/index.js';
import { keyHashes, routeKeys } from './lib/cases/kernels.mjs';
import { plainJumpHash } from './lib/plain.mjs';

const quick = process.argv.includes('--quick');
const N = quick ? 200_000 : 1_000_000;
const REPS = quick ? 3 : 5;
const best = (fn, reps = REPS) => bestOf(fn, reps);
const TIERS = ['native', 'wasm', 'js'].filter((t) => hp.backend().tiers[t].loaded);
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');

/** Runs fn with every call on `tier` ('auto' leaves dispatch to the calibration table). */
function on(tier, fn) {
  hp.setBackend(tier);
  try {
    return fn();
  } finally {
    hp.setBackend('auto');
  }
}

const keys = routeKeys(N);
const names = (n) => Array.from({ length: n }, (_, i) => `cache-${i}.internal:11211`);
const rows = [];
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

// --- routeMany vs hashring.get ------------------------------------------------
for (const n of [10, 100]) {
  // hashring's LRU (5000 entries by default) only helps repeated keys; 10^6 distinct keys miss it.
  const ketama = new HashRingKetama(names(n));
  const sink = new Array(N);
  const peer = best(() => { for (let i = 0; i < N; i++) sink[i] = ketama.get(keys[i]); }, Math.min(REPS, 3));
  const ring = new hp.HashRing(names(n));
  for (const tier of ['auto', ...TIERS]) {
    let out;
    const ms = best(() => { out = on(tier, () => ring.routeMany(keys)); }, tier === 'js' ? Math.min(REPS, 3) : REPS);
    if (out.length !== N) throw new Error('routeMany length');
    rows.push({ op: `routeMany ${N} keys, ${n} nodes`, who: `hotpath ${tier}`, ms, ratio: peer / ms });
  }
  rows.push({ op: `routeMany ${N} keys, ${n} nodes`, who: 'hashring (ketama) get loop', ms: peer, ratio: 1 });
}

// --- route(key) single key, ns/op ---------------------------------------------
const SINGLE = quick ? 100_000 : 300_000;
for (const n of [10, 100]) {
  const ketama = new HashRingKetama(names(n));
  const ring = new hp.HashRing(names(n));
  let x = 0;
  const peerNs = (best(() => { for (let i = 0; i < SINGLE; i++) x += ketama.get(keys[i]).length; }) * 1e6) / SINGLE;
  const oursNs = (best(() => { for (let i = 0; i < SINGLE; i++) x += ring.route(keys[i]).length; }) * 1e6) / SINGLE;
  if (x === 0) throw new Error('unreachable');
  rows.push({ op: `route(key), ${n} nodes (ns/op)`, who: 'hotpath auto', ns: oursNs, ratio: peerNs / oursNs });
  rows.push({ op: `route(key), ${n} nodes (ns/op)`, who: 'hashring (ketama) get', ns: peerNs, ratio: 1 });
}

// --- jumpHash ------------------------------------------------------------------
const u64 = keyHashes(N, 7);
const plainMs = best(() => plainJumpHash(u64, 1000), Math.min(REPS, 3));
for (const tier of ['auto', ...TIERS]) {
  const ms = best(() => on(tier, () => hp.jumpHash(u64, 1000)));
  rows.push({ op: `jumpHash ${N} u64 keys, 1000 buckets`, who: `hotpath ${tier}`, ms, ratio: plainMs / ms });
}
rows.push({ op: `jumpHash ${N} u64 keys, 1000 buckets`, who: 'plain JS loop (BigInt)', ms: plainMs, ratio: 1 });
// Strings: hashing is most of the work; the peer is xxhash-wasm's h64 plus the same BigInt loop.
const { h64 } = await xxhash();
const peerStr = best(() => { const h = new BigUint64Array(N); for (let i = 0; i < N; i++) h[i] = h64(keys[i]); plainJumpHash(h, 1000); }, Math.min(REPS, 3));
for (const tier of ['auto', ...TIERS]) {
  const ms = best(() => on(tier, () => hp.jumpHash(keys, 1000)));
  rows.push({ op: `jumpHash ${N} string keys, 1000 buckets`, who: `hotpath ${tier}`, ms, ratio: peerStr / ms });
}
rows.push({ op: `jumpHash ${N} string keys, 1000 buckets`, who: 'xxhash-wasm h64 + plain JS loop', ms: peerStr, ratio: 1 });

const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
const info = hp.backend();
const md = [
  `Node ${process.version}, native ${info.tiers.native.simd ?? '-'} ${info.tiers.native.threads ?? 1} threads, load ${loadBefore} before / ${loadAfter} after; \`npm run bench:routing\`.`,
  `Keys are \`user:<10 digits>:session\` (23 chars); nodes \`cache-<i>.internal:11211\` with equal weights. Ratio = peer time / hotpath time (same row group; > 1 is faster than the peer).`,
  '',
  '| operation | implementation | time | ratio |',
  '|---|---|---:|---:|',
  ...rows.map((r) => `| ${r.op} | ${r.who} | ${r.ns !== undefined ? `${r.ns.toFixed(0)} ns` : `${fmt(r.ms)} ms`} | ${r.ratio.toFixed(1)}× |`),
].join('\n');
writeFileSync(new URL(`./results/routing${quick ? '-quick' : ''}.json`, import.meta.url), JSON.stringify({ node: process.version, load: { before: loadBefore, after: loadAfter }, n: N, rows }, null, 2));
writeFileSync(new URL(`./results/routing${quick ? '-quick' : ''}.md`, import.meta.url), md + '\n');
console.log(`\n${md}`);
