import type { KernelName } from './kernels.js';

/**
 * Work size (elements read) below which a call stays on the js tier because
 * crossing into native or wasm costs more than the arithmetic. Measured with
 * `npm run bench` on the machine named in README ("Dispatch thresholds").
 */
export const DEFAULT_THRESHOLDS: { readonly [K in KernelName]: number } = {
  dot: 64,
  cosine: 64,
  euclidean: 64,
  cosineBatch: 2048,
  euclideanBatch: 2048,
  topK: 2048,
  firstNonFinite: 4096,
  riskScore: 512,
  riskScoreBatch: 2048,
  temporalDecay: 1024,
  stats: 512,
  percentiles: 512,
  movingAverage: 1024,
  outliersIQR: 512,
  outliersZScore: 1024,
  ngramFeatures: 512,
  matmul: 8192,
};
