// Declarations of dist/inline/wasm-base64.js, which scripts/copy-assets.mjs
// writes from dist/*.wasm after tsc (the module exists only in dist/).

/** `hotpath.wasm` (the SIMD build), base64. @internal */
export declare const SIMD_WASM_BASE64: string;
/** `hotpath-nosimd.wasm`, base64. @internal */
export declare const NO_SIMD_WASM_BASE64: string;
