//! Statistics exports: finiteness scan, summary, percentiles, moving
//! average and outliers.

use napi::bindgen_prelude::{Float64ArraySlice, Uint32Array};
use napi::Result;
use napi_derive::napi;

use crate::args::{self, span};
use crate::pool;

/// Index of the first NaN or ±Infinity in `x`, or -1.
#[napi(js_name = "firstNonFiniteF64", catch_unwind)]
pub fn first_non_finite_f64(x: &[f64]) -> f64 {
  super::finite::first_non_finite(x).map_or(-1.0, |i| i as f64)
}

/// out = [count, sum, mean, variance, std, min, max, median].
#[napi(js_name = "statsF64", catch_unwind)]
pub fn stats_f64(x: &[f64], ddof: f64, mut out: Float64ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("x", x)])?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  Ok(super::stats(pool::pool(), x, ddof, out)?)
}

/// Type-7 (numpy default) percentiles, ps in [0, 100].
#[napi(js_name = "percentilesF64", catch_unwind)]
pub fn percentiles_f64(x: &[f64], ps: &[f64], mut out: Float64ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("x", x), span("ps", ps)])?;
  // SAFETY: as in stats_f64.
  let out = unsafe { out.as_mut() };
  Ok(super::percentiles(pool::pool(), x, ps, out)?)
}

/// 'valid' moving average: out[i] = mean(x[i..i+window]).
#[napi(js_name = "movingAverageF64", catch_unwind)]
pub fn moving_average_f64(x: &[f64], window: f64, mut out: Float64ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("x", x)])?;
  let window = args::positive_int_arg("window", window)?;
  // SAFETY: as in stats_f64.
  let out = unsafe { out.as_mut() };
  Ok(super::moving_average(pool::pool(), x, window, out)?)
}

/// Ascending indices outside [Q1 - k*IQR, Q3 + k*IQR].
#[napi(js_name = "outliersIqrF64", catch_unwind)]
pub fn outliers_iqr_f64(x: &[f64], k: f64) -> Result<Uint32Array> {
  Ok(Uint32Array::new(super::outliers_iqr(pool::pool(), x, k)?))
}

/// Ascending indices with |x - mean| / std > threshold (population std).
#[napi(js_name = "outliersZscoreF64", catch_unwind)]
pub fn outliers_zscore_f64(x: &[f64], threshold: f64) -> Result<Uint32Array> {
  Ok(Uint32Array::new(super::outliers_zscore(pool::pool(), x, threshold)?))
}
