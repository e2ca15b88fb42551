// AdaptiveBatcher: error isolation, backpressure, abort, close/drain,
// re-entrancy, a model-based check that every submit settles once with its
// own answer, and the ready-made batchers against the single-call kernels on
// every tier. Runs in Node and the browser page; the policies on a simulated
// clock are in batcher-policy.test.ts (fake timers are Node-side only).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveBatcher, riskBatcher, riskScore, topK, topKBatcher } from '../ts/index.js';
import { rng } from './support/sketch-data.js';
import { deferred, type Deferred } from './support/deferred.js';
import { onTier, TIERS } from './support/tiers.js';


const settle = <T>(p: Promise<T>): Promise<{ ok: true; v: T } | { ok: false; e: unknown }> =>
  p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );

/** Polls `check` until it stops throwing (at most ~1 s). */
async function eventually(check: () => void): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return check();
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

// --- semantics -----------------------------------------------------------------

describe('AdaptiveBatcher semantics', () => {
  it('one result per item, in order; concurrent submits share a batch', async () => {
    const seen: number[][] = [];
    const b = new AdaptiveBatcher<number, string>({ run: (xs) => (seen.push(xs), xs.map((x) => `r${x}`)), policy: { fixed: 4 } });
    const out = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((x) => b.submit(x)));
    expect(out).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8']);
    expect(seen).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const st = b.stats();
    expect(st).toMatchObject({ items: 8, batches: 2, rejected: 0, queued: 0, inFlight: 0, batchSize: { p50: 4, p99: 4, mean: 4 } });
    expect(st.latencyMs.p99).toBeGreaterThanOrEqual(0);
    expect(st.arms).toEqual([expect.objectContaining({ size: 4, pulls: 2 })]);
  });

  it('size 1 runs inside submit (runOne when given), and async runs too', async () => {
    const calls: string[] = [];
    const b = new AdaptiveBatcher<number, number>({ run: (xs) => (calls.push(`run${xs.length}`), xs), runOne: (x) => (calls.push('one'), x + 1), policy: { fixed: 1 } });
    expect(await b.submit(1)).toBe(2);
    expect(calls).toEqual(['one']);
    const a = new AdaptiveBatcher<number, number>({ run: async (xs) => xs.map((x) => x * 3), policy: { fixed: 1 } });
    expect(await Promise.all([a.submit(1), a.submit(2), a.submit(3)])).toEqual([3, 6, 9]);
  });

  it('isolates the failing items of a batch by bisection; the rest get results', async () => {
    const bad = new Set([3, 11]);
    let runs = 0;
    const b = new AdaptiveBatcher<number, number>({
      run: (xs) => {
        runs++;
        const hit = xs.find((x) => bad.has(x));
        if (hit !== undefined) throw new Error(`bad ${hit}`);
        return xs.map((x) => -x);
      },
      policy: { fixed: 16 },
    });
    const out = await Promise.all(Array.from({ length: 16 }, (_, i) => settle(b.submit(i))));
    out.forEach((r, i) => {
      if (bad.has(i)) expect(r).toEqual({ ok: false, e: new Error(`bad ${i}`) });
      else expect(r).toEqual({ ok: true, v: -i });
    });
    // 1 batch + a bisection tree touching two leaves: far fewer than 16 single runs.
    expect(runs).toBeLessThanOrEqual(1 + 2 * 2 * 4);
    expect(b.stats().retries).toBe(runs - 1);
    expect(b.stats().items).toBe(16);
  });

  it("isolateErrors 'each' reruns every item alone; 'none' fails the whole batch; async rejections too", async () => {
    const mk = (isolateErrors: 'each' | 'none') =>
      new AdaptiveBatcher<number, number>({
        run: async (xs) => {
          if (xs.includes(2)) throw new RangeError('two');
          return xs;
        },
        policy: { fixed: 4 },
        isolateErrors,
      });
    const e = mk('each');
    const r1 = await Promise.all([0, 1, 2, 3].map((x) => settle(e.submit(x))));
    expect(r1.map((r) => r.ok)).toEqual([true, true, false, true]);
    const n = mk('none');
    const r2 = await Promise.all([0, 1, 2, 3].map((x) => settle(n.submit(x))));
    expect(r2.map((r) => r.ok)).toEqual([false, false, false, false]);
  });

  it('a result of the wrong length rejects that batch by name; the batcher keeps working', async () => {
    let broken = true;
    const b = new AdaptiveBatcher<number, number>({ run: (xs) => (broken ? xs.slice(1) : xs), policy: { fixed: 3 } });
    const r = await Promise.all([1, 2, 3].map((x) => settle(b.submit(x))));
    for (const x of r) {
      expect(x.ok).toBe(false);
      expect(String((x as { e: unknown }).e)).toMatch(/^TypeError: hotpath\.AdaptiveBatcher: options\.run returned 2 results for a batch of 3 items/);
    }
    const one = new AdaptiveBatcher<number, number>({ run: () => 5 as never, policy: { fixed: 1 } });
    await expect(one.submit(1)).rejects.toThrow(/^hotpath\.AdaptiveBatcher: options\.run returned number 5 for a batch of 1 item;/);
    broken = false;
    expect(await Promise.all([4, 5, 6].map((x) => b.submit(x)))).toEqual([4, 5, 6]);
  });

  it('backpressure: beyond maxQueue submit rejects at once with a RangeError, or waits with onFull: wait', async () => {
    const gates: Deferred<number[]>[] = [];
    const b = new AdaptiveBatcher<number, number>({
      run: (xs) => {
        const d = deferred<number[]>();
        gates.push(d);
        return d.promise.then(() => xs);
      },
      maxQueue: 2,
      policy: { fixed: 1 },
    });
    const first = b.submit(0); // runs (in flight)
    const q1 = b.submit(1);
    const q2 = b.submit(2);
    await expect(b.submit(3)).rejects.toThrow(/^hotpath\.AdaptiveBatcher\.submit: the queue is full \(options\.maxQueue 2 items wait\)$/);
    expect(b.stats().rejected).toBe(1);
    const w = b.submit(4, { onFull: 'wait' });
    expect(b.stats().queued).toBe(3);
    for (let i = 0; i < 4; i++) {
      await eventually(() => expect(gates.length).toBe(i + 1));
      gates[i]!.resolve([]);
    }
    expect(await Promise.all([first, q1, q2, w])).toEqual([0, 1, 2, 4]);
    expect(b.stats().rejected).toBe(1);
  });

  it('abort removes a queued or waiting item and rejects it with the reason; a pre-aborted signal rejects at once', async () => {
    const gate = deferred<void>();
    const ran: number[][] = [];
    const b = new AdaptiveBatcher<number, number>({ run: async (xs) => (ran.push(xs), await gate.promise, xs), maxQueue: 2, policy: { fixed: 1 } });
    const running = b.submit(0);
    const ac = new AbortController();
    const queued = b.submit(1, { signal: ac.signal });
    const other = b.submit(2);
    const ac2 = new AbortController();
    const waiting = b.submit(3, { signal: ac2.signal, onFull: 'wait' });
    ac.abort(new Error('stop 1'));
    ac2.abort('stop 3');
    await expect(queued).rejects.toThrow('stop 1');
    await expect(waiting).rejects.toBe('stop 3');
    const pre = AbortSignal.abort(new TypeError('already'));
    await expect(b.submit(9, { signal: pre })).rejects.toThrow('already');
    gate.resolve();
    expect(await Promise.all([running, other])).toEqual([0, 2]);
    expect(ran.flat()).toEqual([0, 2]);
    expect(b.stats().queued).toBe(0);
  });

  it('close drains without waiting for batches to fill, then refuses by name; asyncDispose closes', async () => {
    const runs: number[][] = [];
    const b = new AdaptiveBatcher<number, number>({ run: (xs) => (runs.push(xs), xs), policy: { fixed: 64 }, targetP99Ms: 60_000 });
    const ps = [1, 2, 3].map((x) => b.submit(x));
    const closing = b.close();
    expect(b.closed).toBe(true);
    await closing;
    expect(await Promise.all(ps)).toEqual([1, 2, 3]);
    expect(runs).toEqual([[1, 2, 3]]);
    await expect(b.submit(4)).rejects.toThrow(/^hotpath\.AdaptiveBatcher\.submit: the batcher is closed$/);
    expect(b.stats().rejected).toBe(1);
    await b.close(); // again: resolves
    const gate = deferred<void>();
    let drained = false;
    {
      await using c = new AdaptiveBatcher<number, number>({ run: async (xs) => (await gate.promise, xs), policy: { fixed: 2 } });
      void c.submit(1).then(() => (drained = true));
      setTimeout(() => gate.resolve(), 5);
    }
    expect(drained).toBe(true);
  });

  it('run may call submit: the item joins the queue and gets its result', async () => {
    let b!: AdaptiveBatcher<number, number>;
    const inner: Promise<number>[] = [];
    b = new AdaptiveBatcher<number, number>({
      run: (xs) => {
        if (xs.includes(1)) inner.push(b.submit(100));
        return xs.map((x) => x + 1);
      },
      policy: { fixed: 2 },
      targetP99Ms: 4,
    });
    expect(await Promise.all([b.submit(1), b.submit(2)])).toEqual([2, 3]);
    expect(await Promise.all(inner)).toEqual([101]);
    await b.close();
  });

  it('rejects bad options by name, with the name meant for other libraries', () => {
    const run = (xs: number[]) => xs;
    expect(() => new AdaptiveBatcher(undefined as never)).toThrow(/^hotpath\.AdaptiveBatcher: options must be an object with a run function/);
    expect(() => new AdaptiveBatcher({} as never)).toThrow(/^hotpath\.AdaptiveBatcher: options\.run must be a function; got undefined$/);
    expect(() => new AdaptiveBatcher({ run, maxBatchSize: 4 } as never)).toThrow(/^hotpath\.AdaptiveBatcher: options has unknown option "maxBatchSize" \(did you mean "maxBatch"\?\)/);
    expect(() => new AdaptiveBatcher({ run, maxBatch: 0 })).toThrow(/^hotpath\.AdaptiveBatcher: options\.maxBatch must be an integer in \[1, 65536\]; got 0$/);
    expect(() => new AdaptiveBatcher({ run, maxBatch: '4' as never })).toThrow(/^hotpath\.AdaptiveBatcher: options\.maxBatch must be a number; got string "4"$/);
    expect(() => new AdaptiveBatcher({ run, targetP99Ms: 0 })).toThrow(RangeError);
    expect(() => new AdaptiveBatcher({ run, targetP99Ms: NaN })).toThrow(/options\.targetP99Ms must be finite and > 0; got NaN/);
    expect(() => new AdaptiveBatcher({ run, maxQueue: -1 })).toThrow(/options\.maxQueue/);
    expect(() => new AdaptiveBatcher({ run, policy: 'greedy' as never })).toThrow(/^hotpath\.AdaptiveBatcher: options\.policy must be 'ucb', 'aimd' or \{ fixed: n \}; got "greedy"$/);
    expect(() => new AdaptiveBatcher({ run, maxBatch: 8, policy: { fixed: 9 } })).toThrow(/options\.policy\.fixed must be an integer in \[1, 8\]; got 9/);
    expect(() => new AdaptiveBatcher({ run, policy: { size: 2 } as never })).toThrow(/options\.policy has unknown option "size"/);
    expect(() => new AdaptiveBatcher({ run, onFull: 'drop' as never })).toThrow(/options\.onFull must be 'reject' or 'wait'; got "drop"/);
    expect(() => new AdaptiveBatcher({ run, concurrency: 0 })).toThrow(/options\.concurrency/);
    expect(() => new AdaptiveBatcher({ run, isolateErrors: true as never })).toThrow(/options\.isolateErrors must be 'bisect', 'each' or 'none'/);
    expect(() => new AdaptiveBatcher({ run, clock: () => NaN })).toThrow(/^hotpath\.AdaptiveBatcher: options\.clock must return a finite time >= 0; returned NaN$/);
  });

  it('a clock that goes bad later, or backwards, counts as its last good reading; nothing throws from a timer', async () => {
    let t = 100;
    let bad = false;
    const b = new AdaptiveBatcher<number, number>({ run: (xs) => xs, policy: { fixed: 4 }, targetP99Ms: 2, clock: () => (bad ? NaN : (t -= 1)) });
    const p = Promise.all([b.submit(1), b.submit(2)]);
    bad = true;
    expect(await p).toEqual([1, 2]);
    expect(b.stats().latencyMs.max).toBe(0);
  });

  it('submit rejects bad submit options by name (never throws)', async () => {
    const b = new AdaptiveBatcher<number, number>({ run: (xs) => xs });
    await expect(b.submit(1, { signal: {} as never })).rejects.toThrow(/^hotpath\.AdaptiveBatcher\.submit: options\.signal must be an AbortSignal; got Object$/);
    await expect(b.submit(1, { onFull: 'x' as never })).rejects.toThrow(/options\.onFull must be 'reject' or 'wait'/);
    await expect(b.submit(1, { timeout: 1 } as never)).rejects.toThrow(/options has unknown option "timeout"/);
    await expect(b.submit(1, 5 as never)).rejects.toThrow(/^hotpath\.AdaptiveBatcher\.submit: options must be an object; got number 5$/);
  });
});

