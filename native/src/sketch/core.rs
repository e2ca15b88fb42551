//! The sketch itself, free of napi. The contract (state, add semantics, the
//! key mappings, the collapsing stores, addBins / merge) is the header of
//! `ts/contract/sketch.ts`; `ts/tiers/js/sketch.ts` is its reference, and
//! this file must agree with it bit for bit: same bins, count, sum, min,
//! max. Hence only `+ - * /`, ceil / floor and bit extraction in the key
//! arithmetic (no `f64::ln`, no `mul_add`; Rust never contracts a * b + c
//! into an FMA), and `sum += v` strictly in order.
//!
//! Storage: one buffer `[zeroCount, P's window, N's window]`. Each store's
//! window is a run of consecutive native keys `lo..lo + len` (len <= maxBins)
//! inside the i32 key domain. P collapses its lowest keys: a key k counts in
//! bin max(k, H - M + 1), H the highest key given since the last clear. N
//! collapses its highest: min(k, L + M - 1). The window of P always starts
//! at or above H - M + 1 (N's always ends at or below L + M - 1), and is at
//! most M long, so a key inside the window can raise H without moving the
//! floor past the window: adding it is one increment. That is the fast path
//! of `add`; a key outside sends the rest of its chunk through `ensure`,
//! which collapses, grows or moves the windows (amortised: windows double)
//! so that every key of the chunk lands inside, then the fast path resumes.
//! When the window starts exactly at the floor ("saturated"), keys below it
//! are clamped to it on the fast path too.
//!
//! Each store's non-zero range is cached (`nz`): kept exact by ensure's
//! relayouts, merges and add of a batch of one sign (from its min and max),
//! else Unknown until a scan. merge, bins and plan read only that range, so
//! a merge costs O(the other's range), one vector add when it lies inside
//! the window (no ensure then, as on add's fast path), never O(window).
//!
//! add is two passes: a scan (the first non-finite value, and min / max by
//! lanes), then per chunk of 1024 the keys and buffer slots of the values,
//! eight at a time on AVX2 (`mod avx2`, explicit intrinsics; the portable
//! loops are the reference and the fallback), and the increments and
//! `sum += v` in order.
//!
//! Every method either validates its input (returning an `ArgError`) or is
//! total over any input (saturating conversions, i64 key arithmetic, checked
//! indexing; the AVX2 increments clamp each slot to the buffer before an
//! unchecked index): nothing panics or overflows, whatever bits a value
//! holds.

// fdlibm's constants are written as e_log.c writes them.
#![allow(clippy::excessive_precision)]

use std::cell::Cell;

use crate::abi::{SKETCH_CUBIC, SKETCH_EXP, SKETCH_LOG};
use crate::error::{js_num, ArgError, ArgResult};

const SIGN: u64 = 1 << 63;
const MANT: u64 = 0x000f_ffff_ffff_ffff;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;
/// Bits of SKETCH_MIN_INDEXABLE = 2^-1022: |v| at or below it counts as zero.
const MIN_INDEXABLE_BITS: u64 = 0x0010_0000_0000_0000;
/// Bins per store, most.
pub const MAX_BINS: u32 = 1 << 20;
pub const MIN_SCALE: u32 = 1;
pub const MAX_SCALE: u32 = 20;
/// DDSketch's cubic interpolation coefficients (the same f64 divisions as JS).
pub const CUBIC_A: f64 = 6.0 / 35.0;
pub const CUBIC_B: f64 = -3.0 / 5.0;
pub const CUBIC_C: f64 = 10.0 / 7.0;
/// Values per chunk of `add` (the key scratch is 4 KiB).
const CHUNK: usize = 1024;
/// The floor of a store without keys (far below any key, and negatable).
const NO_FLOOR: i64 = i64::MIN / 4;
/// Fewest bins a store's window grows to.
const MIN_WINDOW: i64 = 32;

// ---------------------------------------------------------------------------
// fdlibm 5.3 __ieee754_log (e_log.c), op for op as ts/tiers/js/sketch.ts
// transcribes it; V8's Math.log is the same code.

const LN2_HI: f64 = 6.93147180369123816490e-01;
const LN2_LO: f64 = 1.90821492927058770002e-10;
const TWO54: f64 = 1.80143985094819840000e+16;
const LG1: f64 = 6.666666666666735130e-01;
const LG2: f64 = 3.999999999940941908e-01;
const LG3: f64 = 2.857142874366239149e-01;
const LG4: f64 = 2.222219843214978396e-01;
const LG5: f64 = 1.818357216161805012e-01;
const LG6: f64 = 1.531383769920937332e-01;
const LG7: f64 = 1.479819860511658591e-01;
const THIRD: f64 = 0.33333333333333333;

/// Natural log, bit-identical to fdlibm's (and so to V8's Math.log). `hx` is
/// the signed high word, as in C; the i32 arithmetic cannot overflow (hx is
/// masked to 20 bits before anything is added to it).
#[inline]
pub fn fdlibm_log(x: f64) -> f64 {
  let mut x = x;
  let mut hx = (x.to_bits() >> 32) as u32 as i32;
  let lx = x.to_bits() as u32;
  let mut k: i32 = 0;
  if hx < 0x0010_0000 {
    // x < 2^-1022: zero, negative or subnormal.
    if ((hx & 0x7fff_ffff) as u32 | lx) == 0 {
      return f64::NEG_INFINITY;
    }
    if hx < 0 {
      return f64::NAN;
    }
    k -= 54;
    x *= TWO54;
    hx = (x.to_bits() >> 32) as u32 as i32;
  }
  if hx >= 0x7ff0_0000 {
    return x + x;
  }
  k += (hx >> 20) - 1023;
  hx &= 0x000f_ffff;
  let i0 = (hx + 0x95f64) & 0x0010_0000;
  // Normalise x or x/2 into [sqrt(2)/2, sqrt(2)): replace the high word.
  let high = (hx | (i0 ^ 0x3ff0_0000)) as u32 as u64;
  x = f64::from_bits((high << 32) | (x.to_bits() & 0xffff_ffff));
  k += i0 >> 20;
  let f = x - 1.0;
  if (0x000f_ffff & (2 + hx)) < 3 {
    // -2^-20 <= f < 2^-20.
    if f == 0.0 {
      if k == 0 {
        return 0.0;
      }
      let dk = k as f64;
      return dk * LN2_HI + dk * LN2_LO;
    }
    let r = f * f * (0.5 - THIRD * f);
    if k == 0 {
      return f - r;
    }
    let dk = k as f64;
    return dk * LN2_HI - ((r - dk * LN2_LO) - f);
  }
  let s = f / (2.0 + f);
  let dk = k as f64;
  let z = s * s;
  let mut i = hx - 0x6147a;
  let w = z * z;
  let j = 0x6b851 - hx;
  let t1 = w * (LG2 + w * (LG4 + w * LG6));
  let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  let r = t2 + t1;
  if i > 0 {
    let hfsq = 0.5 * f * f;
    if k == 0 {
      return f - (hfsq - s * (hfsq + r));
    }
    return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
  }
  if k == 0 {
    return f - s * (f - r);
  }
  dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)
}

// ---------------------------------------------------------------------------
// Configuration and keys.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mapping {
  Cubic,
  Log,
  Exp,
}

#[derive(Clone, Copy, Debug)]
pub struct Config {
  pub mapping: Mapping,
  pub multiplier: f64,
  pub offset: i32,
  pub scale: u32,
  pub max_bins: u32,
  /// 2^scale (EXP), else 1.
  unit: f64,
}

