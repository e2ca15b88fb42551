//! Dot / cosine / euclidean kernels, one implementation per instruction set.
//!
//! All accumulation is in f64, also for f32 inputs (each f32 lane is widened
//! before the FMA), so that results match a float64 reference to ~1e-15
//! relative instead of the ~1e-4 that f32 accumulation gives at dim 4096.
//! Every kernel uses several independent accumulators: that hides FMA latency
//! and, as a side effect, shortens each partial sum, which lowers rounding
//! error further.
//!
//! Kernels operate on the common prefix of both slices (callers validate the
//! lengths); that keeps the raw-pointer loops in bounds whatever they get.

use crate::simd::{self, Level};
use std::sync::OnceLock;

mod async_bindings;
mod batch;
mod bindings;
mod topk;

/// A set of kernels for one SIMD level, as plain function pointers so the
/// level check happens once per call of a batch, not once per row.
#[derive(Clone, Copy)]
pub struct Kernels {
  pub level: Level,
  pub dot_f32: fn(&[f32], &[f32]) -> f64,
  /// (a·b, b·b): lets batch/top-k get a row's norm in the same pass.
  pub dot_norm_f32: fn(&[f32], &[f32]) -> (f64, f64),
  /// Σ (a_i − b_i)², differences taken in f64.
  pub sqdist_f32: fn(&[f32], &[f32]) -> f64,
  pub dot_f64: fn(&[f64], &[f64]) -> f64,
  pub dot_norm_f64: fn(&[f64], &[f64]) -> (f64, f64),
  pub sqdist_f64: fn(&[f64], &[f64]) -> f64,
}

impl Kernels {
  /// Kernels for `wanted`, or for the best level below it that this CPU
  /// supports. Taking the detected set into account here is what makes it
  /// sound to hand out the SIMD kernels as safe function pointers.
  pub fn for_level(wanted: Level) -> Kernels {
    static SUPPORTED: OnceLock<Vec<Level>> = OnceLock::new();
    let supported = SUPPORTED.get_or_init(simd::supported_levels);
    match simd::resolve(supported, Some(wanted)) {
      #[cfg(target_arch = "x86_64")]
      Level::Avx512 => avx512::KERNELS,
      #[cfg(target_arch = "x86_64")]
      Level::Avx2 => avx2::KERNELS,
      #[cfg(target_arch = "aarch64")]
      Level::Neon => neon::KERNELS,
      _ => scalar::KERNELS,
    }
  }

  /// Kernels for the process-wide level (`HOTPATH_SIMD` applied).
  pub fn active() -> Kernels {
    static ACTIVE: OnceLock<Kernels> = OnceLock::new();
    *ACTIVE.get_or_init(|| Kernels::for_level(simd::level()))
  }

  pub fn cosine_f32(&self, a: &[f32], b: &[f32]) -> f64 {
    // f32 products are exact in f64 and lie in [2^-298, 2^256]: no range guard needed.
    let (ab, bb) = (self.dot_norm_f32)(a, b);
    cosine_from_parts(ab, (self.dot_f32)(a, a), bb)
  }

  /// a·b of f64 vectors; redone at 2^-540 scale when a product or partial sum
  /// overflowed. A dot below 2^-1022 is left as is: it is within n·2^-1074 of
  /// exact, and no rescaling can represent it better.
  pub fn dot_pair_f64(&self, a: &[f64], b: &[f64]) -> f64 {
    let s = (self.dot_f64)(a, b);
    if s.is_finite() {
      s
    } else {
      range::dot_scaled(a, b)
    }
  }

  pub fn cosine_f64(&self, a: &[f64], b: &[f64]) -> f64 {
    let (ab, bb) = (self.dot_norm_f64)(a, b);
    let aa = (self.dot_f64)(a, a);
    if range::safe(aa) && range::safe(bb) {
      // Sound norms; a dot this small may be made of underflowed products.
      return if ab.abs() >= range::TINY { cosine_from_parts(ab, aa, bb) } else { range::unit_dot(a, b, aa, bb) };
    }
    if (aa + bb).is_nan() {
      return f64::NAN;
    }
    range::cosine_scaled(a, b)
  }

