// Consistent hashing on the native tier: texts cross as one UTF-8 buffer with offsets.
import type { KernelSet } from '../../contract/kernels.js';
import { packTexts } from '../shared/utf8.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';

const HASH = ['keys', 'out'] as const;
const JUMP = ['keys', 'buckets', 'out'] as const;
const RDV = ['keys', 'seeds', 'weights', 'uniform', 'out'] as const;

/** The routing entries of the kernel table on the native tier. */
export function routingKernels(addon: NativeAddon): Pick<KernelSet, 'hashTexts' | 'jumpHash' | 'rendezvous' | 'rendezvousScores'> {
  return {
    hashTexts: (texts, out) => {
      const p = packTexts(texts);
      try {
        addon.hashTexts(p.bytes, p.offsets, out);
      } catch (e) {
        rethrowNative('hashKeys', e, HASH, [texts, out]);
      }
    },
    jumpHash: (keys, buckets, out) => {
      try {
        addon.jumpHash(keys, buckets, out);
      } catch (e) {
        rethrowNative('jumpHash', e, JUMP, [keys, buckets, out]);
      }
    },
    rendezvous: (keys, seeds, weights, uniform, out) => {
      try {
        addon.rendezvous(keys, seeds, weights, uniform, out);
      } catch (e) {
        rethrowNative('HashRing.routeMany', e, RDV, [keys, seeds, weights, uniform, out]);
      }
    },
    rendezvousScores: (keys, seeds, weights, uniform, out) => {
      try {
        addon.rendezvousScores(keys, seeds, weights, uniform, out);
      } catch (e) {
        rethrowNative('HashRing.routeN', e, RDV, [keys, seeds, weights, uniform, out]);
      }
    },
  };
}
