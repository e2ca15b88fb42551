// A thin layer over tinybench: named groups of tasks measured side by side,
// each task optionally forced onto one tier, reported as time and as a ratio
// against the group's plain-JS baseline.
import { Bench } from 'tinybench';

export class Harness {
  /** @param {typeof import('../dist/index.js')} hp */
  constructor(hp, { time = 1000, iterations = 10, filter = null } = {}) {
    this.iterations = iterations;
    this.hp = hp;
    this.time = time;
    this.filter = filter;
    const b = hp.backend();
    /** Tiers loaded on this machine, fastest first. */
    this.tiers = ['native', 'wasm', 'js'].filter((t) => b.tiers[t].loaded);
    this.groups = [];
  }

  group(name, { baseline, flops = null }, build) {
    // --filter takes comma-separated substrings of group names.
    if (this.filter && !this.filter.split(',').some((f) => name.includes(f))) return;
    const tasks = [];
    build({ add: (task, fn, opts = {}) => tasks.push({ task, fn, tier: opts.tier ?? null, beforeEach: opts.beforeEach ?? null }) });
    this.groups.push({ name, baseline, flops, tasks });
  }

  async run(log = console.log) {
    const rows = [];
    for (const g of this.groups) {
      const bench = new Bench({ time: this.time, iterations: this.iterations, warmupTime: Math.min(200, this.time / 4), warmupIterations: 2 });
      for (const t of g.tasks) {
        const hooks = t.tier && t.tier !== 'auto'
          ? { beforeAll: () => this.hp.setBackend(t.tier), afterAll: () => this.hp.setBackend('auto') }
          : {};
        // Untimed per-iteration set-up, for tasks that consume their input (deletes).
        if (t.beforeEach) hooks.beforeEach = t.beforeEach;
        bench.add(t.task, t.fn, hooks);
      }
      await bench.run();
      const base = bench.tasks.find((x) => x.name === g.baseline)?.result;
      for (const t of g.tasks) {
        const r = bench.tasks.find((x) => x.name === t.task).result;
        if (r.state !== 'completed') throw new Error(`${g.name} / ${t.task}: ${r.state} ${r.error?.message ?? ''}`);
        const row = {
          group: g.name,
          task: t.task,
          baseline: g.baseline,
          tier: t.tier,
          meanMs: r.latency.mean,
          rmePct: r.latency.rme,
          samples: r.latency.samplesCount,
          opsPerSec: 1000 / r.latency.mean,
          speedup: base ? base.latency.mean / r.latency.mean : null,
          gflops: g.flops ? g.flops / (r.latency.mean * 1e6) : null,
        };
        rows.push(row);
        log(`${g.name.padEnd(44)} ${t.task.padEnd(22)} ${fmtMs(row.meanMs).padStart(11)} ±${row.rmePct.toFixed(1).padStart(4)}%  ${row.speedup === null ? '' : `${row.speedup.toFixed(2)}x`}${row.gflops ? `  ${row.gflops.toFixed(2)} GFLOP/s` : ''}`);
      }
    }
    return rows;
  }
}

export function fmtMs(ms) {
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  if (ms >= 1e-3) return `${(ms * 1e3).toFixed(2)} µs`;
  return `${(ms * 1e6).toFixed(1)} ns`;
}

/** Markdown table: one row per task, speed-up against the group's baseline. */
export function markdown(rows) {
  const out = ['| benchmark | task | mean | ± | samples | speed-up vs baseline |', '|---|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    out.push(`| ${r.group} (baseline: ${r.baseline}) | ${r.task} | ${fmtMs(r.meanMs)} | ${r.rmePct.toFixed(1)}% | ${r.samples} | ${r.speedup === null ? '' : `${r.speedup.toFixed(2)}x`}${r.gflops ? ` (${r.gflops.toFixed(2)} GFLOP/s)` : ''} |`);
  }
  return out.join('\n');
}