impl Config {
  /// Validates a configuration: a known mapping, a finite multiplier > 0, a
  /// scale in [1, 20] for EXP (0 otherwise), maxBins in [1, 2^20], and
  /// every key (of the smallest and the largest indexable value, keys being
  /// monotone) within i32 with a margin of 2.
  pub fn new(mapping: u32, multiplier: f64, offset: i32, scale: u32, max_bins: u32) -> ArgResult<Config> {
    let mapping = match mapping {
      SKETCH_CUBIC => Mapping::Cubic,
      SKETCH_LOG => Mapping::Log,
      SKETCH_EXP => Mapping::Exp,
      _ => {
        return Err(ArgError::new(
          "mapping",
          format!("must be {SKETCH_CUBIC} (cubic), {SKETCH_LOG} (log) or {SKETCH_EXP} (exp), got {mapping}"),
        ))
      }
    };
    if !(multiplier.is_finite() && multiplier > 0.0) {
      return Err(ArgError::new("multiplier", format!("must be a finite number > 0, got {}", js_num(multiplier))));
    }
    if mapping == Mapping::Exp {
      if !(MIN_SCALE..=MAX_SCALE).contains(&scale) {
        return Err(ArgError::new(
          "scale",
          format!("must be an integer in [{MIN_SCALE}, {MAX_SCALE}] for the exponential mapping, got {scale}"),
        ));
      }
    } else if scale != 0 {
      return Err(ArgError::new("scale", format!("must be 0 unless the mapping is exponential, got {scale}")));
    }
    if !(1..=MAX_BINS).contains(&max_bins) {
      return Err(ArgError::new("maxBins", format!("must be an integer in [1, 2^20], got {max_bins}")));
    }
    let unit = if mapping == Mapping::Exp { (1u32 << scale) as f64 } else { 1.0 };
    let cfg = Config { mapping, multiplier, offset, scale, max_bins, unit };
    let lo = key_f64(&cfg, MIN_INDEXABLE_BITS + 1);
    let hi = key_f64(&cfg, f64::MAX.to_bits());
    // A margin of 2: the AVX2 path converts keys without clamping them
    // (see avx2::cubic4), so rounding must not take one past i32.
    if !(lo >= i32::MIN as f64 + 2.0 && hi <= i32::MAX as f64 - 2.0) {
      return Err(ArgError::new(
        "multiplier",
        format!(
          "{} with offset {offset} gives keys in [{}, {}], beyond 32 bits (less a margin of 2)",
          js_num(multiplier),
          js_num(lo),
          js_num(hi)
        ),
      ));
    }
    Ok(cfg)
  }

  /// Same mapping, multiplier, offset and scale (bins mean the same values).
  pub fn same_mapping(&self, o: &Config) -> bool {
    self.mapping == o.mapping
      && self.multiplier.to_bits() == o.multiplier.to_bits()
      && self.offset == o.offset
      && self.scale == o.scale
  }
}

/// The exponent field minus 1023, as f64, without an int-to-float
/// conversion (so it vectorises on AVX2): 2^52 + e - (2^52 + 1023), exact.
#[inline(always)]
fn exponent(bits: u64) -> f64 {
  f64::from_bits(0x4330_0000_0000_0000 | ((bits >> 52) & 0x7ff)) - (4503599627370496.0 + 1023.0)
}

#[inline(always)]
fn cubic_key(bits: u64, multiplier: f64, offset: f64) -> f64 {
  let s = f64::from_bits((bits & MANT) | ONE_BITS) - 1.0;
  let approx = ((CUBIC_A * s + CUBIC_B) * s + CUBIC_C) * s + exponent(bits);
  (approx * multiplier).ceil() + offset
}

/// The contract's key(v) of the positive double with bits `bits`, as the JS
/// tier computes it (a double, before any conversion). Total: any bits give
/// some number.
#[inline(always)]
pub fn key_f64(cfg: &Config, bits: u64) -> f64 {
  let offset = cfg.offset as f64;
  match cfg.mapping {
    Mapping::Cubic => cubic_key(bits, cfg.multiplier, offset),
    Mapping::Log => (fdlibm_log(f64::from_bits(bits)) * cfg.multiplier).ceil() + offset,
    Mapping::Exp => {
      if bits & MANT == 0 {
        exponent(bits) * cfg.unit + offset
      } else {
        let idx = (fdlibm_log(f64::from_bits(bits)) * cfg.multiplier).floor();
        let cap = 1024.0 * cfg.unit - 1.0;
        let idx = if idx > cap { cap } else { idx };
        idx + 1.0 + offset
      }
    }
  }
}

/// A key as i32: clamped to the i32 range (NaN to some i32; Config::new
/// keeps real keys inside). Keys are integers, so adding 1.5 * 2^52 puts the key's
/// two's complement in the low 32 bits exactly: bit operations only, which
/// vectorise (a saturating `as i32` does not, on AVX2).
#[inline(always)]
fn to_key(x: f64) -> i32 {
  let x = if x < i32::MIN as f64 { i32::MIN as f64 } else { x };
  let x = if x > i32::MAX as f64 { i32::MAX as f64 } else { x };
  (x + 6755399441055744.0).to_bits() as u32 as i32
}

/// The key of v (normal, > 0) as a store uses it.
#[cfg(test)]
pub fn key(cfg: &Config, v: f64) -> i32 {
  to_key(key_f64(cfg, v.to_bits()))
}

/// keys[i] = key(|vals[i]|) (garbage, but some i32, where |v| is not
/// indexable; those are never used).
#[inline(always)]
fn compute_keys_body(cfg: &Config, vals: &[f64], keys: &mut [i32]) {
  for (k, &v) in keys.iter_mut().zip(vals) {
    *k = to_key(key_f64(cfg, v.to_bits() & !SIGN));
  }
}

// On AVX2 for ceil / floor as one instruction (the baseline target has no
// SSE4.1 rounding: a libm call each); the same results.
crate::simd::dispatch!(fn compute_keys(cfg: &Config, vals: &[f64], keys: &mut [i32]) -> () => compute_keys_body);

/// Both stores' windows as the fast path reads them (index 0 P, 1 N, by a
/// value's sign bit).
#[derive(Clone, Copy, Debug)]
struct Windows {
  lo: [i32; 2],
  len: [u32; 2],
  base: [u32; 2],
  clamp_lo: [i32; 2],
  clamp_hi: [i32; 2],
}

/// The slot of value v (bits) with key k under windows w, and whether it is
/// one: 0, the zero bucket, for |v| <= 2^-1022; else the buffer index of
/// its clamped key if that lies in its store's window. The window test runs
/// in wrapping i32: a window lies inside i32, so (k - lo) mod 2^32 is below
/// len exactly when lo <= k < lo + len. Selects on the sign, not indexing,
/// so that loops over it vectorise.
#[inline(always)]
fn slot_of(bits: u64, k: i32, w: &Windows) -> (u32, bool) {
  let zero = bits & !SIGN <= MIN_INDEXABLE_BITS;
  let neg = (bits as i64) < 0;
  let pick = |a: [i32; 2]| if neg { a[1] } else { a[0] };
  let picku = |a: [u32; 2]| if neg { a[1] } else { a[0] };
  let k = k.max(pick(w.clamp_lo)).min(pick(w.clamp_hi));
  let rel = k.wrapping_sub(pick(w.lo)) as u32;
  let inside = rel < picku(w.len);
  let slot = picku(w.base).wrapping_add(rel);
  (if zero { 0 } else { slot }, inside | zero)
}

/// Adds values in order while each has a slot (keys[i] its key): one more
/// in its bin and `sum += v`; returns how many it added (vals.len(), or the
/// index of the first without a slot) and the sum. Count is the caller's.
fn add_keyed_portable(vals: &[f64], keys: &[i32], buf: &mut [f64], mut sum: f64, w: &Windows) -> (usize, f64) {
  for (i, (&v, &k)) in vals.iter().zip(keys).enumerate() {
    let (slot, ok) = slot_of(v.to_bits(), k, w);
    let Some(b) = buf.get_mut(slot as usize).filter(|_| ok) else { return (i, sum) };
    sum += v;
    *b += 1.0;
  }
  (vals.len().min(keys.len()), sum)
}

