// Matrix multiply on the native tier (gemm, on the batch pool).
import type { KernelSet } from '../../contract/kernels.js';
import type { NativeAddon } from './addon.js';
import { rethrowNative } from './errors.js';

const MATMUL = ['a', 'b', 'm', 'k', 'n', 'out'] as const;

/** The matmul entry of the kernel table on the native tier. */
export function matmulKernels(addon: NativeAddon): Pick<KernelSet, 'matmul'> {
  return {
    matmul: (a, b, m, k, n, out) => {
      try {
        if (a instanceof Float32Array) addon.matmulF32(a, b as Float32Array, m, k, n, out as Float32Array);
        else addon.matmulF64(a, b as Float64Array, m, k, n, out as Float64Array);
      } catch (e) {
        rethrowNative('matmul', e, MATMUL, [a, b, m, k, n, out]);
      }
    },
  };
}
