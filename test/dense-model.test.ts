// DenseModel on every tier against the float64 reference (fixed vectors and
// generated models), bad input, predictAsync, modelBatcher, and the tfjs
// interop (loadTfjsModel vs TensorFlow.js' own predict) in
// dense-model-tfjs.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DenseModel, modelBatcher, type Activation, type DenseLayer } from '../ts/index.js';
import { ACTIVATION_CODE, fromHalf, toHalf, type ModelConfig } from '../ts/contract/model.js';
import { expectModelClose, referenceModel } from './support/model-reference.js';
import { TIERS } from './support/tiers.js';
import { rng } from './support/sketch-data.js';

const ACTS: Activation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'gelu', 'geluTanh'];

interface Spec {
  dims: number[];
  acts: Activation[];
  bias: boolean[];
  seed: number;
  f16: boolean;
}

/** The layers a spec describes, and the config the reference evaluates (weights rounded to halves for f16). */
function build(s: Spec): { layers: DenseLayer[]; cfg: ModelConfig } {
  const r = rng(s.seed);
  const layers: DenseLayer[] = [];
  const shapes = [];
  const ws: number[] = [];
  const bs: number[] = [];
  for (let l = 0; l < s.acts.length; l++) {
    const inDim = s.dims[l]!;
    const outDim = s.dims[l + 1]!;
    const scale = 1 / Math.sqrt(inDim);
    const w = new Float32Array(inDim * outDim).map(() => (r() * 2 - 1) * 2 * scale);
    const b = s.bias[l] ? new Float32Array(outDim).map(() => r() - 0.5) : null;
    layers.push(b ? { weights: w, bias: b, activation: s.acts[l] } : { weights: w, units: outDim, activation: s.acts[l] });
    shapes.push({ inDim, outDim, activation: ACTIVATION_CODE[s.acts[l]!] });
    for (const v of w) ws.push(v);
    for (let j = 0; j < outDim; j++) bs.push(b ? b[j]! : 0);
  }
  const weights = s.f16 ? Uint16Array.from(ws, toHalf) : Float32Array.from(ws);
  return { layers, cfg: { layers: shapes, weights, biases: Float32Array.from(bs) } };
}

function inputs(n: number, seed: number): Float32Array {
  const r = rng(seed ^ 0x9e3779b9);
  return new Float32Array(n).map(() => (r() * 2 - 1) * 3);
}

const spec = fc
  .record({
    depth: fc.integer({ min: 1, max: 3 }),
    dims: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 4, maxLength: 4 }),
    acts: fc.array(fc.constantFrom(...ACTS), { minLength: 3, maxLength: 3 }),
    bias: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    softmaxLast: fc.boolean(),
    seed: fc.integer(),
    f16: fc.boolean(),
    batch: fc.integer({ min: 0, max: 20 }),
  })
  .map((x) => {
    const acts = x.acts.slice(0, x.depth);
    if (x.softmaxLast) acts[acts.length - 1] = 'softmax';
    return { s: { dims: x.dims.slice(0, x.depth + 1), acts, bias: x.bias, seed: x.seed, f16: x.f16 } as Spec, batch: x.batch };
  });

