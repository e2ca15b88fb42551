//! Descriptive statistics over f64: compensated sums, two-pass variance,
//! O(n) median / percentiles by selection, sliding means and outliers.
//!
//! Accuracy: every sum is a lane-wise TwoSum accumulation (the rounding
//! error of each addition is captured exactly and summed separately), per
//! fixed-size chunk, and the chunk partials are merged in chunk order with
//! TwoSum again. The error is then ~u·|S| + n·u²·Σ|x| instead of n·u·Σ|x|,
//! and because chunks are fixed and merged in order, the result is the same
//! bit for bit with any thread count and any SIMD level (no FMA is used, and
//! the lanes are the same 8 whether they map to one zmm or four xmm).
//!
//! Order statistics select on a copy of the input, never on the input
//! itself. The copy holds integer keys with the same order as
//! `f64::total_cmp`, so selection compares plain i64s.

use rayon::ThreadPool;

use crate::args;
use crate::error::{ArgError, ArgResult};
use crate::par::{self, Cost, CHUNK};

mod bindings;
mod finite;

// ---------------------------------------------------------------------------
// Compensated summation

/// Knuth's TwoSum: `s + e == a + b` exactly, with `s = fl(a + b)`.
#[inline(always)]
pub fn two_sum(a: f64, b: f64) -> (f64, f64) {
  let s = a + b;
  let bb = s - a;
  (s, (a - (s - bb)) + (b - bb))
}

/// An unevaluated sum `hi + lo` (double-double-like accumulator).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dd {
  pub hi: f64,
  pub lo: f64,
}

impl Dd {
  #[inline(always)]
  pub fn plus(self, x: f64) -> Dd {
    let (hi, e) = two_sum(self.hi, x);
    Dd { hi, lo: self.lo + e }
  }

  #[inline(always)]
  pub fn merge(self, o: Dd) -> Dd {
    let (hi, e) = two_sum(self.hi, o.hi);
    Dd { hi, lo: (self.lo + o.lo) + e }
  }

  #[inline(always)]
  pub fn value(self) -> f64 {
    self.hi + self.lo
  }
}

const LANES: usize = 8;

/// Eight independent TwoSum accumulators: hides add latency and lets LLVM
/// put the lanes in vector registers.
#[derive(Clone, Copy)]
struct Lanes {
  s: [f64; LANES],
  c: [f64; LANES],
}

impl Lanes {
  const ZERO: Lanes = Lanes { s: [0.0; LANES], c: [0.0; LANES] };

  #[inline(always)]
  fn add(&mut self, x: &[f64; LANES]) {
    for ((s, c), &v) in self.s.iter_mut().zip(&mut self.c).zip(x) {
      let (t, e) = two_sum(*s, v);
      *s = t;
      *c += e;
    }
  }

  /// Lanes folded in a fixed order.
  #[inline(always)]
  fn total(&self) -> Dd {
    let mut d = Dd::default();
    for l in 0..LANES {
      d = d.plus(self.s[l]);
    }
    let mut c = 0.0;
    for l in 0..LANES {
      c += self.c[l];
    }
    Dd { hi: d.hi, lo: d.lo + c }
  }
}

/// Pads the (< LANES) tail with zeros; adding +0.0 is exact.
#[inline(always)]
fn tail(rem: &[f64], fill: f64) -> [f64; LANES] {
  let mut t = [fill; LANES];
  t[..rem.len()].copy_from_slice(rem);
  t
}

use crate::simd::dispatch;

/// Pass 1 over one chunk: compensated sum, min and max.
#[derive(Clone, Copy, Debug)]
struct Pass1 {
  sum: Dd,
  min: f64,
  max: f64,
}

// The lane loops are dispatched on their own and return the lanes, so the
// horizontal reductions stay outside them: with the reduction in the same
// function LLVM keeps the loop-carried lanes scalar.

#[inline(always)]
fn pass1_lanes_body(blocks: &[[f64; LANES]]) -> (Lanes, [f64; LANES], [f64; LANES]) {
  let mut acc = Lanes::ZERO;
  let mut mn = [f64::INFINITY; LANES];
  let mut mx = [f64::NEG_INFINITY; LANES];
  for v in blocks {
    acc.add(v);
    for l in 0..LANES {
      mn[l] = if v[l] < mn[l] { v[l] } else { mn[l] };
      mx[l] = if v[l] > mx[l] { v[l] } else { mx[l] };
    }
  }
  (acc, mn, mx)
}

dispatch!(fn pass1_lanes(blocks: &[[f64; LANES]]) -> (Lanes, [f64; LANES], [f64; LANES]) => pass1_lanes_body);

fn pass1(x: &[f64]) -> Pass1 {
  let (blocks, rem) = x.as_chunks::<LANES>();
  let (mut acc, mn, mx) = pass1_lanes(blocks);
  acc.add(&tail(rem, 0.0));
  let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
  for &v in mn.iter().chain(rem) {
    min = if v < min { v } else { min };
  }
  for &v in mx.iter().chain(rem) {
    max = if v > max { v } else { max };
  }
  Pass1 { sum: acc.total(), min, max }
}

/// Pass 2 lanes: Σ(x − mean) and Σ(x − mean)², both compensated.
#[inline(always)]
fn pass2_lanes_body(blocks: &[[f64; LANES]], mean: f64) -> (Lanes, Lanes) {
  let mut sd = Lanes::ZERO;
  let mut sdd = Lanes::ZERO;
  for v in blocks {
    let d: [f64; LANES] = std::array::from_fn(|l| v[l] - mean);
    let dd: [f64; LANES] = std::array::from_fn(|l| d[l] * d[l]);
    sd.add(&d);
    sdd.add(&dd);
  }
  (sd, sdd)
}

dispatch!(fn pass2_lanes(blocks: &[[f64; LANES]], mean: f64) -> (Lanes, Lanes) => pass2_lanes_body);

fn pass2(x: &[f64], mean: f64) -> (Dd, Dd) {
  let (blocks, rem) = x.as_chunks::<LANES>();
  let (mut sd, mut sdd) = pass2_lanes(blocks, mean);
  // Pad with the mean so the padding contributes exact zeros.
  let t = tail(rem, mean);
  let d: [f64; LANES] = std::array::from_fn(|l| t[l] - mean);
  let dd: [f64; LANES] = std::array::from_fn(|l| d[l] * d[l]);
  sd.add(&d);
  sdd.add(&dd);
  (sd.total(), sdd.total())
}

/// Count, sum, mean, variance (with `ddof`), std, min and max; no median.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
  pub count: usize,
  pub sum: f64,
  pub mean: f64,
  pub variance: f64,
  pub std: f64,
  pub min: f64,
  pub max: f64,
  /// The power of two the second pass ran at: 1, or 2^∓540 when the squares
  /// over- or underflowed there (then variance = v/scale², std = √v/scale).
  pub scale: f64,
  /// mean and std of x·scale (z-scores are taken at that scale).
  pub scaled_mean: f64,
  pub scaled_std: f64,
}

