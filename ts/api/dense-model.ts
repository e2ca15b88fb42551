// DenseModel: batch inference of a stack of dense layers (GEMM + bias +
// activation each) on one tier, its parameters resident in that tier's
// memory (ts/contract/model.ts is the contract every tier implements).
// The API validates once at construction (shapes chain, every parameter
// finite, halves in range) and per call only what the call brings (inputs'
// length and values); the output is scanned for float32 overflow.
import { ACTIVATION_CODE, layerOffsets, toHalf, type Activation, type ModelConfig, type ModelCore, type ModelLayerShape } from '../contract/model.js';
import { realView } from '../contract/checks.js';
import { coreRegistry } from '../contract/disposal.js';
import { allocate, batchLength, checkKnownKeys, checkOptions, describe, quoted, rangeError, typeError } from '../contract/errors.js';
import type { BackendChoice, TierName } from '../contract/types.js';
import { structureTier } from '../dispatch/dispatch.js';
import { activeGpu, recordChoice } from '../tiers/webgpu/active.js';
import type { GpuContext } from '../tiers/webgpu/context.js';
import type { GpuDenseModel } from '../tiers/webgpu/model.js';
import { abortable, checkSignal, INLINE_WORK, offThreadRunner, RunInline } from './offthread.js';

export type { Activation } from '../contract/model.js';

/** One dense layer as {@link DenseModel} takes it. */
export interface DenseLayer {
  /** inputDim × outputDim weights, row-major (Keras' and TensorFlow.js' kernel layout: `weights[k * outputDim + j]` is input k's weight into output j). */
  weights: Float32Array | Float64Array | readonly number[];
  /** outputDim biases; omitted or null for none. */
  bias?: Float32Array | Float64Array | readonly number[] | null;
  /** Default `'linear'`. `'gelu'` is the exact (erf) form, `'geluTanh'` the tanh approximation; `'softmax'` only on the last layer. */
  activation?: Activation;
  /** Output width (Keras' `units`); needed only when the layer has no bias. */
  units?: number;
}

/** Options of {@link DenseModel}. */
export interface DenseModelOptions {
  /**
   * `'f32'` (default), or `'f16'`: weights stored as IEEE half floats (half
   * the memory and bandwidth; biases stay f32), widened exactly and computed
   * in f32. Rounding each weight to a half moves it by up to 2^-11 of itself,
   * about 5e-4 relative (see the README for measured output errors).
   */
  precision?: 'f32' | 'f16';
  /** Tier the parameters live and run on: 'auto' (native, else wasm, else js) or one of them. */
  backend?: BackendChoice;
}

/** Options of {@link DenseModel.predictAsync}. */
export interface PredictAsyncOptions {
  /**
   * Rejects with its reason at once, whether already aborted or aborted in
   * flight. A worker running the batch (wasm and js models) is terminated
   * and replaced; the native pool's task and a GPU pass finish and their
   * result is dropped.
   */
  signal?: AbortSignal;
}

/** Ids of models whose parameters a worker may hold (wasm and js models). */
let nextModelId = 1;
/** Frees the workers' copies of a model collected without dispose(). */
const workerCopies = new FinalizationRegistry<number>((id) => offThreadRunner()?.freeModel(id));

/** What {@link DenseModel.layers} describes per layer. */
export interface DenseLayerInfo {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly activation: Activation;
  readonly bias: boolean;
}

const PREFERENCE: readonly TierName[] = ['native', 'wasm', 'js'];
const NAMES = Object.keys(ACTIVATION_CODE) as Activation[];
/** Other libraries' names for an activation this API spells differently. */
const ACTIVATION_HINTS: Readonly<Record<string, string>> = { gelu_new: 'geluTanh', gelu_tanh: 'geluTanh', identity: 'linear', none: 'linear' };

function floats(fn: string, arg: string, x: unknown): Float32Array | Float64Array | readonly number[] {
  if (x instanceof Float32Array || x instanceof Float64Array) return realView(fn, arg, x);
  if (Array.isArray(x)) return x;
  return typeError(fn, arg, `must be a Float32Array, Float64Array or array of numbers; got ${describe(x)}`);
}

