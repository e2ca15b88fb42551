//! The dedicated rayon pool used by the batch kernels.
//!
//! A private pool (not rayon's global one) so the size follows the process's
//! affinity mask and cgroup quota rather than the host's CPU count, and so
//! other rayon users in the process cannot starve or oversubscribe us.

use std::sync::OnceLock;

use rayon::{ThreadPool, ThreadPoolBuilder};

/// Pool size: the topology recommendation, lowered by `HOTPATH_THREADS`.
pub fn desired_threads(recommended: u32, env: Option<&str>) -> usize {
  let recommended = recommended.max(1) as usize;
  match env.and_then(|v| v.trim().parse::<usize>().ok()) {
    Some(cap) if cap > 0 => recommended.min(cap),
    _ => recommended, // unset, zero, negative or garbage: ignored
  }
}

/// `None` when only one thread is wanted (or the pool could not be built):
/// callers then run sequentially on the calling thread.
pub fn pool() -> Option<&'static ThreadPool> {
  static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
  POOL
    .get_or_init(|| {
      let env = std::env::var("HOTPATH_THREADS").ok();
      let n = desired_threads(crate::topology::detect().recommended_threads, env.as_deref());
      if n <= 1 {
        return None;
      }
      ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("hotpath-{i}"))
        // A panic inside install/join/par_iter unwinds to the calling thread
        // (and the export's catch_unwind); this handler only sees panics of
        // detached jobs, whose default is to abort the process. The panic
        // hook has already reported it.
        .panic_handler(|_| {})
        .build()
        .ok()
    })
    .as_ref()
}

pub fn thread_count() -> usize {
  pool().map_or(1, ThreadPool::current_num_threads)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn pool_panics_unwind_to_the_caller_and_never_abort() {
    use rayon::prelude::*;
    let Some(p) = pool() else { return };
    // In a parallel iterator: back on the calling thread, where the
    // exports' catch_unwind turns it into a JS exception.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
      p.install(|| (0..64).into_par_iter().for_each(|i| assert!(i != 33)))
    }));
    assert!(r.is_err());
    // In a detached job: the handler swallows it (rayon's default aborts,
    // which would end this test binary). The sender drops as it unwinds.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    p.spawn(move || {
      let _tx = tx;
      panic!("a detached job panics");
    });
    assert!(rx.recv().is_err());
  }

  #[test]
  fn env_only_lowers() {
    assert_eq!(desired_threads(8, None), 8);
    assert_eq!(desired_threads(8, Some("2")), 2);
    assert_eq!(desired_threads(2, Some("16")), 2);
    assert_eq!(desired_threads(8, Some("0")), 8);
    assert_eq!(desired_threads(8, Some("-3")), 8);
    assert_eq!(desired_threads(8, Some("abc")), 8);
    assert_eq!(desired_threads(0, None), 1);
  }
}