// TINY (2^-968): an M2 at least this large lost at most n·2^-1075 ≤ 2^-75 of
// itself to underflow; DOWN/UP = 2^∓540. The similarity range guard's constants.
use crate::similarity::range::{DOWN, TINY, UP};

/// 2^-(⌈log2 n⌉ + 1): n values scaled by it sum to at most MAX/2, so their
/// compensated sum cannot overflow.
fn sum_scale(n: usize) -> f64 {
  let e = (usize::BITS - n.saturating_sub(1).leading_zeros()) as i32 + 1;
  0.5f64.powi(e)
}

/// Compensated Σ x_i·f (sequential; only the overflow path runs it).
fn scaled_sum(x: &[f64], f: f64) -> f64 {
  x.iter().fold(Dd::default(), |d, &v| d.plus(v * f)).value()
}

/// Corrected M2 of x·f about `mf` (the mean at that scale), compensated.
fn scaled_m2(x: &[f64], mf: f64, f: f64) -> f64 {
  let (mut sd, mut sdd) = (Dd::default(), Dd::default());
  for &v in x {
    let d = v * f - mf;
    sd = sd.plus(d);
    sdd = sdd.plus(d * d);
  }
  let sd = sd.value();
  sdd.value() - sd * sd / x.len() as f64
}

/// Two-pass corrected variance: M2 = Σd² − (Σd)²/n with d = x − mean.
/// `x` must be non-empty and `0 ≤ ddof < n` (checked by callers).
///
/// Overflow and underflow are caught after the fact (a non-finite sum or M2,
/// or an M2 below TINY of values that are not all equal) and only then redone
/// at a power-of-two scale, exact: the common path pays a comparison.
pub fn moments(pool: Option<&ThreadPool>, x: &[f64], ddof: f64) -> Moments {
  let n = x.len();
  let pool = par::pool_for(pool, n, Cost::Cheap);
  let p1 = par::map_chunks(pool, x, CHUNK, |_, c| pass1(c));
  let mut total = Dd::default();
  let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
  for p in &p1 {
    total = total.merge(p.sum);
    min = if p.min < min { p.min } else { min };
    max = if p.max > max { p.max } else { max };
  }
  let mut sum = total.value();
  let mut mean = sum / n as f64;
  if !sum.is_finite() {
    // Overflowed (or NaN, which the redo keeps): sum where it cannot.
    let k = sum_scale(n);
    let s = scaled_sum(x, k);
    sum = s / k;
    mean = s / n as f64 / k;
  }
  let (sd, sdd) = par::map_chunks(pool, x, CHUNK, |_, c| pass2(c, mean))
    .into_iter()
    .fold((Dd::default(), Dd::default()), |(a, b), (c, d)| (a.merge(c), b.merge(d)));
  let (sd, sdd) = (sd.value(), sdd.value());
  let mut m2 = sdd - sd * sd / n as f64;
  let (mut scale, mut mf) = (1.0, mean);
  if !m2.is_finite() && mean.is_finite() {
    scale = DOWN;
    mf = mean * DOWN;
    m2 = scaled_m2(x, mf, scale);
  } else if m2 < TINY && min < max {
    // Every value is below ~2^-430 here (two unequal larger ones would make
    // M2 larger), so ×2^540 cannot overflow; the mean is re-taken at that
    // scale, where it is not subnormal.
    scale = UP;
    mf = scaled_sum(x, UP) / n as f64;
    m2 = scaled_m2(x, mf, scale);
  }
  let v = m2 / (n as f64 - ddof);
  // Not `max(0.0)`: that would turn NaN into 0.
  let v = if v < 0.0 { 0.0 } else { v };
  let pop = m2 / n as f64;
  let pop = if pop < 0.0 { 0.0 } else { pop };
  Moments {
    count: n,
    sum,
    mean,
    // One factor at a time: Infinity only when the variance is out of range.
    variance: v / scale / scale,
    std: v.sqrt() / scale,
    min,
    max,
    scale,
    scaled_mean: mf,
    scaled_std: pop.sqrt(),
  }
}

/// (a + b) / 2 without overflow.
#[inline]
fn midpoint(a: f64, b: f64) -> f64 {
  let m = (a + b) / 2.0;
  if m.is_finite() {
    m
  } else {
    a / 2.0 + b / 2.0
  }
}

pub fn check_ddof(ddof: f64, n: usize) -> ArgResult<()> {
  if !(ddof.is_finite() && ddof >= 0.0 && ddof < n as f64) {
    return Err(ArgError::new("ddof", format!("must satisfy 0 <= ddof < {n} (x length), got {ddof}")));
  }
  Ok(())
}

fn non_empty(x: &[f64]) -> ArgResult<()> {
  if x.is_empty() {
    return Err(ArgError::new("x", "must not be empty"));
  }
  Ok(())
}

/// out = [count, sum, mean, variance, std, min, max, median].
pub fn stats(pool: Option<&ThreadPool>, x: &[f64], ddof: f64, out: &mut [f64]) -> ArgResult<()> {
  non_empty(x)?;
  check_ddof(ddof, x.len())?;
  args::exact_len("out", out.len(), 8, "8")?;
  let m = moments(pool, x, ddof);
  // A finite compensated sum means every value is finite (any NaN or inf
  // poisons the error terms), so pass 1's min/max can seed the selection
  // (an overflowed sum of finite values just takes the scanning path).
  let range = m.sum.is_finite().then_some((m.min, m.max));
  let median = median_in(pool, x, range);
  out.copy_from_slice(&[m.count as f64, m.sum, m.mean, m.variance, m.std, m.min, m.max, median]);
  Ok(())
}

// ---------------------------------------------------------------------------
// Order statistics

/// Order-preserving map to i64: `key(a) < key(b)` iff
/// `a.total_cmp(&b) == Less`. Negative floats get their magnitude bits
/// flipped; the map is its own inverse.
#[inline(always)]
fn key(x: f64) -> i64 {
  let b = x.to_bits() as i64;
  b ^ ((((b >> 63) as u64) >> 1) as i64)
}

#[inline(always)]
fn unkey(k: i64) -> f64 {
  f64::from_bits(key(f64::from_bits(k as u64)) as u64)
}

/// A copy of `x` as selection keys (the input itself is never reordered).
fn keys(pool: Option<&ThreadPool>, x: &[f64]) -> Vec<i64> {
  let mut k = vec![0i64; x.len()];
  let pool = par::pool_for(pool, x.len(), Cost::Cheap);
  par::map_chunks_mut(pool, &mut k, CHUNK, |start, out| {
    for (o, &v) in out.iter_mut().zip(&x[start..]) {
      *o = key(v);
    }
  });
  k
}

