// The published types of init()'s options. A Node consumer compiling with
// `lib: ["es2022"]` and @types/node 20 has neither DOM's `BufferSource` nor the
// `WebAssembly` namespace, and with `skipLibCheck: false` every name here must
// resolve there; so the bytes are spelled structurally and the module type is
// looked up on `globalThis`. What a browser user can pass stays the same.

/** Bytes of a wasm build: an ArrayBuffer or a view of one (DOM's `BufferSource`). */
export type WasmBytes = ArrayBuffer | (ArrayBufferView & { readonly buffer: ArrayBuffer });

/**
 * A compiled `WebAssembly.Module` where the consumer's types declare one (the
 * DOM lib, newer @types/node), else `never`: such a consumer has no way to name
 * a module anyway.
 */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: never[]) => infer M } } ? M : never;

/**
 * Where a wasm build comes from: a URL (string or `URL`) to fetch, a fetch
 * `Response` (or a promise of one), the module's bytes, or an already
 * compiled `WebAssembly.Module`.
 */
export type WasmSource = string | URL | Response | PromiseLike<Response> | WasmBytes | WasmModule;

/** Options of {@link init}. Only the browser build reads them. */
export interface InitOptions {
  /**
   * The SIMD build. Default: `hotpath.wasm` beside the package's JavaScript,
   * as `new URL('./hotpath.wasm', import.meta.url)` (bundlers that understand
   * that pattern emit and rewrite it; see the README).
   */
  wasm?: WasmSource | undefined;
  /** The build without SIMD, for engines that lack wasm SIMD. Default: `hotpath-nosimd.wasm` beside the package's JavaScript. */
  wasmNoSimd?: WasmSource | undefined;
  /**
   * `'auto'` (default) loads the SIMD build when `WebAssembly.validate`
   * accepts a SIMD probe, else the no-SIMD build; `false` always loads the
   * no-SIMD build; `true` loads the SIMD build and fails where it cannot run.
   */
  simd?: boolean | 'auto' | undefined;
}