/// add_keyed_portable, on AVX2 where the CPU has it (and HOTPATH_SIMD allows).
fn add_keyed(vals: &[f64], keys: &[i32], buf: &mut [f64], sum: f64, w: &Windows) -> (usize, f64) {
  #[cfg(target_arch = "x86_64")]
  if crate::simd::level() >= crate::simd::Level::Avx2 {
    // SAFETY: simd::level() only returns levels this CPU supports, and
    // both x86 levels from Avx2 up include AVX2.
    return unsafe { avx2::add_keyed(vals, keys, buf, sum, w) };
  }
  add_keyed_portable(vals, keys, buf, sum, w)
}

/// add_keyed_portable with the cubic keys computed on the way.
fn add_cubic_portable(
  vals: &[f64],
  buf: &mut [f64],
  mut sum: f64,
  multiplier: f64,
  offset: f64,
  w: &Windows,
) -> (usize, f64) {
  for (i, &v) in vals.iter().enumerate() {
    let bits = v.to_bits();
    let (slot, ok) = slot_of(bits, to_key(cubic_key(bits & !SIGN, multiplier, offset)), w);
    let Some(b) = buf.get_mut(slot as usize).filter(|_| ok) else { return (i, sum) };
    sum += v;
    *b += 1.0;
  }
  (vals.len(), sum)
}

/// add_cubic_portable, on AVX2 where available.
fn add_cubic(vals: &[f64], buf: &mut [f64], sum: f64, multiplier: f64, offset: f64, w: &Windows) -> (usize, f64) {
  #[cfg(target_arch = "x86_64")]
  if crate::simd::level() >= crate::simd::Level::Avx2 {
    // SAFETY: as in add_keyed.
    return unsafe { avx2::add_cubic(vals, buf, sum, multiplier, offset, w) };
  }
  add_cubic_portable(vals, buf, sum, multiplier, offset, w)
}

/// Pass 1 of add over all values: whether one is not finite, and what
/// `if (v < min) min = v` and `if (v > max) max = v` leave over them in
/// order from min = +Inf, max = -Inf (meaningful when all are finite): the
/// first value equal to the least (greatest). Four lanes, each in order, so
/// it vectorises (one compare-and-select chain per value would be the
/// slowest part of add); finiteness is |bits| + 2^52 staying below the sign
/// bit (it reaches it exactly for an all-ones exponent). Equal finite
/// values differ in bits only as ±0, so the caller fixes a zero result up
/// to the first zero.
fn scan_portable(vals: &[f64]) -> (bool, f64, f64) {
  let mut acc = [0u64; 4];
  let mut lo = [f64::INFINITY; 4];
  let mut hi = [f64::NEG_INFINITY; 4];
  for (i, &v) in vals.iter().enumerate() {
    let j = i & 3;
    acc[j] |= (v.to_bits() & !SIGN) + (1u64 << 52);
    lo[j] = if v < lo[j] { v } else { lo[j] };
    hi[j] = if v > hi[j] { v } else { hi[j] };
  }
  reduce_lanes(acc, lo, hi)
}

/// The lanes of a scan, combined in lane order.
fn reduce_lanes(acc: [u64; 4], lo: [f64; 4], hi: [f64; 4]) -> (bool, f64, f64) {
  let mut mn = f64::INFINITY;
  let mut mx = f64::NEG_INFINITY;
  for j in 0..4 {
    mn = if lo[j] < mn { lo[j] } else { mn };
    mx = if hi[j] > mx { hi[j] } else { mx };
  }
  ((acc[0] | acc[1] | acc[2] | acc[3]) & SIGN != 0, mn, mx)
}

/// scan_portable, on AVX2 where available.
fn scan(vals: &[f64]) -> (bool, f64, f64) {
  #[cfg(target_arch = "x86_64")]
  if crate::simd::level() >= crate::simd::Level::Avx2 {
    // SAFETY: as in add_keyed.
    return unsafe { avx2::scan(vals) };
  }
  scan_portable(vals)
}

/// AVX2 kernels of add, bit for bit the portable ones on every value that
/// is added (the same IEEE operations in the same order; no FMA). Explicit
/// intrinsics: LLVM's auto-vectorisation of the portable loops was 2-10x
/// slower (lane permutes in the min/max chains, scalarised conversions,
/// 4-wide i32). Eight values a step: keys and slots in one ymm of i32, in
/// the order vshufps leaves them, put back in value order by one vpermq.
#[cfg(target_arch = "x86_64")]
mod avx2 {
  use std::arch::x86_64::*;

  use super::{Windows, CUBIC_A, CUBIC_B, CUBIC_C, MANT, MIN_INDEXABLE_BITS, ONE_BITS, SIGN};

  /// Each window field, per store, in all eight i32 lanes. Biased by 2^31
  /// (lo, len) so that one signed compare is the unsigned rel < len: with
  /// rel' = k - (lo ^ 2^31) = rel ^ 2^31, rel <u len iff rel' <s len ^ 2^31;
  /// base is biased back (slot = rel' + (base - 2^31) = base + rel).
  struct Params {
    lo: [__m256i; 2],
    len: [__m256i; 2],
    base: [__m256i; 2],
    clamp_lo: [__m256i; 2],
    clamp_hi: [__m256i; 2],
    /// Any clamp is not a no-op (a saturated window).
    clamps: bool,
  }

  #[inline]
  #[target_feature(enable = "avx2")]
  fn params(w: &Windows) -> Params {
    let b = |x: [i32; 2]| [_mm256_set1_epi32(x[0]), _mm256_set1_epi32(x[1])];
    let bias = |x: [u32; 2]| [(x[0] ^ 1 << 31) as i32, (x[1] ^ 1 << 31) as i32];
    Params {
      lo: b(bias([w.lo[0] as u32, w.lo[1] as u32])),
      len: b(bias(w.len)),
      base: b(bias(w.base)),
      clamp_lo: b(w.clamp_lo),
      clamp_hi: b(w.clamp_hi),
      clamps: w.clamp_lo != [i32::MIN; 2] || w.clamp_hi != [i32::MAX; 2],
    }
  }