/// Puts the order statistic of every rank in `ranks` (sorted, distinct, all
/// in `base..base + v.len()`) into `vals`. Selects the middle rank, then
/// recurses into the two sides with the ranks that fall there: O(n log m).
/// A lone rank at either end of its slice is a min/max scan, not a select.
fn multiselect(v: &mut [i64], base: usize, ranks: &[usize], vals: &mut [i64]) {
  let Some(&first) = ranks.first() else { return };
  if v.is_empty() {
    return; // unreachable for valid ranks; never index out of bounds
  }
  if ranks.len() == 1 {
    let r = first.saturating_sub(base);
    vals[0] = if r == 0 {
      v.iter().copied().min().unwrap_or(0)
    } else if r >= v.len() - 1 {
      v.iter().copied().max().unwrap_or(0)
    } else {
      *v.select_nth_unstable(r).1
    };
    return;
  }
  let mid = ranks.len() / 2;
  let r = ranks[mid].saturating_sub(base).min(v.len() - 1);
  let (left, pivot, right) = v.select_nth_unstable(r);
  vals[mid] = *pivot;
  let (vl, vr) = vals.split_at_mut(mid);
  multiselect(left, base, &ranks[..mid], vl);
  multiselect(right, base + r + 1, &ranks[mid + 1..], &mut vr[1..]);
}

/// Below this many values order statistics copy and select directly; above
/// it they bucket first (see `radix_select`).
const BUCKET_MIN: usize = 1 << 14;

/// Lane-wise min, max and a finiteness probe (`v − v` is +0 for finite v and
/// NaN otherwise, so the probe sum stays 0 only if every value is finite).
#[inline(always)]
fn range_lanes_body(blocks: &[[f64; LANES]]) -> ([f64; LANES], [f64; LANES], [f64; LANES]) {
  let mut mn = [f64::INFINITY; LANES];
  let mut mx = [f64::NEG_INFINITY; LANES];
  let mut probe = [0.0; LANES];
  for v in blocks {
    for l in 0..LANES {
      mn[l] = if v[l] < mn[l] { v[l] } else { mn[l] };
      mx[l] = if v[l] > mx[l] { v[l] } else { mx[l] };
      probe[l] += nan_probe(v[l]);
    }
  }
  (mn, mx, probe)
}

dispatch!(fn range_lanes(blocks: &[[f64; LANES]]) -> ([f64; LANES], [f64; LANES], [f64; LANES]) => range_lanes_body);

/// +0 for a finite value, NaN for NaN or ±inf.
#[inline(always)]
#[allow(clippy::eq_op)]
fn nan_probe(v: f64) -> f64 {
  v - v
}

/// (min, max) of `x`, or None if any value is NaN or infinite.
fn finite_range(x: &[f64]) -> Option<(f64, f64)> {
  let (blocks, rem) = x.as_chunks::<LANES>();
  let (mn, mx, probe) = range_lanes(blocks);
  let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
  let mut p: f64 = probe.iter().sum();
  for &v in mn.iter().chain(rem) {
    min = if v < min { v } else { min };
  }
  for &v in mx.iter().chain(rem) {
    max = if v > max { v } else { max };
  }
  for &v in rem {
    p += nan_probe(v);
  }
  (p == 0.0).then_some((min, max))
}

/// Monotone map of [min, max] onto `buckets` equal-width buckets: v ≤ w
/// implies bucket(v) ≤ bucket(w), because every step is monotone in IEEE
/// arithmetic (subtract, multiply by a positive constant, round to integer
/// by adding 2^52, cap). The 2^52 trick reads the rounded integer out of the
/// mantissa: cheaper than a saturating float-to-int cast and vectorisable.
#[derive(Clone, Copy)]
struct Buckets {
  min: f64,
  scale: f64,
  last: u32,
}

const ROUND_MAGIC: f64 = 4_503_599_627_370_496.0; // 2^52

impl Buckets {
  /// Only for v in [min, max]: then (v − min)·scale ∈ [0, buckets·(1 + ε)],
  /// so t = 2^52 + k with a small integer k ≥ 0 sitting in the low mantissa
  /// bits (2^52's own low 32 bits are zero).
  #[inline(always)]
  fn of(self, v: f64) -> usize {
    let t = (v - self.min) * self.scale + ROUND_MAGIC;
    (t.to_bits() as u32).min(self.last) as usize
  }
}

/// Bucket indices are computed for a block at a time (vectorised), then
/// used one by one.
const BLOCK: usize = 16;

#[inline(always)]
fn histogram_body(x: &[f64], bk: Buckets, hist: &mut [u32]) {
  let (blocks, rem) = x.as_chunks::<BLOCK>();
  for v in blocks {
    let idx: [usize; BLOCK] = std::array::from_fn(|l| bk.of(v[l]));
    for &i in &idx {
      hist[i] += 1;
    }
  }
  for &v in rem {
    hist[bk.of(v)] += 1;
  }
}

dispatch!(fn histogram(x: &[f64], bk: Buckets, hist: &mut [u32]) -> () => histogram_body);

/// Appends the key of every value whose bucket has a slot (`slot_of[b]` =
/// slot + 1, 0 = none) to that slot's vector.
#[inline(always)]
fn collect_body(x: &[f64], bk: Buckets, slot_of: &[u16], out: &mut [Vec<i64>]) {
  let (blocks, rem) = x.as_chunks::<BLOCK>();
  let mut put = |v: f64, b: usize| {
    let s = slot_of[b];
    if s != 0 {
      out[s as usize - 1].push(key(v));
    }
  };
  for v in blocks {
    let idx: [usize; BLOCK] = std::array::from_fn(|l| bk.of(v[l]));
    for (&b, &vi) in idx.iter().zip(v) {
      put(vi, b);
    }
  }
  for &v in rem {
    put(v, bk.of(v));
  }
}

dispatch!(fn collect(x: &[f64], bk: Buckets, slot_of: &[u16], out: &mut [Vec<i64>]) -> () => collect_body);

