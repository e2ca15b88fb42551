//! Risk exports: noisy-OR scores and temporal decay.

use napi::bindgen_prelude::Float64ArraySlice;
use napi::Result;
use napi_derive::napi;

use crate::args::{self, span};
use crate::pool;

/// Noisy-OR risk of one entity; NaN if any severity or confidence is
/// non-finite.
#[napi(js_name = "riskScoreF64", catch_unwind)]
pub fn risk_score_f64(severities: &[f64], confidences: &[f64], max_severity: f64) -> Result<f64> {
  Ok(super::risk_score(severities, confidences, max_severity)?)
}

/// Noisy-OR per entity e over signals offsets[e]..offsets[e+1] into out.
/// Returns how many signals had a non-finite severity or confidence
/// (their entities get NaN).
#[napi(js_name = "riskScoreBatchF64", catch_unwind)]
pub fn risk_score_batch_f64(
  severities: &[f64],
  confidences: &[f64],
  offsets: &[u32],
  max_severity: f64,
  mut out: Float64ArraySlice,
) -> Result<u32> {
  let inputs = [span("severities", severities), span("confidences", confidences), span("offsets", offsets)];
  args::disjoint("out", &out, &inputs)?;
  // The kernel slices by the offsets after validating them: it gets a
  // private copy, so a SharedArrayBuffer rewritten meanwhile cannot move an
  // offset out of bounds (severities and confidences are only values).
  let offsets = args::snapshot("offsets", offsets)?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  Ok(super::risk_score_batch(pool::pool(), severities, confidences, &offsets, max_severity, out)?)
}

/// out[i] = scores[i] * 2^(-ages[i] / halfLife). Returns flags: 1 if any
/// score or age is non-finite, 2 if any age is negative.
#[napi(js_name = "temporalDecayF64", catch_unwind)]
pub fn temporal_decay_f64(scores: &[f64], ages: &[f64], half_life: f64, mut out: Float64ArraySlice) -> Result<u32> {
  args::disjoint("out", &out, &[span("scores", scores), span("ages", ages)])?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  Ok(super::temporal_decay(pool::pool(), scores, ages, half_life, out)?)
}
