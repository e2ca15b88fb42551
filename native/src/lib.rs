//! N-API bindings only; the kernels live in napi-free modules so they can be
//! unit-tested with plain `cargo test`.
//!
//! Every export uses `catch_unwind`: a Rust panic becomes a JS exception
//! instead of aborting the Node process. Typed arrays are borrowed in place
//! (napi hands out the view's own pointer, byteOffset already applied).

pub mod args;
pub mod bandwidth;
mod btree;
pub mod features;
pub mod matmul;
pub mod par;
pub mod pool;
pub mod risk;
pub mod simd;
pub mod similarity;
pub mod statistics;
pub mod topology;
#[cfg(test)]
mod test_rng;
mod wheel;

use napi::bindgen_prelude::{Float32ArraySlice, Float64ArraySlice, Uint32Array, Uint32ArraySlice};
use napi::{Error, Result, Status};
use napi_derive::napi;

use crate::args::ArgError;
use crate::similarity::Kernels;

fn invalid(e: ArgError) -> Error {
  Error::new(Status::InvalidArg, e.to_string())
}

fn check_same_len(a: usize, b: usize) -> Result<()> {
  args::same_len(("a", a), ("b", b)).map_err(invalid)
}

/// Output views may not share memory with inputs: Rust would then hold a
/// `&mut` and a `&` to the same bytes at once.
fn check_no_overlap(out_name: &'static str, out: &[impl Sized], inputs: &[(&'static str, &[f32])]) -> Result<()> {
  for (name, input) in inputs {
    if args::overlaps(out, input) {
      return Err(invalid(ArgError::new(out_name, format!("must not share memory with {name}"))));
    }
  }
  Ok(())
}

#[napi(js_name = "dotF32", catch_unwind)]
pub fn dot_f32(a: &[f32], b: &[f32]) -> Result<f64> {
  check_same_len(a.len(), b.len())?;
  Ok((Kernels::active().dot_f32)(a, b))
}

#[napi(js_name = "dotF64", catch_unwind)]
pub fn dot_f64(a: &[f64], b: &[f64]) -> Result<f64> {
  check_same_len(a.len(), b.len())?;
  Ok((Kernels::active().dot_f64)(a, b))
}

#[napi(js_name = "cosineF32", catch_unwind)]
pub fn cosine_f32(a: &[f32], b: &[f32]) -> Result<f64> {
  check_same_len(a.len(), b.len())?;
  Ok(Kernels::active().cosine_f32(a, b))
}

#[napi(js_name = "cosineF64", catch_unwind)]
pub fn cosine_f64(a: &[f64], b: &[f64]) -> Result<f64> {
  check_same_len(a.len(), b.len())?;
  Ok(Kernels::active().cosine_f64(a, b))
}

#[napi(js_name = "euclideanF32", catch_unwind)]
pub fn euclidean_f32(a: &[f32], b: &[f32]) -> Result<f64> {
  check_same_len(a.len(), b.len())?;
  Ok(Kernels::active().euclidean_f32(a, b))
}

#[napi(js_name = "euclideanF64", catch_unwind)]
pub fn euclidean_f64(a: &[f64], b: &[f64]) -> Result<f64> {
  check_same_len(a.len(), b.len())?;
  Ok(Kernels::active().euclidean_f64(a, b))
}

/// JS numbers arrive as f64; napi's u32 conversion would silently wrap -1
/// to 4294967295 and truncate 2.5, so integers are validated here instead.
fn int_arg(name: &'static str, v: f64) -> Result<usize> {
  if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64) {
    return Err(invalid(ArgError::new(name, format!("must be a non-negative integer, got {v}"))));
  }
  Ok(v as usize)
}

fn dim_arg(dim: f64) -> Result<usize> {
  match int_arg("dim", dim)? {
    0 => Err(invalid(ArgError::new("dim", "must be a positive integer"))),
    d => Ok(d),
  }
}

