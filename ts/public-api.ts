// The public API both entries export (ts/index.ts for Node, ts/index.browser.ts
// for browsers); each entry imports its platform module first, then this.
export { dot, cosine, euclidean, cosineBatch, euclideanBatch, topK, type TopKOptions } from './api/similarity.js';
export { riskScore, riskScoreBatch, temporalDecay, type RiskOptions } from './api/risk.js';
export { stats, percentiles, movingAverage, outliersIQR, outliersZScore, type Stats, type StatsOptions, type IqrOptions, type ZScoreOptions } from './api/statistics.js';
export { ngramFeatures, type NgramOptions } from './api/features.js';
export { matmul } from './api/matmul.js';
export { BPlusTree, type BPlusTreeOptions, type RangeOptions } from './api/btree.js';
export type { KeyKind } from './core/btree-core.js';
export { TimingWheel, type TimingWheelOptions } from './api/timing-wheel.js';
export { TtlCache, type TtlCacheOptions, type SetOptions as TtlSetOptions, type TtlCacheStats, type EvictReason } from './api/ttl-cache.js';
export { topology, type Topology, type NumaNode } from './api/topology.js';
export { memoryBandwidth, type MemoryBandwidth, type MemoryBandwidthOptions } from './api/memory-bandwidth.js';
export { cosineBatchAsync, euclideanBatchAsync, topKAsync, matmulAsync, riskScoreBatchAsync, temporalDecayAsync, statsAsync } from './api/async.js';
export { gpu, GpuContext, type Gpu, type GpuAdapterInfo, type GpuInitOptions, type GpuKernelName, type GpuMatrix, type GpuCutoff, type GpuBackendInfo, type GpuChoice } from './gpu/index.js';
export { backend, setBackend, dispatchTier, setCalibration, type BackendInfo } from './core/dispatch.js';
export type { CalibrationTable, KernelCalibration, DispatchStep } from './core/calibration.js';
export type { KernelName } from './core/kernels.js';
export type { TierStatus } from './core/tier.js';
export type { Vector, FloatArray, Metric, TierName, BackendChoice, TopKResult } from './core/types.js';
