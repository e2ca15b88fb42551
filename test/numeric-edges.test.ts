// Numeric edge cases on every tier, each against an exact reference (BigInt arithmetic on
// the inputs' exact binary values) or, at dim 10^6, an exact sum of exact products.
// Finite inputs must give finite, accurate results; ±Infinity only where the exact answer
// is beyond the output type's range. Tolerances are the README's contract: float64 kernels
// 1e-12 relative (to Σ|a_i·b_i| for dot and cosine), plus the output's own rounding where it
// is subnormal; float32 storage 1e-5 relative to Σ|a_i·b_i|, plus half an f32 ulp of the
// rounded output.
import { describe, expect, it } from 'vitest';
import {
  cosine, cosineBatch, dot, euclidean, euclideanBatch, movingAverage, outliersIQR, outliersZScore, percentiles, stats, topK,
} from '../ts/index.js';
import type { Metric } from '../ts/index.js';
import { exactSum } from './support/exact.js';
import { REL, absDot, randomF32 } from './support/numeric.js';
import { TIERS, onTier } from './support/tiers.js';

// ---- exact arithmetic ------------------------------------------------------------------

/** Every finite double is an integer multiple of 2^-1074: its value in those units. */
const OFF = 1074;
const f64buf = new Float64Array(1), u64buf = new BigUint64Array(f64buf.buffer);
function units(x: number): bigint {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  f64buf[0] = x;
  const bits = u64buf[0];
  const e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  if (e > 0) m |= 1n << 52n;
  const v = m << BigInt(Math.max(e - 1, 0));
  return x < 0 ? -v : v;
}

const bitLen = (v: bigint): number => (v === 0n ? 0 : (v < 0n ? -v : v).toString(2).length);

/** x · 2^k for any k, one rounding at most (powers of two are exact while in range). */
function ldexp(x: number, k: number): number {
  while (k > 600) { x *= 2 ** 600; k -= 600; }
  while (k < -600) { x *= 2 ** -600; k += 600; }
  return x * 2 ** k;
}

/** num / den · 2^k as the nearest double (to within an ulp; den > 0). */
function toNum(num: bigint, den: bigint, k: number): number {
  if (num === 0n) return 0;
  const s = Math.max(0, 70 + bitLen(den) - bitLen(num));
  let q = (num << BigInt(s)) / den;
  // Keep 64 significant bits plus a sticky bit so Number() rounds once, correctly.
  const extra = Math.max(0, bitLen(q) - 64);
  if (extra > 0) q = (q >> BigInt(extra)) | 1n;
  return ldexp(Number(q), k - s + extra);
}