  pub fn euclidean_f32(&self, a: &[f32], b: &[f32]) -> f64 {
    (self.sqdist_f32)(a, b).sqrt()
  }

  pub fn euclidean_f64(&self, a: &[f64], b: &[f64]) -> f64 {
    let s = (self.sqdist_f64)(a, b);
    if range::safe(s) {
      s.sqrt()
    } else if s.is_nan() {
      f64::NAN
    } else {
      range::l2_scaled(a, b)
    }
  }
}

/// Cosine from a·b, |a|², |b|². A zero vector has no direction, so its
/// similarity is defined as 0 rather than NaN, unless the other vector is
/// non-finite: then NaN, so bad input still surfaces (same rule as the JS
/// and wasm tiers). The clamp removes the last-ulp overshoot of parallel
/// vectors; NaN stays NaN (clamp keeps NaN).
#[inline]
pub fn cosine_from_parts(ab: f64, aa: f64, bb: f64) -> f64 {
  if aa == 0.0 || bb == 0.0 {
    return if (aa + bb).is_finite() { 0.0 } else { f64::NAN };
  }
  // One sqrt of the product keeps parallel vectors at exactly ±1 where the
  // product is representable; separate roots only when it over/underflows.
  let p = aa * bb;
  let denom = if p.is_finite() && p > 0.0 { p.sqrt() } else { aa.sqrt() * bb.sqrt() };
  (ab / denom).clamp(-1.0, 1.0)
}

/// The f64 pairwise kernels' range guard and the scaled redos behind it, the
/// same as the JS and wasm tiers'. The fast kernels run unchanged; a sum is
/// checked after the fact and only a pair that left the safe range is redone
/// (one or two extra passes, scalar: this is the rare path).
pub(crate) mod range {
  /// 2^-968: a sum of squares at least this large lost at most
  /// n·2^-1075 ≤ 2^-75 of itself to underflow (n ≤ 2^32).
  pub const TINY: f64 = f64::from_bits((1023 - 968) << 52);
  /// Powers of two, so scaling by them is exact while in range.
  pub const DOWN: f64 = f64::from_bits((1023 - 540) << 52);
  pub const UP: f64 = f64::from_bits((1023 + 540) << 52);

  /// In [TINY, MAX]; false for NaN.
  #[inline]
  pub fn safe(s: f64) -> bool {
    (TINY..=f64::MAX).contains(&s)
  }

  /// Σ (a_i·2^-540)(b_i·2^-540) · 2^1080: products ≤ 2^968, so nothing overflows
  /// unless the exact dot does.
  pub fn dot_scaled(a: &[f64], b: &[f64]) -> f64 {
    let s: f64 = a.iter().zip(b).map(|(&x, &y)| (x * DOWN) * (y * DOWN)).sum();
    s * UP * UP
  }

  /// The dot of the two unit vectors (norms known sound): its products are as
  /// large as they can be.
  pub fn unit_dot(a: &[f64], b: &[f64], aa: f64, bb: f64) -> f64 {
    let (ra, rb) = (1.0 / aa.sqrt(), 1.0 / bb.sqrt());
    let s: f64 = a.iter().zip(b).map(|(&x, &y)| (x * ra) * (y * rb)).sum();
    s.clamp(-1.0, 1.0)
  }

  fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |m: f64, &x| if x.abs() > m { x.abs() } else { m })
  }

  /// Cosine of a / max|a| and b / max|b| (as hypot does): sums of squares in [1, n].
  pub fn cosine_scaled(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (max_abs(a), max_abs(b));
    if ma == f64::INFINITY || mb == f64::INFINITY {
      return f64::NAN;
    }
    if ma == 0.0 || mb == 0.0 {
      return 0.0;
    }
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
      let (x, y) = (x / ma, y / mb);
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    super::cosine_from_parts(ab, aa, bb)
  }

  fn max_abs_diff(a: &[f64], b: &[f64], h: f64) -> f64 {
    a.iter().zip(b).fold(0.0, |m: f64, (&x, &y)| {
      let d = (h * x - h * y).abs();
      if d > m {
        d
      } else {
        m
      }
    })
  }

  /// ‖a − b‖ as m·‖(a − b)/m‖, m = max|a_i − b_i|; at half scale when a
  /// difference itself overflows.
  pub fn l2_scaled(a: &[f64], b: &[f64]) -> f64 {
    let (mut h, mut m) = (1.0, max_abs_diff(a, b, 1.0));
    if m == f64::INFINITY {
      h = 0.5;
      m = max_abs_diff(a, b, h);
    }
    if m == 0.0 {
      return 0.0;
    }
    let s: f64 = a.iter().zip(b).map(|(&x, &y)| ((h * x - h * y) / m).powi(2)).sum();
    m * s.sqrt() / h
  }
}

mod scalar {
  use super::{Kernels, Level};

  // Eight independent partial sums; LLVM may map them onto SSE2 registers,
  // which is still baseline code.
  const L: usize = 8;

  pub const KERNELS: Kernels =
    Kernels { level: Level::Scalar, dot_f32, dot_norm_f32, sqdist_f32, dot_f64, dot_norm_f64, sqdist_f64 };

  macro_rules! fold {
    ($a:ident, $b:ident, |$x:ident, $y:ident| $($acc:ident += $e:expr),+) => {{
      let n = $a.len().min($b.len());
      let ($a, $b) = (&$a[..n], &$b[..n]);
      $( let mut $acc = [0.0f64; L]; )+
      let mut ca = $a.chunks_exact(L);
      let mut cb = $b.chunks_exact(L);
      for (xs, ys) in (&mut ca).zip(&mut cb) {
        for j in 0..L {
          let ($x, $y) = (xs[j] as f64, ys[j] as f64);
          $( $acc[j] += $e; )+
        }
      }
      $( let mut $acc: f64 = $acc.iter().sum(); )+
      for (&xv, &yv) in ca.remainder().iter().zip(cb.remainder()) {
        let ($x, $y) = (xv as f64, yv as f64);
        $( $acc += $e; )+
      }
      ($($acc),+)
    }};
  }

  pub fn dot_f32(a: &[f32], b: &[f32]) -> f64 {
    fold!(a, b, |x, y| s += x * y)
  }
  pub fn dot_norm_f32(a: &[f32], b: &[f32]) -> (f64, f64) {
    fold!(a, b, |x, y| ab += x * y, bb += y * y)
  }
  pub fn sqdist_f32(a: &[f32], b: &[f32]) -> f64 {
    fold!(a, b, |x, y| s += (x - y) * (x - y))
  }
  pub fn dot_f64(a: &[f64], b: &[f64]) -> f64 {
    fold!(a, b, |x, y| s += x * y)
  }
  pub fn dot_norm_f64(a: &[f64], b: &[f64]) -> (f64, f64) {
    fold!(a, b, |x, y| ab += x * y, bb += y * y)
  }
  pub fn sqdist_f64(a: &[f64], b: &[f64]) -> f64 {
    fold!(a, b, |x, y| s += (x - y) * (x - y))
  }
}