  /// The even (low) i32 of two vectors of 64-bit lanes, in vshufps order:
  /// a0 a1 b0 b1 | a2 a3 b2 b3.
  #[inline]
  #[target_feature(enable = "avx2")]
  fn evens(a: __m256i, b: __m256i) -> __m256i {
    _mm256_castps_si256(_mm256_shuffle_ps::<0x88>(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b)))
  }

  /// The odd (high) i32, in the same order.
  #[inline]
  #[target_feature(enable = "avx2")]
  fn odds(a: __m256i, b: __m256i) -> __m256i {
    _mm256_castps_si256(_mm256_shuffle_ps::<0xdd>(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b)))
  }

  /// slot_of for the eight values a, b with keys k (vshufps order): (slots
  /// in value order, lanes that have none). CLAMP: apply the clamps (else
  /// they are known no-ops).
  #[inline]
  #[target_feature(enable = "avx2")]
  fn slots8<const CLAMP: bool>(a: __m256d, b: __m256d, k: __m256i, p: &Params) -> (__m256i, __m256i) {
    let (a, b) = (_mm256_castpd_si256(a), _mm256_castpd_si256(b));
    let neg = _mm256_srai_epi32(odds(a, b), 31);
    let abs = _mm256_set1_epi64x(!SIGN as i64);
    let min = _mm256_set1_epi64x(MIN_INDEXABLE_BITS as i64);
    // |bits| is >= 0 as i64: the signed compare is the unsigned one.
    let ia = _mm256_cmpgt_epi64(_mm256_and_si256(a, abs), min);
    let ib = _mm256_cmpgt_epi64(_mm256_and_si256(b, abs), min);
    let indexable = evens(ia, ib);
    let k = if CLAMP {
      let k = _mm256_max_epi32(k, _mm256_blendv_epi8(p.clamp_lo[0], p.clamp_lo[1], neg));
      _mm256_min_epi32(k, _mm256_blendv_epi8(p.clamp_hi[0], p.clamp_hi[1], neg))
    } else {
      k
    };
    let rel = _mm256_sub_epi32(k, _mm256_blendv_epi8(p.lo[0], p.lo[1], neg));
    let inside = _mm256_cmpgt_epi32(_mm256_blendv_epi8(p.len[0], p.len[1], neg), rel);
    let slot = _mm256_add_epi32(_mm256_blendv_epi8(p.base[0], p.base[1], neg), rel);
    let slot = _mm256_and_si256(slot, indexable);
    (_mm256_permute4x64_epi64::<0xd8>(slot), _mm256_andnot_si256(inside, indexable))
  }

  /// The cubic keys of |v| for four values, in the low i32 of each 64-bit
  /// lane: to_key(cubic_key(..)) without to_key's clamps, which are no-ops
  /// for every indexable value (Config::new checks its keys fit in i32, with
  /// a margin); the others' keys are never used. The offset is folded into
  /// the conversion constant: ceil(x) + offset + 1.5 * 2^52 is exact either
  /// way (integers below 2^53).
  #[inline]
  #[target_feature(enable = "avx2")]
  fn cubic4(v: __m256d, multiplier: __m256d, magic_offset: __m256d) -> __m256i {
    let bits = _mm256_castpd_si256(v);
    let mant =
      _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(MANT as i64)), _mm256_set1_epi64x(ONE_BITS as i64));
    let s = _mm256_sub_pd(_mm256_castsi256_pd(mant), _mm256_set1_pd(1.0));
    let exp = _mm256_srli_epi64::<52>(_mm256_and_si256(bits, _mm256_set1_epi64x(!SIGN as i64)));
    let ebits = _mm256_or_si256(exp, _mm256_set1_epi64x(0x4330_0000_0000_0000));
    let e = _mm256_sub_pd(_mm256_castsi256_pd(ebits), _mm256_set1_pd(4503599627370496.0 + 1023.0));
    let t = _mm256_add_pd(_mm256_mul_pd(_mm256_set1_pd(CUBIC_A), s), _mm256_set1_pd(CUBIC_B));
    let t = _mm256_add_pd(_mm256_mul_pd(t, s), _mm256_set1_pd(CUBIC_C));
    let approx = _mm256_add_pd(_mm256_mul_pd(t, s), e);
    let x = _mm256_ceil_pd(_mm256_mul_pd(approx, multiplier));
    _mm256_castpd_si256(_mm256_add_pd(x, magic_offset))
  }

  /// The eight values of q added (bins and sum), if all have a slot (else
  /// nothing happens: None).
  #[inline]
  #[target_feature(enable = "avx2")]
  fn add8(q: &[f64], slots: __m256i, bad: __m256i, buf: &mut [f64], mut sum: f64) -> Option<f64> {
    if _mm256_testz_si256(bad, bad) == 0 || buf.is_empty() {
      return None;
    }
    // Slots are in the buffer by construction; the clamp to its last index
    // makes that local, for the unchecked increments below.
    let last = (buf.len() - 1).min(u32::MAX as usize) as u32;
    let slots = _mm256_min_epu32(slots, _mm256_set1_epi32(last as i32));
    let mut s = [0u32; 8];
    // SAFETY: s is 8 u32: the 32-byte store writes exactly s.
    unsafe { _mm256_storeu_si256(s.as_mut_ptr().cast(), slots) };
    // Eight values in one bin (a collapsed floor, repeated values): one
    // += 8, not a chain of eight dependent increments through memory. The
    // same result while the bin is an integer below 2^53 - 8 (each += 1
    // exact), as counts are but in contrived cases; else one at a time.
    if _mm256_testc_si256(_mm256_cmpeq_epi32(slots, _mm256_set1_epi32(s[0] as i32)), _mm256_set1_epi32(-1)) == 1 {
      // SAFETY: s[0] <= last = buf.len() - 1 (clamped above).
      let b = unsafe { buf.get_unchecked_mut(s[0] as usize) };
      if *b == b.trunc() && *b <= 9007199254740984.0 {
        for &v in q {
          sum += v;
        }
        *b += 8.0;
        return Some(sum);
      }
    }
    for (&v, &slot) in q.iter().zip(&s) {
      sum += v;
      // SAFETY: slot <= last = buf.len() - 1 (clamped above, buf not
      // empty), so the index is in bounds.
      unsafe { *buf.get_unchecked_mut(slot as usize) += 1.0 };
    }
    Some(sum)
  }

  #[inline]
  #[target_feature(enable = "avx2")]
  fn add_cubic_with<const CLAMP: bool>(
    vals: &[f64],
    buf: &mut [f64],
    mut sum: f64,
    multiplier: f64,
    offset: f64,
    p: &Params,
  ) -> (usize, f64) {
    let m = _mm256_set1_pd(multiplier);
    let mo = _mm256_set1_pd(offset + 6755399441055744.0);
    let mut done = 0;
    for q in vals.chunks_exact(8) {
      // SAFETY: q holds exactly 8 f64 (chunks_exact): the two unaligned
      // 32-byte loads read only q.
      let (a, b) = unsafe { (_mm256_loadu_pd(q.as_ptr()), _mm256_loadu_pd(q.as_ptr().add(4))) };
      let k = evens(cubic4(a, m, mo), cubic4(b, m, mo));
      let (s, bad) = slots8::<CLAMP>(a, b, k, p);
      match add8(q, s, bad, buf, sum) {
        Some(x) => sum = x,
        None => return (done, sum),
      }
      done += 8;
    }
    (done, sum)
  }

  /// add_cubic_portable: eight values a step, keys and slots vectorised,
  /// then the eight added in order.
  #[target_feature(enable = "avx2")]
  pub fn add_cubic(vals: &[f64], buf: &mut [f64], sum: f64, multiplier: f64, offset: f64, w: &Windows) -> (usize, f64) {
    let p = params(w);
    let (done, sum) = if p.clamps {
      add_cubic_with::<true>(vals, buf, sum, multiplier, offset, &p)
    } else {
      add_cubic_with::<false>(vals, buf, sum, multiplier, offset, &p)
    };
    if done < vals.len() - vals.len() % 8 {
      return (done, sum);
    }
    let (more, sum) = super::add_cubic_portable(&vals[done..], buf, sum, multiplier, offset, w);
    (done + more, sum)
  }

  /// add_keyed_portable, eight values a step.
  #[target_feature(enable = "avx2")]
  pub fn add_keyed(vals: &[f64], keys: &[i32], buf: &mut [f64], mut sum: f64, w: &Windows) -> (usize, f64) {
    let n = vals.len().min(keys.len());
    let p = params(w);
    let mut done = 0;
    for (q, k) in vals[..n].chunks_exact(8).zip(keys[..n].chunks_exact(8)) {
      // SAFETY: q holds exactly 8 f64 and k exactly 8 i32 (chunks_exact):
      // each unaligned load reads only its chunk.
      let (a, b, k) = unsafe {
        (_mm256_loadu_pd(q.as_ptr()), _mm256_loadu_pd(q.as_ptr().add(4)), _mm256_loadu_si256(k.as_ptr().cast()))
      };
      // Keys in value order to vshufps order (vpermq 0xd8 is its own inverse).
      let (s, bad) = slots8::<true>(a, b, _mm256_permute4x64_epi64::<0xd8>(k), &p);
      match add8(q, s, bad, buf, sum) {
        Some(x) => sum = x,
        None => return (done, sum),
      }
      done += 8;
    }
    let (more, sum) = super::add_keyed_portable(&vals[done..n], &keys[done..n], buf, sum, w);
    (done + more, sum)
  }

  /// scan_portable: vminpd(v, lo) is `v < lo ? v : lo` and vmaxpd(v, hi)
  /// `v > hi ? v : hi`, per lane in order, as there.
  #[target_feature(enable = "avx2")]
  pub fn scan(vals: &[f64]) -> (bool, f64, f64) {
    let mask = _mm256_set1_epi64x(!SIGN as i64);
    let unit = _mm256_set1_epi64x(1 << 52);
    let mut acc = _mm256_setzero_si256();
    let mut lo = _mm256_set1_pd(f64::INFINITY);
    let mut hi = _mm256_set1_pd(f64::NEG_INFINITY);
    let mut vs = vals.chunks_exact(4);
    for q in &mut vs {
      // SAFETY: q holds exactly 4 f64: the unaligned load reads only q.
      let v = unsafe { _mm256_loadu_pd(q.as_ptr()) };
      acc = _mm256_or_si256(acc, _mm256_add_epi64(_mm256_and_si256(_mm256_castpd_si256(v), mask), unit));
      lo = _mm256_min_pd(v, lo);
      hi = _mm256_max_pd(v, hi);
    }
    let mut l = [0.0; 4];
    let mut h = [0.0; 4];
    let mut a = [0u64; 4];
    // SAFETY: each store writes exactly the 32 bytes of its local array.
    unsafe {
      _mm256_storeu_pd(l.as_mut_ptr(), lo);
      _mm256_storeu_pd(h.as_mut_ptr(), hi);
      _mm256_storeu_si256(a.as_mut_ptr().cast(), acc);
    }
    // The remainder continues lanes 0.., as in scan_portable.
    for (j, &v) in vs.remainder().iter().enumerate() {
      a[j] |= (v.to_bits() & !SIGN) + (1u64 << 52);
      l[j] = if v < l[j] { v } else { l[j] };
      h[j] = if v > h[j] { v } else { h[j] };
    }
    super::reduce_lanes(a, l, h)
  }
}

