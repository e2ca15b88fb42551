import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosine, cosineBatch, dot, euclidean, euclideanBatch, topK } from '../ts/index.js';
import type { Metric } from '../ts/index.js';
import { jsKernels } from '../ts/tiers/js/index.js';
import { REL, absDot, expectClose, norm, randomF32 } from './support/numeric.js';
import { TIERS, onTier } from './support/tiers.js';

// ---- reference values, computed independently of any tier ----------------

function refDot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  // Pairwise summation of exact-in-f64 products: far more accurate than the
  // contract's tolerance, so tier error is what the tests measure.
  const p = Array.from({ length: a.length }, (_, i) => a[i] * b[i]);
  const sum = (lo: number, hi: number): number => (hi - lo <= 8 ? p.slice(lo, hi).reduce((s, x) => s + x, 0) : sum(lo, (lo + hi) >> 1) + sum((lo + hi) >> 1, hi));
  return sum(0, p.length);
}

function refCos(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = norm(a), nb = norm(b);
  if (na === 0 || nb === 0) return 0;
  return Math.max(-1, Math.min(1, refDot(a, b) / (na * nb)));
}

function refEuc(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = Array.from({ length: a.length }, (_, i) => a[i] - b[i]);
  return Math.sqrt(refDot(d, d));
}

const rel = (x: ArrayLike<number>) => (x instanceof Float32Array ? REL.f32 : REL.f64);

// ---- generators -----------------------------------------------------------

const LEN = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 }));
const VAL = fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });

/** A pair of equal-length vectors of one storage type, as views at an odd offset into a larger buffer. */
const vectorPair = fc
  .record({ n: LEN, off: fc.integer({ min: 0, max: 3 }), kind: fc.constantFrom('f32', 'f64', 'array') as fc.Arbitrary<'f32' | 'f64' | 'array'>, seed: fc.integer() })
  .chain(({ n, off, kind, seed }) =>
    fc.tuple(fc.array(VAL, { minLength: Math.min(n, 8), maxLength: Math.min(n, 8) }), fc.constant({ n, off, kind, seed })),
  )
  .map(([head, { n, off, kind, seed }]) => {
    // Bulk values come from a seeded generator (fast-check arrays of 5000 doubles are slow to shrink);
    // the first few are fast-check's, so edge values such as 0 and ±max still appear.
    const make = (s: number) => {
      const base = randomF32(n + off, s);
      for (let i = 0; i < head.length; i++) base[off + i] = head[i];
      const scaled = Float64Array.from(base, (x) => x * 100);
      if (kind === 'f32') return new Float32Array(scaled).subarray(off);
      if (kind === 'f64') return scaled.subarray(off);
      return Array.from(scaled.subarray(off));
    };
    return [make(seed), make(seed ^ 0x5bd1e995)] as const;
  });

// ---- fixed vectors (hand-worked) -------------------------------------------

describe.each(TIERS)('similarity on %s tier: fixed vectors', (tier) => {
  it('dot, cosine, euclidean of small vectors', () => {
    onTier(tier, () => {
      for (const T of [Float32Array, Float64Array, Array] as const) {
        const a = T.from([1, 2, 3]), b = T.from([4, 5, 6]);
        expect(dot(a, b)).toBe(32);
        expectClose(cosine(a, b), 32 / Math.sqrt(14 * 77), 1e-15, 1);
        expectClose(euclidean(a, b), Math.sqrt(27), 1e-15, 1);
      }
    });
  });

  it('edge cases: empty, zero norm, parallel and opposite vectors', () => {
    onTier(tier, () => {
      expect(dot([], [])).toBe(0);
      expect(cosine(new Float32Array(0), new Float32Array(0))).toBe(0);
      expect(euclidean([], [])).toBe(0);
      expect(cosine(new Float32Array(7), Float32Array.from([1, 2, 3, 4, 5, 6, 7]))).toBe(0);
      const v = randomF32(1536, 7);
      expect(cosine(v, v)).toBeLessThanOrEqual(1);
      expectClose(cosine(v, v), 1, 1e-6, 1);
      expectClose(cosine(v, v.map((x) => -x)), -1, 1e-6, 1);
      expect(euclidean(v, v)).toBe(0);
    });
  });

  it('cosineBatch and euclideanBatch of a 2-d example', () => {
    onTier(tier, () => {
      const q = Float32Array.from([1, 0, 0, 1]);
      const m = Float32Array.from([1, 0, 0, 1, 1, 1, 0, 0]);
      const s = Math.fround(Math.SQRT1_2);
      expect(Array.from(cosineBatch(q, m, 2))).toEqual([1, 0, s, 0, 0, 1, s, 0]);
      const r2 = Math.fround(Math.SQRT2);
      expect(Array.from(euclideanBatch(q, m, 2))).toEqual([0, r2, 1, 1, r2, 0, 1, 1]);
      expect(cosineBatch(q, new Float32Array(0), 2)).toEqual(new Float32Array(0));
    });
  });

  it('topK ranks best first with ties to the lower index', () => {
    onTier(tier, () => {
      const q = Float32Array.from([1, 0]);
      const m = Float32Array.from([0, 1, 1, 0, 1, 1, 1, 0, -1, 0]);
      const c = topK(q, m, 2, 3);
      expect(Array.from(c.indices)).toEqual([1, 3, 2]);
      expect(Array.from(c.scores)).toEqual([1, 1, Math.fround(Math.SQRT1_2)]);
      expect(Array.from(topK(q, m, 2, 3, { metric: 'dot' }).indices)).toEqual([1, 2, 3]);
      const e = topK(q, m, 2, 5, { metric: 'euclidean' });
      expect(Array.from(e.indices)).toEqual([1, 3, 2, 0, 4]);
      expect(Array.from(e.scores)).toEqual([0, 0, 1, Math.fround(Math.SQRT2), 2]);
      expect(topK(q, m, 2, 99).indices.length).toBe(5);
      expect(topK(q, m, 2, 0).indices.length).toBe(0);
      expect(topK([1, 0], m, 2, 1).indices[0]).toBe(1);
    });
  });
});

