//! Shared helpers for the element-wise f64 kernels (risk, stats, n-grams):
//! when to use the pool, and order-preserving chunked maps over it.
//!
//! Chunk boundaries never depend on the thread count, so a kernel whose
//! per-chunk results are combined in chunk order gives bit-identical output
//! with and without the pool.

use rayon::prelude::*;
use rayon::ThreadPool;

/// Elements per chunk for the streaming f64 passes: 128 KiB of f64, well
/// inside L2, and ~60 chunks per million values for load balance.
pub const CHUNK: usize = 1 << 14;

/// Below this many "cheap" elements (a few flops each: sums, min/max,
/// comparisons) everything stays on the calling thread. Waking the pool
/// costs ~15 µs on the 2-vCPU reference VM; a 64k-element pass takes about
/// as long, so the second thread only pays off above that.
pub const PAR_MIN_CHEAP: usize = 1 << 16;

/// Same for "heavy" elements (a division, exp2 or a hash per element,
/// ~2–5 ns each): the pool pays off at a few thousand.
pub const PAR_MIN_HEAVY: usize = 1 << 13;

/// The pool to use for `work` elements against `threshold`, if any.
pub fn pool_for(pool: Option<&ThreadPool>, work: usize, threshold: usize) -> Option<&ThreadPool> {
  pool.filter(|p| p.current_num_threads() > 1 && work >= threshold)
}

/// `f` over fixed `chunk`-sized pieces of `x`, results in chunk order.
pub fn map_chunks<T: Sync, R: Send>(
  pool: Option<&ThreadPool>,
  x: &[T],
  chunk: usize,
  f: impl Fn(usize, &[T]) -> R + Sync + Send,
) -> Vec<R> {
  let chunk = chunk.max(1);
  match pool {
    Some(p) => p.install(|| x.par_chunks(chunk).enumerate().map(|(c, s)| f(c * chunk, s)).collect()),
    None => x.chunks(chunk).enumerate().map(|(c, s)| f(c * chunk, s)).collect(),
  }
}

/// `f(start, out_piece)` over fixed `chunk`-sized pieces of `out`, results
/// in chunk order.
pub fn map_chunks_mut<T: Send, R: Send>(
  pool: Option<&ThreadPool>,
  out: &mut [T],
  chunk: usize,
  f: impl Fn(usize, &mut [T]) -> R + Sync + Send,
) -> Vec<R> {
  let chunk = chunk.max(1);
  match pool {
    Some(p) => p.install(|| out.par_chunks_mut(chunk).enumerate().map(|(c, s)| f(c * chunk, s)).collect()),
    None => out.chunks_mut(chunk).enumerate().map(|(c, s)| f(c * chunk, s)).collect(),
  }
}
