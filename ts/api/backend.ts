import { dispatchInfo, type DispatchInfo } from '../dispatch/dispatch.js';
import { gpuBackendInfo, type GpuBackendInfo } from '../tiers/webgpu/active.js';

/** Snapshot returned by {@link backend}. */
export interface BackendInfo extends DispatchInfo {
  /** The GPU the async helpers use (from gpu.init()), its cutoffs, and their last choice. */
  gpu: GpuBackendInfo;
}

/** Which tiers loaded (and why not), their SIMD levels, threads, and the tier `auto` picks for large inputs. */
export function backend(): BackendInfo {
  return { ...dispatchInfo(), gpu: gpuBackendInfo() };
}