/// Err(index of the first non-finite value), or Ok((min, max)) of the
/// values in order (see scan_portable).
fn scan_values(vals: &[f64]) -> Result<(f64, f64), usize> {
  let (bad, mut mn, mut mx) = scan(vals);
  if bad {
    return Err(vals.iter().position(|v| !v.is_finite()).unwrap_or(0));
  }
  if mn == 0.0 || mx == 0.0 {
    if let Some(&z) = vals.iter().find(|&&v| v == 0.0) {
      if mn == 0.0 {
        mn = z;
      }
      if mx == 0.0 {
        mx = z;
      }
    }
  }
  Ok((mn, mx))
}

// ---------------------------------------------------------------------------
// Stores.

/// P is store 0, N store 1 (a value's sign bit picks it).
const P: usize = 0;
const N: usize = 1;

/// One store's window and collapse state. Keys are native (N's are keys of
/// |v|); "oriented" keys are P's as they are and N's negated, so that both
/// stores collapse their lowest oriented keys.
#[derive(Clone, Copy, Debug)]
struct Store {
  /// P: collapses its lowest keys; N: its highest.
  low: bool,
  /// Window: native keys lo..lo + len, at buf[base..base + len].
  lo: i64,
  len: i64,
  base: usize,
  /// Highest oriented key given since the last clear, as of the last
  /// `ensure` (the fast path only adds inside the window, and the highest
  /// non-zero bin accounts for it); None: no key yet.
  ext: Option<i64>,
  /// Oriented floor ext - M + 1 as of the last ensure.
  floor: i64,
  /// Fast-path clamp of native keys: P max(k, clamp_lo), N min(k, clamp_hi)
  /// (the window edge when it is saturated, else no-ops).
  clamp_lo: i32,
  clamp_hi: i32,
}

impl Store {
  fn new(low: bool) -> Store {
    Store { low, lo: 0, len: 0, base: 1, ext: None, floor: NO_FLOOR, clamp_lo: i32::MIN, clamp_hi: i32::MAX }
  }

  #[cfg(test)]
  fn orient(&self, k: i64) -> i64 {
    if self.low {
      k
    } else {
      -k
    }
  }

  /// Oriented key range of the native window.
  fn oriented_window(&self) -> (i64, i64) {
    if self.low {
      (self.lo, self.lo + self.len - 1)
    } else {
      (-(self.lo + self.len - 1), -self.lo)
    }
  }

  /// The oriented keys a store can hold (native keys are i32).
  fn domain(&self) -> (i64, i64) {
    if self.low {
      (i32::MIN as i64, i32::MAX as i64)
    } else {
      (-(i32::MAX as i64), -(i32::MIN as i64))
    }
  }

  /// The native bin of native key k under oriented floor `floor`.
  #[inline]
  fn collapse(&self, k: i64, floor: i64) -> i64 {
    if self.low {
      k.max(floor)
    } else {
      k.min(-floor)
    }
  }
}

/// What `ensure` makes of one store.
#[derive(Clone, Copy, Debug)]
struct Plan {
  /// Keep the current window (only ext and floor change).
  keep: bool,
  lo: i64,
  len: i64,
  ext: i64,
  floor: i64,
}

/// A store's non-zero bins: none, native keys a..=b (bins a and b non-zero),
/// or not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Nz {
  Empty,
  Range(i64, i64),
  Unknown,
}

/// Index of the first non-zero count (eight at a time: one compare and
/// OR per count, no branch, which vectorises).
fn first_nonzero(w: &[f64]) -> Option<usize> {
  let mut q = w.chunks_exact(8);
  let mut at = 0;
  for c in &mut q {
    if c.iter().fold(false, |a, &x| a | (x != 0.0)) {
      return c.iter().position(|&x| x != 0.0).map(|i| at + i);
    }
    at += 8;
  }
  q.remainder().iter().position(|&x| x != 0.0).map(|i| at + i)
}

/// Index of the last non-zero count.
fn last_nonzero(w: &[f64]) -> Option<usize> {
  let mut q = w.rchunks_exact(8);
  let mut end = w.len();
  for c in &mut q {
    end -= 8;
    if c.iter().fold(false, |a, &x| a | (x != 0.0)) {
      return c.iter().rposition(|&x| x != 0.0).map(|i| end + i);
    }
  }
  q.remainder().iter().rposition(|&x| x != 0.0)
}

fn add_counts_body(dst: &mut [f64], src: &[f64]) {
  for (d, &c) in dst.iter_mut().zip(src) {
    *d += c;
  }
}

// dst[i] += src[i]: one vector add per four counts on AVX2 (an element-wise
// sum, so the same result as the scalar loop).
crate::simd::dispatch!(fn add_counts(dst: &mut [f64], src: &[f64]) -> () => add_counts_body);

/// A sketch's exported bins: each store's non-zero range, lowest key first.
#[cfg(test)]
#[derive(Clone, Debug, PartialEq)]
pub struct Bins {
  pub zero_count: f64,
  pub neg_offset: i32,
  pub neg: Vec<f64>,
  pub pos_offset: i32,
  pub pos: Vec<f64>,
}

#[derive(Clone)]
pub struct Sketch {
  cfg: Config,
  /// [zeroCount, P's window, N's window].
  buf: Vec<f64>,
  st: [Store; 2],
  /// Each store's non-zero range as of now, or Unknown (after add's fast
  /// path, which does not track it): found by a scan on the first use.
  nz: [Cell<Nz>; 2],
  count: f64,
  sum: f64,
  min: f64,
  max: f64,
}

impl Sketch {
  pub fn new(cfg: Config) -> Sketch {
    Sketch {
      cfg,
      buf: vec![0.0],
      st: [Store::new(true), Store::new(false)],
      nz: [Cell::new(Nz::Empty), Cell::new(Nz::Empty)],
      count: 0.0,
      sum: 0.0,
      min: f64::INFINITY,
      max: f64::NEG_INFINITY,
    }
  }

  pub fn config(&self) -> &Config {
    &self.cfg
  }

