// AdaptiveBatcher's batch-size policies on a simulated clock: fake timers,
// Poisson arrivals, and a `run` that costs virtual milliseconds, so
// convergence is tested deterministically and in well under a second.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AdaptiveBatcher, type AdaptiveBatcherOptions } from '../ts/index.js';
import { rng } from './support/sketch-data.js';

afterEach(() => {
  vi.useRealTimers();
});

interface Sim {
  /** Batch sizes of the last quarter of the run. */
  late: number[];
  /** Item latencies (arrival to result) of the last half, sorted. */
  latencies: number[];
  done: number;
  submitted: number;
}

/**
 * Poisson arrivals at `rate` per virtual ms for `ms`; `run` takes `cost(n)`
 * virtual ms (whole ms: fake timers count in ms) for a batch of n.
 */
async function simulate(opts: { cost: (n: number) => number; rate: number; ms: number; targetP99Ms: number; maxBatch: number; policy?: AdaptiveBatcherOptions<number, number>['policy']; seed?: number }): Promise<Sim> {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  const batches: { t: number; n: number }[] = [];
  const b = new AdaptiveBatcher<number, number>({
    run: (items) =>
      new Promise((res) => {
        batches.push({ t: Date.now(), n: items.length });
        setTimeout(() => res(items.map((x) => x * 2)), opts.cost(items.length));
      }),
    maxBatch: opts.maxBatch,
    targetP99Ms: opts.targetP99Ms,
    maxQueue: 1e6,
    policy: opts.policy,
    clock: () => Date.now(),
  });
  const random = rng(opts.seed ?? 1);
  const lat: { t: number; ms: number }[] = [];
  let submitted = 0;
  let done = 0;
  let carry = 0;
  // Whole-ms ticks: Poisson(rate) arrivals per tick by exponential gaps.
  const tick = setInterval(() => {
    const now = Date.now();
    if (now > opts.ms) return clearInterval(tick);
    carry -= 1;
    while (carry < 0) {
      carry += -Math.log(1 - random()) / opts.rate;
      const i = submitted++;
      void b.submit(i).then((v) => {
        expect(v).toBe(2 * i);
        done++;
        lat.push({ t: now, ms: Date.now() - now });
      });
    }
  }, 1);
  await vi.advanceTimersByTimeAsync(opts.ms + 5_000);
  await b.close();
  const late = batches.filter((x) => x.t > opts.ms * 0.75).map((x) => x.n);
  const latencies = lat
    .filter((x) => x.t > opts.ms / 2)
    .map((x) => x.ms)
    .sort((x, y) => x - y);
  return { late, latencies, done, submitted };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const p99 = (sorted: number[]): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;

describe('AdaptiveBatcher policy (simulated clock)', () => {
  it('UCB converges to size 1 when batching gains nothing (cost linear in n)', async () => {
    // 2 ms per item, one arrival per 10 ms: waiting for a second item only adds latency.
    const s = await simulate({ cost: (n) => 2 * n, rate: 0.1, ms: 20_000, targetP99Ms: 100, maxBatch: 64 });
    expect(s.done).toBe(s.submitted);
    expect(median(s.late)).toBe(1);
    expect(s.late.filter((n) => n === 1).length / s.late.length).toBeGreaterThan(0.8);
    expect(p99(s.latencies)).toBeLessThan(100);
  });

  it('UCB converges to large batches for a memory-bound kernel (a fixed scan plus a little per item)', async () => {
    // 20 ms per pass + 1 ms per query, 0.3 arrivals/ms: size 1 serves 0.05/ms, size 32 0.6/ms.
    const s = await simulate({ cost: (n) => 20 + n, rate: 0.3, ms: 30_000, targetP99Ms: 400, maxBatch: 256 });
    expect(s.done).toBe(s.submitted);
    expect(median(s.late)).toBeGreaterThanOrEqual(8);
    expect(p99(s.latencies)).toBeLessThan(400);
  });

  it('UCB respects the latency target: it does not grow batches whose service time breaks it', async () => {
    // Service 5 + 2n ms against a 40 ms target: sizes above ~16 cannot meet it.
    const s = await simulate({ cost: (n) => 5 + 2 * n, rate: 0.2, ms: 30_000, targetP99Ms: 40, maxBatch: 256 });
    expect(s.done).toBe(s.submitted);
    expect(Math.max(...s.late)).toBeLessThanOrEqual(16);
    expect(p99(s.latencies)).toBeLessThanOrEqual(40);
  });

  it('AIMD grows under load and stays within the target; fixed holds its size', async () => {
    const a = await simulate({ cost: (n) => 20 + n, rate: 0.3, ms: 30_000, targetP99Ms: 400, maxBatch: 256, policy: 'aimd' });
    expect(a.done).toBe(a.submitted);
    expect(median(a.late)).toBeGreaterThanOrEqual(8);
    const f = await simulate({ cost: (n) => 20 + n, rate: 0.3, ms: 10_000, targetP99Ms: 400, maxBatch: 256, policy: { fixed: 16 } });
    expect(f.done).toBe(f.submitted);
    expect(Math.max(...f.late)).toBeLessThanOrEqual(16);
    expect(median(f.late)).toBe(16);
  });

  it('a batch short of its size runs once its oldest item has waited what the target allows', async () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const runs: number[] = [];
    const b = new AdaptiveBatcher<number, number>({ run: (xs) => (runs.push(Date.now()), xs), policy: { fixed: 8 }, targetP99Ms: 20, clock: () => Date.now() });
    const p = Promise.all([b.submit(1), b.submit(2)]);
    await vi.advanceTimersByTimeAsync(9);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(await p).toEqual([1, 2]);
    // Nothing measured yet, so the wait is half the target.
    expect(runs).toEqual([10]);
  });
});

