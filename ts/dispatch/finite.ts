// Finiteness scans that must see every element before a kernel runs
// (selection-based kernels cannot detect a NaN from their result). The scan
// is itself a kernel, so it runs on the tier that scans fastest.
import { rangeError } from '../contract/errors.js';
import { checkVector } from '../contract/checks.js';
import type { Vector } from '../contract/types.js';
import { kernelsFor } from './dispatch.js';

/** Throws a RangeError naming `arg[i]` for the first non-finite element of `x`. */
export function requireFinite(fn: string, arg: string, x: Vector): void {
  const i = kernelsFor('firstNonFinite', x.length).firstNonFinite(x);
  if (i >= 0) rangeError(fn, `${arg}[${i}]`, `is ${x[i]}; inputs must be finite`);
}

/** A finite numeric sample `x`, non-empty unless `allowEmpty`. */
export function checkSample(fn: string, x: unknown, allowEmpty = false): Vector {
  const v = checkVector(fn, 'x', x);
  if (!allowEmpty && v.length === 0) rangeError(fn, 'x', 'must not be empty');
  requireFinite(fn, 'x', v);
  return v;
}