/// Order statistics by bucketing: one pass for the value range, one for a
/// histogram over value buckets, one to copy out just the buckets that hold
/// a wanted rank, then a selection inside each (small) bucket. O(n) with no
/// n-sized copy, and the passes split over the pool. `ranks` sorted and
/// distinct. None when the data has non-finite values or no spread (the
/// caller then selects on a full copy).
fn radix_select(pool: Option<&ThreadPool>, x: &[f64], ranks: &[usize], range: Option<(f64, f64)>) -> Option<Vec<i64>> {
  let n = x.len();
  if n > u32::MAX as usize {
    return None;
  }
  let pool = par::pool_for(pool, n, Cost::Cheap);
  // Big chunks for the range and histogram: one histogram per task.
  let tasks = pool.map_or(1, |p| 2 * p.current_num_threads());
  let big = n.div_ceil(tasks).max(CHUNK);
  let (lo, hi) = match range {
    Some(r) => r,
    None => {
      let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
      for r in par::map_chunks(pool, x, big, |_, c| finite_range(c)) {
        let (a, b) = r?;
        lo = lo.min(a);
        hi = hi.max(b);
      }
      (lo, hi)
    }
  };
  // ~64 values per bucket; the histogram stays within L1/L2.
  let n_buckets = (n / 64).next_power_of_two().clamp(1 << 8, 1 << 14);
  let scale = n_buckets as f64 / (hi - lo);
  if !(hi > lo && scale.is_finite()) {
    return None;
  }
  let bk = Buckets { min: lo, scale, last: n_buckets as u32 - 1 };

  let hists = par::map_chunks(pool, x, big, |_, c| {
    let mut h = vec![0u32; n_buckets];
    histogram(c, bk, &mut h);
    h
  });
  let mut hist = vec![0u32; n_buckets];
  for h in &hists {
    for (a, &b) in hist.iter_mut().zip(h) {
      *a += b;
    }
  }

  // Bucket of each rank, and the rank within that bucket.
  let mut slot_of = vec![0u16; n_buckets]; // 0 = not wanted, else slot + 1
  let mut slots: Vec<usize> = Vec::new(); // bucket per slot
  let mut local: Vec<(usize, usize)> = Vec::with_capacity(ranks.len()); // (slot, rank in bucket)
  let (mut b, mut below) = (0usize, 0usize);
  for &r in ranks {
    while b < n_buckets && below + hist[b] as usize <= r {
      below += hist[b] as usize;
      b += 1;
    }
    if b == n_buckets {
      return None; // rank ≥ n: callers never ask
    }
    if slot_of[b] == 0 {
      if slots.len() >= u16::MAX as usize - 1 {
        return None;
      }
      slots.push(b);
      slot_of[b] = slots.len() as u16;
    }
    local.push((slot_of[b] as usize - 1, r - below));
  }

  let parts = par::map_chunks(pool, x, big, |_, c| {
    let mut out: Vec<Vec<i64>> = vec![Vec::new(); slots.len()];
    collect(c, bk, &slot_of, &mut out);
    out
  });
  let mut vals = vec![0i64; ranks.len()];
  for (si, &bucket) in slots.iter().enumerate() {
    let mut keys = Vec::with_capacity(hist[bucket] as usize);
    for p in &parts {
      keys.extend_from_slice(&p[si]);
    }
    // This slot's ranks are contiguous in `local` (ranks are sorted).
    let first = local.iter().position(|&(s, _)| s == si)?;
    let count = local[first..].iter().take_while(|&&(s, _)| s == si).count();
    let want: Vec<usize> = local[first..first + count].iter().map(|&(_, r)| r).collect();
    if want.last().is_some_and(|&r| r >= keys.len()) {
      return None; // histogram and copy disagree: impossible, but never index past
    }
    multiselect(&mut keys, 0, &want, &mut vals[first..first + count]);
  }
  Some(vals)
}

/// The values of the given ranks (0-based, any order, may repeat), as
/// if `x` were sorted by `total_cmp`. Ranks must be < x.len().
pub fn order_stats(pool: Option<&ThreadPool>, x: &[f64], ranks: &[usize]) -> Vec<f64> {
  order_stats_in(pool, x, ranks, None)
}

/// As `order_stats`; `range`, if given, must be the exact (min, max) of an
/// all-finite `x`.
fn order_stats_in(pool: Option<&ThreadPool>, x: &[f64], ranks: &[usize], range: Option<(f64, f64)>) -> Vec<f64> {
  let mut wanted: Vec<usize> = ranks.iter().map(|&r| r.min(x.len().saturating_sub(1))).collect();
  wanted.sort_unstable();
  wanted.dedup();
  let vals = (x.len() >= BUCKET_MIN).then(|| radix_select(pool, x, &wanted, range)).flatten().unwrap_or_else(|| {
    let mut k = keys(pool, x);
    let mut vals = vec![0i64; wanted.len()];
    multiselect(&mut k, 0, &wanted, &mut vals);
    vals
  });
  ranks
    .iter()
    .map(|r| {
      let i = wanted.binary_search(&(*r).min(x.len().saturating_sub(1))).unwrap_or(0);
      unkey(vals.get(i).copied().unwrap_or(0))
    })
    .collect()
}

/// Median of a non-empty `x`: the middle value, or for even n the mean of
/// the two middle values as (lo + hi) / 2, lo being the largest value
/// below the upper middle. `range` as in `order_stats_in`.
fn median_in(pool: Option<&ThreadPool>, x: &[f64], range: Option<(f64, f64)>) -> f64 {
  let n = x.len();
  if n == 0 {
    return f64::NAN;
  }
  if n % 2 == 1 {
    return order_stats_in(pool, x, &[n / 2], range)[0];
  }
  let v = order_stats_in(pool, x, &[n / 2 - 1, n / 2], range);
  midpoint(v[0], v[1])
}

/// Hyndman–Fan type 7 (numpy's default) rank split for percentile `p`.
#[inline]
fn type7(n: usize, p: f64) -> (usize, f64) {
  let h = (n - 1) as f64 * p / 100.0;
  let lo = h.floor();
  ((lo as usize).min(n - 1), h - lo)
}

fn check_percentiles(ps: &[f64]) -> ArgResult<()> {
  for (i, &p) in ps.iter().enumerate() {
    if !(0.0..=100.0).contains(&p) {
      return Err(ArgError::new("ps", format!("ps[{i}] = {p} is not in [0, 100]")));
    }
  }
  Ok(())
}

/// Type-7 percentiles of a non-empty `x` (ps already validated), with one
/// multi-selection over a single copy.
fn percentiles_unchecked(pool: Option<&ThreadPool>, x: &[f64], ps: &[f64]) -> Vec<f64> {
  let n = x.len();
  let splits: Vec<(usize, f64)> = ps.iter().map(|&p| type7(n, p)).collect();
  let mut ranks = Vec::with_capacity(2 * ps.len());
  for &(lo, frac) in &splits {
    ranks.push(lo);
    if frac != 0.0 && lo + 1 < n {
      ranks.push(lo + 1);
    }
  }
  let mut wanted = ranks;
  wanted.sort_unstable();
  wanted.dedup();
  let vals = order_stats(pool, x, &wanted);
  let at = |r: usize| vals[wanted.binary_search(&r).unwrap_or(0)];
  splits
    .iter()
    .map(|&(lo, frac)| {
      let xl = at(lo);
      if frac == 0.0 || lo + 1 >= n {
        return xl;
      }
      let (xh, d) = (at(lo + 1), at(lo + 1) - xl);
      // b − a overflows only for opposite signs near the limits; a − f·a + f·b cannot
      // (both steps combine values of opposite sign or shrink one).
      if d.is_finite() {
        xl + frac * d
      } else {
        (xl - frac * xl) + frac * xh
      }
    })
    .collect()
}

pub fn percentiles(pool: Option<&ThreadPool>, x: &[f64], ps: &[f64], out: &mut [f64]) -> ArgResult<()> {
  args::exact_len("out", out.len(), ps.len(), "ps length")?;
  check_percentiles(ps)?;
  if ps.is_empty() {
    return Ok(());
  }
  non_empty(x)?;
  out.copy_from_slice(&percentiles_unchecked(pool, x, ps));
  Ok(())
}

