// npm run bench:model [-- --quick]: DenseModel beside TensorFlow.js, side by
// side in one process, on the issue's scorer: an MLP 256 → 512 → 512 → 1
// (relu, relu, sigmoid), the same weights everywhere, loaded once (untimed).
//  - predict at batch 1, 32, 128, 1024: hotpath on native and wasm (f32 and
//    f16 weights) and js, a hand-chained `matmul` baseline (matmul per layer,
//    bias and activation in JS), @tensorflow/tfjs-backend-cpu and
//    @tensorflow/tfjs-backend-wasm (model.predict + dataSync);
//  - f16's error beside f32 (max over outputs of |f16 - f32| / scale, the
//    scale the accuracy contract uses);
//  - the WebGPU tier (GpuModel.predict) on whatever adapter gpu.init() finds,
//    said plainly when it is the software one;
//  - modelBatcher against direct predict(x, 1) calls under the batcher
//    bench's open-loop load generator.
// Rounds are interleaved (each contender once per round, the order rotating);
// a cell is the median µs per call over the rounds, a ratio peer median /
// hotpath median (> 1: hotpath faster). Writes bench/results/model.{json,md}.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { DenseModel, backend, gpu, matmul, modelBatcher, setBackend } from '../dist/index.js';
import { mulberry32 } from './lib/data.mjs';
import { openLoop } from './lib/load.mjs';

const quick = process.argv.includes('--quick');
// Without a GPU, Dawn's software adapter is SwiftShader's Vulkan driver, found as the test suite finds it (npm-provided, else the system's); a set VK_ICD_FILENAMES wins.
(await import('../scripts/chromium.mjs')).withGpuEnvironment();
// Each sample starts after a full GC (node --expose-gc), so one contender's garbage is not collected on another's time.
const out = new URL('./results/', import.meta.url);
mkdirSync(out, { recursive: true });
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();
const loads = [{ at: 'start', loadavg: loadavg() }];
const pkgVersion = (p) => JSON.parse(readFileSync(new URL(`../node_modules/${p}/package.json`, import.meta.url), 'utf8')).version;

const DIMS = [256, 512, 512, 1];
const ACTS = ['relu', 'relu', 'sigmoid'];
const BATCHES = [1, 32, 128, 1024];
const ROUNDS = quick ? 5 : 15;
const MACS = DIMS.slice(1).reduce((s, d, i) => s + DIMS[i] * d, 0);

const rnd = mulberry32(42);
const layers = ACTS.map((activation, i) => {
  const inDim = DIMS[i];
  const outDim = DIMS[i + 1];
  const s = Math.sqrt(6 / (inDim + outDim)); // Glorot uniform, as Keras initialises
  return { weights: new Float32Array(inDim * outDim).map(() => (rnd() * 2 - 1) * s), bias: new Float32Array(outDim).map(() => (rnd() - 0.5) * 0.1), activation };
});
const inputs = new Float32Array(DIMS[0] * Math.max(...BATCHES)).map(() => rnd() * 2 - 1);
const rowsOf = (b) => inputs.subarray(0, b * DIMS[0]);

// hotpath contenders.
const loaded = backend().tiers;
const models = {};
for (const tier of ['native', 'wasm', 'js']) {
  if (!loaded[tier].loaded) continue;
  for (const precision of tier === 'js' ? ['f32'] : ['f32', 'f16']) models[`hotpath ${tier} ${precision}`] = new DenseModel(layers, { backend: tier, precision });
}
const ref = models['hotpath native f32'] ?? models['hotpath wasm f32'];

// The hand-chained baseline: what a user writes with matmul alone.
const act = { relu: (v) => (v > 0 ? v : 0), sigmoid: (v) => 1 / (1 + Math.exp(-v)) };
function chained(x, b) {
  let h = x;
  layers.forEach((l, i) => {
    const n = DIMS[i + 1];
    const z = matmul(h, l.weights, b, DIMS[i], n);
    const f = act[l.activation];
    for (let r = 0; r < b; r++) for (let j = 0; j < n; j++) z[r * n + j] = f(z[r * n + j] + l.bias[j]);
    h = z;
  });
  return h;
}

