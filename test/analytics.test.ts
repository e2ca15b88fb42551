import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  matmul, movingAverage, ngramFeatures, outliersIQR, outliersZScore, percentiles, quantiles, riskScore, riskScoreBatch, stats, temporalDecay,
} from '../ts/index.js';
import { exactSum } from './support/exact.js';
import { expectClose, randomF32 } from './support/numeric.js';
import { TIERS, onTier } from './support/tiers.js';

const FIXTURES = JSON.parse(readFileSync(new URL('./fixtures/stats.numpy.json', import.meta.url), 'utf8')).cases as Array<{
  name: string; x: number[]; sum: number; mean: number; variance: number; varianceDdof1: number | null; std: number;
  min: number; max: number; median: number; ps: number[]; percentiles: number[];
  movingAverage: Record<string, number[]>; outliersIQR: number[]; outliersZScore2: number[];
}>;

/** Values spread over many magnitudes and both signs, deterministic. */
function mixed(n: number, seed: number): Float64Array {
  const u = randomF32(2 * n, seed), out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = u[i] * 10 ** Math.round(Math.abs(u[n + i]) * 9 - 3);
  return out;
}

const F64 = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const sample = (min = 1, max = 300) => fc.array(F64, { minLength: min, maxLength: max, size: 'max' });