// ---------------------------------------------------------------------------
// Sliding mean

/// Outputs per chunk of the moving average: each chunk re-sums its first
/// window from scratch, so the chunk is at least a window long to keep that
/// overhead ≤ 2×. Depends on the window only, never on the thread count.
fn ma_chunk(window: usize) -> usize {
  CHUNK.max(window)
}

/// out[i] = mean(x[i..i + window]), 'valid' mode. The window sum slides as
/// a TwoSum-compensated (hi, lo) pair, so 1e7 adds and subtracts do not
/// drift; every chunk starts from a fresh compensated sum.
pub fn moving_average(pool: Option<&ThreadPool>, x: &[f64], window: usize, out: &mut [f64]) -> ArgResult<()> {
  if window == 0 || window > x.len() {
    return Err(ArgError::new("window", format!("must be in [1, {}] (x length), got {window}", x.len())));
  }
  args::exact_len("out", out.len(), x.len() - window + 1, "x length - window + 1")?;
  let pool = par::pool_for(pool, x.len(), Cost::Cheap);
  par::map_chunks_mut(pool, out, ma_chunk(window), |start, piece| {
    // A window sum that overflowed poisons the running pair for good (its
    // error terms turn NaN), so checking the last one catches any; the chunk
    // is then redone at a scale where no window sum can overflow.
    if !slide::<false>(x, start, window, piece, 1.0).is_finite() {
      slide::<true>(x, start, window, piece, sum_scale(window));
    }
  });
  Ok(())
}

/// One chunk of the sliding mean, on x·k when SCALED; returns the last window sum.
#[inline(always)]
fn slide<const SCALED: bool>(x: &[f64], start: usize, window: usize, piece: &mut [f64], k: f64) -> f64 {
  let w = window as f64;
  let at = |v: f64| if SCALED { v * k } else { v };
  let first = &x[start..start + window];
  let Dd { mut hi, mut lo } =
    if SCALED { first.iter().fold(Dd::default(), |d, &v| d.plus(v * k)) } else { pass1(first).sum };
  let mean = |hi: f64, lo: f64| if SCALED { (hi + lo) / w / k } else { (hi + lo) / w };
  piece[0] = mean(hi, lo);
  let (adds, subs) = (&x[start + window..], &x[start..]);
  for ((o, &a), &s) in piece[1..].iter_mut().zip(adds).zip(subs) {
    // a − s exactly as d + e (off the critical path), then one TwoSum
    // into the running sum: hi + lo moves by exactly a − s, up to the
    // rounding of the small `lo` term.
    let (d, e) = two_sum(at(a), -at(s));
    let (h, f) = two_sum(hi, d);
    hi = h;
    lo += e + f;
    *o = mean(hi, lo);
  }
  hi + lo
}

// ---------------------------------------------------------------------------
// Outliers

/// Outlier tests, each exactly as specified (no reciprocal, no FMA).
#[derive(Clone, Copy)]
enum Outside {
  /// v < lo || v > hi
  Fence { lo: f64, hi: f64 },
  /// |v − mean| / std > threshold
  Z { mean: f64, std: f64, threshold: f64 },
  /// |v·scale − mean| / std > threshold (mean and std at that scale)
  ZScaled { scale: f64, mean: f64, std: f64, threshold: f64 },
}

/// Appends `base + i` for every `x[i]` outside; the test runs 16 values
/// at a time into a bit mask (vector compares), then set bits are emitted.
#[inline(always)]
fn scan_body(x: &[f64], base: usize, test: Outside, out: &mut Vec<u32>) {
  #[inline(always)]
  fn scan<F: Fn(f64) -> bool>(x: &[f64], base: usize, f: F, out: &mut Vec<u32>) {
    let (blocks, rem) = x.as_chunks::<16>();
    for (bi, blk) in blocks.iter().enumerate() {
      let mut m = 0u32;
      for (l, &v) in blk.iter().enumerate() {
        m |= (f(v) as u32) << l;
      }
      while m != 0 {
        out.push((base + bi * 16 + m.trailing_zeros() as usize) as u32);
        m &= m - 1;
      }
    }
    let tail = base + blocks.len() * 16;
    for (i, &v) in rem.iter().enumerate() {
      if f(v) {
        out.push((tail + i) as u32);
      }
    }
  }
  match test {
    Outside::Fence { lo, hi } => scan(x, base, |v| v < lo || v > hi, out),
    Outside::Z { mean, std, threshold } => scan(x, base, |v| (v - mean).abs() / std > threshold, out),
    Outside::ZScaled { scale, mean, std, threshold } => {
      scan(x, base, |v| (v * scale - mean).abs() / std > threshold, out)
    }
  }
}

dispatch!(fn scan_outside(x: &[f64], base: usize, test: Outside, out: &mut Vec<u32>) -> () => scan_body);

/// Indices (ascending) of values outside, scanned in parallel chunks.
fn indices_where(pool: Option<&ThreadPool>, x: &[f64], test: Outside) -> Vec<u32> {
  let pool = par::pool_for(pool, x.len(), Cost::Cheap);
  let parts = par::map_chunks(pool, x, CHUNK, |start, c| {
    let mut v = Vec::new();
    scan_outside(c, start, test, &mut v);
    v
  });
  let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
  for p in parts {
    out.extend_from_slice(&p);
  }
  out
}

fn index_range(x: &[f64]) -> ArgResult<()> {
  if x.len() > u32::MAX as usize {
    return Err(ArgError::new("x", "more than 2^32 - 1 values"));
  }
  Ok(())
}

/// [Q1 − k·IQR, Q3 + k·IQR]; at half scale when Q3 − Q1 overflows (a fence
/// beyond the range is then ±inf, which is where it lies).
fn fences(q1: f64, q3: f64, k: f64) -> (f64, f64) {
  let iqr = q3 - q1;
  if iqr.is_finite() {
    return (q1 - k * iqr, q3 + k * iqr);
  }
  let h = q3 / 2.0 - q1 / 2.0;
  ((q1 / 2.0 - k * h) * 2.0, (q3 / 2.0 + k * h) * 2.0)
}

/// i with x[i] < Q1 − k·IQR or x[i] > Q3 + k·IQR (type-7 quartiles).
pub fn outliers_iqr(pool: Option<&ThreadPool>, x: &[f64], k: f64) -> ArgResult<Vec<u32>> {
  index_range(x)?;
  if x.is_empty() {
    return Ok(Vec::new());
  }
  let q = percentiles_unchecked(pool, x, &[25.0, 75.0]);
  let (lo, hi) = fences(q[0], q[1], k);
  Ok(indices_where(pool, x, Outside::Fence { lo, hi }))
}

