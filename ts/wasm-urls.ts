// Sits at the root of dist/, next to the .wasm files, so the relative URL is
// the same before and after a bundler that leaves `new URL` alone (esbuild):
// the files then have to sit beside the bundle. Vite and webpack 5 see the
// literal `new URL('./x.wasm', import.meta.url)` and emit the asset.

/** Default location of the SIMD build. @internal */
export function simdWasmUrl(): URL {
  return new URL('./hotpath.wasm', import.meta.url);
}

/** Default location of the build without SIMD. @internal */
export function noSimdWasmUrl(): URL {
  return new URL('./hotpath-nosimd.wasm', import.meta.url);
}
