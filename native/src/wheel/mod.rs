//! Hierarchical timing wheel over u32 node indices (the JS side keeps the
//! payloads in a slab), exported to JS as `NativeTimingWheel`.
//!
//! The algorithm is fixed by the contract in the header of
//! `ts/core/wheel-core.ts`, shared with the JS and wasm tiers: ids, expiry
//! order and nextWake agree bit for bit across tiers.
//!
//! - `core`: the napi-free wheel (struct-of-arrays nodes, slot lists,
//!   occupancy bitmap, free list, advance, invariant check).
//! - `bindings`: the napi class.

mod bindings;
mod core;

#[cfg(test)]
mod tests;
