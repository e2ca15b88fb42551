/// <reference types="@webgpu/types" />
// Where a GPU object comes from: the browser's navigator.gpu, else the
// `webgpu` npm package (Dawn) in Node. The package is an optional peer
// dependency, imported lazily so hotpath loads where it is absent or broken.

/** A WebGPU entry point and the object that must outlive every device made from it. */
export interface GpuSource {
  gpu: GPU;
  /**
   * Dawn's `create()` result. If it is garbage-collected while a device is
   * alive, the process aborts, so a context keeps it until disposal.
   */
  owner: unknown;
  via: 'navigator.gpu' | 'webgpu package';
}

/** One Dawn instance per process: each holds threads, and contexts can share it. */
let dawn: Promise<GpuSource | string> | null = null;

async function loadDawn(): Promise<GpuSource | string> {
  // A variable specifier keeps bundlers from trying to bundle the Node
  // package; the comments tell Vite and webpack it is meant (webpack would
  // otherwise warn "Critical dependency: the request of a dependency is an
  // expression", which fails a build that treats warnings as errors).
  const spec = 'webgpu';
  let mod: { create(options: string[]): GPU };
  try {
    mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ spec)) as typeof mod;
  } catch (e) {
    return `the 'webgpu' package did not load (npm install webgpu to use the GPU from Node): ${(e as Error).message}`;
  }
  const owner = mod.create([]);
  return { gpu: owner, owner, via: 'webgpu package' };
}

/** The platform's WebGPU entry point, or why there is none. */
export async function gpuSource(): Promise<GpuSource | string> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, owner: nav.gpu, via: 'navigator.gpu' };
  if (typeof process === 'undefined' || !process.versions?.node) return 'this browser has no navigator.gpu (WebGPU is off or unsupported)';
  dawn ??= loadDawn();
  return dawn;
}
