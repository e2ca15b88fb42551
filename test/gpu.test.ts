// The WebGPU tier against the js reference, on whatever adapter Dawn finds
// (SwiftShader in CI; see vitest.config.ts). No adapter fails the suite
// unless HOTPATH_EXPECT_ABSENT names webgpu: it is never skipped silently.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backend, cosineBatch, cosineBatchAsync, euclideanBatch, gpu, matmul, matmulAsync, riskScoreBatch, riskScoreBatchAsync, stats, statsAsync,
  temporalDecay, temporalDecayAsync, topK, topKAsync, euclideanBatchAsync, type Gpu, type Metric,
} from '../ts/index.js';
import { crossover } from '../ts/tiers/webgpu/cutoffs.js';
import { absDot, expectClose, norm, randomF32 } from './support/numeric.js';
import { GPU_ABSENT, openGpu } from './support/gpu.js';
import { onTier } from './support/tiers.js';
import { runChild } from './support/child.js';

const REL = 1e-5; // f32 on the GPU, relative to the result's natural scale
const js = <T>(f: () => T): T => onTier('js', f);

let g: Gpu;
beforeAll(async () => {
  g = await openGpu();
});
afterAll(async () => {
  await g?.dispose();
});

function checkBatch(got: Float32Array, q: Float32Array, m: Float32Array, dim: number, metric: 'cosine' | 'euclidean'): void {
  const want = js(() => (metric === 'cosine' ? cosineBatch(q, m, dim) : euclideanBatch(q, m, dim)));
  expect(got.length).toBe(want.length);
  const n = m.length / dim;
  for (let i = 0; i < want.length; i++) {
    const qi = Math.floor(i / n), r = i % n;
    const scale = metric === 'cosine' ? 1 : norm(q, qi * dim, dim) + norm(m, r * dim, dim);
    expectClose(got[i], want[i], REL, scale, `${metric}[${qi},${r}]`);
  }
}

function checkMatmul(got: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number): void {
  const want = js(() => matmul(a, b, m, k, n));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let scale = 0;
      for (let t = 0; t < k; t++) scale += Math.abs(a[i * k + t] * b[t * n + j]);
      expectClose(got[i * n + j], want[i * n + j], REL, scale, `C[${i},${j}]`);
    }
  }
}

function checkStats(got: ReturnType<typeof stats>, x: ArrayLike<number>, ddof = 0): void {
  const want = js(() => stats(x as Float64Array, { ddof }));
  let amax = 0;
  for (let i = 0; i < x.length; i++) amax = Math.max(amax, Math.abs(x[i]));
  expect(got.count).toBe(want.count);
  expectClose(got.mean, want.mean, REL, amax, 'mean');
  expectClose(got.sum, want.sum, REL, amax * x.length, 'sum');
  // Popoviciu: variance <= range²/4, the scale its rounding error is bounded against.
  // Squares below f32's smallest normal vanish on the GPU: variances under 2^-126 are not resolved (documented).
  const range2 = Math.max((want.max - want.min) ** 2 / 4, 2 ** -126 / REL);
  expectClose(got.variance, want.variance, REL, range2, 'variance');
  expectClose(got.min, want.min, REL, amax, 'min');
  expectClose(got.max, want.max, REL, amax, 'max');
  expect(got.median).toBe(want.median);
}

