// Public types of the WebGPU tier. Kept free of @webgpu/types so a consumer
// compiles without the WebGPU type package.

import type { GpuKernelName } from '../../contract/kernels.js';

export type { GpuKernelName } from '../../contract/kernels.js';

/** What the adapter says about itself. */
export interface GpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for a software or otherwise degraded adapter (SwiftShader, WARP). */
  isFallbackAdapter: boolean;
  /** Where the adapter came from: the browser, or the `webgpu` package (Dawn) in Node. */
  via: 'navigator.gpu' | 'webgpu package';
}

/** Options of {@link gpu.init}. */
export interface GpuInitOptions {
  /** Passed to `requestAdapter`. */
  powerPreference?: 'low-power' | 'high-performance';
  /** A `GPUAdapter` to use instead of requesting one (a fresh one is requested after device loss). */
  adapter?: object;
  /**
   * Measure each kernel's CPU/GPU cutoff on this device now (default true;
   * about 0.2 s on a discrete GPU, a few seconds on a software adapter).
   * With false and no `cutoffs`, the async helpers keep every call on the CPU.
   */
  calibrate?: boolean;
  /** Known cutoffs (work units, as in {@link dispatchTier}) from an earlier `calibrate()` on this device; skips measuring them. */
  cutoffs?: Partial<Record<GpuKernelName, number>>;
  /** Upper bound on one buffer binding in bytes (default: the device's maxStorageBufferBindingSize); lower it to exercise chunking. */
  maxChunkBytes?: number;
}

/** A matrix kept on the GPU for many queries; see {@link Gpu.upload}. */
export interface GpuMatrix {
  readonly rows: number;
  readonly dim: number;
  /** Bytes held on the device. */
  readonly bytes: number;
  /** Frees the device memory; the matrix can no longer be used. Idempotent. */
  destroy(): void;
}

/** One kernel's measured cutoff: the work from which the GPU beats the best CPU tier (Infinity: never). */
export interface GpuCutoff {
  work: number;
  /** How it was set: measured on this device, given in init options, or not at all. */
  source: 'measured' | 'given' | 'none';
}

/**
 * A dense model's parameters kept on the GPU (see {@link GpuContext.denseModel}):
 * weights (f32, or binary16 packed two per word) and biases uploaded once,
 * each layer a fused GEMM + bias + activation.
 */
export interface GpuDenseModel {
  /** Width of one input row. */
  readonly inputDim: number;
  /** Width of one output row. */
  readonly outputDim: number;
  /** Bytes of parameters held on the device. */
  readonly bytes: number;
  /**
   * The model applied to each of `batch` rows of `inputs` (batch × inputDim,
   * row-major, validated by the caller): all layers in one submission, one
   * readback. Rejects with an Error once disposed, when the device was lost
   * since the upload, or when WebGPU reports an error.
   */
  predict(inputs: Float32Array, batch: number): Promise<Float32Array>;
  /** Frees the device buffers; later predicts reject. Idempotent. */
  dispose(): void;
}
