//! B+ tree mapping number or byte-string keys to u32 slots (the JS side
//! keeps the values in a slab), exported to JS as `NativeBTree`.
//!
//! - `keys`: per-node key storage (f64s, or one packed byte buffer).
//! - `node`: leaf / internal nodes, addressed by index into arena Vecs.
//! - `tree`: the generic tree (insert, delete, scans, bulk load, check).
//! - `bindings`: the napi class.

mod bindings;
mod keys;
mod node;
mod tree;

#[cfg(test)]
mod tests;