// --- model-based: every submit settles exactly once with its own answer --------

describe('AdaptiveBatcher model', () => {
  it('random submits, aborts, failing items and async runs: each item settles once, correctly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          policy: fc.oneof(fc.constant<'ucb'>('ucb'), fc.constant<'aimd'>('aimd'), fc.integer({ min: 1, max: 8 }).map((fixed) => ({ fixed }))),
          concurrency: fc.integer({ min: 1, max: 3 }),
          maxQueue: fc.integer({ min: 1, max: 12 }),
          asyncRun: fc.boolean(),
          isolateErrors: fc.constantFrom<'bisect' | 'each' | 'none'>('bisect', 'each', 'none'),
          ops: fc.array(
            fc.record({
              fail: fc.boolean(),
              abort: fc.constantFrom('never', 'before', 'after'),
              wait: fc.boolean(),
              yieldAfter: fc.boolean(),
            }),
            { maxLength: 40 },
          ),
        }),
        async (c) => {
          const runCount = new Map<number, number>();
          const b = new AdaptiveBatcher<number, number>({
            run: (xs) => {
              for (const x of xs) runCount.set(x, (runCount.get(x) ?? 0) + 1);
              const fail = xs.some((x) => c.ops[x]!.fail);
              if (c.asyncRun) return Promise.resolve().then(() => (fail ? Promise.reject(new Error('f')) : xs.map((x) => x * 10)));
              if (fail) throw new Error('f');
              return xs.map((x) => x * 10);
            },
            maxBatch: 8,
            targetP99Ms: 1,
            maxQueue: c.maxQueue,
            policy: c.policy,
            concurrency: c.concurrency,
            isolateErrors: c.isolateErrors,
          });
          const results: Promise<{ ok: boolean; v?: number; e?: unknown }>[] = [];
          for (let i = 0; i < c.ops.length; i++) {
            const op = c.ops[i]!;
            const ac = new AbortController();
            if (op.abort === 'before') ac.abort('A');
            results.push(settle(b.submit(i, { signal: ac.signal, onFull: op.wait ? 'wait' : 'reject' })));
            if (op.abort === 'after') ac.abort('A');
            if (op.yieldAfter) await Promise.resolve();
          }
          await b.close();
          const out = await Promise.all(results);
          out.forEach((r, i) => {
            const op = c.ops[i]!;
            if (r.ok) {
              expect(r.v).toBe(i * 10);
              expect(op.fail).toBe(false);
            } else if (r.e === 'A') {
              expect(op.abort).not.toBe('never');
            } else if (r.e instanceof RangeError) {
              expect(op.wait).toBe(false);
              expect(runCount.has(i)).toBe(false);
            } else {
              // Failed: its own failure, or a batch mate's when isolation is off.
              expect(op.fail || c.isolateErrors === 'none').toBe(true);
            }
            if (op.abort === 'before') expect(r).toEqual({ ok: false, e: 'A' });
          });
          const st = b.stats();
          expect(st.queued).toBe(0);
          expect(st.inFlight).toBe(0);
          const settledByBatcher = out.filter((r) => !(r.ok === false && (r.e === 'A' || r.e instanceof RangeError))).length;
          expect(st.items).toBe(settledByBatcher);
        },
      ),
      { numRuns: 150 },
    );
  });
});

