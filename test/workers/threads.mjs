// Child process for test/workers.test.ts (a crash here fails the test, not
// the runner): node threads.mjs <entry> <part>
//   identical: 4 workers run the fixed workload on native and wasm while the
//              main thread does too; every digest must equal the main thread's
//              single-threaded run.
//   terminate: 4 workers loop over big kernel calls and structure batches and
//              are terminated mid-call, twice over; the main thread's
//              workload must still give the single-threaded digests.
// Prints one JSON line: { ok, problems, ... }.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { workload } from './workload.mjs';

const [entry, part] = process.argv.slice(2);
const hp = await import(entry);
const TIERS = ['native', 'wasm'].filter((t) => hp.backend().tiers[t].loaded);
const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const problems = [];

function diff(where, got, want) {
  for (const k of Object.keys(want)) if (got?.[k] !== want[k]) problems.push(`${where}: ${k} differs from the single-threaded run`);
}

const reference = {};
for (const tier of TIERS) reference[tier] = workload(hp, tier);

function spawn(mode) {
  return new Worker(WORKER, { workerData: { entry, mode, tiers: TIERS } });
}

if (part === 'identical') {
  const workers = Array.from({ length: 4 }, () => spawn('workload'));
  const results = workers.map((w, i) => new Promise((resolve) => {
    let settled = false;
    const done = (v) => { settled = true; resolve(v); };
    w.on('message', (m) => m.done && done(m.out));
    w.on('error', (e) => { problems.push(`worker ${i} threw ${e?.constructor?.name}: ${e?.message}`); done(null); });
    w.on('exit', (code) => { if (!settled) { problems.push(`worker ${i} exited with ${code} before reporting`); done(null); } });
  }));
  // The main thread works at the same time.
  for (let round = 0; round < 2; round++) for (const tier of TIERS) diff(`main thread (concurrent round ${round}) on ${tier}`, workload(hp, tier), reference[tier]);
  const outs = await Promise.all(results);
  outs.forEach((o, i) => { if (o) for (const tier of TIERS) diff(`worker ${i} on ${tier}`, o[tier], reference[tier]); });
  await Promise.all(workers.map((w) => w.terminate()));
  console.log(JSON.stringify({ ok: problems.length === 0, problems, tiers: TIERS, workers: 4, results: Object.keys(reference[TIERS[0]] ?? {}).length }));
} else {
  let terminated = 0;
  for (let wave = 0; wave < 2; wave++) {
    // Wave 0 terminates right after the first step, wave 1 a while into the loop.
    const workers = Array.from({ length: 4 }, () => spawn('heavy'));
    const errors = [];
    workers.forEach((w, i) => w.on('error', (e) => errors.push(`worker ${i}: ${e?.constructor?.name}: ${e?.message}`)));
    // Wait until each worker is inside its loop (first step done), then let it get into the next big call.
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
    for (const tier of TIERS) diff(`main thread while workers run (wave ${wave}) on ${tier}`, workload(hp, tier), reference[tier]);
    await new Promise((r) => setTimeout(r, 50 + wave * 120));
    const codes = await Promise.all(workers.map((w) => w.terminate()));
    terminated += codes.length;
    for (const e of errors) problems.push(`a worker failed before termination: ${e}`);
    for (const tier of TIERS) diff(`main thread after terminating wave ${wave} on ${tier}`, workload(hp, tier), reference[tier]);
  }
  globalThis.gc?.();
  console.log(JSON.stringify({ ok: problems.length === 0, problems, tiers: TIERS, terminated }));
}
process.exit(0);