/** A private Float32Array copy of `x`, every element a finite number. */
function finiteCopy(fn: string, arg: string, x: Float32Array | Float64Array | readonly number[]): Float32Array {
  const n = batchLength(fn, arg, x);
  const out = allocate(fn, arg, Float32Array, n);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== 'number') typeError(fn, `${arg}[${i}]`, `must be a number; got ${describe(v)}`);
    if (!Number.isFinite(v)) typeError(fn, `${arg}[${i}]`, `must be finite; got ${v}`);
    const f = Math.fround(v);
    if (!Number.isFinite(f)) rangeError(fn, `${arg}[${i}]`, `is ${v}, beyond float32's range`);
    out[i] = f;
  }
  return out;
}

/**
 * A dense feed-forward network (a Keras/TensorFlow.js `Sequential` of `Dense`
 * layers) with its parameters resident on one tier. `predict` runs the whole
 * batch through every layer in one call into the tier (one crossing on
 * native); each layer is one fused GEMM + bias + activation over reused
 * scratch, with no intermediate returned to JS.
 * @example
 * const model = new DenseModel([
 *   { weights: w1, bias: b1, activation: 'relu' },    // 256 × 512
 *   { weights: w2, bias: b2, activation: 'sigmoid' }, // 512 × 1
 * ]);
 * const scores = model.predict(features, 32);          // Float32Array(32)
 */
export class DenseModel {
  /** Width of an input row. */
  readonly inputDim: number;
  /** Width of an output row. */
  readonly outputDim: number;
  /** Each layer's shape, activation and whether it has a bias. */
  readonly layers: readonly DenseLayerInfo[];
  /** `'f32'` or `'f16'` weights. */
  readonly precision: 'f32' | 'f16';
  /** The tier the model lives on. */
  readonly backend: TierName;
  /** Multiply-adds per input row (the sum of inputDim × outputDim). */
  readonly macsPerRow: number;
  #core: ModelCore | null;
  readonly #config: ModelConfig;
  readonly #registration = {};
  /** Resident copies on GPU contexts, made by predictAsync on first use there. */
  readonly #onGpu = new WeakMap<GpuContext, Promise<GpuDenseModel>>();
  /** This model's id on the off-thread workers (0 until predictAsync first sends it there). */
  #workerId = 0;

