/**
 * hotpath for browsers (the `browser` condition of the package's exports):
 * the same API as the Node entry over the wasm and js tiers (and WebGPU
 * through navigator.gpu), with no Node built-ins. Call `await init()` to
 * load the wasm tier; until it resolves every call runs on js.
 * @packageDocumentation
 */
// First, so the tier placeholders and topology probe are in place before any API module runs.
import './platform/browser.js';
export * from './public-api.js';
export { init } from './platform/browser.js';
export type { InitOptions, WasmSource } from './platform/init-options.js';