/// One SIMD kernel body. Four vectors are processed per step (four
/// independent accumulators per output), then one vector per step, then a
/// scalar tail. `x`/`y` are caller-named bindings for the widened f64 vectors
/// (f64 scalars in the tail); each `out[v] => vec_expr; tail_expr` names an
/// output `out`, binds its current accumulator vector as `v`, and gives the
/// vector update and the scalar tail term. All loads are unaligned.
#[allow(unused_macros)]
macro_rules! simd_body {
  (
    lanes = $lanes:expr, zero = $zero:path, add = $add:path, hsum = $hsum:path;
    $a:ident, $b:ident, $load:path, |$x:ident, $y:ident|
    $( $acc:ident [$v:ident] => $vec:expr ; $sc:expr ),+ $(,)?
  ) => {{
    const W: usize = $lanes;
    let n = $a.len().min($b.len());
    let (pa, pb) = ($a.as_ptr(), $b.as_ptr());
    $( let mut $acc = [$zero(); 4]; )+
    let mut i = 0usize;
    // SAFETY (all loads): i + 4*W <= n resp. i + W <= n, and n is within
    // both slices.
    while i + 4 * W <= n {
      for u in 0..4 {
        let $x = unsafe { $load(pa.add(i + u * W)) };
        let $y = unsafe { $load(pb.add(i + u * W)) };
        $( let $v = $acc[u]; $acc[u] = $vec; )+
      }
      i += 4 * W;
    }
    while i + W <= n {
      let $x = unsafe { $load(pa.add(i)) };
      let $y = unsafe { $load(pb.add(i)) };
      $( let $v = $acc[0]; $acc[0] = $vec; )+
      i += W;
    }
    $( let mut $acc: f64 = $hsum($add($add($acc[0], $acc[1]), $add($acc[2], $acc[3]))); )+
    while i < n {
      let ($x, $y) = ($a[i] as f64, $b[i] as f64);
      $( $acc += $sc; )+
      i += 1;
    }
    ($($acc),+)
  }};
}