/// i with |x[i] − mean| / std > threshold (population std, as `stats`).
pub fn outliers_zscore(pool: Option<&ThreadPool>, x: &[f64], threshold: f64) -> ArgResult<Vec<u32>> {
  index_range(x)?;
  if x.is_empty() {
    return Ok(Vec::new());
  }
  let m = moments(pool, x, 0.0);
  // z-scores at the scale M2 was taken at: x·scale − mean neither overflows nor underflows there.
  let (mean, std) = (m.scaled_mean, m.scaled_std);
  if std == 0.0 {
    return Ok(Vec::new());
  }
  let test = if m.scale == 1.0 {
    Outside::Z { mean, std, threshold }
  } else {
    Outside::ZScaled { scale: m.scale, mean, std, threshold }
  };
  Ok(indices_where(pool, x, test))
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_rng::Rng;
  use rayon::ThreadPoolBuilder;

  fn pools() -> Vec<Option<ThreadPool>> {
    vec![None, Some(ThreadPoolBuilder::new().num_threads(3).build().unwrap())]
  }

  /// The compensated sum `stats` reports.
  fn sum(pool: Option<&ThreadPool>, x: &[f64]) -> f64 {
    moments(pool, x, 0.0).sum
  }

  fn median(pool: Option<&ThreadPool>, x: &[f64]) -> f64 {
    median_in(pool, x, None)
  }

  /// Exact sum of f64s as a big fixed-point integer (2^-1100 units), then
  /// rounded once: the reference the compensated sums are judged against.
  fn exact_sum(x: &[f64]) -> f64 {
    // Limbs of 32 bits in i64 so carries can be deferred; covers all
    // finite doubles (exponents -1074..=1023) with headroom for 2^31 terms.
    const OFFSET: i32 = 1100;
    const LIMBS: usize = (1100 + 1024 + 64) / 32 + 2;
    let mut acc = [0i64; LIMBS];
    for &v in x {
      if v == 0.0 {
        continue;
      }
      let bits = v.to_bits();
      let exp = ((bits >> 52) & 0x7ff) as i32;
      let mut mant = bits & ((1u64 << 52) - 1);
      let e = if exp == 0 {
        -1074
      } else {
        mant |= 1 << 52;
        exp - 1075
      };
      let shift = (e + OFFSET) as usize;
      let (limb, off) = (shift / 32, shift % 32);
      let wide = (mant as u128) << off;
      let sign = if v < 0.0 { -1 } else { 1 };
      for j in 0..3 {
        acc[limb + j] += sign * ((wide >> (32 * j)) as u64 & 0xffff_ffff) as i64;
      }
    }
    // Normalise carries, then read off the value with correct-enough
    // rounding by summing from the top limb down in f64-of-i128 chunks.
    let mut carry = 0i64;
    for a in acc.iter_mut() {
      let t = *a + carry;
      carry = t >> 32;
      *a = t & 0xffff_ffff;
    }
    let neg = carry < 0;
    if neg {
      // Two's complement of the whole number.
      let mut c = 1i64;
      for a in acc.iter_mut() {
        let t = (!*a & 0xffff_ffff) + c;
        c = t >> 32;
        *a = t & 0xffff_ffff;
      }
    }
    let top = acc.iter().rposition(|&a| a != 0);
    let Some(top) = top else { return 0.0 };
    // 128 bits from the top limbs plus a sticky bit, converted once.
    let lo_limb = top.saturating_sub(3);
    let mut m: u128 = 0;
    for j in (lo_limb..=top).rev() {
      m = (m << 32) | acc[j] as u128;
    }
    let sticky = acc[..lo_limb].iter().any(|&a| a != 0) as u128;
    let m = m | sticky;
    let scale = (lo_limb as i32) * 32 - OFFSET;
    // Two steps so the scale factors stay normal numbers.
    let v = (m as f64) * 2f64.powi(scale / 2) * 2f64.powi(scale - scale / 2);
    if neg {
      -v
    } else {
      v
    }
  }

  fn mixed(rng: &mut Rng, n: usize) -> Vec<f64> {
    // Mixed signs, magnitudes 1e-3..1e6 (log-uniform).
    (0..n)
      .map(|_| {
        let mag = 10f64.powf(-3.0 + 9.0 * (rng.signed_unit() * 0.5 + 0.5));
        if rng.signed_unit() < 0.0 {
          -mag
        } else {
          mag
        }
      })
      .collect()
  }

  fn rel(a: f64, b: f64) -> f64 {
    if a == b {
      0.0
    } else {
      (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }
  }

  #[test]
  fn range_limits_stay_finite() {
    for pool in pools() {
      let p = pool.as_ref();
      let m = moments(p, &[1.5e308, 1.5e308], 0.0);
      assert_eq!((m.sum, m.mean, m.variance, m.std), (f64::INFINITY, 1.5e308, 0.0, 0.0));
      assert_eq!(moments(p, &[1.7e308, 1.7e308, -1.7e308, 1.0], 0.0).sum, 1.7e308);
      let m = moments(p, &[1e200, -1e200], 0.0);
      assert_eq!((m.variance, m.std), (f64::INFINITY, 1e200));
      let m = moments(p, &[1e-170, 3e-170], 0.0);
      assert!(rel(m.std, 1e-170) <= 1e-15, "{}", m.std);
      assert_eq!(moments(p, &[1e-320; 9], 0.0).std, 0.0);
      let mut out = [0.0; 8];
      stats(p, &[1.5e308, 1.5e308], 0.0, &mut out).unwrap();
      assert_eq!(out[7], 1.5e308, "median");
      let mut q = [0.0; 2];
      percentiles(p, &[-1.7e308, 1.7e308], &[50.0, 25.0], &mut q).unwrap();
      assert_eq!(q[0], 0.0);
      assert!(rel(q[1], -8.5e307) <= 1e-15, "{}", q[1]);
      let mut ma = [0.0; 3];
      moving_average(p, &[1.7e308, 1.7e308, 1.0, 2.0], 2, &mut ma).unwrap();
      assert_eq!(ma, [1.7e308, 8.5e307, 1.5]);
      let x = [-1.7e308, -1e308, -1e307, 0.0, 1e307, 1e308, 1.7e308];
      assert_eq!(outliers_iqr(p, &x, 0.0).unwrap(), vec![0, 1, 5, 6]);
      let mut z = vec![0.0; 20];
      z.push(1e200);
      assert_eq!(outliers_zscore(p, &z, 3.0).unwrap(), vec![20]);
      z[20] = 1e-170;
      assert_eq!(outliers_zscore(p, &z, 3.0).unwrap(), vec![20]);
    }
  }

  #[test]
  fn exact_sum_reference_is_exact() {
    assert_eq!(exact_sum(&[1e16, 1.0, -1e16]), 1.0);
    assert_eq!(exact_sum(&[0.1, 0.2, -0.3]), 2f64.powi(-55));
    assert_eq!(exact_sum(&[-3.5, 1.25]), -2.25);
    assert_eq!(exact_sum(&[f64::MIN_POSITIVE / 4.0, -1e300, 1e300]), f64::MIN_POSITIVE / 4.0);
  }

  #[test]
  fn sum_is_compensated_and_thread_independent() {
    let mut rng = Rng::new(3);
    for &n in &[0usize, 1, 7, 8, 9, CHUNK - 1, CHUNK + 5, 3 * CHUNK + 17, 200_000] {
      let x = mixed(&mut rng, n);
      let want = exact_sum(&x);
      let got: Vec<f64> = pools().iter().map(|p| sum(p.as_ref(), &x)).collect();
      assert_eq!(got[0].to_bits(), got[1].to_bits(), "n={n}");
      assert!(rel(got[0], want) <= 1e-15, "n={n}: {} vs {want}", got[0]);
    }
    // Catastrophic cancellation that plain summation gets completely wrong.
    let x = [1e100, 1.0, -1e100, 0.5];
    assert_eq!(sum(None, &x), 1.5);
  }

  #[test]
  fn moments_match_exact_references() {
    let mut rng = Rng::new(5);
    for &n in &[1usize, 2, 3, 100, 70_001] {
      let x = mixed(&mut rng, n);
      for ddof in [0.0, 1.0] {
        if ddof >= n as f64 {
          continue;
        }
        let ms: Vec<Moments> = pools().iter().map(|p| moments(p.as_ref(), &x, ddof)).collect();
        assert_eq!(ms[0], ms[1]);
        let m = ms[0];
        let s = exact_sum(&x);
        assert!(rel(m.sum, s) <= 1e-15);
        let mean = s / n as f64;
        assert!(rel(m.mean, mean) <= 1e-15);
        // Exact Σ(x − mean)² around the exactly rounded mean, via exact
        // sums of the (exact) TwoProduct parts.
        let mut terms = Vec::new();
        let mut dsum = Vec::new();
        for &v in &x {
          let (d, de) = two_sum(v, -mean);
          dsum.push(d);
          dsum.push(de);
          // d² exactly = p + pe (Dekker via FMA).
          let p = d * d;
          terms.push(p);
          terms.push(d.mul_add(d, -p));
          terms.push(2.0 * d * de);
        }
        let sdd = exact_sum(&terms);
        let sd = exact_sum(&dsum);
        let var = (sdd - sd * sd / n as f64) / (n as f64 - ddof);
        assert!(rel(m.variance, var) <= 1e-13, "n={n} ddof={ddof}: {} vs {var}", m.variance);
        let min = x.iter().copied().fold(f64::INFINITY, f64::min);
        let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!((m.min, m.max), (min, max));
      }
    }
    // Constant data: variance exactly 0, not a tiny negative.
    let m = moments(None, &[0.1; 1001], 1.0);
    assert_eq!(m.variance, 0.0);
  }

  /// The 1e7 requirement (rel. error ≤ 1e-12 for sum, mean and variance
  /// of mixed-magnitude, mixed-sign data). Slow in debug builds, so run it
  /// with `cargo test --release -- --ignored`.
  #[test]
  #[ignore]
  fn accuracy_at_ten_million() {
    let mut rng = Rng::new(101);
    let x = mixed(&mut rng, 10_000_000);
    let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let m = moments(Some(&pool), &x, 1.0);
    let s = exact_sum(&x);
    let n = x.len() as f64;
    let mean = s / n;
    let (mut terms, mut dsum) = (Vec::with_capacity(3 * x.len()), Vec::with_capacity(2 * x.len()));
    for &v in &x {
      let (d, de) = two_sum(v, -mean);
      dsum.extend([d, de]);
      let p = d * d;
      terms.extend([p, d.mul_add(d, -p), 2.0 * d * de]);
    }
    let sd = exact_sum(&dsum);
    let var = (exact_sum(&terms) - sd * sd / n) / (n - 1.0);
    let (es, em, ev) = (rel(m.sum, s), rel(m.mean, mean), rel(m.variance, var));
    eprintln!("n=1e7: rel err sum {es:e} mean {em:e} variance {ev:e}");
    assert!(es <= 1e-12 && em <= 1e-12 && ev <= 1e-12);
  }

  #[test]
  fn variance_large_offset() {
    // Naive E[x²] − E[x]² loses everything here; two-pass keeps it.
    let x: Vec<f64> = (0..1000).map(|i| 1e9 + (i % 10) as f64).collect();
    let m = moments(None, &x, 0.0);
    assert!(rel(m.variance, 8.25) <= 1e-12, "{}", m.variance);
  }

  fn sorted(x: &[f64]) -> Vec<f64> {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    s
  }

  #[test]
  fn median_and_stats_output() {
    let mut rng = Rng::new(11);
    for &n in &[1usize, 2, 3, 4, 5, 10, 11, 1000, 1001, 100_000] {
      let x = rng.vec_f64(n);
      let copy = x.clone();
      let s = sorted(&x);
      let want = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 };
      for pool in pools() {
        let mut out = [0.0; 8];
        stats(pool.as_ref(), &x, 0.0, &mut out).unwrap();
        assert_eq!(out[7], want, "n={n}");
        assert_eq!(out[0], n as f64);
        assert_eq!(out[4], out[3].sqrt());
        assert_eq!((out[5], out[6]), (s[0], s[n - 1]));
      }
      assert_eq!(x, copy, "input must not be reordered");
    }
    // Duplicates, signed zeros, negative values.
    assert_eq!(median(None, &[-0.0, 0.0, -1.0, 5.0]), 0.0);
    assert_eq!(median(None, &[2.0, 2.0, 2.0, 1.0]), 2.0);
    assert_eq!(median(None, &[-3.0, -1.0, -2.0]), -2.0);
  }

  #[test]
  fn stats_validates() {
    let mut out = [0.0; 8];
    assert_eq!(stats(None, &[], 0.0, &mut out).unwrap_err().arg, "x");
    assert_eq!(stats(None, &[1.0], 1.0, &mut out).unwrap_err().arg, "ddof");
    assert_eq!(stats(None, &[1.0, 2.0], f64::NAN, &mut out).unwrap_err().arg, "ddof");
    assert_eq!(stats(None, &[1.0], 0.0, &mut out[..7]).unwrap_err().arg, "out");
  }

  fn ref_percentile(s: &[f64], p: f64) -> f64 {
    let n = s.len();
    let h = (n - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let frac = h - h.floor();
    if frac == 0.0 || lo + 1 >= n {
      s[lo]
    } else {
      s[lo] + frac * (s[lo + 1] - s[lo])
    }
  }

  #[test]
  fn percentiles_match_full_sort() {
    let mut rng = Rng::new(13);
    let ps = [0.0, 0.1, 1.0, 25.0, 33.3, 50.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0];
    for &n in &[1usize, 2, 3, 7, 64, 1000, 123_457] {
      let mut x = rng.vec_f64(n);
      if n > 10 {
        // Ties.
        for i in 0..n / 3 {
          x[i * 3] = (x[i * 3] / 100.0).round();
        }
      }
      let s = sorted(&x);
      for pool in pools() {
        let mut out = vec![0.0; ps.len()];
        percentiles(pool.as_ref(), &x, &ps, &mut out).unwrap();
        for (&p, &got) in ps.iter().zip(&out) {
          assert_eq!(got, ref_percentile(&s, p), "n={n} p={p}");
        }
      }
    }
    // numpy: np.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100])
    let mut out = [0.0; 5];
    percentiles(None, &[4.0, 1.0, 3.0, 2.0], &[0.0, 25.0, 50.0, 90.0, 100.0], &mut out).unwrap();
    assert_eq!(out, [1.0, 1.75, 2.5, 3.7, 4.0]);
  }

  #[test]
  fn multiselect_many_ranks() {
    let mut rng = Rng::new(17);
    let x = rng.vec_f64(5000);
    let s = sorted(&x);
    let ranks: Vec<usize> = (0..300).map(|i| (i * 7919) % 5000).collect();
    let got = order_stats(None, &x, &ranks);
    for (r, g) in ranks.iter().zip(got) {
      assert_eq!(g, s[*r]);
    }
  }

  #[test]
  fn bucketed_selection_on_awkward_data() {
    let mut rng = Rng::new(29);
    let n = 3 * BUCKET_MIN + 7;
    let mut cases: Vec<(&str, Vec<f64>)> = vec![
      ("constant", vec![3.0; n]),
      ("one huge outlier", (0..n).map(|i| if i == 77 { 1e300 } else { rng.signed_unit() }).collect()),
      ("nan and inf", (0..n).map(|i| [f64::NAN, f64::INFINITY, -f64::NAN, rng.signed_unit()][i % 4]).collect()),
      ("signed zeros", (0..n).map(|i| [0.0, -0.0, 1.0, -1.0, rng.signed_unit()][i % 5]).collect()),
      ("two clusters", (0..n).map(|i| if i % 2 == 0 { rng.signed_unit() } else { 1e12 + rng.signed_unit() }).collect()),
      ("subnormal range", (0..n).map(|i| f64::from_bits(1 + (i as u64 % 1000))).collect()),
      ("full range", (0..n).map(|i| if i % 3 == 0 { -1e308 } else { 1e308 * rng.signed_unit() }).collect()),
      ("few distinct", (0..n).map(|i| (i % 5) as f64).collect()),
    ];
    cases.push(("uniform", rng.vec_f64(n)));
    let ranks = [0, 1, n / 4, n / 2 - 1, n / 2, n / 2 + 1, 3 * n / 4, n - 2, n - 1];
    for (name, x) in &cases {
      let s = sorted(x);
      for pool in pools() {
        let got = order_stats(pool.as_ref(), x, &ranks);
        for (&r, g) in ranks.iter().zip(&got) {
          assert_eq!(g.to_bits(), s[r].to_bits(), "{name}: rank {r}");
        }
      }
    }
  }

  #[test]
  fn percentiles_validate() {
    let mut out = [0.0; 1];
    assert_eq!(percentiles(None, &[1.0], &[101.0], &mut out).unwrap_err().arg, "ps");
    assert_eq!(percentiles(None, &[1.0], &[f64::NAN], &mut out).unwrap_err().arg, "ps");
    assert_eq!(percentiles(None, &[], &[50.0], &mut out).unwrap_err().arg, "x");
    assert_eq!(percentiles(None, &[1.0], &[50.0, 1.0], &mut out).unwrap_err().arg, "out");
    percentiles(None, &[], &[], &mut []).unwrap();
  }

  #[test]
  fn key_order_is_total_cmp() {
    let v = [f64::NEG_INFINITY, -1e300, -1.0, -f64::MIN_POSITIVE, -0.0, 0.0, 5e-324, 1.0, f64::INFINITY, f64::NAN];
    for a in v {
      assert_eq!(unkey(key(a)).to_bits(), a.to_bits());
      for b in v {
        assert_eq!(key(a).cmp(&key(b)), a.total_cmp(&b), "{a} {b}");
      }
    }
  }

  #[test]
  fn moving_average_matches_reference_without_drift() {
    let mut rng = Rng::new(19);
    for &(n, w) in
      &[(1usize, 1usize), (10, 1), (10, 10), (10, 3), (50_000, 7), (3 * CHUNK + 11, CHUNK + 3), (40_000, 39_000)]
    {
      let x = mixed(&mut rng, n);
      let mut outs = Vec::new();
      for pool in pools() {
        let mut out = vec![f64::NAN; n - w + 1];
        moving_average(pool.as_ref(), &x, w, &mut out).unwrap();
        outs.push(out);
      }
      assert_eq!(outs[0], outs[1]);
      // Spot-check against exact window sums.
      for i in (0..n - w + 1).step_by(((n - w + 1) / 50).max(1)).chain([n - w]) {
        let want = exact_sum(&x[i..i + w]) / w as f64;
        assert!((outs[0][i] - want).abs() <= 1e-14 * want.abs().max(1.0), "n={n} w={w} i={i}");
      }
    }
    // Huge value entering and leaving the window must leave no residue.
    let x = [1.0, 1e300, 2.0, 3.0, 4.0];
    let mut out = [0.0; 4];
    moving_average(None, &x, 2, &mut out).unwrap();
    assert_eq!(out, [(1.0 + 1e300) / 2.0, (1e300 + 2.0) / 2.0, 2.5, 3.5]);
  }

  #[test]
  fn moving_average_validates() {
    let mut out = [0.0; 3];
    assert_eq!(moving_average(None, &[1.0; 3], 0, &mut out).unwrap_err().arg, "window");
    assert_eq!(moving_average(None, &[1.0; 3], 4, &mut out).unwrap_err().arg, "window");
    assert_eq!(moving_average(None, &[1.0; 3], 2, &mut out).unwrap_err().arg, "out");
  }

  #[test]
  fn outliers_match_naive() {
    let mut rng = Rng::new(23);
    for &n in &[0usize, 1, 2, 5, 1000, 150_000] {
      let mut x = rng.vec_f64(n);
      for i in (0..n).step_by(97) {
        x[i] *= 50.0;
      }
      let s = sorted(&x);
      for pool in pools() {
        let got = outliers_iqr(pool.as_ref(), &x, 1.5).unwrap();
        let want: Vec<u32> = if n == 0 {
          vec![]
        } else {
          let (q1, q3) = (ref_percentile(&s, 25.0), ref_percentile(&s, 75.0));
          let iqr = q3 - q1;
          let (lo, hi) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
          (0..n as u32).filter(|&i| x[i as usize] < lo || x[i as usize] > hi).collect()
        };
        assert_eq!(got, want, "iqr n={n}");

        let got = outliers_zscore(pool.as_ref(), &x, 2.0).unwrap();
        let want: Vec<u32> = if n == 0 {
          vec![]
        } else {
          let mean = exact_sum(&x) / n as f64;
          let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
          let std = var.sqrt();
          (0..n as u32).filter(|&i| (x[i as usize] - mean).abs() / std > 2.0).collect()
        };
        assert_eq!(got, want, "zscore n={n}");
      }
    }
    assert!(outliers_zscore(None, &[3.0; 10], 0.0).unwrap().is_empty());
  }
}
