/**
 * hotpath: accelerated kernels for risk, security and caching hot paths.
 * Every call is dispatched to the native (Rust), wasm (AssemblyScript) or js
 * tier; see {@link backend}. The async helpers (e.g. {@link cosineBatchAsync})
 * also use a WebGPU device opened by {@link gpu}.init() for large inputs.
 * @packageDocumentation
 */
// First, so the tiers are loaded before any API module runs.
import './platform/node.js';
export * from './public-api.js';
export { init } from './platform/node.js';
export type { InitOptions, WasmSource } from './platform/init-options.js';