#[napi(js_name = "cosineBatchF32", catch_unwind)]
pub fn cosine_batch_f32(queries: &[f32], matrix: &[f32], dim: f64, mut out: Float32ArraySlice) -> Result<()> {
  check_no_overlap("out", &out, &[("queries", queries), ("matrix", matrix)])?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  similarity::batch::cosine_batch_f32(&Kernels::active(), pool::pool(), queries, matrix, dim_arg(dim)?, out).map_err(invalid)
}

#[napi(js_name = "euclideanBatchF32", catch_unwind)]
pub fn euclidean_batch_f32(queries: &[f32], matrix: &[f32], dim: f64, mut out: Float32ArraySlice) -> Result<()> {
  check_no_overlap("out", &out, &[("queries", queries), ("matrix", matrix)])?;
  // SAFETY: as in cosine_batch_f32.
  let out = unsafe { out.as_mut() };
  similarity::batch::euclidean_batch_f32(&Kernels::active(), pool::pool(), queries, matrix, dim_arg(dim)?, out).map_err(invalid)
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
  let inputs = [("query", query), ("matrix", matrix)];
  check_no_overlap("outIndices", &out_indices, &inputs)?;
  check_no_overlap("outScores", &out_scores, &inputs)?;
  if args::overlaps(&out_indices, &out_scores) {
    return Err(invalid(ArgError::new("outScores", "must not share memory with outIndices")));
  }
  let metric = similarity::batch::Metric::from_code(int_arg("metric", metric)? as u32).map_err(invalid)?;
  let k = int_arg("k", k)?;
  // SAFETY: the two outputs overlap neither each other nor any input.
  let (idx, scores) = unsafe { (out_indices.as_mut(), out_scores.as_mut()) };
  similarity::batch::top_k_f32(&Kernels::active(), pool::pool(), query, matrix, dim_arg(dim)?, k, metric, idx, scores)
    .map_err(invalid)
}

/// "avx512" | "avx2" | "neon" | "scalar": the level the kernels run at.
#[napi(js_name = "simdLevel", catch_unwind)]
pub fn simd_level() -> &'static str {
  Kernels::active().level.name()
}

/// CPU features detected, independent of `HOTPATH_SIMD`.
#[napi(js_name = "simdFeatures", catch_unwind)]
pub fn simd_features() -> Vec<String> {
  simd::features()
}

#[napi(js_name = "threadCount", catch_unwind)]
pub fn thread_count() -> u32 {
  pool::thread_count() as u32
}

#[napi(object)]
pub struct NumaNode {
  pub id: u32,
  pub cpus: Vec<u32>,
  pub memory_bytes: f64,
}

#[napi(object)]
pub struct CacheSizes {
  // Without the explicit name napi's camel-casing would export "l1D".
  #[napi(js_name = "l1d")]
  pub l1d: f64,
  pub l2: f64,
  pub l3: f64,
}

/// `use_nullable`: absent values are `null` (not a missing key), as the TS
/// layer's `number | null` expects.
#[napi(object, use_nullable = true)]
pub struct TopologySources {
  pub sysfs_cpus: u32,
  pub affinity: u32,
  pub available_parallelism: u32,
  pub cgroup: Option<f64>,
}

#[napi(object, use_nullable = true)]
pub struct Topology {
  pub source: String,
  pub logical_cpus: u32,
  pub physical_cores: u32,
  pub packages: u32,
  pub numa_nodes: Vec<NumaNode>,
  pub caches: CacheSizes,
  pub simd: Vec<String>,
  pub affinity_cpus: Vec<u32>,
  pub cgroup_cpu_limit: Option<f64>,
  pub recommended_threads: u32,
  pub sources: TopologySources,
}

#[napi(js_name = "topology", catch_unwind)]
pub fn topology() -> Topology {
  let t = topology::detect();
  Topology {
    source: t.source.to_string(),
    logical_cpus: t.logical_cpus,
    physical_cores: t.physical_cores,
    packages: t.packages,
    numa_nodes: t
      .numa_nodes
      .into_iter()
      .map(|n| NumaNode { id: n.id, cpus: n.cpus, memory_bytes: n.memory_bytes as f64 })
      .collect(),
    caches: CacheSizes { l1d: t.caches.l1d as f64, l2: t.caches.l2 as f64, l3: t.caches.l3 as f64 },
    simd: t.simd,
    affinity_cpus: t.affinity_cpus,
    cgroup_cpu_limit: t.cgroup_cpu_limit,
    recommended_threads: t.recommended_threads,
    sources: TopologySources {
      sysfs_cpus: t.sources.sysfs_cpus,
      affinity: t.sources.affinity,
      available_parallelism: t.sources.available_parallelism,
      cgroup: t.sources.cgroup,
    },
  }
}

