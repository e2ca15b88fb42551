// The native tier's async kernels (ts/tiers/native/async.ts over
// native/src/async_kernels.rs): bit for bit the sync native kernels, on plain
// and SharedArrayBuffer-backed inputs; the event loop keeps ticking while a
// large call runs; concurrent calls; AbortSignal before, while queued and
// while running; bad arguments rejected with named errors; inputs rewritten
// by the JS thread mid-call tear values, never crash.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { KernelSet } from '../ts/contract/kernels.js';
import type { FloatArray, Metric } from '../ts/contract/types.js';
import { asyncKernelsOf, nativeAsyncKernels, type NativeAsyncKernels } from '../ts/tiers/native/async.js';
import { loadNativeTier } from '../ts/tiers/native/index.js';
import { loadNativeAddon } from '../ts/tiers/native/loader.js';
import { nativeModel } from '../ts/tiers/native/model.js';
import { rng } from './support/sketch-data.js';
import { EXPECTED_ABSENT } from './support/tiers.js';

const load = loadNativeAddon();
const tier = loadNativeTier();
const sync = tier.kernels as KernelSet;
const ak = nativeAsyncKernels();

type Ctor<T> = { new (n: number): T; new (b: ArrayBufferLike): T; BYTES_PER_ELEMENT: number };

/** `n` values in [-1, 1), in a fresh array (on a SharedArrayBuffer when `shared`). */
function rand<T extends Float32Array | Float64Array>(C: Ctor<T>, n: number, seed: number, shared = false): T {
  const r = rng(seed);
  const x = shared ? new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT)) : new C(n);
  for (let i = 0; i < n; i++) x[i] = r() * 2 - 1;
  return x;
}

function filled<T extends Float32Array | Float64Array | Uint32Array>(C: Ctor<T>, n: number, v: number, shared = false): T {
  const x = shared ? new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT)) : new C(n);
  x.fill(v);
  return x;
}

/** Bitwise equality (NaN == NaN, -0 != 0). */
function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect(`[${i}] ${got[i]}`).toBe(`[${i}] ${want[i]}`);
  }
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => {
      throw new Error(`resolved with ${String(v)}`);
    },
    (e: unknown) => e,
  );
}

