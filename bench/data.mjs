/** Deterministic floats in [-1, 1) (xorshift32) so runs are comparable. */
export function randomF32(n, seed = 1) {
  const out = new Float32Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = (x >>> 0) / 2 ** 31 - 1;
  }
  return out;
}
