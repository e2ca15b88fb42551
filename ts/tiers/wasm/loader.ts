// Synchronous wasm load for Node: the module ships inside the package, or
// inside the JS itself when the entry is hotpath/inline.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failedTier, type Tier } from '../../contract/tier.js';
import { missingWasmExport, wasmImports, type WasmExports } from './exports.js';
import { wasmTier } from './index.js';

/** Outcome of instantiating the wasm module. */
export type WasmLoad = { exports: WasmExports; path: string } | { exports: null; error: string };

/** A build to try: where it is said to come from, and how to get its bytes (null: not there). */
interface Candidate {
  path: string;
  bytes(): Uint8Array<ArrayBuffer> | null;
}

let inlineBuilds: Candidate[] = [];

/**
 * hotpath/inline hands over the builds it carries before the Node platform
 * module loads the tier; they are tried before any file. @internal
 */
export function provideInlineWasm(builds: { path: string; bytes(): Uint8Array<ArrayBuffer> }[]): void {
  inlineBuilds = builds.map((b) => ({ path: b.path, bytes: b.bytes }));
}

/**
 * Where this module's file is, when it is still the package's own file; null
 * when a bundler copied it into another file (its URL then names the bundle)
 * or emptied import.meta (a CommonJS bundle).
 */
function packageRoot(): { root: string } | { bundle: string | null } {
  const url = import.meta.url as string | undefined;
  if (url && /\/(?:dist|ts)\/tiers\/wasm\/loader\.[jt]s$/.test(url)) return { root: fileURLToPath(new URL('../../../', url)) };
  if (url?.startsWith('file:')) return { bundle: fileURLToPath(url) };
  return { bundle: typeof __filename === 'string' ? __filename : null };
}

function file(path: string): Candidate {
  return { path, bytes: () => (existsSync(path) ? (readFileSync(path) as Uint8Array<ArrayBuffer>) : null) };
}

/** Builds are tried in order; the first whose features this engine validates wins. */
function candidates(env: NodeJS.ProcessEnv): { list: Candidate[]; bundle: string | null } {
  if (env.HOTPATH_WASM_PATH) return { list: [file(env.HOTPATH_WASM_PATH)], bundle: null };
  const where = packageRoot();
  // asm/build exists only in a source checkout, where it is fresher than a copy in dist/;
  // a bundle finds the files copied beside it.
  const dirs = 'root' in where ? [join(where.root, 'asm', 'build'), join(where.root, 'dist')] : where.bundle === null ? [] : [dirname(where.bundle)];
  const files = dirs.flatMap((dir) => [file(join(dir, 'hotpath.wasm')), file(join(dir, 'hotpath-nosimd.wasm'))]);
  return { list: [...inlineBuilds, ...files], bundle: 'root' in where ? null : (where.bundle ?? '(a bundle)') };
}

/** Instantiates the wasm tier, or explains why it could not. */
export function loadWasmModule(env: NodeJS.ProcessEnv = process.env): WasmLoad {
  const tried: string[] = [];
  const { list, bundle } = candidates(env);
  for (const { path, bytes: read } of list) {
    try {
      const bytes = read();
      if (bytes === null) {
        tried.push(`${path}: not found`);
        continue;
      }
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
  const hint = bundle === null
    ? ''
    : ` — hotpath was bundled into ${bundle}, and its .wasm files are not beside it: import hotpath/inline (the wasm inside the JS), or keep hotpath out of the bundle (esbuild --packages=external or --external:hotpath), or copy dist/hotpath.wasm and dist/hotpath-nosimd.wasm beside the bundle`;
  return { exports: null, error: `wasm module did not load: ${tried.join('; ') || 'no build to try'}${hint}` };
}

/** The wasm tier loaded from the package (or HOTPATH_WASM_PATH), or a failed tier saying why. */
export function loadWasmTier(): Tier {
  const r = loadWasmModule();
  return r.exports === null ? failedTier('wasm', r.error) : wasmTier(r.exports, r.path);
}