// --- ready-made batchers, on every tier ------------------------------------------

describe('riskBatcher and topKBatcher', () => {
  for (const tier of TIERS) {
    it(`riskBatcher gives riskScore's answer per request (${tier}); a bad request fails alone`, async () => {
      const random = rng(7);
      const reqs = Array.from({ length: 100 }, (_, i) => {
        const n = i % 9;
        return { severities: Array.from({ length: n }, () => random() * 6), confidences: Array.from({ length: n }, () => random()) };
      });
      const want = onTier(tier, () => reqs.map((r) => riskScore(r.severities, r.confidences, { maxSeverity: 6 })));
      const b = riskBatcher({ policy: { fixed: 16 }, maxSeverity: 6 });
      const got = await onTier(tier, async () => {
        const ps = reqs.map((r, i) => settle(b.submit(i === 40 ? { severities: [1, 2], confidences: [0.5] } : i === 41 ? { severities: [NaN], confidences: [1] } : r)));
        await b.close();
        return Promise.all(ps);
      });
      got.forEach((r, i) => {
        if (i === 40) expect(String((r as { e: unknown }).e)).toMatch(/^RangeError: hotpath\.riskScore: /);
        else if (i === 41) expect(String((r as { e: unknown }).e)).toMatch(/^(Range|Type)Error: hotpath\.riskScore: /);
        else {
          expect(r.ok).toBe(true);
          expect((r as { v: number }).v).toBeCloseTo(want[i]!, 14);
        }
      });
    });

    it(`topKBatcher gives topK's rows per query (${tier}), for cosine, euclidean and dot`, async () => {
      const random = rng(11);
      const dim = 24;
      const rows = 500;
      const matrix = Float32Array.from({ length: rows * dim }, () => random() * 2 - 1);
      const queries = Array.from({ length: 40 }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
      for (const metric of ['cosine', 'euclidean', 'dot'] as const) {
        const b = topKBatcher(matrix, dim, 7, { metric, policy: { fixed: 16 } });
        const got = await onTier(tier, async () => {
          const ps = queries.map((q) => b.submit(q));
          await b.close();
          return Promise.all(ps);
        });
        const want = onTier(tier, () => queries.map((q) => topK(q, matrix, dim, 7, { metric })));
        got.forEach((r, i) => {
          expect(Array.from(r.indices)).toEqual(Array.from(want[i]!.indices));
          r.scores.forEach((s, j) => expect(s).toBeCloseTo(want[i]!.scores[j]!, 5));
        });
      }
    });
  }

  it('topKBatcher and riskBatcher check their arguments by name', async () => {
    const m = new Float32Array(8);
    expect(() => topKBatcher(m, 3, 1)).toThrow(/^hotpath\.topKBatcher: matrix length 8 is not a multiple of dim 3$/);
    expect(() => topKBatcher([1, 2] as never, 2, 1)).toThrow(/^hotpath\.topKBatcher: matrix /);
    expect(() => topKBatcher(m, 2, -1)).toThrow(/^hotpath\.topKBatcher: k /);
    expect(() => topKBatcher(m, 2, 1, { metric: 'l1' as never })).toThrow(/^hotpath\.topKBatcher: options\.metric must be 'cosine', 'dot' or 'euclidean'; got "l1"$/);
    expect(() => topKBatcher(m, 2, 1, { run: () => [] } as never)).toThrow(/^hotpath\.topKBatcher: options has unknown option "run"/);
    expect(() => riskBatcher({ maxSeverity: 0 })).toThrow(/^hotpath\.riskBatcher: options\.maxSeverity /);
    expect(() => riskBatcher({ policy: 'x' as never })).toThrow(/^hotpath\.riskBatcher: options\.policy /);
    expect(() => riskBatcher({ maxBatchSize: 2 } as never)).toThrow(/did you mean "maxBatch"/);
    const b = topKBatcher(m, 2, 1, { policy: { fixed: 2 } });
    await expect(b.submit(new Float32Array(3))).rejects.toThrow(/^hotpath\.topK: query length 3 does not match dim 2$/);
    const r = riskBatcher();
    await expect(r.submit(null as never)).rejects.toThrow(/^hotpath\.riskBatcher\.submit: item must be \{ severities, confidences \}; got null$/);
  });
});
