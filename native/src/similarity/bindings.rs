//! Pairwise, batch and top-k similarity exports.

use napi::bindgen_prelude::{Float32ArraySlice, Uint32ArraySlice};
use napi::Result;
use napi_derive::napi;

use super::batch::{self, Metric};
use super::Kernels;
use crate::args::{self, span};
use crate::pool;

#[napi(js_name = "dotF32", catch_unwind)]
pub fn dot_f32(a: &[f32], b: &[f32]) -> Result<f64> {
  args::same_len(("a", a.len()), ("b", b.len()))?;
  Ok((Kernels::active().dot_f32)(a, b))
}

#[napi(js_name = "dotF64", catch_unwind)]
pub fn dot_f64(a: &[f64], b: &[f64]) -> Result<f64> {
  args::same_len(("a", a.len()), ("b", b.len()))?;
  Ok(Kernels::active().dot_pair_f64(a, b))
}

#[napi(js_name = "cosineF32", catch_unwind)]
pub fn cosine_f32(a: &[f32], b: &[f32]) -> Result<f64> {
  args::same_len(("a", a.len()), ("b", b.len()))?;
  Ok(Kernels::active().cosine_f32(a, b))
}

#[napi(js_name = "cosineF64", catch_unwind)]
pub fn cosine_f64(a: &[f64], b: &[f64]) -> Result<f64> {
  args::same_len(("a", a.len()), ("b", b.len()))?;
  Ok(Kernels::active().cosine_f64(a, b))
}

#[napi(js_name = "euclideanF32", catch_unwind)]
pub fn euclidean_f32(a: &[f32], b: &[f32]) -> Result<f64> {
  args::same_len(("a", a.len()), ("b", b.len()))?;
  Ok(Kernels::active().euclidean_f32(a, b))
}

#[napi(js_name = "euclideanF64", catch_unwind)]
pub fn euclidean_f64(a: &[f64], b: &[f64]) -> Result<f64> {
  args::same_len(("a", a.len()), ("b", b.len()))?;
  Ok(Kernels::active().euclidean_f64(a, b))
}

#[napi(js_name = "cosineBatchF32", catch_unwind)]
pub fn cosine_batch_f32(queries: &[f32], matrix: &[f32], dim: f64, mut out: Float32ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("queries", queries), span("matrix", matrix)])?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  let dim = args::positive_int_arg("dim", dim)?;
  Ok(batch::cosine_batch_f32(&Kernels::active(), pool::pool(), queries, matrix, dim, out)?)
}

#[napi(js_name = "euclideanBatchF32", catch_unwind)]
pub fn euclidean_batch_f32(queries: &[f32], matrix: &[f32], dim: f64, mut out: Float32ArraySlice) -> Result<()> {
  args::disjoint("out", &out, &[span("queries", queries), span("matrix", matrix)])?;
  // SAFETY: as in cosine_batch_f32.
  let out = unsafe { out.as_mut() };
  let dim = args::positive_int_arg("dim", dim)?;
  Ok(batch::euclidean_batch_f32(&Kernels::active(), pool::pool(), queries, matrix, dim, out)?)
}

/// Returns how many scores were non-finite (NaN rows are skipped).
#[napi(js_name = "topKF32", catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn top_k_f32(
  query: &[f32],
  matrix: &[f32],
  dim: f64,
  k: f64,
  metric: f64,
  mut out_indices: Uint32ArraySlice,
  mut out_scores: Float32ArraySlice,
) -> Result<u32> {
  let (query_span, matrix_span) = (span("query", query), span("matrix", matrix));
  args::disjoint("outIndices", &out_indices, &[query_span, matrix_span])?;
  args::disjoint("outScores", &out_scores, &[query_span, matrix_span, span("outIndices", &out_indices)])?;
  let metric = Metric::from_code(args::int_arg("metric", metric)? as u32)?;
  let k = args::int_arg("k", k)?;
  let dim = args::positive_int_arg("dim", dim)?;
  // SAFETY: the two outputs overlap neither each other nor any input.
  let (idx, scores) = unsafe { (out_indices.as_mut(), out_scores.as_mut()) };
  Ok(batch::top_k_f32(&Kernels::active(), pool::pool(), query, matrix, dim, k, metric, idx, scores)?)
}