function isqrt(v: bigint): bigint {
  if (v < 2n) return v;
  let x = 1n << BigInt((bitLen(v) >> 1) + 1);
  for (;;) {
    const y = (x + v / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

type Vec = ArrayLike<number>;
const sumU = (n: number, f: (i: number) => bigint): bigint => { let s = 0n; for (let i = 0; i < n; i++) s += f(i); return s; };

function exactDot(a: Vec, b: Vec): number {
  return toNum(sumU(a.length, (i) => units(a[i]) * units(b[i])), 1n, -2 * OFF);
}

function exactCos(a: Vec, b: Vec): number {
  const ab = sumU(a.length, (i) => units(a[i]) * units(b[i]));
  const aa = sumU(a.length, (i) => units(a[i]) ** 2n), bb = sumU(b.length, (i) => units(b[i]) ** 2n);
  if (aa === 0n || bb === 0n) return 0;
  const c = toNum(ab, isqrt((aa * bb) << 256n), 128);
  return Math.max(-1, Math.min(1, c));
}

function exactL2(a: Vec, b: Vec): number {
  const s = sumU(a.length, (i) => (units(a[i]) - units(b[i])) ** 2n);
  return toNum(isqrt(s << 256n), 1n, -OFF - 128);
}

/** Σ|a_i·b_i| / (‖a‖‖b‖) in f64 (scaled, so it neither overflows nor underflows): cosine's error scale. */
function cosScale(a: Vec, b: Vec): number {
  const ab = sumU(a.length, (i) => { const p = units(a[i]) * units(b[i]); return p < 0n ? -p : p; });
  const aa = sumU(a.length, (i) => units(a[i]) ** 2n), bb = sumU(b.length, (i) => units(b[i]) ** 2n);
  return aa === 0n || bb === 0n ? 0 : toNum(ab, isqrt((aa * bb) << 256n), 128);
}

function absDotExact(a: Vec, b: Vec): number {
  return toNum(sumU(a.length, (i) => { const p = units(a[i]) * units(b[i]); return p < 0n ? -p : p; }), 1n, -2 * OFF);
}

/** Exact population (ddof 0) sum, mean, variance, std. */
function exactMoments(x: Vec, ddof = 0): { sum: number; mean: number; variance: number; std: number } {
  const n = BigInt(x.length);
  const s = sumU(x.length, (i) => units(x[i]));
  const q = sumU(x.length, (i) => units(x[i]) ** 2n);
  const m2n = n * q - s * s; // n·M2, in 2^-2148 units
  const den = n * (n - BigInt(ddof));
  return {
    sum: toNum(s, 1n, -OFF),
    mean: toNum(s, n, -OFF),
    variance: toNum(m2n, den, -2 * OFF),
    std: toNum(isqrt((m2n << 256n) / den), 1n, -OFF - 128),
  };
}

/** Type-7 percentile, exact: a + f·(b − a) with the same f = h − ⌊h⌋ the contract defines. */
function exactPercentile(x: Vec, p: number): number {
  const s = Float64Array.from(x).sort(), n = s.length;
  const h = ((n - 1) * p) / 100, lo = Math.floor(h), f = h - lo;
  if (f === 0 || lo + 1 >= n) return s[lo];
  const a = units(s[lo]), b = units(s[lo + 1]);
  return toNum((a << BigInt(OFF)) + units(f) * (b - a), 1n, -2 * OFF);
}

function exactMovingAverage(x: Vec, w: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + w <= x.length; i++) out.push(toNum(sumU(w, (j) => units(x[i + j])), BigInt(w), -OFF));
  return out;
}

// ---- tolerances -------------------------------------------------------------------------

const F64_SUB = 2 ** -1074;
/** Half an f32 ulp of fround(v): the rounding every f32 output carries. */
function halfUlpF32(v: number): number {
  const a = Math.abs(Math.fround(v));
  if (a < 2 ** -126) return 2 ** -150;
  return 2 ** (Math.floor(Math.log2(a)) - 24);
}

/** Equal as values (±Infinity must match exactly), else |got − want| ≤ rel·scale + abs. */
function near(got: number, want: number, rel: number, scale: number, abs: number, what: string): void {
  if (!Number.isFinite(want) || !Number.isFinite(got)) {
    expect(got, what).toBe(want);
    return;
  }
  const tol = rel * Math.max(scale, Math.abs(want)) + abs;
  if (!(Math.abs(got - want) <= tol)) expect.fail(`${what}: got ${got}, want ${want} (|err| ${Math.abs(got - want)} > tol ${tol})`);
}

// ---- inputs -------------------------------------------------------------------------------

const rep = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));
const wave = (n: number, s: number, scale: number): number[] => rep(n, (i) => scale * (1 + 0.5 * Math.sin(i * s)));

/** Float64 pairs: each would over- or underflow a plain sum of products or squares. */
const F64_PAIRS: Array<[string, number[], number[]]> = [
  ['near 1e160 (squares overflow)', wave(37, 1.1, 1e160), wave(37, 1.1, 1e160)],
  ['near 1e160, not parallel', wave(37, 1.1, 1e160), wave(37, 0.7, 1.5e160)],
  ['near 1e-170 (squares underflow)', wave(37, 1.3, 1e-170), wave(37, 1.3, 1e-170)],
  ['near 1e-170, not parallel', wave(37, 1.3, 1e-170), wave(37, 0.3, 3e-170)],
  ['±1e200 (products overflow, cancel)', [1e200, 1e200], [1e200, -1e200]],
  ['1e200 vs −1e200', [1e200, 1e200], [-1e200, -1e200]],
  ['near f64 max', [1.7e308, -1.7e308, 1e308], [1.7e308, 1.7e308, -1e308]],
  ['f64 subnormals', rep(19, (i) => (i + 1) * F64_SUB), rep(19, (i) => (19 - i) * 3 * F64_SUB)],
  ['huge and tiny mixed', [1e300, 1e-300, 0, 1], [1e-300, 1e300, 1, 0]],
  ['orthogonal, tiny overlap', [1e-145, 0, 1e-170, 0], [0, 1e-145, 1e-170, 0]],
  ['catastrophic cancellation', [1e16, 1, -1e16, 3], [1, 1, 1, 1]],
  ['zero vector', rep(9, () => 0), rep(9, (i) => i - 4)],
  ['both zero', rep(5, () => 0), rep(5, () => 0)],
  ['identical', rep(33, (i) => Math.cos(i)), rep(33, (i) => Math.cos(i))],
];