/// Generates the six kernels (and their safe table) for one vector ISA.
#[allow(unused_macros)]
macro_rules! simd_kernels {
  (
    feature = $feat:literal, level = $level:expr, lanes = $lanes:expr,
    zero = $zero:path, load32 = $load32:path, load64 = $load64:path,
    fma = $fma:path, sub = $sub:path, add = $add:path, hsum = $hsum:path $(,)?
  ) => {
    // SAFETY: this table is only handed out by `Kernels::for_level` after
    // run-time detection confirmed `$feat`.
    pub const KERNELS: super::Kernels = super::Kernels {
      level: $level,
      dot_f32: |a, b| unsafe { dot_f32(a, b) },
      dot_norm_f32: |a, b| unsafe { dot_norm_f32(a, b) },
      sqdist_f32: |a, b| unsafe { sqdist_f32(a, b) },
      dot_f64: |a, b| unsafe { dot_f64(a, b) },
      dot_norm_f64: |a, b| unsafe { dot_norm_f64(a, b) },
      sqdist_f64: |a, b| unsafe { sqdist_f64(a, b) },
    };

    #[target_feature(enable = $feat)]
    pub unsafe fn dot_f32(a: &[f32], b: &[f32]) -> f64 {
      simd_body!(lanes = $lanes, zero = $zero, add = $add, hsum = $hsum;
        a, b, $load32, |x, y| s[v] => $fma(x, y, v); x * y)
    }
    #[target_feature(enable = $feat)]
    pub unsafe fn dot_norm_f32(a: &[f32], b: &[f32]) -> (f64, f64) {
      simd_body!(lanes = $lanes, zero = $zero, add = $add, hsum = $hsum;
        a, b, $load32, |x, y|
        ab[v] => $fma(x, y, v); x * y,
        bb[w] => $fma(y, y, w); y * y)
    }
    #[target_feature(enable = $feat)]
    pub unsafe fn sqdist_f32(a: &[f32], b: &[f32]) -> f64 {
      simd_body!(lanes = $lanes, zero = $zero, add = $add, hsum = $hsum;
        a, b, $load32, |x, y|
        s[v] => { let d = $sub(x, y); $fma(d, d, v) }; (x - y) * (x - y))
    }
    #[target_feature(enable = $feat)]
    pub unsafe fn dot_f64(a: &[f64], b: &[f64]) -> f64 {
      simd_body!(lanes = $lanes, zero = $zero, add = $add, hsum = $hsum;
        a, b, $load64, |x, y| s[v] => $fma(x, y, v); x * y)
    }
    #[target_feature(enable = $feat)]
    pub unsafe fn dot_norm_f64(a: &[f64], b: &[f64]) -> (f64, f64) {
      simd_body!(lanes = $lanes, zero = $zero, add = $add, hsum = $hsum;
        a, b, $load64, |x, y|
        ab[v] => $fma(x, y, v); x * y,
        bb[w] => $fma(y, y, w); y * y)
    }
    #[target_feature(enable = $feat)]
    pub unsafe fn sqdist_f64(a: &[f64], b: &[f64]) -> f64 {
      simd_body!(lanes = $lanes, zero = $zero, add = $add, hsum = $hsum;
        a, b, $load64, |x, y|
        s[v] => { let d = $sub(x, y); $fma(d, d, v) }; (x - y) * (x - y))
    }
  };
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
  use crate::simd::Level;
  use std::arch::x86_64::*;

  #[target_feature(enable = "avx2,fma")]
  #[inline]
  unsafe fn load32(p: *const f32) -> __m256d {
    _mm256_cvtps_pd(_mm_loadu_ps(p))
  }
  #[target_feature(enable = "avx2,fma")]
  #[inline]
  unsafe fn load64(p: *const f64) -> __m256d {
    _mm256_loadu_pd(p)
  }
  #[target_feature(enable = "avx2,fma")]
  #[inline]
  fn hsum(v: __m256d) -> f64 {
    let s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
    _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)))
  }

  simd_kernels!(
    feature = "avx2,fma",
    level = Level::Avx2,
    lanes = 4,
    zero = _mm256_setzero_pd,
    load32 = load32,
    load64 = load64,
    fma = _mm256_fmadd_pd,
    sub = _mm256_sub_pd,
    add = _mm256_add_pd,
    hsum = hsum,
  );
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
  use crate::simd::Level;
  use std::arch::x86_64::*;

  #[target_feature(enable = "avx512f,avx2,fma")]
  #[inline]
  unsafe fn load32(p: *const f32) -> __m512d {
    _mm512_cvtps_pd(_mm256_loadu_ps(p))
  }
  #[target_feature(enable = "avx512f,avx2,fma")]
  #[inline]
  unsafe fn load64(p: *const f64) -> __m512d {
    _mm512_loadu_pd(p)
  }

  simd_kernels!(
    feature = "avx512f,avx2,fma",
    level = Level::Avx512,
    lanes = 8,
    zero = _mm512_setzero_pd,
    load32 = load32,
    load64 = load64,
    fma = _mm512_fmadd_pd,
    sub = _mm512_sub_pd,
    add = _mm512_add_pd,
    hsum = _mm512_reduce_add_pd,
  );
}

#[cfg(target_arch = "aarch64")]
mod neon {
  use crate::simd::Level;
  use std::arch::aarch64::*;

  #[target_feature(enable = "neon")]
  #[inline]
  unsafe fn load32(p: *const f32) -> float64x2_t {
    vcvt_f64_f32(vld1_f32(p))
  }
  #[target_feature(enable = "neon")]
  #[inline]
  unsafe fn load64(p: *const f64) -> float64x2_t {
    vld1q_f64(p)
  }
  #[target_feature(enable = "neon")]
  #[inline]
  fn zero() -> float64x2_t {
    vdupq_n_f64(0.0)
  }
  // vfmaq_f64 takes the accumulator first; the macro passes it last.
  #[target_feature(enable = "neon")]
  #[inline]
  fn fma(x: float64x2_t, y: float64x2_t, acc: float64x2_t) -> float64x2_t {
    vfmaq_f64(acc, x, y)
  }

  simd_kernels!(
    feature = "neon",
    level = Level::Neon,
    lanes = 2,
    zero = zero,
    load32 = load32,
    load64 = load64,
    fma = fma,
    sub = vsubq_f64,
    add = vaddq_f64,
    hsum = vaddvq_f64,
  );
}

