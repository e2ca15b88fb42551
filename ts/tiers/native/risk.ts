// Risk kernels on the native tier (f64 storage).
import { toF64 } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { NativeAddon } from './addon.js';

/** The risk entries of the kernel table on the native tier. */
export function riskKernels(addon: NativeAddon): Pick<KernelSet, 'riskScore' | 'riskScoreBatch' | 'temporalDecay'> {
  return {
    riskScore: (s, c, max) => addon.riskScoreF64(toF64(s), toF64(c), max),
    riskScoreBatch: (s, c, offsets, max, out) => addon.riskScoreBatchF64(toF64(s), toF64(c), offsets, max, out),
    temporalDecay: (s, a, h, out) => addon.temporalDecayF64(toF64(s), toF64(a), h, out),
  };
}