// TensorFlow.js: one model per backend, weights set once.
async function tfModel(name) {
  await tf.setBackend(name);
  await tf.ready();
  const m = tfl.sequential();
  ACTS.forEach((activation, i) => m.add(tfl.layers.dense({ units: DIMS[i + 1], activation, ...(i === 0 ? { inputShape: [DIMS[0]] } : {}) })));
  m.setWeights(layers.flatMap((l, i) => [tf.tensor2d(l.weights, [DIMS[i], DIMS[i + 1]]), tf.tensor1d(l.bias)]));
  return m;
}
const tfBackends = {};
for (const name of ['cpu', 'wasm']) tfBackends[name] = await tfModel(name);
const tfWasmThreads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
const tfWasmSimd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');

const contenders = {};
for (const [name, m] of Object.entries(models)) contenders[name] = { run: (x, b) => m.predict(x, b) };
contenders['matmul chain (auto)'] = { run: chained };
for (const [name, m] of Object.entries(tfBackends)) {
  contenders[`tfjs-${name}`] = {
    before: () => tf.setBackend(name),
    run: (x, b) => tf.tidy(() => m.predict(tf.tensor2d(x, [b, DIMS[0]])).dataSync()),
  };
}

/** µs per call of `run` over about `ms` of calls (at least 2). */
function time(run, x, b, ms) {
  run(x, b);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    run(x, b);
    n++;
    t = performance.now();
  } while (t - t0 < ms || n < 2);
  return ((t - t0) * 1000) / n;
}

// Agreement first: every contender's output against the reference at batch 32.
const agree = {};
{
  const x = rowsOf(32);
  for (const [name, c] of Object.entries(contenders)) {
    await c.before?.();
    const got = c.run(x, 32);
    const want = ref.predict(x, 32);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    agree[name] = worst;
  }
}

const rows = [];
for (const b of BATCHES) {
  const x = rowsOf(b);
  const names = Object.keys(contenders).filter((n) => !(n === 'hotpath js f32' && b > 128));
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const ms = quick ? 40 : 80;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + round) % names.length];
      await contenders[n].before?.();
      globalThis.gc?.();
      samples[n].push(time(contenders[n].run, x, b, ms));
    }
  }
  const med = (a) => a.slice().sort((p, q) => p - q)[a.length >> 1];
  for (const n of names) rows.push({ batch: b, contender: n, us: med(samples[n]), samples: samples[n] });
  loads.push({ at: `batch ${b}`, loadavg: loadavg() });
  console.log(`batch ${b}: ${names.map((n) => `${n} ${med(samples[n]).toFixed(1)} µs`).join(' | ')}`);
}

// f16 error beside f32 on 1024 rows: |f16 - f32| over the contract's natural scale (sum of |terms| per layer).
function scales(x, b) {
  let s = new Float64Array(b * DIMS[0]).map((_, i) => Math.abs(x[i]));
  let h = Float64Array.from(x);
  layers.forEach((l, li) => {
    const [k, n] = [DIMS[li], DIMS[li + 1]];
    const z = new Float64Array(b * n);
    const zs = new Float64Array(b * n);
    for (let r = 0; r < b; r++) {
      for (let j = 0; j < n; j++) {
        z[r * n + j] = l.bias[j];
        zs[r * n + j] = Math.abs(l.bias[j]);
      }
      for (let t = 0; t < k; t++) {
        const xv = h[r * k + t];
        const sv = s[r * k + t];
        for (let j = 0; j < n; j++) {
          const w = l.weights[t * n + j];
          z[r * n + j] += xv * w;
          zs[r * n + j] += sv * Math.abs(w);
        }
      }
    }
    const f = act[l.activation];
    const slope = l.activation === 'sigmoid' ? 0.25 : 1;
    for (let i = 0; i < z.length; i++) {
      z[i] = f(z[i]);
      zs[i] = zs[i] * slope + Math.abs(z[i]);
    }
    h = z;
    s = zs;
  });
  return s;
}
const f16err = {};
{
  const b = 256;
  const x = rowsOf(b);
  const sc = scales(x, b);
  for (const tier of ['native', 'wasm']) {
    const a = models[`hotpath ${tier} f32`];
    const c = models[`hotpath ${tier} f16`];
    if (!a || !c) continue;
    const p = a.predict(x, b);
    const q = c.predict(x, b);
    let rel = 0;
    let abs = 0;
    for (let i = 0; i < p.length; i++) {
      rel = Math.max(rel, Math.abs(p[i] - q[i]) / sc[i]);
      abs = Math.max(abs, Math.abs(p[i] - q[i]));
    }
    f16err[tier] = { maxRelToScale: rel, maxAbs: abs };
  }
}