#[cfg(test)]
pub(crate) mod tests {
  use super::*;
  use crate::test_rng::Rng;

  /// Neumaier-compensated sum: a reference far more accurate than the kernels.
  pub fn ref_sum(terms: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut s, mut c, mut abs) = (0.0f64, 0.0f64, 0.0f64);
    for t in terms {
      abs += t.abs();
      let u = s + t;
      c += if s.abs() >= t.abs() { (s - u) + t } else { (t - u) + s };
      s = u;
    }
    (s + c, abs)
  }

  pub fn all_kernels() -> Vec<Kernels> {
    simd::supported_levels().into_iter().map(Kernels::for_level).collect()
  }

  const LENGTHS: &[usize] = &[0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 127, 384, 1023, 4096];

  #[test]
  fn f32_kernels_match_reference() {
    let mut rng = Rng::new(7);
    for k in all_kernels() {
      for &n in LENGTHS {
        // Offset by one element so the data is not 32/64-byte aligned.
        let a = rng.vec_f32(n + 1);
        let b = rng.vec_f32(n + 1);
        let (a, b) = (&a[1..], &b[1..]);
        let (dot, abs) = ref_sum(a.iter().zip(b).map(|(&x, &y)| x as f64 * y as f64));
        let tol = 1e-12 * abs.max(f64::MIN_POSITIVE);
        let got = (k.dot_f32)(a, b);
        assert!((got - dot).abs() <= tol, "{:?} n={n} dot {got} vs {dot}", k.level);

        let (bb, _) = ref_sum(b.iter().map(|&y| y as f64 * y as f64));
        let (gab, gbb) = (k.dot_norm_f32)(a, b);
        assert!((gab - dot).abs() <= tol, "{:?} n={n} dot_norm.ab", k.level);
        assert!((gbb - bb).abs() <= 1e-12 * bb, "{:?} n={n} dot_norm.bb", k.level);

        let (sq, _) = ref_sum(a.iter().zip(b).map(|(&x, &y)| (x as f64 - y as f64).powi(2)));
        let got = (k.sqdist_f32)(a, b);
        assert!((got - sq).abs() <= 1e-12 * sq, "{:?} n={n} sqdist {got} vs {sq}", k.level);
      }
    }
  }

  #[test]
  fn f64_kernels_match_reference() {
    let mut rng = Rng::new(11);
    for k in all_kernels() {
      for &n in LENGTHS {
        let a = rng.vec_f64(n + 1);
        let b = rng.vec_f64(n + 1);
        let (a, b) = (&a[1..], &b[1..]);
        let (dot, abs) = ref_sum(a.iter().zip(b).map(|(&x, &y)| x * y));
        let tol = 1e-14 * abs.max(f64::MIN_POSITIVE);
        let got = (k.dot_f64)(a, b);
        assert!((got - dot).abs() <= tol, "{:?} n={n} dot {got} vs {dot}", k.level);
        let (gab, _) = (k.dot_norm_f64)(a, b);
        assert!((gab - dot).abs() <= tol, "{:?} n={n} dot_norm", k.level);
        let (sq, _) = ref_sum(a.iter().zip(b).map(|(&x, &y)| (x - y) * (x - y)));
        let got = (k.sqdist_f64)(a, b);
        assert!((got - sq).abs() <= 1e-14 * sq, "{:?} n={n} sqdist", k.level);
      }
    }
  }

  #[test]
  fn cosine_edge_cases() {
    for k in all_kernels() {
      assert_eq!(k.cosine_f32(&[], &[]), 0.0);
      assert_eq!(k.cosine_f32(&[0.0; 9], &[1.0; 9]), 0.0);
      assert_eq!(k.euclidean_f64(&[], &[]), 0.0);
      let v: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
      let c = k.cosine_f32(&v, &v);
      assert!(c <= 1.0 && (c - 1.0).abs() < 1e-15, "{:?} {c}", k.level);
      let neg: Vec<f32> = v.iter().map(|x| -x).collect();
      assert!(k.cosine_f32(&v, &neg) >= -1.0);
      assert!(k.cosine_f32(&[f32::NAN, 1.0], &[1.0, 1.0]).is_nan());
      assert!(k.cosine_f32(&[0.0, 0.0], &[f32::NAN, 1.0]).is_nan());
      assert!(k.cosine_f64(&[f64::INFINITY, 0.0], &[0.0, 0.0]).is_nan());
      assert_eq!(k.euclidean_f32(&[0.0, 3.0], &[4.0, 0.0]), 5.0);
      assert_eq!(k.cosine_f64(&[1.0, 2.0], &[2.0, 4.0]), 1.0);
      // |a|²·|b|² overflows f64 here; the result must still be finite.
      assert!((k.cosine_f64(&[1e150, 0.0], &[1e150, 1e150]) - 0.5f64.sqrt()).abs() < 1e-15);
      assert!((k.cosine_f64(&[1e-150, 0.0], &[1e-150, 1e-150]) - 0.5f64.sqrt()).abs() < 1e-15);
    }
  }

  #[test]
  fn f64_pairs_at_the_range_limits() {
    for k in all_kernels() {
      // Sums of squares overflow (1e160) or underflow (1e-170): cosine is still 1.
      for v in [1e160, 1e-170, 5e-324] {
        let x = vec![v; 19];
        assert!((k.cosine_f64(&x, &x) - 1.0).abs() < 1e-15, "{:?} cos {v}", k.level);
      }
      let (a, b) = ([1e200, 1e200], [1e200, -1e200]);
      assert_eq!(k.dot_pair_f64(&a, &b), 0.0, "{:?} cancelling overflow", k.level);
      assert_eq!(k.dot_pair_f64(&[1e160; 8], &[1e160; 8]), f64::INFINITY, "beyond the range");
      let d = k.euclidean_f64(&[1e200, 1e200], &[-1e200, -1e200]);
      assert!((d - 2e200 * 2f64.sqrt()).abs() <= 1e-15 * d, "{:?} {d}", k.level);
      assert_eq!(k.euclidean_f64(&[1.7e308], &[-1.7e308]), f64::INFINITY);
      assert_eq!(k.euclidean_f64(&[1.7e308, 3.0], &[1.7e308, 3.0]), 0.0);
      let d = k.euclidean_f64(&[1e-170; 4], &[-1e-170; 4]);
      assert!((d - 4e-170).abs() <= 1e-15 * d, "{:?} {d}", k.level);
      // Orthogonal big parts, a tiny overlap: the dot underflows, the cosine does not.
      let c = k.cosine_f64(&[1e-145, 0.0, 1e-170], &[0.0, 1e-145, 1e-170]);
      assert!((c - 1e-50).abs() <= 1e-15 * 1e-50, "{:?} {c}", k.level);
      assert_eq!(k.cosine_f64(&[0.0; 5], &[1e300; 5]), 0.0);
      assert!(k.cosine_f64(&[0.0, 0.0], &[f64::INFINITY, 1.0]).is_nan());
      assert!(k.euclidean_f64(&[f64::NAN, 0.0], &[0.0, 0.0]).is_nan());
    }
  }

  #[test]
  fn every_supported_level_gets_its_own_kernels() {
    for l in simd::supported_levels() {
      assert_eq!(Kernels::for_level(l).level, l);
    }
    eprintln!("levels tested: {:?}", simd::supported_levels());
  }

  #[test]
  fn all_levels_agree_closely() {
    let mut rng = Rng::new(3);
    let a = rng.vec_f32(1001);
    let b = rng.vec_f32(1001);
    let base = Kernels::for_level(Level::Scalar).cosine_f32(&a, &b);
    for k in all_kernels() {
      assert!((k.cosine_f32(&a, &b) - base).abs() < 1e-14);
    }
  }
}
