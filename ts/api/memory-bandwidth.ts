// The machine's sustainable memory bandwidth, so memory-bound kernels can be
// reported as a fraction of it (bench) and users can size batches.
import { allocate, checkCount, checkOptions, rangeError } from '../contract/errors.js';
import { hostProbe } from '../dispatch/dispatch.js';
import { topology } from './topology.js';

/** Options of {@link memoryBandwidth}. */
export interface MemoryBandwidthOptions {
  /**
   * Size of each of the three arrays in bytes (rounded down to whole f64).
   * Default: 4x the last-level cache, clamped to [64 MiB, 128 MiB], so the
   * triad streams from DRAM on common machines while the default run stays
   * well under a second and a few hundred MiB (a VM can report an L3 of
   * hundreds of MiB; pass a larger size to measure past such a cache).
   */
  arrayBytes?: number;
  /** Timed passes; the fastest is reported, as STREAM does. Default 5. */
  passes?: number;
}

/** What {@link memoryBandwidth} measured. */
export interface MemoryBandwidth {
  /** Triad bandwidth in GB/s (10^9 bytes), by STREAM's byte count. */
  gbPerSec: number;
  /** Bytes one pass moves: 24 per element (two loads, one store). */
  bytesPerPass: number;
  /** Fastest pass, seconds. */
  bestSeconds: number;
  /** Threads that ran it: the native batch pool, or 1 for the js fallback. */
  threads: number;
  /** 'native' (Rust, on the batch pool) or 'js' (one thread, when the addon is not loaded). */
  source: 'native' | 'js';
}

const MIB = 2 ** 20;

function jsTriad(len: number, passes: number): { bestSeconds: number } {
  const arrays = 'options.arrayBytes (x 3 arrays)';
  const a = allocate('memoryBandwidth', arrays, Float64Array, len);
  const b = allocate('memoryBandwidth', arrays, Float64Array, len).fill(1), c = allocate('memoryBandwidth', arrays, Float64Array, len).fill(2);
  const s = 3;
  let best = Infinity;
  for (let p = 0; p <= passes; p++) {
    const t = performance.now();
    for (let i = 0; i < len; i++) a[i] = b[i] + s * c[i];
    // Pass 0 warms up (page faults, JIT) and is not counted.
    if (p > 0) best = Math.min(best, (performance.now() - t) / 1000);
  }
  if (a[len >> 1] !== 7) throw new Error('hotpath.memoryBandwidth: triad produced a wrong value');
  return { bestSeconds: best };
}

/**
 * Measures memory bandwidth with a STREAM-style triad (`a[i] = b[i] + s*c[i]`)
 * over three arrays far larger than the last-level cache. Runs on the native
 * batch pool (all threads the addon uses, pages first-touched by the thread
 * that streams them); without the addon, a single-threaded js loop.
 * Takes roughly `passes` x (3 x arrayBytes / bandwidth).
 */
export function memoryBandwidth(options?: MemoryBandwidthOptions): MemoryBandwidth {
  const fn = 'memoryBandwidth';
  const o = checkOptions<MemoryBandwidthOptions>(fn, options);
  const l3 = topology().caches.l3;
  const bytes = o.arrayBytes === undefined ? Math.min(128 * MIB, Math.max(64 * MIB, 4 * l3)) : checkCount(fn, 'options.arrayBytes', o.arrayBytes, 8);
  const passes = o.passes === undefined ? 5 : checkCount(fn, 'options.passes', o.passes, 1);
  if (passes > 1000) rangeError(fn, 'options.passes', `must be <= 1000; got ${passes}`);
  const len = Math.floor(bytes / 8);
  const probe = hostProbe();
  if (probe !== null) {
    let r: ReturnType<typeof probe.memoryBandwidth>;
    try {
      r = probe.memoryBandwidth(len, passes);
    } catch (e) {
      return rangeError(fn, 'options.arrayBytes', `${bytes} x 3 arrays could not be measured: ${(e as Error).message}`);
    }
    return { gbPerSec: r.bytesPerPass / r.bestSeconds / 1e9, bytesPerPass: r.bytesPerPass, bestSeconds: r.bestSeconds, threads: r.threads, source: 'native' };
  }
  const r = jsTriad(len, passes);
  return { gbPerSec: (24 * len) / r.bestSeconds / 1e9, bytesPerPass: 24 * len, bestSeconds: r.bestSeconds, threads: 1, source: 'js' };
}
