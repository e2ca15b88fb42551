// The native tier on its own, under hostile callers: index and offset arrays
// on a SharedArrayBuffer that a worker rewrites while the addon runs (the
// process must survive and structures keep their invariants; results may be
// anything), dispose() that frees at once and named errors afterwards, and
// every error the addon raises surfacing as `hotpath.<fn>: <arg> ...`.
// The hostile parts run in a child process so a crash fails a test instead
// of killing the runner.
import { describe, expect, it } from 'vitest';
import { BPlusTree, TimingWheel, riskScoreBatch, setBackend } from '../ts/index.js';
import { nativeBTree } from '../ts/tiers/native/btree.js';
import { loadNativeTier } from '../ts/tiers/native/index.js';
import { loadNativeAddon } from '../ts/tiers/native/loader.js';
import { nativeWheel } from '../ts/tiers/native/wheel.js';
import { ROOT, runChild } from './support/child.js';
import { EXPECTED_ABSENT } from './support/tiers.js';

const load = loadNativeAddon();

/** A view of a detached buffer. */
function detached<T extends ArrayBufferView>(x: T): T {
  structuredClone(x.buffer, { transfer: [x.buffer as ArrayBuffer] });
  return x;
}

describe.skipIf(EXPECTED_ABSENT.has('native'))('native tier reliability', () => {
  it('the addon loaded (this suite never skips a tier that should be there)', () => {
    expect(load.addon, load.addon === null ? load.error : '').not.toBeNull();
  });

  // --- shared memory rewritten mid-call -----------------------------------

  // The child's prelude: the addon itself (callers may hand it any view), the
  // package forced onto native, and `hammer(ms, targets, call)`, which runs
  // `call` in a loop while a worker keeps flipping target elements between a
  // bad and a good value, and reports the calls made and the kinds of errors.
  const prelude = (addonPath: string) => `
    const { Worker } = await import('node:worker_threads');
    const { createRequire } = await import('node:module');
    const addon = createRequire(${JSON.stringify(`${ROOT}/`)})(${JSON.stringify(addonPath)});
    hp.setBackend('native');
    const WORKER = \`
      const { workerData } = require('node:worker_threads');
      const ctl = new Int32Array(workerData.ctl);
      const ts = workerData.targets.map((t) => ({ a: new globalThis[t.kind](t.buf, t.offset, t.length), w: t.writes }));
      let seed = 7, sink = 0;
      // A random pause, so a bad value stays visible for a while.
      const spin = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; let x = 0; for (let s = seed % 2048; s > 0; s--) x += s; sink ^= x; };
      while (Atomics.load(ctl, 0) === 0) {
        for (const { a, w } of ts) for (const [i, bad, good] of w) { a[i] = bad; spin(); a[i] = good; spin(); }
        Atomics.add(ctl, 1, 1);
      }
    \`;
    const shared = (Ctor, values) => { const v = new Ctor(new SharedArrayBuffer(values.length * Ctor.BYTES_PER_ELEMENT)); v.set(values); return v; };
    async function hammer(ms, targets, call) {
      const ctl = new Int32Array(new SharedArrayBuffer(8));
      const workerData = { ctl: ctl.buffer, targets: targets.map(([view, writes]) => ({ buf: view.buffer, kind: view.constructor.name, offset: view.byteOffset, length: view.length, writes })) };
      // execArgv: [] so the eval'd worker is CommonJS (the child runs with --input-type=module).
      const w = new Worker(WORKER, { eval: true, workerData, execArgv: [] });
      const exited = new Promise((r) => w.once('exit', r));
      while (Atomics.load(ctl, 1) === 0) await new Promise((r) => setTimeout(r, 1));
      const errors = new Set();
      let calls = 0;
      for (const end = Date.now() + ms; Date.now() < end; calls++) {
        try { call(calls); } catch (e) { if (errors.size < 40) errors.add(e.constructor.name + ' ' + String(e.message).replace(/\\d+/g, "#").slice(0, 100)); }
      }
      Atomics.store(ctl, 0, 1);
      await exited;
      return { calls, sweeps: Atomics.load(ctl, 1), errors: [...errors] };
    }
  `;

  function hostile(body: string): { calls: number; sweeps: number; errors: string[]; [k: string]: unknown } {
    if (load.addon === null) throw new Error(load.error);
    return runChild(prelude(load.path) + body);
  }

  /**
   * Every error raised was a validation error naming an argument, never a
   * caught panic: the addon's own "<arg>: <what>", or the API's named one.
   */
  function expectNamedErrors(errors: string[]): void {
    for (const e of errors) {
      expect(e).not.toMatch(/panic|native tier failed|out of (bounds|range)|overflow/i);
      expect(e).toMatch(/^(Error [\w[\]]+: |(TypeError|RangeError) hotpath\.[\w.]+: )/);
    }
  }

  it('riskScoreBatch: offsets rewritten by another thread (addon and API)', () => {
    const r = hostile(`
      const E = 2048, per = 8, n = E * per;
      const sev = Float64Array.from({ length: n }, (_, i) => (i * 7) % 11);
      const conf = Float64Array.from({ length: n }, (_, i) => ((i * 13) % 10) / 10);
      const offsets = shared(Uint32Array, Array.from({ length: E + 1 }, (_, e) => e * per));
      const out = new Float64Array(E);
      const res = await hammer(1500, [[offsets, [[32, 0xfffffff0, 32 * per], [100, 0, 100 * per], [E, 0xffffffff, n], [1000, n, 1000 * per], [1001, 3, 1001 * per]]]], (i) => {
        if (i % 2) addon.riskScoreBatchF64(sev, conf, offsets, 10, out);
        else hp.riskScoreBatch(sev, conf, offsets, { maxSeverity: 10 });
      });
      // The worker left every offset good: native agrees with js exactly.
      const native = hp.riskScoreBatch(sev, conf, offsets, { maxSeverity: 10 });
      hp.setBackend('js');
      const js = hp.riskScoreBatch(sev, conf, offsets, { maxSeverity: 10 });
      return { ...res, same: native.every((x, e) => Object.is(x, js[e])) };
    `);
    expect(r.sweeps).toBeGreaterThan(0);
    expect(r.calls).toBeGreaterThan(50);
    expectNamedErrors(r.errors);
    expect(r.same).toBe(true);
  });

  it('ngramFeatures: offsets and bytes rewritten by another thread (addon), texts through the API', () => {
    const r = hostile(`
      const texts = Array.from({ length: 512 }, (_, i) => 'text ' + i + ' ' + 'abcdefé€'.repeat(1 + (i % 5)));
      const enc = new TextEncoder();
      const parts = texts.map((t) => enc.encode(t));
      const offs = [0];
      for (const p of parts) offs.push(offs[offs.length - 1] + p.length);
      const bytes = shared(Uint8Array, parts.flatMap((p) => [...p]));
      const offsets = shared(Uint32Array, offs);
      const T = texts.length, dims = 256;
      const out = new Float32Array(T * dims);
      const res = await hammer(1500, [
        [offsets, [[5, 0xfffffff0, offs[5]], [T, 0xffffffff, offs[T]], [200, 0, offs[200]], [201, offs[T], offs[201]]]],
        [bytes, [[10, 0xff, bytes[10]], [11, 0x80, bytes[11]], [12, 0xe2, bytes[12]]]],
      ], (i) => {
        if (i % 2) addon.ngramFeatures(bytes, offsets, 3, dims, true, out);
        else hp.ngramFeatures(texts.slice(0, 64), { n: 3, dims });
      });
      const native = hp.ngramFeatures(texts, { n: 3, dims });
      addon.ngramFeatures(bytes, offsets, 3, dims, false, out);
      const direct = hp.ngramFeatures(texts, { n: 3, dims, normalize: false });
      hp.setBackend('js');
      const js = hp.ngramFeatures(texts, { n: 3, dims });
      return { ...res, same: native.every((x, i) => Object.is(x, js[i])), direct: out.every((x, i) => x === direct[i]) };
    `);
    expect(r.sweeps).toBeGreaterThan(0);
    expect(r.calls).toBeGreaterThan(50);
    expectNamedErrors(r.errors);
    expect(r.same).toBe(true);
    expect(r.direct).toBe(true);
  });

  it('NativeBTree: string and number batches with offsets, bytes, keys and slots rewritten by another thread', () => {
    const r = hostile(`
      const K = 1024;
      const keys = Array.from({ length: K }, (_, i) => 'key-' + String(i).padStart(5, '0'));
      const enc = new TextEncoder();
      const parts = keys.map((k) => enc.encode(k));
      const offs = [0];
      for (const p of parts) offs.push(offs[offs.length - 1] + p.length);
      const bytes = shared(Uint8Array, parts.flatMap((p) => [...p]));
      const offsets = shared(Uint32Array, offs);
      const slots = shared(Uint32Array, keys.map((_, i) => i));
      const nums = shared(Float64Array, keys.map((_, i) => i * 2));
      const out = new Int32Array(K);
      const t = new addon.NativeBTree(1, 16), tn = new addon.NativeBTree(0, 16);
      let loads = 0, loadsChecked = 0;
      const res = await hammer(2000, [
        [offsets, [[7, 0xfffffff0, offs[7]], [K, 0xffffffff, offs[K]], [300, 0, offs[300]], [301, offs[K], offs[301]]]],
        [bytes, [[3, 0xff, bytes[3]], [50, 0x00, bytes[50]], [51, 0x7a, bytes[51]], [offs[600] + 9, 0x30, bytes[offs[600] + 9]]]],
        [slots, [[9, 0xffffffff, 9], [10, 0x80000000, 10]]],
        [nums, [[4, NaN, 8], [5, -Infinity, 10], [6, 0, 12]]],
      ], (i) => {
        switch (i % 6) {
          case 0: t.setManyStr(bytes, offsets, slots, out); break;
          case 1: t.getManyStr(bytes, offsets, out); break;
          case 2: if (i % 4 === 2) t.deleteManyStr(bytes, offsets, out); else t.getManyStr(bytes, offsets, out); break;
          case 3: tn.setManyNum(nums, slots, out); break;
          case 4: tn.getManyNum(nums, out); if (i % 8 === 4) tn.deleteManyNum(nums, out); break;
          case 5: {
            const f = new addon.NativeBTree(i % 2, 8);
            try { if (i % 2) f.bulkLoadStr(bytes, offsets, slots); else f.bulkLoadNum(nums, slots); loads++; }
            finally { if (f.check() === '') loadsChecked++; f.dispose(); }
          }
        }
      });
      // Slots a structure stores must still fit the i32 results.
      t.setManyStr(bytes, offsets, slots, out);
      const got = new Int32Array(K);
      t.getManyStr(bytes, offsets, got);
      const all = t.rangeStr(null, null, true, true, Infinity, false);
      const api = new hp.BPlusTree({ keyType: 'string', backend: 'native' });
      for (let r = 0; r < 50; r++) { api.setMany(keys, keys.map((k) => k + r)); api.getMany(keys); if (r % 3 === 0) api.deleteMany(keys.slice(0, 100)); }
      const vals = api.getMany(keys);
      return { ...res, check: t.check(), checkNum: tn.check(), loads, loadsChecked, slotsOk: got.every((s) => s >= -1),
        sorted: all.keys.every((k, i) => i === 0 || Buffer.compare(Buffer.from(all.keys[i - 1]), Buffer.from(k)) < 0),
        apiCheck: api.checkInvariants(), apiVals: vals.every((v, i) => v === keys[i] + 49) };
    `);
    expect(r.sweeps).toBeGreaterThan(0);
    expect(r.calls).toBeGreaterThan(50);
    expectNamedErrors(r.errors);
    expect(r.check).toBe('');
    expect(r.checkNum).toBe('');
    expect(r.loadsChecked).toBeGreaterThan(0);
    expect(r.slotsOk).toBe(true);
    expect(r.sorted).toBe(true);
    expect(r.apiCheck).toBeNull();
    expect(r.apiVals).toBe(true);
  });

  it('NativeTimingWheel: deadlines, ids and level sizes rewritten by another thread', () => {
    const r = hostile(`
      const w = new addon.NativeTimingWheel(1, Uint32Array.from([64, 64, 64]), 0);
      const N = 256;
      const deadlines = shared(Float64Array, Array.from({ length: N }, (_, i) => 5 + (i % 200)));
      const ids = shared(Float64Array, new Array(N).fill(0));
      const levels = shared(Uint32Array, [64, 64, 64]);
      const outIds = new Float64Array(N), cancelled = new Uint8Array(N);
      let now = 0, built = 0, builtOk = 0;
      const res = await hammer(1500, [
        [deadlines, [[3, NaN, 8], [100, -1, 105], [200, 1e300, 5], [201, 2 ** 60, 6]]],
        [ids, [[0, NaN, 0], [5, 2 ** 60, 0], [6, -3, 0], [7, 1.5, 0]]],
        [levels, [[1, 0, 64], [2, 0xffffffff, 64], [0, 1, 64]]],
      ], (i) => {
        if (i % 3 === 0) {
          built++;
          const v = new addon.NativeTimingWheel(1, levels, 0);
          if (v.check() === '') builtOk++;
          v.schedule(1000);
          v.dispose();
          return;
        }
        w.scheduleMany(deadlines, outIds);
        ids.set(outIds);
        w.cancelMany(ids, cancelled);
        if (i % 5 === 0) w.advance((now += 7));
        if (w.size() > 100000) w.clear();
      });
      return { ...res, check: w.check(), built, builtOk };
    `);
    expect(r.sweeps).toBeGreaterThan(0);
    expect(r.calls).toBeGreaterThan(50);
    expectNamedErrors(r.errors);
    expect(r.check).toBe('');
    expect(r.builtOk).toBeGreaterThan(0);
  });

  // --- dispose -------------------------------------------------------------

  it('dispose() frees the Rust storage at once: large structures created and disposed in a tight loop', () => {
    // Without the immediate free this holds ~1.6 GB of wheels and ~100 MB of
    // trees until finalizers run (there is no event-loop turn in the loop).
    const r = runChild(`
      const rss = () => process.memoryUsage().rss;
      const keys = Float64Array.from({ length: 5000 }, (_, i) => i);
      const values = Array.from(keys);
      const warm = () => { new hp.TimingWheel({ backend: 'native', wheels: [65536, 65536, 65536] }).dispose(); const t = new hp.BPlusTree({ keyType: 'number', backend: 'native' }); t.setMany(keys, values); t.dispose(); };
      for (let i = 0; i < 50; i++) warm();
      const before = rss();
      for (let i = 0; i < 2000; i++) new hp.TimingWheel({ backend: 'native', wheels: [65536, 65536, 65536] }).dispose();
      const wheels = rss() - before;
      const mid = rss();
      for (let i = 0; i < 1000; i++) { const t = new hp.BPlusTree({ keyType: 'number', backend: 'native' }); t.setMany(keys, values); t.dispose(); }
      return { wheels, trees: rss() - mid };
    `);
    expect(r.wheels).toBeLessThan(50 * 2 ** 20);
    expect(r.trees).toBeLessThan(50 * 2 ** 20);
  });

  it('RSS stays bounded over 10^5 create/dispose cycles of each structure (gc between)', () => {
    const r = runChild(`
      const v8 = await import('node:v8');
      v8.setFlagsFromString('--expose-gc');
      const gc = (await import('node:vm')).runInNewContext('gc');
      const settle = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setImmediate(r)); } };
      const cycle = async (make, n) => { for (let i = 0; i < n; i++) { make().dispose(); if (i % 10000 === 9999) await settle(); } await settle(); };
      const wheel = () => new hp.TimingWheel({ backend: 'native' });
      const tree = () => new hp.BPlusTree({ keyType: 'number', backend: 'native' });
      await cycle(wheel, 10000); await cycle(tree, 10000);
      const before = process.memoryUsage().rss;
      await cycle(wheel, 100000);
      await cycle(tree, 100000);
      return { growth: process.memoryUsage().rss - before };
    `);
    expect(r.growth).toBeLessThan(50 * 2 ** 20);
  });

  it('dispose-then-use is a named TypeError, through the API and through the native cores; dispose is idempotent', () => {
    const t = new BPlusTree<number, number>({ keyType: 'number', backend: 'native' });
    const w = new TimingWheel({ backend: 'native' });
    t.dispose();
    w.dispose();
    t.dispose();
    w.dispose();
    expect(() => t.get(1)).toThrow(TypeError);
    expect(() => t.get(1)).toThrow(/^hotpath\.BPlusTree\.get: /);
    expect(() => w.schedule(1, 'x')).toThrow(/^hotpath\.TimingWheel\.schedule: /);

    const addon = load.addon!;
    const core = nativeBTree(addon)('string', 16);
    core.set('a', 1);
    core.dispose();
    core.dispose();
    for (const f of [() => core.get('a'), () => core.set('b', 2), () => core.size(), () => core.getMany(['a'], new Int32Array(1)), () => core.check()]) {
      expect(f).toThrow(TypeError);
      expect(f).toThrow(/^hotpath\.BPlusTree\.\w+: tree is disposed$/);
    }
    const wc = nativeWheel(addon)({ tickMs: 1, wheels: [256, 64], now: 0 });
    wc.schedule(10);
    wc.dispose();
    wc.dispose();
    for (const f of [() => wc.schedule(5), () => wc.advance(5), () => wc.size(), () => wc.cancelMany(new Float64Array(1), new Uint8Array(1)), () => wc.check()]) {
      expect(f).toThrow(TypeError);
      expect(f).toThrow(/^hotpath\.TimingWheel\.\w+: wheel is disposed$/);
    }
  });

  // --- errors that name the function and the argument -----------------------

  it('addon errors reach the caller as hotpath.<fn>: <arg> TypeErrors and RangeErrors', () => {
    const addon = load.addon!;
    const k = loadNativeTier().kernels!;
    const W = nativeWheel(addon), B = nativeBTree(addon);
    const cases: [() => unknown, ErrorConstructor, RegExp][] = [
      // A wheels array with a hole (or a size a Uint32Array would wrap) reaching native.
      [() => W({ tickMs: 1, wheels: [256, , 64] as number[], now: 0 }), RangeError, /^hotpath\.TimingWheel: options\.wheels\[1\] /],
      [() => W({ tickMs: 1, wheels: [2 ** 32 + 256], now: 0 }), RangeError, /^hotpath\.TimingWheel: options\.wheels\[0\] /],
      [() => W({ tickMs: 0, wheels: [256], now: 0 }), RangeError, /^hotpath\.TimingWheel: options\.tickMs must be /],
      [() => W({ tickMs: 1, wheels: [65536, 65536, 65536, 2], now: 0 }), RangeError, /^hotpath\.TimingWheel: options\.wheels /],
      // BigInt where a number goes: napi's own conversion error, renamed.
      [() => W({ tickMs: 1n as unknown as number, wheels: [256], now: 0 }), TypeError, /^hotpath\.TimingWheel: options\.tickMs must be a number; got bigint 1$/],
      [() => W({ tickMs: 1, wheels: [256], now: 0 }).schedule(5n as unknown as number), TypeError, /^hotpath\.TimingWheel\.schedule: deadline must be a number; got bigint 5$/],
      [() => B('number', 16).set(1n as unknown as number, 0), TypeError, /^hotpath\.BPlusTree\.set: key must be a number; got bigint 1$/],
      [() => k.riskScoreBatch(new Float64Array(2), new Float64Array(2), new Uint32Array([0, 1, 2]), 1n as unknown as number, new Float64Array(2)), TypeError, /^hotpath\.riskScoreBatch: options\.maxSeverity must be a number; got bigint/],
      [() => k.stats(new Float64Array(4), 1n as unknown as number, new Float64Array(8)), TypeError, /^hotpath\.stats: options\.ddof must be a number/],
      // Detached buffers: named TypeErrors, not a message about length 0.
      [() => k.riskScoreBatch(new Float64Array(2), new Float64Array(2), detached(new Uint32Array(3)), 1, new Float64Array(2)), TypeError, /^hotpath\.riskScoreBatch: offsets is a view of a detached ArrayBuffer$/],
      [() => k.ngramFeatures(['abc'], 2, 4, false, detached(new Float32Array(4))), TypeError, /^hotpath\.ngramFeatures: out is a view of a detached ArrayBuffer$/],
      [() => k.cosine(detached(new Float32Array(4)), new Float32Array(4)), TypeError, /^hotpath\.cosine: a is a view of a detached ArrayBuffer$/],
      [() => W({ tickMs: 1, wheels: [256], now: 0 }).scheduleMany(detached(new Float64Array(2)), new Float64Array(2)), TypeError, /^hotpath\.TimingWheel\.scheduleMany: deadlines is a view of a detached ArrayBuffer$/],
      [() => B('number', 16).setMany(detached(new Float64Array(2)), new Uint32Array(2), new Int32Array(2)), TypeError, /^hotpath\.BPlusTree\.setMany: keys is a view of a detached ArrayBuffer$/],
      // Values the Rust side refuses: RangeErrors naming the argument or element.
      [() => k.riskScoreBatch(new Float64Array(2), new Float64Array(2), new Uint32Array([0, 2, 1]), 1, new Float64Array(2)), RangeError, /^hotpath\.riskScoreBatch: offsets must be non-decreasing/],
      [() => k.ngramFeatures(['ab'], 0, 4, false, new Float32Array(4)), RangeError, /^hotpath\.ngramFeatures: options\.n must be a positive integer$/],
      [() => k.matmul(new Float32Array(4), new Float32Array(4), 2, 2, 3, new Float32Array(6)), RangeError, /^hotpath\.matmul: b length 4 /],
      [() => B('number', 3), RangeError, /^hotpath\.BPlusTree: options\.order must be an integer in \[4, 1024\]/],
      [() => B('number', 16).setMany(new Float64Array([1, NaN]), new Uint32Array(2), new Int32Array(2)), RangeError, /^hotpath\.BPlusTree\.setMany: keys\[1\] is NaN$/],
      [() => B('string', 16).setMany(['a', 'b'], new Uint32Array([1, 2 ** 31]), new Int32Array(2)), RangeError, /^hotpath\.BPlusTree\.setMany: slots\[1\] = 2147483648 exceeds/],
      [() => B('number', 16).bulkLoad(new Float64Array([2, 1]), new Uint32Array(2)), RangeError, /^hotpath\.BPlusTree\.fromSorted: keys must be strictly ascending/],
      [() => W({ tickMs: 1, wheels: [256], now: 0 }).scheduleMany(new Float64Array([1, -1]), new Float64Array(2)), RangeError, /^hotpath\.TimingWheel\.scheduleMany: deadlines\[1\] must be a finite number >= 0/],
      [() => W({ tickMs: 1, wheels: [256], now: 0 }).advance(NaN), RangeError, /^hotpath\.TimingWheel\.advance: now /],
    ];
    for (const [f, Ctor, re] of cases) {
      let err: unknown = null;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err, String(re)).toBeInstanceOf(Ctor);
      expect((err as Error).message).toMatch(re);
    }
  });

  it('the public API forced onto native still answers as js does after the hardening', () => {
    const s = Float64Array.from({ length: 4000 }, (_, i) => (i * 7) % 11);
    const c = Float64Array.from({ length: 4000 }, (_, i) => ((i * 13) % 10) / 10);
    const offsets = Uint32Array.from({ length: 501 }, (_, e) => e * 8);
    setBackend('native');
    try {
      const native = riskScoreBatch(s, c, offsets, { maxSeverity: 10 });
      setBackend('js');
      const js = riskScoreBatch(s, c, offsets, { maxSeverity: 10 });
      expect(Array.from(native)).toEqual(Array.from(js));
    } finally {
      setBackend('auto');
    }
  });
});
