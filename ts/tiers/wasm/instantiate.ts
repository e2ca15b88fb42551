// Asynchronous wasm instantiation for browsers (and any host with fetch):
// nothing here touches the file system, so bundles stay free of Node built-ins.
import { missingWasmExport, wasmImports, type WasmExports } from './exports.js';

/**
 * Where a wasm build comes from: a URL (string or `URL`) to fetch, a fetch
 * `Response` (or a promise of one), the module's bytes, or an already
 * compiled `WebAssembly.Module`.
 */
export type WasmSource = string | URL | Response | PromiseLike<Response> | BufferSource | WebAssembly.Module;

// (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)):
// the smallest module using a SIMD opcode; engines without wasm SIMD reject it.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

/** Whether this engine validates wasm SIMD (128-bit) code. */
export function wasmSimdSupported(): boolean {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

/** Where a source came from, for backend().tiers.wasm.path. */
export function describeSource(source: WasmSource): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  if (typeof Response !== 'undefined' && source instanceof Response) return source.url || '(Response)';
  if (source instanceof WebAssembly.Module) return '(WebAssembly.Module)';
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return '(bytes)';
  return '(Response promise)';
}

async function fromResponse(res: Response, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  if (!res.ok) throw new Error(`${res.url || 'wasm response'}: HTTP ${res.status} ${res.statusText}`.trim());
  // Streaming compilation insists on the application/wasm MIME type; servers
  // that send another one still work through the (slower) buffered path.
  const mime = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (mime === 'application/wasm' && typeof WebAssembly.instantiateStreaming === 'function') {
    return (await WebAssembly.instantiateStreaming(res, imports)).instance;
  }
  return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
}

async function instantiate(source: WasmSource, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  if (source instanceof WebAssembly.Module) return WebAssembly.instantiate(source, imports);
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return (await WebAssembly.instantiate(source, imports)).instance;
  if (typeof source === 'string' || source instanceof URL) return fromResponse(await fetch(source), imports);
  return fromResponse(await source, imports);
}

/** Fetches (or takes), compiles and instantiates a hotpath wasm build. */
export async function instantiateWasm(source: WasmSource): Promise<WasmExports> {
  let memory: WebAssembly.Memory | undefined;
  const instance = await instantiate(source, wasmImports(() => memory));
  const missing = missingWasmExport(instance.exports);
  if (missing !== null) throw new Error(`${describeSource(source)} is not a hotpath wasm build (missing export ${missing})`);
  const exports = instance.exports as unknown as WasmExports;
  memory = exports.memory;
  return exports;
}
