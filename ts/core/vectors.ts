import { describe, rangeError, typeError } from './errors.js';
import type { Vector } from './types.js';

/** Accepts Float32Array, Float64Array or an array of numbers. */
export function checkVector(fn: string, arg: string, x: unknown): Vector {
  if (x instanceof Float32Array || x instanceof Float64Array) return x;
  if (Array.isArray(x)) {
    // Plain arrays are the slow path anyway; reject strings and objects
    // here so they are not silently coerced by a typed-array copy.
    for (let i = 0; i < x.length; i++) {
      if (typeof x[i] !== 'number') typeError(fn, `${arg}[${i}]`, `must be a number; got ${describe(x[i])}`);
    }
    return x as number[];
  }
  return typeError(fn, arg, `must be a Float32Array, Float64Array or number[]; got ${describe(x)}`);
}

/** Two vectors of equal length. */
export function checkPair(fn: string, a: unknown, b: unknown): [Vector, Vector] {
  const va = checkVector(fn, 'a', a);
  const vb = checkVector(fn, 'b', b);
  if (va.length !== vb.length) rangeError(fn, 'b', `length ${vb.length} does not match a length ${va.length}`);
  return [va, vb];
}

/** A Float32Array (the batch kernels' storage type). */
export function checkF32(fn: string, arg: string, x: unknown): Float32Array {
  if (x instanceof Float32Array) return x;
  return typeError(fn, arg, `must be a Float32Array; got ${describe(x)}`);
}

/** Index of the first non-finite element in `x[from, to)`, or -1. */
export function firstNonFinite(x: ArrayLike<number>, from = 0, to = x.length): number {
  for (let i = from; i < to; i++) if (!Number.isFinite(x[i])) return i;
  return -1;
}

/**
 * Throws a RangeError naming the first non-finite input element among
 * `ranges`, if any. Called only after a kernel produced a non-finite
 * result, so the happy path never pays for the scan.
 */
export function blameNonFinite(fn: string, ranges: ReadonlyArray<readonly [string, ArrayLike<number>, number?, number?]>): void {
  for (const [arg, x, from = 0, to = x.length] of ranges) {
    const i = firstNonFinite(x, from, to);
    if (i >= 0) rangeError(fn, `${arg}[${i}]`, `is ${x[i]}; inputs must be finite`);
  }
}

/** Float64 storage for the native and wasm tiers (no copy when it already is). */
export function toF64(x: Vector): Float64Array {
  return x instanceof Float64Array ? x : Float64Array.from(x);
}