describe.runIf(!GPU_ABSENT)('webgpu tier: adapter', () => {
  it('reports the adapter and its limits', () => {
    expect(g.available).toBe(true);
    expect(g.reason).toBeNull();
    const info = g.adapterInfo!;
    expect(typeof info.vendor).toBe('string');
    expect(typeof info.description).toBe('string');
    expect(typeof info.isFallbackAdapter).toBe('boolean');
    expect(info.via).toBe('webgpu package');
    expect(g.limits!.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    const b = backend().gpu;
    expect(b.available).toBe(true);
    expect(b.adapter).toEqual(info);
  });
});

describe.runIf(!GPU_ABSENT)('webgpu tier: kernels against the js reference', () => {
  it('cosineBatch and euclideanBatch on fixed vectors, including zero rows', async () => {
    const dim = 3;
    const q = Float32Array.of(1, 0, 0, 0, 0, 0, 1, 2, 3);
    const m = Float32Array.of(1, 0, 0, 0, 1, 0, -1, 0, 0, 0, 0, 0, 2, 4, 6);
    const c = await g.cosineBatch(q, m, dim);
    expect(Array.from(c.subarray(0, 5))).toEqual([1, 0, -1, 0, expect.closeTo(1 / Math.sqrt(14), 6)]);
    expect(Array.from(c.subarray(5, 10))).toEqual([0, 0, 0, 0, 0]); // a zero query: 0, as on the CPU
    expect(c[14]).toBeCloseTo(1, 6);
    checkBatch(c, q, m, dim, 'cosine');
    const e = await g.euclideanBatch(q, m, dim);
    expect(e[0]).toBe(0);
    expect(e[2]).toBe(2);
    checkBatch(e, q, m, dim, 'euclidean');
  });

  it('cosineBatch / euclideanBatch agree on generated shapes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 300 }), fc.constantFrom(1, 3, 4, 16, 33, 384), fc.integer(), fc.boolean(), async (nq, n, dim, seed, cos) => {
        const q = randomF32(nq * dim, seed), m = randomF32(n * dim, seed + 1);
        const metric = cos ? 'cosine' : 'euclidean';
        checkBatch(await (cos ? g.cosineBatch(q, m, dim) : g.euclideanBatch(q, m, dim)), q, m, dim, metric);
      }),
      { numRuns: 40 },
    );
  });

  it('topK scores on the GPU and selects like the CPU', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 500 }), fc.constantFrom(1, 8, 64), fc.integer({ min: 0, max: 20 }), fc.constantFrom<Metric>('cosine', 'dot', 'euclidean'), fc.integer(), async (n, dim, k, metric, seed) => {
        const q = randomF32(dim, seed), m = randomF32(n * dim, seed + 7);
        const got = await g.topK(q, m, dim, k, { metric });
        const want = js(() => topK(q, m, dim, k, { metric }));
        expect(got.indices.length).toBe(want.indices.length);
        const all = js(() => (metric === 'euclidean' ? euclideanBatch(q, m, dim) : metric === 'cosine' ? cosineBatch(q, m, dim) : null));
        for (let i = 0; i < want.scores.length; i++) {
          const scale = metric === 'cosine' ? 1 : metric === 'dot' ? absDot(q, m, 0, want.indices[i] * dim, dim) + 1 : norm(q) + norm(m, want.indices[i] * dim, dim);
          // Near-ties may swap; the rank-i score and the score of the row returned must both agree.
          expectClose(got.scores[i], want.scores[i], REL, scale, `score ${i}`);
          if (all) expectClose(got.scores[i], all[got.indices[i]], REL, scale, `row ${got.indices[i]}`);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('matmul on fixed and generated shapes (tile edges, k not a multiple of 16)', async () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6), b = Float32Array.of(7, 8, 9, 10, 11, 12);
    expect(Array.from(await g.matmul(a, b, 2, 3, 2))).toEqual([58, 64, 139, 154]);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 130 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 130 }), fc.integer(), async (m, k, n, seed) => {
        const x = randomF32(m * k, seed), y = randomF32(k * n, seed + 3);
        checkMatmul(await g.matmul(x, y, m, k, n), x, y, m, k, n);
      }),
      { numRuns: 25 },
    );
    expect(await g.matmul(new Float32Array(0), new Float32Array(0), 0, 0, 5)).toEqual(new Float32Array(0));
    expect(await g.matmul(new Float32Array(0), new Float32Array(0), 2, 0, 2)).toEqual(new Float32Array(4));
  });

  it('riskScoreBatch and temporalDecay on fixed and generated inputs', async () => {
    const s = Float64Array.of(5, 2.5, 10, -1, 0), c = Float64Array.of(1, 0.5, 0.2, 1, 1), off = Uint32Array.of(0, 2, 2, 5);
    const r = await g.riskScoreBatch(s, c, off);
    const want = js(() => riskScoreBatch(s, c, off));
    expect(r.length).toBe(3);
    expect(r[1]).toBe(0);
    for (let i = 0; i < 3; i++) expectClose(r[i], want[i], REL, 1, `risk ${i}`);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 200 }), fc.double({ min: 0.1, max: 20, noNaN: true }), fc.integer(), async (sizes, max, seed) => {
        const total = sizes.reduce((a, b) => a + b, 0);
        const sv = Float64Array.from(randomF32(total, seed), (v) => (v + 1) * 6), cv = Float64Array.from(randomF32(total, seed + 1), (v) => v * 1.2);
        const offsets = new Uint32Array(sizes.length + 1);
        sizes.forEach((n, i) => (offsets[i + 1] = offsets[i] + n));
        const got = await g.riskScoreBatch(sv, cv, offsets, { maxSeverity: max });
        const ref = js(() => riskScoreBatch(sv, cv, offsets, { maxSeverity: max }));
        for (let i = 0; i < ref.length; i++) expectClose(got[i], ref[i], REL, 1, `entity ${i}`);
        const ages = Float64Array.from(randomF32(total, seed + 2), (v) => (v + 1) * 500);
        const d = await g.temporalDecay(sv, ages, max);
        const dref = js(() => temporalDecay(sv, ages, max));
        // Relative to the value; 2^-t below f32's smallest normal flushes to 0 on a GPU, and |score|·2^-126 < 2^-120.
        for (let i = 0; i < dref.length; i++) expectClose(d[i], dref[i], REL, 2 ** -120 / REL, `decay ${i}`);
      }),
      { numRuns: 30 },
    );
  });

  it('stats: parallel moments agree, including a large common offset and float32 input', async () => {
    const x = Float64Array.from(randomF32(100_003, 5), (v) => 1e6 + v);
    checkStats(await g.stats(x), x);
    checkStats(await g.stats(x, { ddof: 1 }), x, 1);
    const f = randomF32(70_001, 6);
    const got = await g.stats(f);
    checkStats(got, f);
    // float32 input: min and max are exact elements
    expect(got.min).toBe(js(() => stats(f)).min);
    expect(await g.stats([3])).toEqual({ count: 1, sum: 3, mean: 3, variance: 0, std: 0, min: 3, max: 3, median: 3 });
    await fc.assert(
      // Magnitudes f32 holds: below 1.2e-38 a value may flush to 0 on the GPU (documented).
      fc.asyncProperty(fc.array(fc.oneof(fc.constant(0), fc.double({ min: 1e-30, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: -1e-30, noNaN: true })), { minLength: 1, maxLength: 3000 }), async (arr) => {
        checkStats(await g.stats(arr), arr);
      }),
      { numRuns: 30 },
    );
  });
});

