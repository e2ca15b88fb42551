// Child process for test/workers.test.ts: a worker rewrites the shared
// (SharedArrayBuffer) inputs of every kernel and batch operation that takes
// index/offset/key arrays or values while this thread calls them on every
// tier. Every call must return or throw a TypeError/RangeError naming
// `hotpath.<function>`; riskScoreBatch results stay in [0, 1]; structures keep
// their invariants. A crash kills this process and fails the test.
// Strings cannot live in a SharedArrayBuffer: string-tree batches use a JS
// array that this thread rewrites between calls from the shared floats.
// Prints one JSON line: { ok, problems, calls, byTier }.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

const [entry, msArg] = process.argv.slice(2);
const hp = await import(entry);
const TIERS = ['js', 'wasm', 'native'].filter((t) => hp.backend().tiers[t].loaded);
const MS_PER_TIER = Number(msArg ?? 2500);

const sab = (C, n) => new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT));
const E = 64, N = 1024, DIM = 16;
const arrays = {
  sev: sab(Float64Array, N), conf: sab(Float64Array, N), offsets: sab(Uint32Array, E + 1),
  q: sab(Float32Array, 2 * DIM), m: sab(Float32Array, 128 * DIM), x: sab(Float64Array, 2048),
  keys: sab(Float64Array, 512), delays: sab(Float64Array, 512), ids: sab(Float64Array, 512),
};
for (let i = 0; i <= E; i++) arrays.offsets[i] = Math.floor((i * N) / E);
const stop = new Int32Array(new SharedArrayBuffer(8));
const worker = new Worker(fileURLToPath(new URL('./rewriter.mjs', import.meta.url)), { workerData: { arrays, stop } });
let workerError = null;
worker.on('error', (e) => { workerError = `${e?.constructor?.name}: ${e?.message}`; });

const problems = new Map();
const problem = (key, detail) => { if (!problems.has(key)) problems.set(key, detail); };
let calls = 0;
const byTier = {};
/** Calls that returned, per function: the run must get past validation too, not only be rejected. */
const returned = {};

function attempt(tier, fn, f) {
  calls++;
  byTier[tier] = (byTier[tier] ?? 0) + 1;
  try {
    const v = f();
    returned[fn] = (returned[fn] ?? 0) + 1;
    return { ok: true, v };
  } catch (e) {
    const name = e?.constructor?.name, msg = String(e?.message);
    if (!((name === 'TypeError' || name === 'RangeError') && msg.startsWith(`hotpath.${fn}`))) problem(`${tier} ${fn}: ${name}: ${msg.replace(/\d+/g, 'N').slice(0, 120)}`, `${tier} ${fn} threw ${name}: ${msg}`);
    return { ok: false };
  }
}

function invariant(tier, what, r) {
  if (r !== null && r !== '' && r !== undefined) problem(`${tier} ${what} invariants`, `${tier} ${what}: check() reported ${r}`);
}

