import { expect } from 'vitest';

/** Relative tolerances from the contract: float32 inputs 1e-5, float64 inputs 1e-12. */
export const REL = { f32: 1e-5, f64: 1e-12 } as const;

/** Asserts |got − want| ≤ rel·scale, treating equal non-finite values as equal. */
export function expectClose(got: number, want: number, rel: number, scale: number, what = ''): void {
  if (Object.is(got, want) || got === want) return;
  const err = Math.abs(got - want);
  const tol = rel * Math.max(scale, Math.abs(want)) + 1e-300;
  if (!(err <= tol)) {
    expect.fail(`${what} got ${got}, want ${want} (|err| ${err} > tol ${tol})`);
  }
}

/** Σ|a_i·b_i|: the scale against which dot/cosine rounding error is bounded. */
export function absDot(a: ArrayLike<number>, b: ArrayLike<number>, ao = 0, bo = 0, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(a[ao + i] * b[bo + i]);
  return s;
}

export function norm(a: ArrayLike<number>, o = 0, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[o + i] * a[o + i];
  return Math.sqrt(s);
}

/** Deterministic pseudo-random floats in [-1, 1) (xorshift32), for large inputs without fast-check overhead. */
export function randomF32(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = (x >>> 0) / 2 ** 31 - 1;
  }
  return out;
}
