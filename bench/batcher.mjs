// node bench/batcher.mjs [--quick] — an open-loop load generator for the
// AdaptiveBatcher (npm run bench:batcher builds first and puts the table in
// the README). Arrivals are Poisson (in bursts for the tiny kernel), issued
// on schedule whether or not earlier requests finished; latency runs from
// each request's scheduled arrival, so time a request spent waiting behind a
// blocked event loop counts (no coordinated omission). Contenders, in one
// process and one run: direct calls, DataLoader into the batch kernel, a
// fixed-size batcher, AIMD and UCB, over the same kernel calls.
//
// Writes bench/results/batcher.{json,md} and batcher-rate-change.svg (the
// batch size UCB chooses when the arrival rate steps tenfold).
import { writeFileSync, mkdirSync } from 'node:fs';
import DataLoader from 'dataloader';
import { AdaptiveBatcher } from '../dist/index.js';
import { riskRuns, topKRuns } from '../dist/api/kernel-batchers.js';
import { openLoop } from './lib/load.mjs';
import { mulberry32, randomF32 } from './lib/data.mjs';

const quick = process.argv.includes('--quick');
// --only topk|risk|step runs one part (for tuning; the report needs all three).
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const wants = (part) => only === undefined || only === part;
const out = new URL('./results/', import.meta.url);
mkdirSync(out, { recursive: true });

let lastUcb = null;
function contenders({ run, runOne, targetP99Ms, maxBatch, fixed }) {
  return {
    direct: () => (x) => Promise.resolve(runOne(x)),
    dataloader: () => {
      const dl = new DataLoader((xs) => Promise.resolve(Array.from(run(xs))), { cache: false, maxBatchSize: maxBatch });
      return (x) => dl.load(x);
    },
    [`fixed ${fixed}`]: () => {
      const b = new AdaptiveBatcher({ run, runOne, maxBatch, targetP99Ms, policy: { fixed }, maxQueue: 1e7 });
      return (x) => b.submit(x);
    },
    aimd: () => {
      const b = new AdaptiveBatcher({ run, runOne, maxBatch, targetP99Ms, policy: 'aimd', maxQueue: 1e7 });
      return (x) => b.submit(x);
    },
    ucb: () => {
      const b = new AdaptiveBatcher({ run, runOne, maxBatch, targetP99Ms, policy: 'ucb', maxQueue: 1e7 });
      lastUcb = b;
      return (x) => b.submit(x);
    },
  };
}

async function workload(name, spec) {
  const rows = [];
  const cs = contenders(spec);
  // Warm every path once (JIT, the kernels' first calls).
  for (const make of Object.values(cs)) await openLoop(make(), spec.pool, { rate: spec.rates[0], ms: 200, burst: spec.burst });
  // Each rate runs every contender `reps` times, interleaved, and keeps the run of median throughput: this machine is noisy.
  for (const rate of spec.rates) {
    const runs = Object.fromEntries(Object.keys(cs).map((who) => [who, []]));
    for (let rep = 0; rep < (spec.reps ?? 1); rep++) {
      for (const [who, make] of Object.entries(cs)) {
        runs[who].push(await openLoop(make(), spec.pool, { rate, ms: spec.ms, burst: spec.burst, drainMs: spec.drainMs, seed: rep + 1 }));
        if (process.env.BATCHER_TRACE && who === 'ucb') {
          const st = lastUcb.stats();
          console.log(`  ucb at ${rate}/s: ${runs[who].at(-1).throughput.toFixed(0)}/s, batch p50 ${st.batchSize.p50} mean ${st.batchSize.mean.toFixed(2)}; arms ${st.arms.filter((a) => a.pulls > 0).map((a) => `${a.size}:${a.pulls}:${a.throughput.toFixed(1)}`).join(' ')}`);
        }
      }
    }
    for (const [who, rs] of Object.entries(runs)) {
      const r = rs.sort((a, b) => a.throughput - b.throughput)[rs.length >> 1];
      rows.push({ workload: name, contender: who, reps: rs.length, ...r });
      console.log(`${name} ${who.padEnd(10)} offered ${rate}/s -> ${r.throughput.toFixed(0)}/s p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms${r.done < r.issued ? ` (${r.issued - r.done} unfinished)` : ''} [of ${rs.map((x) => x.throughput.toFixed(0)).join(', ')}]`);
    }
  }
  return rows;
}