/** Float32 storage: the wasm f32 lanes would lose these (subnormal or overflowing f32 products). */
const F32_PAIRS: Array<[string, number[], number[]]> = [
  ['f32-subnormal products', rep(40, (i) => (i % 3 === 0 ? 1e-22 : i % 3 === 1 ? 1e-2 : 0)), rep(40, (i) => (i % 3 === 0 ? 1e-22 : i % 3 === 2 ? 1e-2 : 0))],
  ['f32-subnormal products, signs', rep(35, (i) => (i % 2 ? 3e-23 : 1e-3)), rep(35, (i) => (i % 2 ? -2e-23 : 0) + (i === 0 ? 1e-3 : 0))],
  ['f32 subnormal elements', rep(36, (i) => (i + 1) * 1.4e-45), rep(36, (i) => (36 - i) * 1.4e-45)],
  ['near f32 max', rep(33, (i) => (i % 2 ? 3e38 : -2e38)), rep(33, (i) => (i % 3 ? 3.4e38 : 1e38))],
  ['near f32 max, opposite', rep(20, () => 3e38), rep(20, () => -3e38)],
  ['f32 mixed scales', rep(48, (i) => (i < 16 ? 1e30 : 1e-30)), rep(48, (i) => (i < 16 ? 0 : 1e-30))],
  ['zero row', rep(17, () => 0), rep(17, (i) => i)],
];

const f32 = (x: number[]) => new Float32Array(x);

/** Computed once (lazily), shared by every tier. */
function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

/** Dim 10^6 vectors; Float64 storage of f32 values, so products are exact in f64 and exactSum gives the exact dot. */
const big = once(() => {
  const n = 1_000_000;
  const a32 = randomF32(n, 7), b32 = randomF32(n, 11);
  const a = Float64Array.from(a32), b = Float64Array.from(b32);
  const ab = exactSum(Float64Array.from(a, (x, i) => x * b[i]));
  const aa = exactSum(Float64Array.from(a, (x) => x * x)), bb = exactSum(Float64Array.from(b, (x) => x * x));
  const d2 = exactSum(Float64Array.from(a, (x, i) => (x - b[i]) * (x - b[i])));
  const scaled = [2 ** 520, 2 ** -560].map((s) => [s, Float64Array.from(a, (x) => x * s), Float64Array.from(b, (x) => x * s)] as const);
  return { a32, b32, a, b, ab, aa, bb, d2, scale: absDot(a, b), scaled };
});

// ---- similarity -------------------------------------------------------------------------

