// DenseModel's WebGPU core (gpu-shaders/dense.wgsl, ts/tiers/webgpu/model.ts)
// against the float64 reference of test/support/model-reference.ts, on
// whatever adapter Dawn finds (SwiftShader in CI). No adapter fails the suite
// unless HOTPATH_EXPECT_ABSENT names webgpu: it is never skipped silently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, DenseModel, gpu, type Gpu } from '../ts/index.js';
import { ACTIVATION_CODE, toHalf, type Activation, type ModelConfig } from '../ts/contract/model.js';
import { GPU_ABSENT, openGpu } from './support/gpu.js';
import { expectModelClose } from './support/model-reference.js';
import { randomF32 } from './support/numeric.js';


let g: Gpu;
beforeAll(async () => {
  g = await openGpu();
});
afterAll(async () => {
  await g?.dispose();
});

/**
 * A random model over `dims` (dims[0] → … → dims[L]); weights scaled by
 * 2/sqrt(inDim) so pre-activations reach the activations' curved and
 * saturated parts without overflowing.
 */
function randomModel(dims: readonly number[], acts: readonly Activation[], half: boolean, seed: number): ModelConfig {
  const layers = acts.map((a, i) => ({ inDim: dims[i]!, outDim: dims[i + 1]!, activation: ACTIVATION_CODE[a] }));
  const nw = layers.reduce((s, l) => s + l.inDim * l.outDim, 0);
  const w = new Float32Array(nw);
  let at = 0;
  layers.forEach((l, i) => {
    const r = randomF32(l.inDim * l.outDim, seed * 31 + i + 1);
    const s = 2 / Math.sqrt(l.inDim);
    for (let j = 0; j < r.length; j++) w[at + j] = r[j]! * s;
    at += r.length;
  });
  const biases = randomF32(layers.reduce((s, l) => s + l.outDim, 0), seed * 31 + 97);
  return { layers, weights: half ? Uint16Array.from(w, toHalf) : w, biases };
}

function randomInputs(n: number, seed: number, scale = 1): Float32Array {
  const x = randomF32(n, seed);
  for (let i = 0; i < n; i++) x[i] = x[i]! * scale;
  return x;
}

async function check(ctx: Gpu, cfg: ModelConfig, batches: readonly number[], seed: number, scale = 1): Promise<void> {
  const m = await ctx.denseModel(cfg);
  try {
    expect(m.inputDim).toBe(cfg.layers[0]!.inDim);
    expect(m.outputDim).toBe(cfg.layers[cfg.layers.length - 1]!.outDim);
    for (const b of batches) {
      const x = randomInputs(b * m.inputDim, seed + b, scale);
      const got = await m.predict(x, b);
      expect(got.length).toBe(b * m.outputDim);
      expectModelClose(got, cfg, x, b);
    }
  } finally {
    m.dispose();
  }
}

const ACTS: Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'gelu', 'geluTanh'];
// Dims crossing the 64-wide tiles, the 16-deep k steps and the 256-wide
// matrix-vector groups; batches on both sides of the 16-row switch to tiles.
const CHAINS: number[][] = [
  [1, 3],
  [3, 17, 1],
  [17, 64, 130],
  [130, 130, 17, 64],
  [64, 1, 130],
];
const BATCHES = [1, 7, 300];

