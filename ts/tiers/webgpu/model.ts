/// <reference types="@webgpu/types" />
// Host side of DenseModel on the GPU (gpu-shaders/dense.wgsl): parameters
// resident per layer, and predict encoding every layer of every row block in
// one compute pass of one submission, with one readback. The context owns
// the queueing, error scopes and device-loss reporting; this file receives
// them as `DenseRun`, so it need not import the context (no import cycle).
import { ACTIVATION_CODE, layerOffsets, type ModelConfig, type ModelLayerShape } from '../../contract/model.js';
import { rangeError } from '../../contract/errors.js';
import { Usage } from './flags.js';
import type { ChunkLimits } from './host.js';
import type { GpuPass } from './pass.js';
import type { GpuDenseModel } from './types.js';

export type { GpuDenseModel } from './types.js';

/** Runs `body` on the context's queue of calls, inside its error scopes. @internal */
export type DenseRun = <T>(fn: string, body: (pass: GpuPass, lim: ChunkLimits, generation: number) => Promise<T>) => Promise<T>;

// A tiled pass pads rows to 64; below this many rows one invocation per
// output wastes less.
const GEMV_ROWS = 16;
const GEMM_TILE = 64;
const GEMV_WG = 256;
// Each ping-pong buffer holds at most this many f32 (64 MiB): enough rows to
// fill a GPU, while a huge batch does not pin batch-sized scratch.
const SCRATCH_ELEMS = 16 * 1024 * 1024;

interface ResidentLayer {
  readonly shape: ModelLayerShape;
  readonly weights: GPUBuffer;
  readonly biases: GPUBuffer;
}

const bufferSize = (bytes: number): number => Math.max(16, Math.ceil(bytes / 4) * 4);

/**
 * Checks `config` against the device's limits (RangeError naming
 * hotpath.gpu.denseModel) and uploads it. The writes are queued; the caller
 * waits for them inside its error scopes. @internal
 */
export function uploadDenseModel(device: GPUDevice, lim: ChunkLimits, generation: number, config: ModelConfig, run: DenseRun): ResidentDenseModel {
  const fn = 'gpu.denseModel';
  const half = config.weights instanceof Uint16Array;
  const { weights: wOff, biases: bOff, maxWidth } = layerOffsets(config.layers);
  if (maxWidth > lim.elems) rangeError(fn, 'config', `a row of ${maxWidth} values exceeds this device's largest binding (${lim.elems} f32)`);
  config.layers.forEach((l, i) => {
    const words = half ? Math.ceil((l.inDim * l.outDim) / 2) : l.inDim * l.outDim;
    if (words > lim.elems) rangeError(fn, 'config', `layer ${i}'s ${l.inDim} x ${l.outDim} weights exceed this device's largest binding (${lim.elems * 4} bytes)`);
    if (Math.ceil(l.outDim / GEMM_TILE) > lim.perDim) rangeError(fn, 'config', `layer ${i}'s outDim ${l.outDim} exceeds this device's dispatch grid (${lim.perDim * GEMM_TILE})`);
  });
  const layers: ResidentLayer[] = [];
  let bytes = 0;
  const make = (size: number, label: string): GPUBuffer => {
    bytes += size;
    return device.createBuffer({ size: bufferSize(size), usage: Usage.STORAGE | Usage.COPY_DST, label });
  };
  try {
    config.layers.forEach((l, i) => {
      const n = l.inDim * l.outDim;
      let w: Float32Array | Uint16Array = config.weights.subarray(wOff[i]!, wOff[i]! + n);
      if (half && (n % 2 !== 0 || w.byteOffset % 4 !== 0)) {
        // Queue writes take whole, aligned words: pad an odd count with a zero half.
        const padded = new Uint16Array(n + (n % 2));
        padded.set(w);
        w = padded;
      }
      const weights = make(w.byteLength, `hotpath DenseModel layer ${i} weights`);
      const biases = make(l.outDim * 4, `hotpath DenseModel layer ${i} biases`);
      layers.push({ shape: l, weights, biases });
      device.queue.writeBuffer(weights, 0, w.buffer, w.byteOffset, w.byteLength);
      const b = config.biases.subarray(bOff[i]!, bOff[i]! + l.outDim);
      device.queue.writeBuffer(biases, 0, b.buffer, b.byteOffset, b.byteLength);
    });
  } catch (e) {
    for (const l of layers) {
      l.weights.destroy();
      l.biases.destroy();
    }
    throw e;
  }
  return new ResidentDenseModel(layers, half, maxWidth, bytes, generation, run);
}

/** A {@link GpuDenseModel} on one device generation. @internal */
export class ResidentDenseModel implements GpuDenseModel {
  readonly inputDim: number;
  readonly outputDim: number;
  private freed = false;
  /** Widest intermediate (every layer's output but the last): the ping-pong buffers' row width. */
  private readonly hidden: number;

  constructor(private readonly layers: readonly ResidentLayer[], private readonly half: boolean, private readonly maxWidth: number, readonly bytes: number, private readonly generation: number, private readonly run: DenseRun) {
    this.inputDim = layers[0]!.shape.inDim;
    this.outputDim = layers[layers.length - 1]!.shape.outDim;
    this.hidden = layers.slice(0, -1).reduce((m, l) => Math.max(m, l.shape.outDim), 0);
  }