// The WebGPU tier.
// Calibrate only matmul's cutoff (what predictAsync routes by); the other kernels are not used here.
const g = await gpu.init({ cutoffs: { cosineBatch: Infinity, euclideanBatch: Infinity, topK: Infinity, riskScoreBatch: Infinity, temporalDecay: Infinity, stats: Infinity } });
const cutoff = g.available ? g.cutoffs.matmul : null;
const gpuRows = [];
let gpuNote = g.available ? `${g.adapterInfo?.vendor ?? '?'} ${g.adapterInfo?.architecture ?? ''} ${g.adapterInfo?.description ?? ''}`.trim() : `no adapter: ${g.reason}`;
const software = g.available && /swiftshader|llvmpipe|software/i.test(JSON.stringify(g.adapterInfo));
if (g.available) {
  const gm = await ref.toGpu(g);
  for (const b of BATCHES) {
    const x = rowsOf(b);
    await gm.predict(x, b);
    const per = [];
    for (let r = 0; r < (quick ? 3 : 5); r++) {
      const t0 = performance.now();
      let n = 0;
      do {
        await gm.predict(x, b);
        n++;
      } while (performance.now() - t0 < 100 || n < 2);
      per.push(((performance.now() - t0) * 1000) / n);
    }
    gpuRows.push({ batch: b, us: per.sort((p, q) => p - q)[per.length >> 1] });
  }
  gm.dispose();
}
await g.dispose();

// modelBatcher vs direct predict(x, 1) under open-loop load.
const batchRows = [];
{
  const pool = Array.from({ length: 1024 }, (_, i) => inputs.subarray((i % 1024) * DIMS[0], (i % 1024 + 1) * DIMS[0]));
  const direct1 = ref.predict(pool[0], 1);
  void direct1;
  const rates = quick ? [2000, 20000] : [2000, 10000, 40000];
  const ms = quick ? 600 : 1500;
  for (const rate of rates) {
    const run = {
      'direct predict(x, 1)': () => (x) => Promise.resolve(ref.predict(x, 1)),
      'modelBatcher (ucb)': () => {
        const b = modelBatcher(ref, { targetP99Ms: 5, maxQueue: 1e7 });
        return (x) => b.submit(x);
      },
    };
    for (const [who, make] of Object.entries(run)) {
      await openLoop(make(), pool, { rate, ms: 200 });
      const rs = [];
      for (let rep = 0; rep < (quick ? 1 : 3); rep++) rs.push(await openLoop(make(), pool, { rate, ms, seed: rep + 1 }));
      const r = rs.sort((a, c) => a.throughput - c.throughput)[rs.length >> 1];
      batchRows.push({ contender: who, ...r });
      console.log(`batcher ${who} offered ${rate}/s -> ${r.throughput.toFixed(0)}/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`);
    }
  }
}
loads.push({ at: 'end', loadavg: loadavg() });
setBackend('auto');

