// Bad-input fuzz suite: every public function and structure method, on every
// tier (js, wasm, native forced, and auto), over the catalogue in
// test/fuzz/values.mjs and test/fuzz/catalogue.mjs. Calls run in child
// processes against the built dist/index.js (test/fuzz/child.mjs), so a crash,
// an abort, a runaway allocation or an endless loop fails the call that caused
// it instead of taking the runner down. Each input runs with js forced (the
// reference), then on every tier. The inputs: a sweep of every single-argument
// corruption of every spec once, then seeded random ones (some with two bad
// arguments), then FIXED (allocations over 4 GiB, getters that change inputs
// after validation, re-entrant callbacks). Per call (test/fuzz/assert.mjs):
// a TypeError/RangeError whose message starts `hotpath.<function>:`, or a
// result equal to js's; a failed call leaves a structure as it was;
// structure invariants hold afterwards; no call maps over 4 GiB, fills the
// process beyond 3 GiB resident, or runs for 8 s. Known failures out of
// scope are listed in test/fuzz/known-failures.mjs (still run and printed).
import { describe, expect, it } from 'vitest';
import { judge, runJob } from './fuzz/assert.mjs';
import { COMBOS, FIXED } from './fuzz/catalogue.mjs';
import { KNOWN_FAILURES } from './fuzz/known-failures.mjs';
import { TIERS } from './support/tiers.js';

const SEED = Number(process.env.HOTPATH_FUZZ_SEED ?? 20261201);
const RUN_TIERS = [...TIERS, 'auto'];
/** Generated calls, each run on every tier: first the sweep (every single-argument corruption once), then random ones. */
const CALLS = Number(process.env.HOTPATH_FUZZ_CALLS ?? COMBOS.length + 200);
const BATCHES = 6;

interface Failure { tier: string; fn: string; label: string; problem: string }

async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  }));
  return out;
}

/** A short class of a failure, so one defect hit by many inputs reads as one line. */
function classify(problem: string): string {
  let m = /^threw (\w+): (hotpath\.[\w.]+:)?/.exec(problem);
  if (m) return `threw ${m[1]} ${m[2] ? `naming ${m[2]}` : 'without a hotpath. prefix'}`;
  m = /^the child process died \((\S+ \S+)/.exec(problem);
  if (m) return `child died (${m[1]})`;
  if (/^returned .* where js throws/.test(problem)) return 'returned a result where js throws';
  if (/^returned .*; js returns/.test(problem)) return 'result differs from js';
  if (/^mapped /.test(problem)) return 'allocated over 4 GiB';
  m = /^threw Error: step \d+, ([\w.]+).*?: threw (\w+): (hotpath\.[\w.]+:)?/.exec(problem);
  if (m) return `a step (${m[1]}) threw ${m[2]} ${m[3] ? `naming ${m[3]}` : 'without a hotpath. prefix'}`;
  m = /^step \d+ \(([\w.]+)/.exec(problem);
  if (m) return `a step (${m[1]}) differs from js`;
  return problem.replace(/-?\d+(\.\d+)?(e[-+]?\d+)?/g, 'N').slice(0, 60);
}

function known(f: Failure): { defect: string } | undefined {
  return (KNOWN_FAILURES as { fn: string; label: RegExp; tiers?: string[]; defect: string }[]).find((k) => k.fn === f.fn && k.label.test(f.label) && (!k.tiers || k.tiers.includes(f.tier)));
}

describe('bad-input fuzz (child processes, every tier)', () => {
  it(`${CALLS} generated calls plus ${FIXED.length} fixed cases, each on ${RUN_TIERS.join(', ')}`, async () => {
    const jobs: { tiers: string[]; seed: number; start: number; count: number; fixed: boolean; stallMs?: number }[] = [];
    const per = Math.ceil(CALLS / BATCHES);
    for (let b = 0; b < BATCHES; b++) jobs.push({ tiers: RUN_TIERS, seed: SEED, start: b * per, count: Math.min(per, CALLS - b * per), fixed: false });
    jobs.unshift({ tiers: RUN_TIERS, seed: SEED, start: 0, count: FIXED.length, fixed: true, stallMs: 4000 });
    const t0 = Date.now();
    const results = await pool(jobs.map((job) => () => runJob(job)), 2);
    const failures: Failure[] = [];
    let calls = 0;
    results.forEach((r, j) => {
      const job = jobs[j];
      calls += (r.records.length + r.deaths.length) * job.tiers.length;
      for (const rec of r.records) {
        for (const tier of job.tiers) {
          const problem = judge(rec, tier, job.fixed);
          if (problem) failures.push({ tier, fn: rec.fn, label: rec.label, problem });
        }
      }
      for (const d of r.deaths) {
        const spec = job.fixed ? FIXED[d.call] : undefined;
        failures.push({ tier: d.tier, fn: spec?.fn ?? d.label.replace(/[ ([].*$/, ''), label: d.label, problem: `the child process died (${d.how}) in batch ${d.batch}, running call ${d.call} on ${d.tier}${d.stderr ? `; stderr: ${d.stderr}` : ''}` });
      }
    });
    const expected = failures.filter((f) => known(f));
    const unexpected = failures.filter((f) => !known(f));
    console.log(`fuzz: ${calls} calls (${calls / RUN_TIERS.length} inputs x ${RUN_TIERS.join(', ')}; js is the reference) in ${((Date.now() - t0) / 1000).toFixed(1)} s; ${failures.length} failed, ${expected.length} of them known`);
    for (const f of expected) console.log(`fuzz KNOWN [${f.tier}] ${f.label}: ${f.problem} (${known(f)!.defect})`);
    // One line per distinct failure (function + problem with numbers folded), with a count and an example.
    const classes = new Map<string, { n: number; tiers: Set<string>; ex: Failure }>();
    for (const f of unexpected) {
      const key = `${f.fn} | ${classify(f.problem)}`;
      const c = classes.get(key) ?? { n: 0, tiers: new Set<string>(), ex: f };
      c.n++;
      c.tiers.add(f.tier);
      classes.set(key, c);
    }
    const report = [...classes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => `${k}: ${c.n}x [${[...c.tiers].join(',')}], e.g. ${c.ex.label} -> ${c.ex.problem}`);
    for (const line of report) console.log(`fuzz FAIL ${line}`);
    expect(calls).toBeGreaterThanOrEqual(Math.min(10_000, CALLS * RUN_TIERS.length));
    expect(report, `${unexpected.length} fuzz calls failed, in ${classes.size} classes:\n${report.join('\n')}`).toEqual([]);
  }, 240_000);
});
