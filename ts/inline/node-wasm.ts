// Imported by the Node flavour of hotpath/inline before the Node platform
// module: hands the wasm loader the builds carried in the JS, so the wasm
// tier loads without a file (a server bundle in another folder has none).
import { provideInlineWasm } from '../tiers/wasm/loader.js';
import { INLINE_NO_SIMD_LABEL, INLINE_SIMD_LABEL, inlineNoSimdWasm, inlineSimdWasm } from './builds.js';

provideInlineWasm([
  { path: INLINE_SIMD_LABEL, bytes: inlineSimdWasm },
  { path: INLINE_NO_SIMD_LABEL, bytes: inlineNoSimdWasm },
]);
