//! `*Async` forms of the batch kernels: the same kernels as the sync
//! bindings, run as napi `AsyncTask`s on the libuv pool (which hands the
//! parallel part to the rayon pool, as the sync calls do), so the JS thread
//! returns at once.
//!
//! Inputs are held, not copied: napi-rs' owned typed arrays keep a reference
//! to the JS view (and so its buffer) from the call until the task is
//! dropped on the JS thread after it settles, and their pointer and length
//! are the ones seen at call time. JS runs meanwhile, so every input is read
//! only within those captured bounds: a SharedArrayBuffer rewritten during
//! the task tears values but moves no bound (it cannot shrink or detach),
//! and what a kernel validates and then trusts (the risk offsets) is copied
//! in `compute` and the copy validated, as `args::snapshot` does for the
//! sync calls. Detaching (transferring) a non-shared input while a task is
//! in flight is the caller's contract to keep: napi offers no way to pin a
//! buffer. The O(1) checks (overlap of `out` with the inputs, integer
//! arguments) run on the JS thread before anything is queued, so a bad call
//! throws there; the kernels' own length checks run in `compute` and reject.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use napi::bindgen_prelude::{
  panic_to_error, AbortSignal, AsyncTask, Either, Float32Array, Float64Array, ToNapiValue, TypeName, Uint32Array,
};
use napi::{Env, Result, Task};
use napi_derive::napi;

use crate::args::{self, span, Span};
use crate::error::{ArgError, ArgResult};
use crate::pool;

type Work<O> = Box<dyn FnMut() -> Result<O> + Send>;

/// One queued kernel call. The closure owns the held arrays, so they live
/// until the task itself is dropped (on the JS thread, after the promise
/// settles or the work is cancelled), not merely until `compute` returns.
pub struct Job<O> {
  work: Work<O>,
}

impl<O> Job<O> {
  pub(crate) fn new(work: impl FnMut() -> Result<O> + Send + 'static) -> Self {
    Job { work: Box::new(work) }
  }
}

impl<O: ToNapiValue + TypeName + Send + 'static> Task for Job<O> {
  type Output = O;
  type JsValue = O;

  fn compute(&mut self) -> Result<O> {
    // A panic here would unwind into libuv and abort the process: reject
    // with it instead (GenericFailure, as the sync exports' catch_unwind).
    catch_unwind(AssertUnwindSafe(|| (self.work)())).unwrap_or_else(|p| Err(panic_to_error(p)))
  }

  fn resolve(&mut self, _env: Env, output: O) -> Result<O> {
    Ok(output)
  }
}

pub(crate) fn task<O>(job: Job<O>, signal: Option<AbortSignal>) -> AsyncTask<Job<O>>
where
  O: ToNapiValue + TypeName + Send + 'static,
{
  AsyncTask::with_optional_signal(job, signal)
}

/// A float input of either storage type, held by reference.
pub enum Floats {
  F64(Float64Array),
  F32(Float32Array),
}

impl From<Either<Float64Array, Float32Array>> for Floats {
  fn from(x: Either<Float64Array, Float32Array>) -> Self {
    match x {
      Either::A(a) => Floats::F64(a),
      Either::B(b) => Floats::F32(b),
    }
  }
}

impl Floats {
  pub(crate) fn span(&self, name: &'static str) -> Span {
    match self {
      Floats::F64(a) => span(name, a),
      Floats::F32(a) => span(name, a),
    }
  }

