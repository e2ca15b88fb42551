/// <reference types="@webgpu/types" />
// One GPU call: uploads, dispatches and the copies into a single staging
// buffer are recorded on one encoder, then one submit and one map read the
// results back. Pooled buffers return to the pool when the pass ends.
import { MAP_READ, Usage } from './flags.js';
import type { BufferPool } from './pool.js';
import { SHADERS } from './shaders.generated.js';

/** Name of a shader in gpu-shaders/. */
export type ShaderName = keyof typeof SHADERS;

/** Compiled pipelines of one device, by shader and override constants. */
export class PipelineCache {
  private readonly cache = new Map<string, Promise<GPUComputePipeline>>();

  constructor(private readonly device: GPUDevice, private readonly sources: Readonly<Record<string, string>> = SHADERS) {}

  /** The pipeline for `shader` with `constants`, compiled on first use. */
  get(shader: string, constants: Record<string, number> = {}): Promise<GPUComputePipeline> {
    const key = `${shader}:${JSON.stringify(constants)}`;
    let p = this.cache.get(key);
    if (p === undefined) {
      p = this.compile(shader, constants);
      // A failed compile is not cached: the error is reported, the next call tries again.
      p.catch(() => this.cache.delete(key));
      this.cache.set(key, p);
    }
    return p;
  }

  private async compile(shader: string, constants: Record<string, number>): Promise<GPUComputePipeline> {
    const code = this.sources[shader];
    if (code === undefined) throw new Error(`hotpath.gpu: no shader named ${shader}`);
    const module = this.device.createShaderModule({ code, label: shader });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      throw new Error(`hotpath.gpu: shader ${shader}.wgsl failed to compile: ${errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ')}`);
    }
    try {
      return await this.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main', constants }, label: shader });
    } catch (e) {
      throw new Error(`hotpath.gpu: pipeline ${shader}.wgsl could not be created: ${(e as Error).message}`, { cause: e });
    }
  }
}

/** Splits a 1D workgroup count into an (x, y) grid within the per-dimension limit. */
export function grid(groups: number, maxPerDim: number): [number, number] {
  if (groups <= maxPerDim) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

const align4 = (n: number): number => Math.max(16, Math.ceil(n / 4) * 4);

/** Where one call's time went, in ms (recorded only when profiling; see GpuContext.profile). */
export interface PassTimings {
  /** Host work before the submit: f64→f32 conversion, queue writes, encoding. */
  encodeMs: number;
  /** Submit until the queue is idle: uploads, dispatches and the copy into staging. */
  gpuMs: number;
  /** Mapping the staging buffer and copying the result out. */
  readbackMs: number;
}

/** Records one call's work; see the module comment. */
export class GpuPass {
  private readonly started = performance.now();
  /** Set to receive this pass's timings (costs one extra queue round trip). */
  timings: PassTimings | null = null;
  readonly encoder: GPUCommandEncoder;
  private readonly pooled: GPUBuffer[] = [];
  private readonly copies: Array<[GPUBuffer, number, number, number]> = [];

  constructor(readonly device: GPUDevice, private readonly pool: BufferPool, private readonly pipelines: PipelineCache, private readonly label: string, private readonly afterSubmit: () => Promise<void>) {
    this.encoder = device.createCommandEncoder({ label });
  }

  private buffer(bytes: number, usage: number, what: string): GPUBuffer {
    const b = this.pool.acquire(align4(bytes), usage, `${this.label} ${what}`);
    this.pooled.push(b);
    return b;
  }

  /** A storage buffer holding `data` (written by the queue before the submit runs). */
  input(data: Float32Array | Uint32Array, what: string): GPUBuffer {
    const b = this.buffer(data.byteLength, Usage.STORAGE | Usage.COPY_DST, what);
    if (data.byteLength > 0) this.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  /** A storage buffer the shader writes and the readback copies from. */
  output(bytes: number, what: string): GPUBuffer {
    return this.buffer(bytes, Usage.STORAGE | Usage.COPY_SRC, what);
  }

  /** A 16-byte uniform block of four 32-bit words (u32 or f32 per `floats` mask). */
  uniform(words: readonly number[], floats: readonly boolean[] = []): GPUBuffer {
    const raw = new ArrayBuffer(16);
    const u = new Uint32Array(raw), f = new Float32Array(raw);
    words.forEach((w, i) => (floats[i] ? (f[i] = w) : (u[i] = w)));
    const b = this.buffer(16, Usage.UNIFORM | Usage.COPY_DST, 'params');
    this.device.queue.writeBuffer(b, 0, raw);
    return b;
  }

  pipeline(shader: ShaderName, constants?: Record<string, number>): Promise<GPUComputePipeline> {
    return this.pipelines.get(shader, constants);
  }

  /** Binds `buffers` at bindings 0..n-1 of group 0 and dispatches an (x, y) grid. */
  dispatch(pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[], x: number, y = 1): void {
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const pass = this.encoder.beginComputePass({ label: this.label });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }

  /** Schedules `bytes` of `src` from `srcOffset` to land at `dstOffset` of the result. */
  readback(src: GPUBuffer, srcOffset: number, dstOffset: number, bytes: number): void {
    if (bytes > 0) this.copies.push([src, srcOffset, dstOffset, bytes]);
  }

  /** Submits everything and resolves with the `bytes` of result the readbacks filled. */
  async finish(bytes: number): Promise<ArrayBuffer> {
    const staging = this.buffer(bytes, Usage.MAP_READ | Usage.COPY_DST, 'staging');
    for (const [src, so, dst, n] of this.copies) this.encoder.copyBufferToBuffer(src, so, staging, dst, n);
    const t0 = performance.now();
    this.device.queue.submit([this.encoder.finish()]);
    await this.afterSubmit();
    let t1 = t0;
    if (this.timings !== null) {
      await this.device.queue.onSubmittedWorkDone();
      t1 = performance.now();
    }
    await staging.mapAsync(MAP_READ, 0, align4(bytes));
    const out = staging.getMappedRange(0, align4(bytes)).slice(0, bytes);
    staging.unmap();
    if (this.timings !== null) Object.assign(this.timings, { encodeMs: t0 - this.started, gpuMs: t1 - t0, readbackMs: performance.now() - t1 });
    return out;
  }

  /** Returns pooled buffers after success; after a failure they may be invalid, so they are destroyed. */
  end(ok: boolean): void {
    if (ok) this.pool.release(this.pooled);
    else for (const b of this.pooled) b.destroy();
    this.pooled.length = 0;
  }
}
