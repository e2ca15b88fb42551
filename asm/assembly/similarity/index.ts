// Pairwise similarity exports. Pointers are byte offsets into the exported memory;
// n <= 0 yields 0 for every metric.

import {
  dotF32K, cosPartsF32K, sqDistF32K, dotF64K, cosPartsF64K, sqDistF64K,
  outNormA, outNormB, cosineFrom, safeSq, dotF32X, sqDistF32X, cosineF32X,
} from "./reductions";

// A lone dot product has no norms to guard on, and is too small for the
// fast path to matter, so it always forms exact products.
export function dotF32(a: usize, b: usize, n: i32): f64 {
  return dotF32X(a, b, n);
}

export function dotF64(a: usize, b: usize, n: i32): f64 {
  return dotF64K(a, b, n);
}

export function cosineF32(a: usize, b: usize, n: i32): f64 {
  const dot = cosPartsF32K(a, b, n);
  if (!safeSq(outNormA) || !safeSq(outNormB)) return cosineF32X(a, b, n);
  return cosineFrom(dot, outNormA, outNormB);
}

export function cosineF64(a: usize, b: usize, n: i32): f64 {
  const dot = cosPartsF64K(a, b, n);
  return cosineFrom(dot, outNormA, outNormB);
}

export function euclideanF32(a: usize, b: usize, n: i32): f64 {
  const s = sqDistF32K(a, b, n);
  return Math.sqrt(safeSq(s) ? s : sqDistF32X(a, b, n));
}

export function euclideanF64(a: usize, b: usize, n: i32): f64 {
  return Math.sqrt(sqDistF64K(a, b, n));
}
