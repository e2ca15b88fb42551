//! QuantileSketch's storage core (a DDSketch-style streaming quantile
//! sketch), exported to JS as `NativeQuantileSketch`.
//!
//! The algorithm is fixed by the contract in the header of
//! `ts/contract/sketch.ts`, shared with the JS and wasm tiers: bins, count,
//! sum, min and max agree bit for bit across tiers.
//!
//! - `core`: the napi-free sketch (fdlibm log, key mappings, the two
//!   collapsing stores over one buffer, add / addBins / merge).
//! - `bindings`: the napi class.

mod bindings;
mod core;

// The routing domain's weighted scores use the same log, so they agree across tiers too.
pub(crate) use self::core::fdlibm_log;

#[cfg(test)]
mod tests;
