//! `*Async` similarity exports: cosineBatch, euclideanBatch and topK as
//! napi `AsyncTask`s on the libuv pool (see `crate::async_kernels` for how
//! the inputs are held and what is checked where). Here rather than there
//! because the batch kernels are private to this domain.

use napi::bindgen_prelude::{AbortSignal, AsyncTask, Float32Array, Uint32Array};
use napi::Result;
use napi_derive::napi;

use super::batch::{self, Metric};
use super::Kernels;
use crate::args::{self, span};
use crate::async_kernels::{task, Job};
use crate::error::ArgResult;
use crate::pool;

fn cosine_batch_job(
  queries: Float32Array,
  matrix: Float32Array,
  dim: f64,
  mut out: Float32Array,
) -> ArgResult<Job<()>> {
  args::disjoint("out", &out, &[span("queries", &queries), span("matrix", &matrix)])?;
  let dim = args::positive_int_arg("dim", dim)?;
  Ok(Job::new(move || {
    // SAFETY: `out` overlaps no input (checked at call time, on the
    // pointers the task holds); the caller must not touch it while the
    // task is in flight (a concurrent writer tears values, no more).
    let o = unsafe { out.as_mut() };
    Ok(batch::cosine_batch_f32(&Kernels::active(), pool::pool(), &queries, &matrix, dim, o)?)
  }))
}

fn euclidean_batch_job(
  queries: Float32Array,
  matrix: Float32Array,
  dim: f64,
  mut out: Float32Array,
) -> ArgResult<Job<()>> {
  args::disjoint("out", &out, &[span("queries", &queries), span("matrix", &matrix)])?;
  let dim = args::positive_int_arg("dim", dim)?;
  Ok(Job::new(move || {
    // SAFETY: as in cosine_batch_job.
    let o = unsafe { out.as_mut() };
    Ok(batch::euclidean_batch_f32(&Kernels::active(), pool::pool(), &queries, &matrix, dim, o)?)
  }))
}

#[allow(clippy::too_many_arguments)]
fn top_k_job(
  query: Float32Array,
  matrix: Float32Array,
  dim: f64,
  k: f64,
  metric: f64,
  mut out_indices: Uint32Array,
  mut out_scores: Float32Array,
) -> ArgResult<Job<u32>> {
  let (query_span, matrix_span) = (span("query", &query), span("matrix", &matrix));
  args::disjoint("outIndices", &out_indices, &[query_span, matrix_span])?;
  args::disjoint("outScores", &out_scores, &[query_span, matrix_span, span("outIndices", &out_indices)])?;
  let metric = Metric::from_code(args::int_arg("metric", metric)? as u32)?;
  let k = args::int_arg("k", k)?;
  let dim = args::positive_int_arg("dim", dim)?;
  Ok(Job::new(move || {
    // SAFETY: the two outputs overlap neither each other nor any input.
    let (idx, scores) = unsafe { (out_indices.as_mut(), out_scores.as_mut()) };
    Ok(batch::top_k_f32(&Kernels::active(), pool::pool(), &query, &matrix, dim, k, metric, idx, scores)?)
  }))
}