describe.each(TIERS)('statistics on %s tier', (tier) => {
  it.each(FIXTURES.map((c) => [c.name, c] as const))('matches numpy: %s', (_, c) => {
    onTier(tier, () => {
      const rel = 1e-12;
      for (const x of [c.x, Float64Array.from(c.x)]) {
        const s = stats(x);
        expect(s.count).toBe(c.x.length);
        expectClose(s.sum, c.sum, rel, Math.abs(c.sum), 'sum');
        expectClose(s.mean, c.mean, rel, Math.abs(c.mean), 'mean');
        expectClose(s.variance, c.variance, 1e-11, c.variance, 'variance');
        expectClose(s.std, c.std, 1e-11, c.std, 'std');
        expect([s.min, s.max, s.median]).toEqual([c.min, c.max, c.median]);
        if (c.varianceDdof1 !== null) expectClose(stats(x, { ddof: 1 }).variance, c.varianceDdof1, 1e-11, c.varianceDdof1, 'ddof 1');
        const p = percentiles(x, c.ps);
        c.percentiles.forEach((v, i) => expectClose(p[i], v, rel, Math.abs(v), `p${c.ps[i]}`));
        for (const [w, want] of Object.entries(c.movingAverage)) {
          const got = movingAverage(x, Number(w));
          expect(got.length).toBe(want.length);
          const scale = Math.max(...c.x.map(Math.abs));
          want.forEach((v, i) => expectClose(got[i], v, 1e-12, scale, `ma${w}[${i}]`));
        }
        expect(Array.from(outliersIQR(x))).toEqual(c.outliersIQR);
        expect(Array.from(outliersZScore(x, { threshold: 2 }))).toEqual(c.outliersZScore2);
      }
    });
  });

  it('quantiles takes 0-1 and equals numpy.quantile (type 7, rank (n-1)q) and percentiles at 100q', () => {
    // numpy.quantile(x, q, method='linear'), written out in float64.
    const numpyQuantile = (x: readonly number[], q: number): number => {
      const s = Float64Array.from(x).sort(), h = (s.length - 1) * q, lo = Math.floor(h);
      return lo + 1 >= s.length ? s[lo] : s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
    };
    onTier(tier, () => {
      for (const c of FIXTURES) {
        const got = quantiles(c.x, c.ps.map((p) => p / 100));
        c.percentiles.forEach((v, i) => expectClose(got[i], v, 1e-12, Math.abs(v), `q${c.ps[i] / 100}`));
      }
      expect(Array.from(quantiles([1, 2, 3, 4], [0, 0.25, 0.5, 1]))).toEqual([1, 1.75, 2.5, 4]);
      expect(quantiles([5], [])).toEqual(new Float64Array(0));
    });
    fc.assert(
      fc.property(sample(), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6, size: 'max' }), (xs, qs) => {
        const got = onTier(tier, () => quantiles(xs, qs));
        const byPercent = onTier(tier, () => percentiles(xs, qs.map((q) => q * 100)));
        const s = Float64Array.from(xs).sort(), gap = Math.max(Math.abs(s[0]), Math.abs(s[s.length - 1]));
        qs.forEach((q, i) => {
          expect(got[i]).toBe(byPercent[i]);
          expectClose(got[i], numpyQuantile(xs, q), 1e-12, gap, `q=${q}`);
        });
      }),
      { numRuns: 60, seed: 2022 },
    );
    expect(() => quantiles([1, 2], [99])).toThrow(/^hotpath\.quantiles: qs\[0\] must be <= 1/);
    expect(() => quantiles([1, 2], [0.5, -0.1])).toThrow(/qs\[1\] must be >= 0/);
    expect(() => quantiles([1, 2], [NaN])).toThrow(RangeError);
    expect(() => quantiles([], [0.5])).toThrow(/hotpath\.quantiles: x must not be empty/);
    expect(() => quantiles([1, NaN], [0.5])).toThrow(/hotpath\.quantiles: x\[1\] is NaN/);
    expect(() => quantiles([1], 0.5 as never)).toThrow(TypeError);
  });

  it('never mutates its input and agrees with the js tier on generated samples', () => {
    fc.assert(
      fc.property(sample(), fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { maxLength: 6, size: 'max' }), fc.integer({ min: 1, max: 40 }), (xs, ps, w) => {
        const x = Float64Array.from(xs), copy = x.slice();
        const want = onTier('js', () => ({ s: stats(x), p: percentiles(x, ps), i: outliersIQR(x), z: outliersZScore(x, { threshold: 1.5 }) }));
        const got = onTier(tier, () => ({ s: stats(x), p: percentiles(x, ps), i: outliersIQR(x), z: outliersZScore(x, { threshold: 1.5 }) }));
        expect(x).toEqual(copy);
        const scale = Math.max(...xs.map(Math.abs));
        for (const k of ['sum', 'mean', 'min', 'max', 'median'] as const) expectClose(got.s[k], want.s[k], 1e-12, scale, k);
        expectClose(got.s.variance, want.s.variance, 1e-11, scale * scale, 'variance');
        got.p.forEach((v, i) => expectClose(v, want.p[i], 1e-12, scale, `p${ps[i]}`));
        expect(got.i).toEqual(want.i);
        expect(got.z).toEqual(want.z);
        if (w <= x.length) {
          const a = onTier('js', () => movingAverage(x, w)), b = onTier(tier, () => movingAverage(x, w));
          b.forEach((v, i) => expectClose(v, a[i], 1e-12, scale, `ma[${i}]`));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('sums 1e6 mixed-magnitude values to within 1e-12 of the exact sum', () => {
    const x = mixed(1_000_000, 9);
    const exact = exactSum(x);
    const s = onTier(tier, () => stats(x));
    expectClose(s.sum, exact, 1e-12, Math.abs(exact), 'sum');
    expectClose(s.mean, exact / x.length, 1e-12, Math.abs(exact / x.length), 'mean');
  });

  it('moving average over 1e6 values does not drift', () => {
    const x = mixed(1_000_000, 4);
    const w = 1000;
    const ma = onTier(tier, () => movingAverage(x, w));
    for (const i of [0, 1, 499_999, ma.length - 1]) {
      const exact = exactSum(x.subarray(i, i + w)) / w;
      let scale = 0;
      for (let j = i; j < i + w; j++) scale = Math.max(scale, Math.abs(x[j]));
      expectClose(ma[i], exact, 1e-12, scale, `ma[${i}]`);
    }
  });

  it('median of large sorted, reverse and constant inputs is found quickly and exactly', () => {
    onTier(tier, () => {
      const n = 200_001;
      const asc = Float64Array.from({ length: n }, (_, i) => i);
      expect(stats(asc).median).toBe(100_000);
      expect(stats(asc.slice().reverse()).median).toBe(100_000);
      expect(stats(new Float64Array(n).fill(3)).median).toBe(3);
      expect(stats(asc.subarray(1)).median).toBe(100_000.5);
    });
  });
});

describe.each(TIERS)('risk scoring on %s tier', (tier) => {
  it('hand-worked values', () => {
    onTier(tier, () => {
      expect(riskScore([], [])).toBe(0);
      expect(riskScore([2.5], [0.5])).toBe(0.25);
      expect(riskScore([2.5, 5], [0.5, 0.5])).toBe(0.625);
      expect(riskScore([5, 2.5], [1, 0.5])).toBe(1);
      expect(riskScore([10, -3], [0.5, 1])).toBe(0.5); // severities clamp to [0, 1] after scaling
      expect(riskScore([4], [2], { maxSeverity: 8 })).toBe(0.5); // confidence clamps to 1
      const r = riskScoreBatch(Float64Array.of(2.5, 5, 2.5), Float64Array.of(0.5, 0.5, 0.5), Uint32Array.of(0, 2, 2, 3));
      expect(Array.from(r)).toEqual([0.625, 0, 0.25]);
      expect(riskScoreBatch([], [], Uint32Array.of(0)).length).toBe(0);
    });
  });

  it('many small risks do not cancel', () => {
    onTier(tier, () => {
      const n = 1000, s = new Float64Array(n).fill(5), c = new Float64Array(n).fill(1e-12);
      expectClose(riskScore(s, c), -Math.expm1(n * Math.log1p(-1e-12)), 1e-12, 1e-9);
    });
  });

  it('matches the js tier on generated entities', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 400, size: 'max' }), fc.integer(), fc.double({ min: 0.5, max: 10, noNaN: true }), (sizes, seed, max) => {
        const offsets = new Uint32Array(sizes.length + 1);
        sizes.forEach((k, i) => (offsets[i + 1] = offsets[i] + k));
        const n = offsets[sizes.length];
        const u = randomF32(2 * n, seed);
        const s = Float64Array.from(u.subarray(0, n), (v) => (v + 1) * 4), c = Float64Array.from(u.subarray(n), (v) => v * 1.2);
        const want = onTier('js', () => riskScoreBatch(s, c, offsets, { maxSeverity: max }));
        const got = onTier(tier, () => riskScoreBatch(s, c, offsets, { maxSeverity: max }));
        got.forEach((v, i) => expectClose(v, want[i], 1e-12, 1, `entity ${i}`));
        if (sizes.length > 0) expectClose(onTier(tier, () => riskScore(s.subarray(0, sizes[0]), c.subarray(0, sizes[0]), { maxSeverity: max })), want[0], 1e-12, 1);
      }),
      { numRuns: 60 },
    );
  });

  it('scores 2e5 entities x 8 signals like the js tier', () => {
    const e = 200_000, n = e * 8;
    const offsets = Uint32Array.from({ length: e + 1 }, (_, i) => i * 8);
    const u = randomF32(2 * n, 77);
    const s = Float64Array.from(u.subarray(0, n), (v) => (v + 1) * 2.5), c = Float64Array.from(u.subarray(n), (v) => (v + 1) / 2);
    const want = onTier('js', () => riskScoreBatch(s, c, offsets));
    const got = onTier(tier, () => riskScoreBatch(s, c, offsets));
    for (let i = 0; i < e; i += 997) expectClose(got[i], want[i], 1e-12, 1, `entity ${i}`);
    expect(got.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('temporal decay', () => {
    onTier(tier, () => {
      expect(Array.from(temporalDecay([8, 8, 8, 6], [0, 1, 2, 3], 1))).toEqual([8, 4, 2, 0.75]);
      expect(Array.from(temporalDecay(Float64Array.of(4), Float64Array.of(3), 3))).toEqual([2]);
      const n = 100_003, s = mixed(n, 5), a = Float64Array.from(randomF32(n, 6), (v) => Math.abs(v) * 100);
      const want = onTier('js', () => temporalDecay(s, a, 7.5));
      const got = temporalDecay(s, a, 7.5);
      for (let i = 0; i < n; i += 101) expectClose(got[i], want[i], 1e-12, Math.abs(want[i]), `decay ${i}`);
    });
  });
});

describe.each(TIERS)('n-gram features on %s tier', (tier) => {
  it('hand-worked FNV-1a buckets', () => {
    onTier(tier, () => {
      // FNV-1a("abc") = 0x1a47e90b -> bucket 3 of 8; FNV-1a("bcd") = 0x74bbf722 -> bucket 2.
      expect(Array.from(ngramFeatures('abcd', { n: 3, dims: 8, normalize: false }))).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
      const r = Math.fround(Math.SQRT1_2);
      expect(Array.from(ngramFeatures(['abcd'], { n: 3, dims: 8 }))).toEqual([0, 0, r, r, 0, 0, 0, 0]);
      // "a😀b": the emoji is one code point (F0 9F 98 80); windows "a😀" -> 1, "😀b" -> 6.
      expect(Array.from(ngramFeatures('a\u{1F600}b', { n: 2, dims: 8, normalize: false }))).toEqual([0, 1, 0, 0, 0, 0, 1, 0]);
      // A lone surrogate is U+FFFD: "\uD800x" hashes like "\uFFFDx" (bucket 6).
      expect(ngramFeatures('\uD800x', { n: 2, dims: 8 })).toEqual(ngramFeatures('\uFFFDx', { n: 2, dims: 8 }));
      expect(Array.from(ngramFeatures('\uD800x', { n: 2, dims: 8, normalize: false }))).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
      // A combining mark is its own code point: "e\u0301" -> 7, "\u0301f" -> 0.
      expect(Array.from(ngramFeatures('e\u0301f', { n: 2, dims: 8, normalize: false }))).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
      expect(Array.from(ngramFeatures(['ab', ''], { n: 3, dims: 4 }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      expect(ngramFeatures([], {}).length).toBe(0);
      expect(Array.from(ngramFeatures('aaaa', { n: 1, dims: 1, normalize: false }))).toEqual([4]);
    });
  });

  it('matches the js tier on generated texts', () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'b', ' ', 'é', '\u0301', '\u{1F600}', '\uD800', '\uDC00', '中'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 60, size: 'max' });
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30, size: 'max' }), fc.integer({ min: 1, max: 5 }), fc.constantFrom(1, 7, 64, 1024), fc.boolean(), (texts, n, dims, normalize) => {
        const want = onTier('js', () => ngramFeatures(texts, { n, dims, normalize }));
        expect(onTier(tier, () => ngramFeatures(texts, { n, dims, normalize }))).toEqual(want);
      }),
      { numRuns: 80 },
    );
  });
});

