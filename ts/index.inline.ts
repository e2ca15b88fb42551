/**
 * `hotpath/inline`: the same API as `hotpath`, with both wasm builds carried
 * inside the JavaScript (base64, decoded when the tier loads), so no bundler
 * has to emit or serve a `.wasm` file. This file is the entry for Node and
 * every host without the `browser` condition: the tiers load synchronously
 * on import as with `hotpath` (the native addon where it can be found, the
 * wasm from the inline bytes), so a server-side bundle in another folder
 * still gets the wasm tier. Browsers get `index.inline.browser.js`, where
 * `await init()` compiles the inline build. Neither has a top-level await,
 * so an IIFE bundle works too.
 * @packageDocumentation
 */
// Before the Node platform module, so its wasm loader already holds the inline builds.
import './inline/node-wasm.js';
import './platform/node.js';
export * from './public-api.js';
export { init } from './platform/node.js';
export type { InitOptions, WasmSource } from './platform/init-options.js';