await new Promise((r) => setTimeout(r, 20)); // the rewriter is running
for (const tier of TIERS) {
  hp.setBackend(tier);
  const treeN = new hp.BPlusTree({ keyType: 'number', order: 8, backend: tier });
  const treeS = new hp.BPlusTree({ keyType: 'string', order: 8, backend: tier });
  const wheel = new hp.TimingWheel({ tickMs: 1, wheels: [16, 16, 16], backend: tier });
  let now = 0;
  const cache = new hp.TtlCache({ maxSize: 64, ttlMs: 5, clock: () => now, autoPurge: false, backend: tier });
  const vals = new Array(512).fill(0).map((_, i) => i);
  const deadline = Date.now() + MS_PER_TIER;
  let round = 0;
  while (Date.now() < deadline) {
    round++;
    const { sev, conf, offsets, q, m, x, keys, delays, ids } = arrays;
    const r = attempt(tier, 'riskScoreBatch', () => hp.riskScoreBatch(sev, conf, offsets, { maxSeverity: 5 }));
    if (r.ok) for (let e = 0; e < r.v.length; e++) if (!(r.v[e] >= 0 && r.v[e] <= 1)) { problem(`${tier} riskScoreBatch range`, `${tier} riskScoreBatch returned out[${e}] = ${r.v[e]}, outside [0, 1]`); break; }
    const rs = attempt(tier, 'riskScore', () => hp.riskScore(sev, conf));
    if (rs.ok && !(rs.v >= 0 && rs.v <= 1)) problem(`${tier} riskScore range`, `${tier} riskScore returned ${rs.v}`);
    attempt(tier, 'temporalDecay', () => hp.temporalDecay(conf, sev, 2));
    attempt(tier, 'cosineBatch', () => hp.cosineBatch(q, m, DIM));
    attempt(tier, 'euclideanBatch', () => hp.euclideanBatch(q, m, DIM));
    const tk = attempt(tier, 'topK', () => hp.topK(q.subarray(0, DIM), m, DIM, 5, { metric: round % 2 ? 'dot' : 'euclidean' }));
    if (tk.ok) for (const i of tk.v.indices) if (!(i < m.length / DIM)) problem(`${tier} topK index`, `${tier} topK returned row ${i} of ${m.length / DIM}`);
    attempt(tier, 'dot', () => hp.dot(x, x));
    attempt(tier, 'stats', () => hp.stats(x));
    attempt(tier, 'percentiles', () => hp.percentiles(x, [1, 50, 99]));
    attempt(tier, 'movingAverage', () => hp.movingAverage(x, 7));
    attempt(tier, 'outliersIQR', () => hp.outliersIQR(x));
    attempt(tier, 'outliersZScore', () => hp.outliersZScore(x));
    attempt(tier, 'matmul', () => hp.matmul(q.subarray(0, 16), m.subarray(0, 64), 4, 4, 16));
    attempt(tier, 'BPlusTree.setMany', () => treeN.setMany(keys, vals));
    attempt(tier, 'BPlusTree.getMany', () => treeN.getMany(keys));
    attempt(tier, 'BPlusTree.deleteMany', () => treeN.deleteMany(keys.subarray(0, 256)));
    if (round % 8 === 0) attempt(tier, 'BPlusTree.fromSorted', () => hp.BPlusTree.fromSorted(keys, vals, { keyType: 'number', backend: tier }).dispose());
    invariant(tier, 'number BPlusTree', treeN.checkInvariants());
    const sk = Array.from(keys.subarray(0, 128), (k) => `k${k}`);
    attempt(tier, 'BPlusTree.setMany', () => treeS.setMany(sk, vals.slice(0, 128)));
    attempt(tier, 'BPlusTree.getMany', () => treeS.getMany(sk));
    attempt(tier, 'BPlusTree.deleteMany', () => treeS.deleteMany(sk.slice(0, 64)));
    invariant(tier, 'string BPlusTree', treeS.checkInvariants());
    attempt(tier, 'TimingWheel.scheduleMany', () => wheel.scheduleMany(delays, vals));
    attempt(tier, 'TimingWheel.cancelMany', () => wheel.cancelMany(ids));
    now += 3;
    attempt(tier, 'TimingWheel.advance', () => wheel.advance(now));
    invariant(tier, 'TimingWheel', wheel.check());
    if (wheel.size > 100_000) wheel.clear();
    for (let i = 0; i < 8; i++) attempt(tier, 'TtlCache.set', () => cache.set(keys[i], i, { ttlMs: Math.abs(delays[i]) || 1 }));
    attempt(tier, 'TtlCache.get', () => cache.get(keys[9]));
    invariant(tier, 'TtlCache', cache.check() ?? '');
  }
  treeN.dispose(); treeS.dispose(); wheel.dispose(); cache.dispose();
  hp.setBackend('auto');
}
Atomics.store(stop, 0, 1);
await new Promise((r) => worker.on('exit', r));
if (workerError) problem('rewriter', `the rewriting worker failed: ${workerError}`);
const writes = Atomics.load(stop, 1);
if (writes < 10) problem('rewriter idle', `the rewriting worker made only ${writes} passes`);
console.log(JSON.stringify({ ok: problems.size === 0, problems: [...problems.values()], calls, byTier, returned, rewrites: writes }));
process.exit(0);
