//! Hashed character n-gram features (the "hashing trick"), one row per text.
//!
//! A text is a byte range of one UTF-8 buffer. Code points are found from
//! lead bytes only (`b & 0xC0 != 0x80`), so malformed input cannot make this
//! fail or read out of bounds; it just yields different n-grams. Each window
//! of `n` consecutive code points is hashed with 32-bit FNV-1a over its bytes
//! and counted in bucket `hash % dims`.

use rayon::ThreadPool;

use crate::args;
use crate::error::{ArgError, ArgResult};
use crate::par::{self, Cost};
use crate::simd::dispatch;

mod bindings;

const FNV_OFFSET: u32 = 2_166_136_261;
const FNV_PRIME: u32 = 16_777_619;

#[inline(always)]
pub fn fnv1a(bytes: &[u8]) -> u32 {
  let mut h = FNV_OFFSET;
  for &b in bytes {
    h ^= b as u32;
    h = h.wrapping_mul(FNV_PRIME);
  }
  h
}

/// `h % d` for a fixed divisor without a hardware divide (Lemire, Kaser &
/// Kurz, "Faster remainder by direct computation", 2019): exact for every
/// 32-bit `h` and `d ≥ 1`.
#[derive(Clone, Copy)]
struct FastMod {
  m: u64,
  d: u32,
}

impl FastMod {
  fn new(d: u32) -> FastMod {
    // d = 1 wraps m to 0, which correctly gives h % 1 = 0.
    FastMod { m: (u64::MAX / d.max(1) as u64).wrapping_add(1), d }
  }

  #[inline(always)]
  fn rem(self, h: u32) -> u32 {
    let low = self.m.wrapping_mul(h as u64);
    ((low as u128 * self.d as u128) >> 64) as u32
  }
}

/// Scratch reused across the texts of one chunk.
struct Scratch {
  counts: Vec<u32>,
  touched: Vec<u32>,
  starts: Vec<u32>,
  hashes: Vec<u32>,
}

impl Scratch {
  /// `None` when the counts cannot be had: `dims` comes from the caller
  /// (up to 2^32 - 1), so this is fallible rather than an abort.
  fn new(dims: usize) -> Option<Scratch> {
    let mut counts = Vec::new();
    counts.try_reserve_exact(dims).ok()?;
    counts.resize(dims, 0);
    Some(Scratch { counts, touched: Vec::new(), starts: Vec::new(), hashes: Vec::new() })
  }
}

/// Small counts whose normalised value is cached per text: most buckets
/// hold 1–3 n-grams, so this saves nearly every division.
const SMALL_COUNTS: usize = 16;

/// Windows hashed side by side: FNV-1a is a serial xor → multiply chain per
/// window, so independent windows in lockstep fill the pipeline (and, for
/// ASCII, become plain vector code).
const ASCII_LANES: usize = 16;

/// Hashes of every n-byte window of an ASCII text, in order.
#[inline(always)]
fn hash_ascii_body(text: &[u8], n: usize, out: &mut Vec<u32>) {
  let windows = text.len() + 1 - n; // callers ensure text.len() ≥ n ≥ 1
  let mut i = 0;
  // Lanes l = windows i + l, which together span text[i..i + 16 + n − 1];
  // step j xors in the 16 bytes block[j..j + 16].
  while i + ASCII_LANES <= windows {
    let Some(block) = text.get(i..i + ASCII_LANES + n - 1) else { break };
    let mut h = [FNV_OFFSET; ASCII_LANES];
    for j in 0..n {
      let b = &block[j..j + ASCII_LANES];
      for l in 0..ASCII_LANES {
        h[l] = (h[l] ^ b[l] as u32).wrapping_mul(FNV_PRIME);
      }
    }
    out.extend_from_slice(&h);
    i += ASCII_LANES;
  }
  for w in text[i..].windows(n) {
    out.push(fnv1a(w));
  }
}

dispatch!(fn hash_ascii(text: &[u8], n: usize, out: &mut Vec<u32>) -> () => hash_ascii_body);

/// Hashes of windows [starts[i], starts[i + n]) for every i, in order.
/// `starts` is non-decreasing, ends with text.len(), and holds > n entries.
/// Most windows of real text are all-ASCII (exactly N bytes): those take a
/// fixed, unrolled N-byte hash; the rest the byte loop. That keeps the
/// branch on the window length well predicted.
#[inline(always)]
fn hash_utf8_n<const N: usize>(text: &[u8], starts: &[u32], out: &mut Vec<u32>) {
  for w in starts.windows(N + 1) {
    let bytes = text.get(w[0] as usize..w[N] as usize).unwrap_or_default();
    out.push(match bytes.first_chunk::<N>() {
      Some(fixed) if bytes.len() == N => fnv1a(fixed),
      _ => fnv1a(bytes),
    });
  }
}

