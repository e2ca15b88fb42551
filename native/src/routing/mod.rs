//! Consistent hashing: XXH64 of UTF-8 texts, Lamping & Veach's jump
//! consistent hash, and rendezvous (highest-random-weight) scores.
//!
//! The definitions are fixed by `ts/api/routing.ts` and shared with the JS
//! and wasm tiers bit for bit: jump hash runs in f64 exactly as the paper
//! writes it, and weighted scores use the sketch's fdlibm log (Rust's `ln`
//! is the platform libm's, which may differ in the last bit).

use rayon::ThreadPool;

use crate::args;
use crate::error::{ArgError, ArgResult};
use crate::par::{self, Cost};
use crate::sketch::fdlibm_log;

mod bindings;
#[cfg(test)]
mod tests;

/// Keys per parallel chunk.
const CHUNK: usize = 1 << 14;
/// Largest bucket count: j stays an exact f64 integer and the answer a u32.
pub const MAX_BUCKETS: f64 = 2147483648.0;

/// XXH64, seed 0.
#[inline]
pub fn xxh64(bytes: &[u8]) -> u64 {
  xxhash_rust::xxh64::xxh64(bytes, 0)
}

/// Jump consistent hash (arXiv 1406.2294) in f64 as the paper computes it;
/// `buckets` in [1, 2^31].
#[inline]
pub fn jump(mut key: u64, buckets: f64) -> u32 {
  let mut b = -1.0f64;
  let mut j = 0.0f64;
  while j < buckets {
    b = j;
    key = key.wrapping_mul(2862933555777941757).wrapping_add(1);
    j = ((b + 1.0) * (2147483648.0 / ((key >> 33) + 1) as f64)).floor();
  }
  b as u32
}

/// murmur3's fmix64 finalizer.
#[inline(always)]
pub fn fmix64(mut x: u64) -> u64 {
  x ^= x >> 33;
  x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
  x ^= x >> 33;
  x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
  x ^ (x >> 33)
}

/// The top 52 bits of the mix of key and node seed; u = (m + 0.5)·2^-52 lies in (0, 1), exactly.
#[inline(always)]
fn top52(key: u64, seed: u64) -> u64 {
  fmix64(key ^ seed) >> 12
}

#[inline(always)]
fn unit(m: u64) -> f64 {
  (m as f64 + 0.5) * (1.0 / 4503599627370496.0)
}

/// A node's score for a key: u when every weight is equal, else w / −ln(u).
#[inline(always)]
pub fn score(key: u64, seed: u64, weight: f64, uniform: bool) -> f64 {
  let u = unit(top52(key, seed));
  if uniform {
    u
  } else {
    weight / -fdlibm_log(u)
  }
}

/// The winning node of one key: the highest score, the lowest index on a tie.
#[inline]
fn best(key: u64, seeds: &[u64], weights: &[f64], uniform: bool) -> u32 {
  let mut at = 0u32;
  if uniform {
    // u is monotone in m, so the integers are compared and no float is formed.
    let mut top = top52(key, seeds[0]);
    for (i, &s) in seeds.iter().enumerate().skip(1) {
      let m = top52(key, s);
      if m > top {
        top = m;
        at = i as u32;
      }
    }
  } else {
    let mut top = score(key, seeds[0], weights[0], false);
    for i in 1..seeds.len() {
      let x = score(key, seeds[i], weights[i], false);
      if x > top {
        top = x;
        at = i as u32;
      }
    }
  }
  at
}

fn check_nodes(seeds: &[u64], weights: &[f64]) -> ArgResult<()> {
  args::same_len(("seeds", seeds.len()), ("weights", weights.len()))?;
  if seeds.is_empty() {
    return Err(ArgError::new("seeds", "must hold at least one node"));
  }
  if let Some(i) = weights.iter().position(|w| !(w.is_finite() && *w > 0.0)) {
    return Err(ArgError::new("weights", format!("[{i}] must be finite and > 0")));
  }
  Ok(())
}

fn check_buckets(buckets: f64) -> ArgResult<()> {
  if !((1.0..=MAX_BUCKETS).contains(&buckets) && buckets.fract() == 0.0) {
    return Err(ArgError::new("buckets", "must be an integer in [1, 2^31]"));
  }
  Ok(())
}

/// XXH64 of each text bytes[offsets[t], offsets[t+1]) into out.
pub fn hash_texts(pool: Option<&ThreadPool>, bytes: &[u8], offsets: &[u32], out: &mut [u64]) -> ArgResult<()> {
  let n = args::ranges(offsets, bytes.len(), "bytes")?;
  args::exact_len("out", out.len(), n, "the text count")?;
  let pool = par::pool_for(pool, bytes.len() + 16 * n, Cost::Heavy);
  par::map_chunks_mut(pool, out, CHUNK, |start, o| {
    for (i, h) in o.iter_mut().enumerate() {
      let t = start + i;
      *h = xxh64(&bytes[offsets[t] as usize..offsets[t + 1] as usize]);
    }
  });
  Ok(())
}

/// out[i] = jump(keys[i], buckets).
pub fn jump_hash(pool: Option<&ThreadPool>, keys: &[u64], buckets: f64, out: &mut [u32]) -> ArgResult<()> {
  check_buckets(buckets)?;
  args::exact_len("out", out.len(), keys.len(), "keys.length")?;
  // ~ln(buckets) + 1 steps per key.
  let steps = buckets.ln() as usize + 1;
  let pool = par::pool_for(pool, keys.len().saturating_mul(steps), Cost::Heavy);
  par::map_chunks_mut(pool, out, CHUNK, |start, o| {
    for (i, b) in o.iter_mut().enumerate() {
      *b = jump(keys[start + i], buckets);
    }
  });
  Ok(())
}

/// out[i] = the index of keys[i]'s winning node.
pub fn rendezvous(
  pool: Option<&ThreadPool>,
  keys: &[u64],
  seeds: &[u64],
  weights: &[f64],
  uniform: bool,
  out: &mut [u32],
) -> ArgResult<()> {
  check_nodes(seeds, weights)?;
  if seeds.len() > u32::MAX as usize {
    return Err(ArgError::new("seeds", "must hold at most 2^32 - 1 nodes"));
  }
  args::exact_len("out", out.len(), keys.len(), "keys.length")?;
  let pool = par::pool_for(pool, keys.len().saturating_mul(seeds.len()), Cost::Heavy);
  par::map_chunks_mut(pool, out, CHUNK, |start, o| {
    for (i, b) in o.iter_mut().enumerate() {
      *b = best(keys[start + i], seeds, weights, uniform);
    }
  });
  Ok(())
}

/// out[k·nodes + i] = node i's score for keys[k].
pub fn rendezvous_scores(
  keys: &[u64],
  seeds: &[u64],
  weights: &[f64],
  uniform: bool,
  out: &mut [f64],
) -> ArgResult<()> {
  check_nodes(seeds, weights)?;
  let cells = keys.len().checked_mul(seeds.len()).ok_or_else(|| ArgError::new("out", "keys × nodes overflows"))?;
  args::exact_len("out", out.len(), cells, "keys × nodes")?;
  for (k, row) in out.chunks_exact_mut(seeds.len()).enumerate() {
    for (i, x) in row.iter_mut().enumerate() {
      *x = score(keys[k], seeds[i], weights[i], uniform);
    }
  }
  Ok(())
}