/** Highest throughput a contender reached with p99 within `p99Ms` (every item finished). */
function frontier(rows, p99Ms) {
  const best = {};
  for (const r of rows) if (r.done === r.issued && r.p99 <= p99Ms) best[r.contender] = Math.max(best[r.contender] ?? 0, r.throughput);
  return best;
}
const peak = (rows) => {
  const best = {};
  for (const r of rows) best[r.contender] = Math.max(best[r.contender] ?? 0, r.throughput);
  return best;
};

// --- workload 1: top-k over 10^5 × 384 ----------------------------------------
const rowsN = quick ? 20_000 : 100_000;
const dim = 384;
const matrix = randomF32(rowsN * dim, 3);
const queries = Array.from({ length: 64 }, (_, i) => randomF32(dim, 100 + i));
const topk = topKRuns('bench', matrix, dim, 10, 'cosine');
const t0 = performance.now();
for (let i = 0; i < 8; i++) topk.runOne(queries[i]);
const singleMs = (performance.now() - t0) / 8;
const t1 = performance.now();
topk.run(queries.slice(0, 32));
const batch32Ms = performance.now() - t1;
console.log(`topK single ${singleMs.toFixed(1)} ms, batch of 32 ${batch32Ms.toFixed(1)} ms (${((32 * singleMs) / batch32Ms).toFixed(2)}x per query)`);
const direct = 1000 / singleMs;
const topTarget = 250;
const topRows = !wants('topk') ? [] : await workload('topk', {
  ...topk,
  pool: queries,
  targetP99Ms: topTarget,
  maxBatch: 64,
  fixed: 16,
  rates: (quick ? [0.5, 1.2, 3] : [0.5, 0.8, 1.1, 1.4, 1.8, 3, 6]).map((f) => Math.round(direct * f)),
  ms: quick ? 1500 : 3000,
  drainMs: 4000,
});

// --- workload 2: riskScore of 8 signals ------------------------------------------
const rnd = mulberry32(9);
const riskPool = Array.from({ length: 4096 }, () => ({ severities: Float64Array.from({ length: 8 }, () => rnd() * 5), confidences: Float64Array.from({ length: 8 }, () => rnd()) }));
const risk = riskRuns(undefined);
const riskRows = !wants('risk') ? [] : await workload('risk', {
  ...risk,
  pool: riskPool,
  targetP99Ms: 5,
  maxBatch: 256,
  fixed: 64,
  burst: 64,
  rates: quick ? [2e5, 1e6, 4e6] : [1e5, 1e6, 2e6, 4e6, 8e6],
  ms: quick ? 600 : 1000,
  reps: quick ? 1 : 3,
  drainMs: 3000,
});

