// One fuzz batch in its own process, against the built package:
//   node test/fuzz/child.mjs <job.json>
// job: { entry, out, tiers, seed, start, count, fixed }. For each call it runs
// the call with js forced (the reference), then on each of `tiers`, and appends
// one JSON line to `out` with fs.writeSync, so a crash leaves every finished
// call on disk and the parent knows which call was running.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { FIXED, SPECS, generate, isNondet, mayThrowGetter, treeState } from './catalogue.mjs';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// gpu.init must never reach a real GPU here: a navigator.gpu with no adapter.
globalThis.navigator = { gpu: { requestAdapter: async () => null, getPreferredCanvasFormat: () => 'rgba8unorm', wgslLanguageFeatures: new Set() } };
const hp = await import(job.entry);
// The *Async helpers start their worker threads on first use, each a V8 isolate
// with a wasm memory reservation of several GiB of address space. Start them
// before the baseline below, so that reservation is not read as a call's allocation.
for (const tier of ['js', 'wasm']) {
  if (!hp.backend().tiers[tier].loaded) continue;
  hp.setBackend(tier);
  const q = new Float32Array(64).fill(1), m = new Float32Array(64 * 2048).fill(1);
  await Promise.all(Array.from({ length: 8 }, () => hp.cosineBatchAsync(q, m, 64)));
}
hp.setBackend('auto');
const fd = openSync(job.out, 'w');
// The parent's watchdog compares the process's virtual size with this: a call
// that maps more than 4 GiB beyond it is an allocation the API should refuse.
const vmSize = () => Number(/VmSize:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
// The size after the last finished call, for the watchdog: overwritten in place (fixed width), never truncated.
const vmFd = openSync(`${job.out}.vm`, 'w');
const putVm = (v, tier = '') => writeSync(vmFd, `${v} ${tier}`.padEnd(32, ' '), 0);
putVm(vmSize());
writeSync(fd, `${JSON.stringify({ ready: true, vmSize: vmSize() })}\n`);

function ser(v, d = 0) {
  if (d > 8) return { deep: 1 };
  if (v === undefined) return { u: 1 };
  if (typeof v === 'number') return Number.isFinite(v) ? (Object.is(v, -0) ? { n: '-0' } : v) : { n: String(v) };
  if (typeof v === 'bigint') return { b: String(v) };
  if (typeof v === 'symbol') return { sym: String(v.description) };
  if (typeof v === 'function') return { fn: 1 };
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof hp.BPlusTree) return { BPlusTree: treeState(v) };
  if (v instanceof hp.TimingWheel) return { TimingWheel: wheelState(v) };
  if (v instanceof hp.TtlCache) return { TtlCache: cacheState(v) };
  if (ArrayBuffer.isView(v)) {
    const n = v.length;
    const head = Array.from(n <= 4096 ? v : v.subarray(0, 4096), (x) => ser(Number(x)));
    if (n <= 4096) return { ta: v.constructor.name, v: head };
    let sum = 0, abs = 0;
    for (let i = 0; i < n; i++) { sum += Number(v[i]); abs += Math.abs(Number(v[i])); }
    return { ta: v.constructor.name, len: n, head, sum: ser(sum), abs: ser(abs) };
  }
  if (Array.isArray(v)) return v.length > 5000 ? { len: v.length, head: v.slice(0, 5000).map((x) => ser(x, d + 1)) } : v.map((x) => ser(x, d + 1));
  if ('available' in v && 'reason' in v) return { gpu: { available: v.available, reason: String(v.reason) } };
  const o = {};
  for (const k of Object.keys(v).sort()) o[k] = ser(v[k], d + 1);
  return o;
}

function wheelState(w) {
  try {
    return { size: w.size, check: w.check(), next: w.nextDeadline(), wake: w.nextWake(), now: w.now };
  } catch (e) {
    return stateErr(e);
  }
}

function cacheState(c, ctx) {
  try {
    return { size: c.size, keys: [...c.keysLru()], stats: c.stats(), check: c.check(), events: ctx ? ctx.events.length : 0 };
  } catch (e) {
    return stateErr(e);
  }
}

/** A state read that throws because the structure is disposed is not a defect. */
function stateErr(e) {
  const r = errOf(e);
  return /^hotpath\.[\w.]+: \w+ is disposed/.test(r.msg) ? { disposed: true } : { stateError: r };
}

