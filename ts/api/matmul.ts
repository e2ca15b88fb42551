import { pick } from '../core/dispatch.js';
import { checkCount, describe, rangeError, typeError } from '../core/errors.js';
import type { FloatArray } from '../core/types.js';
import { blameNonFinite } from '../core/vectors.js';

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
  const { f32, mm, kk, nn } = checkMatmul(fn, a, b, m, k, n);
  const out = (f32 ? new Float32Array(mm * nn) : new Float64Array(mm * nn)) as T;
  pick(fn, mm * kk * nn).matmul(a, b, mm, kk, nn, out);
  for (let i = 0; i < out.length; i++) {
    if (out[i] - out[i] !== 0) {
      blameNonFinite(fn, [['a', a], ['b', b]]);
      break; // finite inputs that overflow: IEEE infinities are the answer
    }
  }
  return out;
}

/** Validates a matmul call (shared with the GPU tier). @internal */
export function checkMatmul(fn: string, a: FloatArray, b: FloatArray, m: unknown, k: unknown, n: unknown): { f32: boolean; mm: number; kk: number; nn: number } {
  const f32 = a instanceof Float32Array;
  if (!f32 && !(a instanceof Float64Array)) typeError(fn, 'a', `must be a Float32Array or Float64Array; got ${describe(a)}`);
  if (!(f32 ? b instanceof Float32Array : b instanceof Float64Array)) typeError(fn, 'b', `must be a ${a.constructor.name} like a; got ${describe(b)}`);
  const mm = checkCount(fn, 'm', m), kk = checkCount(fn, 'k', k), nn = checkCount(fn, 'n', n);
  if (a.length !== mm * kk) rangeError(fn, 'a', `length ${a.length} does not match m·k = ${mm}·${kk}`);
  if (b.length !== kk * nn) rangeError(fn, 'b', `length ${b.length} does not match k·n = ${kk}·${nn}`);
  return { f32, mm, kk, nn };
}
