//! y (rows × n) += x (rows × k) · W (k × n) with W packed once, at model
//! construction, into 16-column strips (strip s: k rows of 16 contiguous
//! weights, the last strip zero-padded), read by an AVX2 + FMA register
//! tile of up to 6 rows × 16 outputs (12 accumulators) that broadcasts x.
//! f16 weights stay halves in the strips and are widened in the same load
//! (F16C), which halves the weight traffic instead of adding a pass.
//!
//! Why pack: row-major W read 16 columns at a time strides by n floats, and
//! at n = 512 (2 KiB) every row of a strip falls into the same two L1 sets:
//! the tile ran memory-bound at ~40 GFLOP/s. Contiguous strips stream.
//! Why not the gemm crate: it packs both operands on every call, and at
//! tens of rows packing W (the whole layer) costs as much as the product;
//! the resident model packs W once.
//!
//! Every output element is y + sum over k in order, one FMA per term,
//! whatever the tile height, chunking or thread count: results do not depend
//! on the batch size or the pool.

use rayon::prelude::*;
use rayon::ThreadPool;

use crate::par::{self, Cost};

/// Rows per register tile.
const MR: usize = 6;
/// Rows per chunk: its x rows (96 × k floats) stay in L2 across W's strips.
const CHUNK_ROWS: usize = 96;

/// A weight element the tile can load eight of at a time.
pub trait Weight: Copy + Default + Send + Sync + 'static {
  const HALF: bool;
}

impl Weight for f32 {
  const HALF: bool = false;
}

impl Weight for u16 {
  const HALF: bool = true;
}

/// Whether this CPU runs the tile (AVX2, FMA, F16C, and the project's SIMD
/// level at AVX2 or above, so HOTPATH_SIMD=scalar turns it off).
pub fn available() -> bool {
  #[cfg(target_arch = "x86_64")]
  {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
      crate::simd::level() >= crate::simd::Level::Avx2 && is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") && is_x86_feature_detected!("f16c")
    })
  }
  #[cfg(not(target_arch = "x86_64"))]
  {
    false
  }
}

/// Output columns per strip.
pub const NR: usize = 16;

/// Elements of a k × n layer once packed.
pub fn packed_len(k: usize, n: usize) -> Option<usize> {
  n.div_ceil(NR).checked_mul(k)?.checked_mul(NR)
}

/// Row-major w (k × n) as 16-column strips, the last zero-padded.
pub fn pack<T: Copy + Default>(w: &[T], k: usize, n: usize, out: &mut Vec<T>) {
  let strips = n.div_ceil(NR);
  for s in 0..strips {
    let (j0, width) = (s * NR, NR.min(n - s * NR));
    for kk in 0..k {
      let row = &w[kk * n + j0..kk * n + j0 + width];
      out.extend_from_slice(row);
      out.extend(std::iter::repeat_n(T::default(), NR - width));
    }
  }
}

/// y += x · w (w packed by `pack`); false (y untouched) where the tile
/// cannot run here or the lengths do not match the shapes.
pub fn gemm_packed<T: Weight>(pool: Option<&ThreadPool>, x: &[f32], rows: usize, k: usize, w: &[T], n: usize, y: &mut [f32]) -> bool {
  let fits = rows.checked_mul(k) == Some(x.len()) && packed_len(k, n) == Some(w.len()) && rows.checked_mul(n) == Some(y.len());
  if !available() || !fits || rows == 0 || n == 0 {
    return false;
  }
  if k == 0 {
    return true;
  }
  #[cfg(target_arch = "x86_64")]
  {
    let strips = n.div_ceil(NR);
    // A few rows stream W from memory in microseconds, about a pool wake-up.
    let p = par::pool_for(pool, rows.saturating_mul(k).saturating_mul(n), Cost::GemmMulAdd).filter(|_| rows >= 4 && strips >= 2);
    let yp = SendPtr(y.as_mut_ptr());
    match p {
      // Threads split the columns, not the rows: each streams its own part
      // of W once (a row split would stream all of W per thread), and
      // several tasks per thread let work stealing absorb a descheduled
      // core (a noisy 2-vCPU VM).
      Some(p) => {
        let per = strips.div_ceil(p.current_num_threads() * 4).max(1);
        p.install(|| {
          (0..strips.div_ceil(per)).into_par_iter().for_each(|t| {
            let (s0, s1) = (t * per, ((t + 1) * per).min(strips));
            // SAFETY: available() checked the CPU features; x is rows × k,
            // w the packed strips of k × n, y (at yp) rows × n; tasks
            // write disjoint column ranges (strips s0..s1) of y.
            unsafe { rows_packed(x, rows, k, w, n, yp.get(), s0, s1) }
          })
        });
      }
      // SAFETY: as above, one task over every strip.
      None => unsafe { rows_packed(x, rows, k, w, n, yp.get(), 0, strips) },
    }
    true
  }
  #[cfg(not(target_arch = "x86_64"))]
  {
    let _ = pool;
    false
  }
}

