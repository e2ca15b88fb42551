// Hashed n-gram features on the native tier: texts cross as one UTF-8 buffer with offsets.
import type { KernelSet } from '../../contract/kernels.js';
import { packTexts } from '../shared/utf8.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';

const NGRAM = ['texts', 'options.n', 'options.dims', 'options.normalize', 'out'] as const;

/** The features entries of the kernel table on the native tier. */
export function featuresKernels(addon: NativeAddon): Pick<KernelSet, 'ngramFeatures'> {
  return {
    ngramFeatures: (texts, n, dims, normalize, out) => {
      const p = packTexts(texts);
      try {
        addon.ngramFeatures(p.bytes, p.offsets, n, dims, normalize, out);
      } catch (e) {
        rethrowNative('ngramFeatures', e, NGRAM, [texts, n, dims, normalize, out]);
      }
    },
  };
}
