import { blameNonFinite, checkMatmul } from '../contract/checks.js';
import { allocate } from '../contract/errors.js';
import { KERNELS } from '../contract/kernels.js';
import type { FloatArray } from '../contract/types.js';
import { kernelsFor } from '../dispatch/dispatch.js';

/**
 * Matrix product `C = A·B`, row-major. Float32Array inputs give a
 * Float32Array, Float64Array inputs a Float64Array (both inputs share one type).
 * @param a - m·k elements
 * @param b - k·n elements
 * @returns m·n elements.
 * @throws TypeError for mixed or non-float arrays; RangeError for shapes that do not match or non-finite values.
 */
export function matmul<T extends FloatArray>(a: T, b: T, m: number, k: number, n: number): T {
  const fn = 'matmul';
  const s = checkMatmul(fn, a, b, m, k, n);
  const out = allocate(fn, 'the output (m × n)', (s.f32 ? Float32Array : Float64Array) as unknown as (new (n: number) => T) & { BYTES_PER_ELEMENT: number }, s.m * s.n);
  kernelsFor(fn, KERNELS.matmul.work(a, b, s.m, s.k, s.n)).matmul(a, b, s.m, s.k, s.n, out);
  for (let i = 0; i < out.length; i++) {
    if (out[i] - out[i] !== 0) {
      blameNonFinite(fn, [['a', a], ['b', b]]);
      break; // finite inputs that overflow: IEEE infinities are the answer
    }
  }
  return out;
}