  /// count, sum, min, max, zeroCount (the contract's SUMMARY order).
  pub fn summary(&self) -> [f64; 5] {
    [self.count, self.sum, self.min, self.max, self.buf[0]]
  }

  /// Bytes held (buffer capacities).
  #[cfg(test)]
  pub fn memory_bytes(&self) -> usize {
    self.buf.capacity() * 8
  }

  pub fn clear(&mut self) {
    self.buf = vec![0.0];
    self.st = [Store::new(true), Store::new(false)];
    self.nz = [Cell::new(Nz::Empty), Cell::new(Nz::Empty)];
    self.count = 0.0;
    self.sum = 0.0;
    self.min = f64::INFINITY;
    self.max = f64::NEG_INFINITY;
  }

  // -------------------------------------------------------------------------
  // Windows.

  fn window(&self, s: usize) -> &[f64] {
    let st = &self.st[s];
    self.buf.get(st.base..st.base + st.len as usize).unwrap_or(&[])
  }

  /// Native keys of the first and last non-zero bins of store s (cached:
  /// a scan only after add's fast path changed the store).
  fn nonzero(&self, s: usize) -> Option<(i64, i64)> {
    match self.nz[s].get() {
      Nz::Empty => None,
      Nz::Range(a, b) => Some((a, b)),
      Nz::Unknown => {
        let r = self.scan_nonzero(s);
        self.nz[s].set(r.map_or(Nz::Empty, |(a, b)| Nz::Range(a, b)));
        r
      }
    }
  }

  /// nonzero(s) by scanning the window.
  fn scan_nonzero(&self, s: usize) -> Option<(i64, i64)> {
    let w = self.window(s);
    let first = first_nonzero(w)?;
    let last = last_nonzero(w)?;
    let lo = self.st[s].lo;
    Some((lo + first as i64, lo + last as i64))
  }

  /// Store s now also holds non-zero bins at native keys a..=b (a <= b),
  /// wherever it had them before.
  fn widen_nonzero(&self, s: usize, a: i64, b: i64) {
    let nz = match self.nz[s].get() {
      Nz::Empty => Nz::Range(a, b),
      Nz::Range(x, y) => Nz::Range(x.min(a), y.max(b)),
      Nz::Unknown => Nz::Unknown,
    };
    self.nz[s].set(nz);
  }

  /// How store s takes native keys in [kmin, kmax] (kmin <= kmax): after
  /// the plan, every such key's collapsed bin lies in the window.
  fn plan(&self, s: usize, kmin: i64, kmax: i64) -> Plan {
    let st = &self.st[s];
    let m = self.cfg.max_bins as i64;
    let (umin, umax) = if st.low { (kmin, kmax) } else { (-kmax, -kmin) };
    let nz = self.nonzero(s).map(|(a, b)| if st.low { (a, b) } else { (-b, -a) });
    let mut h = umax;
    if let Some(e) = st.ext {
      h = h.max(e);
    }
    if let Some((_, b)) = nz {
      h = h.max(b);
    }
    let floor = h - m + 1;
    // Oriented range the collapsed keys (old and new) occupy.
    let mut need_lo = umin.max(floor);
    let mut need_hi = umax;
    if let Some((a, b)) = nz {
      need_lo = need_lo.min(a.max(floor));
      need_hi = need_hi.max(b);
    }
    let (ulo, uhi) = st.oriented_window();
    if st.len > 0 && ulo >= floor && need_lo >= ulo && need_hi <= uhi {
      return Plan { keep: true, lo: st.lo, len: st.len, ext: h, floor };
    }
    // need_lo >= floor and need_hi <= h = floor + m - 1: need <= m.
    let need = need_hi - need_lo + 1;
    let len = m.min(need.max(2 * st.len).max(MIN_WINDOW));
    let (dlo, dhi) = st.domain();
    // Centred on what is needed, then moved up to the floor, into the
    // domain: each move keeps [need_lo, need_hi] covered (see the tests).
    let u = (need_lo - (len - need) / 2).max(floor).max(dlo).min(dhi - len + 1);
    let lo = if st.low { u } else { -(u + len - 1) };
    Plan { keep: false, lo, len, ext: h, floor }
  }

  /// Applies plans (None: the store is left as it is).
  fn apply_plans(&mut self, plans: [Option<Plan>; 2]) {
    let relayout = plans.iter().any(|p| p.is_some_and(|p| !p.keep));
    if relayout {
      let lens = [0, 1].map(|s| plans[s].map_or(self.st[s].len, |p| p.len));
      let mut nb = vec![0.0; 1 + (lens[0] + lens[1]) as usize];
      nb[0] = self.buf[0];
      let bases = [1, 1 + lens[0] as usize];
      for s in [P, N] {
        let st = self.st[s];
        let (lo, floor) = plans[s].map_or((st.lo, st.floor), |p| (p.lo, p.floor));
        let dst = &mut nb[bases[s]..bases[s] + lens[s] as usize];
        // The non-zero range, collapsed as the bins are (the copy visits
        // every one of them: it comes for free).
        let (mut first, mut last) = (i64::MAX, i64::MIN);
        for (j, &c) in self.window(s).iter().enumerate() {
          if c == 0.0 {
            continue;
          }
          let k = st.collapse(st.lo + j as i64, floor);
          if let Some(d) = usize::try_from(k - lo).ok().and_then(|i| dst.get_mut(i)) {
            *d += c;
            first = first.min(k);
            last = last.max(k);
          } else {
            debug_assert!(false, "relayout: key {k} outside window {lo}+{}", lens[s]);
          }
        }
        self.nz[s].set(if first <= last { Nz::Range(first, last) } else { Nz::Empty });
      }
      self.buf = nb;
      for s in [P, N] {
        self.st[s].base = bases[s];
      }
    }
    for s in [P, N] {
      if let Some(p) = plans[s] {
        let st = &mut self.st[s];
        st.lo = p.lo;
        st.len = p.len;
        st.ext = Some(p.ext);
        st.floor = p.floor;
        let saturated = st.oriented_window().0 == p.floor;
        let (lo, hi) = (st.lo as i32, (st.lo + st.len - 1) as i32);
        (st.clamp_lo, st.clamp_hi) = match (st.low, saturated) {
          (true, true) => (lo, i32::MAX),
          (false, true) => (i32::MIN, hi),
          _ => (i32::MIN, i32::MAX),
        };
      }
    }
  }

  /// Makes room in store s for native keys [kmin, kmax].
  fn ensure(&mut self, s: usize, kmin: i64, kmax: i64) {
    let mut plans = [None, None];
    plans[s] = Some(self.plan(s, kmin, kmax));
    self.apply_plans(plans);
  }

  /// Makes room for every indexable value of a chunk (keys[i] its key).
  fn ensure_chunk(&mut self, vals: &[f64], keys: &[i32]) {
    let mut lo = [i64::MAX; 2];
    let mut hi = [i64::MIN; 2];
    for (&v, &k) in vals.iter().zip(keys) {
      let bits = v.to_bits();
      if bits & !SIGN > MIN_INDEXABLE_BITS {
        let s = (bits >> 63) as usize;
        lo[s] = lo[s].min(k as i64);
        hi[s] = hi[s].max(k as i64);
      }
    }
    let plans = [P, N].map(|s| (lo[s] <= hi[s]).then(|| self.plan(s, lo[s], hi[s])));
    self.apply_plans(plans);
  }

  /// Adds count c at native key k of store s.
  fn add_key(&mut self, s: usize, k: i32, c: f64) {
    self.ensure(s, k as i64, k as i64);
    let st = self.st[s];
    let k = st.collapse(k as i64, st.floor);
    let slot = usize::try_from(k - st.lo).ok().filter(|&r| r < st.len as usize).map(|r| st.base + r);
    if let Some(b) = slot.and_then(|i| self.buf.get_mut(i)) {
      *b += c;
      if c != 0.0 {
        self.widen_nonzero(s, k, k);
      }
    } else {
      debug_assert!(false, "add_key: key {k} outside the window after ensure");
    }
  }