/// What [`memory_bandwidth`] measured.
#[napi(object)]
pub struct MemoryBandwidth {
  /// Bytes one triad pass moves (STREAM's count: 24 per element).
  pub bytes_per_pass: f64,
  /// Fastest pass in seconds.
  pub best_seconds: f64,
  /// Threads that ran it (the batch pool).
  pub threads: u32,
}

/// STREAM triad over three arrays of `elements` f64 on the batch pool; the
/// fastest of `passes` timed passes.
#[napi(js_name = "memoryBandwidth", catch_unwind)]
pub fn memory_bandwidth(elements: f64, passes: f64) -> Result<MemoryBandwidth> {
  let len = positive_int_arg("elements", elements)?;
  // 2^28 f64 per array is 6 GiB in all: more would only probe the allocator.
  if len > 1 << 28 {
    return Err(invalid(ArgError::new("elements", "must be at most 2^28")));
  }
  let passes = positive_int_arg("passes", passes)?.min(1000);
  let t = bandwidth::triad(pool::pool(), len, passes)
    .ok_or_else(|| Error::new(Status::GenericFailure, format!("memoryBandwidth: cannot allocate 3 x {len} f64")))?;
  Ok(MemoryBandwidth { bytes_per_pass: t.bytes_per_pass, best_seconds: t.best_seconds, threads: t.threads as u32 })
}

// ---------------------------------------------------------------------------
// Risk, statistics, n-gram features and matrix products.

/// An input's byte range, for overlap checks across element types.
struct Span {
  name: &'static str,
  start: usize,
  end: usize,
}

fn span<T>(name: &'static str, s: &[T]) -> Span {
  let start = s.as_ptr() as usize;
  Span { name, start, end: start + std::mem::size_of_val(s) }
}

/// As `check_no_overlap`, for inputs of any element type. Empty views
/// share no bytes with anything.
fn check_disjoint<T>(out_name: &'static str, out: &[T], inputs: &[Span]) -> Result<()> {
  let o = span(out_name, out);
  for i in inputs {
    if o.start < o.end && i.start < i.end && o.start < i.end && i.start < o.end {
      return Err(invalid(ArgError::new(out_name, format!("must not share memory with {}", i.name))));
    }
  }
  Ok(())
}

fn positive_int_arg(name: &'static str, v: f64) -> Result<usize> {
  match int_arg(name, v)? {
    0 => Err(invalid(ArgError::new(name, "must be a positive integer"))),
    n => Ok(n),
  }
}

/// Noisy-OR risk of one entity; NaN if any severity or confidence is
/// non-finite.
#[napi(js_name = "riskScoreF64", catch_unwind)]
pub fn risk_score_f64(severities: &[f64], confidences: &[f64], max_severity: f64) -> Result<f64> {
  risk::risk_score(severities, confidences, max_severity).map_err(invalid)
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
  check_disjoint("out", &out, &inputs)?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  let out = unsafe { out.as_mut() };
  risk::risk_score_batch(pool::pool(), severities, confidences, offsets, max_severity, out).map_err(invalid)
}

/// out[i] = scores[i] * 2^(-ages[i] / halfLife). Returns flags: 1 if any
/// score or age is non-finite, 2 if any age is negative.
#[napi(js_name = "temporalDecayF64", catch_unwind)]
pub fn temporal_decay_f64(scores: &[f64], ages: &[f64], half_life: f64, mut out: Float64ArraySlice) -> Result<u32> {
  check_disjoint("out", &out, &[span("scores", scores), span("ages", ages)])?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  risk::temporal_decay(pool::pool(), scores, ages, half_life, out).map_err(invalid)
}