describe.each(TIERS)('DenseModel on %s', (tier) => {
  it('fixed vectors: a 2 → 2 relu → 1 linear network', () => {
    // h = relu([1, 2] · [[1, -1], [2, 1]] + [0.5, -4]) = relu([5.5, -3]) = [5.5, 0]; y = 5.5 · 2 + 0 · 7 - 1 = 10
    const m = new DenseModel(
      [
        { weights: [1, -1, 2, 1], bias: [0.5, -4], activation: 'relu' },
        { weights: [2, 7], bias: [-1] },
      ],
      { backend: tier },
    );
    expect(m.backend).toBe(tier);
    expect([m.inputDim, m.outputDim, m.macsPerRow]).toEqual([2, 1, 6]);
    expect(Array.from(m.predict(new Float32Array([1, 2, 0, 0]), 2))).toEqual([10, -1 + 2 * 0.5]);
    expect(m.layers).toEqual([
      { inputDim: 2, outputDim: 2, activation: 'relu', bias: true },
      { inputDim: 2, outputDim: 1, activation: 'linear', bias: true },
    ]);
    m.dispose();
  });

  it('fixed vectors: every activation at known points', () => {
    const z = [-3, -0.5, 0, 0.5, 3];
    // One identity layer (1 → 5, weights z, input 1) per activation.
    const want: Record<Activation, (v: number) => number> = {
      linear: (v) => v,
      relu: (v) => Math.max(v, 0),
      sigmoid: (v) => 1 / (1 + Math.exp(-v)),
      tanh: Math.tanh,
      gelu: (v) => [-0.0040496965, -0.15426877, 0, 0.34573123, 2.9959503][z.indexOf(v)]!,
      geluTanh: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
      softmax: () => 0,
    };
    for (const act of ACTS) {
      const m = new DenseModel([{ weights: z, units: 5, activation: act }], { backend: tier });
      const got = m.predict([1]);
      z.forEach((v, j) => expect(Math.abs(got[j]! - want[act](v)), `${act}(${v})`).toBeLessThan(2e-6 * Math.max(1, Math.abs(v))));
    }
    const sm = new DenseModel([{ weights: [1, 2, 3], units: 3, activation: 'softmax' }], { backend: tier }).predict([1]);
    const e = [1, 2, 3].map((v) => Math.exp(v - 3));
    const sum = e[0]! + e[1]! + e[2]!;
    e.forEach((v, j) => expect(sm[j]!).toBeCloseTo(v / sum, 6));
    // Softmax subtracts the max: no overflow at large logits.
    expect(Array.from(new DenseModel([{ weights: [1000, 1000], units: 2, activation: 'softmax' }], { backend: tier }).predict([1]))).toEqual([0.5, 0.5]);
  });

  it('generated models match the float64 reference (f32 and f16)', () => {
    fc.assert(
      fc.property(spec, ({ s, batch }) => {
        const { layers, cfg } = build(s);
        const m = new DenseModel(layers, { backend: tier, precision: s.f16 ? 'f16' : 'f32' });
        const x = inputs(batch * s.dims[0]!, s.seed);
        expectModelClose(m.predict(x, batch), cfg, x, batch);
        m.dispose();
      }),
      { numRuns: 60 },
    );
  });

  it('a 256 → 512 → 512 → 1 MLP over batches that cross the blocks', () => {
    for (const f16 of [false, true]) {
      const s: Spec = { dims: [256, 512, 512, 1], acts: ['relu', 'relu', 'sigmoid'], bias: [true, true, true], seed: 7, f16 };
      const { layers, cfg } = build(s);
      const m = new DenseModel(layers, { backend: tier, precision: f16 ? 'f16' : 'f32' });
      for (const batch of [1, 33, 300]) {
        const x = inputs(batch * 256, batch);
        expectModelClose(m.predict(x, batch), cfg, x, batch);
      }
      m.dispose();
    }
  });

  it('dims that cross SIMD widths and tiles', () => {
    for (const dims of [[1, 1], [3, 17, 5], [17, 64, 130], [130, 3, 64], [64, 1, 1, 9]]) {
      const acts = dims.slice(1).map((_, i) => ACTS[i % ACTS.length]!);
      const s: Spec = { dims, acts, bias: [true, false, true], seed: dims.length * 31 + dims[0]!, f16: false };
      const { layers, cfg } = build(s);
      const m = new DenseModel(layers, { backend: tier });
      for (const batch of [1, 5, 70]) {
        const x = inputs(batch * dims[0]!, batch + dims[0]!);
        expectModelClose(m.predict(x, batch), cfg, x, batch);
      }
    }
  });

  it('inputs as arrays and Float64Array; batch inferred; batch 0', () => {
    const { layers, cfg } = build({ dims: [3, 4, 2], acts: ['tanh', 'linear'], bias: [true, true], seed: 3, f16: false });
    const m = new DenseModel(layers, { backend: tier });
    const x = [0.5, -1, 2, 1, 1, 1];
    const got = m.predict(x);
    expect(got.length).toBe(4);
    expectModelClose(got, cfg, Float32Array.from(x), 2);
    expect(Array.from(m.predict(Float64Array.from(x), 2))).toEqual(Array.from(got));
    expect(m.predict(new Float32Array(0), 0).length).toBe(0);
  });

  it('predictAsync equals predict and honours an abort signal', async () => {
    const { layers } = build({ dims: [20, 30, 4], acts: ['gelu', 'softmax'], bias: [true, true], seed: 11, f16: false });
    const m = new DenseModel(layers, { backend: tier });
    const x = inputs(20 * 50, 5);
    expect(Array.from(await m.predictAsync(x, 50))).toEqual(Array.from(m.predict(x, 50)));
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(m.predictAsync(x, 50, { signal: ac.signal })).rejects.toThrow('stop');
    await expect(m.predictAsync(x, 49)).rejects.toThrow(/hotpath\.DenseModel\.predictAsync: inputs/);
    const pending = m.predictAsync(x, 50);
    m.dispose(); // while a native task may be in flight: it still resolves
    expect((await pending).length).toBe(200);
    await expect(m.predictAsync(x, 50)).rejects.toThrow(/disposed/);
  });

  it('bad input names the layer and the index', () => {
    const b = { backend: tier };
    const err = (f: () => unknown, type: ErrorConstructor, re: RegExp): void => {
      expect(f).toThrow(type);
      expect(f).toThrow(re);
    };
    err(() => new DenseModel([{ weights: [1, 2, 3], bias: [0, 0] }], b), RangeError, /^hotpath\.DenseModel: layers\[0\]\.weights has 3 elements, not a multiple/);
    err(() => new DenseModel([{ weights: [1, 2], bias: [0] }, { weights: [1, 2, 3], bias: [0, 0] }], b), RangeError, /layers\[1\]\.weights has 3 elements; want inputDim × outputDim = 1 × 2/);
    err(() => new DenseModel([{ weights: [1, 2], units: 2, bias: [0] }], b), RangeError, /layers\[0\]\.bias has 1 elements; units is 2/);
    err(() => new DenseModel([{ weights: [1, NaN], bias: [0] }], b), TypeError, /layers\[0\]\.weights\[1\] must be finite; got NaN/);
    err(() => new DenseModel([{ weights: [1, 2], bias: [Infinity] }], b), TypeError, /layers\[0\]\.bias\[0\] must be finite/);
    err(() => new DenseModel([{ weights: [1e39], bias: [0] }], b), RangeError, /layers\[0\]\.weights\[0\] is 1e\+39, beyond float32/);
    err(() => new DenseModel([{ weights: [1, 70000], bias: [0] }], { ...b, precision: 'f16' }), RangeError, /layers\[0\]\.weights\[1\] is 70000, beyond float16's range/);
    err(() => new DenseModel([{ weights: [1, 2] }], b), TypeError, /layers\[0\]\.units is needed/);
    err(() => new DenseModel([{ weights: [1], bias: [0], activation: 'softmax' }, { weights: [1], bias: [0] }], b), RangeError, /layers\[0\]\.activation 'softmax' is allowed on the last layer only/);
    err(() => new DenseModel([{ weights: [1], bias: [0], activation: 'gelu_new' as Activation }], b), TypeError, /layers\[0\]\.activation must be one of .* \(did you mean 'geluTanh'\?\)/);
    err(() => new DenseModel([], b), RangeError, /layers must hold at least one layer/);
    err(() => new DenseModel([{ weights: [1], bias: [0] }], { ...b, precision: 'bf16' as 'f16' }), RangeError, /options\.precision/);
    err(() => new DenseModel([{ weights: [1], bias: [0] }], { dtype: 'f16' } as object), TypeError, /options has unknown option "dtype" \(did you mean "precision"\?\)/);
    const m = new DenseModel([{ weights: [1, 2, 3, 4], bias: [0, 0] }], b);
    err(() => m.predict(new Float32Array(3), 2), RangeError, /^hotpath\.DenseModel\.predict: inputs has 3 elements; want batch × inputDim = 2 × 2 = 4/);
    err(() => m.predict(new Float32Array(3)), RangeError, /inputs has 3 elements, not a multiple of inputDim 2/);
    err(() => m.predict(new Float32Array([1, 2, NaN, 4])), RangeError, /inputs\[2\] \(row 1, feature 0\) must be finite; got NaN/);
    err(() => m.predict([1, Infinity]), TypeError, /inputs\[1\] must be finite/);
    err(() => m.predict(new Float32Array(2), 1.5), TypeError, /batch must be an integer/);
    err(() => m.predict('ab' as unknown as number[]), TypeError, /inputs must be a Float32Array/);
    err(() => m.predict(new Float32Array([3e38, 3e38])), RangeError, /row 0 drove output 0 to Infinity \(float32 overflow/);
    m.dispose();
    m.dispose();
    err(() => m.predict(new Float32Array(2)), TypeError, /hotpath\.DenseModel\.predict: model is disposed/);
  });

  it('a SharedArrayBuffer input works (read in place)', () => {
    const { layers, cfg } = build({ dims: [8, 8, 3], acts: ['relu', 'linear'], bias: [true, true], seed: 21, f16: false });
    const m = new DenseModel(layers, { backend: tier });
    const x = new Float32Array(new SharedArrayBuffer(8 * 4 * 10));
    x.set(inputs(80, 2));
    expectModelClose(m.predict(x, 10), cfg, x, 10);
  });
});

describe('DenseModel f16', () => {
  it('halves round to nearest even and widen exactly', () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) continue;
      expect(toHalf(v)).toBe(h);
    }
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(toHalf(65520)).toBe(0x7c00); // rounds past 65504 → Infinity (refused by the API)
    expect(fromHalf(toHalf(2 ** -25))).toBe(0); // half the smallest subnormal: tie → 0
    expect(fromHalf(toHalf(3 * 2 ** -25))).toBe(2 ** -23);
  });

  it('error against f32 stays within the halves\' rounding of the weights', () => {
    const s: Spec = { dims: [256, 512, 512, 1], acts: ['relu', 'relu', 'sigmoid'], bias: [true, true, true], seed: 99, f16: false };
    const { layers, cfg } = build(s);
    const f32 = new DenseModel(layers);
    const f16 = new DenseModel(layers, { precision: 'f16' });
    const x = inputs(256 * 64, 1);
    const a = f32.predict(x, 64);
    const b = f16.predict(x, 64);
    const { scales } = referenceModel(cfg, x, 64);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scales[i]!);
    // Each weight moves by at most 2^-11 of itself, so each output by at most 2^-11 of its scale.
    expect(worst).toBeLessThan(2 ** -11);
  });
});