describe.each(TIERS)('numeric edges, similarity on %s', (tier) => {
  it('dot, cosine, euclidean of Float64 vectors at the range limits', () => onTier(tier, () => {
    for (const [name, a0, b0] of F64_PAIRS) {
      const a = Float64Array.from(a0), b = Float64Array.from(b0), n = a.length;
      const scale = absDotExact(a, b);
      near(dot(a, b), exactDot(a, b), REL.f64, Number.isFinite(scale) ? scale : 0, n * F64_SUB, `${tier} dot ${name}`);
      near(cosine(a, b), exactCos(a, b), REL.f64, cosScale(a, b), n * F64_SUB, `${tier} cosine ${name}`);
      near(euclidean(a, b), exactL2(a, b), REL.f64, 0, F64_SUB, `${tier} euclidean ${name}`);
      // The same through number[] (converted to float64 storage on the fast tiers).
      near(cosine(a0, b0), exactCos(a, b), REL.f64, cosScale(a, b), n * F64_SUB, `${tier} cosine number[] ${name}`);
    }
  }));

  it('the probe cases: finite, and what the exact value is', () => onTier(tier, () => {
    const big = Float64Array.from(rep(8, () => 1e160)), tiny = Float64Array.from(rep(8, () => 1e-170));
    expect(Math.abs(cosine(big, big) - 1)).toBeLessThan(1e-15);
    expect(Math.abs(cosine(tiny, tiny) - 1)).toBeLessThan(1e-15);
    expect(euclidean([1e200, 1e200], [-1e200, -1e200])).toBeCloseTo(2 * Math.SQRT2 * 1e200, -188);
    expect(dot([1e200, 1e200], [1e200, -1e200])).toBe(0);
    // Exact answers beyond the range: Infinity, not NaN.
    expect(dot(big, big)).toBe(Infinity);
    expect(euclidean([1.7e308], [-1.7e308])).toBe(Infinity);
  }));

  it('dot, cosine, euclidean of Float32 vectors with subnormal or huge products', () => onTier(tier, () => {
    for (const [name, a0, b0] of F32_PAIRS) {
      const a = f32(a0), b = f32(b0);
      near(dot(a, b), exactDot(a, b), REL.f32, absDotExact(a, b), 0, `${tier} f32 dot ${name}`);
      near(cosine(a, b), exactCos(a, b), REL.f32, cosScale(a, b), 0, `${tier} f32 cosine ${name}`);
      near(euclidean(a, b), exactL2(a, b), REL.f32, 0, 0, `${tier} f32 euclidean ${name}`);
    }
  }));

  it('cosineBatch, euclideanBatch and topK on f32 rows at the range limits', () => onTier(tier, () => {
    const dim = 40;
    const fit = (x: number[]) => rep(dim, (i) => x[i % x.length]);
    const rowsSrc = [...F32_PAIRS.flatMap(([, a, b]) => [fit(a), fit(b)]), fit([1, 2, 3]), fit([1, 2, 3])];
    const queries = f32([...fit(F32_PAIRS[0][1]), ...fit(F32_PAIRS[3][1]), ...fit([0.5, -1, 2])]);
    const matrix = f32(rowsSrc.flat());
    const n = rowsSrc.length, nq = queries.length / dim;
    const cos = cosineBatch(queries, matrix, dim), l2 = euclideanBatch(queries, matrix, dim);
    for (let q = 0; q < nq; q++) {
      const qv = queries.subarray(q * dim, (q + 1) * dim);
      for (let r = 0; r < n; r++) {
        const rv = matrix.subarray(r * dim, (r + 1) * dim);
        const wc = exactCos(qv, rv), wl = exactL2(qv, rv);
        near(cos[q * n + r], Math.fround(wc), REL.f32, cosScale(qv, rv), halfUlpF32(wc), `${tier} cosineBatch q${q} r${r}`);
        // Beyond f32 max the exact distance is Infinity as an f32 (the README's domain).
        near(l2[q * n + r], Math.fround(wl), REL.f32, 0, halfUlpF32(wl), `${tier} euclideanBatch q${q} r${r}`);
      }
    }
    for (const metric of ['cosine', 'dot', 'euclidean'] as Metric[]) {
      for (let q = 0; q < nq; q++) {
        const qv = queries.subarray(q * dim, (q + 1) * dim);
        const want = rep(n, (r) => {
          const rv = matrix.subarray(r * dim, (r + 1) * dim);
          const exact = metric === 'cosine' ? exactCos(qv, rv) : metric === 'dot' ? exactDot(qv, rv) : exactL2(qv, rv);
          const scale = metric === 'cosine' ? cosScale(qv, rv) : metric === 'dot' ? absDotExact(qv, rv) : 0;
          return { r, s: Math.fround(exact), tol: REL.f32 * scale + halfUlpF32(exact) };
        });
        const k = 6;
        const { indices, scores } = topK(qv, matrix, dim, k, { metric });
        expect(indices.length, `${tier} topK ${metric}`).toBe(k);
        for (let i = 0; i < k; i++) {
          const w = want[indices[i]];
          near(scores[i], w.s, REL.f32, 0, w.tol, `${tier} topK ${metric} q${q} #${i} row ${indices[i]}`);
          // Nothing left out ranks clearly better than what was kept.
          const better = want.filter((c) => !indices.includes(c.r) && (metric === 'euclidean' ? c.s < w.s - c.tol - w.tol : c.s > w.s + c.tol + w.tol));
          expect(better.map((c) => c.r), `${tier} topK ${metric} q${q} #${i}`).toEqual([]);
        }
        // Duplicate rows (the last two) tie exactly; the lower index ranks first.
        const dup = [n - 2, n - 1].map((r) => Array.from(indices).indexOf(r)).filter((i) => i >= 0);
        if (dup.length === 2) expect(dup[0]).toBeLessThan(dup[1]);
      }
    }
  }));

  it('dim 10^6: dot, cosine, euclidean against exact sums of exact products', () => onTier(tier, () => {
    const { a32, b32, a, b, ab, aa, bb, d2, scale, scaled } = big();
    for (const [label, x, y, rel] of [['f64', a, b, REL.f64], ['f32', a32, b32, REL.f32]] as const) {
      near(dot(x, y), ab, rel, scale, 0, `${tier} ${label} dot 1e6`);
      near(cosine(x, y), ab / Math.sqrt(aa * bb), rel, scale / Math.sqrt(aa * bb), 0, `${tier} ${label} cosine 1e6`);
      near(euclidean(x, y), Math.sqrt(d2), rel, 0, 0, `${tier} ${label} euclidean 1e6`);
    }
    // Scaled to overflow / underflow: the results scale exactly (cosine not at all).
    for (const [s, as, bs] of scaled) {
      near(cosine(as, bs), ab / Math.sqrt(aa * bb), REL.f64, scale / Math.sqrt(aa * bb), 0, `${tier} cosine 1e6 ×${s}`);
      near(euclidean(as, bs), Math.sqrt(d2) * s, REL.f64, 0, 0, `${tier} euclidean 1e6 ×${s}`);
    }
  }));
});

