// Topology as every probe reports it: the native addon's sysfs/CPUID probe,
// Node's os module, or navigator in a browser.

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

/** A single-package, single-node topology of `n` CPUs: what a host without a native probe can say. @internal */
export function flatTopology(source: 'os' | 'browser', n: number, logical: number, memoryBytes: number, wasmSimd: string): Topology {
  const ids = Array.from({ length: n }, (_, i) => i);
  return {
    source,
    logicalCpus: logical,
    physicalCores: logical,
    packages: 1,
    numaNodes: [{ id: 0, cpus: ids, memoryBytes }],
    caches: { l1d: 0, l2: 0, l3: 0 },
    simd: wasmSimd === 'simd128' ? ['simd128'] : [],
    affinityCpus: ids,
    cgroupCpuLimit: null,
    recommendedThreads: n,
  };
}