if (only !== undefined && only !== 'step') process.exit(0);
// --- UCB when the arrival rate steps tenfold ------------------------------------------
const log = [];
const phaseMs = quick ? 2500 : 5000;
const stepStart = performance.now();
const ucb = new AdaptiveBatcher({
  run: (xs) => (log.push([performance.now() - stepStart, xs.length]), topk.run(xs)),
  runOne: (x) => (log.push([performance.now() - stepStart, 1]), topk.runOne(x)),
  maxBatch: 64,
  targetP99Ms: topTarget,
  maxQueue: 1e7,
});
const low = Math.max(2, Math.round(direct * 0.4));
if (!wants('step')) process.exit(0);
const step1 = await openLoop((x) => ucb.submit(x), queries, { rate: low, ms: phaseMs, drainMs: 0 });
const switchAt = performance.now() - stepStart;
const step2 = await openLoop((x) => ucb.submit(x), queries, { rate: low * 10, ms: phaseMs, drainMs: 4000 });
// Size-1 runs are logged one per item; batches one per batch.
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const inPhase = (a, b) => log.filter(([t]) => t >= a && t < b).map(([, n]) => n);
const settled2 = med(inPhase(switchAt + phaseMs * 0.6, switchAt + phaseMs));
const settled1 = med(inPhase(phaseMs * 0.6, switchAt));
// Re-converged: from the first 250 ms window after the switch whose median, and every later one's, is within 2x of the settled size.
let reconvergeMs = NaN;
for (let t = switchAt; t < switchAt + phaseMs; t += 50) {
  let ok = true;
  for (let u = t; u + 250 <= switchAt + phaseMs; u += 250) {
    const m = med(inPhase(u, u + 250));
    if (m === m && (m < settled2 / 2 || m > settled2 * 2)) ok = false;
  }
  if (ok) {
    reconvergeMs = t - switchAt;
    break;
  }
}
if (process.env.BATCHER_TRACE) {
  for (let t = 0; t < switchAt + phaseMs; t += 250) {
    const ns = inPhase(t, t + 250);
    console.log(`${(t / 1000).toFixed(2)} s: ${ns.length} runs, ${ns.reduce((a, b) => a + b, 0)} items, median ${med(ns)}, sizes > 1: ${ns.filter((n) => n > 1).join(' ')}`);
  }
  console.log(JSON.stringify(ucb.stats().arms));
}
console.log(`rate step ${low}/s -> ${low * 10}/s: settled batch ${settled1} -> ${settled2}, re-converged after ${reconvergeMs.toFixed(0)} ms (throughput ${step1.throughput.toFixed(0)} -> ${step2.throughput.toFixed(0)}/s)`);

