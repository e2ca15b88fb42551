// Imported first by the conformance page, so the values the test files read
// as process.env.* (esbuild defines pointing here) are set before they run.
// ?simd=0: the no-SIMD build (HOTPATH_WASM_PATH on Node); ?tiers=wasm: only
// the wasm tier's tests (the js tier does not depend on the wasm build).
const params = new URLSearchParams(location.search);
const g = globalThis as Record<string, unknown>;

/** Whether this page loads the SIMD build. */
export const SIMD = params.get('simd') !== '0';
g.__HOTPATH_WASM_PATH__ = SIMD ? '' : 'hotpath-nosimd.wasm';
g.__HOTPATH_EXPECT_ABSENT__ = params.get('tiers') === 'wasm' ? 'native,js' : 'native';