#[inline(always)]
fn hash_utf8_body(text: &[u8], starts: &[u32], n: usize, out: &mut Vec<u32>) {
  match n {
    1 => hash_utf8_n::<1>(text, starts, out),
    2 => hash_utf8_n::<2>(text, starts, out),
    3 => hash_utf8_n::<3>(text, starts, out),
    4 => hash_utf8_n::<4>(text, starts, out),
    5 => hash_utf8_n::<5>(text, starts, out),
    6 => hash_utf8_n::<6>(text, starts, out),
    _ => {
      for w in starts.windows(n + 1) {
        out.push(fnv1a(text.get(w[0] as usize..w[n] as usize).unwrap_or_default()));
      }
    }
  }
}

dispatch!(fn hash_utf8(text: &[u8], starts: &[u32], n: usize, out: &mut Vec<u32>) -> () => hash_utf8_body);

/// Offsets of the code point lead bytes (`b & 0xC0 != 0x80`), then text.len().
/// Works on 64-byte blocks: a bit mask of lead bytes (vector compares), then
/// either all 64 offsets at once (pure ASCII block) or one per set bit.
#[inline(always)]
fn code_point_starts_body(text: &[u8], starts: &mut Vec<u32>) {
  starts.clear();
  starts.resize(text.len() + 1, 0);
  let buf = &mut starts[..];
  let mut k = 0usize;
  let (blocks, rem) = text.as_chunks::<64>();
  for (bi, blk) in blocks.iter().enumerate() {
    let base = (bi * 64) as u32;
    let mut m = 0u64;
    for (l, &b) in blk.iter().enumerate() {
      m |= ((b & 0xC0 != 0x80) as u64) << l;
    }
    if m == u64::MAX {
      if let Some(dst) = buf.get_mut(k..k + 64) {
        for (l, d) in dst.iter_mut().enumerate() {
          *d = base + l as u32;
        }
      }
      k += 64;
    } else {
      while m != 0 {
        buf[k] = base + m.trailing_zeros();
        k += 1;
        m &= m - 1;
      }
    }
  }
  let base = blocks.len() * 64;
  for (i, &b) in rem.iter().enumerate() {
    buf[k] = (base + i) as u32; // branch-free: kept only if b is a lead byte
    k += (b & 0xC0 != 0x80) as usize;
  }
  buf[k] = text.len() as u32;
  starts.truncate(k + 1);
}

dispatch!(fn code_point_starts(text: &[u8], starts: &mut Vec<u32>) -> () => code_point_starts_body);

/// Fills `row` (overwritten, all `dims` slots) with the features of `text`.
fn featurize(text: &[u8], n: usize, fm: FastMod, normalize: bool, sc: &mut Scratch, row: &mut [f32]) {
  row.fill(0.0);
  sc.hashes.clear();
  if text.is_ascii() {
    // One byte per code point: window i is text[i..i + n].
    if text.len() < n {
      return;
    }
    hash_ascii(text, n, &mut sc.hashes);
  } else {
    code_point_starts(text, &mut sc.starts);
    if sc.starts.len() - 1 < n {
      return;
    }
    hash_utf8(text, &sc.starts, n, &mut sc.hashes);
  }
  // Count, remembering each bucket the first time it is hit. Plain locals
  // and a branch-free append keep the loop in registers.
  let counts = &mut sc.counts[..];
  sc.touched.clear();
  sc.touched.resize(sc.hashes.len(), 0);
  let touched = &mut sc.touched[..];
  let mut new = 0usize;
  let mut count = |b: usize| {
    let c = counts[b];
    touched[new] = b as u32;
    new += (c == 0) as usize;
    counts[b] = c + 1;
  };
  if fm.d.is_power_of_two() {
    let mask = fm.d - 1;
    sc.hashes.iter().for_each(|&h| count((h & mask) as usize));
  } else {
    sc.hashes.iter().for_each(|&h| count(fm.rem(h) as usize));
  }
  let touched = &touched[..new];
  if normalize {
    // Exact: each square < 2^64 and there are < 2^32 of them.
    let ss: u128 = touched.iter().map(|&b| counts[b as usize] as u128 * counts[b as usize] as u128).sum();
    let norm = (ss as f64).sqrt();
    // value(c) = (c as f64 / norm) as f32, computed once per distinct small c.
    let mut cache = [f32::NAN; SMALL_COUNTS];
    for &b in touched {
      let c = counts[b as usize];
      row[b as usize] = match cache.get_mut(c as usize) {
        Some(v) if !v.is_nan() => *v,
        Some(v) => {
          *v = (c as f64 / norm) as f32;
          *v
        }
        None => (c as f64 / norm) as f32,
      };
    }
  } else {
    for &b in touched {
      row[b as usize] = counts[b as usize] as f32;
    }
  }
  for &b in touched {
    counts[b as usize] = 0;
  }
}