describe.each(TIERS)('matmul on %s tier', (tier) => {
  it('hand-worked product and empty shapes', () => {
    onTier(tier, () => {
      const a = Float64Array.of(1, 2, 3, 4, 5, 6), b = Float64Array.of(7, 8, 9, 10, 11, 12);
      expect(Array.from(matmul(a, b, 2, 3, 2))).toEqual([58, 64, 139, 154]);
      const c = matmul(Float32Array.from(a), Float32Array.from(b), 2, 3, 2);
      expect(c).toBeInstanceOf(Float32Array);
      expect(Array.from(c)).toEqual([58, 64, 139, 154]);
      expect(Array.from(matmul(new Float32Array(0), new Float32Array(0), 2, 0, 3))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(matmul(new Float64Array(0), new Float64Array(6), 0, 2, 3).length).toBe(0);
    });
  });

  it('matches the float64 reference on generated shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 90 }), fc.integer({ min: 0, max: 70 }), fc.integer(), fc.boolean(), (m, k, n, seed, f32) => {
        const a64 = Float64Array.from(randomF32(m * k, seed)), b64 = Float64Array.from(randomF32(k * n, seed + 1));
        const a = f32 ? Float32Array.from(a64) : a64, b = f32 ? Float32Array.from(b64) : b64;
        const want = onTier('js', () => matmul(Float64Array.from(a), Float64Array.from(b), m, k, n));
        const got = onTier(tier, () => matmul(a, b, m, k, n));
        expect(got.length).toBe(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let scale = 0;
            for (let p = 0; p < k; p++) scale += Math.abs(a[i * k + p] * b[p * n + j]);
            expectClose(got[i * n + j], want[i * n + j], f32 ? 1e-5 : 1e-12, scale, `c[${i},${j}]`);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a 300x200x250 float32 product matches the js tier', () => {
    const m = 300, k = 200, n = 250, a = randomF32(m * k, 3), b = randomF32(k * n, 4);
    const want = onTier('js', () => matmul(a, b, m, k, n));
    const got = onTier(tier, () => matmul(a, b, m, k, n));
    for (let i = 0; i < want.length; i += 7) expectClose(got[i], want[i], 1e-5, k, `c[${i}]`);
  });
});

describe.each(TIERS)('analytics bad input on %s tier', (tier) => {
  it('names the argument and the problem', () => {
    onTier(tier, () => {
      expect(() => riskScore([1, 2], [1])).toThrow(/confidences length 1 does not match severities length 2/);
      expect(() => riskScore([1], [1], { maxSeverity: 0 })).toThrow(/options\.maxSeverity must be > 0/);
      expect(() => riskScore([NaN], [1])).toThrow(/severities\[0\] is NaN/);
      expect(() => riskScore([1, 1], [1, Infinity])).toThrow(/confidences\[1\] is Infinity/);
      expect(() => riskScoreBatch([1, 2], [1, 1], [0, 2] as never)).toThrow(/offsets must be a Uint32Array/);
      expect(() => riskScoreBatch([1, 2], [1, 1], Uint32Array.of(1, 2))).toThrow(/offsets\[0\] must be 0/);
      expect(() => riskScoreBatch([1, 2, 3], [1, 1, 1], Uint32Array.of(0, 2, 1, 3))).toThrow(/offsets\[2\] is 1, below offsets\[1\] = 2/);
      expect(() => riskScoreBatch([1, 2], [1, 1], Uint32Array.of(0, 1))).toThrow(/offsets\[1\] must equal the signal count 2/);
      expect(() => riskScoreBatch([1, 2], [1, 1], new Uint32Array(0))).toThrow(/offsets must have length/);
      const big = new Float64Array(5000).fill(1);
      big[4321] = -Infinity;
      expect(() => riskScoreBatch(big, new Float64Array(5000).fill(0.5), Uint32Array.of(0, 2500, 5000))).toThrow(/severities\[4321\] is -Infinity/);
      expect(() => temporalDecay([1], [-1], 2)).toThrow(/ages\[0\] is -1; ages must be >= 0/);
      expect(() => temporalDecay([1], [Infinity], 2)).toThrow(/ages\[0\] is Infinity/);
      expect(() => temporalDecay([1], [1], 0)).toThrow(/halfLife must be > 0/);
      expect(() => temporalDecay([1], [1, 2], 1)).toThrow(/ages length 2/);
      expect(() => stats([])).toThrow(/hotpath\.stats: x must not be empty/);
      expect(() => stats([1, NaN])).toThrow(/x\[1\] is NaN/);
      const wide = new Float64Array(10_000).fill(1.5);
      wide[7777] = Infinity;
      wide[9000] = NaN;
      expect(() => stats(wide)).toThrow(/x\[7777\] is Infinity/);
      expect(() => percentiles(wide, [50])).toThrow(/x\[7777\] is Infinity/);
      expect(() => outliersIQR(Array.from(wide))).toThrow(/x\[7777\] is Infinity/);
      expect(() => stats([1, 2], { ddof: 2 })).toThrow(/options\.ddof must be < count 2/);
      expect(() => stats([1, 2], { ddof: 0.5 })).toThrow(/options\.ddof must be an integer/);
      expect(() => stats('12' as never)).toThrow(TypeError);
      expect(() => percentiles([1, 2], [101])).toThrow(/ps\[0\] must be <= 100/);
      expect(() => percentiles([1, 2], [50, -1])).toThrow(/ps\[1\] must be >= 0/);
      expect(() => percentiles([], [50])).toThrow(/x must not be empty/);
      expect(() => movingAverage([1, 2, 3], 4)).toThrow(/window must be <= x length 3/);
      expect(() => movingAverage([1, 2, 3], 0)).toThrow(/window must be >= 1/);
      expect(() => movingAverage([1, NaN, 3, 4], 2)).toThrow(/x\[1\] is NaN/);
      expect(() => outliersIQR([1, 2], { k: -1 })).toThrow(/options\.k must be >= 0/);
      expect(() => outliersZScore([1, Infinity])).toThrow(/x\[1\] is Infinity/);
      expect(() => ngramFeatures(['a', 3 as never])).toThrow(/texts\[1\] must be a string/);
      expect(() => ngramFeatures('abc', { n: 0 })).toThrow(/options\.n must be >= 1/);
      expect(() => ngramFeatures('abc', { dims: 2 ** 25 })).toThrow(RangeError);
      expect(() => matmul(new Float32Array(4), new Float64Array(4) as never, 2, 2, 2)).toThrow(/b must be a Float32Array like a/);
      expect(() => matmul(new Float32Array(4), new Float32Array(4), 2, 3, 2)).toThrow(/a length 4 does not match m·k = 2·3/);
      expect(() => matmul(Float64Array.of(1, NaN), Float64Array.of(1, 1), 1, 2, 1)).toThrow(/a\[1\] is NaN/);
    });
  });
});

describe('outlier detection hand-worked', () => {
  it('Tukey fences and z-scores', () => {
    // Sorted: -10, 1..8, 20. Type 7: Q1 = x(2.25) = 2.25, Q3 = x(6.75) = 6.75, IQR 4.5; fences -4.5 and 13.5.
    expect(Array.from(outliersIQR([1, 2, 3, 4, 5, 6, 7, 8, 20, -10]))).toEqual([8, 9]);
    expect(Array.from(outliersIQR([1, 2, 3, 4, 5, 6, 7, 8, 13.5, -4.5]))).toEqual([]); // on the fence is not outside
    expect(Array.from(outliersZScore([5, 5, 5, 5]))).toEqual([]);
    expect(Array.from(outliersZScore([0, 0, 0, 0, 0, 0, 0, 0, 0, 10], { threshold: 2.9 }))).toEqual([9]);
  });
});