  /// The zero bucket or a store, by the contract's tests on v.
  #[inline]
  fn add_one(&mut self, v: f64, c: f64) {
    let bits = v.to_bits();
    if bits & !SIGN <= MIN_INDEXABLE_BITS {
      self.buf[0] += c;
    } else {
      let k = to_key(key_f64(&self.cfg, bits & !SIGN));
      self.add_key((bits >> 63) as usize, k, c);
    }
  }

  // -------------------------------------------------------------------------
  // Operations.

  /// All or nothing: -1, or the index of the first non-finite value (then
  /// nothing changed).
  pub fn add(&mut self, values: &[f64]) -> i64 {
    let (mn, mx) = match scan_values(values) {
      Ok(m) => m,
      Err(i) => return i as i64,
    };
    let before = [self.nz[P].get(), self.nz[N].get()];
    let mut keys = [0i32; CHUNK];
    for chunk in values.chunks(CHUNK) {
      self.apply_chunk(chunk, &mut keys[..chunk.len()]);
    }
    self.settle_nonzero(before, mn, mx);
    // The values come after what the sketch holds: they replace min or max
    // only if beyond them, as `if (v < min) min = v` per value would.
    if mn < self.min {
      self.min = mn;
    }
    if mx > self.max {
      self.max = mx;
    }
    -1
  }

  /// After add: each store's non-zero range from the one before (`before`)
  /// and the batch's (min mn, max mx) where both are known, else Unknown
  /// (a scan finds it when it is needed). The batch's keys are known when
  /// all its values lie on one side of zero, none in the zero bucket: the
  /// keys of mn and mx bound them (keys are monotone in |v|). Exact, because
  /// a key k's bin ends at collapse(k, floor) with the floor of the last
  /// ensure: the window holds the bin and starts at or above that floor,
  /// and every floor before it was at or below it.
  fn settle_nonzero(&mut self, before: [Nz; 2], mn: f64, mx: f64) {
    let min = f64::from_bits(MIN_INDEXABLE_BITS);
    let key = |v: f64| to_key(key_f64(&self.cfg, v.to_bits())) as i64;
    let touched = [mx > min, mn < -min];
    let batch = [(mn > min).then(|| (key(mn), key(mx))), (mx < -min).then(|| (key(-mx), key(-mn)))];
    for s in [P, N] {
      let st = self.st[s];
      let c = |k: i64| st.collapse(k, st.floor);
      let nz = match (touched[s], before[s], batch[s]) {
        (false, old, _) => old,
        (true, Nz::Unknown, _) | (true, _, None) => Nz::Unknown,
        (true, Nz::Empty, Some((a, b))) => Nz::Range(c(a), c(b)),
        (true, Nz::Range(x, y), Some((a, b))) => Nz::Range(c(x.min(a)), c(y.max(b))),
      };
      self.nz[s].set(nz);
    }
  }

  /// The windows as the fast path reads them.
  fn windows(&self) -> Windows {
    let [p, q] = self.st;
    // Windows lie inside the i32 key domain and the buffer (<= 1 + 2^21
    // bins), so the casts are exact.
    Windows {
      lo: [p.lo as i32, q.lo as i32],
      len: [p.len as u32, q.len as u32],
      base: [p.base as u32, q.base as u32],
      clamp_lo: [p.clamp_lo, q.clamp_lo],
      clamp_hi: [p.clamp_hi, q.clamp_hi],
    }
  }

  /// Pass 2 of add over one chunk, all but min and max (keys is scratch as
  /// long as vals).
  fn apply_chunk(&mut self, vals: &[f64], keys: &mut [i32]) {
    let n = vals.len().min(keys.len());
    let cubic = self.cfg.mapping == Mapping::Cubic;
    if !cubic {
      compute_keys(&self.cfg, &vals[..n], &mut keys[..n]);
    }
    let mut i = 0;
    let mut stuck = usize::MAX;
    while i < n {
      let w = self.windows();
      let (done, sum) = if cubic {
        add_cubic(&vals[i..n], &mut self.buf, self.sum, self.cfg.multiplier, self.cfg.offset as f64, &w)
      } else {
        add_keyed(&vals[i..n], &keys[i..n], &mut self.buf, self.sum, &w)
      };
      self.sum = sum;
      self.count_up(done);
      if done > 0 {
        // The fast path does not track the non-zero ranges.
        self.nz = [Cell::new(Nz::Unknown), Cell::new(Nz::Unknown)];
      }
      i += done;
      if i == n {
        break;
      }
      if cubic {
        compute_keys(&self.cfg, &vals[i..n], &mut keys[i..n]);
      }
      if stuck == i {
        // ensure_chunk left this key outside its window (it cannot): the
        // one-value path, which makes room per key (min and max are add's).
        debug_assert!(false, "apply_chunk: a key outside its window after ensure");
        self.count += 1.0;
        self.sum += vals[i];
        self.add_one(vals[i], 1.0);
        i += 1;
        continue;
      }
      stuck = i;
      self.ensure_chunk(&vals[i..n], &keys[i..n]);
    }
  }

  /// count += 1, n times: at once when that is exact (an integer count
  /// staying within 2^53), which it is but in contrived cases.
  fn count_up(&mut self, n: usize) {
    let nf = n as f64;
    if self.count.fract() == 0.0 && self.count + nf <= 9007199254740992.0 {
      self.count += nf;
    } else {
      for _ in 0..n {
        self.count += 1.0;
      }
    }
  }

  /// One finite value with count w (> 0).
  pub fn add_weighted(&mut self, v: f64, w: f64) {
    self.count += w;
    self.sum += if w == 1.0 { v } else { v * w };
    if v < self.min {
      self.min = v;
    }
    if v > self.max {
      self.max = v;
    }
    self.add_one(v, w);
  }

  /// Store s's non-zero bins (first and last non-zero) and the native key
  /// of the first; (0, []) when it has none.
  fn range(&self, s: usize) -> (i64, &[f64]) {
    let Some((a, b)) = self.nonzero(s) else { return (0, &[]) };
    let lo = self.st[s].lo;
    let run = usize::try_from(a - lo).ok().zip(usize::try_from(b - lo).ok());
    match run.and_then(|(i, j)| self.window(s).get(i..=j)) {
      Some(w) => (a, w),
      None => {
        debug_assert!(false, "range: non-zero keys {a}..={b} outside the window");
        (0, &[])
      }
    }
  }

  /// zeroCount, negOffset, neg's length, posOffset, pos's length: what
  /// `bins` holds, without copying the counts (copy_bins does).
  pub fn bins_info(&self) -> [f64; 5] {
    let (no, n) = self.range(N);
    let (po, p) = self.range(P);
    [self.buf[0], no as f64, n.len() as f64, po as f64, p.len() as f64]
  }

