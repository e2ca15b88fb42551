//! The n-gram feature export.

use napi::bindgen_prelude::Float32ArraySlice;
use napi::Result;
use napi_derive::napi;

use crate::args::{self, span};
use crate::pool;

/// Hashed character n-gram counts (FNV-1a 32, bucket = hash % dims), one
/// row of `dims` per text; L2-normalised rows when `normalize`.
#[napi(js_name = "ngramFeatures", catch_unwind)]
pub fn ngram_features(
  bytes: &[u8],
  offsets: &[u32],
  n: f64,
  dims: f64,
  normalize: bool,
  mut out: Float32ArraySlice,
) -> Result<()> {
  args::disjoint("out", &out, &[span("bytes", bytes), span("offsets", offsets)])?;
  let n = args::positive_int_arg("n", n)?;
  let dims = args::positive_int_arg("dims", dims)?;
  // Texts are sliced by the offsets after they are validated: a private
  // copy keeps a SharedArrayBuffer rewritten meanwhile from moving one out
  // of bounds. The bytes are only hashed (any content is safe), so they are
  // read in place.
  let offsets = args::snapshot("offsets", offsets)?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  Ok(super::ngram_features(pool::pool(), bytes, &offsets, n, dims, normalize, out)?)
}