// ---- statistics -------------------------------------------------------------------------

const SAMPLES: Array<[string, number[]]> = [
  ['two near f64 max (sum overflows)', [1.5e308, 1.5e308]],
  ['partial sum overflows, exact sum finite', [1.7e308, 1.7e308, -1.7e308, 1]],
  ['±1e200 (squares overflow)', [1e200, -1e200, 3e199]],
  ['opposite signs near max', [-1.7e308, 1.7e308, 0, 1e307]],
  ['near 1e-170 (squares underflow)', [1e-170, 2e-170, 3e-170, 5e-170]],
  ['f64 subnormals', rep(11, (i) => i * 7 * F64_SUB)],
  ['all equal', rep(1000, () => 3.3)],
  ['all equal tiny', rep(50, () => 1e-320)],
  ['catastrophic cancellation', [1e16, 1, -1e16, 2, 1e16, -1e16]],
  ['large offset', rep(64, (i) => 1e9 + (i % 7) * 1e-6)],
  ['ties', [1, 1, 1, 2, 2, 2, 2, 3]],
  ['single value', [-4.25]],
];

/** A 10^6 sample with a large alternating offset; the variance reference takes exact sums of the deviations. */
const bigSample = once(() => {
  const x = Float64Array.from(randomF32(1_000_000, 5), (v, i) => v * 1e3 + (i % 2 ? 1e6 : -1e6));
  const sum = exactSum(x), mean = sum / x.length;
  const d = Float64Array.from(x, (v) => v - mean), sd = exactSum(d);
  const variance = (exactSum(Float64Array.from(d, (v) => v * v)) - (sd * sd) / x.length) / x.length;
  const scaled = [2 ** 600, 2 ** -600].map((s) => [s, Float64Array.from(x, (v) => v * s)] as const);
  return { x, sum, absSum: exactSum(Float64Array.from(x, Math.abs)), mean, variance, scaled };
});