// Report.
const med = (b, n) => rows.find((r) => r.batch === b && r.contender === n)?.us;
const minmax = (b, peer, mine) => {
  const p = rows.find((r) => r.batch === b && r.contender === peer)?.samples;
  const m = rows.find((r) => r.batch === b && r.contender === mine)?.samples;
  if (!p || !m) return '';
  const rs = p.map((v, i) => v / m[i]).sort((a, c) => a - c);
  return ` (${rs[0].toFixed(2)}–${rs.at(-1).toFixed(2)})`;
};
const fmt = (v) => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v.toFixed(1)} µs`);
const gflops = (b, us) => ((2 * MACS * b) / (us * 1e3)).toFixed(1);
const md = [];
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim() + (execFileSync('git', ['status', '--porcelain', 'ts', 'native/src', 'asm/assembly', 'gpu-shaders'], { encoding: 'utf8' }).trim() ? ' (modified)' : '');
  } catch {
    return '?';
  }
})();
md.push(`Node ${process.version}, @tensorflow/tfjs-core ${pkgVersion('@tensorflow/tfjs-core')} (cpu backend; wasm backend ${tfWasmSimd ? 'SIMD' : 'no SIMD'}, ${tfWasmThreads ? 'threaded' : 'one thread'}); hotpath native ${backend().tiers.native.simd}, ${backend().tiers.native.threads} threads; wasm ${backend().tiers.wasm.simd}; git ${commit}; \`/proc/loadavg\` ${loads[0].loadavg} at the start, ${loads.at(-1).loadavg} at the end (2 vCPUs); \`npm run bench:model${quick ? ' -- --quick' : ''}\`, ${ROUNDS} interleaved rounds.`);
md.push('');
md.push(`MLP ${DIMS.join(' → ')} (${ACTS.join(', ')}), ${MACS} multiply-adds per row. Median time per predict call (GFLOP/s):`);
md.push('');
const names = Object.keys(contenders);
md.push(`| batch | ${names.join(' | ')} |`);
md.push(`|---|${names.map(() => '---:').join('|')}|`);
for (const b of BATCHES) md.push(`| ${b} | ${names.map((n) => (med(b, n) === undefined ? '—' : `${fmt(med(b, n))} (${gflops(b, med(b, n))})`)).join(' | ')} |`);
md.push('');
md.push('Ratios, peer median / hotpath median (> 1: hotpath faster), with the min–max of the per-round ratios:');
md.push('');
const mine = names.filter((n) => n.startsWith('hotpath') && !n.includes(' js '));
md.push(`| batch | ${mine.map((n) => `tfjs-wasm / ${n.slice(8)}`).join(' | ')} | tfjs-cpu / native f32 | matmul chain / native f32 |`);
md.push(`|---|${mine.map(() => '---:').join('|')}|---:|---:|`);
for (const b of BATCHES) {
  const r = (peer, m) => (med(b, peer) && med(b, m) ? `${(med(b, peer) / med(b, m)).toFixed(2)}×${minmax(b, peer, m)}` : '—');
  md.push(`| ${b} | ${mine.map((n) => r('tfjs-wasm', n)).join(' | ')} | ${r('tfjs-cpu', 'hotpath native f32')} | ${r('matmul chain (auto)', 'hotpath native f32')} |`);
}
md.push('');
md.push(`Largest difference from hotpath native f32 at batch 32: ${Object.entries(agree).map(([n, v]) => `${n} ${v.toExponential(1)}`).join(', ')}.`);
md.push(`f16 weights beside f32 (256 rows): ${Object.entries(f16err).map(([t, e]) => `${t} max |f16 − f32| ${e.maxAbs.toExponential(2)}, ${e.maxRelToScale.toExponential(2)} of the output's scale`).join('; ')}.`);
md.push('');
md.push(`WebGPU tier (GpuModel.predict, weights resident, one readback per call) on ${gpuNote}${software ? ' — **the SwiftShader software adapter (CPU), not a GPU**' : ''}; the matmul cutoff gpu.init() measured there, which predictAsync routes by: ${cutoff ? `${cutoff.work} multiply-adds (${cutoff.source})` : '—'}:`);
md.push('');
md.push(`| batch | ${BATCHES.join(' | ')} |`);
md.push(`|---|${BATCHES.map(() => '---:').join('|')}|`);
md.push(`| webgpu | ${BATCHES.map((b) => fmt(gpuRows.find((r) => r.batch === b)?.us)).join(' | ')} |`);
md.push(`| native f32 | ${BATCHES.map((b) => fmt(med(b, 'hotpath native f32'))).join(' | ')} |`);
md.push('');
md.push('modelBatcher against direct `predict(x, 1)` calls, open-loop Poisson arrivals (the batcher bench\'s generator; latency from scheduled arrival):');
md.push('');
md.push('| offered/s | contender | throughput/s | p50 | p99 |');
md.push('|---:|---|---:|---:|---:|');
for (const r of batchRows) md.push(`| ${r.offered} | ${r.contender} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(2)} ms | ${r.p99.toFixed(2)} ms |`);
md.push('');
md.push(`Load (\`/proc/loadavg\`): ${loads.map((l) => `${l.at} ${l.loadavg}`).join('; ')}.`);
const base = quick ? 'model-quick' : 'model';
writeFileSync(new URL(`${base}.json`, out), JSON.stringify({ node: process.version, loads, rows, agree, f16err, gpu: { adapter: gpuNote, software, cutoff, rows: gpuRows }, batcher: batchRows }, null, 1));
writeFileSync(new URL(`${base}.md`, out), md.join('\n') + '\n');
console.log(md.join('\n'));
process.exit(0);
