// Browser side of the platform split. Nothing here (or below it) imports a
// Node built-in or the native loader: the wasm tier arrives asynchronously
// through init(), and until then every kernel and structure runs on js.
// Where the wasm comes from by default is the entry's business (a URL beside
// dist/ for `hotpath`, bytes inside the JS for `hotpath/inline`), so this
// module names neither and a bundle carries only the one its entry chose.
import { backend, type BackendInfo } from '../api/backend.js';
import { setHostTopology } from '../api/topology.js';
import { describe } from '../contract/errors.js';
import { failedTier } from '../contract/tier.js';
import { flatTopology } from '../contract/topology.js';
import { dispatchInfo, installTiers } from '../dispatch/dispatch.js';
import { jsTier } from '../tiers/js/index.js';
import { describeSource, instantiateWasm, wasmSimdSupported } from '../tiers/wasm/instantiate.js';
import { wasmTier } from '../tiers/wasm/index.js';
import type { WasmSource } from '../tiers/wasm/instantiate.js';
import type { InitOptions } from './init-options.js';

/** One wasm build's default source, produced only when init() picks that build. @internal */
export interface DefaultWasm {
  source(): WasmSource | Promise<WasmSource>;
  /** What backend().tiers.wasm.path says; default: the source's URL. */
  label?: string;
}

/** The defaults an entry hands to {@link initFrom}. @internal */
export interface DefaultWasmBuilds {
  simd: DefaultWasm;
  noSimd: DefaultWasm;
}

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

async function load(options: InitOptions, defaults: DefaultWasmBuilds): Promise<BackendInfo> {
  const simd = options.simd ?? 'auto';
  if (simd !== 'auto' && typeof simd !== 'boolean') throw new TypeError(`hotpath.init: options.simd must be 'auto', true or false; got ${describe(simd)}`);
  const useSimd = simd === 'auto' ? wasmSimdSupported() : simd;
  const given = useSimd ? options.wasm : options.wasmNoSimd;
  const fallback = useSimd ? defaults.simd : defaults.noSimd;
  let label = given === undefined ? fallback.label : undefined;
  try {
    const source = given ?? (await fallback.source());
    label ??= describeSource(source);
    installTiers({ wasm: wasmTier(await instantiateWasm(source), label) });
  } catch (e) {
    const why = `wasm module did not load from ${label ?? '(default source)'}: ${(e as Error).message}`;
    installTiers({ wasm: failedTier('wasm', why) });
    throw new Error(`hotpath.init: ${why}`, { cause: e });
  }
  return backend();
}

/**
 * What each browser entry's `init()` does, with that entry's default sources:
 * validates the options, loads the wasm tier once (later calls share the
 * promise; after a failure the next call tries again). @internal
 */
export function initFrom(options: InitOptions, defaults: DefaultWasmBuilds): Promise<BackendInfo> {
  if (typeof options !== 'object' || options === null) return Promise.reject(new TypeError(`hotpath.init: options must be an object; got ${options === null ? 'null' : typeof options}`));
  if (loading === null) {
    loading = load(options, defaults);
    loading.catch(() => { loading = null; });
  }
  return loading;
}
