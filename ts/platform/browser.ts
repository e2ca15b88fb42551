// Browser side of the platform split. Nothing here (or below it) imports a
// Node built-in or the native loader: the wasm tier arrives asynchronously
// through init(), and until then every kernel and structure runs on js.
import { backend, type BackendInfo } from '../api/backend.js';
import { setHostTopology } from '../api/topology.js';
import { describe } from '../contract/errors.js';
import { failedTier } from '../contract/tier.js';
import { flatTopology } from '../contract/topology.js';
import { dispatchInfo, installTiers } from '../dispatch/dispatch.js';
import { jsTier } from '../tiers/js/index.js';
import { describeSource, instantiateWasm, wasmSimdSupported } from '../tiers/wasm/instantiate.js';
import { wasmTier } from '../tiers/wasm/index.js';
import { noSimdWasmUrl, simdWasmUrl } from '../wasm-urls.js';
import type { InitOptions } from './init-options.js';

const NOT_INITIALISED = 'not initialised: call `await init()` (from hotpath) first';

installTiers({ js: jsTier(), native: failedTier('native', 'not available in browsers'), wasm: failedTier('wasm', NOT_INITIALISED) });

interface BrowserNavigator {
  hardwareConcurrency?: number;
  deviceMemory?: number;
}

setHostTopology(() => {
  const nav = (globalThis as { navigator?: BrowserNavigator }).navigator;
  const n = Math.max(1, nav?.hardwareConcurrency ?? 1);
  // deviceMemory (Chromium only) is GiB rounded to a power of two; 0 when unknown.
  const memory = typeof nav?.deviceMemory === 'number' ? nav.deviceMemory * 2 ** 30 : 0;
  return flatTopology('browser', n, n, memory, dispatchInfo().tiers.wasm.simd);
});

let loading: Promise<BackendInfo> | null = null;

async function load(options: InitOptions): Promise<BackendInfo> {
  const simd = options.simd ?? 'auto';
  if (simd !== 'auto' && typeof simd !== 'boolean') throw new TypeError(`hotpath.init: options.simd must be 'auto', true or false; got ${describe(simd)}`);
  const useSimd = simd === 'auto' ? wasmSimdSupported() : simd;
  const source = useSimd ? (options.wasm ?? simdWasmUrl()) : (options.wasmNoSimd ?? noSimdWasmUrl());
  try {
    installTiers({ wasm: wasmTier(await instantiateWasm(source), describeSource(source)) });
  } catch (e) {
    const why = `wasm module did not load from ${describeSource(source)}: ${(e as Error).message}`;
    installTiers({ wasm: failedTier('wasm', why) });
    throw new Error(`hotpath.init: ${why}`, { cause: e });
  }
  return backend();
}

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
  if (typeof options !== 'object' || options === null) return Promise.reject(new TypeError(`hotpath.init: options must be an object; got ${options === null ? 'null' : typeof options}`));
  if (loading === null) {
    loading = load(options);
    loading.catch(() => { loading = null; });
  }
  return loading;
}
