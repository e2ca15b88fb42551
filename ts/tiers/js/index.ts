import type { KernelSet } from '../../core/kernels.js';
import type { Tier } from '../../core/tier.js';
import * as sim from './similarity.js';

/** The js tier: reference semantics, always available. */
export const jsKernels: KernelSet = {
  dot: sim.dot,
  cosine: sim.cosine,
  euclidean: sim.euclidean,
  cosineBatch: sim.cosineBatch,
  euclideanBatch: sim.euclideanBatch,
  topK: sim.topK,
};

export function loadJsTier(): Tier {
  return { name: 'js', status: { loaded: true, error: null, path: null, simd: 'none', threads: 1 }, kernels: jsKernels };
}
