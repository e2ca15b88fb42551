import { availableParallelism, cpus, totalmem } from 'node:os';
import { nativeAddon } from '../tiers/native/index.js';
import { backend } from '../core/dispatch.js';

/** One NUMA node: its id, its CPUs and its memory. */
export interface NumaNode {
  id: number;
  cpus: number[];
  memoryBytes: number;
}

/** CPU and memory topology of the machine as seen by this process. */
export interface Topology {
  /** Who answered: 'sysfs' (native probe on Linux), 'std' (native elsewhere), 'os' (Node's os module), 'browser'. */
  source: 'sysfs' | 'std' | 'os' | 'browser';
  logicalCpus: number;
  physicalCores: number;
  packages: number;
  numaNodes: NumaNode[];
  /** Per-core L1d, per-core L2 and shared L3 sizes in bytes; 0 when unknown. */
  caches: { l1d: number; l2: number; l3: number };
  /** CPU features detected (native), or the wasm tier's SIMD ('simd128'). */
  simd: string[];
  /** CPUs this process may run on. */
  affinityCpus: number[];
  /** CPU quota from cgroup v2 `cpu.max` or v1 CFS, in CPUs; null when unlimited or unknown. */
  cgroupCpuLimit: number | null;
  /** Threads worth using: affinity and the cgroup quota respected. */
  recommendedThreads: number;
  /** The raw counts each source gave, when they can disagree (native only). */
  sources?: { sysfsCpus: number; affinity: number; availableParallelism: number; cgroup: number | null };
}

/**
 * The machine's topology. Probed natively (sysfs, affinity mask, cgroup quota,
 * CPUID) when the addon is loaded; otherwise a best-effort answer from
 * Node's `os` module with `source: 'os'`.
 */
export function topology(): Topology {
  const addon = nativeAddon();
  if (addon !== null) return addon.topology() as Topology;
  const n = availableParallelism();
  const ids = Array.from({ length: n }, (_, i) => i);
  const wasmSimd = backend().tiers.wasm.simd;
  return {
    source: 'os',
    logicalCpus: cpus().length || n,
    physicalCores: cpus().length || n,
    packages: 1,
    numaNodes: [{ id: 0, cpus: ids, memoryBytes: totalmem() }],
    caches: { l1d: 0, l2: 0, l3: 0 },
    simd: wasmSimd === 'simd128' ? ['simd128'] : [],
    affinityCpus: ids,
    cgroupCpuLimit: null,
    recommendedThreads: n,
  };
}