describe.runIf(!GPU_ABSENT)('webgpu tier: chunking, residency, reuse', () => {
  let small: Gpu;
  beforeAll(async () => {
    small = await gpu.init({ calibrate: false, maxChunkBytes: 4096 }); // 1024 floats per binding
  });
  afterAll(() => small.dispose());

  it('splits inputs larger than one binding and gets the same answers', async () => {
    const dim = 48, q = randomF32(3 * dim, 1), m = randomF32(500 * dim, 2);
    checkBatch(await small.cosineBatch(q, m, dim), q, m, dim, 'cosine');
    const a = randomF32(90 * 40, 3), b = randomF32(40 * 70, 4); // B (2800 floats) is split into column blocks
    checkMatmul(await small.matmul(a, b, 90, 40, 70), a, b, 90, 40, 70);
    const s = Float64Array.from(randomF32(5000, 5), (v) => v + 1), c = Float64Array.from(randomF32(5000, 6), (v) => v + 1);
    const off = Uint32Array.from({ length: 501 }, (_, i) => i * 10);
    const r = await small.riskScoreBatch(s, c, off), rw = js(() => riskScoreBatch(s, c, off));
    for (let i = 0; i < rw.length; i++) expectClose(r[i], rw[i], REL, 1, `risk ${i}`);
    const ages = Float64Array.from(randomF32(5000, 7), (v) => (v + 1) * 10);
    const d = await small.temporalDecay(s, ages, 3), dw = js(() => temporalDecay(s, ages, 3));
    for (let i = 0; i < dw.length; i++) expectClose(d[i], dw[i], REL, 0, `decay ${i}`);
    const x = Float64Array.from(randomF32(9000, 8));
    checkStats(await small.stats(x), x);
    // One entity with more signals than a binding holds is refused by name, not truncated.
    await expect(small.riskScoreBatch(new Float64Array(2000), new Float64Array(2000), Uint32Array.of(0, 2000))).rejects.toThrow(/entity 0 has 2000 signals/);
  });

  it('keeps an uploaded matrix resident for many queries; destroy() ends it', async () => {
    const dim = 16, m = randomF32(1000 * dim, 9);
    const gm = await small.upload(m, dim);
    expect(gm.rows).toBe(1000);
    expect(gm.bytes).toBe(m.byteLength);
    for (let seed = 0; seed < 3; seed++) {
      const q = randomF32(2 * dim, seed);
      checkBatch(await small.cosineBatch(q, gm), q, m, dim, 'cosine');
      checkBatch(await small.euclideanBatch(q, gm, dim), q, m, dim, 'euclidean');
    }
    const top = await small.topK(randomF32(dim, 4), gm, 5);
    expect(Array.from(top.indices)).toEqual(Array.from(js(() => topK(randomF32(dim, 4), m, dim, 5)).indices));
    await expect(small.cosineBatch(randomF32(dim, 1), gm, 8)).rejects.toThrow(RangeError);
    await expect(g.cosineBatch(randomF32(dim, 1), gm)).rejects.toThrow(/another GPU context/);
    gm.destroy();
    gm.destroy();
    await expect(small.cosineBatch(randomF32(dim, 1), gm)).rejects.toThrow(/matrix was destroyed/);
  });

  it('reuses buffers when a call shape repeats', async () => {
    const dev = small.deviceForTesting()!;
    const create = dev.createBuffer.bind(dev);
    let made = 0;
    dev.createBuffer = (d: GPUBufferDescriptor) => (made++, create(d));
    try {
      const q = randomF32(32, 1), m = randomF32(32 * 20, 2);
      await small.cosineBatch(q, m, 32);
      const first = made;
      await small.cosineBatch(q, m, 32);
      await small.cosineBatch(randomF32(32, 3), randomF32(32 * 20, 4), 32);
      expect(first).toBeGreaterThan(0);
      expect(made).toBe(first);
    } finally {
      dev.createBuffer = create;
    }
  });
});

