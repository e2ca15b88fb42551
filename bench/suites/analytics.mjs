// Analytics benchmarks (issue 3): every tier against plain-JS loops and the
// npm peers a user would otherwise reach for.
import * as ss from 'simple-statistics';
import { Matrix } from 'ml-matrix';
import { randomF32 } from '../data.mjs';

function plainRiskBatch(s, c, offsets, max) {
  const out = new Float64Array(offsets.length - 1);
  for (let e = 0; e < out.length; e++) {
    let keep = 1;
    for (let i = offsets[e]; i < offsets[e + 1]; i++) keep *= 1 - Math.min(1, Math.max(0, c[i])) * Math.min(1, Math.max(0, s[i] / max));
    out[e] = 1 - keep;
  }
  return out;
}

function plainStatsPercentiles(x, ps) {
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < x.length; i++) { sum += x[i]; if (x[i] < min) min = x[i]; if (x[i] > max) max = x[i]; }
  const mean = sum / x.length;
  let m2 = 0;
  for (let i = 0; i < x.length; i++) m2 += (x[i] - mean) ** 2;
  const sorted = Float64Array.from(x).sort();
  const q = ps.map((p) => { const h = (x.length - 1) * p / 100, lo = Math.floor(h); return sorted[lo] + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]) - sorted[lo]); });
  return { sum, mean, variance: m2 / x.length, min, max, q };
}

function ssStatsPercentiles(x, ps) {
  return {
    mean: ss.mean(x), variance: ss.variance(x), std: ss.standardDeviation(x), min: ss.min(x), max: ss.max(x),
    median: ss.median(x), q: ss.quantile(x, ps.map((p) => p / 100)),
  };
}

function plainOutliersIQR(x) {
  const s = Float64Array.from(x).sort();
  const q = (p) => { const h = (s.length - 1) * p, lo = Math.floor(h); return s[lo] + (h - lo) * (s[lo + 1] - s[lo]); };
  const q1 = q(0.25), q3 = q(0.75), iqr = q3 - q1;
  const out = [];
  for (let i = 0; i < x.length; i++) if (x[i] < q1 - 1.5 * iqr || x[i] > q3 + 1.5 * iqr) out.push(i);
  return out;
}

function naiveMatmul(a, b, m, k, n) {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) { const v = a[i * k + p]; for (let j = 0; j < n; j++) c[i * n + j] += v * b[p * n + j]; }
  return c;
}

function texts(count, len, seed) {
  const words = ['user', 'login', 'failed', 'admin', 'token', 'café', 'résumé', '🚨', 'доступ', '拒绝', 'GET', '/api/v1/', 'x-forwarded-for'];
  const u = randomF32(count * 64, seed);
  const out = [];
  for (let t = 0, j = 0; t < count; t++) {
    let s = '';
    while (s.length < len) s += `${words[Math.floor((u[j++ % u.length] + 1) * 6.5) % words.length]} `;
    out.push(s.slice(0, len));
  }
  return out;
}

/** @param {import('../harness.mjs').Harness} h */
export default function analytics(h) {
  const { hp } = h;

  const e = 1_000_000, sig = 8, n = e * sig;
  const u = randomF32(2 * n, 21);
  const sev = Float64Array.from(u.subarray(0, n), (v) => (v + 1) * 2.5), conf = Float64Array.from(u.subarray(n), (v) => (v + 1) / 2);
  const offsets = Uint32Array.from({ length: e + 1 }, (_, i) => i * sig);
  h.group('riskScoreBatch 1e6 entities x 8 signals', { baseline: 'plain JS loop' }, (g) => {
    g.add('plain JS loop', () => plainRiskBatch(sev, conf, offsets, 5));
    for (const tier of h.tiers) g.add(tier, () => hp.riskScoreBatch(sev, conf, offsets), { tier });
  });

  const x = Float64Array.from(randomF32(1_000_000, 22), (v) => v * 1000);
  const xs = Array.from(x);
  const ps = [50, 90, 95, 99];
  h.group('stats + percentiles([50,90,95,99]) n=1e6', { baseline: 'simple-statistics' }, (g) => {
    g.add('simple-statistics', () => ssStatsPercentiles(xs, ps));
    g.add('plain JS (loop + sort)', () => plainStatsPercentiles(x, ps));
    for (const tier of h.tiers) g.add(tier, () => { hp.stats(x); hp.percentiles(x, ps); }, { tier });
  });

  h.group('outliersIQR n=1e6', { baseline: 'plain JS (sort + scan)' }, (g) => {
    g.add('plain JS (sort + scan)', () => plainOutliersIQR(x));
    for (const tier of h.tiers) g.add(tier, () => hp.outliersIQR(x), { tier });
  });

  const docs = texts(10_000, 200, 23);
  h.group('ngramFeatures 10000 texts x 200 chars', { baseline: 'js' }, (g) => {
    for (const tier of h.tiers) g.add(tier, () => hp.ngramFeatures(docs), { tier });
  });

  const d = 512, a = randomF32(d * d, 24), b = randomF32(d * d, 25);
  const ma = new Matrix(Array.from({ length: d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d))));
  const mb = new Matrix(Array.from({ length: d }, (_, i) => Array.from(b.subarray(i * d, (i + 1) * d))));
  h.group('matmul 512x512x512 f32', { baseline: 'ml-matrix', flops: 2 * d ** 3 }, (g) => {
    g.add('ml-matrix', () => ma.mmul(mb));
    g.add('naive JS triple loop', () => naiveMatmul(a, b, d, d, d));
    for (const tier of h.tiers) g.add(tier, () => hp.matmul(a, b, d, d, d), { tier });
  });
}
