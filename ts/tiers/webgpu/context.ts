/// <reference types="@webgpu/types" />
// A GPU context: one adapter and device, its pipelines and buffer pool, and
// the public kernel methods. Calls on a context run one at a time, so error
// scopes and pooled buffers are never shared between two calls in flight.
import { blameDecayInputs, checkBatch, checkDdof, ddofBelow, checkDecay, checkMatmul, checkRiskBatch, checkTopK, type RiskOptions, type StatsOptions, type TopKOptions } from '../../contract/checks.js';
import { checkCount, describe, quoted, rangeError, typeError } from '../../contract/errors.js';
import { GPU_KERNELS, type GpuKernelName } from '../../contract/kernels.js';
import type { Stats, TopKResult, Vector } from '../../contract/types.js';
import { checkSample, requireFinite } from '../../dispatch/finite.js';
import { rowChunks, similarity, selectTopK, matmul, riskScoreBatch, temporalDecay, moments, type ChunkLimits, type RowChunk } from './host.js';
import { GpuPass, PipelineCache, type PassTimings } from './pass.js';
import { BufferPool } from './pool.js';
import { Usage } from './flags.js';
import { median } from '../shared/select.js';
import { measureCutoffs } from './cutoffs.js';
import type { GpuSource } from './provider.js';
import { uploadDenseModel, type DenseRun, type ResidentDenseModel } from './model.js';
import type { ModelConfig } from '../../contract/model.js';
import type { GpuAdapterInfo, GpuCutoff, GpuDenseModel, GpuInitOptions, GpuMatrix } from './types.js';

const POOL_BYTES = 256 * 1024 * 1024;

/** An open device and what hangs off it; replaced wholesale after a loss. */
interface OpenDevice {
  device: GPUDevice;
  pool: BufferPool;
  pipelines: PipelineCache;
  lim: ChunkLimits;
  generation: number;
}

class ResidentMatrix implements GpuMatrix {
  private freed = false;
  constructor(readonly rows: number, readonly dim: number, readonly bytes: number, readonly chunks: RowChunk[], readonly generation: number, readonly owner: GpuContext) {}
  get destroyed(): boolean {
    return this.freed;
  }
  destroy(): void {
    if (this.freed) return;
    this.freed = true;
    for (const c of this.chunks) c.buffer?.destroy();
  }
}

function adapterInfoOf(adapter: GPUAdapter, via: GpuAdapterInfo['via']): GpuAdapterInfo {
  const info = (adapter.info ?? {}) as Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean };
  const legacy = (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy ?? false),
    via,
  };
}

/**
 * The WebGPU tier, made by {@link gpu.init}. Methods validate like their CPU
 * namesakes (same TypeError / RangeError), compute in f32 on the GPU and
 * resolve with the CPU kernels' result shapes. A call rejects with an Error
 * when the context is unavailable or disposed, when the device is lost
 * during it (the next call opens a new device), or when WebGPU reports a
 * validation, out-of-memory or internal error.
 */
export class GpuContext {
  /** Whether an adapter and device came up. */
  readonly available: boolean;
  /** Why not, when unavailable; else null. */
  readonly reason: string | null;
  /** The adapter's self-description, or null when unavailable. */
  readonly adapterInfo: GpuAdapterInfo | null;
  private open: OpenDevice | null = null;
  private tail: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lostReason: string | null = null;
  private generation = 0;
  private readonly cutoffTable = new Map<GpuKernelName, GpuCutoff>();
  /** @internal bench hook: split each call's time into encode, GPU and readback (one extra queue round trip per call). */
  profile = false;
  /** @internal the last profiled call's timings. */
  lastTimings: PassTimings | null = null;

  /** @internal */
  constructor(private readonly source: GpuSource | null, private readonly options: GpuInitOptions, adapter: GPUAdapter | null, device: GPUDevice | null, reason: string | null) {
    this.available = device !== null;
    this.reason = reason;
    this.adapterInfo = adapter && source ? adapterInfoOf(adapter, source.via) : null;
    if (device !== null) this.attach(device);
    for (const k of GPU_KERNELS) {
      const given = options.cutoffs?.[k];
      this.cutoffTable.set(k, given === undefined ? { work: Infinity, source: 'none' } : { work: given, source: 'given' });
    }
  }

