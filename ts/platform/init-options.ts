import type { WasmSource } from '../tiers/wasm/instantiate.js';

export type { WasmSource } from '../tiers/wasm/instantiate.js';

/** Options of {@link init}. Only the browser build reads them. */
export interface InitOptions {
  /**
   * The SIMD build. Default: `hotpath.wasm` beside the package's JavaScript,
   * as `new URL('./hotpath.wasm', import.meta.url)` (bundlers that understand
   * that pattern emit and rewrite it; see the README).
   */
  wasm?: WasmSource;
  /** The build without SIMD, for engines that lack wasm SIMD. Default: `hotpath-nosimd.wasm` beside the package's JavaScript. */
  wasmNoSimd?: WasmSource;
  /**
   * `'auto'` (default) loads the SIMD build when `WebAssembly.validate`
   * accepts a SIMD probe, else the no-SIMD build; `false` always loads the
   * no-SIMD build; `true` loads the SIMD build and fails where it cannot run.
   */
  simd?: boolean | 'auto';
}
