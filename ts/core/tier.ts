import type { KernelSet } from './kernels.js';
import type { TierName } from './types.js';

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

/** A loaded (or failed) tier: its status and, when loaded, its kernels. */
export interface Tier {
  readonly name: TierName;
  readonly status: TierStatus;
  readonly kernels: KernelSet | null;
}

/** Builds the status of a tier that failed to load. */
export function failedTier(name: TierName, error: string, simd = 'none'): Tier {
  return { name, status: { loaded: false, error, path: null, simd, threads: 0 }, kernels: null };
}