  predict(inputs: Float32Array, batch: number): Promise<Float32Array> {
    const fn = 'gpu.denseModel.predict';
    if (this.freed) return Promise.reject(new Error(`hotpath.${fn}: the model was disposed`));
    if (!(inputs instanceof Float32Array) || !Number.isSafeInteger(batch) || batch < 0 || inputs.length !== batch * this.inputDim) {
      return Promise.reject(new RangeError(`hotpath.${fn}: inputs must be a Float32Array of batch × ${this.inputDim} values`));
    }
    if (batch === 0) return Promise.resolve(new Float32Array(0));
    return this.predictRows(inputs, batch);
  }

  private async predictRows(inputs: Float32Array, batch: number): Promise<Float32Array> {
    // One submission's staging buffer holds its whole result; a batch whose
    // result exceeds a binding is split into several submissions.
    const out = new Float32Array(batch * this.outputDim);
    for (let r0 = 0; r0 < batch; ) {
      const start = r0;
      r0 += await this.run('denseModel.predict', async (pass, lim, generation) => {
        const rows = Math.min(Math.max(1, Math.floor(lim.elems / this.outputDim)), batch - start);
        out.set(await this.encode(pass, lim, generation, inputs.subarray(start * this.inputDim, (start + rows) * this.inputDim), rows), start * this.outputDim);
        return rows;
      });
    }
    return out;
  }

  private async encode(pass: GpuPass, lim: ChunkLimits, generation: number, inputs: Float32Array, batch: number): Promise<Float32Array> {
    const fn = 'hotpath.gpu.denseModel.predict';
    if (generation !== this.generation) throw new Error(`${fn}: the model was uploaded to a GPU device that has since been lost; upload it again`);
    const block = Math.max(1, Math.min(batch, Math.floor(Math.min(lim.elems, SCRATCH_ELEMS) / this.maxWidth), lim.perDim));
    const HALF = this.half ? 1 : 0;
    // Only the pipelines this call uses: a first call on a device compiles them.
    const tail = batch % block;
    const needGemv = block < GEMV_ROWS || (tail > 0 && tail < GEMV_ROWS);
    const needSoftmax = this.layers[this.layers.length - 1]!.shape.activation === ACTIVATION_CODE.softmax;
    const [gemm, gemv, softmax] = await Promise.all([
      block >= GEMV_ROWS ? pass.pipeline('dense', { MODE: 0, HALF }) : null,
      needGemv ? pass.pipeline('dense', { MODE: 1, HALF }) : null,
      needSoftmax ? pass.pipeline('dense', { MODE: 2, HALF }) : null,
    ]);
    // Checked after the last await: from here to the submit nothing yields,
    // so a dispose() cannot free the buffers under the encoded passes.
    if (this.freed) throw new Error(`${fn}: the model was disposed`);
    const { device } = pass;
    const last = this.layers.length - 1;
    const scratch = this.hidden > 0 ? [pass.output(Math.min(block, batch) * this.hidden * 4, 'hidden'), pass.output(Math.min(block, batch) * this.hidden * 4, 'hidden')] : [];
    const cp = pass.encoder.beginComputePass({ label: fn });
    for (let r0 = 0; r0 < batch; r0 += block) {
      const rows = Math.min(block, batch - r0);
      let src = pass.input(inputs.subarray(r0 * this.inputDim, (r0 + rows) * this.inputDim), 'inputs');
      const dst = pass.output(rows * this.outputDim * 4, 'outputs');
      // Dispatches in one compute pass are ordered, so every row block
      // reuses the same two intermediate buffers.
      this.layers.forEach((l, i) => {
        const { inDim: k, outDim: n, activation } = l.shape;
        const target = i === last ? dst : scratch[i % 2]!;
        const params = pass.uniform([rows, k, n, activation]);
        const small = rows < GEMV_ROWS;
        const pipeline = (small ? gemv : gemm)!;
        const bind = (p: GPUComputePipeline): GPUBindGroup =>
          device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [src, l.weights, l.biases, target, params].map((buffer, binding) => ({ binding, resource: { buffer } })) });
        cp.setPipeline(pipeline);
        cp.setBindGroup(0, bind(pipeline));
        if (small) cp.dispatchWorkgroups(Math.ceil(n / GEMV_WG), rows);
        else cp.dispatchWorkgroups(Math.ceil(n / GEMM_TILE), Math.ceil(rows / GEMM_TILE));
        if (activation === ACTIVATION_CODE.softmax) {
          cp.setPipeline(softmax!);
          cp.setBindGroup(0, bind(softmax!));
          cp.dispatchWorkgroups(rows);
        }
        src = target;
      });
      pass.readback(dst, 0, r0 * this.outputDim * 4, rows * this.outputDim * 4);
    }
    cp.end();
    return new Float32Array(await pass.finish(batch * this.outputDim * 4));
  }

  dispose(): void {
    if (this.freed) return;
    this.freed = true;
    for (const l of this.layers) {
      l.weights.destroy();
      l.biases.destroy();
    }
  }
}
