// Node side of the platform split: loads the native and wasm tiers
// synchronously while the entry module is imported, honours HOTPATH_*
// variables, and answers topology() from the os module without the addon.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { backend, type BackendInfo } from '../api/backend.js';
import { setHostTopology } from '../api/topology.js';
import { flatTopology } from '../contract/topology.js';
import { applyEnvironment, dispatchInfo, installTiers } from '../dispatch/dispatch.js';
import { jsTier } from '../tiers/js/index.js';
import { loadNativeTier } from '../tiers/native/index.js';
import { loadWasmTier } from '../tiers/wasm/loader.js';
import type { InitOptions } from './init-options.js';

installTiers({ js: jsTier(), native: loadNativeTier(), wasm: loadWasmTier() });
applyEnvironment(process.env, (path) => readFileSync(path, 'utf8'));
setHostTopology(() => flatTopology('os', availableParallelism(), cpus().length || availableParallelism(), totalmem(), dispatchInfo().tiers.wasm.simd));

/**
 * Resolves once the tiers are loaded. On Node they load synchronously when
 * `hotpath` is imported, so this resolves at once and `options` are ignored
 * (HOTPATH_WASM_PATH picks another wasm file); it exists so code shared with
 * browsers can `await init()` unconditionally.
 */
export function init(options?: InitOptions): Promise<BackendInfo> {
  void options;
  return Promise.resolve(backend());
}
