#!/usr/bin/env node
// The WebGPU tier against the native tier, side by side in one run:
//   cosineBatch, dim 384, Q = 1 and 64 queries against N = 1e5 and 1e6 rows;
//   matmul 1024^3 and 4096^3 (f32).
// GPU time is split into upload, encode (host work before submit), GPU
// (submit to idle: transfers, dispatches, copy to staging) and readback (map
// and copy out), for a matrix sent with each call and for one kept resident.
// Then gpu.calibrate() measures the CPU/GPU cutoff per kernel on this device.
// Writes bench/results/gpu.{json,md}. A case whose GPU run is predicted to
// take longer than --max-seconds (default 60) is skipped and marked so.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as hp from '../dist/index.js';
import { randomF32 } from './lib/data.mjs';
import { describeMachine } from './lib/matrix.mjs';

// Without a GPU, Dawn's software adapter is SwiftShader's Vulkan driver, found as the test suite finds it (npm-provided, else the system's); a set VK_ICD_FILENAMES wins.
(await import('../scripts/chromium.mjs')).withGpuEnvironment();
const args = process.argv.slice(2);
const maxSeconds = Number(args[args.indexOf('--max-seconds') + 1] || 60);
const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'bench/results/gpu';

const g = await hp.gpu.init({ calibrate: false });
if (!g.available) {
  console.error(`bench:gpu: no GPU: ${g.reason}`);
  process.exit(1);
}
const info = g.adapterInfo;
console.log(`adapter: ${info.description || info.device} (${info.vendor}/${info.architecture})${info.isFallbackAdapter ? ' [fallback/software adapter]' : ''}`);
const cpuTier = hp.backend().tiers.native.loaded ? 'native' : 'wasm';
console.log(`CPU tier: ${cpuTier}; ${hp.backend().tiers[cpuTier].threads} threads, ${hp.backend().tiers[cpuTier].simd}`);

/** Median ms of `fn` over up to 5 runs within ~3 s, after one warm-up. */
async function time(fn, onRun = () => {}) {
  await fn();
  const t = [], parts = [];
  const t0 = performance.now();
  while (t.length < 5 && (t.length === 0 || performance.now() - t0 < 3000)) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
    parts.push(onRun());
  }
  const order = t.map((v, i) => i).sort((a, b) => t[a] - t[b]);
  const mid = order[order.length >> 1];
  return { ms: t[mid], runs: t.length, parts: parts[mid] };
}

const profiled = async (fn) => {
  g.profile = true;
  try {
    return await time(fn, () => ({ ...g.lastTimings }));
  } finally {
    g.profile = false;
  }
};

const rows = [];
let msPerWork = null; // GPU ms per work unit from the last case, to predict the next
function predictOk(kind, work) {
  if (msPerWork?.[kind] === undefined) return true;
  const s = (msPerWork[kind] * work) / 1000;
  return s <= maxSeconds ? true : `skipped: predicted ${s.toFixed(0)} s per GPU call on this adapter (> --max-seconds ${maxSeconds})`;
}

for (const n of [100_000, 1_000_000]) {
  const dim = 384;
  const m = randomF32(n * dim, 2);
  let resident = null, uploadMs = null;
  for (const q of [1, 64]) {
    const queries = randomF32(q * dim, 1);
    const work = hp.KERNELS.cosineBatch.work(queries, m, dim);
    const name = `cosineBatch Q=${q} N=${n.toExponential(0)} dim=${dim}`;
    const ok = predictOk('cos', work);
    hp.setBackend(cpuTier);
    const cpu = await time(() => hp.cosineBatch(queries, m, dim));
    hp.setBackend('auto');
    if (ok !== true) {
      rows.push({ name, work, cpuMs: cpu.ms, skipped: ok });
      console.log(`${name}: ${cpuTier} ${cpu.ms.toFixed(1)} ms; GPU ${ok}`);
      continue;
    }
    const sent = await profiled(() => g.cosineBatch(queries, m, dim));
    if (resident === null) {
      const t0 = performance.now();
      resident = await g.upload(m, dim);
      uploadMs = performance.now() - t0;
    }
    const kept = await profiled(() => g.cosineBatch(queries, resident));
    msPerWork = { ...msPerWork, cos: kept.ms / work };
    rows.push({ name, work, cpuMs: cpu.ms, gpuMs: sent.ms, gpuParts: sent.parts, uploadMs, residentMs: kept.ms, residentParts: kept.parts });
    console.log(`${name}: ${cpuTier} ${cpu.ms.toFixed(1)} ms; GPU ${sent.ms.toFixed(1)} ms sent, ${kept.ms.toFixed(1)} ms resident (upload ${uploadMs.toFixed(0)} ms once)`);
  }
  resident?.destroy();
}

