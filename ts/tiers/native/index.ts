// The native tier over a loaded addon.
import { failedTier, type Tier } from '../../contract/tier.js';
import type { Topology } from '../../contract/topology.js';
import { featuresKernels } from './features.js';
import { loadNativeAddon } from './loader.js';
import { matmulKernels } from './matmul.js';
import { riskKernels } from './risk.js';
import { routingKernels } from './routing.js';
import { similarityKernels } from './similarity.js';
import { statisticsKernels } from './statistics.js';

/** Loads the addon and builds the native tier, or a failed tier saying why. */
export function loadNativeTier(): Tier {
  const r = loadNativeAddon();
  if (r.addon === null) return failedTier('native', r.error);
  const addon = r.addon;
  try {
    return {
      name: 'native',
      status: { loaded: true, error: null, path: r.path, simd: addon.simdLevel(), threads: addon.threadCount() },
      kernels: { ...similarityKernels(addon), ...riskKernels(addon), ...statisticsKernels(addon), ...featuresKernels(addon), ...matmulKernels(addon), ...routingKernels(addon) },
      runtime: addon,
      host: { topology: () => addon.topology() as Topology, memoryBandwidth: (elements, passes) => addon.memoryBandwidth(elements, passes) },
    };
  } catch (e) {
    return failedTier('native', `native addon loaded but failed its self-check: ${(e as Error).message}`);
  }
}