describe.runIf(!GPU_ABSENT)('webgpu DenseModel core against the f64 reference', () => {
  for (const half of [false, true]) {
    const p = half ? 'f16' : 'f32';
    for (const act of ACTS) {
      it(`${act} layers, ${p} weights`, async () => {
        for (const [i, dims] of CHAINS.entries()) {
          await check(g, randomModel(dims, dims.slice(1).map(() => act), half, i + 1), BATCHES, 100 * i);
        }
      });
    }
    it(`softmax last (after each activation), ${p} weights`, async () => {
      for (const [i, dims] of CHAINS.entries()) {
        const act = ACTS[i % ACTS.length]!;
        const acts = dims.slice(1).map((_, l) => (l === dims.length - 2 ? 'softmax' : act)) as Activation[];
        await check(g, randomModel(dims, acts, half, 7 + i), BATCHES, 10 * i);
      }
      // Rows wider than one 256-invocation workgroup.
      await check(g, randomModel([5, 300], ['softmax'], half, 3), [1, 20], 5);
    });
    it(`large inputs (saturated sigmoid, tanh, gelu; softmax far from 0), ${p} weights`, async () => {
      for (const act of [...ACTS, 'softmax'] as Activation[]) await check(g, randomModel([17, 33], [act], half, 11), [1, 40], 3, 30);
    });
  }

  it('batches between and across tiles (16, 63, 64, 65, 129) on a 3-layer MLP', async () => {
    await check(g, randomModel([130, 64, 17, 3], ['relu', 'gelu', 'sigmoid'], false, 21), [16, 63, 64, 65, 129], 1);
    await check(g, randomModel([130, 64, 17, 3], ['tanh', 'geluTanh', 'softmax'], true, 22), [15, 17, 129], 2);
  });

  it('exact on small integers, f32 and f16', async () => {
    const cfg = (half: boolean): ModelConfig => ({
      layers: [{ inDim: 2, outDim: 3, activation: ACTIVATION_CODE.linear }, { inDim: 3, outDim: 1, activation: ACTIVATION_CODE.relu }],
      weights: half ? Uint16Array.from([1, 2, 3, 4, 5, 6, 1, -1, 1], toHalf) : Float32Array.of(1, 2, 3, 4, 5, 6, 1, -1, 1),
      biases: Float32Array.of(0, 1, -1, 0.5),
    });
    for (const half of [false, true]) {
      const m = await g.denseModel(cfg(half));
      // Row (1, 2): z = (9, 13, 14) → 9 - 13 + 14 + 0.5 = 10.5; row (-3, 0): (-3, -5, -10) → -7.5 → relu 0.
      expect(Array.from(await m.predict(Float32Array.of(1, 2, -3, 0), 2))).toEqual([10.5, 0]);
      m.dispose();
    }
  });

  it('subnormal half weights are widened exactly', async () => {
    const tiny = [2 ** -24, -3 * 2 ** -24, 1023 * 2 ** -24];
    const cfg: ModelConfig = { layers: [{ inDim: 3, outDim: 1, activation: ACTIVATION_CODE.linear }], weights: Uint16Array.from(tiny, toHalf), biases: new Float32Array(1) };
    const m = await g.denseModel(cfg);
    expect(Array.from(await m.predict(Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1), 3))).toEqual(tiny);
    m.dispose();
  });

  it('an empty batch resolves with an empty array', async () => {
    const m = await g.denseModel(randomModel([3, 4], ['relu'], false, 1));
    expect(await m.predict(new Float32Array(0), 0)).toEqual(new Float32Array(0));
    m.dispose();
  });

  it('dispose: later predicts reject with an Error; idempotent', async () => {
    const cfg = randomModel([4, 8, 2], ['relu', 'softmax'], true, 5);
    const m = await g.denseModel(cfg);
    const x = randomInputs(12, 1);
    expectModelClose(await m.predict(x, 3), cfg, x, 3);
    expect(m.bytes).toBe(2 * (4 * 8 + 8 * 2) + 4 * (8 + 2));
    m.dispose();
    m.dispose();
    await expect(m.predict(x, 3)).rejects.toThrow(/hotpath\.gpu\.denseModel\.predict: the model was disposed/);
    // Disposed while a call is queued behind another: that call rejects too, the context stays usable.
    const m2 = await g.denseModel(cfg);
    const first = m2.predict(x, 3);
    const second = m2.predict(x, 3);
    m2.dispose();
    await Promise.allSettled([first]);
    await expect(second).rejects.toThrow(/disposed/);
    await check(g, cfg, [3], 9);
  });
});

