// The public API both entries export (ts/index.ts for Node, ts/index.browser.ts
// for browsers); each entry imports its platform module first, then this.
export * from './api/similarity.js';
export * from './api/risk.js';
export * from './api/statistics.js';
export * from './api/features.js';
export * from './api/matmul.js';
export * from './api/async.js';
export { BPlusTree } from './platform/structures/btree.js';
export type { BPlusTreeOptions, RangeOptions } from './api/btree.js';
export type { KeyKind } from './contract/btree.js';
export { TimingWheel, TtlCache } from './platform/structures/wheel.js';
export type { TimingWheelOptions } from './api/timing-wheel.js';
export type { TtlCacheOptions, SetOptions as TtlSetOptions, TtlCacheStats, EvictReason } from './api/ttl-cache.js';
export { QuantileSketch, SlidingQuantileSketch } from './platform/structures/sketch.js';
export type { QuantileSketchOptions, SketchMapping, OtlpExponentialHistogram, OtlpOptions, SketchLoadOptions } from './api/quantile-sketch.js';
export type { SlidingQuantileSketchOptions } from './api/sliding-quantile-sketch.js';
export { topology } from './api/topology.js';
export type { Topology, NumaNode } from './contract/topology.js';
export { memoryBandwidth, type MemoryBandwidth, type MemoryBandwidthOptions } from './api/memory-bandwidth.js';
export { gpu, GpuContext, type Gpu, type GpuAdapterInfo, type GpuInitOptions, type GpuKernelName, type GpuMatrix, type GpuCutoff, type GpuBackendInfo, type GpuChoice } from './api/gpu.js';
export { backend, type BackendInfo } from './api/backend.js';
export { setBackend, dispatchTier, setCalibration, type DispatchInfo } from './dispatch/dispatch.js';
export type { CalibrationTable, KernelCalibration, DispatchStep } from './dispatch/calibration.js';
export { KERNELS, KERNEL_NAMES, type KernelName, type KernelRecord, type KernelTier } from './contract/kernels.js';
export type { TierStatus } from './contract/tier.js';
export type { Vector, FloatArray, Metric, TierName, BackendChoice, TopKResult } from './contract/types.js';
