// The context the async helpers use (the last one gpu.init() opened), and the
// last choice they made, for backend(). No imports from dispatch: backend()
// reads this module, not the other way round.
import type { GpuContext } from './context.js';
import type { GpuAdapterInfo, GpuCutoff, GpuKernelName } from './types.js';
import type { TierName } from '../../contract/types.js';

let active: GpuContext | null = null;
let lastReason: string | null = 'gpu.init() has not been called';
let last: GpuChoice | null = null;

/** The most recent tier choice of an async helper. */
export interface GpuChoice {
  kernel: GpuKernelName;
  work: number;
  tier: TierName | 'webgpu';
  /** Why the CPU ran it, when it did: below the cutoff, no GPU, or the GPU call's error. */
  why: string;
}

/** The GPU part of {@link backend}. */
export interface GpuBackendInfo {
  /** Whether the async helpers have a usable GPU context. */
  available: boolean;
  /** Why not, when unavailable. */
  reason: string | null;
  adapter: GpuAdapterInfo | null;
  /** Per kernel, the work from which an async helper runs on the GPU. */
  cutoffs: Record<GpuKernelName, GpuCutoff> | null;
  /** The last async helper call's choice. */
  lastChoice: GpuChoice | null;
}

/** @internal */
export function setActiveGpu(g: GpuContext | null, reason: string | null): void {
  active = g;
  lastReason = reason;
}

/** The context the async helpers use, or null. @internal */
export function activeGpu(): GpuContext | null {
  if (active !== null && !active.usable) {
    lastReason = 'the GPU context was disposed';
    active = null;
  }
  return active;
}

/** @internal */
export function recordChoice(c: GpuChoice): void {
  last = c;
}

/** @internal */
export function gpuBackendInfo(): GpuBackendInfo {
  const g = activeGpu();
  return {
    available: g !== null,
    reason: g === null ? lastReason : null,
    adapter: g?.adapterInfo ?? null,
    cutoffs: g?.cutoffs ?? null,
    lastChoice: last === null ? null : { ...last },
  };
}