describe.runIf(!GPU_ABSENT)('webgpu tier: bad input, errors, loss', () => {
  it('rejects bad arguments with the CPU kernels\' TypeError / RangeError, naming the argument', async () => {
    await expect(g.cosineBatch([1, 2] as never, new Float32Array(2), 2)).rejects.toThrow(new TypeError('hotpath.gpu.cosineBatch: queries must be a Float32Array; got Array(2)'));
    await expect(g.cosineBatch(new Float32Array(3), new Float32Array(4), 2)).rejects.toThrow(/hotpath\.gpu\.cosineBatch: queries length 3 is not a multiple of dim 2/);
    await expect(g.cosineBatch(Float32Array.of(1, NaN), new Float32Array(2), 2)).rejects.toThrow(new RangeError('hotpath.gpu.cosineBatch: queries[1] is NaN; inputs must be finite'));
    await expect(g.euclideanBatch(new Float32Array(2), Float32Array.of(0, 0, Infinity, 0), 2)).rejects.toThrow(/matrix\[2\] is Infinity/);
    await expect(g.topK(new Float32Array(2), new Float32Array(4), 2, -1)).rejects.toThrow(/hotpath\.gpu\.topK: k must be >= 0/);
    await expect(g.topK(new Float32Array(2), new Float32Array(4), 2, 1, { metric: 'manhattan' as Metric })).rejects.toThrow(RangeError);
    await expect(g.matmul(new Float64Array(1) as never, new Float64Array(1) as never, 1, 1, 1)).rejects.toThrow(/a must be a Float32Array: WGSL has no f64/);
    await expect(g.matmul(new Float32Array(2), new Float32Array(2), 1, 2, 2)).rejects.toThrow(/b length 2 does not match k·n/);
    await expect(g.riskScoreBatch([1], [1], Uint32Array.of(0, 2))).rejects.toThrow(/offsets\[1\] must equal the signal count 1/);
    await expect(g.riskScoreBatch([NaN], [1], Uint32Array.of(0, 1))).rejects.toThrow(/severities\[0\] is NaN/);
    await expect(g.temporalDecay([1], [-1], 2)).rejects.toThrow(new RangeError('hotpath.gpu.temporalDecay: ages[0] is -1; ages must be >= 0'));
    await expect(g.temporalDecay([1], [1], 0)).rejects.toThrow(/halfLife must be > 0/);
    await expect(g.stats([])).rejects.toThrow(/x must not be empty/);
    await expect(g.stats([0, 1e39])).rejects.toThrow(new RangeError('hotpath.gpu.stats: x[1] is 1e+39, beyond the float32 range the GPU computes in; use the CPU stats'));
    await expect(g.temporalDecay([-1e300], [1], 1)).rejects.toThrow(/scores\[0\] is -1e\+300, beyond the float32 range/);
    await expect(g.upload(new Float32Array(5), 2)).rejects.toThrow(/matrix length 5 is not a multiple of dim 2/);
    await expect(gpu.init({ powerPreference: 'fast' as never })).rejects.toThrow(RangeError);
    await expect(gpu.init({ cutoffs: { nope: 1 } as never })).rejects.toThrow(/options.cutoffs.nope is not a GPU kernel/);
    await expect(gpu.init({ adapter: {} })).rejects.toThrow(TypeError);
    await expect(g.calibrate(['dot' as never])).rejects.toThrow(RangeError);
  });

  it('a shader that fails to compile, or a validation error, rejects that call only', async () => {
    await expect(g.runShaderForTesting('fn main( {')).rejects.toThrow(/failed to compile/);
    // Valid WGSL whose binding is a uniform, bound to a storage buffer: caught by the error scopes.
    const wrongBinding = '@group(0) @binding(0) var<uniform> u: vec4f;\n@compute @workgroup_size(1) fn main() { _ = u; }';
    await expect(g.runShaderForTesting(wrongBinding)).rejects.toThrow(/WebGPU reported validation error/);
    const q = randomF32(8, 1), m = randomF32(80, 2);
    checkBatch(await g.cosineBatch(q, m, 8), q, m, 8, 'cosine');
  });

  it('device loss rejects the call in flight clearly; the next call opens a new device', async () => {
    const lossy = await gpu.init({ calibrate: false });
    const m = randomF32(64 * 100, 3), gm = await lossy.upload(m, 64);
    const inFlight = lossy.cosineBatch(randomF32(64, 1), m, 64);
    await new Promise((r) => setTimeout(r, 0));
    lossy.deviceForTesting()!.destroy();
    await expect(inFlight).rejects.toThrow(/GPU device was lost.*next call opens a new device/);
    const q = randomF32(64, 2);
    checkBatch(await lossy.cosineBatch(q, m, 64), q, m, 64, 'cosine');
    await expect(lossy.cosineBatch(q, gm)).rejects.toThrow(/uploaded to a GPU device that has since been lost; upload it again/);
    await lossy.dispose();
    await expect(lossy.stats([1])).rejects.toThrow(/this GPU context was disposed/);
  });
});

