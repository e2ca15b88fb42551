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
//! Every method either validates its input (returning an `ArgError`) or is
//! total over any input (saturating conversions, i64 key arithmetic, checked
//! indexing): nothing panics or overflows, whatever bits a value holds.

// fdlibm's constants are written as e_log.c writes them.
#![allow(clippy::excessive_precision)]

use crate::abi::{SKETCH_CUBIC, SKETCH_EXP, SKETCH_LOG};
use crate::error::{ArgError, ArgResult};

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

/// A number as JS prints it, near enough for messages.
pub fn js_num(v: f64) -> String {
  if v.is_nan() {
    "NaN".into()
  } else if v.is_infinite() {
    (if v > 0.0 { "Infinity" } else { "-Infinity" }).into()
  } else if v != 0.0 && !(1e-6..1e21).contains(&v.abs()) {
    format!("{v:e}")
  } else {
    format!("{v}")
  }
}

impl Config {
  /// Validates a configuration: a known mapping, a finite multiplier > 0, a
  /// scale in [1, 20] for EXP (0 otherwise), maxBins in [1, 2^20], and
  /// every key (of the smallest and the largest indexable value, keys being
  /// monotone) within i32.
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
    if !(lo >= i32::MIN as f64 && hi <= i32::MAX as f64) {
      return Err(ArgError::new(
        "multiplier",
        format!(
          "{} with offset {offset} gives keys in [{}, {}], beyond 32 bits",
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
#[inline]
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

/// A key as i32: saturating, NaN to 0 (Config::new keeps real keys inside).
#[inline(always)]
fn to_key(x: f64) -> i32 {
  x as i32
}

/// The key of v (normal, > 0) as a store uses it.
#[cfg(test)]
pub fn key(cfg: &Config, v: f64) -> i32 {
  to_key(key_f64(cfg, v.to_bits()))
}

#[inline(always)]
fn cubic_keys_body(vals: &[f64], keys: &mut [i32], multiplier: f64, offset: f64) {
  for (k, &v) in keys.iter_mut().zip(vals) {
    *k = to_key(cubic_key(v.to_bits() & !SIGN, multiplier, offset));
  }
}

crate::simd::dispatch!(fn cubic_keys(vals: &[f64], keys: &mut [i32], multiplier: f64, offset: f64) -> () => cubic_keys_body);

/// keys[i] = key(|vals[i]|) (garbage, but some i32, where |v| is not
/// indexable; those are never used).
fn compute_keys(cfg: &Config, vals: &[f64], keys: &mut [i32]) {
  match cfg.mapping {
    Mapping::Cubic => cubic_keys(vals, keys, cfg.multiplier, cfg.offset as f64),
    _ => {
      for (k, &v) in keys.iter_mut().zip(vals) {
        *k = to_key(key_f64(cfg, v.to_bits() & !SIGN));
      }
    }
  }
}

/// Index of the first NaN or ±Infinity, on exponent bits a block at a time
/// (vectorises; an early exit per value would not).
fn first_non_finite(x: &[f64]) -> Option<usize> {
  const EXP: u64 = 0x7ff0_0000_0000_0000;
  for (b, block) in x.chunks(CHUNK).enumerate() {
    let any = block.iter().fold(0u64, |acc, v| acc | u64::from(v.to_bits() & EXP == EXP));
    if any != 0 {
      return block.iter().position(|v| !v.is_finite()).map(|i| b * CHUNK + i);
    }
  }
  None
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

/// A sketch's exported bins: each store's non-zero range, lowest key first.
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
  count: f64,
  sum: f64,
  min: f64,
  max: f64,
  /// Key scratch of add (CHUNK long once used).
  keys: Vec<i32>,
}

impl Sketch {
  pub fn new(cfg: Config) -> Sketch {
    Sketch {
      cfg,
      buf: vec![0.0],
      st: [Store::new(true), Store::new(false)],
      count: 0.0,
      sum: 0.0,
      min: f64::INFINITY,
      max: f64::NEG_INFINITY,
      keys: Vec::new(),
    }
  }

  /// count, sum, min, max, zeroCount (the contract's SUMMARY order).
  pub fn summary(&self) -> [f64; 5] {
    [self.count, self.sum, self.min, self.max, self.buf[0]]
  }

  /// Bytes held (buffer capacities).
  #[cfg(test)]
  pub fn memory_bytes(&self) -> usize {
    self.buf.capacity() * 8 + self.keys.capacity() * 4
  }

  pub fn clear(&mut self) {
    self.buf = vec![0.0];
    self.st = [Store::new(true), Store::new(false)];
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

  /// Native keys of the first and last non-zero bins of store s.
  fn nonzero(&self, s: usize) -> Option<(i64, i64)> {
    let w = self.window(s);
    let first = w.iter().position(|&c| c != 0.0)?;
    let last = w.iter().rposition(|&c| c != 0.0)?;
    let lo = self.st[s].lo;
    Some((lo + first as i64, lo + last as i64))
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
        for (j, &c) in self.window(s).iter().enumerate() {
          if c == 0.0 {
            continue;
          }
          let k = st.collapse(st.lo + j as i64, floor);
          if let Some(d) = usize::try_from(k - lo).ok().and_then(|i| dst.get_mut(i)) {
            *d += c;
          } else {
            debug_assert!(false, "relayout: key {k} outside window {lo}+{}", lens[s]);
          }
        }
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
    if let Some(i) = first_non_finite(values) {
      return i as i64;
    }
    let mut keys = std::mem::take(&mut self.keys);
    keys.resize(CHUNK, 0);
    for chunk in values.chunks(CHUNK) {
      let ks = &mut keys[..chunk.len()];
      compute_keys(&self.cfg, chunk, ks);
      self.apply_chunk(chunk, ks);
    }
    self.keys = keys;
    -1
  }

  /// Pass 2 of add over one chunk (keys[i] = key(|vals[i]|)).
  fn apply_chunk(&mut self, vals: &[f64], keys: &[i32]) {
    let n = vals.len().min(keys.len());
    let (vals, keys) = (&vals[..n], &keys[..n]);
    let (mut count, mut sum, mut min, mut max) = (self.count, self.sum, self.min, self.max);
    let mut i = 0;
    let mut stuck = usize::MAX;
    while i < n {
      let [p, q] = self.st;
      let lo = [p.lo, q.lo];
      let len = [p.len as u64, q.len as u64];
      let base = [p.base, q.base];
      let clamp_lo = [p.clamp_lo, q.clamp_lo];
      let clamp_hi = [p.clamp_hi, q.clamp_hi];
      let buf = &mut self.buf[..];
      while i < n {
        let v = vals[i];
        let bits = v.to_bits();
        let s = (bits >> 63) as usize;
        let zero = bits & !SIGN <= MIN_INDEXABLE_BITS;
        let k = keys[i].max(clamp_lo[s]).min(clamp_hi[s]);
        let rel = (k as i64 - lo[s]) as u64;
        if !zero && rel >= len[s] {
          break;
        }
        let slot = if zero { 0 } else { base[s] + rel as usize };
        count += 1.0;
        sum += v;
        if v < min {
          min = v;
        }
        if v > max {
          max = v;
        }
        buf[slot] += 1.0;
        i += 1;
      }
      if i == n {
        break;
      }
      if stuck == i {
        // ensure_chunk left this key outside (it cannot): the one-key path.
        debug_assert!(false, "apply_chunk: key {} still outside after ensure", keys[i]);
        let v = vals[i];
        count += 1.0;
        sum += v;
        if v < min {
          min = v;
        }
        if v > max {
          max = v;
        }
        self.add_one(v, 1.0);
        i += 1;
        continue;
      }
      stuck = i;
      self.ensure_chunk(&vals[i..], &keys[i..]);
    }
    (self.count, self.sum, self.min, self.max) = (count, sum, min, max);
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

  /// Each store's non-zero range (trimmed; empty: offset 0, no bins).
  pub fn bins(&self) -> Bins {
    let range = |s: usize| match self.nonzero(s) {
      Some((a, b)) => {
        let lo = self.st[s].lo;
        (a as i32, self.window(s)[(a - lo) as usize..=(b - lo) as usize].to_vec())
      }
      None => (0, Vec::new()),
    };
    let (neg_offset, neg) = range(N);
    let (pos_offset, pos) = range(P);
    Bins { zero_count: self.buf[0], neg_offset, neg, pos_offset, pos }
  }

  /// Adds the non-zero bins of `bins` (bins[i] at key offset + i) to store s.
  fn add_store_bins(&mut self, s: usize, offset: i64, bins: &[f64]) {
    let nz = |c: &f64| *c != 0.0;
    let (Some(a), Some(b)) = (bins.iter().position(nz), bins.iter().rposition(nz)) else { return };
    self.ensure(s, offset + a as i64, offset + b as i64);
    let st = self.st[s];
    let Some(w) = self.buf.get_mut(st.base..st.base + st.len as usize) else { return };
    for (i, &c) in bins.iter().enumerate().take(b + 1).skip(a) {
      if c == 0.0 {
        continue;
      }
      let k = st.collapse(offset + i as i64, st.floor);
      if let Some(d) = usize::try_from(k - st.lo).ok().and_then(|r| w.get_mut(r)) {
        *d += c;
      } else {
        debug_assert!(false, "add_store_bins: key {k} outside the window after ensure");
      }
    }
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

  /// addBins(other.bins(), other's summary); the same mapping is required.
  pub fn merge(&mut self, other: &Sketch) -> ArgResult<()> {
    if !self.cfg.same_mapping(&other.cfg) {
      return Err(ArgError::new("other", "has a different mapping, multiplier, offset or scale"));
    }
    for s in [P, N] {
      let lo = other.st[s].lo;
      self.add_store_bins(s, lo, other.window(s));
    }
    let [count, sum, min, max, zero] = other.summary();
    self.add_summary(zero, count, sum, min, max);
    Ok(())
  }

  /// merge(self): every count doubles (through a copy, as JS merging a core
  /// with itself reads its bins before adding them).
  pub fn merge_self(&mut self) {
    let copy = Sketch { keys: Vec::new(), ..self.clone() };
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