describe('modelBatcher', () => {
  it('coalesces submits into predict calls; a bad row fails alone', async () => {
    const { layers, cfg } = build({ dims: [6, 10, 2], acts: ['relu', 'softmax'], bias: [true, true], seed: 5, f16: false });
    const m = new DenseModel(layers);
    let calls = 0;
    const counted = { inputDim: m.inputDim, outputDim: m.outputDim, predict: (x: Float32Array, n: number) => (calls++, m.predict(x, n)) };
    const b = modelBatcher(counted, { maxBatch: 64, policy: { fixed: 64 } });
    const rows = Array.from({ length: 40 }, (_, i) => inputs(6, i));
    const bad = new Float32Array([1, 2, 3, NaN, 5, 6]);
    const results = await Promise.allSettled([...rows.map((r) => b.submit(r)), b.submit(bad), b.submit([1, 2, 3])]);
    rows.forEach((r, i) => {
      const got = results[i]!;
      expect(got.status).toBe('fulfilled');
      expectModelClose((got as PromiseFulfilledResult<Float32Array>).value, cfg, r, 1);
    });
    expect(results[40]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/inputs\[3\].*finite/) }) });
    expect(results[41]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/^hotpath\.modelBatcher\.submit: row must have the model's inputDim 6 elements; got 3 elements/) }) });
    // 42 submits in one tick: one batch of 42, then the bisection that isolates the two bad rows.
    expect(calls).toBeLessThan(20);
    await b.close();
    expect(() => modelBatcher({} as never)).toThrow(/hotpath\.modelBatcher: model must be a DenseModel/);
  });
});
