//! Exports about the machine rather than a domain: SIMD level, pool size,
//! topology and memory bandwidth.

use napi::Result;
use napi_derive::napi;

use crate::args;
use crate::error::ArgError;
use crate::similarity::Kernels;
use crate::{bandwidth, pool, simd, topology};

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
  let len = args::positive_int_arg("elements", elements)?;
  // 2^28 f64 per array is 6 GiB in all: more would only probe the allocator.
  if len > 1 << 28 {
    return Err(ArgError::new("elements", "must be at most 2^28").into());
  }
  let passes = args::positive_int_arg("passes", passes)?.min(1000);
  let t = bandwidth::triad(pool::pool(), len, passes)
    .ok_or_else(|| ArgError::new("elements", format!("needs 3 x {len} f64, more than can be allocated")))?;
  Ok(MemoryBandwidth { bytes_per_pass: t.bytes_per_pass, best_seconds: t.best_seconds, threads: t.threads as u32 })
}