describe.runIf(!GPU_ABSENT)('async helpers and cutoffs', () => {
  it('run on the GPU above the cutoff, on the CPU below it, and report the choice', async () => {
    const h = await gpu.init({ calibrate: false, cutoffs: { cosineBatch: 1000, matmul: 0, stats: 0, riskScoreBatch: 0, temporalDecay: 0, topK: 0, euclideanBatch: 0 } });
    try {
      expect(h.cutoffs.cosineBatch).toEqual({ work: 1000, source: 'given' });
      const q = randomF32(16, 1), m = randomF32(16 * 100, 2);
      checkBatch(await cosineBatchAsync(q, m, 16), q, m, 16, 'cosine');
      expect(backend().gpu.lastChoice).toMatchObject({ kernel: 'cosineBatch', work: 1600, tier: 'webgpu' });
      await cosineBatchAsync(q, m.subarray(0, 16 * 10), 16);
      expect(backend().gpu.lastChoice).toMatchObject({ work: 160, tier: backend().dispatch.cosineBatch.length ? expect.any(String) : 'js', why: 'work 160 below the cutoff 1000' });
      expect(backend().gpu.lastChoice!.tier).not.toBe('webgpu');
      checkBatch(await euclideanBatchAsync(q, m, 16), q, m, 16, 'euclidean');
      expect((await topKAsync(q, m, 16, 3)).indices).toEqual(js(() => topK(q, m, 16, 3)).indices);
      const a = randomF32(12, 3), b = randomF32(12, 4);
      checkMatmul(await matmulAsync(a, b, 3, 4, 3), a, b, 3, 4, 3);
      expect(backend().gpu.lastChoice!.tier).toBe('webgpu');
      const a64 = Float64Array.from(a), b64 = Float64Array.from(b);
      expect(await matmulAsync(a64, b64, 3, 4, 3)).toEqual(matmul(a64, b64, 3, 4, 3));
      expect(backend().gpu.lastChoice).toMatchObject({ tier: expect.not.stringMatching('webgpu'), why: 'Float64Array input (WGSL has no f64)' });
      checkStats(await statsAsync([1, 2, 3, 4]), [1, 2, 3, 4]);
      const r = await riskScoreBatchAsync([5], [1], Uint32Array.of(0, 1));
      expect(r[0]).toBeCloseTo(1, 6);
      expect((await temporalDecayAsync([8], [2], 1))[0]).toBeCloseTo(2, 5);
      await expect(cosineBatchAsync(q, m, 0)).rejects.toThrow(/hotpath\.cosineBatchAsync: dim must be >= 1/);
      // A GPU failure mid-call: the helper answers from the CPU and says why.
      const pending = cosineBatchAsync(q, m, 16);
      h.deviceForTesting()!.destroy();
      checkBatch(await pending, q, m, 16, 'cosine');
      expect(backend().gpu.lastChoice!.why).toMatch(/GPU call failed, ran on the CPU: .*device was lost/);
    } finally {
      await h.dispose();
    }
    expect(backend().gpu.available).toBe(false);
    await cosineBatchAsync(randomF32(4, 1), randomF32(400, 2), 4);
    expect(backend().gpu.lastChoice).toMatchObject({ tier: expect.not.stringMatching('webgpu'), why: 'no GPU context (gpu.init())' });
  });

  it('calibrate() measures a cutoff per kernel on this device', async () => {
    const h = await gpu.init({ calibrate: false });
    try {
      const r = await h.calibrate(['temporalDecay', 'cosineBatch']);
      for (const k of ['temporalDecay', 'cosineBatch'] as const) {
        expect(r[k].cpuMs.every((t) => t > 0) && r[k].gpuMs.every((t) => t > 0)).toBe(true);
        expect(r[k].work).toBeGreaterThanOrEqual(0);
        expect(h.cutoffs[k]).toEqual({ work: r[k].work, source: 'measured' });
      }
      expect(h.cutoffs.matmul.source).toBe('none');
    } finally {
      await h.dispose();
    }
  });

  it('the crossover of the two-point model', () => {
    expect(crossover(100, 1000, 1, 10, 5, 6)).toBe(Math.ceil(100 + (4 / (9 / 900 - 1 / 900))));
    expect(crossover(100, 1000, 1, 10, 0.5, 6)).toBe(100); // already faster at the small size
    expect(crossover(100, 1000, 1, 10, 5, 20)).toBe(Infinity); // steeper: never
    expect(crossover(100, 1000, 1, 2, 50, 50.5)).toBe(Infinity); // crossing far beyond what was measured
  });
});