/// y's pointer, shared by tasks that write disjoint columns.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: only gemm_packed's tasks use it, each on its own columns, inside
// the install that outlives them.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}
impl SendPtr {
  fn get(self) -> *mut f32 {
    self.0
  }
}

/// Strips s0..s1 for every row, CHUNK_ROWS rows at a time (their x stays
/// in L2 while the strips pass).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
#[allow(clippy::too_many_arguments)]
unsafe fn rows_packed<T: Weight>(x: &[f32], rows: usize, k: usize, w: &[T], n: usize, y: *mut f32, s0: usize, s1: usize) {
  let mut r0 = 0;
  while r0 < rows {
    let r = CHUNK_ROWS.min(rows - r0);
    // SAFETY (caller): y is rows × n; rows r0..r0 + r are inside it.
    unsafe { chunk_packed(&x[r0 * k..(r0 + r) * k], r, k, w, n, y.add(r0 * n), s0, s1) };
    r0 += r;
  }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
#[allow(clippy::too_many_arguments)]
unsafe fn chunk_packed<T: Weight>(x: &[f32], rows: usize, k: usize, w: &[T], n: usize, y: *mut f32, s0: usize, s1: usize) {
  debug_assert!(x.len() == rows * k && Some(w.len()) == packed_len(k, n) && s1 <= n.div_ceil(NR));
  let full = (n / NR).min(s1);
  // One or two rows: a tile of one strip has only 2-4 FMA chains, which the
  // FMA latency (4-5 cycles) throttles, so take 4 or 2 strips at once.
  let group = match rows {
    1 => 4,
    2 => 2,
    _ => 1,
  };
  // Tile heights as even as possible (7 rows: 4 + 3, not 6 + 1), so every
  // tile keeps at least 6 chains.
  let tiles = rows.div_ceil(MR);
  let mut s = s0;
  while s < full {
    let g = if s + group <= full { group } else { 1 };
    let mut r0 = 0;
    for t in 0..tiles {
      let r = (rows - r0) / (tiles - t);
      // SAFETY: rows r0..r0 + r of x and y, strips s..s + g (each k × 16,
      // columns s * 16.. of y) are inside the debug_assert'd shapes.
      unsafe {
        let (xp, yp, ws) = (x.as_ptr().add(r0 * k), y.add(r0 * n + s * NR), w.as_ptr().add(s * k * NR));
        match (r, g) {
          (1, 4) => tile::<T, 1, 4>(xp, k, ws, n, yp),
          (2, 2) => tile::<T, 2, 2>(xp, k, ws, n, yp),
          (6, _) => tile::<T, 6, 1>(xp, k, ws, n, yp),
          (5, _) => tile::<T, 5, 1>(xp, k, ws, n, yp),
          (4, _) => tile::<T, 4, 1>(xp, k, ws, n, yp),
          (3, _) => tile::<T, 3, 1>(xp, k, ws, n, yp),
          (2, _) => tile::<T, 2, 1>(xp, k, ws, n, yp),
          _ => tile::<T, 1, 1>(xp, k, ws, n, yp),
        }
      }
      r0 += r;
    }
    s += g;
  }
  if !n.is_multiple_of(NR) && s1 == n.div_ceil(NR) {
    let full = n / NR;
    let mut r0 = 0;
    while r0 < rows {
      let r = MR.min(rows - r0);
      // SAFETY: as above; the last strip is padded to 16 columns.
      unsafe { tail(x.as_ptr().add(r0 * k), r, k, w.as_ptr().add(full * k * NR), n, n - full * NR, y.add(r0 * n + full * NR)) };
      r0 += r;
    }
  }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn load8<T: Weight>(p: *const T) -> std::arch::x86_64::__m256 {
  use std::arch::x86_64::*;
  // SAFETY (caller): p addresses 8 consecutive elements.
  unsafe {
    if T::HALF {
      _mm256_cvtph_ps(_mm_loadu_si128(p.cast::<__m128i>()))
    } else {
      _mm256_loadu_ps(p.cast::<f32>())
    }
  }
}

/// R rows × 16·S columns: x at row stride k, S consecutive strips at w
/// (each k × 16), y at row stride n.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
unsafe fn tile<T: Weight, const R: usize, const S: usize>(x: *const f32, k: usize, w: *const T, n: usize, y: *mut f32) {
  use std::arch::x86_64::*;
  // SAFETY (caller): R rows of k floats at x, S × k × 16 weights at w, R
  // rows of 16·S floats at stride n from y.
  unsafe {
    let mut a0 = [[_mm256_setzero_ps(); S]; R];
    let mut a1 = [[_mm256_setzero_ps(); S]; R];
    for r in 0..R {
      for t in 0..S {
        a0[r][t] = _mm256_loadu_ps(y.add(r * n + t * NR));
        a1[r][t] = _mm256_loadu_ps(y.add(r * n + t * NR + 8));
      }
    }
    for kk in 0..k {
      let mut w0 = [_mm256_setzero_ps(); S];
      let mut w1 = [_mm256_setzero_ps(); S];
      for t in 0..S {
        let wr = w.add(t * k * NR + kk * NR);
        w0[t] = load8(wr);
        w1[t] = load8(wr.add(8));
      }
      for r in 0..R {
        let b = _mm256_broadcast_ss(&*x.add(r * k + kk));
        for t in 0..S {
          a0[r][t] = _mm256_fmadd_ps(b, w0[t], a0[r][t]);
          a1[r][t] = _mm256_fmadd_ps(b, w1[t], a1[r][t]);
        }
      }
    }
    for r in 0..R {
      for t in 0..S {
        _mm256_storeu_ps(y.add(r * n + t * NR), a0[r][t]);
        _mm256_storeu_ps(y.add(r * n + t * NR + 8), a1[r][t]);
      }
    }
  }
}

/// The last `tw` (< 16) columns: the strip is padded, y goes through stack
/// copies so every access stays inside the slice; the same FMA order as
/// `tile`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,f16c")]
#[allow(clippy::too_many_arguments)]
unsafe fn tail<T: Weight>(x: *const f32, rows: usize, k: usize, w: *const T, n: usize, tw: usize, y: *mut f32) {
  use std::arch::x86_64::*;
  // SAFETY (caller): as tile, with tw columns of y instead of 16.
  unsafe {
    let mut acc = [[_mm256_setzero_ps(); 2]; MR];
    for (r, a) in acc.iter_mut().enumerate().take(rows) {
      let mut buf = [0f32; 16];
      std::ptr::copy_nonoverlapping(y.add(r * n), buf.as_mut_ptr(), tw);
      *a = [_mm256_loadu_ps(buf.as_ptr()), _mm256_loadu_ps(buf.as_ptr().add(8))];
    }
    for kk in 0..k {
      let wr = w.add(kk * NR);
      let (w0, w1) = (load8(wr), load8(wr.add(8)));
      for (r, a) in acc.iter_mut().enumerate().take(rows) {
        let b = _mm256_broadcast_ss(&*x.add(r * k + kk));
        a[0] = _mm256_fmadd_ps(b, w0, a[0]);
        a[1] = _mm256_fmadd_ps(b, w1, a[1]);
      }
    }
    for (r, a) in acc.iter().enumerate().take(rows) {
      let mut buf = [0f32; 16];
      _mm256_storeu_ps(buf.as_mut_ptr(), a[0]);
      _mm256_storeu_ps(buf.as_mut_ptr().add(8), a[1]);
      std::ptr::copy_nonoverlapping(buf.as_ptr(), y.add(r * n), tw);
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_rng::Rng;

  /// Against y + sum_k x w in f64: within f32 rounding of the terms.
  #[test]
  fn tile_matches_f64_every_shape_edge() {
    if !available() {
      return;
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let mut rng = Rng::new(7);
    for &(rows, k, n) in &[(1, 1, 1), (1, 3, 16), (1, 5, 80), (2, 9, 50), (2, 3, 64), (5, 7, 15), (6, 9, 17), (7, 33, 31), (13, 64, 48), (97, 40, 33), (200, 17, 70), (32, 256, 512)] {
      for half in [false, true] {
        let x: Vec<f32> = (0..rows * k).map(|_| (rng.unit() as f32) * 2.0 - 1.0).collect();
        let w32: Vec<f32> = (0..k * n).map(|_| (rng.unit() as f32) * 2.0 - 1.0).collect();
        let w16: Vec<u16> = w32.iter().map(|&v| half::f16::from_f32(v).to_bits()).collect();
        let wv: Vec<f64> = if half { w16.iter().map(|&h| half::f16::from_bits(h).to_f64()).collect() } else { w32.iter().map(|&v| v as f64).collect() };
        let y0: Vec<f32> = (0..rows * n).map(|_| (rng.unit() as f32) - 0.5).collect();
        for p in [None, Some(&pool)] {
          let mut y = y0.clone();
          let (mut p32, mut p16) = (Vec::new(), Vec::new());
          pack(&w32, k, n, &mut p32);
          pack(&w16, k, n, &mut p16);
          let ran = if half { gemm_packed(p, &x, rows, k, &p16, n, &mut y) } else { gemm_packed(p, &x, rows, k, &p32, n, &mut y) };
          assert!(ran);
          for r in 0..rows {
            for j in 0..n {
              let (mut z, mut s) = (y0[r * n + j] as f64, (y0[r * n + j] as f64).abs());
              for kk in 0..k {
                let t = x[r * k + kk] as f64 * wv[kk * n + j];
                z += t;
                s += t.abs();
              }
              let got = y[r * n + j] as f64;
              assert!((got - z).abs() <= 1e-6 * s + 1e-30, "{rows}x{k}x{n} half={half} [{r},{j}] {got} vs {z}");
            }
          }
          // Row r's result does not depend on the chunking or the pool.
          let mut one = y0[..n].to_vec();
          assert!(gemm_packed(None, &x[..k], 1, k, &p32, n, &mut one));
          if !half {
            assert_eq!(&one[..], &y[..n]);
          }
        }
      }
    }
  }

  #[test]
  fn refuses_mismatched_lengths() {
    let mut y = vec![0f32; 6];
    let w = vec![0f32; 3 * 16];
    assert!(!gemm_packed::<f32>(None, &[0.0; 5], 2, 3, &w, 3, &mut y));
    assert!(!gemm_packed::<f32>(None, &[0.0; 6], 2, 3, &w[..47], 3, &mut y));
    assert!(!gemm_packed::<f32>(None, &[0.0; 6], 2, 3, &w, 3, &mut y[..5]));
    assert!(!gemm_packed::<f32>(None, &[], usize::MAX, 2, &[], 0, &mut []));
  }
}
