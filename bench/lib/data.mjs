// Deterministic inputs, so runs on different days and machines are comparable.

/** mulberry32: a small seeded generator of uniform numbers in [0, 1), for reproducible test and bench data. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Large inputs are shared between rows (cosineBatch, euclideanBatch and topK
// read the same matrix): generated once per (n, seed), never mutated by a task.
const memo = new Map();

/** Floats in [-1, 1) from xorshift32. Callers must not write into the result. */
export function randomF32(n, seed = 1) {
  const key = `${n}:${seed}`;
  let out = memo.get(key);
  if (out === undefined) {
    out = xorshift(n, seed);
    if (n >= 1 << 20) memo.set(key, out);
  }
  return out;
}

function xorshift(n, seed) {
  const out = new Float32Array(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = (x >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Floats in [lo, hi). */
export function randomF64(n, seed, lo = 0, hi = 1) {
  const u = randomF32(n, seed);
  return Float64Array.from(u, (v) => lo + ((v + 1) / 2) * (hi - lo));
}

const WORDS = ['user', 'login', 'failed', 'admin', 'token', 'café', 'résumé', '🚨', 'доступ', '拒绝', 'GET', '/api/v1/', 'x-forwarded-for'];

/** `count` log-like texts of `len` UTF-16 units mixing ASCII, Latin-1, Cyrillic, CJK and emoji. */
export function texts(count, len, seed) {
  const u = randomF32(count * 64, seed);
  const out = [];
  for (let t = 0, j = 0; t < count; t++) {
    let s = '';
    while (s.length < len) s += `${WORDS[Math.floor((u[j++ % u.length] + 1) * 6.5) % WORDS.length]} `;
    out.push(s.slice(0, len));
  }
  return out;
}