  /**
   * @param layers - the layers in order; each layer's input width is the previous one's output width
   * @throws TypeError / RangeError naming the layer and the offending index.
   */
  constructor(layers: readonly DenseLayer[], options?: DenseModelOptions) {
    const fn = 'DenseModel';
    const o = checkOptions<DenseModelOptions>(fn, options);
    checkKnownKeys(fn, 'options', o, ['precision', 'backend'], { dtype: 'precision', tier: 'backend' });
    const precision = o.precision ?? 'f32';
    if (precision !== 'f32' && precision !== 'f16') rangeError(fn, 'options.precision', `must be 'f32' or 'f16'; got ${quoted(precision)}`);
    if (!Array.isArray(layers)) typeError(fn, 'layers', `must be an array of { weights, bias, activation }; got ${describe(layers)}`);
    if (layers.length === 0) rangeError(fn, 'layers', 'must hold at least one layer');
    if (layers.length > 4096) rangeError(fn, 'layers', `holds ${layers.length} layers; at most 4096`);
    const shapes: ModelLayerShape[] = [];
    const info: DenseLayerInfo[] = [];
    const ws: Float32Array[] = [];
    const bs: (Float32Array | null)[] = [];
    let prevOut = -1;
    layers.forEach((layer, i) => {
      const at = `layers[${i}]`;
      if (layer === null || typeof layer !== 'object') typeError(fn, at, `must be { weights, bias?, activation?, units? }; got ${describe(layer)}`);
      checkKnownKeys(fn, at, layer, ['weights', 'bias', 'activation', 'units'], { kernel: 'weights', useBias: 'bias', w: 'weights', b: 'bias' });
      const act = (layer.activation ?? 'linear') as Activation;
      if (typeof act !== 'string' || !(NAMES as string[]).includes(act)) {
        const hint = typeof act === 'string' && ACTIVATION_HINTS[act] ? ` (did you mean '${ACTIVATION_HINTS[act]}'?)` : '';
        typeError(fn, `${at}.activation`, `must be one of ${NAMES.map((n) => `'${n}'`).join(', ')}; got ${quoted(act)}${hint}`);
      }
      if (act === 'softmax' && i !== layers.length - 1) rangeError(fn, `${at}.activation`, `'softmax' is allowed on the last layer only`);
      const w = finiteCopy(fn, `${at}.weights`, floats(fn, `${at}.weights`, layer.weights));
      const b = layer.bias === undefined || layer.bias === null ? null : finiteCopy(fn, `${at}.bias`, floats(fn, `${at}.bias`, layer.bias));
      let outDim: number;
      if (layer.units !== undefined) {
        if (!Number.isSafeInteger(layer.units) || layer.units < 1) rangeError(fn, `${at}.units`, `must be an integer >= 1; got ${describe(layer.units)}`);
        outDim = layer.units;
        if (b !== null && b.length !== outDim) rangeError(fn, `${at}.bias`, `has ${b.length} elements; units is ${outDim}`);
      } else if (b !== null) {
        outDim = b.length;
        if (outDim === 0) rangeError(fn, `${at}.bias`, 'is empty; a layer has at least one output');
      } else {
        return typeError(fn, `${at}.units`, 'is needed when the layer has no bias (the output width)');
      }
      const inDim = prevOut < 0 ? w.length / outDim : prevOut;
      if (prevOut < 0 && (!Number.isInteger(inDim) || inDim < 1)) {
        rangeError(fn, `${at}.weights`, `has ${w.length} elements, not a multiple of the layer's ${outDim} outputs (inputDim × outputDim)`);
      }
      if (w.length !== inDim * outDim) {
        rangeError(fn, `${at}.weights`, `has ${w.length} elements; want inputDim × outputDim = ${inDim} × ${outDim} = ${inDim * outDim} (the previous layer has ${inDim} outputs)`);
      }
      prevOut = outDim;
      shapes.push({ inDim, outDim, activation: ACTIVATION_CODE[act] });
      info.push(Object.freeze({ inputDim: inDim, outputDim: outDim, activation: act, bias: b !== null }));
      ws.push(w);
      bs.push(b);
    });
    const off = layerOffsets(shapes);
    const total = shapes.reduce((s, l) => s + l.inDim * l.outDim, 0);
    const weights = precision === 'f16' ? allocate(fn, 'layers', Uint16Array, total) : allocate(fn, 'layers', Float32Array, total);
    const biases = allocate(fn, 'layers', Float32Array, shapes.reduce((s, l) => s + l.outDim, 0));
    ws.forEach((w, i) => {
      const at = off.weights[i]!;
      if (weights instanceof Float32Array) {
        weights.set(w, at);
      } else {
        for (let k = 0; k < w.length; k++) {
          const h = toHalf(w[k]!);
          if ((h & 0x7c00) === 0x7c00) rangeError(fn, `layers[${i}].weights[${k}]`, `is ${w[k]}, beyond float16's range (65504): use precision 'f32'`);
          weights[at + k] = h;
        }
      }
      const b = bs[i];
      if (b) biases.set(b, off.biases[i]!);
    });
    this.#config = { layers: shapes, weights, biases };
    this.inputDim = shapes[0]!.inDim;
    this.outputDim = shapes[shapes.length - 1]!.outDim;
    this.layers = Object.freeze(info);
    this.precision = precision;
    this.macsPerRow = total;
    const { tier, make } = structureTier(fn, o.backend ?? 'auto', PREFERENCE, 'model');
    this.backend = tier;
    const core = make(this.#config);
    this.#core = core;
    coreRegistry.register(this, core, this.#registration);
  }

  #live(fn: string): ModelCore {
    const c = this.#core;
    if (c === null) throw new TypeError(`hotpath.DenseModel.${fn}: model is disposed`);
    return c;
  }

  /** inputs as a Float32Array the cores may read, and the batch it holds. */
  #inputs(fn: string, inputs: unknown, batch: unknown): { x: Float32Array; batch: number } {
    let x: Float32Array;
    if (inputs instanceof Float32Array) {
      x = realView(`DenseModel.${fn}`, 'inputs', inputs);
    } else if (inputs instanceof Float64Array || Array.isArray(inputs)) {
      x = finiteCopy(`DenseModel.${fn}`, 'inputs', inputs as Float64Array | number[]);
    } else {
      return typeError(`DenseModel.${fn}`, 'inputs', `must be a Float32Array, Float64Array or array of numbers; got ${describe(inputs)}`);
    }
    const d = this.inputDim;
    let b: number;
    if (batch === undefined) {
      b = x.length / d;
      if (!Number.isInteger(b)) rangeError(`DenseModel.${fn}`, 'inputs', `has ${x.length} elements, not a multiple of inputDim ${d}`);
    } else {
      if (typeof batch !== 'number' || !Number.isSafeInteger(batch) || batch < 0) typeError(`DenseModel.${fn}`, 'batch', `must be an integer >= 0; got ${describe(batch)}`);
      b = batch;
      if (x.length !== b * d) rangeError(`DenseModel.${fn}`, 'inputs', `has ${x.length} elements; want batch × inputDim = ${b} × ${d} = ${b * d}`);
    }
    if (inputs instanceof Float32Array) {
      for (let i = 0; i < x.length; i++) {
        if (!Number.isFinite(x[i]!)) rangeError(`DenseModel.${fn}`, `inputs[${i}]`, `(row ${Math.floor(i / d)}, feature ${i % d}) must be finite; got ${x[i]}`);
      }
    }
    return { x, batch: b };
  }

