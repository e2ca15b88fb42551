/// <reference types="@webgpu/types" />
// gpu.init(): find an adapter, open a device, measure cutoffs, and make the
// context the one the async helpers use. Never throws for a missing GPU: the
// context comes back unavailable with the reason.
import { checkCount, checkOptions, describe, quoted, rangeError, typeError } from '../contract/errors.js';
import { GpuContext, requestDevice } from '../tiers/webgpu/context.js';
import { setActiveGpu } from '../tiers/webgpu/active.js';
import { gpuSource } from '../tiers/webgpu/provider.js';
import { GPU_KERNELS } from '../contract/kernels.js';
import type { GpuInitOptions } from '../tiers/webgpu/types.js';

/** A GPU context: see {@link GpuContext}. */
export type Gpu = GpuContext;

function checkInit(o: Partial<GpuInitOptions>): void {
  const fn = 'gpu.init';
  if (o.powerPreference !== undefined && o.powerPreference !== 'low-power' && o.powerPreference !== 'high-performance') {
    rangeError(fn, 'options.powerPreference', `must be 'low-power' or 'high-performance'; got ${quoted(o.powerPreference)}`);
  }
  if (o.adapter !== undefined && (o.adapter === null || typeof (o.adapter as { requestDevice?: unknown }).requestDevice !== 'function')) {
    typeError(fn, 'options.adapter', `must be a GPUAdapter; got ${describe(o.adapter)}`);
  }
  if (o.calibrate !== undefined && typeof o.calibrate !== 'boolean') typeError(fn, 'options.calibrate', `must be a boolean; got ${describe(o.calibrate)}`);
  if (o.maxChunkBytes !== undefined) checkCount(fn, 'options.maxChunkBytes', o.maxChunkBytes, 1024);
  if (o.cutoffs !== undefined) {
    if (o.cutoffs === null || typeof o.cutoffs !== 'object') typeError(fn, 'options.cutoffs', `must be an object; got ${describe(o.cutoffs)}`);
    for (const [k, v] of Object.entries(o.cutoffs)) {
      if (!(GPU_KERNELS as readonly string[]).includes(k)) rangeError(fn, `options.cutoffs.${k}`, `is not a GPU kernel (${GPU_KERNELS.join(', ')})`);
      if (typeof v !== 'number' || !(v >= 0)) rangeError(fn, `options.cutoffs.${k}`, `must be a number >= 0 (Infinity: never); got ${String(v)}`);
    }
  }
}

async function open(options: GpuInitOptions): Promise<GpuContext> {
  const source = await gpuSource();
  if (typeof source === 'string') return new GpuContext(null, options, null, null, source);
  let adapter: GPUAdapter | null;
  try {
    adapter = (options.adapter as GPUAdapter | undefined) ?? (await source.gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined));
  } catch (e) {
    return new GpuContext(source, options, null, null, `requestAdapter failed: ${(e as Error).message}`);
  }
  if (adapter === null) {
    const hint = typeof process !== 'undefined' && process.platform === 'linux'
      ? ' (no Vulkan driver Dawn accepts; without a GPU, point VK_ICD_FILENAMES at a software ICD such as Chromium\'s vk_swiftshader_icd.json)'
      : '';
    return new GpuContext(source, options, null, null, `no WebGPU adapter${hint}`);
  }
  try {
    return new GpuContext(source, options, adapter, await requestDevice(adapter), null);
  } catch (e) {
    return new GpuContext(source, options, adapter, null, `requestDevice failed: ${(e as Error).message}`);
  }
}

/** The WebGPU tier's entry point. */
export const gpu = {
  /**
   * Opens a GPU: `navigator.gpu` in browsers, the `webgpu` package (Dawn) in
   * Node (an optional peer dependency: `npm install webgpu`). Resolves, never
   * rejects for a missing GPU: check `available` and `reason`. Unless
   * `calibrate: false`, measures per-kernel CPU/GPU cutoffs first. The new
   * context becomes the one the async helpers (e.g. {@link cosineBatchAsync}) use.
   * @throws TypeError / RangeError (as a rejection) for bad options.
   */
  async init(options?: GpuInitOptions): Promise<Gpu> {
    const o = checkOptions<GpuInitOptions>('gpu.init', options);
    checkInit(o);
    const g = await open(o);
    if (g.available && o.calibrate !== false) {
      const missing = GPU_KERNELS.filter((k) => o.cutoffs?.[k] === undefined);
      if (missing.length > 0) await g.calibrate(missing);
    }
    setActiveGpu(g.available ? g : null, g.reason);
    return g;
  },
};

export { GpuContext } from '../tiers/webgpu/context.js';
export type { GpuAdapterInfo, GpuInitOptions, GpuKernelName, GpuMatrix, GpuCutoff } from '../tiers/webgpu/types.js';
export type { GpuBackendInfo, GpuChoice } from '../tiers/webgpu/active.js';
