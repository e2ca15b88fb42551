// The plain-JS code a user would write without hotpath: the baseline every
// speed-up in the matrix is measured against. Straightforward loops, not
// tuned, but not sabotaged either (typed arrays, no allocation in loops).

export function plainDot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function plainCosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

export function plainEuclidean(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; s += d * d; }
  return Math.sqrt(s);
}

export function plainCosineBatch(q, m, dim) {
  const n = m.length / dim, out = new Float32Array(n);
  let qq = 0;
  for (let j = 0; j < dim; j++) qq += q[j] * q[j];
  for (let r = 0; r < n; r++) {
    let ab = 0, bb = 0;
    const base = r * dim;
    for (let j = 0; j < dim; j++) {
      const x = m[base + j];
      ab += q[j] * x;
      bb += x * x;
    }
    out[r] = qq === 0 || bb === 0 ? 0 : ab / Math.sqrt(qq * bb);
  }
  return out;
}

export function plainEuclideanBatch(q, m, dim) {
  const n = m.length / dim, out = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    const base = r * dim;
    for (let j = 0; j < dim; j++) { const d = q[j] - m[base + j]; s += d * d; }
    out[r] = Math.sqrt(s);
  }
  return out;
}

/** Score everything, then sort: what top-k looks like without a heap. */
export function plainTopK(q, m, dim, k) {
  const s = plainCosineBatch(q, m, dim);
  const idx = Array.from(s.keys());
  idx.sort((x, y) => s[y] - s[x] || x - y);
  return idx.slice(0, k);
}

const clamp01 = (v) => Math.min(1, Math.max(0, v));

export function plainRiskScore(s, c, max) {
  let keep = 1;
  for (let i = 0; i < s.length; i++) keep *= 1 - clamp01(c[i]) * clamp01(s[i] / max);
  return 1 - keep;
}

export function plainRiskBatch(s, c, offsets, max) {
  const out = new Float64Array(offsets.length - 1);
  for (let e = 0; e < out.length; e++) {
    let keep = 1;
    for (let i = offsets[e]; i < offsets[e + 1]; i++) keep *= 1 - clamp01(c[i]) * clamp01(s[i] / max);
    out[e] = 1 - keep;
  }
  return out;
}

export function plainTemporalDecay(scores, ages, halfLife) {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] * Math.pow(0.5, ages[i] / halfLife);
  return out;
}

export function plainStats(x) {
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < x.length; i++) { sum += x[i]; if (x[i] < min) min = x[i]; if (x[i] > max) max = x[i]; }
  const mean = sum / x.length;
  let m2 = 0;
  for (let i = 0; i < x.length; i++) m2 += (x[i] - mean) ** 2;
  const sorted = Float64Array.from(x).sort();
  const h = (sorted.length - 1) / 2, lo = Math.floor(h);
  const median = sorted[lo] + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]);
  return { sum, mean, variance: m2 / x.length, std: Math.sqrt(m2 / x.length), min, max, median };
}

/** Type-7 percentiles after a full sort. */
export function plainPercentiles(x, ps) {
  const s = Float64Array.from(x).sort();
  return ps.map((p) => { const h = (s.length - 1) * p / 100, lo = Math.floor(h); return s[lo] + (h - lo) * ((s[lo + 1] ?? s[lo]) - s[lo]); });
}

export function plainMovingAverage(x, w) {
  const out = new Float64Array(Math.max(0, x.length - w + 1));
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i];
    if (i >= w) s -= x[i - w];
    if (i >= w - 1) out[i - w + 1] = s / w;
  }
  return out;
}

export function plainOutliersIQR(x, k = 1.5) {
  const [q1, q3] = plainPercentiles(x, [25, 75]), iqr = q3 - q1;
  const out = [];
  for (let i = 0; i < x.length; i++) if (x[i] < q1 - k * iqr || x[i] > q3 + k * iqr) out.push(i);
  return out;
}

export function plainOutliersZScore(x, t = 3) {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i];
  const mean = sum / x.length;
  let m2 = 0;
  for (let i = 0; i < x.length; i++) m2 += (x[i] - mean) ** 2;
  const std = Math.sqrt(m2 / x.length), out = [];
  for (let i = 0; i < x.length; i++) if (std > 0 && Math.abs(x[i] - mean) / std > t) out.push(i);
  return out;
}

/** Character n-grams hashed (FNV-1a over UTF-16 units) into `dims` buckets per text. */
export function plainNgrams(texts, n, dims) {
  const out = new Float32Array(texts.length * dims);
  for (let t = 0; t < texts.length; t++) {
    const s = texts[t];
    for (let i = 0; i + n <= s.length; i++) {
      let h = 0x811c9dc5;
      for (let j = i; j < i + n; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193);
      out[t * dims + ((h >>> 0) % dims)] += 1;
    }
  }
  return out;
}

export function naiveMatmul(a, b, m, k, n) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) { const v = a[i * k + p]; for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j]; }
  return c;
}

/** Jump consistent hash as a plain JS loop over BigInt keys (the paper's code, transcribed). */
export function plainJumpHash(keys, buckets) {
  const out = new Uint32Array(keys.length), mask = (1n << 64n) - 1n;
  for (let i = 0; i < keys.length; i++) {
    let key = keys[i], b = -1, j = 0;
    while (j < buckets) {
      b = j;
      key = (key * 2862933555777941757n + 1n) & mask;
      j = Math.floor((b + 1) * (2147483648 / (Number(key >> 33n) + 1)));
    }
    out[i] = b;
  }
  return out;
}
