//! hotpath's native tier. Each domain is a folder whose kernels are
//! napi-free (so plain `cargo test` covers them) and whose `bindings`
//! module holds its `#[napi]` exports.
//!
//! Every export uses `catch_unwind`: a Rust panic becomes a JS exception
//! instead of aborting the Node process (panics on pool threads unwind to
//! the caller; see `pool`). Typed arrays are borrowed in place (napi hands
//! out the view's own pointer, byteOffset already applied), but a view may
//! sit on a SharedArrayBuffer that another thread rewrites mid-call, so an
//! array that is validated and then trusted (offsets, indices, keys, level
//! sizes) is copied first and the copy validated (`args::snapshot`); arrays
//! that are only values (severities, text bytes, matrices) are read in place.

// napi registers the exports only outside `cfg(test)`, so test builds see
// the bindings, and what only they use, as dead; the addon build still
// checks for dead code.
#![cfg_attr(test, allow(dead_code))]

// Domains, named as in the TS and AssemblyScript tiers.
mod btree;
mod features;
mod matmul;
mod model;
mod risk;
mod routing;
mod similarity;
mod sketch;
mod statistics;
mod wheel;

// Shared by the domains.
mod abi;
mod args;
mod async_kernels;
mod bandwidth;
mod error;
mod par;
mod platform_bindings;
mod pool;
mod simd;
mod topology;

#[cfg(test)]
mod test_rng;