  /// The values as f64: in place, or widened (exactly, as `toF64` does on
  /// the JS side for the sync kernels) into a copy made here, off the JS
  /// thread. Fails rather than aborts when the copy cannot be allocated.
  pub(crate) fn f64s(&self, name: &'static str) -> ArgResult<Cow<'_, [f64]>> {
    match self {
      Floats::F64(a) => Ok(Cow::Borrowed(a)),
      Floats::F32(a) => {
        let mut v = Vec::new();
        if v.try_reserve_exact(a.len()).is_err() {
          return Err(ArgError::new(name, format!("of {} elements cannot be widened to f64: out of memory", a.len())));
        }
        v.extend(a.iter().map(|&x| f64::from(x)));
        Ok(Cow::Owned(v))
      }
    }
  }
}

// --- jobs (napi-free past the held arrays, so `cargo test` runs them) ---

fn risk_score_batch_job(
  severities: Floats,
  confidences: Floats,
  offsets: Uint32Array,
  max_severity: f64,
  mut out: Float64Array,
) -> ArgResult<Job<u32>> {
  let inputs = [severities.span("severities"), confidences.span("confidences"), span("offsets", &offsets)];
  args::disjoint("out", &out, &inputs)?;
  Ok(Job::new(move || {
    // The kernel slices by the offsets after validating them: it gets a
    // private copy (JS may rewrite a shared one while this runs).
    let offsets = args::snapshot("offsets", &offsets)?;
    let (s, c) = (severities.f64s("severities")?, confidences.f64s("confidences")?);
    // SAFETY: as in cosine_batch_job.
    let o = unsafe { out.as_mut() };
    Ok(crate::risk::risk_score_batch(pool::pool(), &s, &c, &offsets, max_severity, o)?)
  }))
}

fn temporal_decay_job(scores: Floats, ages: Floats, half_life: f64, mut out: Float64Array) -> ArgResult<Job<u32>> {
  args::disjoint("out", &out, &[scores.span("scores"), ages.span("ages")])?;
  Ok(Job::new(move || {
    let (s, a) = (scores.f64s("scores")?, ages.f64s("ages")?);
    // SAFETY: as in cosine_batch_job.
    let o = unsafe { out.as_mut() };
    Ok(crate::risk::temporal_decay(pool::pool(), &s, &a, half_life, o)?)
  }))
}

fn stats_job(x: Floats, ddof: f64, mut out: Float64Array) -> ArgResult<Job<()>> {
  args::disjoint("out", &out, &[x.span("x")])?;
  Ok(Job::new(move || {
    let v = x.f64s("x")?;
    // SAFETY: as in cosine_batch_job.
    let o = unsafe { out.as_mut() };
    Ok(crate::statistics::stats(pool::pool(), &v, ddof, o)?)
  }))
}

fn dims(m: f64, k: f64, n: f64) -> ArgResult<(usize, usize, usize)> {
  Ok((args::int_arg("m", m)?, args::int_arg("k", k)?, args::int_arg("n", n)?))
}

fn matmul_f32_job(
  a: Float32Array,
  b: Float32Array,
  m: f64,
  k: f64,
  n: f64,
  mut out: Float32Array,
) -> ArgResult<Job<()>> {
  args::disjoint("out", &out, &[span("a", &a), span("b", &b)])?;
  let (m, k, n) = dims(m, k, n)?;
  Ok(Job::new(move || {
    // SAFETY: as in cosine_batch_job.
    let o = unsafe { out.as_mut() };
    Ok(crate::matmul::matmul(pool::pool(), &a, &b, m, k, n, o)?)
  }))
}

fn matmul_f64_job(
  a: Float64Array,
  b: Float64Array,
  m: f64,
  k: f64,
  n: f64,
  mut out: Float64Array,
) -> ArgResult<Job<()>> {
  args::disjoint("out", &out, &[span("a", &a), span("b", &b)])?;
  let (m, k, n) = dims(m, k, n)?;
  Ok(Job::new(move || {
    // SAFETY: as in cosine_batch_job.
    let o = unsafe { out.as_mut() };
    Ok(crate::matmul::matmul(pool::pool(), &a, &b, m, k, n, o)?)
  }))
}

/// Index of the first NaN or ±Infinity in `x`, if any: exponent bits ORed
/// per block so it vectorises, as `statistics::finite` does for the sync
/// f64 scan (which the statistics domain keeps private); same answer.
fn first_non_finite_by<T: Copy>(x: &[T], bits: impl Fn(T) -> u64, exp: u64) -> Option<usize> {
  const BLOCK: usize = 1024;
  for (b, block) in x.chunks(BLOCK).enumerate() {
    let any = block.iter().fold(0u64, |acc, &v| acc | u64::from(bits(v) & exp == exp));
    if any != 0 {
      return block.iter().position(|&v| bits(v) & exp == exp).map(|i| b * BLOCK + i);
    }
  }
  None
}

fn first_non_finite_f32(x: &[f32]) -> Option<usize> {
  first_non_finite_by(x, |v| u64::from(v.to_bits()), 0x7f80_0000)
}

fn first_non_finite_f64(x: &[f64]) -> Option<usize> {
  first_non_finite_by(x, f64::to_bits, 0x7ff0_0000_0000_0000)
}

fn first_non_finite_job(x: Floats) -> Job<f64> {
  Job::new(move || {
    let at = match &x {
      Floats::F64(a) => first_non_finite_f64(a),
      Floats::F32(a) => first_non_finite_f32(a),
    };
    Ok(at.map_or(-1.0, |i| i as f64))
  })
}

// --- exports ---

/// As riskScoreBatchF64 (f64 arithmetic; Float32Array inputs are widened
/// off the JS thread); resolves to the count of non-finite signals.
#[napi(js_name = "riskScoreBatchF64Async", catch_unwind, ts_return_type = "Promise<number>")]
pub fn risk_score_batch_f64_async(
  severities: Either<Float64Array, Float32Array>,
  confidences: Either<Float64Array, Float32Array>,
  offsets: Uint32Array,
  max_severity: f64,
  out: Float64Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<u32>>> {
  Ok(task(risk_score_batch_job(severities.into(), confidences.into(), offsets, max_severity, out)?, signal))
}

/// As temporalDecayF64 (Float32Array inputs widened off the JS thread);
/// resolves to its flags.
#[napi(js_name = "temporalDecayF64Async", catch_unwind, ts_return_type = "Promise<number>")]
pub fn temporal_decay_f64_async(
  scores: Either<Float64Array, Float32Array>,
  ages: Either<Float64Array, Float32Array>,
  half_life: f64,
  out: Float64Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<u32>>> {
  Ok(task(temporal_decay_job(scores.into(), ages.into(), half_life, out)?, signal))
}

/// As statsF64 (a Float32Array is widened off the JS thread).
#[napi(js_name = "statsF64Async", catch_unwind, ts_return_type = "Promise<void>")]
pub fn stats_f64_async(
  x: Either<Float64Array, Float32Array>,
  ddof: f64,
  out: Float64Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<()>>> {
  Ok(task(stats_job(x.into(), ddof, out)?, signal))
}

/// As matmulF32, on the libuv pool.
#[napi(js_name = "matmulF32Async", catch_unwind, ts_return_type = "Promise<void>")]
pub fn matmul_f32_async(
  a: Float32Array,
  b: Float32Array,
  m: f64,
  k: f64,
  n: f64,
  out: Float32Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<()>>> {
  Ok(task(matmul_f32_job(a, b, m, k, n, out)?, signal))
}

/// As matmulF64, on the libuv pool.
#[napi(js_name = "matmulF64Async", catch_unwind, ts_return_type = "Promise<void>")]
pub fn matmul_f64_async(
  a: Float64Array,
  b: Float64Array,
  m: f64,
  k: f64,
  n: f64,
  out: Float64Array,
  signal: Option<AbortSignal>,
) -> Result<AsyncTask<Job<()>>> {
  Ok(task(matmul_f64_job(a, b, m, k, n, out)?, signal))
}

/// Index of the first NaN or ±Infinity in `x` (f32 or f64), or -1, on the
/// libuv pool.
#[napi(js_name = "firstNonFiniteAsync", catch_unwind, ts_return_type = "Promise<number>")]
pub fn first_non_finite_async(
  x: Either<Float64Array, Float32Array>,
  signal: Option<AbortSignal>,
) -> AsyncTask<Job<f64>> {
  task(first_non_finite_job(x.into()), signal)
}

#[cfg(test)]
pub(crate) mod tests {
  use super::*;
  use crate::test_rng::Rng;

  pub(crate) fn run<O: ToNapiValue + TypeName + Send + 'static>(mut j: Job<O>) -> Result<O> {
    j.compute()
  }

  pub(crate) fn f32s(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.signed_unit() as f32).collect()
  }

  #[test]
  fn risk_stats_and_decay_widen_f32_exactly() {
    let mut rng = Rng::new(11);
    let n = 5000;
    let x32 = f32s(&mut rng, n);
    let x64: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
    let ages: Vec<f64> = (0..n).map(|_| rng.unit() * 10.0).collect();

    let mut want = vec![0f64; 8];
    crate::statistics::stats(pool::pool(), &x64, 1.0, &mut want).unwrap();
    for x in [Floats::F32(Float32Array::new(x32.clone())), Floats::F64(Float64Array::new(x64.clone()))] {
      let out = Float64Array::new(vec![0f64; 8]);
      let ptr = out.as_ptr();
      let mut job = stats_job(x, 1.0, out).unwrap();
      job.compute().unwrap();
      // SAFETY: the job keeps the output alive.
      assert_eq!(unsafe { std::slice::from_raw_parts(ptr, 8) }, &want[..]);
    }

    let mut want = vec![0f64; n];
    let flags = crate::risk::temporal_decay(pool::pool(), &x64, &ages, 3.0, &mut want).unwrap();
    let out = Float64Array::new(vec![0f64; n]);
    let ptr = out.as_ptr();
    let mut job =
      temporal_decay_job(Floats::F32(Float32Array::new(x32.clone())), Floats::F64(Float64Array::new(ages)), 3.0, out)
        .unwrap();
    assert_eq!(job.compute().unwrap(), flags);
    // SAFETY: the job keeps the output alive.
    assert_eq!(unsafe { std::slice::from_raw_parts(ptr, n) }, &want[..]);

    let sev: Vec<f64> = x64.iter().map(|v| v.abs() * 10.0).collect();
    let conf: Vec<f64> = x64.iter().map(|v| v.abs()).collect();
    let offsets: Vec<u32> = (0..=50).map(|e| e * 100).collect();
    let mut want = vec![0f64; 50];
    let bad = crate::risk::risk_score_batch(pool::pool(), &sev, &conf, &offsets, 10.0, &mut want).unwrap();
    let out = Float64Array::new(vec![0f64; 50]);
    let ptr = out.as_ptr();
    let mut job = risk_score_batch_job(
      Floats::F64(Float64Array::new(sev)),
      Floats::F64(Float64Array::new(conf)),
      Uint32Array::new(offsets),
      10.0,
      out,
    )
    .unwrap();
    assert_eq!(job.compute().unwrap(), bad);
    // SAFETY: the job keeps the output alive.
    assert_eq!(unsafe { std::slice::from_raw_parts(ptr, 50) }, &want[..]);
  }

  #[test]
  fn bad_offsets_reject_from_compute() {
    let job = risk_score_batch_job(
      Floats::F64(Float64Array::new(vec![1.0; 4])),
      Floats::F64(Float64Array::new(vec![0.5; 4])),
      Uint32Array::new(vec![0, 3, 2]),
      10.0,
      Float64Array::new(vec![0.0; 2]),
    )
    .unwrap();
    let e = run(job).unwrap_err();
    assert_eq!(e.status, napi::Status::InvalidArg);
    assert!(e.reason.starts_with("offsets: must be non-decreasing"), "{}", e.reason);
  }

  #[test]
  fn compute_time_checks_reject() {
    // A length mismatch is the kernel's check, in compute.
    let job = matmul_f64_job(
      Float64Array::new(vec![1.0; 6]),
      Float64Array::new(vec![1.0; 6]),
      2.0,
      3.0,
      2.0,
      Float64Array::new(vec![0.0; 3]),
    )
    .unwrap();
    assert!(run(job).unwrap_err().reason.starts_with("out: length 3"));
  }

  #[test]
  fn a_panic_in_compute_rejects() {
    let job: Job<()> = Job::new(|| panic!("boom"));
    let e = run(job).unwrap_err();
    assert_eq!(e.status, napi::Status::GenericFailure);
    assert_eq!(e.reason, "boom");
  }

  #[test]
  fn finite_scans() {
    let mut x = vec![1.5f32; 3000];
    assert_eq!(first_non_finite_f32(&x), None);
    x[2049] = f32::INFINITY;
    x[2500] = f32::NAN;
    assert_eq!(first_non_finite_f32(&x), Some(2049));
    assert_eq!(run(first_non_finite_job(Floats::F32(Float32Array::new(x)))).unwrap(), 2049.0);
    assert_eq!(run(first_non_finite_job(Floats::F64(Float64Array::new(vec![0.0, f64::NAN])))).unwrap(), 1.0);
    assert_eq!(run(first_non_finite_job(Floats::F64(Float64Array::new(vec![f64::MAX])))).unwrap(), -1.0);
    assert_eq!(first_non_finite_f32(&[f32::MAX, f32::MIN_POSITIVE, -0.0, 1e-45]), None);
    // The first non-finite element, as the sync f64 scan finds it.
    let mut rng = Rng::new(3);
    for _ in 0..50 {
      let mut y: Vec<f64> = (0..3000).map(|_| rng.unit()).collect();
      for _ in 0..rng.below(3) {
        let i = rng.below(3000) as usize;
        y[i] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][rng.below(3) as usize];
      }
      assert_eq!(first_non_finite_f64(&y), y.iter().position(|v| !v.is_finite()));
    }
  }
}