/// Index of the first NaN or ±Infinity in `x`, or -1.
#[napi(js_name = "firstNonFiniteF64", catch_unwind)]
pub fn first_non_finite_f64(x: &[f64]) -> f64 {
  statistics::finite::first_non_finite(x).map_or(-1.0, |i| i as f64)
}

/// out = [count, sum, mean, variance, std, min, max, median].
#[napi(js_name = "statsF64", catch_unwind)]
pub fn stats_f64(x: &[f64], ddof: f64, mut out: Float64ArraySlice) -> Result<()> {
  check_disjoint("out", &out, &[span("x", x)])?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  statistics::stats(pool::pool(), x, ddof, out).map_err(invalid)
}

/// Type-7 (numpy default) percentiles, ps in [0, 100].
#[napi(js_name = "percentilesF64", catch_unwind)]
pub fn percentiles_f64(x: &[f64], ps: &[f64], mut out: Float64ArraySlice) -> Result<()> {
  check_disjoint("out", &out, &[span("x", x), span("ps", ps)])?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  statistics::percentiles(pool::pool(), x, ps, out).map_err(invalid)
}

/// 'valid' moving average: out[i] = mean(x[i..i+window]).
#[napi(js_name = "movingAverageF64", catch_unwind)]
pub fn moving_average_f64(x: &[f64], window: f64, mut out: Float64ArraySlice) -> Result<()> {
  check_disjoint("out", &out, &[span("x", x)])?;
  let window = positive_int_arg("window", window)?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  statistics::moving_average(pool::pool(), x, window, out).map_err(invalid)
}

/// Ascending indices outside [Q1 - k*IQR, Q3 + k*IQR].
#[napi(js_name = "outliersIqrF64", catch_unwind)]
pub fn outliers_iqr_f64(x: &[f64], k: f64) -> Result<Uint32Array> {
  statistics::outliers_iqr(pool::pool(), x, k).map(Uint32Array::new).map_err(invalid)
}

/// Ascending indices with |x - mean| / std > threshold (population std).
#[napi(js_name = "outliersZscoreF64", catch_unwind)]
pub fn outliers_zscore_f64(x: &[f64], threshold: f64) -> Result<Uint32Array> {
  statistics::outliers_zscore(pool::pool(), x, threshold).map(Uint32Array::new).map_err(invalid)
}

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
  check_disjoint("out", &out, &[span("bytes", bytes), span("offsets", offsets)])?;
  let n = positive_int_arg("n", n)?;
  let dims = positive_int_arg("dims", dims)?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  features::ngram_features(pool::pool(), bytes, offsets, n, dims, normalize, out).map_err(invalid)
}

fn matmul_dims(m: f64, k: f64, n: f64) -> Result<(usize, usize, usize)> {
  Ok((int_arg("m", m)?, int_arg("k", k)?, int_arg("n", n)?))
}

/// out (m x n) = a (m x k) . b (k x n), row-major; out is overwritten.
#[napi(js_name = "matmulF32", catch_unwind)]
pub fn matmul_f32(a: &[f32], b: &[f32], m: f64, k: f64, n: f64, mut out: Float32ArraySlice) -> Result<()> {
  check_disjoint("out", &out, &[span("a", a), span("b", b)])?;
  let (m, k, n) = matmul_dims(m, k, n)?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  matmul::matmul(pool::pool(), a, b, m, k, n, out).map_err(invalid)
}

/// As matmulF32, in f64.
#[napi(js_name = "matmulF64", catch_unwind)]
pub fn matmul_f64(a: &[f64], b: &[f64], m: f64, k: f64, n: f64, mut out: Float64ArraySlice) -> Result<()> {
  check_disjoint("out", &out, &[span("a", a), span("b", b)])?;
  let (m, k, n) = matmul_dims(m, k, n)?;
  // SAFETY: as in risk_score_batch_f64.
  let out = unsafe { out.as_mut() };
  matmul::matmul(pool::pool(), a, b, m, k, n, out).map_err(invalid)
}