describe('webgpu tier: lifetime in a fresh process', () => {
  it.runIf(!GPU_ABSENT)('survives heavy allocation and forced GC mid-use, then exits on its own after dispose()', () => {
    const out = runChild(`
      const g = await hp.gpu.init({ calibrate: false });
      if (!g.available) return { error: g.reason };
      const dim = 32, q = new Float32Array(dim).fill(1), m = new Float32Array(dim * 2000).map((_, i) => (i % 7) - 3);
      const want = hp.cosineBatch(q, m, dim);
      let bad = 0, junk = [];
      for (let i = 0; i < 40; i++) {
        for (let j = 0; j < 200; j++) junk.push(new Float64Array(1000 + j));
        if (i % 4 === 0) { junk = []; globalThis.gc(); }
        const got = await g.cosineBatch(q, m, dim);
        for (let r = 0; r < want.length; r++) if (Math.abs(got[r] - want[r]) > 1e-5) bad++;
      }
      await g.dispose();
      globalThis.gc();
      return { bad };
    `, { NODE_OPTIONS: '--expose-gc' });
    expect(out).toEqual({ bad: 0 });
  });

  // VK_ICD_FILENAMES hides every Vulkan driver only where Dawn uses Vulkan.
  it.runIf(process.platform === 'linux')('without an adapter, init() resolves unavailable with the reason and the process exits', () => {
    const out = runChild(`
      const g = await hp.gpu.init();
      let rejected = null;
      try { await g.cosineBatch(new Float32Array(2), new Float32Array(2), 2); } catch (e) { rejected = e.message; }
      const r = await hp.cosineBatchAsync(Float32Array.of(1, 0), Float32Array.of(1, 0), 2);
      return { available: g.available, reason: g.reason, info: g.adapterInfo, rejected, r: Array.from(r), gpu: hp.backend().gpu.available };
    `, { VK_ICD_FILENAMES: '/nonexistent/icd.json' });
    expect(out.available).toBe(false);
    // Where Dawn cannot load at all (musl), the reason says that instead.
    const why = GPU_ABSENT ? /no WebGPU adapter.*VK_ICD_FILENAMES|'webgpu' package did not load/ : /no WebGPU adapter.*VK_ICD_FILENAMES/;
    expect(out.reason).toMatch(why);
    expect(out.info).toBeNull();
    expect(out.rejected).toMatch(/hotpath\.gpu\.cosineBatch: no GPU: /);
    expect(out.r).toEqual([1]);
    expect(out.gpu).toBe(false);
  });
});