for (const s of [1024, 4096]) {
  const a = randomF32(s * s, 3), b = randomF32(s * s, 4);
  const work = hp.KERNELS.matmul.work(a, b, s, s, s);
  const name = `matmul ${s}^3 f32`;
  hp.setBackend(cpuTier);
  const cpu = await time(() => hp.matmul(a, b, s, s, s));
  hp.setBackend('auto');
  const ok = predictOk('mm', work);
  if (ok !== true) {
    rows.push({ name, work, cpuMs: cpu.ms, skipped: ok });
    console.log(`${name}: ${cpuTier} ${cpu.ms.toFixed(1)} ms; GPU ${ok}`);
    continue;
  }
  const gp = await profiled(() => g.matmul(a, b, s, s, s));
  msPerWork = { ...msPerWork, mm: gp.ms / work };
  rows.push({ name, work, cpuMs: cpu.ms, gpuMs: gp.ms, gpuParts: gp.parts, gflops: { cpu: (2 * work) / cpu.ms / 1e6, gpu: (2 * work) / gp.ms / 1e6 } });
  console.log(`${name}: ${cpuTier} ${cpu.ms.toFixed(1)} ms (${((2 * work) / cpu.ms / 1e6).toFixed(1)} GFLOP/s); GPU ${gp.ms.toFixed(1)} ms (${((2 * work) / gp.ms / 1e6).toFixed(1)} GFLOP/s)`);
}

console.log('measuring cutoffs (gpu.calibrate())...');
const cutoffs = await g.calibrate();
await g.dispose();

const fmt = (v) => (v === undefined || v === null ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const split = (p) => (p ? `${fmt(p.encodeMs)} / ${fmt(p.gpuMs)} / ${fmt(p.readbackMs)}` : '');
const machine = describeMachine(hp);
const lines = [
  `Adapter: **${info.description || info.device}** (${info.vendor}/${info.architecture}${info.isFallbackAdapter ? ', fallback adapter: software, not GPU speed' : ''}), via ${info.via}. CPU tier: ${cpuTier} on ${machine.cpu ?? ''}. ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `| case | ${cpuTier} ms | GPU ms, matrix sent | encode / GPU / readback | GPU ms, resident | encode / GPU / readback | upload ms (once) | GPU vs ${cpuTier} (resident) |`,
  '|---|---:|---:|---|---:|---|---:|---:|',
  ...rows.map((r) => r.skipped
    ? `| ${r.name} | ${fmt(r.cpuMs)} | ${r.skipped} | | | | | |`
    : `| ${r.name} | ${fmt(r.cpuMs)} | ${fmt(r.gpuMs)} | ${split(r.gpuParts)} | ${fmt(r.residentMs)} | ${split(r.residentParts)} | ${fmt(r.uploadMs)} | ${(r.cpuMs / (r.residentMs ?? r.gpuMs)).toFixed(2)}x |`),
  '',
  '| kernel | cutoff (work units) | CPU ms at the two sizes | GPU ms at the two sizes |',
  '|---|---:|---|---|',
  ...Object.entries(cutoffs).map(([k, c]) => `| ${k} | ${c.work === Infinity ? 'never (GPU slower at both sizes, no crossing within 16x)' : c.work.toLocaleString('en-US')} | ${c.sizes[0].toExponential(1)}: ${fmt(c.cpuMs[0])}, ${c.sizes[1].toExponential(1)}: ${fmt(c.cpuMs[1])} | ${fmt(c.gpuMs[0])}, ${fmt(c.gpuMs[1])} |`),
];
mkdirSync('bench/results', { recursive: true });
writeFileSync(`${out}.json`, JSON.stringify({ schema: 1, date: new Date().toISOString(), adapter: info, machine, cpuTier, rows, cutoffs }, (k, v) => (v === Infinity ? 'Infinity' : v), 2));
writeFileSync(`${out}.md`, lines.join('\n') + '\n');
console.log('\n' + lines.join('\n'));
console.log(`\nwrote ${out}.json and ${out}.md`);