  #checkOut(fn: string, out: Float32Array): Float32Array {
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) {
        rangeError(`DenseModel.${fn}`, 'inputs', `row ${Math.floor(i / this.outputDim)} drove output ${i % this.outputDim} to ${out[i]} (float32 overflow, or the inputs changed during the call)`);
      }
    }
    return out;
  }

  /**
   * The model applied to each row of `inputs`.
   * @param inputs - batch × inputDim values, row-major (a Float64Array or array is converted to float32)
   * @param batch - rows; default inputs.length / inputDim
   * @returns Float32Array(batch × outputDim), row-major
   * @throws TypeError / RangeError for a wrong length or a non-finite input, naming its index; RangeError when an output overflows float32.
   */
  predict(inputs: Float32Array | Float64Array | readonly number[], batch?: number): Float32Array {
    const core = this.#live('predict');
    const { x, batch: b } = this.#inputs('predict', inputs, batch);
    const out = allocate('DenseModel.predict', 'output', Float32Array, b * this.outputDim);
    if (b > 0) core.predict(x, b, out);
    return this.#checkOut('predict', out);
  }

  /**
   * {@link DenseModel.predict} off the JS thread. With a GPU context open
   * (`gpu.init()`) and the batch's multiply-adds at or above that device's
   * measured matmul cutoff, it runs on the GPU (the weights are uploaded on
   * first use there and stay resident); else on the native tier's thread pool
   * (libuv). A model on the wasm or js tier runs in a worker of the async
   * helpers' pool (its packed parameters are sent to a worker once and kept
   * there until {@link DenseModel.dispose}); a batch under about 2^16
   * multiply-adds runs on the calling thread, where posting would cost more.
   * Do not change `inputs` while the call is in flight.
   */
  async predictAsync(inputs: Float32Array | Float64Array | readonly number[], batch?: number, options?: PredictAsyncOptions): Promise<Float32Array> {
    const fn = 'predictAsync';
    const core = this.#live(fn);
    const o = checkOptions<PredictAsyncOptions>(`DenseModel.${fn}`, options);
    checkKnownKeys(`DenseModel.${fn}`, 'options', o, ['signal'], {});
    const signal = checkSignal(`DenseModel.${fn}`, 'options.signal', o.signal);
    signal?.throwIfAborted();
    const { x, batch: b } = this.#inputs(fn, inputs, batch);
    if (b === 0) return new Float32Array(0);
    const work = b * this.macsPerRow;
    const g = activeGpu();
    const cutoff = g?.cutoffs.matmul.work ?? Infinity;
    let run: Promise<Float32Array>;
    if (g !== null && work >= cutoff) {
      run = this.#gpuModel(g).then((m) => m.predict(x, b)).then(
        (out) => {
          recordChoice({ kernel: 'matmul', work, tier: 'webgpu', why: `DenseModel: work ${work} >= matmul cutoff ${cutoff}` });
          return out;
        },
        (e: unknown) => {
          if (e instanceof TypeError || e instanceof RangeError) throw e;
          // A lost device or a disposed context leaves the resident copy dead: the next call uploads again.
          this.#onGpu.delete(g);
          recordChoice({ kernel: 'matmul', work, tier: this.backend, why: `DenseModel: GPU call failed, ran on the CPU: ${(e as Error).message}` });
          return this.#cpuAsync(core, x, b, work, signal);
        },
      );
    } else {
      recordChoice({ kernel: 'matmul', work, tier: this.backend, why: g === null ? 'DenseModel: no GPU context (gpu.init())' : `DenseModel: work ${work} below the matmul cutoff ${cutoff}` });
      run = this.#cpuAsync(core, x, b, work, signal);
    }
    const out = await abortable(run, signal);
    return this.#checkOut(fn, out);
  }

  #cpuAsync(core: ModelCore, x: Float32Array, b: number, work: number, signal: AbortSignal | undefined): Promise<Float32Array> {
    if (core.predictAsync) return core.predictAsync(x, b);
    const runner = offThreadRunner();
    if (runner !== null && work >= INLINE_WORK && runner.supports(this.backend)) {
      if (this.#workerId === 0) {
        this.#workerId = nextModelId++;
        workerCopies.register(this, this.#workerId, this.#registration);
      }
      // The workers get the packed parameters (already validated) on first use, by id.
      return runner.predict(this.#workerId, this.backend, this.#config, x, b, signal).catch((e: unknown) => {
        if (!(e instanceof RunInline)) throw e;
        return this.#inline(core, x, b);
      });
    }
    return Promise.resolve(this.#inline(core, x, b));
  }

  #inline(core: ModelCore, x: Float32Array, b: number): Float32Array {
    const out = allocate('DenseModel.predictAsync', 'output', Float32Array, b * this.outputDim);
    core.predict(x, b, out);
    return out;
  }

  #gpuModel(g: GpuContext): Promise<GpuDenseModel> {
    let m = this.#onGpu.get(g);
    if (m === undefined) {
      m = g.denseModel(this.#config);
      this.#onGpu.set(g, m);
      m.catch(() => this.#onGpu.delete(g));
    }
    return m;
  }

  /**
   * The model's weights resident on a GPU context (uploaded once), for many
   * `predict` calls there. Dispose it when done; disposing this model does
   * not free it.
   * @throws Error when the context is unavailable or the device refuses the buffers.
   */
  async toGpu(g: GpuContext): Promise<GpuModel> {
    this.#live('toGpu');
    if (g === null || typeof g !== 'object' || typeof (g as GpuContext).denseModel !== 'function') typeError('DenseModel.toGpu', 'g', `must be a GPU context from gpu.init(); got ${describe(g)}`);
    return new GpuModel(this, await g.denseModel(this.#config));
  }

  /** @internal inputs checked as predict checks them (for GpuModel). */
  checkInputs(fn: string, inputs: unknown, batch: unknown): { x: Float32Array; batch: number } {
    return this.#inputs(fn, inputs, batch);
  }

  /** @internal */
  checkOutput(fn: string, out: Float32Array): Float32Array {
    return this.#checkOut(fn, out);
  }

  /** Frees the model's tier memory; later calls throw. Idempotent. */
  dispose(): void {
    const c = this.#core;
    if (c === null) return;
    this.#core = null;
    coreRegistry.unregister(this.#registration);
    c.dispose();
    if (this.#workerId !== 0) {
      workerCopies.unregister(this.#registration);
      offThreadRunner()?.freeModel(this.#workerId);
    }
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A {@link DenseModel}'s weights resident on a GPU (from {@link DenseModel.toGpu}). */
export class GpuModel {
  readonly inputDim: number;
  readonly outputDim: number;
  #m: GpuDenseModel | null;

  /** @internal */
  constructor(private readonly model: DenseModel, m: GpuDenseModel) {
    this.inputDim = model.inputDim;
    this.outputDim = model.outputDim;
    this.#m = m;
  }

  /** As {@link DenseModel.predict}, on the GPU. */
  async predict(inputs: Float32Array | Float64Array | readonly number[], batch?: number): Promise<Float32Array> {
    const m = this.#m;
    if (m === null) throw new TypeError('hotpath.GpuModel.predict: model is disposed');
    const { x, batch: b } = this.model.checkInputs('predict', inputs, batch);
    if (b === 0) return new Float32Array(0);
    return this.model.checkOutput('predict', await m.predict(x, b));
  }

  /** Frees the GPU buffers. Idempotent. */
  dispose(): void {
    const m = this.#m;
    this.#m = null;
    m?.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
