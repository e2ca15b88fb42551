// Synchronous wasm load for Node: the module ships inside the package.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failedTier, type Tier } from '../../contract/tier.js';
import { PACKAGE_ROOT } from '../shared/paths.js';
import { missingWasmExport, wasmImports, type WasmExports } from './exports.js';
import { wasmTier } from './index.js';

/** Outcome of instantiating the wasm module. */
export type WasmLoad = { exports: WasmExports; path: string } | { exports: null; error: string };

/** Builds are tried in order; the first whose features this engine validates wins. */
function candidates(env: NodeJS.ProcessEnv): string[] {
  if (env.HOTPATH_WASM_PATH) return [env.HOTPATH_WASM_PATH];
  const out: string[] = [];
  // asm/build exists only in a source checkout, where it is fresher than a copy in dist/.
  for (const dir of [join(PACKAGE_ROOT, 'asm', 'build'), join(PACKAGE_ROOT, 'dist')]) {
    out.push(join(dir, 'hotpath.wasm'), join(dir, 'hotpath-nosimd.wasm'));
  }
  return out;
}

/** Instantiates the wasm tier, or explains why it could not. */
export function loadWasmModule(env: NodeJS.ProcessEnv = process.env): WasmLoad {
  const tried: string[] = [];
  for (const path of candidates(env)) {
    if (!existsSync(path)) {
      tried.push(`${path}: not found`);
      continue;
    }
    try {
      const bytes = readFileSync(path);
      if (!WebAssembly.validate(bytes)) {
        tried.push(`${path}: not valid on this engine (wasm SIMD unsupported?)`);
        continue;
      }
      let memory: WebAssembly.Memory | undefined;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), wasmImports(() => memory));
      const missing = missingWasmExport(instance.exports);
      if (missing !== null) {
        tried.push(`${path}: not this hotpath build (no export ${missing})`);
        continue;
      }
      const exports = instance.exports as unknown as WasmExports;
      memory = exports.memory;
      return { exports, path };
    } catch (e) {
      tried.push(`${path}: ${(e as Error).message}`);
    }
  }
  return { exports: null, error: `wasm module did not load: ${tried.join('; ')}` };
}

/** The wasm tier loaded from the package (or HOTPATH_WASM_PATH), or a failed tier saying why. */
export function loadWasmTier(): Tier {
  const r = loadWasmModule();
  return r.exports === null ? failedTier('wasm', r.error) : wasmTier(r.exports, r.path);
}
