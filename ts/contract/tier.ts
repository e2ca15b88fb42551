// What a tier hands dispatch when a platform entry installs it: its status,
// its kernels, its runtime handle (what structure cores are built on), and
// (native) a host probe. Structure cores are provided separately, per
// structure (platform/structures), so a bundle without a structure carries
// none of its code.
import type { Key, KeyKind, TreeCore } from './btree.js';
import type { KernelSet } from './kernels.js';
import type { ModelConfig, ModelCore } from './model.js';
import type { SketchConfig, SketchCore } from './sketch.js';
import type { Topology } from './topology.js';
import type { TierName } from './types.js';
import type { WheelConfig, WheelCore } from './wheel.js';

/** What a tier reports about itself in {@link backend}. */
export interface TierStatus {
  /** Whether the tier loaded and can run kernels. */
  loaded: boolean;
  /** Why it did not load (null when loaded). */
  error: string | null;
  /** File the tier was loaded from (native `.node`, `.wasm`), null for js. */
  path: string | null;
  /** SIMD level the tier runs: 'avx512' | 'avx2' | 'neon' | 'scalar' (native), 'simd128' | 'none' (wasm), 'none' (js). */
  simd: string;
  /** Threads the tier spreads batch work over. */
  threads: number;
}

/** How each data structure's storage core is made on a tier. */
export interface StructureFactories {
  btree<K extends Key>(kind: KeyKind, order: number): TreeCore<K>;
  wheel(config: WheelConfig): WheelCore;
  sketch(config: SketchConfig): SketchCore;
  model(config: ModelConfig): ModelCore;
}

/** A data structure with a storage contract. */
export type StructureName = keyof StructureFactories;

/**
 * Per tier, how to get a structure's factory from the tier's runtime handle;
 * a tier left out does not hold the structure.
 */
export type StructureProvider<S extends StructureName> = { readonly [T in TierName]?: (runtime: unknown) => StructureFactories[S] | null };

/** Machine probes only the native addon can run. */
export interface HostProbe {
  topology(): Topology;
  /** STREAM triad over `elements` f64 per array, best of `passes`, on the batch pool. */
  memoryBandwidth(elements: number, passes: number): { bytesPerPass: number; bestSeconds: number; threads: number };
}

/** A loaded (or failed) tier. */
export interface Tier {
  readonly name: TierName;
  readonly status: TierStatus;
  /** Its kernels, or null when it did not load. */
  readonly kernels: KernelSet | null;
  /** What structure cores are built on: the wasm heap, the native addon; null for js. */
  readonly runtime: unknown;
  readonly host?: HostProbe;
}

/** Builds the status of a tier that failed to load. */
export function failedTier(name: TierName, error: string, simd = 'none'): Tier {
  return { name, status: { loaded: false, error, path: null, simd, threads: 0 }, kernels: null, runtime: null };
}