/// As cosineBatchF32, on the libuv pool. `signal` (napi-rs' AbortSignal)
/// cancels the task while it is still queued.
#[napi(js_name = "cosineBatchF32Async", catch_unwind, ts_return_type = "Promise<void>")]
pub fn cosine_batch_f32_async(
  queries: Float32Array,
  matrix: Float32Array,
  dim: f64,
  out: Float32Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<()>>> {
  Ok(task(cosine_batch_job(queries, matrix, dim, out)?, signal))
}

/// As euclideanBatchF32, on the libuv pool.
#[napi(js_name = "euclideanBatchF32Async", catch_unwind, ts_return_type = "Promise<void>")]
pub fn euclidean_batch_f32_async(
  queries: Float32Array,
  matrix: Float32Array,
  dim: f64,
  out: Float32Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<()>>> {
  Ok(task(euclidean_batch_job(queries, matrix, dim, out)?, signal))
}

/// As topKF32, on the libuv pool; resolves to the count of non-finite scores.
#[napi(js_name = "topKF32Async", catch_unwind, ts_return_type = "Promise<number>")]
#[allow(clippy::too_many_arguments)]
pub fn top_k_f32_async(
  query: Float32Array,
  matrix: Float32Array,
  dim: f64,
  k: f64,
  metric: f64,
  out_indices: Uint32Array,
  out_scores: Float32Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<u32>>> {
  Ok(task(top_k_job(query, matrix, dim, k, metric, out_indices, out_scores)?, signal))
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::async_kernels::tests::{f32s, run};
  use crate::test_rng::Rng;
  use napi::Task;

  #[test]
  fn batch_jobs_match_the_sync_kernels() {
    let mut rng = Rng::new(7);
    let (dim, q, n) = (19, 3, 257);
    let (qs, m) = (f32s(&mut rng, q * dim), f32s(&mut rng, n * dim));
    let k = Kernels::active();
    for cosine in [true, false] {
      let mut want = vec![0f32; q * n];
      let out = Float32Array::new(vec![0f32; q * n]);
      let (qa, ma) = (Float32Array::new(qs.clone()), Float32Array::new(m.clone()));
      // Compute writes through the array the job holds; read it back via
      // the same allocation.
      let ptr = out.as_ptr();
      let job = if cosine {
        batch::cosine_batch_f32(&k, pool::pool(), &qs, &m, dim, &mut want).unwrap();
        cosine_batch_job(qa, ma, dim as f64, out).unwrap()
      } else {
        batch::euclidean_batch_f32(&k, pool::pool(), &qs, &m, dim, &mut want).unwrap();
        euclidean_batch_job(qa, ma, dim as f64, out).unwrap()
      };
      let mut job = job;
      job.compute().unwrap();
      // SAFETY: the job still owns (and so keeps alive) the output.
      let got = unsafe { std::slice::from_raw_parts(ptr, q * n) };
      assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
      );
    }
  }

  #[test]
  fn top_k_matches_the_sync_kernel() {
    let mut rng = Rng::new(5);
    let (dim, n, k) = (7, 300, 10);
    let (q, m) = (f32s(&mut rng, dim), f32s(&mut rng, n * dim));
    for (code, metric) in
      [(0u32, Metric::from_code(0).unwrap()), (1, Metric::from_code(1).unwrap()), (2, Metric::from_code(2).unwrap())]
    {
      let (mut wi, mut ws) = (vec![0u32; k], vec![0f32; k]);
      let bad = batch::top_k_f32(&Kernels::active(), pool::pool(), &q, &m, dim, k, metric, &mut wi, &mut ws).unwrap();
      let (oi, os) = (Uint32Array::new(vec![0; k]), Float32Array::new(vec![0.0; k]));
      let (pi, ps) = (oi.as_ptr(), os.as_ptr());
      let mut job = top_k_job(
        Float32Array::new(q.clone()),
        Float32Array::new(m.clone()),
        dim as f64,
        k as f64,
        code as f64,
        oi,
        os,
      )
      .unwrap();
      assert_eq!(job.compute().unwrap(), bad);
      // SAFETY: the job keeps both outputs alive.
      let (gi, gs) = unsafe { (std::slice::from_raw_parts(pi, k), std::slice::from_raw_parts(ps, k)) };
      assert_eq!(gi, &wi[..]);
      assert_eq!(
        gs.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        ws.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
      );
    }
  }

  #[test]
  fn call_time_checks_name_the_argument() {
    let q = Float32Array::new(vec![0.0; 4]);
    let m = Float32Array::new(vec![0.0; 8]);
    let e = cosine_batch_job(q, m, 0.0, Float32Array::new(vec![0.0; 2])).err().unwrap();
    assert_eq!(e.to_string(), "dim: must be a positive integer");
    let e = top_k_job(
      Float32Array::new(vec![0.0; 4]),
      Float32Array::new(vec![0.0; 8]),
      4.0,
      1.0,
      99.0,
      Uint32Array::new(vec![0; 1]),
      Float32Array::new(vec![0.0; 1]),
    )
    .err()
    .unwrap();
    assert_eq!(e.arg, "metric");
    // The kernel's own length checks run in compute.
    let job = euclidean_batch_job(
      Float32Array::new(vec![0.0; 4]),
      Float32Array::new(vec![0.0; 7]),
      4.0,
      Float32Array::new(vec![0.0; 2]),
    )
    .unwrap();
    assert!(run(job).unwrap_err().reason.starts_with("matrix: length 7"));
  }
}
