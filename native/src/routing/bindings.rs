//! Routing exports: XXH64 of texts, jump hash, rendezvous.

use napi::bindgen_prelude::{BigUint64ArraySlice, Float64ArraySlice, Uint32ArraySlice};
use napi::Result;
use napi_derive::napi;

use crate::args::{self, span};
use crate::pool;

/// XXH64 (seed 0) of each UTF-8 text bytes[offsets[t], offsets[t+1]) into out.
#[napi(js_name = "hashTexts", catch_unwind)]
pub fn hash_texts(bytes: &[u8], offsets: &[u32], mut out: BigUint64ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("bytes", bytes), span("offsets", offsets)])?;
  // The offsets slice the bytes after they are validated: a private copy
  // keeps a SharedArrayBuffer rewritten meanwhile from moving one out of
  // bounds. The bytes are only hashed, so they are read in place.
  let offsets = args::snapshot("offsets", offsets)?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  Ok(super::hash_texts(pool::pool(), bytes, &offsets, out)?)
}

/// Jump consistent hash of each 64-bit key into out; buckets in [1, 2^31].
#[napi(js_name = "jumpHash", catch_unwind)]
pub fn jump_hash(keys: &[u64], buckets: f64, mut out: Uint32ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("keys", keys)])?;
  // SAFETY: as in hash_texts (keys are only values).
  let out = unsafe { out.as_mut() };
  Ok(super::jump_hash(pool::pool(), keys, buckets, out)?)
}

/// Index of each key's highest-scoring node (lowest index on a tie) into out.
#[napi(js_name = "rendezvous", catch_unwind)]
pub fn rendezvous(
  keys: &[u64],
  seeds: &[u64],
  weights: &[f64],
  uniform: bool,
  mut out: Uint32ArraySlice,
) -> Result<()> {
  args::disjoint("out", &out, &[span("keys", keys), span("seeds", seeds), span("weights", weights)])?;
  // Weights are checked (finite, > 0) and then trusted to keep scores ordered: copied first.
  let weights = args::snapshot("weights", weights)?;
  // SAFETY: as in hash_texts.
  let out = unsafe { out.as_mut() };
  Ok(super::rendezvous(pool::pool(), keys, seeds, &weights, uniform, out)?)
}

/// Every node's score for each key, key-major, into out.
#[napi(js_name = "rendezvousScores", catch_unwind)]
pub fn rendezvous_scores(
  keys: &[u64],
  seeds: &[u64],
  weights: &[f64],
  uniform: bool,
  mut out: Float64ArraySlice,
) -> Result<()> {
  args::disjoint("out", &out, &[span("keys", keys), span("seeds", seeds), span("weights", weights)])?;
  let weights = args::snapshot("weights", weights)?;
  // SAFETY: as in hash_texts.
  let out = unsafe { out.as_mut() };
  Ok(super::rendezvous_scores(keys, seeds, &weights, uniform, out)?)
}
