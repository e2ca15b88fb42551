/**
 * `hotpath/inline` for browsers (its `browser` condition): the browser
 * build with both wasm builds inside the JavaScript, so a bundle needs no
 * `.wasm` file beside it, and no top-level await (esbuild's default IIFE
 * output works). `await init()` decodes and compiles the build this engine
 * runs (SIMD or not); until it resolves every call runs on js.
 * @packageDocumentation
 */
// First, so the tier placeholders and topology probe are in place before any API module runs.
import './platform/browser.js';
import type { BackendInfo } from './api/backend.js';
import { INLINE_NO_SIMD_LABEL, INLINE_SIMD_LABEL, inlineNoSimdWasm, inlineSimdWasm } from './inline/builds.js';
import { initFrom, type DefaultWasmBuilds, type DefaultWasm } from './platform/browser.js';
import type { InitOptions } from './platform/init-options.js';
import { installInlineBrowserOffThread, setWorkerWasm } from './platform/offthread-inline.js';

export * from './public-api.js';
export type { InitOptions, WasmSource } from './platform/init-options.js';

/**
 * Decodes and compiles the build once, when init() picks it: the page
 * instantiates the module, and the *Async helpers' workers are handed the
 * same compiled module (there is no file for them to fetch).
 */
function compiled(bytes: () => Uint8Array<ArrayBuffer>, label: string): DefaultWasm {
  return {
    label,
    source: async () => {
      const module = await WebAssembly.compile(bytes());
      setWorkerWasm(module, label);
      return module;
    },
  };
}

const INLINE: DefaultWasmBuilds = {
  simd: compiled(inlineSimdWasm, INLINE_SIMD_LABEL),
  noSimd: compiled(inlineNoSimdWasm, INLINE_NO_SIMD_LABEL),
};

// The workers' code travels inside the JS as well (a Blob URL of it), so no
// worker file has to be emitted or served either.
installInlineBrowserOffThread();

/**
 * Loads the wasm tier from the bytes inside this bundle (the SIMD build, or
 * the no-SIMD build where the engine lacks wasm SIMD; `options.wasm` /
 * `options.wasmNoSimd` still override them) and switches dispatch to it.
 * Call once before the hot path; later calls return the same promise
 * (options of later calls are ignored; after a failure the next call tries
 * again).
 *
 * Before it resolves, kernels run on the js tier (same results and errors,
 * slower), data structures created with `backend: 'auto'` stay on js for
 * their lifetime, and forcing `'wasm'` throws an Error naming `init()`.
 * @returns {@link backend}'s snapshot once the wasm tier is in place.
 * @throws (rejects) Error when the module cannot be compiled; kernels keep running on js.
 */
export function init(options: InitOptions = {}): Promise<BackendInfo> {
  return initFrom(options, INLINE);
}