  private attach(device: GPUDevice): void {
    const chunkBytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize, this.options.maxChunkBytes ?? Infinity);
    const generation = ++this.generation;
    this.open = {
      device,
      pool: new BufferPool(device, POOL_BYTES),
      pipelines: new PipelineCache(device),
      lim: { elems: Math.floor(chunkBytes / 4), perDim: device.limits.maxComputeWorkgroupsPerDimension },
      generation,
    };
    this.lostReason = null;
    void device.lost.then((info) => {
      if (this.open?.generation !== generation || this.disposed) return;
      this.open = null;
      this.lostReason = `${info.reason}: ${info.message}`.trim();
    });
  }

  /** Device limits that shape chunking: binding and buffer sizes in bytes. */
  get limits(): { maxStorageBufferBindingSize: number; maxBufferSize: number; maxComputeWorkgroupsPerDimension: number } | null {
    const d = this.open?.device;
    return d ? { maxStorageBufferBindingSize: d.limits.maxStorageBufferBindingSize, maxBufferSize: d.limits.maxBufferSize, maxComputeWorkgroupsPerDimension: d.limits.maxComputeWorkgroupsPerDimension } : null;
  }

  /** Per kernel, the work from which the async helpers send a call here. */
  get cutoffs(): Record<GpuKernelName, GpuCutoff> {
    return Object.fromEntries(GPU_KERNELS.map((k) => [k, { ...this.cutoffTable.get(k)! }])) as Record<GpuKernelName, GpuCutoff>;
  }

  /** @internal */
  setCutoff(k: GpuKernelName, c: GpuCutoff): void {
    this.cutoffTable.set(k, c);
  }

  /** Whether calls can still run (available and not disposed). */
  get usable(): boolean {
    return this.available && !this.disposed;
  }

  private async reopen(fn: string): Promise<OpenDevice> {
    const gpu = this.source!.gpu;
    const adapter = await gpu.requestAdapter(this.options.powerPreference ? { powerPreference: this.options.powerPreference } : undefined);
    if (adapter === null) throw new Error(`hotpath.gpu.${fn}: the GPU device was lost (${this.lostReason}) and no adapter came back`);
    this.attach(await requestDevice(adapter));
    return this.open!;
  }

  /** Runs `body` after every earlier call on this context, inside error scopes. */
  private run<T>(fn: string, body: (pass: GpuPass, lim: ChunkLimits, open: OpenDevice) => Promise<T>): Promise<T> {
    const next = this.tail.then(() => this.runNow(fn, body));
    this.tail = next.catch(() => undefined);
    return next;
  }

  private async runNow<T>(fn: string, body: (pass: GpuPass, lim: ChunkLimits, open: OpenDevice) => Promise<T>): Promise<T> {
    if (this.disposed) throw new Error(`hotpath.gpu.${fn}: this GPU context was disposed; call gpu.init() for a new one`);
    if (!this.available) throw new Error(`hotpath.gpu.${fn}: no GPU: ${this.reason}`);
    const open = this.open ?? (await this.reopen(fn));
    const { device } = open;
    device.pushErrorScope('internal');
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let scopes = 3;
    // Popped right after the submit, before waiting on the readback.
    const popScopes = async (): Promise<void> => {
      const errors: string[] = [];
      for (const kind of ['validation', 'out-of-memory', 'internal']) {
        scopes--;
        const e = await device.popErrorScope();
        if (e) errors.push(`${kind} error: ${e.message}`);
      }
      if (errors.length > 0) throw new Error(`hotpath.gpu.${fn}: WebGPU reported ${errors.join('; ')}`);
    };
    const pass = new GpuPass(device, open.pool, open.pipelines, `hotpath.${fn}`, popScopes);
    if (this.profile) pass.timings = this.lastTimings = { encodeMs: 0, gpuMs: 0, readbackMs: 0 };
    let ok = false;
    try {
      const out = await body(pass, open.lim, open);
      if (scopes === 3) await popScopes(); // a body with no readback (upload) still has its errors checked
      ok = true;
      return out;
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw e;
      // A loss surfaces as a failed map or scope; say so plainly.
      await new Promise((r) => setTimeout(r, 0));
      if (this.open !== open || this.lostReason !== null) {
        throw new Error(`hotpath.gpu.${fn}: the GPU device was lost (${this.lostReason ?? 'unknown reason'}); the next call opens a new device`, { cause: e });
      }
      throw e;
    } finally {
      while (scopes > 0) {
        scopes--;
        await device.popErrorScope().catch(() => null);
      }
      pass.end(ok);
    }
  }

  // Each public method: validate (sync, before any GPU work), then run.

  /** {@link cosineBatch} on the GPU; `matrix` may be a {@link GpuMatrix} (then `dim` is optional). */
  cosineBatch(queries: Float32Array, matrix: Float32Array | GpuMatrix, dim?: number): Promise<Float32Array> {
    return this.batch('cosineBatch', 'cosine', queries, matrix, dim);
  }

  /** {@link euclideanBatch} on the GPU; `matrix` may be a {@link GpuMatrix}. */
  euclideanBatch(queries: Float32Array, matrix: Float32Array | GpuMatrix, dim?: number): Promise<Float32Array> {
    return this.batch('euclideanBatch', 'euclidean', queries, matrix, dim);
  }

  private batch(name: 'cosineBatch' | 'euclideanBatch', metric: 'cosine' | 'euclidean', queries: unknown, matrix: unknown, dim: unknown): Promise<Float32Array> {
    const fn = `gpu.${name}`;
    return this.guard(fn, () => {
      const r = this.resident(fn, matrix, dim);
      const s = checkBatch(fn, queries, r ? new Float32Array(0) : matrix, r ? r.dim : dim);
      requireFinite(fn, 'queries', s.q);
      if (!r) requireFinite(fn, 'matrix', s.m);
      const n = r ? r.rows : s.n;
      return this.run(name, (pass, lim) => similarity(pass, lim, metric, s.q, s.d, r ? this.chunksOf(fn, r) : rowChunks(s.m, n, s.d, lim), n));
    });
  }

  /**
   * {@link topK} with the scores computed on the GPU and the k best selected
   * on the CPU. With a {@link GpuMatrix} the call is `topK(query, matrix, k, options)`.
   */
  topK(query: Float32Array | Vector, matrix: Float32Array, dim: number, k: number, options?: TopKOptions): Promise<TopKResult>;
  topK(query: Float32Array | Vector, matrix: GpuMatrix, k: number, options?: TopKOptions): Promise<TopKResult>;
  topK(query: Float32Array | Vector, matrix: Float32Array | GpuMatrix, a: number, b?: number | TopKOptions, c?: TopKOptions): Promise<TopKResult> {
    const fn = 'gpu.topK';
    return this.guard(fn, () => {
      const r = this.resident(fn, matrix, undefined);
      const s = r ? checkTopK(fn, query, new Float32Array(0), r.dim, a, b) : checkTopK(fn, query, matrix, a, b, c);
      requireFinite(fn, 'query', s.q);
      if (!r) requireFinite(fn, 'matrix', s.m);
      const n = r ? r.rows : s.m.length / s.d;
      if (Math.min(s.k, n) === 0) return Promise.resolve({ indices: new Uint32Array(0), scores: new Float32Array(0) });
      return this.run('topK', async (pass, lim) => selectTopK(await similarity(pass, lim, s.metric, s.q, s.d, r ? this.chunksOf(fn, r) : rowChunks(s.m, n, s.d, lim), n), s.k, s.metric));
    });
  }

  /** {@link matmul} on the GPU, Float32Array only (WGSL has no f64). */
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<Float32Array> {
    const fn = 'gpu.matmul';
    return this.guard(fn, () => {
      if (a instanceof Float64Array) typeError(fn, 'a', 'must be a Float32Array: WGSL has no f64 (use matmul or matmulAsync for Float64Array)');
      const s = checkMatmul(fn, a, b, m, k, n);
      requireFinite(fn, 'a', a);
      requireFinite(fn, 'b', b);
      if (s.m * s.n === 0) return Promise.resolve(new Float32Array(0));
      if (s.k === 0) return Promise.resolve(new Float32Array(s.m * s.n));
      return this.run('matmul', (pass, lim) => matmul(pass, lim, a, b, s.m, s.k, s.n));
    });
  }

  /** {@link riskScoreBatch} on the GPU (f32 arithmetic, f64 result array). */
  riskScoreBatch(severities: Vector, confidences: Vector, offsets: Uint32Array, options?: RiskOptions): Promise<Float64Array> {
    const fn = 'gpu.riskScoreBatch';
    return this.guard(fn, () => {
      const { s, c, offsets: off, max } = checkRiskBatch(fn, severities, confidences, offsets, options);
      requireFinite(fn, 'severities', s);
      requireFinite(fn, 'confidences', c);
      if (off.length <= 1) return Promise.resolve(new Float64Array(0));
      return this.run('riskScoreBatch', (pass, lim) => riskScoreBatch(pass, lim, s, c, off, max, fn));
    });
  }

  /** {@link temporalDecay} on the GPU (f32 arithmetic, f64 result array). */
  temporalDecay(scores: Vector, ages: Vector, halfLife: number): Promise<Float64Array> {
    const fn = 'gpu.temporalDecay';
    return this.guard(fn, () => {
      const { s, a, h } = checkDecay(fn, scores, ages, halfLife);
      blameDecayInputs(fn, s, a);
      if (s.length === 0) return Promise.resolve(new Float64Array(0));
      return this.run('temporalDecay', (pass, lim) => temporalDecay(pass, lim, s, a, h, fn));
    });
  }

  /** {@link stats} with count, mean, variance, min and max reduced on the GPU; the median is selected on the CPU. */
  stats(x: Vector, options?: StatsOptions): Promise<Stats> {
    const fn = 'gpu.stats';
    return this.guard(fn, () => {
      const d = checkDdof(fn, options);
      const v = checkSample(fn, x);
      const ddof = ddofBelow(fn, d, v.length);
      return this.run('stats', async (pass, lim) => {
        const m = await moments(pass, lim, v, fn);
        const variance = Math.max(0, m.m2 / (m.count - ddof));
        return { count: m.count, sum: m.mean * m.count, mean: m.mean, variance, std: Math.sqrt(variance), min: m.min, max: m.max, median: median(v) };
      });
    });
  }

  /**
   * Copies an n x dim row-major matrix to the GPU once, for many
   * {@link cosineBatch} / {@link euclideanBatch} / {@link topK} calls.
   * Checked for non-finite values here, so later calls need not be.
   */
  upload(matrix: Float32Array, dim: number): Promise<GpuMatrix> {
    const fn = 'gpu.upload';
    return this.guard(fn, () => {
      if (!(matrix instanceof Float32Array)) typeError(fn, 'matrix', `must be a Float32Array; got ${describe(matrix)}`);
      const d = checkCount(fn, 'dim', dim, 1);
      if (matrix.length % d !== 0) rangeError(fn, 'matrix', `length ${matrix.length} is not a multiple of dim ${d}`);
      requireFinite(fn, 'matrix', matrix);
      return this.run('upload', async (_pass, lim, open) => {
        const chunks = rowChunks(matrix, matrix.length / d, d, lim).map((c) => {
          const buffer = open.device.createBuffer({ size: Math.max(16, c.data!.byteLength), usage: Usage.STORAGE | Usage.COPY_DST, label: 'hotpath GpuMatrix' });
          open.device.queue.writeBuffer(buffer, 0, c.data!.buffer, c.data!.byteOffset, c.data!.byteLength);
          return { row0: c.row0, rows: c.rows, buffer, data: null };
        });
        await open.device.queue.onSubmittedWorkDone();
        return new ResidentMatrix(matrix.length / d, d, matrix.byteLength, chunks, open.generation, this);
      });
    });
  }

  /**
   * Uploads a dense model's weights (f32, or binary16 kept as halves, two per
   * word) and biases once, for many {@link GpuDenseModel.predict} calls. The
   * config arrives validated (from DenseModel); only the device's limits are
   * checked here (RangeError when a layer or a row exceeds a binding).
   */
  denseModel(config: ModelConfig): Promise<GpuDenseModel> {
    const fn = 'gpu.denseModel';
    return this.guard(fn, () => {
      const runner: DenseRun = (name, body) => this.run(name, (pass, lim, open) => body(pass, lim, open.generation));
      let made: ResidentDenseModel | null = null;
      return this.run('denseModel', async (_pass, lim, open) => {
        made = uploadDenseModel(open.device, lim, open.generation, config, runner);
        await open.device.queue.onSubmittedWorkDone();
        return made as GpuDenseModel;
      }).catch((e: unknown) => {
        // An out-of-memory upload is reported after the buffers exist: free them.
        (made as ResidentDenseModel | null)?.dispose();
        throw e;
      });
    });
  }

  private resident(fn: string, matrix: unknown, dim: unknown): ResidentMatrix | null {
    if (!(matrix instanceof ResidentMatrix)) return null;
    if (matrix.owner !== this) rangeError(fn, 'matrix', 'belongs to another GPU context');
    if (matrix.destroyed) rangeError(fn, 'matrix', 'was destroyed');
    if (dim !== undefined && dim !== matrix.dim) rangeError(fn, 'dim', `${String(dim)} does not match the uploaded matrix's dim ${matrix.dim}`);
    return matrix;
  }

  private chunksOf(fn: string, m: ResidentMatrix): RowChunk[] {
    if (this.open?.generation !== m.generation) throw new Error(`hotpath.${fn}: matrix was uploaded to a GPU device that has since been lost; upload it again`);
    return m.chunks;
  }

  /** Turns a synchronous validation throw into a rejection, as an async API should. */
  private guard<T>(fn: string, f: () => Promise<T>): Promise<T> {
    try {
      return f();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Measures, for each kernel (all by default), the work from which this GPU
   * beats the best CPU tier, and uses it for the async helpers. Resolves with
   * the cutoffs and the timings (ms at two sizes, CPU and GPU) behind them.
   */
  async calibrate(kernels: readonly GpuKernelName[] = GPU_KERNELS): Promise<Record<string, { work: number; cpuMs: [number, number]; gpuMs: [number, number]; sizes: [number, number] }>> {
    if (!Array.isArray(kernels)) typeError('gpu.calibrate', 'kernels', `must be an array of kernel names; got ${describe(kernels)}`);
    for (const k of kernels) if (!GPU_KERNELS.includes(k)) rangeError('gpu.calibrate', 'kernels', `must name GPU kernels (${GPU_KERNELS.join(', ')}); got ${quoted(k)}`);
    if (!this.usable) throw new Error(`hotpath.gpu.calibrate: ${this.disposed ? 'this GPU context was disposed' : `no GPU: ${this.reason}`}`);
    return measureCutoffs(this, kernels);
  }

  /** Destroys the device and every buffer; later calls reject. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.tail;
    this.disposed = true;
    const open = this.open;
    this.open = null;
    if (open) {
      open.pool.clear();
      open.device.destroy();
    }
  }

  /** @internal test hook: the live device (to simulate a loss). */
  deviceForTesting(): GPUDevice | null {
    return this.open?.device ?? null;
  }

  /** @internal test hook: compile and run a one-binding shader through the same error handling. */
  runShaderForTesting(code: string): Promise<void> {
    return this.run('runShaderForTesting', async (pass, _lim, open) => {
      const pipelines = new PipelineCache(open.device, { test: code });
      const p = await pipelines.get('test');
      const out = pass.output(16, 'test');
      pass.dispatch(p, [out], 1);
      pass.readback(out, 0, 0, 16);
      await pass.finish(16);
    });
  }
}

/** A device with the adapter's largest buffer limits (the defaults cap bindings at 128 MiB). @internal */
export async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  return adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
    label: 'hotpath',
  });
}