/** A worker that spins for the milliseconds it is sent, then replies; says 'ready' first. */
const BURNER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (ms) => {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  parentPort.postMessage(n);
});
parentPort.postMessage('ready');
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves once `cond()` holds, polling; fails after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe.skipIf(EXPECTED_ABSENT.has('native'))('native async kernels', () => {
  const k = ak as NativeAsyncKernels;

  it('the addon loaded and the async kernels exist', () => {
    expect(load.addon, load.addon === null ? load.error : '').not.toBeNull();
    expect(tier.status.loaded, tier.status.error ?? '').toBe(true);
    expect(ak).not.toBeNull();
    expect(nativeAsyncKernels()).toBe(ak);
  });

  describe.each([false, true])('same bits as the sync native kernels (SharedArrayBuffer inputs: %s)', (shared) => {
    it('cosineBatch and euclideanBatch', async () => {
      const dim = 37;
      const q = rand(Float32Array, 3 * dim, 1, shared);
      const m = rand(Float32Array, 501 * dim, 2, shared);
      for (const name of ['cosineBatch', 'euclideanBatch'] as const) {
        const want = new Float32Array(3 * 501);
        sync[name](q, m, dim, want);
        const out = filled(Float32Array, 3 * 501, NaN, shared);
        await expect(k[name](q, m, dim, out)).resolves.toBeUndefined();
        expectSameBits(out, want);
      }
    });

    it('topK, every metric, with a NaN row', async () => {
      const dim = 9;
      const q = rand(Float32Array, dim, 3, shared);
      const m = rand(Float32Array, 700 * dim, 4, shared);
      m[5 * dim + 2] = NaN;
      for (const metric of ['cosine', 'dot', 'euclidean'] as Metric[]) {
        const wi = new Uint32Array(13);
        const ws = new Float32Array(13);
        const wantBad = sync.topK(q, m, dim, metric, wi, ws);
        const gi = filled(Uint32Array, 13, 7, shared);
        const gs = filled(Float32Array, 13, NaN, shared);
        expect(await k.topK(q, m, dim, metric, gi, gs)).toBe(wantBad);
        expect(wantBad).toBe(1);
        expectSameBits(gi, wi);
        expectSameBits(gs, ws);
      }
    });

    it('riskScoreBatch and temporalDecay, f64 and f32 inputs', async () => {
      const n = 4000;
      const r = rng(5);
      const offsets = shared ? new Uint32Array(new SharedArrayBuffer(4 * 201)) : new Uint32Array(201);
      for (let e = 1; e <= 200; e++) offsets[e] = Math.min(n, offsets[e - 1]! + Math.floor(r() * 40));
      for (const C of [Float64Array, Float32Array] as Ctor<FloatArray>[]) {
        const sev = rand(C, n, 6, shared).map(Math.abs);
        const conf = rand(C, n, 7, shared).map(Math.abs);
        sev[17] = NaN;
        const want = new Float64Array(200);
        const wantBad = sync.riskScoreBatch(sev, conf, offsets, 1, want);
        const out = filled(Float64Array, 200, -1, shared);
        expect(await k.riskScoreBatch(sev, conf, offsets, 1, out)).toBe(wantBad);
        expectSameBits(out, want);

        const scores = rand(C, n, 8, shared);
        const ages = rand(C, n, 9, shared);
        const wantD = new Float64Array(n);
        const flags = sync.temporalDecay(scores, ages, 2.5, wantD);
        expect(flags).toBe(2);
        const outD = filled(Float64Array, n, NaN, shared);
        expect(await k.temporalDecay(scores, ages, 2.5, outD)).toBe(flags);
        expectSameBits(outD, wantD);
      }
    });

    it('stats and firstNonFinite, f64 and f32', async () => {
      for (const C of [Float64Array, Float32Array] as Ctor<FloatArray>[]) {
        const x = rand(C, 10_001, 10, shared);
        for (const ddof of [0, 1]) {
          const want = new Float64Array(8);
          sync.stats(x, ddof, want);
          const out = filled(Float64Array, 8, NaN, shared);
          await k.stats(x, ddof, out);
          expectSameBits(out, want);
        }
        expect(await k.firstNonFinite(x)).toBe(-1);
        for (const at of [9000, 1025, 3]) {
          x[at] = at === 1025 ? -Infinity : NaN;
          expect(await k.firstNonFinite(x)).toBe(sync.firstNonFinite(x));
          expect(await k.firstNonFinite(x)).toBe(at);
        }
        expect(await k.firstNonFinite(new C(0))).toBe(-1);
      }
    });

    it('matmul, f32 and f64', async () => {
      const [m, kk, n] = [33, 70, 41];
      for (const C of [Float32Array, Float64Array] as Ctor<FloatArray>[]) {
        const a = rand(C, m * kk, 11, shared);
        const b = rand(C, kk * n, 12, shared);
        const want = new C(m * n);
        sync.matmul(a, b, m, kk, n, want);
        const out = shared ? new C(new SharedArrayBuffer(m * n * C.BYTES_PER_ELEMENT)) : new C(m * n);
        await k.matmul(a, b, m, kk, n, out);
        expectSameBits(out, want);
      }
    });
  });

  it('the event loop keeps ticking while cosineBatch of 200k × 384 runs', async () => {
    const dim = 384;
    const rows = 200_000;
    const q = rand(Float32Array, 2 * dim, 13);
    const m = new Float32Array(rows * dim);
    const r = rng(14);
    for (let i = 0; i < m.length; i += 97) m[i] = r();
    const out = new Float32Array(2 * rows);
    const want = new Float32Array(2 * rows);
    /** 1 ms interval ticks per ms while `f` runs, and how long `f` took to return its promise. */
    async function tickRate(f: () => Promise<void>): Promise<{ rate: number; returned: number; ticks: number; elapsed: number }> {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const t0 = performance.now();
      const p = f();
      const returned = performance.now() - t0;
      await p;
      const elapsed = performance.now() - t0;
      clearInterval(timer);
      return { rate: ticks / elapsed, returned, ticks, elapsed };
    }
    // The measurement can tell: the sync kernel blocks the loop for the whole call.
    const blocked = await tickRate(async () => {
      await sleep(0);
      sync.cosineBatch(q, m, dim, want);
    });
    expect(blocked.ticks, `${blocked.ticks} ticks in ${blocked.elapsed.toFixed(1)} ms`).toBeLessThanOrEqual(2);
    // Expected ticks: what the loop gets while the same number of threads
    // burn CPU elsewhere in this process for the same time (a 1 ms interval
    // fires less than once a ms even when idle, and on a machine shared with
    // other jobs, threads of this process that compute take CPU from the JS
    // thread whatever they run). So the test isolates "the call does not
    // block the loop" from "the machine is busy". Best of five runs; a
    // blocked loop scores ~0 every time.
    const burners = Array.from({ length: Math.max(1, tier.status.threads) }, () => new Worker(BURNER, { eval: true }));
    try {
      await Promise.all(burners.map((w) => new Promise((r) => w.once('message', r))));
      const burn = (ms: number): Promise<void> =>
        Promise.all(burners.map((w) => new Promise<void>((r) => {
          w.once('message', () => r());
          w.postMessage(ms);
        }))).then(() => undefined);
      const ratios: string[] = [];
      let best = 0;
      for (let attempt = 0; attempt < 5 && best < 0.8; attempt++) {
        out.fill(NaN);
        const run = await tickRate(() => k.cosineBatch(q, m, dim, out));
        // The promise came back at once, not after the work.
        expect(run.returned).toBeLessThan(Math.max(5, run.elapsed / 4));
        expectSameBits(out, want);
        const busy = await tickRate(() => burn(run.elapsed));
        // A baseline starved to a handful of ticks says nothing: not counted.
        if (busy.ticks >= 10) best = Math.max(best, run.rate / busy.rate);
        ratios.push(`${run.ticks} ticks in ${run.elapsed.toFixed(1)} ms vs ${busy.ticks} in ${busy.elapsed.toFixed(1)} ms beside ${burners.length} spinning threads`);
      }
      expect(best, ratios.join('; ')).toBeGreaterThanOrEqual(0.8);
    } finally {
      await Promise.all(burners.map((w) => w.terminate()));
    }
  });

  it('8 concurrent calls all complete with correct results', async () => {
    const dim = 64;
    const calls = Array.from({ length: 8 }, (_, i) => {
      const q = rand(Float32Array, 2 * dim, 100 + i);
      const m = rand(Float32Array, (3000 + i * 17) * dim, 200 + i, i % 2 === 1);
      const want = new Float32Array((q.length / dim) * (m.length / dim));
      sync.cosineBatch(q, m, dim, want);
      return { q, m, want, out: new Float32Array(want.length).fill(NaN) };
    });
    await Promise.all(calls.map((c) => k.cosineBatch(c.q, c.m, dim, c.out)));
    for (const c of calls) expectSameBits(c.out, c.want);
  });

  describe('AbortSignal', () => {
    const dim = 384;
    const rows = 100_000;
    const big = rand(Float32Array, rows * dim, 15);
    const q = rand(Float32Array, 4 * dim, 16);

    it('already aborted: rejects with the reason and queues nothing', async () => {
      const reason = new Error('stop');
      const out = new Float32Array(4 * rows).fill(NaN);
      const p = k.cosineBatch(q, big, dim, out, AbortSignal.abort(reason));
      expect(await rejection(p)).toBe(reason);
      // A call queued after it completes; nothing ever wrote the first out.
      const other = new Float32Array(4 * 10);
      await k.cosineBatch(q, big.subarray(0, 10 * dim), dim, other);
      await sleep(50);
      expect(out.every(Number.isNaN)).toBe(true);
      // Any reason, including a non-Error, and the default AbortError.
      expect(await rejection(k.stats(new Float64Array([1, 2]), 0, new Float64Array(8), AbortSignal.abort('why')))).toBe('why');
      const dflt = await rejection(k.firstNonFinite(new Float64Array(3), AbortSignal.abort()));
      expect((dflt as DOMException).name).toBe('AbortError');
    });

    it('aborted while running: rejects at once with the reason, the task finishes into out', async () => {
      const out = new Float32Array(4 * rows).fill(NaN);
      const ac = new AbortController();
      const t0 = performance.now();
      const p = k.cosineBatch(q, big, dim, out, ac.signal);
      // Abort once the task is running: the first results are in out.
      await until(() => out.some((v) => !Number.isNaN(v)), 30_000, 'the task to start');
      const reason = new Error('cancelled by the test');
      ac.abort(reason);
      expect(await rejection(p)).toBe(reason);
      const rejectedAt = performance.now() - t0;
      // The task was not interrupted: it still writes the whole result into
      // the (still referenced) out, later than the rejection.
      await until(() => !out.some(Number.isNaN), 30_000, 'the aborted task to finish');
      const doneAt = performance.now() - t0;
      expect(rejectedAt).toBeLessThan(doneAt);
      const want = new Float32Array(4 * rows);
      sync.cosineBatch(q, big, dim, want);
      expectSameBits(out, want);
    });

    it('aborted while queued: rejects with the reason, the task is cancelled and never writes', async () => {
      // Fill every libuv thread with a long task, then queue one more.
      const busy = Number(process.env.UV_THREADPOOL_SIZE ?? 4) + 2;
      const fillers = Array.from({ length: busy }, () => k.cosineBatch(q, big, dim, new Float32Array(4 * rows)));
      const out = new Float32Array(4 * rows).fill(NaN);
      const ac = new AbortController();
      const p = k.cosineBatch(q, big, dim, out, ac.signal);
      ac.abort('queued');
      expect(await rejection(p)).toBe('queued');
      await Promise.all(fillers);
      await sleep(50);
      expect(out.every(Number.isNaN)).toBe(true);
    });

    it('a signal that never fires changes nothing, and its listener is removed', async () => {
      const ac = new AbortController();
      const out = new Float64Array(8);
      await k.stats(new Float64Array([1, 2, 3, 4]), 0, out, ac.signal);
      expect(out[2]).toBe(2.5);
      ac.abort('late');
      // Nothing to reject any more; the next call on the aborted signal does.
      expect(await rejection(k.stats(new Float64Array([1]), 0, out, ac.signal))).toBe('late');
    });
  });

  describe('bad arguments reject with named errors (never a throw from the call)', () => {
    const q = new Float32Array(8);
    const m = new Float32Array(24);

    it('call-time checks: dim, overlap, k, metric', async () => {
      let p = k.cosineBatch(q, m, 0, new Float32Array(6));
      expect(p).toBeInstanceOf(Promise);
      let e = await rejection(p);
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toBe('hotpath.cosineBatch: dim must be a positive integer');
      e = await rejection(k.euclideanBatch(q, m, 4, m.subarray(0, 12)));
      expect((e as Error).message).toBe('hotpath.euclideanBatch: out must not share memory with matrix');
      e = await rejection(k.topK(q.subarray(0, 4), m, 4, 'dot', new Uint32Array(2), new Float32Array(m.buffer, 0, 2)));
      expect((e as Error).message).toMatch(/^hotpath\.topK: outScores must not share memory with (query|matrix)/);
      // An unknown metric has no code: napi refuses the conversion, as for the sync kernel.
      e = await rejection(k.topK(q.subarray(0, 4), m, 4, 'manhattan' as Metric, new Uint32Array(2), new Float32Array(2)));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/^hotpath\.topK: /);
      e = await rejection(k.matmul(new Float64Array(4), new Float64Array(4), 2, 2, -1, new Float64Array(4)));
      expect((e as Error).message).toMatch(/^hotpath\.matmul: n must be a non-negative integer/);
    });

    it('the kernels\' own checks, in the task: lengths, offsets', async () => {
      let e = await rejection(k.cosineBatch(q, new Float32Array(25), 4, new Float32Array(12)));
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toBe('hotpath.cosineBatch: matrix length 25 is not a multiple of dim 4');
      e = await rejection(k.riskScoreBatch(new Float64Array(4), new Float64Array(4), new Uint32Array([0, 3, 2]), 10, new Float64Array(2)));
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toMatch(/^hotpath\.riskScoreBatch: offsets must be non-decreasing/);
      e = await rejection(k.temporalDecay(new Float64Array(4), new Float32Array(3), 1, new Float64Array(4)));
      expect((e as Error).message).toMatch(/^hotpath\.temporalDecay: ages length 3 does not match scores length 4/);
      e = await rejection(k.matmul(new Float32Array(6), new Float32Array(6), 2, 3, 2, new Float32Array(3)));
      expect((e as Error).message).toMatch(/^hotpath\.matmul: out length 3/);
      e = await rejection(k.stats(new Float64Array(0), 0, new Float64Array(8)));
      expect(e).toBeInstanceOf(RangeError);
      expect((e as Error).message).toMatch(/^hotpath\.stats: x/);
    });

    it('wrong types and detached buffers', async () => {
      let e = await rejection(k.cosineBatch(new Float64Array(8) as unknown as Float32Array, m, 4, new Float32Array(6)));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/^hotpath\.cosineBatch: /);
      e = await rejection(k.firstNonFinite(new Int32Array(3) as unknown as Float64Array));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(/^hotpath\.firstNonFinite: /);
      const d = new Float32Array(24);
      structuredClone(d.buffer, { transfer: [d.buffer] });
      e = await rejection(k.cosineBatch(q, d, 4, new Float32Array(6)));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toBe('hotpath.cosineBatch: matrix is a view of a detached ArrayBuffer');
    });
  });

  it('inputs rewritten by the JS thread while the task runs: torn values, no crash', async () => {
    const dim = 384;
    const rows = 100_000;
    for (const shared of [true, false]) {
      const m = rand(Float32Array, rows * dim, 17, shared);
      const q = rand(Float32Array, 4 * dim, 18, shared);
      const out = new Float32Array(4 * rows);
      const offsets = new Uint32Array(shared ? new SharedArrayBuffer(4 * 1001) : new ArrayBuffer(4 * 1001));
      for (let i = 0; i <= 1000; i++) offsets[i] = i * 50;
      const sev = rand(Float64Array, 50_000, 19, shared);
      const riskOut = new Float64Array(1000);
      const p = k.cosineBatch(q, m, dim, out);
      // Observed at once: it may reject (offsets rewritten) before p settles.
      const pr = k.riskScoreBatch(sev, sev, offsets, 1, riskOut).then(
        (bad) => ({ bad }),
        (e: unknown) => ({ e }),
      );
      let writes = 0;
      const r = rng(20);
      const writer = setInterval(() => {
        for (let i = 0; i < 2000; i++) m[Math.floor(r() * m.length)] = r() > 0.5 ? NaN : r();
        // Offsets out of order and past the end: the task validates its own copy.
        offsets[Math.floor(r() * 1001)] = 0xffffffff;
        writes++;
      }, 0);
      await p;
      const risk: { bad: number } | { e: unknown } = await pr;
      clearInterval(writer);
      // The writer really ran while the tasks did.
      expect(writes).toBeGreaterThan(0);
      if ('e' in risk) expect((risk.e as Error).message).toMatch(/^hotpath\.riskScoreBatch: offsets/);
      else expect(risk.bad).toBeGreaterThanOrEqual(0);
    }
  });

  it('DenseModel predictAsync on the native core holds its inputs and matches predict', async () => {
    const factory = nativeModel(load.addon!);
    if (factory === null || factory === undefined) throw new Error('the addon has no NativeDenseModel');
    const r = rng(21);
    const layers = [
      { inDim: 16, outDim: 8, activation: 1 },
      { inDim: 8, outDim: 3, activation: 0 },
    ];
    const weights = Float32Array.from({ length: 16 * 8 + 8 * 3 }, () => r() - 0.5);
    const biases = Float32Array.from({ length: 11 }, () => r() - 0.5);
    const core = factory({ layers, weights, biases });
    const predictAsync = core.predictAsync?.bind(core);
    if (predictAsync === undefined) throw new Error('the native model core has no predictAsync');
    for (const shared of [false, true]) {
      const x = rand(Float32Array, 40 * 16, 22, shared);
      const want = new Float32Array(40 * 3);
      core.predict(x, 40, want);
      expectSameBits(await predictAsync(x, 40), want);
    }
    const e = await rejection(predictAsync(new Float32Array(15), 1));
    expect((e as Error).message).toMatch(/^hotpath\.DenseModel\.predictAsync: inputs length 15/);
    core.dispose();
  });

  it('asyncKernelsOf builds the same table over an addon', () => {
    expect(Object.keys(asyncKernelsOf(load.addon!)).sort()).toEqual(Object.keys(k).sort());
  });
});
