// Risk kernels on the native tier (f64 storage).
import { toF64 } from '../../contract/checks.js';
import type { KernelSet } from '../../contract/kernels.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';

const RISK = ['severities', 'confidences', 'options.maxSeverity'] as const;
const BATCH = ['severities', 'confidences', 'offsets', 'options.maxSeverity', 'out'] as const;
const DECAY = ['scores', 'ages', 'halfLife', 'out'] as const;

/** The risk entries of the kernel table on the native tier. */
export function riskKernels(addon: NativeAddon): Pick<KernelSet, 'riskScore' | 'riskScoreBatch' | 'temporalDecay'> {
  return {
    riskScore: (s, c, max) => {
      try {
        return addon.riskScoreF64(toF64(s), toF64(c), max);
      } catch (e) {
        return rethrowNative('riskScore', e, RISK, [s, c, max]);
      }
    },
    riskScoreBatch: (s, c, offsets, max, out) => {
      try {
        return addon.riskScoreBatchF64(toF64(s), toF64(c), offsets, max, out);
      } catch (e) {
        return rethrowNative('riskScoreBatch', e, BATCH, [s, c, offsets, max, out]);
      }
    },
    temporalDecay: (s, a, h, out) => {
      try {
        return addon.temporalDecayF64(toF64(s), toF64(a), h, out);
      } catch (e) {
        return rethrowNative('temporalDecay', e, DECAY, [s, a, h, out]);
      }
    },
  };
}