/// out[t·dims .. (t+1)·dims] = features of text t = bytes[offsets[t]..offsets[t+1]].
pub fn ngram_features(
  pool: Option<&ThreadPool>,
  bytes: &[u8],
  offsets: &[u32],
  n: usize,
  dims: usize,
  normalize: bool,
  out: &mut [f32],
) -> ArgResult<()> {
  if n == 0 {
    return Err(ArgError::new("n", "must be a positive integer"));
  }
  if dims == 0 || dims > u32::MAX as usize {
    return Err(ArgError::new("dims", "must be an integer in [1, 2^32 - 1]"));
  }
  let texts = args::ranges(offsets, bytes.len(), "bytes")?;
  let expected = texts.checked_mul(dims).ok_or_else(|| ArgError::new("out", "texts × dims overflows"))?;
  args::exact_len("out", out.len(), expected, "(offsets length - 1) × dims")?;
  if texts == 0 {
    return Ok(());
  }
  let fm = FastMod::new(dims as u32);
  let span = (offsets[texts] - offsets[0]) as usize;
  let pool = par::pool_for(pool, span, Cost::Heavy);
  // Texts per chunk: ~16 KiB of text each, at least one text.
  let per_chunk = ((16usize << 10) * texts / span.max(1)).clamp(1, texts);
  let done = par::map_chunks_mut(pool, out, per_chunk * dims, |start, rows| {
    let t0 = start / dims;
    let Some(mut sc) = Scratch::new(dims) else { return false };
    for (t, row) in rows.chunks_exact_mut(dims).enumerate() {
      let (lo, hi) = (offsets[t0 + t] as usize, offsets[t0 + t + 1] as usize);
      featurize(&bytes[lo..hi], n, fm, normalize, &mut sc, row);
    }
    true
  });
  if done.contains(&false) {
    return Err(ArgError::new(
      "dims",
      format!("{dims} needs {} bytes of counts per thread, more than can be allocated", 4 * dims),
    ));
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use rayon::ThreadPoolBuilder;

  fn pools() -> Vec<Option<ThreadPool>> {
    vec![None, Some(ThreadPoolBuilder::new().num_threads(3).build().unwrap())]
  }

  #[test]
  fn fastmod_matches_remainder() {
    let hs = [0u32, 1, 2, 3, 7, 1023, 1024, 65535, 0x7fff_ffff, 0x8000_0000, 0xdead_beef, u32::MAX - 1, u32::MAX];
    for d in [1u32, 2, 3, 7, 10, 1000, 1024, 65537, 0x7fff_ffff, 0x8000_0001, u32::MAX - 1, u32::MAX] {
      let fm = FastMod::new(d);
      for &h in &hs {
        assert_eq!(fm.rem(h), h % d, "{h} % {d}");
      }
      let mut h = 0x1234_5678u32;
      for _ in 0..10_000 {
        h = h.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        assert_eq!(fm.rem(h), h % d);
      }
    }
  }

  #[test]
  fn fnv_known_values() {
    assert_eq!(fnv1a(b""), 0x811c_9dc5);
    assert_eq!(fnv1a(b"a"), 0xe40c_292c);
    assert_eq!(fnv1a(b"foobar"), 0xbf9c_f968);
  }

  #[test]
  fn hand_worked_abcd() {
    // "abcd", n = 3: windows "abc" and "bcd".
    // FNV-1a("abc") = 0x1a47e90b → bucket 3; FNV-1a("bcd") = 0x74bbf722 → bucket 2.
    let habc = fnv1a(b"abc");
    let hbcd = fnv1a(b"bcd");
    assert_eq!(habc, 0x1a47_e90b);
    assert_eq!(hbcd, 0x74bb_f722);
    let mut out = vec![9.0f32; 8];
    ngram_features(None, b"abcd", &[0, 4], 3, 8, false, &mut out).unwrap();
    assert_eq!(out, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    ngram_features(None, b"abcd", &[0, 4], 3, 8, true, &mut out).unwrap();
    let v = (1.0 / 2f64.sqrt()) as f32;
    assert_eq!(out, [0.0, 0.0, v, v, 0.0, 0.0, 0.0, 0.0]);
    // Same bucket twice: "aaaa", n = 2 → "aa" ×3 → [3] normalised to 1.
    ngram_features(None, b"aaaa", &[0, 4], 2, 8, true, &mut out).unwrap();
    assert_eq!(out.iter().filter(|&&x| x == 1.0).count(), 1);
    assert_eq!(out.iter().sum::<f32>(), 1.0);
  }

  #[test]
  fn multibyte_code_points() {
    // "é€😀" is 3 code points / 9 bytes: with n = 3 one window of all bytes;
    // with n = 4 a zero row. Short and empty texts too.
    let text = "é€😀".as_bytes();
    let mut buf = text.to_vec();
    buf.extend_from_slice(b"ab");
    let offsets = [0u32, 9, 9, 11];
    let mut out = vec![5.0f32; 3 * 16];
    ngram_features(None, &buf, &offsets, 3, 16, false, &mut out).unwrap();
    let mut want = vec![0.0f32; 3 * 16];
    want[(fnv1a(text) % 16) as usize] = 1.0;
    assert_eq!(out, want);
    ngram_features(None, &buf, &offsets, 4, 16, true, &mut out).unwrap();
    assert!(out.iter().all(|&x| x == 0.0));
    // n = 1 over "é€😀": three different single-code-point windows.
    ngram_features(None, &buf, &offsets, 1, 1 << 20, false, &mut vec![0.0; 3 << 20]).unwrap();
  }

  /// Naive reference: decode with std, hash each window's UTF-8 encoding.
  fn reference(texts: &[&str], n: usize, dims: usize, normalize: bool) -> Vec<f32> {
    let mut out = vec![0.0f32; texts.len() * dims];
    for (t, s) in texts.iter().enumerate() {
      let cps: Vec<char> = s.chars().collect();
      let mut counts = vec![0u64; dims];
      if cps.len() >= n {
        for w in cps.windows(n) {
          let st: String = w.iter().collect();
          counts[fnv1a(st.as_bytes()) as usize % dims] += 1;
        }
      }
      let ss: f64 = counts.iter().map(|&c| (c * c) as f64).sum();
      for b in 0..dims {
        out[t * dims + b] = if normalize { (counts[b] as f64 / ss.sqrt()) as f32 } else { counts[b] as f32 };
        if normalize && ss == 0.0 {
          out[t * dims + b] = 0.0;
        }
      }
    }
    out
  }

  #[test]
  fn matches_reference_in_parallel() {
    let alphabet: Vec<char> = "abcdefgh é€😀ß".chars().collect();
    let mut seed = 7u64;
    let mut texts = Vec::new();
    for i in 0..3000 {
      let len = (i * 37) % 120;
      let s: String = (0..len)
        .map(|_| {
          seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
          alphabet[(seed >> 33) as usize % alphabet.len()]
        })
        .collect();
      texts.push(s);
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut bytes = Vec::new();
    let mut offsets = vec![0u32];
    for s in &refs {
      bytes.extend_from_slice(s.as_bytes());
      offsets.push(bytes.len() as u32);
    }
    for &(n, dims) in &[(1usize, 7usize), (3, 64), (5, 1000)] {
      for normalize in [false, true] {
        let want = reference(&refs, n, dims, normalize);
        for pool in pools() {
          let mut out = vec![f32::NAN; refs.len() * dims];
          ngram_features(pool.as_ref(), &bytes, &offsets, n, dims, normalize, &mut out).unwrap();
          assert_eq!(out, want, "n={n} dims={dims} normalize={normalize}");
        }
      }
    }
  }

  #[test]
  fn validates_and_survives_bad_bytes() {
    let mut out = vec![0.0f32; 8];
    assert_eq!(ngram_features(None, b"ab", &[0, 2], 0, 8, false, &mut out).unwrap_err().arg, "n");
    assert_eq!(ngram_features(None, b"ab", &[0, 2], 1, 0, false, &mut out).unwrap_err().arg, "dims");
    assert_eq!(ngram_features(None, b"ab", &[0, 3], 1, 8, false, &mut out).unwrap_err().arg, "offsets");
    assert_eq!(ngram_features(None, b"ab", &[2, 0], 1, 8, false, &mut out).unwrap_err().arg, "offsets");
    assert_eq!(ngram_features(None, b"ab", &[], 1, 8, false, &mut out).unwrap_err().arg, "offsets");
    assert_eq!(ngram_features(None, b"ab", &[0, 2], 1, 4, false, &mut out).unwrap_err().arg, "out");
    // Continuation bytes only, a lone lead byte, a cut multi-byte sequence.
    let junk = [0x80u8, 0xbf, 0xe2, 0x82, 0xff, 0xc3];
    ngram_features(None, &junk, &[0, 6], 1, 8, true, &mut out).unwrap();
    ngram_features(None, &junk, &[1, 4], 2, 8, false, &mut out).unwrap();
    assert!(out.iter().all(|x| x.is_finite()));
  }
}
