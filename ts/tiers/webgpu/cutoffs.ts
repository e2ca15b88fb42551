// Measures where the GPU starts to beat the CPU, per kernel, on one device.
// Two sizes per kernel give a linear model t = a + b·work for each side (a is
// the fixed cost: on the GPU a submit and a readback, milliseconds); the
// cutoff is where the lines cross. A crossing beyond 16x the larger size is
// not trusted and reads as Infinity (the GPU never wins here). The CPU side
// is the kernel of whichever tier dispatch picks for that work (inputs are
// valid by construction, so no public-API checks are timed).
import { KERNELS, type GpuKernelName } from '../../contract/kernels.js';
import { kernelsFor } from '../../dispatch/dispatch.js';
import type { GpuCutoff } from './types.js';

interface Probe {
  /** Work units of the two sizes measured. */
  sizes: [number, number];
  /** Builds inputs for `work`, returning the CPU and GPU calls on them. */
  make(work: number): { cpu: () => unknown; gpu: () => Promise<unknown> };
}

function rand(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5;
    x[i] = (s >>> 0) / 2 ** 32 - 0.5;
  }
  return x;
}

const DIM = 128, Q = 8;

/** What the probes call on a GPU context (structural, so this module need not import it). */
interface CutoffTarget {
  cosineBatch(q: Float32Array, m: Float32Array, dim: number): Promise<unknown>;
  euclideanBatch(q: Float32Array, m: Float32Array, dim: number): Promise<unknown>;
  topK(q: Float32Array, m: Float32Array, dim: number, k: number): Promise<unknown>;
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<unknown>;
  riskScoreBatch(s: Float64Array, c: Float64Array, offsets: Uint32Array): Promise<unknown>;
  temporalDecay(s: Float64Array, a: Float64Array, halfLife: number): Promise<unknown>;
  stats(x: Float64Array): Promise<unknown>;
  setCutoff(k: GpuKernelName, c: GpuCutoff): void;
}

function probes(g: CutoffTarget): Record<GpuKernelName, Probe> {
  const batch = (name: 'cosineBatch' | 'euclideanBatch'): Probe => ({
    sizes: [Q * DIM * 256, Q * DIM * 65536],
    make(work) {
      const q = rand(Q * DIM, 1), m = rand(Math.max(1, Math.round(work / (Q * DIM))) * DIM, 2);
      const out = new Float32Array(Q * (m.length / DIM));
      return { cpu: () => kernelsFor(name, KERNELS[name].work(q, m, DIM))[name](q, m, DIM, out), gpu: () => g[name](q, m, DIM) };
    },
  });
  return {
    cosineBatch: batch('cosineBatch'),
    euclideanBatch: batch('euclideanBatch'),
    topK: {
      sizes: [DIM * 1024, DIM * 65536],
      make(work) {
        const q = rand(DIM, 3), m = rand(Math.max(1, Math.round(work / DIM)) * DIM, 4);
        const idx = new Uint32Array(10), sc = new Float32Array(10);
        return { cpu: () => kernelsFor('topK', KERNELS.topK.work(q, m)).topK(q, m, DIM, 'cosine', idx, sc), gpu: () => g.topK(q, m, DIM, 10) };
      },
    },
    matmul: {
      sizes: [64 ** 3, 384 ** 3],
      make(work) {
        const n = Math.max(1, Math.round(Math.cbrt(work)));
        const a = rand(n * n, 5), b = rand(n * n, 6), out = new Float32Array(n * n);
        return { cpu: () => kernelsFor('matmul', KERNELS.matmul.work(a, b, n, n, n)).matmul(a, b, n, n, n, out), gpu: () => g.matmul(a, b, n, n, n) };
      },
    },
    riskScoreBatch: {
      sizes: [1 << 14, 1 << 22],
      make(work) {
        const s = Float64Array.from(rand(work, 7), (v) => (v + 0.5) * 5), c = Float64Array.from(rand(work, 8), (v) => v + 0.5);
        const e = Math.max(1, work >> 3), off = new Uint32Array(e + 1), out = new Float64Array(e);
        for (let i = 0; i <= e; i++) off[i] = Math.round((i * work) / e);
        return { cpu: () => kernelsFor('riskScoreBatch', KERNELS.riskScoreBatch.work(s)).riskScoreBatch(s, c, off, 5, out), gpu: () => g.riskScoreBatch(s, c, off) };
      },
    },
    temporalDecay: {
      sizes: [1 << 14, 1 << 22],
      make(work) {
        const s = Float64Array.from(rand(work, 9), (v) => v + 0.5), a = Float64Array.from(rand(work, 10), (v) => (v + 0.5) * 100);
        const out = new Float64Array(work);
        return { cpu: () => kernelsFor('temporalDecay', KERNELS.temporalDecay.work(s)).temporalDecay(s, a, 30, out), gpu: () => g.temporalDecay(s, a, 30) };
      },
    },
    stats: {
      sizes: [1 << 14, 1 << 22],
      make(work) {
        const x = Float64Array.from(rand(work, 11)), out = new Float64Array(8);
        return { cpu: () => kernelsFor('stats', KERNELS.stats.work(x)).stats(x, 0, out), gpu: () => g.stats(x) };
      },
    },
  };
}

async function median3(f: () => unknown): Promise<number> {
  await f(); // warm-up: pipelines, pools, JIT
  const t: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[1];
}

/** The crossover of two lines through (w1, c1)-(w2, c2) (CPU) and (w1, g1)-(w2, g2) (GPU). @internal */
export function crossover(w1: number, w2: number, c1: number, c2: number, g1: number, g2: number): number {
  if (g1 <= c1) return w1; // wins already at the small size: not measured below it
  const bc = (c2 - c1) / (w2 - w1), bg = (g2 - g1) / (w2 - w1);
  if (bc <= bg) return Infinity; // the GPU's per-unit cost is no lower: never crosses
  const ac = c1 - bc * w1, ag = g1 - bg * w1;
  const w = (ag - ac) / (bc - bg);
  return w <= 16 * w2 ? Math.ceil(w) : Infinity;
}

/** Measures cutoffs for `kernels` on `g`, returning them with the timings behind each. */
export async function measureCutoffs(g: CutoffTarget, kernels: readonly GpuKernelName[]): Promise<Record<string, { work: number; cpuMs: [number, number]; gpuMs: [number, number]; sizes: [number, number] }>> {
  const all = probes(g);
  const out: Record<string, { work: number; cpuMs: [number, number]; gpuMs: [number, number]; sizes: [number, number] }> = {};
  for (const k of kernels) {
    const p = all[k];
    const cpuMs: [number, number] = [0, 0], gpuMs: [number, number] = [0, 0];
    for (let i = 0; i < 2; i++) {
      const calls = p.make(p.sizes[i]);
      cpuMs[i] = await median3(calls.cpu);
      gpuMs[i] = await median3(calls.gpu);
    }
    const work = crossover(p.sizes[0], p.sizes[1], cpuMs[0], cpuMs[1], gpuMs[0], gpuMs[1]);
    g.setCutoff(k, { work, source: 'measured' });
    out[k] = { work, cpuMs, gpuMs, sizes: p.sizes };
  }
  return out;
}
