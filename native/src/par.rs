//! When a kernel uses the pool, and order-preserving chunked maps over it.
//!
//! Chunk boundaries never depend on the thread count, so a kernel whose
//! per-chunk results are combined in chunk order gives bit-identical output
//! with and without the pool.

use rayon::prelude::*;
use rayon::ThreadPool;

/// Elements per chunk for the streaming f64 passes: 128 KiB of f64, well
/// inside L2, and ~60 chunks per million values for load balance.
pub const CHUNK: usize = 1 << 14;

/// What one unit of work costs, which sets how much work it takes before
/// a second thread pays off. Waking the pool costs ~13–15 µs on the 2-vCPU
/// reference VM; bare metal wakes faster, so the thresholds err towards
/// not paying for threads that do not help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cost {
  /// A few flops per element (sums, min/max, comparisons): a 64k-element
  /// pass takes about as long as the wake-up.
  Cheap,
  /// A division, exp2 or hash per element (~2–5 ns): pays off at a few
  /// thousand.
  Heavy,
  /// One f32 multiply-add of a similarity batch (Q·N·dim): 2 threads broke
  /// even at ~128k for dim ≥ 128 (~30k at dim 16, where per-row overhead
  /// dominates).
  ScoreMulAdd,
  /// One multiply-add of a matrix product (m·k·n): 64³ takes ~10 µs on one
  /// thread, comparable to the wake-up.
  GemmMulAdd,
}

impl Cost {
  /// Least work (in units of this cost) that goes to the pool.
  pub const fn min_work(self) -> usize {
    match self {
      Cost::Cheap => 1 << 16,
      Cost::Heavy => 1 << 13,
      Cost::ScoreMulAdd => 1 << 17,
      Cost::GemmMulAdd => 1 << 18,
    }
  }
}

/// The pool to run `work` units of `cost` on, or `None` to stay on the
/// calling thread.
pub fn pool_for(pool: Option<&ThreadPool>, work: usize, cost: Cost) -> Option<&ThreadPool> {
  pool.filter(|p| p.current_num_threads() > 1 && work >= cost.min_work())
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