describe.each(TIERS)('numeric edges, statistics on %s', (tier) => {
  it('stats: sum, mean, variance, std, median against exact values', () => onTier(tier, () => {
    for (const [name, x] of SAMPLES) {
      for (const ddof of x.length > 1 ? [0, 1] : [0]) {
        const got = stats(Float64Array.from(x), { ddof }), want = exactMoments(x, ddof);
        const absSum = exactMoments(x.map(Math.abs)).sum;
        const what = `${tier} stats ${name} ddof ${ddof}`;
        // Compensated sums: within 1e-12 of the exact value (relative to Σ|x| under cancellation).
        near(got.sum, want.sum, REL.f64, Number.isFinite(absSum) ? absSum * 1e-4 : 0, x.length * F64_SUB, `${what} sum`);
        near(got.mean, want.mean, REL.f64, 0, F64_SUB, `${what} mean`);
        near(got.variance, want.variance, REL.f64, 0, F64_SUB, `${what} variance`);
        near(got.std, want.std, REL.f64, 0, F64_SUB, `${what} std`);
        near(got.median, exactPercentile(x, 50), REL.f64, 0, F64_SUB, `${what} median`);
        expect(got.min).toBe(Math.min(...x));
        expect(got.max).toBe(Math.max(...x));
      }
    }
    const s = stats([1.5e308, 1.5e308]);
    expect([s.sum, s.mean, s.variance, s.std, s.median]).toEqual([Infinity, 1.5e308, 0, 0, 1.5e308]);
    const w = stats([1e200, -1e200]);
    expect(w.variance).toBe(Infinity); // 1e400 is beyond the range
    expect(w.std).toBe(1e200);
  }));

  it('stats at dim 10^6', () => onTier(tier, () => {
    const { x, sum, absSum, mean, variance, scaled } = bigSample();
    const got = stats(x);
    near(got.sum, sum, REL.f64, absSum, 0, `${tier} sum 1e6`);
    near(got.mean, mean, REL.f64, 0, 0, `${tier} mean 1e6`);
    near(got.variance, variance, REL.f64, 0, 0, `${tier} variance 1e6`);
    for (const [s, xs] of scaled) {
      const g = stats(xs);
      near(g.std, Math.sqrt(variance) * s, REL.f64, 0, 0, `${tier} std 1e6 ×${s}`);
      near(g.mean, mean * s, REL.f64, 0, 0, `${tier} mean 1e6 ×${s}`);
    }
  }));

  it('percentiles: type 7 without overflow in the interpolation', () => onTier(tier, () => {
    const ps = [0, 10, 25, 33.3, 50, 75, 90, 99.9, 100];
    for (const [name, x] of [...SAMPLES, ['two opposite extremes', [-1.7e308, 1.7e308]] as [string, number[]], ['max and min', [-Number.MAX_VALUE, Number.MAX_VALUE, Number.MAX_VALUE]] as [string, number[]]]) {
      const got = percentiles(x, ps);
      ps.forEach((p, i) => near(got[i], exactPercentile(x, p), REL.f64, 0, F64_SUB, `${tier} percentile ${p} of ${name}`));
    }
    expect(Array.from(percentiles([-1.7e308, 1.7e308], [50]))).toEqual([0]);
    // Large enough for native's bucketed selection, whose bucket width (hi − lo) overflows here.
    const wide = rep(20_001, (i) => (i % 3 === 0 ? -1.7e308 : i % 3 === 1 ? 1.7e308 : (i - 10_000) * 1e300));
    const got = percentiles(wide, ps);
    ps.forEach((p, i) => near(got[i], exactPercentile(wide, p), REL.f64, 0, F64_SUB, `${tier} percentile ${p} of 20001 extremes`));
    near(stats(wide).median, exactPercentile(wide, 50), REL.f64, 0, 0, `${tier} median of 20001 extremes`);
  }));

  it('movingAverage: windows whose sum overflows or cancels', () => onTier(tier, () => {
    const cases: Array<[number[], number]> = [
      [[1.7e308, 1.7e308], 2],
      [[1.7e308, 1.7e308, 1, 2, 3, 1e-300], 2],
      [[1e308, 1e308, -1e308, -1e308, 5, 1e308, 1e308, 1e308], 3],
      [rep(40, (i) => (i % 5 === 0 ? 1.6e308 : i % 5 === 1 ? -1.6e308 : i)), 4],
      [rep(30, (i) => (i + 1) * 3 * F64_SUB), 7],
      [[1e16, 1, -1e16, 1, 1e16, 1], 3],
      [rep(100, () => 2.5), 10],
    ];
    for (const [x, w] of cases) {
      const got = movingAverage(x, w), want = exactMovingAverage(x, w);
      expect(got.length).toBe(want.length);
      want.forEach((v, i) => near(got[i], v, REL.f64, 0, F64_SUB, `${tier} movingAverage w${w} [${i}] of ${x.slice(0, 3)}…`));
    }
    expect(Array.from(movingAverage([1.7e308, 1.7e308], 2))).toEqual([1.7e308]);
    // Long enough for native's chunks: one overflowing window in the middle; every other window must be unaffected.
    const long = rep(40_000, (i) => (i === 20_000 || i === 20_001 ? 1.7e308 : Math.sin(i)));
    const got = movingAverage(long, 3);
    for (const i of [0, 16_383, 16_384, 19_997, 19_998, 19_999, 20_000, 20_001, 20_002, 32_768, 39_997]) {
      near(got[i], toNum(sumU(3, (j) => units(long[i + j])), 3n, -OFF), REL.f64, 0, 0, `${tier} movingAverage of 40000, window at ${i}`);
    }
  }));

  it('outliersIQR and outliersZScore at the range limits', () => onTier(tier, () => {
    const idx = (x: Uint32Array) => Array.from(x);
    // Exact fences from exact quartiles; inputs keep every value far from a fence.
    const iqrRef = (x: number[], k: number) => {
      const q1 = exactPercentile(x, 25), q3 = exactPercentile(x, 75);
      const [u1, u3] = [units(q1), units(q3)], ku = units(k);
      // Fences in 2^-2148 units: q·2^1074 ∓ k·(q3 − q1).
      const lo = (u1 << BigInt(OFF)) - ku * (u3 - u1), hi = (u3 << BigInt(OFF)) + ku * (u3 - u1);
      return rep(x.length, (i) => i).filter((i) => { const v = units(x[i]) << BigInt(OFF); return v < lo || v > hi; });
    };
    const iqrCases: Array<[number[], number]> = [
      [[-1.7e308, -1e308, -1e307, 0, 1e307, 1e308, 1.7e308], 0],
      [[-1.7e308, -1e308, -1e307, 0, 1e307, 1e308, 1.7e308], 0.01],
      [[-1.7e308, -1e308, -1e307, 0, 1e307, 1e308, 1.7e308], 1.5],
      [[...rep(20, (i) => i * 1e-170), 5e-167, -5e-167], 1.5],
      [[...rep(20, (i) => i * 10 * F64_SUB), 5000 * F64_SUB], 1.5],
      [rep(30, () => 7), 0],
      [[...rep(9, (i) => i * 1e300), -1.6e308, 1.7e308], 0.5],
    ];
    for (const [x, k] of iqrCases) expect(idx(outliersIQR(x, { k })), `${tier} outliersIQR k=${k} ${x.slice(0, 3)}…`).toEqual(iqrRef(x, k));

    const zCases: Array<[number[], number, number[]]> = [
      [[...rep(20, () => 0), 1e200], 3, [20]], // z = √20 ≈ 4.47
      [[...rep(20, () => 0), 1.7e308], 3, [20]],
      [[...rep(10, () => -1.7e308), ...rep(10, () => 1.7e308), 0], 0.5, rep(20, (i) => i)],
      [[...rep(20, () => 0), 1e-170], 3, [20]],
      [[...rep(20, () => 0), 3 * F64_SUB], 3, [20]],
      [[...rep(20, () => 5e-300), 1e-200], 4, [20]],
      [rep(50, () => 1e-320), 0, []],
      [rep(50, () => 1.7e308), 0, []],
    ];
    for (const [x, t, want] of zCases) expect(idx(outliersZScore(x, { threshold: t })), `${tier} outliersZScore t=${t} ${x.slice(-2)}`).toEqual(want);
  }));
});