function svg() {
  const W = 820, H = 320, L = 50, B = 40, T = 20, R = 20;
  const tMax = Math.max(...log.map(([t]) => t), switchAt + phaseMs);
  const x = (t) => L + ((W - L - R) * t) / tMax;
  const y = (n) => H - B - ((H - B - T) * Math.log2(n)) / 6;
  const dots = log.map(([t, n]) => `<circle cx="${x(t).toFixed(1)}" cy="${y(n).toFixed(1)}" r="1.6"/>`).join('');
  const yTicks = [1, 2, 4, 8, 16, 32, 64].map((n) => `<text x="${L - 8}" y="${y(n) + 4}" text-anchor="end">${n}</text><line x1="${L}" x2="${W - R}" y1="${y(n)}" y2="${y(n)}" stroke="#eee"/>`).join('');
  const xTicks = Array.from({ length: Math.floor(tMax / 1000) + 1 }, (_, s) => `<text x="${x(s * 1000)}" y="${H - B + 16}" text-anchor="middle">${s}s</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<title>Batch size UCB chooses; arrival rate ${low}/s, then ${low * 10}/s from ${(switchAt / 1000).toFixed(1)} s</title>
<rect width="${W}" height="${H}" fill="white"/>${yTicks}${xTicks}
<line x1="${x(switchAt)}" x2="${x(switchAt)}" y1="${T}" y2="${H - B}" stroke="#c33" stroke-dasharray="4 3"/>
<text x="${x(switchAt) + 4}" y="${T + 10}" fill="#c33">rate x10 (re-converged in ${reconvergeMs.toFixed(0)} ms)</text>
<g fill="#1f5fa8">${dots}</g>
<text x="${L}" y="${H - 6}">time; y: items per batch (log scale); top-k over ${rowsN} x ${dim}, target p99 ${topTarget} ms</text>
</svg>
`;
}
writeFileSync(new URL('batcher-rate-change.svg', out), svg());

// --- report ---------------------------------------------------------------------------
const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ');
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}x` : '–');
const table = (rows) => {
  const lines = ['| offered /s | contender | throughput /s | p50 ms | p99 ms |', '|---:|---|---:|---:|---:|'];
  for (const r of rows) lines.push(`| ${r.offered} | ${r.contender} | ${r.throughput.toFixed(0)}${r.done < r.issued ? ` (${r.issued - r.done} unfinished)` : ''} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
  return lines.join('\n');
};
const topF = frontier(topRows, topTarget);
const topF20 = frontier(topRows, 20);
const topPeak = peak(topRows);
const riskPeak = peak(riskRows);
const md = `Node ${process.version}, load ${load}; \`npm run bench:batcher\`${quick ? ' (--quick)' : ''}. Open-loop Poisson arrivals, latency from the scheduled arrival.

**Top-k** (k = 10, cosine) over ${rowsN} × ${dim} f32: one topK ${singleMs.toFixed(1)} ms, a batch of 32 ${batch32Ms.toFixed(1)} ms (${((32 * singleMs) / batch32Ms).toFixed(2)}× less per query). Batchers: maxBatch 64, targetP99Ms ${topTarget}.

| | direct | DataLoader | fixed 16 | AIMD | UCB | UCB / direct | UCB / DataLoader |
|---|---:|---:|---:|---:|---:|---:|---:|
| best throughput /s with p99 ≤ ${topTarget} ms | ${(topF.direct ?? 0).toFixed(0)} | ${(topF.dataloader ?? 0).toFixed(0)} | ${(topF['fixed 16'] ?? 0).toFixed(0)} | ${(topF.aimd ?? 0).toFixed(0)} | ${(topF.ucb ?? 0).toFixed(0)} | ${ratio(topF.ucb ?? 0, topF.direct ?? 0)} | ${ratio(topF.ucb ?? 0, topF.dataloader ?? 0)} |
| best throughput /s with p99 ≤ 20 ms | ${(topF20.direct ?? 0).toFixed(0)} | ${(topF20.dataloader ?? 0).toFixed(0)} | ${(topF20['fixed 16'] ?? 0).toFixed(0)} | ${(topF20.aimd ?? 0).toFixed(0)} | ${(topF20.ucb ?? 0).toFixed(0)} | ${ratio(topF20.ucb ?? 0, topF20.direct ?? 0)} | ${ratio(topF20.ucb ?? 0, topF20.dataloader ?? 0)} |
| peak throughput /s | ${topPeak.direct.toFixed(0)} | ${topPeak.dataloader.toFixed(0)} | ${topPeak['fixed 16'].toFixed(0)} | ${topPeak.aimd.toFixed(0)} | ${topPeak.ucb.toFixed(0)} | ${ratio(topPeak.ucb, topPeak.direct)} | ${ratio(topPeak.ucb, topPeak.dataloader)} |

**riskScore** of 8 signals, bursts of 64; each rate's runs interleaved 3 times, the run of median throughput kept. Batchers: maxBatch 256, targetP99Ms 5.

| | direct | DataLoader | fixed 64 | AIMD | UCB | UCB / direct |
|---|---:|---:|---:|---:|---:|---:|
| peak throughput /s | ${riskPeak.direct.toFixed(0)} | ${riskPeak.dataloader.toFixed(0)} | ${riskPeak['fixed 64'].toFixed(0)} | ${riskPeak.aimd.toFixed(0)} | ${riskPeak.ucb.toFixed(0)} | ${ratio(riskPeak.ucb, riskPeak.direct)} |

**Rate step** (top-k, UCB): ${low}/s for ${phaseMs / 1000} s, then ${low * 10}/s. Settled batch size ${settled1} → ${settled2}; re-converged ${reconvergeMs.toFixed(0)} ms after the step ([plot](bench/results/batcher-rate-change.svg)).

<details><summary>Every run</summary>

${table(topRows)}

${table(riskRows)}

</details>`;
writeFileSync(new URL('batcher.md', out), `${md}\n`);
writeFileSync(new URL('batcher.json', out), `${JSON.stringify({ node: process.version, load, quick, topk: { rows: rowsN, dim, singleMs, batch32Ms, runs: topRows }, risk: { runs: riskRows }, step: { low, high: low * 10, settled1, settled2, reconvergeMs, log } }, null, 1)}\n`);
console.log(md);
