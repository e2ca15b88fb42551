// The demo's benchmark: a few kernels on hotpath's wasm tier against the
// plain-JS baselines the Node benchmark matrix uses (bench/lib/plain.mjs).
import * as hp from 'hotpath';
import { naiveMatmul, plainCosineBatch, plainStats, plainTopK } from '../../bench/lib/plain.mjs';
import { randomF32, randomF64 } from '../../bench/lib/data.mjs';

const DIM = 384, ROWS = 10_000, N_STATS = 200_000, MM = 128;

/** The cases: a label for the input and the two contenders, each a thunk. */
export function cases() {
  const q = randomF32(DIM, 1), m = randomF32(ROWS * DIM, 2);
  const x = randomF64(N_STATS, 3, -50, 50);
  const a = randomF32(MM * MM, 4), b = randomF32(MM * MM, 5);
  return [
    { kernel: 'cosineBatch', input: `1 x ${ROWS} x ${DIM} f32`, hotpath: () => hp.cosineBatch(q, m, DIM), plain: () => plainCosineBatch(q, m, DIM) },
    { kernel: 'topK', input: `k=10 of ${ROWS} x ${DIM} f32`, hotpath: () => hp.topK(q, m, DIM, 10), plain: () => plainTopK(q, m, DIM, 10) },
    { kernel: 'stats', input: `${N_STATS / 1000}k f64`, hotpath: () => hp.stats(x), plain: () => plainStats(x) },
    { kernel: 'matmul', input: `${MM}x${MM}x${MM} f32`, hotpath: () => hp.matmul(a, b, MM, MM, MM), plain: () => naiveMatmul(a, b, MM, MM, MM) },
  ];
}

const nextFrame = () => new Promise((r) => setTimeout(r, 0));

/**
 * Median milliseconds per call: a warm-up call, then batches of calls sized
 * to about 20 ms each until `budgetMs` is spent (at least 5 batches).
 */
export async function time(fn, budgetMs = 300) {
  fn();
  let t = performance.now();
  fn();
  const once = Math.max(performance.now() - t, 0.001);
  const perBatch = Math.max(1, Math.round(20 / once));
  const samples = [];
  const start = performance.now();
  while (samples.length < 5 || (performance.now() - start < budgetMs && samples.length < 200)) {
    t = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push((performance.now() - t) / perBatch);
    // Yield so the page stays responsive (and can paint progress).
    if (samples.length % 5 === 0) await nextFrame();
  }
  samples.sort((u, v) => u - v);
  return samples[samples.length >> 1];
}

/** Runs every case with hotpath forced onto `tier`; calls onRow after each. */
export async function runBenchmark(tier, onRow, budgetMs) {
  const rows = [];
  const outer = hp.backend().backend;
  hp.setBackend(tier);
  try {
    for (const c of cases()) {
      await nextFrame();
      const hotpathMs = await time(c.hotpath, budgetMs);
      const plainMs = await time(c.plain, budgetMs);
      const row = { kernel: c.kernel, input: c.input, tier, hotpathMs, plainMs, speedup: plainMs / hotpathMs };
      rows.push(row);
      onRow?.(row, rows);
    }
  } finally {
    hp.setBackend(outer);
  }
  return rows;
}
