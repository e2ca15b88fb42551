// The js tier: the reference semantics, always available, and the fastest
// path for tiny inputs.
import type { KernelSet } from '../../contract/kernels.js';
import type { Tier } from '../../contract/tier.js';
import { featuresKernels } from './features.js';
import { matmulKernels } from './matmul.js';
import { riskKernels } from './risk.js';
import { routingKernels } from './routing.js';
import { similarityKernels } from './similarity.js';
import { statisticsKernels } from './statistics.js';

/** The js tier's kernels (tests compare every other tier against them). */
export const jsKernels: KernelSet = { ...similarityKernels, ...riskKernels, ...statisticsKernels, ...featuresKernels, ...matmulKernels, ...routingKernels };

/** The js tier. */
export function jsTier(): Tier {
  return {
    name: 'js',
    status: { loaded: true, error: null, path: null, simd: 'none', threads: 1 },
    kernels: jsKernels,
    runtime: null,
  };
}
