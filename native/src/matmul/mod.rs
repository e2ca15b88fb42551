//! Dense row-major matrix product C = A·B through the `gemm` crate, which
//! packs panels, picks AVX-512 / AVX2+FMA / SSE / NEON micro-kernels at run
//! time (the crate is built for the baseline CPU) and splits work over
//! rayon. It runs inside our pool via `install`, so its threads are ours.
//!
//! Note: `gemm` does its own CPU detection; `HOTPATH_SIMD` does not cap it.
//! f32 products accumulate in f32 (FMA), as BLAS sgemm does.

use gemm::Parallelism;
use rayon::ThreadPool;

use crate::args;
use crate::error::{ArgError, ArgResult};
use crate::par::{self, Cost};

mod bindings;

pub trait Element: Copy + Send + Sync + 'static {
  const ZERO: Self;
  const ONE: Self;
}

impl Element for f32 {
  const ZERO: f32 = 0.0;
  const ONE: f32 = 1.0;
}

impl Element for f64 {
  const ZERO: f64 = 0.0;
  const ONE: f64 = 1.0;
}

fn product(name: &'static str, a: usize, b: usize) -> ArgResult<usize> {
  a.checked_mul(b).ok_or_else(|| ArgError::new(name, "dimensions overflow"))
}

/// out (m×n) = a (m×k) · b (k×n), all row-major and contiguous. `out` is
/// overwritten, never read.
pub fn matmul<T: Element>(
  pool: Option<&ThreadPool>,
  a: &[T],
  b: &[T],
  m: usize,
  k: usize,
  n: usize,
  out: &mut [T],
) -> ArgResult<()> {
  args::exact_len("a", a.len(), product("a", m, k)?, "m × k")?;
  args::exact_len("b", b.len(), product("b", k, n)?, "k × n")?;
  args::exact_len("out", out.len(), product("out", m, n)?, "m × n")?;
  if m == 0 || n == 0 {
    return Ok(());
  }
  if k == 0 {
    out.fill(T::ZERO);
    return Ok(());
  }
  // Strides fit isize: each is a dimension of a slice that exists.
  let (k_s, n_s) = (k as isize, n as isize);
  let work = m.saturating_mul(k).saturating_mul(n);
  let run = |out: &mut [T], parallelism: Parallelism| {
    // SAFETY: the three slices have exactly the lengths the shapes and
    // strides address (checked above); `out` is a unique borrow, so it
    // aliases neither input; `read_dst = false`, so `out`'s old contents
    // are never read and alpha is ignored: out = 1·(a·b).
    unsafe {
      gemm::gemm(
        m,
        n,
        k,
        out.as_mut_ptr(),
        1,
        n_s,
        false,
        a.as_ptr(),
        1,
        k_s,
        b.as_ptr(),
        1,
        n_s,
        T::ZERO,
        T::ONE,
        false,
        false,
        false,
        parallelism,
      )
    }
  };
  match par::pool_for(pool, work, Cost::GemmMulAdd) {
    Some(p) => p.install(|| run(out, Parallelism::Rayon(p.current_num_threads()))),
    None => run(out, Parallelism::None),
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_rng::Rng;
  use rayon::ThreadPoolBuilder;

  fn pools() -> Vec<Option<ThreadPool>> {
    vec![None, Some(ThreadPoolBuilder::new().num_threads(3).build().unwrap())]
  }

  fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> (Vec<f64>, Vec<f64>) {
    let (mut c, mut mag) = (vec![0.0; m * n], vec![0.0; m * n]);
    for i in 0..m {
      for j in 0..n {
        for p in 0..k {
          c[i * n + j] += a[i * k + p] * b[p * n + j];
          mag[i * n + j] += (a[i * k + p] * b[p * n + j]).abs();
        }
      }
    }
    (c, mag)
  }

  #[test]
  fn matches_naive() {
    let mut rng = Rng::new(31);
    let shapes = [(1usize, 1usize, 1usize), (2, 3, 4), (7, 1, 5), (17, 33, 9), (64, 64, 64), (100, 70, 130)];
    for &(m, k, n) in &shapes {
      let a = rng.vec_f64(m * k);
      let b = rng.vec_f64(k * n);
      let (want, mag) = naive(&a, &b, m, k, n);
      let a32: Vec<f32> = a.iter().map(|&x| x as f32).collect();
      let b32: Vec<f32> = b.iter().map(|&x| x as f32).collect();
      let (want32, mag32) = naive(
        &a32.iter().map(|&x| x as f64).collect::<Vec<_>>(),
        &b32.iter().map(|&x| x as f64).collect::<Vec<_>>(),
        m,
        k,
        n,
      );
      for pool in pools() {
        let mut c = vec![f64::NAN; m * n];
        matmul(pool.as_ref(), &a, &b, m, k, n, &mut c).unwrap();
        for i in 0..m * n {
          // Error bound relative to Σ|a·b| (the condition of each dot).
          assert!((c[i] - want[i]).abs() <= 1e-14 * mag[i], "f64 {m}x{k}x{n} [{i}]");
        }
        let mut c32 = vec![f32::NAN; m * n];
        matmul(pool.as_ref(), &a32, &b32, m, k, n, &mut c32).unwrap();
        for i in 0..m * n {
          assert!((c32[i] as f64 - want32[i]).abs() <= 1e-5 * mag32[i], "f32 {m}x{k}x{n} [{i}]");
        }
      }
    }
  }

  #[test]
  fn degenerate_shapes() {
    let mut out = vec![7.0f32; 6];
    matmul::<f32>(None, &[], &[], 2, 0, 3, &mut out).unwrap();
    assert_eq!(out, vec![0.0; 6]);
    matmul::<f64>(None, &[], &[1.0; 3], 0, 1, 3, &mut []).unwrap();
    matmul::<f64>(None, &[1.0; 3], &[], 3, 1, 0, &mut []).unwrap();
    let mut out = vec![0.0f64; 4];
    assert_eq!(matmul(None, &[1.0; 5], &[1.0; 4], 2, 2, 2, &mut out).unwrap_err().arg, "a");
    assert_eq!(matmul(None, &[1.0; 4], &[1.0; 3], 2, 2, 2, &mut out).unwrap_err().arg, "b");
    assert_eq!(matmul(None, &[1.0; 4], &[1.0; 4], 2, 2, 2, &mut out[..3]).unwrap_err().arg, "out");
    assert_eq!(matmul::<f64>(None, &[], &[], usize::MAX, 2, 0, &mut []).unwrap_err().arg, "a");
    // Stale contents of out are overwritten, not accumulated into.
    let mut out = vec![100.0f64; 4];
    matmul(None, &[1.0, 2.0, 3.0, 4.0], &[5.0, 6.0, 7.0, 8.0], 2, 2, 2, &mut out).unwrap();
    assert_eq!(out, vec![19.0, 22.0, 43.0, 50.0]);
  }
}
