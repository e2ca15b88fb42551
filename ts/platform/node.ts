// Node side of the platform split: loads the native and wasm tiers
// synchronously while the entry module is imported, honours HOTPATH_*
// variables, and answers topology() from the os module without the addon.
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { applyEnvironment, backend, installTiers, type BackendInfo } from '../core/dispatch.js';
import { flatTopology, setHostTopology } from '../api/topology.js';
import { loadNativeTier } from '../tiers/native/index.js';
import { loadWasmTier } from '../tiers/wasm/loader.js';
import type { InitOptions } from './init-options.js';

installTiers({ native: loadNativeTier(), wasm: loadWasmTier() });
applyEnvironment(process.env, (path) => readFileSync(path, 'utf8'));
setHostTopology(() => flatTopology('os', availableParallelism(), cpus().length || availableParallelism(), totalmem(), backend().tiers.wasm.simd));

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