describe.runIf(!GPU_ABSENT)('webgpu DenseModel core: chunking, limits, lifetime', () => {
  let small: Gpu;
  beforeAll(async () => {
    small = await gpu.init({ calibrate: false, maxChunkBytes: 4096 }); // 1024 f32 per binding
  });
  afterAll(async () => {
    await small?.dispose();
  });

  it('splits a batch into row blocks and submissions within the binding limit', async () => {
    // Widest row 30: 34 rows per block; 20 outputs: 51 rows per submission.
    for (const half of [false, true]) {
      await check(small, randomModel([17, 30, 20], ['tanh', 'sigmoid'], half, 4), [1, 33, 34, 35, 51, 52, 300], 8);
      await check(small, randomModel([17, 30, 20], ['gelu', 'softmax'], half, 5), [300], 9);
    }
  });

  it('refuses a layer or a row beyond a binding with a RangeError naming hotpath.gpu.denseModel', async () => {
    await expect(small.denseModel(randomModel([64, 130], ['relu'], false, 1))).rejects.toThrow(RangeError);
    await expect(small.denseModel(randomModel([64, 130], ['relu'], false, 1))).rejects.toThrow(/hotpath\.gpu\.denseModel: .*layer 0/);
    // f16 halves the words: 40 × 50 halves fit in 1024 words, as f32 they do not.
    await expect(small.denseModel(randomModel([40, 50], ['relu'], false, 1))).rejects.toThrow(RangeError);
    await check(small, randomModel([40, 50], ['relu'], true, 1), [3, 40], 2);
    await expect(small.denseModel(randomModel([2000, 1], ['relu'], true, 1))).rejects.toThrow(/a row of 2000 values/);
  });

  it('rejects after the context is disposed', async () => {
    const ctx = await gpu.init({ calibrate: false });
    const m = await ctx.denseModel(randomModel([3, 5], ['relu'], false, 1));
    await ctx.dispose();
    await expect(m.predict(randomInputs(3, 1), 1)).rejects.toThrow(/hotpath\.gpu\.denseModel\.predict: this GPU context was disposed/);
    m.dispose();
    await expect(ctx.denseModel(randomModel([3, 5], ['relu'], false, 1))).rejects.toThrow(/hotpath\.gpu\.denseModel: this GPU context was disposed/);
  });

  it('rejects after a device loss, and the model uploads again on the new device', async () => {
    const ctx = await gpu.init({ calibrate: false });
    try {
      const cfg = randomModel([3, 5], ['sigmoid'], false, 1);
      const m = await ctx.denseModel(cfg);
      ctx.deviceForTesting()!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      await expect(m.predict(randomInputs(3, 1), 1)).rejects.toThrow(/hotpath\.gpu\.denseModel\.predict: .*lost/);
      await check(ctx, cfg, [1, 20], 3);
    } finally {
      await ctx.dispose();
    }
  });
});

describe('DenseModel on the GPU through the public API', () => {
  const layers = [
    { weights: randomF32(20 * 33, 1), bias: randomF32(33, 2), activation: 'gelu' as const },
    { weights: randomF32(33 * 4, 3), bias: randomF32(4, 4), activation: 'softmax' as const },
  ];

  it('toGpu keeps the weights resident and predicts what the CPU tier does', async () => {
    const m = new DenseModel(layers);
    const onGpu = await m.toGpu(g);
    expect([onGpu.inputDim, onGpu.outputDim]).toEqual([20, 4]);
    const x = randomF32(20 * 70, 5);
    const want = m.predict(x, 70);
    const got = await onGpu.predict(x, 70);
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
    await expect(onGpu.predict(x, 69)).rejects.toThrow(/^hotpath\.DenseModel\.predict: inputs has 1400 elements; want batch × inputDim = 69 × 20/);
    onGpu.dispose();
    await expect(onGpu.predict(x, 70)).rejects.toThrow(/hotpath\.GpuModel\.predict: model is disposed/);
    await expect(m.toGpu({} as Gpu)).rejects.toThrow(/hotpath\.DenseModel\.toGpu: g must be a GPU context/);
  });

  it('predictAsync runs on the GPU at or above the matmul cutoff, else on the CPU', async () => {
    const g2 = await gpu.init({ calibrate: false, cutoffs: { matmul: 20 * 33 * 10 } });
    try {
      const m = new DenseModel(layers);
      const x = randomF32(20 * 64, 6);
      const want = m.predict(x, 64);
      const got = await m.predictAsync(x, 64);
      expect(backend().gpu.lastChoice).toMatchObject({ tier: 'webgpu' });
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
      await m.predictAsync(x.subarray(0, 20), 1);
      expect(backend().gpu.lastChoice?.tier).not.toBe('webgpu');
    } finally {
      await g2.dispose();
      g = await gpu.init({ calibrate: false });
    }
  });
});
