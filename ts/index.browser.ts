/**
 * hotpath for browsers (the `browser` condition of the package's exports):
 * the same API as the Node entry over the wasm and js tiers (and WebGPU
 * through navigator.gpu), with no Node built-ins. Call `await init()` to
 * load the wasm tier; until it resolves every call runs on js.
 *
 * This entry fetches the wasm as separate files (`hotpath.wasm`,
 * `hotpath-nosimd.wasm` beside it; Vite and webpack emit them);
 * `hotpath/inline` carries them inside the JavaScript instead.
 * @packageDocumentation
 */
// First, so the tier placeholders and topology probe are in place before any API module runs.
import './platform/browser.js';
import type { BackendInfo } from './api/backend.js';
import { initFrom, type DefaultWasmBuilds } from './platform/browser.js';
import type { InitOptions } from './platform/init-options.js';
import { installBrowserOffThread } from './platform/offthread-browser.js';
import { noSimdWasmUrl, simdWasmUrl } from './wasm-urls.js';

export * from './public-api.js';
export type { InitOptions, WasmSource } from './platform/init-options.js';

const BY_URL: DefaultWasmBuilds = { simd: { source: simdWasmUrl }, noSimd: { source: noSimdWasmUrl } };

// The *Async helpers' Web Workers run dist/platform/hotpath-worker.js, named
// there by the `new URL` literal Vite and webpack emit; workers fetch the
// wasm by the URL init() loaded it from.
installBrowserOffThread();

/**
 * Loads the wasm tier: fetches and compiles `hotpath.wasm` (or
 * `hotpath-nosimd.wasm` where the engine lacks wasm SIMD) and switches
 * dispatch to it. Call once before the hot path; later calls return the
 * same promise (options of later calls are ignored; after a failure the next
 * call tries again).
 *
 * Before it resolves, kernels run on the js tier (same results and errors,
 * slower), data structures created with `backend: 'auto'` stay on js for
 * their lifetime, and forcing `'wasm'` throws an Error naming `init()`.
 * @returns {@link backend}'s snapshot once the wasm tier is in place.
 * @throws (rejects) Error naming the source when the module cannot be fetched or compiled; kernels keep running on js.
 */
export function init(options: InitOptions = {}): Promise<BackendInfo> {
  return initFrom(options, BY_URL);
}
