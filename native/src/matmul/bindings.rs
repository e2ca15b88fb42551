//! Matrix product exports.

use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice};
use napi::Result;
use napi_derive::napi;

use crate::args::{self, span};
use crate::error::ArgResult;
use crate::pool;

fn dims(m: f64, k: f64, n: f64) -> ArgResult<(usize, usize, usize)> {
  Ok((args::int_arg("m", m)?, args::int_arg("k", k)?, args::int_arg("n", n)?))
}

/// out (m x n) = a (m x k) . b (k x n), row-major; out is overwritten.
#[napi(js_name = "matmulF32", catch_unwind)]
pub fn matmul_f32(a: &[f32], b: &[f32], m: f64, k: f64, n: f64, mut out: Float32ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("a", a), span("b", b)])?;
  let (m, k, n) = dims(m, k, n)?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  Ok(super::matmul(pool::pool(), a, b, m, k, n, out)?)
}

/// As matmulF32, in f64.
#[napi(js_name = "matmulF64", catch_unwind)]
pub fn matmul_f64(a: &[f64], b: &[f64], m: f64, k: f64, n: f64, mut out: Float64ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("a", a), span("b", b)])?;
  let (m, k, n) = dims(m, k, n)?;
  // SAFETY: as in matmul_f32.
  let out = unsafe { out.as_mut() };
  Ok(super::matmul(pool::pool(), a, b, m, k, n, out)?)
}
