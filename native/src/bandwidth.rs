//! STREAM-style memory-bandwidth probe: the triad `a[i] = b[i] + s * c[i]`
//! over arrays far larger than the last-level cache, on the batch pool.
//!
//! Memory-bound kernels (cosineBatch, stats) are reported as a fraction of
//! this figure, so it must be measured the way those kernels run: same
//! threads, pages first touched by the thread that later streams them (the
//! NUMA placement rayon's chunking gives the kernels too).

use std::time::Instant;

use rayon::prelude::*;
use rayon::ThreadPool;

/// Elements per parallel chunk: 512 KiB of f64, large enough that the
/// pool's scheduling cost is noise against the streaming time.
const CHUNK: usize = 1 << 16;

/// Result of [`triad`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triad {
  /// Bytes one pass moves by STREAM's count: 24 per element (two reads,
  /// one write; the write-allocate read is not counted, as in STREAM).
  pub bytes_per_pass: f64,
  /// Fastest pass, in seconds (STREAM reports the best of its repetitions).
  pub best_seconds: f64,
  /// Threads that ran the passes.
  pub threads: usize,
}

fn pass(pool: Option<&ThreadPool>, a: &mut [f64], b: &[f64], c: &[f64], s: f64) {
  let body = |(ac, (bc, cc)): (&mut [f64], (&[f64], &[f64]))| {
    for ((x, y), z) in ac.iter_mut().zip(bc).zip(cc) {
      *x = y + s * z;
    }
  };
  match pool {
    Some(p) => p.install(|| a.par_chunks_mut(CHUNK).zip(b.par_chunks(CHUNK).zip(c.par_chunks(CHUNK))).for_each(body)),
    None => a.chunks_mut(CHUNK).zip(b.chunks(CHUNK).zip(c.chunks(CHUNK))).for_each(body),
  }
}

/// `len` copies of `value`, each page first written by the pool thread that
/// will stream it; `None` when the memory cannot be had (no abort).
fn first_touch(pool: Option<&ThreadPool>, len: usize, value: f64) -> Option<Vec<f64>> {
  let mut v: Vec<f64> = Vec::new();
  v.try_reserve_exact(len).ok()?;
  let spare = &mut v.spare_capacity_mut()[..len];
  let fill = |chunk: &mut [std::mem::MaybeUninit<f64>]| {
    for x in chunk {
      x.write(value);
    }
  };
  match pool {
    Some(p) => p.install(|| spare.par_chunks_mut(CHUNK).for_each(fill)),
    None => spare.chunks_mut(CHUNK).for_each(fill),
  }
  // SAFETY: every element of 0..len was written just above.
  unsafe { v.set_len(len) };
  Some(v)
}

/// Runs `passes` triads over three arrays of `len` f64 each (one untimed
/// warm-up pass first) and returns the fastest; `None` when the arrays
/// cannot be allocated.
pub fn triad(pool: Option<&ThreadPool>, len: usize, passes: usize) -> Option<Triad> {
  let (b, c) = (first_touch(pool, len, 1.0)?, first_touch(pool, len, 2.0)?);
  let mut a = first_touch(pool, len, 0.0)?;
  pass(pool, &mut a, &b, &c, 3.0);
  let mut best = f64::INFINITY;
  for _ in 0..passes.max(1) {
    let t = Instant::now();
    pass(pool, &mut a, &b, &c, 3.0);
    best = best.min(t.elapsed().as_secs_f64());
  }
  // Keeps the stores observable so the passes cannot be elided.
  assert!(a[len / 2] == 7.0, "triad produced a wrong value");
  Some(Triad {
    bytes_per_pass: 24.0 * len as f64,
    best_seconds: best,
    threads: pool.map_or(1, ThreadPool::current_num_threads),
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn triad_writes_every_element_and_times_positive() {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for p in [None, Some(&pool)] {
      let r = triad(p, 3 * CHUNK + 17, 2).unwrap();
      assert!(r.best_seconds > 0.0 && r.best_seconds.is_finite());
      assert_eq!(r.bytes_per_pass, 24.0 * (3 * CHUNK + 17) as f64);
    }
  }
}
