// A worker_threads worker: { entry, mode: 'workload' | 'heavy', tiers }.
// 'workload' runs the fixed workload on each tier and posts the digests;
// 'heavy' loops over big kernel calls and structure batches until terminated,
// posting a message after each step so the parent can terminate it mid-call.
import { parentPort, workerData } from 'node:worker_threads';
import { heavyStep, workload } from './workload.mjs';

const hp = await import(workerData.entry);
if (workerData.mode === 'workload') {
  const out = {};
  for (const tier of workerData.tiers) out[tier] = workload(hp, tier);
  parentPort.postMessage({ done: true, out });
} else {
  for (let i = 0; ; i++) {
    heavyStep(hp, workerData.tiers[i % workerData.tiers.length], i);
    parentPort.postMessage({ step: i });
  }
}