function errOf(e) {
  if (e instanceof Error || (e && typeof e === 'object' && 'message' in e)) return { name: e.constructor?.name ?? 'object', msg: String(e.message) };
  return { name: typeof e, msg: String(e) };
}

function build(kind, ctx) {
  const backend = ctx.backendOpt;
  if (kind === 'btreeNum') {
    const t = new hp.BPlusTree({ keyType: 'number', order: 4, backend });
    const ks = Float64Array.from({ length: 30 }, (_, i) => i * 2);
    t.setMany(ks, Array.from(ks, (k) => `v${k}`));
    return t;
  }
  if (kind === 'btreeStr') {
    const t = new hp.BPlusTree({ keyType: 'string', order: 4, backend });
    const ks = [...Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`), 'a/b', '\u{1F600}', '\uE000', ''];
    t.setMany(ks, ks.map((k) => `v${k}`));
    return t;
  }
  if (kind === 'wheel') {
    const w = new hp.TimingWheel({ tickMs: 10, wheels: [8, 8, 8], now: 1000, backend, clock: () => 1001 });
    ctx.ids = [0, 5, 50, 500, 5000, 1e6, 1e9].map((d) => w.schedule(d, `p${d}`));
    w.advance(1001); // fires ids[0]
    return w;
  }
  if (kind === 'sketch') {
    const s = new hp.QuantileSketch({ relativeAccuracy: 0.02, maxBins: 64, backend });
    s.recordMany(Float64Array.of(1, 2, 3, -4, 0, 1e-5, 1e5, 77.5));
    ctx.self = s;
    ctx.other = ctx.keep(new hp.QuantileSketch({ relativeAccuracy: 0.02, maxBins: 64, backend }));
    ctx.other.recordMany([5, 6, -7]);
    ctx.otherMapping = ctx.keep(new hp.QuantileSketch({ relativeAccuracy: 0.05, backend }));
    return s;
  }
  if (kind === 'model') {
    return new hp.DenseModel([{ weights: [1, -2, 0.5, 3, 1, -1], bias: [0.5, -1, 0], activation: 'relu' }, { weights: [1, 2, -3], bias: [0.25], activation: 'sigmoid' }], { backend });
  }
  if (kind === 'perm') {
    ctx.now = 1000;
    const p = new hp.PermissionIndex({ backend, clock: () => ctx.now, autoPurge: false, tickMs: 10, onExpire: (r) => ctx.events.push(r) });
    p.grant('u1', 'doc:1/*', 'read');
    p.grant('u1', 'doc:2', 'write', { ttlMs: 100 });
    p.grant('role:a', 'img:*', '*');
    p.deny('u2', 'doc:1/x', 'read');
    p.grant('u2', 'doc:1/*', 'read', { ttlMs: 500 });
    p.addRole('u1', 'role:a');
    p.addRole('u2', 'role:a');
    return p;
  }
  ctx.now = 1000;
  const c = new hp.TtlCache({ maxSize: 8, ttlMs: 1000, clock: () => ctx.now, autoPurge: false, tickMs: 10, backend, onEvict: (k, v, r) => ctx.events.push([k, v, r]) });
  for (let i = 1; i <= 6; i++) c.set(`k${i}`, `v${i}`, { ttlMs: 100 * i });
  c.set('k7', 'v7', { ttlMs: Infinity });
  c.set(7, 'seven');
  if (kind === 'cacheBadClock') ctx.now = 1100;
  return c;
}

function sketchState(s) {
  try {
    return { bytes: Array.from(s.toProto()), count: s.count, sum: s.sum, min: s.min, max: s.max };
  } catch (e) {
    return stateErr(e);
  }
}

/** A model has no mutable state: what it predicts shows it is intact. */
function modelState(m) {
  try {
    return { out: Array.from(m.predict(Float32Array.of(1, 2, -1, 0.5), 2)) };
  } catch (e) {
    return stateErr(e);
  }
}

function permState(p, ctx) {
  try {
    const rules = ['u1', 'u2', 'u7', 'u8', 'u9', 'role:a'].map((x) => p.resourcesOf(x, { effect: 'any', inherited: false }));
    return { size: p.size, rules, roles: p.rolesOf('u9'), check: p.checkInvariants(), events: ctx.events.length };
  } catch (e) {
    return stateErr(e);
  }
}

function stateOf(kind, s, ctx) {
  if (kind === 'btreeNum' || kind === 'btreeStr') return treeState(s);
  if (kind === 'perm') return permState(s, ctx);
  if (kind === 'sketch') return sketchState(s);
  if (kind === 'wheel') return wheelState(s);
  if (kind === 'model') return modelState(s);
  return cacheState(s, ctx);
}

/** Destructive end state: what fires or expires afterwards, so later behaviour is compared too. */
function finalOf(kind, s, ctx) {
  try {
    if (kind === 'sketch') return sketchState(s);
    if (kind === 'model') return modelState(s);
    if (kind === 'wheel') return { fired: s.advance(Math.max(s.now, 2e9)).map((p) => ser(p)), size: s.size, check: s.check() };
    if (kind === 'perm') {
      ctx.now = 1e6;
      return { size: s.size, events: ser(ctx.events), check: s.checkInvariants() };
    }
    if (kind === 'cache' || kind === 'cacheBadClock') {
      ctx.now = 1e6;
      return { size: s.size, events: ser(ctx.events), check: s.check() };
    }
    return treeState(s);
  } catch (e) {
    return stateErr(e);
  }
}

async function runOne(item, tier) {
  const ctx = { tier, backendOpt: tier, events: [], kept: [], keep: (x) => (ctx.kept.push(x), x), now: 1000 };
  hp.setBackend(tier);
  const rec = {};
  const vm0 = vmSize();
  let s = null;
  const kind = item.spec?.struct;
  try {
    if (kind) {
      s = build(kind, ctx);
      rec.pre = stateOf(kind, s, ctx);
    }
    const args = item.fixed ? null : item.materialize(ctx);
    let v = item.fixed ? item.spec.call(hp, ctx) : item.spec.call(hp, args, s, ctx);
    if (v && typeof v.then === 'function') v = await v;
    rec.ok = ser(v);
  } catch (e) {
    rec.err = errOf(e);
  }
  // Mapped during the call and still mapped (an output or scratch buffer, lazily committed).
  rec.vmGrowth = vmSize() - vm0;
  try {
    if (kind && s) {
      if (kind === 'cacheBadClock') ctx.now = 1100;
      rec.post = stateOf(kind, s, ctx);
      rec.final = finalOf(kind, s, ctx);
    }
    if (ctx.after !== undefined) rec.after = ser(ctx.after);
    if (item.fixed && item.spec.check) rec.problem = item.spec.check(ctx.after, rec.err !== undefined);
  } catch (e) {
    rec.stateErr = errOf(e);
  }
  for (const x of [s, ...ctx.kept]) {
    try {
      x?.dispose?.();
    } catch (e) {
      rec.disposeErr = errOf(e);
    }
  }
  hp.setBackend('auto');
  if (item.spec.resetCalibration) hp.setCalibration(null);
  return rec;
}

const items = [];
if (job.fixed) {
  for (let i = job.start; i < Math.min(FIXED.length, job.start + job.count); i++) {
    const spec = FIXED[i];
    items.push({ i, fixed: true, spec, label: spec.label, nondet: !!spec.nondet, getter: /throw/.test(spec.label) });
  }
} else {
  const { catalogue } = await import('./catalogue.mjs').then((m) => ({ catalogue: m }));
  for (let i = job.start; i < job.start + job.count; i++) {
    const g = generate(job.seed, i);
    items.push({ i, spec: g.spec, label: g.label, nondet: isNondet(g.spec, g.choices), getter: mayThrowGetter(g.spec, g.choices), materialize: (ctx) => catalogue.materialize(g.spec, g.choices, ctx) });
  }
}

// Each call runs on js first (the reference), then on every other tier of the job.
const tiers = job.tiers ?? [job.tier];
for (const item of items) {
  const before = vmSize();
  const t0 = performance.now();
  putVm(before, 'js');
  const ref = await runOne(item, 'js');
  const outs = {};
  for (const tier of tiers) {
    putVm(vmSize(), tier);
    outs[tier] = tier === 'js' ? ref : await runOne(item, tier);
  }
  // A call that mapped a big buffer leaves it to the GC; collect it so the watchdog's baseline is the live size.
  if (vmSize() - before > 2 ** 30) globalThis.gc?.();
  const vm = vmSize();
  writeSync(fd, `${JSON.stringify({ i: item.i, si: item.fixed ? undefined : SPECS.indexOf(item.spec), label: item.label, fn: item.spec.fn, nondet: item.nondet, getter: item.getter, outs, ref, vmSize: vm, ms: Math.round(performance.now() - t0) })}\n`);
  putVm(vm);
}
writeSync(fd, `${JSON.stringify({ done: items.length })}\n`);
closeSync(fd);
process.exit(0);
