// The open-loop load generator of the batcher benches (bench/batcher.mjs,
// bench/model.mjs): arrivals are Poisson (in bursts of `burst`), issued on
// schedule whether or not earlier requests finished; latency runs from each
// request's scheduled arrival, so time a request spent behind a blocked
// event loop counts (no coordinated omission).
import { mulberry32 } from './data.mjs';

/** Runs `submit` open-loop at `rate` items/s for `ms`, in bursts of `burst`; waits up to `drainMs` for stragglers. */
export function openLoop(submit, pool, { rate, ms, burst = 1, drainMs = 3000, seed = 1 }) {
  const rnd = mulberry32(seed);
  const cap = Math.ceil((rate * ms) / 1000) + burst * 4 + 16;
  const lat = new Float64Array(cap);
  let issued = 0;
  let done = 0;
  let failed = 0;
  let lastDone = 0;
  return new Promise((resolve) => {
    const start = performance.now();
    const end = start + ms;
    let next = start;
    const finish = () => {
      const elapsed = Math.max(lastDone, end) - start;
      const sorted = lat.subarray(0, done).sort();
      const q = (p) => (done === 0 ? NaN : sorted[Math.min(done - 1, Math.floor(p * done))]);
      resolve({ offered: rate, issued, done, failed, throughput: (done / elapsed) * 1000, p50: q(0.5), p99: q(0.99) });
    };
    const loop = () => {
      const now = performance.now();
      // At most 8192 items per turn, so an overloaded run cannot hold millions of promises at once.
      let budget = 8192;
      while (next <= now && next < end && issued + burst <= cap && budget > 0) {
        const t = next;
        for (let b = 0; b < burst; b++) {
          submit(pool[issued++ % pool.length]).then(
            () => {
              const e = performance.now();
              lat[done++] = e - t;
              lastDone = e;
            },
            () => failed++,
          );
        }
        budget -= burst;
        next += (-Math.log(1 - rnd()) / (rate / burst)) * 1000;
      }
      if (next >= end || issued + burst > cap) {
        const deadline = performance.now() + drainMs;
        const wait = () => (done + failed >= issued || performance.now() > deadline ? finish() : setTimeout(wait, 2));
        return wait();
      }
      const ahead = next - performance.now();
      if (ahead > 1.5) setTimeout(loop, ahead - 1);
      else setImmediate(loop);
    };
    loop();
  });
}