  /// Copies the counts of bins() into neg and pos, which must be exactly as
  /// long as bins_info says (else nothing is copied: Err names the one).
  pub fn copy_bins(&self, neg: &mut [f64], pos: &mut [f64]) -> Result<(), &'static str> {
    let (n, p) = (self.range(N).1, self.range(P).1);
    if neg.len() != n.len() {
      return Err("neg");
    }
    if pos.len() != p.len() {
      return Err("pos");
    }
    neg.copy_from_slice(n);
    pos.copy_from_slice(p);
    Ok(())
  }

  /// Each store's non-zero range (trimmed; empty: offset 0, no bins).
  #[cfg(test)]
  pub fn bins(&self) -> Bins {
    let (no, n) = self.range(N);
    let (po, p) = self.range(P);
    Bins { zero_count: self.buf[0], neg_offset: no as i32, neg: n.to_vec(), pos_offset: po as i32, pos: p.to_vec() }
  }

  /// Adds bins (bins[i] at native key offset + i; the first and the last
  /// non-zero) to store s.
  fn add_store_run(&mut self, s: usize, offset: i64, bins: &[f64]) {
    let Some(n) = bins.len().checked_sub(1) else { return };
    let (first, last) = (offset, offset + n as i64);
    // A run inside the window adds as add's fast path does (a key there
    // cannot move the floor past the window); else make room.
    let st = self.st[s];
    if !(st.len > 0 && first >= st.lo && last < st.lo + st.len) {
      self.ensure(s, first, last);
    }
    let st = self.st[s];
    let Some(w) = self.buf.get_mut(st.base..st.base + st.len as usize) else { return };
    // The federated case: the run lies at or above the collapse floor, so
    // it adds to a contiguous run of ours as one vector add.
    let fits = if st.low { first >= st.floor } else { last <= -st.floor };
    let run = if fits { usize::try_from(first - st.lo).ok().and_then(|i| w.get_mut(i..i + bins.len())) } else { None };
    if let Some(dst) = run {
      add_counts(dst, bins);
    } else {
      for (i, &c) in bins.iter().enumerate() {
        if c == 0.0 {
          continue;
        }
        let k = st.collapse(offset + i as i64, st.floor);
        if let Some(d) = usize::try_from(k - st.lo).ok().and_then(|r| w.get_mut(r)) {
          *d += c;
        } else {
          debug_assert!(false, "add_store_run: key {k} outside the window after ensure");
        }
      }
    }
    // Collapsing is monotone: the run's ends land on the new bins' ends.
    self.widen_nonzero(s, st.collapse(first, st.floor), st.collapse(last, st.floor));
  }

  /// Adds the non-zero bins of `bins` (bins[i] at key offset + i) to store s.
  fn add_store_bins(&mut self, s: usize, offset: i64, bins: &[f64]) {
    let (Some(a), Some(b)) = (first_nonzero(bins), last_nonzero(bins)) else { return };
    self.add_store_run(s, offset + a as i64, &bins[a..=b]);
  }

  /// Merges exported bins and their summary. The bins are validated here:
  /// counts finite and >= 0 (the windows rely on it), keys within i32.
  #[allow(clippy::too_many_arguments)]
  pub fn add_bins(
    &mut self,
    zero_count: f64,
    neg_offset: f64,
    neg: &[f64],
    pos_offset: f64,
    pos: &[f64],
    count: f64,
    sum: f64,
    min: f64,
    max: f64,
  ) -> ArgResult<()> {
    fn offset_arg(name: &'static str, arr: &'static str, off: f64, len: usize) -> ArgResult<i64> {
      let top = off + len.saturating_sub(1) as f64;
      if !(off.is_finite() && off.fract() == 0.0 && off >= i32::MIN as f64 && top <= i32::MAX as f64) {
        return Err(ArgError::new(
          name,
          format!("must be an integer with {name} + {arr}.length - 1 within 32 bits, got {}", js_num(off)),
        ));
      }
      Ok(off as i64)
    }
    fn counts_arg(name: &'static str, bins: &[f64]) -> ArgResult<()> {
      match bins.iter().position(|&c| !(c.is_finite() && c >= 0.0)) {
        Some(i) => Err(ArgError::new(name, format!("{name}[{i}] = {} must be a finite count >= 0", js_num(bins[i])))),
        None => Ok(()),
      }
    }
    let neg_offset = offset_arg("negOffset", "neg", neg_offset, neg.len())?;
    let pos_offset = offset_arg("posOffset", "pos", pos_offset, pos.len())?;
    counts_arg("neg", neg)?;
    counts_arg("pos", pos)?;
    if !(zero_count.is_finite() && zero_count >= 0.0) {
      return Err(ArgError::new("zeroCount", format!("must be a finite count >= 0, got {}", js_num(zero_count))));
    }
    if !(count.is_finite() && count >= 0.0) {
      return Err(ArgError::new("count", format!("must be a finite count >= 0, got {}", js_num(count))));
    }
    self.add_store_bins(P, pos_offset, pos);
    self.add_store_bins(N, neg_offset, neg);
    self.add_summary(zero_count, count, sum, min, max);
    Ok(())
  }

  fn add_summary(&mut self, zero_count: f64, count: f64, sum: f64, min: f64, max: f64) {
    self.buf[0] += zero_count;
    self.count += count;
    self.sum += sum;
    if min < self.min {
      self.min = min;
    }
    if max > self.max {
      self.max = max;
    }
  }

  /// Asks the CPU to start loading the counts a merge of this sketch reads
  /// (its cached non-zero ranges; nothing when a range is not known): a
  /// merge of many sketches prefetches a few ahead, so that their counts
  /// come in while earlier ones are added.
  pub fn prefetch(&self) {
    #[cfg(target_arch = "x86_64")]
    for s in [P, N] {
      let Nz::Range(a, b) = self.nz[s].get() else { continue };
      let st = &self.st[s];
      let run = usize::try_from(a - st.lo).ok().zip(usize::try_from(b - st.lo).ok());
      let Some(w) = run.and_then(|(i, j)| self.window(s).get(i..=j)) else { continue };
      // One hint per 64-byte line (8 counts), and the last.
      for c in w.iter().step_by(8).chain(w.last()) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of the x86_64 baseline; a prefetch is a hint
        // that reads nothing and cannot fault (c is a valid reference anyway).
        unsafe { _mm_prefetch::<_MM_HINT_T0>((c as *const f64).cast()) };
      }
    }
  }

  /// addBins(other.bins(), other's summary); the same mapping is required.
  pub fn merge(&mut self, other: &Sketch) -> ArgResult<()> {
    if !self.cfg.same_mapping(&other.cfg) {
      return Err(ArgError::new("other", "has a different mapping, multiplier, offset or scale"));
    }
    for s in [P, N] {
      let (lo, run) = other.range(s);
      self.add_store_run(s, lo, run);
    }
    let [count, sum, min, max, zero] = other.summary();
    self.add_summary(zero, count, sum, min, max);
    Ok(())
  }

  /// merge(self): every count doubles (through a copy, as JS merging a core
  /// with itself reads its bins before adding them).
  pub fn merge_self(&mut self) {
    let copy = self.clone();
    // Same config: cannot fail.
    let _ = self.merge(&copy);
  }

  /// "" when the window invariants hold, else the first violation.
  #[cfg(test)]
  pub fn check(&self) -> String {
    let m = self.cfg.max_bins as i64;
    let mut expect_base = 1;
    for s in [P, N] {
      let st = &self.st[s];
      let cached = self.nz[s].get();
      if cached != Nz::Unknown && cached != self.scan_nonzero(s).map_or(Nz::Empty, |(a, b)| Nz::Range(a, b)) {
        return format!("store {s}: cached non-zero range {cached:?} != {:?}", self.scan_nonzero(s));
      }
      if st.base != expect_base {
        return format!("store {s}: base {} != {expect_base}", st.base);
      }
      expect_base += st.len as usize;
      if st.len > m {
        return format!("store {s}: window {} > maxBins {m}", st.len);
      }
      if st.len > 0 {
        let (dlo, dhi) = st.domain();
        let (ulo, uhi) = st.oriented_window();
        if ulo < dlo || uhi > dhi {
          return format!("store {s}: window [{ulo}, {uhi}] outside the key domain");
        }
        let Some(ext) = st.ext else { return format!("store {s}: a window without a key") };
        if let Some((a, b)) = self.nonzero(s) {
          let top = st.orient(if st.low { b } else { a });
          let h = ext.max(top);
          if ulo < h - m + 1 {
            return format!("store {s}: window starts at {ulo} below the floor {}", h - m + 1);
          }
        }
      }
      if self.window(s).iter().any(|&c| c.is_nan() || c < 0.0) {
        return format!("store {s}: a negative or NaN bin");
      }
    }
    if self.buf.len() != expect_base {
      return format!("buffer length {} != {expect_base}", self.buf.len());
    }
    String::new()
  }
}