// ---- generated inputs against the reference -----------------------------

describe.each(TIERS)('similarity on %s tier: generated inputs', (tier) => {
  it('dot/cosine/euclidean match the float64 reference', () => {
    fc.assert(
      fc.property(vectorPair, ([a, b]) => {
        onTier(tier, () => {
          const r = rel(a);
          expectClose(dot(a, b), refDot(a, b), r, absDot(a, b), 'dot');
          const nn = norm(a) * norm(b);
          expectClose(cosine(a, b), refCos(a, b), r, nn > 0 ? absDot(a, b) / nn : 0, 'cosine');
          expectClose(euclidean(a, b), refEuc(a, b), r, refEuc(a, b), 'euclidean');
        });
      }),
      { numRuns: 60 },
    );
  });

  it('batch kernels match the reference row by row', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 60 }), fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 33, 100, 384, 385),
        fc.integer({ min: 0, max: 3 }), fc.integer(),
        (nq, n, dim, off, seed) => {
          const q = randomF32(nq * dim + off, seed).subarray(off);
          const m = randomF32(n * dim + off, seed + 1).subarray(off);
          const [cs, es] = onTier(tier, () => [cosineBatch(q, m, dim), euclideanBatch(q, m, dim)]);
          expect(cs.length).toBe(nq * n);
          for (let i = 0; i < nq; i++) {
            for (let r = 0; r < n; r++) {
              const qa = q.subarray(i * dim, (i + 1) * dim), ra = m.subarray(r * dim, (r + 1) * dim);
              const scale = absDot(qa, ra) / (norm(qa) * norm(ra) || 1);
              expectClose(cs[i * n + r], refCos(qa, ra), REL.f32, scale, `cos q${i} r${r}`);
              expectClose(es[i * n + r], refEuc(qa, ra), REL.f32, 0, `euc q${i} r${r}`);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('topK returns a valid best-first selection consistent with the batch scores', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }), fc.constantFrom(1, 3, 8, 17, 64), fc.integer({ min: 0, max: 40 }),
        fc.constantFrom('cosine', 'dot', 'euclidean') as fc.Arbitrary<Metric>, fc.integer(), fc.boolean(),
        (n, dim, k, metric, seed, dupes) => {
          const q = randomF32(dim, seed);
          const m = randomF32(n * dim, seed + 1);
          // Duplicate rows create exact ties, which must resolve to the lower index.
          if (dupes) for (let r = 1; r < n; r += 3) m.copyWithin(r * dim, (r - 1) * dim, r * dim);
          const got = onTier(tier, () => topK(q, m, dim, k, { metric }));
          const want = { indices: new Uint32Array(Math.min(k, n)), scores: new Float32Array(Math.min(k, n)) };
          jsKernels.topK(q, m, dim, metric, want.indices, want.scores);
          expect(got.indices.length).toBe(Math.min(k, n));
          const better = (x: number, y: number) => (metric === 'euclidean' ? x < y : x > y);
          for (let i = 0; i < got.indices.length; i++) {
            expectClose(got.scores[i], want.scores[i], REL.f32, metric === 'dot' ? absDot(q, m, 0, got.indices[i] * dim, dim) : 1, `score ${i}`);
            if (i > 0) {
              expect(better(got.scores[i], got.scores[i - 1])).toBe(false);
              if (got.scores[i] === got.scores[i - 1]) expect(got.indices[i]).toBeGreaterThan(got.indices[i - 1]);
            }
          }
          // Same set as the reference wherever the reference scores are not within rounding of each other.
          if (tier === 'js') expect(got.indices).toEqual(want.indices);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('large input: cosineBatch 2000x384 and topK agree with the js tier', () => {
    const dim = 384, n = 2000;
    const q = randomF32(2 * dim, 11), m = randomF32(n * dim, 12);
    const want = onTier('js', () => cosineBatch(q, m, dim));
    const got = onTier(tier, () => cosineBatch(q, m, dim));
    for (let i = 0; i < want.length; i++) expectClose(got[i], want[i], REL.f32, 1, `cos ${i}`);
    const t = onTier(tier, () => topK(q.subarray(0, dim), m, dim, 10));
    const tj = onTier('js', () => topK(q.subarray(0, dim), m, dim, 10));
    expect(Array.from(t.indices)).toEqual(Array.from(tj.indices));
  });
});

// ---- bad input --------------------------------------------------------------

describe.each(TIERS)('similarity on %s tier: bad input', (tier) => {
  it('rejects wrong types and lengths with the argument named', () => {
    onTier(tier, () => {
      expect(() => dot('abc' as never, [1])).toThrow(TypeError);
      expect(() => dot([1, 2], [1])).toThrow(/hotpath\.dot: b length 1 does not match a length 2/);
      expect(() => cosine([1, '2' as never], [1, 2])).toThrow(/a\[1\] must be a number/);
      expect(() => euclidean(new Int32Array(2) as never, [1, 2])).toThrow(/a must be a Float32Array/);
      const m = new Float32Array(10);
      expect(() => cosineBatch(new Float32Array(3), m, 3)).toThrow(/matrix length 10 is not a multiple of dim 3/);
      expect(() => cosineBatch(new Float32Array(4), new Float32Array(9), 3)).toThrow(/queries length 4/);
      expect(() => cosineBatch(new Float32Array(0), new Float32Array(9), 3)).toThrow(/queries must hold at least one/);
      expect(() => euclideanBatch(new Float32Array(3), new Float32Array(9), 0)).toThrow(RangeError);
      expect(() => euclideanBatch(new Float64Array(3) as never, new Float32Array(9), 3)).toThrow(/queries must be a Float32Array/);
      expect(() => euclideanBatch(new Float32Array(3), new Float32Array(9), '3' as never)).toThrow(TypeError);
      expect(() => topK(new Float32Array(3), new Float32Array(9), 3, -1)).toThrow(/k must be >= 0/);
      expect(() => topK(new Float32Array(3), new Float32Array(9), 3, 1.5)).toThrow(/k must be an integer/);
      expect(() => topK(new Float32Array(2), new Float32Array(9), 3, 1)).toThrow(/query length 2 does not match dim 3/);
      expect(() => topK(new Float32Array(3), new Float32Array(9), 3, 1, { metric: 'l1' as never })).toThrow(/options\.metric/);
      expect(() => topK(new Float32Array(3), new Float32Array(9), 3, 1, 5 as never)).toThrow(/options must be an object/);
    });
  });

  it('rejects non-finite elements, naming where they are', () => {
    onTier(tier, () => {
      const a = randomF32(100, 3), b = randomF32(100, 4);
      a[37] = NaN;
      expect(() => dot(a, b)).toThrow(/a\[37\] is NaN/);
      expect(() => cosine(b, a)).toThrow(/b\[37\] is NaN/);
      const zero = new Float64Array(100);
      const inf = new Float64Array(100);
      inf[5] = Infinity;
      expect(() => cosine(zero, inf)).toThrow(/b\[5\] is Infinity/);
      expect(() => euclidean(inf, zero)).toThrow(/a\[5\] is Infinity/);
      const dim = 16, m = randomF32(50 * dim, 5), q = randomF32(dim, 6);
      m[7 * dim + 3] = -Infinity;
      expect(() => cosineBatch(q, m, dim)).toThrow(RegExp(`matrix\\[${7 * dim + 3}\\] is -Infinity`));
      expect(() => euclideanBatch(q, m, dim)).toThrow(/matrix\[115\]/);
      expect(() => topK(q, m, dim, 3)).toThrow(/matrix\[115\]/);
      const q2 = q.slice();
      q2[2] = NaN;
      expect(() => topK(q2, randomF32(50 * dim, 5), dim, 3, { metric: 'dot' })).toThrow(/query\[2\] is NaN/);
    });
  });
});

describe('wasm build under test', () => {
  it.runIf(TIERS.includes('wasm'))('is the SIMD build, or the no-SIMD one when HOTPATH_WASM_PATH names it', async () => {
    const { backend } = await import('../ts/index.js');
    const nosimd = (process.env.HOTPATH_WASM_PATH ?? '').includes('nosimd');
    expect(backend().tiers.wasm.simd).toBe(nosimd ? 'none' : 'simd128');
    expect(backend().tiers.wasm.path).toMatch(nosimd ? /hotpath-nosimd\.wasm$/ : /hotpath\.wasm$/);
  });
});
