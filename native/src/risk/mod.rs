//! Risk aggregation: noisy-OR over weighted signals, per entity (CSR), and
//! exponential temporal decay.
//!
//! The arithmetic follows the JS reference operation by operation (a
//! division by `max_severity`, not a reciprocal multiply; no FMA), so all
//! tiers agree to the last bit on the happy path.

use rayon::ThreadPool;

use crate::abi::{DECAY_NEGATIVE_AGE, DECAY_NONFINITE};
use crate::args;
use crate::error::ArgResult;
use crate::par::{self, Cost};
use crate::simd::dispatch;

mod bindings;

/// Entities per parallel chunk of the batch: 16k entities × ~8 signals is
/// ~2 MiB of input, big enough to amortise scheduling, small enough for
/// ~60 chunks per million entities.
const ENTITY_CHUNK: usize = 1 << 14;
/// Elements per parallel chunk of the decay.
const DECAY_CHUNK: usize = 1 << 14;

/// A signal's weight x = clamp(c, 0, 1)·clamp(s / max, 0, 1), or NaN when
/// s or c is non-finite (checked explicitly: clamp would turn ±inf into a
/// finite weight). A NaN weight makes the entity's noisy-OR NaN.
#[inline(always)]
fn weight(s: f64, c: f64, max_severity: f64) -> f64 {
  let x = c.clamp(0.0, 1.0) * (s / max_severity).clamp(0.0, 1.0);
  if s.is_finite() && c.is_finite() {
    x
  } else {
    f64::NAN
  }
}

/// One noisy-OR step, exactly r + x·(1 − r). NaN is absorbing.
#[inline(always)]
fn step(r: f64, x: f64) -> f64 {
  r + x * (1.0 - r)
}

/// Noisy-OR of one entity's signals. Returns (r, number of signals with a
/// non-finite severity or confidence); r is NaN when that is > 0.
fn noisy_or(sev: &[f64], conf: &[f64], max_severity: f64) -> (f64, u32) {
  let (mut r, mut bad) = (0.0f64, 0u32);
  for (&s, &c) in sev.iter().zip(conf) {
    bad += !(s.is_finite() && c.is_finite()) as u32;
    r = step(r, weight(s, c, max_severity));
  }
  (if bad > 0 { f64::NAN } else { r }, bad)
}

/// Phase 1 of the batch: `x[i] = weight(s[i], c[i])` for a contiguous run of
/// signals (branch-free, vectorised per SIMD level). Returns how many
/// signals were non-finite.
#[inline(always)]
fn weights_body(sev: &[f64], conf: &[f64], max_severity: f64, x: &mut [f64]) -> u32 {
  let mut bad = 0u32;
  for ((o, &s), &c) in x.iter_mut().zip(sev).zip(conf) {
    bad += !(s.is_finite() && c.is_finite()) as u32;
    *o = weight(s, c, max_severity);
  }
  bad
}

dispatch!(fn weights(sev: &[f64], conf: &[f64], max_severity: f64, x: &mut [f64]) -> u32 => weights_body);

/// Signals whose weights are computed per block: 64 KiB of weights, so
/// phase 2 reads them from L1/L2.
const BLOCK: usize = 1 << 13;

/// Entities interleaved in phase 2: each entity is a serial chain of
/// sub → mul → add per signal (~12 cycles), so one entity at a time is
/// latency-bound; 32 chains in lockstep (four 8-lane vectors with AVX-512,
/// weights gathered) keep the FP units busy. Measured: 8 → 32 lanes took
/// the 1e6 × 8 batch from ~20 to ~17.5 ms on one core.
const GROUP: usize = 32;

/// Phase 2: noisy-OR per entity over precomputed weights; `offs` has
/// `out.len() + 1` offsets relative to `x`. Every entity's chain is exactly
/// `noisy_or`'s, in the same order: groups only interleave independent
/// chains.
#[inline(always)]
fn fold_entities_body(x: &[f64], offs: &[u32], base: usize, out: &mut [f64]) {
  let groups = out.len() / GROUP;
  for (g, piece) in out[..groups * GROUP].chunks_exact_mut(GROUP).enumerate() {
    let o = &offs[g * GROUP..g * GROUP + GROUP + 1];
    let lo: [usize; GROUP] = std::array::from_fn(|l| o[l] as usize - base);
    let hi: [usize; GROUP] = std::array::from_fn(|l| o[l + 1] as usize - base);
    let common = (0..GROUP).map(|l| hi[l] - lo[l]).min().unwrap_or(0);
    // Offsets are validated non-decreasing and relative to `x`, so every
    // lo ≤ hi ≤ x.len(); checked once here rather than per load, and in
    // full, so the unchecked loads below are sound whatever the caller
    // passed (a wrapped lo fails lo ≤ hi).
    assert!((0..GROUP).all(|l| lo[l] <= hi[l] && hi[l] <= x.len()));
    let mut r = [0.0f64; GROUP];
    for j in 0..common {
      let v: [f64; GROUP] = std::array::from_fn(|l| {
        // SAFETY: lo[l] + j < lo[l] + common ≤ hi[l] ≤ x.len() (asserted;
        // common ≤ hi[l] − lo[l] cannot wrap since lo[l] ≤ hi[l]).
        unsafe { *x.get_unchecked(lo[l] + j) }
      });
      for l in 0..GROUP {
        r[l] = step(r[l], v[l]);
      }
    }
    for l in 0..GROUP {
      for &xi in &x[lo[l] + common..hi[l]] {
        r[l] = step(r[l], xi);
      }
    }
    piece.copy_from_slice(&r);
  }
  let first = groups * GROUP;
  for (e, o) in out[first..].iter_mut().enumerate() {
    let (lo, hi) = (offs[first + e] as usize - base, offs[first + e + 1] as usize - base);
    *o = x[lo..hi].iter().fold(0.0, |r, &xi| step(r, xi));
  }
}

dispatch!(fn fold_entities(x: &[f64], offs: &[u32], base: usize, out: &mut [f64]) -> () => fold_entities_body);

/// Noisy-OR for a run of entities (`offs`: `out.len() + 1` validated
/// offsets), in blocks of whole entities whose signals fit in BLOCK. An
/// entity larger than a block is streamed through the buffer on its own.
/// Returns the number of non-finite signals.
fn noisy_or_run(sev: &[f64], conf: &[f64], offs: &[u32], max_severity: f64, out: &mut [f64]) -> u32 {
  let mut buf = vec![0.0f64; BLOCK];
  let mut bad = 0u32;
  let entities = out.len();
  let mut e = 0;
  while e < entities {
    let start = offs[e] as usize;
    let mut end = e + 1;
    while end < entities && offs[end + 1] as usize - start <= BLOCK {
      end += 1;
    }
    let stop = offs[end] as usize;
    if stop - start <= BLOCK {
      let x = &mut buf[..stop - start];
      bad = bad.saturating_add(weights(&sev[start..stop], &conf[start..stop], max_severity, x));
      fold_entities(x, &offs[e..=end], start, &mut out[e..end]);
    } else {
      // One entity with more than BLOCK signals.
      let mut r = 0.0f64;
      for (s, c) in sev[start..stop].chunks(BLOCK).zip(conf[start..stop].chunks(BLOCK)) {
        let x = &mut buf[..s.len()];
        bad = bad.saturating_add(weights(s, c, max_severity, x));
        r = x.iter().fold(r, |r, &xi| step(r, xi));
      }
      out[e] = r;
    }
    e = end;
  }
  bad
}

pub fn risk_score(severities: &[f64], confidences: &[f64], max_severity: f64) -> ArgResult<f64> {
  args::same_len(("severities", severities.len()), ("confidences", confidences.len()))?;
  Ok(noisy_or(severities, confidences, max_severity).0)
}

/// out[e] = noisy-OR of signals offsets[e]..offsets[e + 1]. Returns the
/// number of signals with a non-finite severity or confidence (their
/// entities get NaN). Offsets are validated before anything is written.
pub fn risk_score_batch(
  pool: Option<&ThreadPool>,
  severities: &[f64],
  confidences: &[f64],
  offsets: &[u32],
  max_severity: f64,
  out: &mut [f64],
) -> ArgResult<u32> {
  args::same_len(("severities", severities.len()), ("confidences", confidences.len()))?;
  let entities = args::ranges(offsets, severities.len(), "severities")?;
  args::exact_len("out", out.len(), entities, "offsets length - 1")?;
  if entities == 0 {
    return Ok(0);
  }
  let signals = (offsets[entities] - offsets[0]) as usize;
  let pool = par::pool_for(pool, signals.max(entities), Cost::Heavy);
  let bad = par::map_chunks_mut(pool, out, ENTITY_CHUNK, |e0, piece| {
    noisy_or_run(severities, confidences, &offsets[e0..e0 + piece.len() + 1], max_severity, piece)
  });
  Ok(bad.into_iter().fold(0u32, u32::saturating_add))
}

/// out[i] = scores[i] · 2^(−ages[i] / half_life). Returns flags:
/// `DECAY_NONFINITE` if any score or age is non-finite, `DECAY_NEGATIVE_AGE`
/// if any age is < 0.
pub fn temporal_decay(
  pool: Option<&ThreadPool>,
  scores: &[f64],
  ages: &[f64],
  half_life: f64,
  out: &mut [f64],
) -> ArgResult<u32> {
  args::same_len(("scores", scores.len()), ("ages", ages.len()))?;
  args::exact_len("out", out.len(), scores.len(), "scores length")?;
  let pool = par::pool_for(pool, scores.len(), Cost::Heavy);
  let flags = par::map_chunks_mut(pool, out, DECAY_CHUNK, |start, piece| {
    let (s, a) = (&scores[start..start + piece.len()], &ages[start..start + piece.len()]);
    let (mut non_finite, mut negative) = (false, false);
    for ((o, &s), &a) in piece.iter_mut().zip(s).zip(a) {
      non_finite |= !(s.is_finite() && a.is_finite());
      negative |= a < 0.0;
      *o = s * (-(a / half_life)).exp2();
    }
    (non_finite as u32 * DECAY_NONFINITE) | (negative as u32 * DECAY_NEGATIVE_AGE)
  });
  Ok(flags.into_iter().fold(0, |a, b| a | b))
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_rng::Rng;
  use rayon::ThreadPoolBuilder;

  fn pools() -> Vec<Option<ThreadPool>> {
    vec![None, Some(ThreadPoolBuilder::new().num_threads(3).build().unwrap())]
  }

  /// Naive reference: noisy-OR as 1 − Π(1 − x_i), in f64.
  fn ref_risk(s: &[f64], c: &[f64], max: f64) -> f64 {
    let mut keep = 1.0;
    for (&s, &c) in s.iter().zip(c) {
      let x = c.clamp(0.0, 1.0) * (s / max).clamp(0.0, 1.0);
      keep *= 1.0 - x;
    }
    1.0 - keep
  }

  #[test]
  fn single_matches_reference() {
    assert_eq!(risk_score(&[], &[], 10.0).unwrap(), 0.0);
    // x = 0.5·0.5 = 0.25, then 0.25 + 1·0.75 = 1 (clamped inputs).
    assert_eq!(risk_score(&[5.0, 20.0], &[0.5, 3.0], 10.0).unwrap(), 1.0);
    assert_eq!(risk_score(&[-5.0, 5.0], &[1.0, -1.0], 10.0).unwrap(), 0.0);
    let mut rng = Rng::new(1);
    for n in [1usize, 2, 8, 33] {
      let s: Vec<f64> = (0..n).map(|_| (rng.signed_unit() + 1.0) * 6.0).collect();
      let c: Vec<f64> = (0..n).map(|_| rng.signed_unit() + 0.5).collect();
      let got = risk_score(&s, &c, 10.0).unwrap();
      let want = ref_risk(&s, &c, 10.0);
      assert!((got - want).abs() <= 1e-14, "{got} vs {want}");
    }
    assert!(risk_score(&[1.0, f64::INFINITY], &[1.0, 1.0], 10.0).unwrap().is_nan());
    assert!(risk_score(&[1.0], &[f64::NAN], 10.0).unwrap().is_nan());
    assert_eq!(risk_score(&[1.0], &[1.0, 2.0], 10.0).unwrap_err().arg, "confidences");
  }

  #[test]
  fn batch_matches_single() {
    let mut rng = Rng::new(2);
    for &entities in &[0usize, 1, 5, 3 * ENTITY_CHUNK + 7] {
      let mut offsets = vec![0u32];
      for e in 0..entities {
        let len = (e * 7 + 3) % 12; // includes empty entities
        offsets.push(offsets.last().unwrap() + len as u32);
      }
      let n = *offsets.last().unwrap() as usize;
      let s: Vec<f64> = (0..n).map(|_| (rng.signed_unit() + 1.0) * 6.0).collect();
      let mut c: Vec<f64> = (0..n).map(|_| rng.signed_unit() + 0.5).collect();
      let mut bad_entities = vec![];
      if n > 100 {
        c[50] = f64::NAN;
        c[n - 1] = f64::NEG_INFINITY;
        bad_entities = vec![offsets.partition_point(|&o| o as usize <= 50) - 1, entities - 1];
      }
      for pool in pools() {
        let mut out = vec![-1.0; entities];
        let bad = risk_score_batch(pool.as_ref(), &s, &c, &offsets, 10.0, &mut out).unwrap();
        assert_eq!(bad as usize, if n > 100 { 2 } else { 0 });
        for e in 0..entities {
          let (lo, hi) = (offsets[e] as usize, offsets[e + 1] as usize);
          let want = risk_score(&s[lo..hi], &c[lo..hi], 10.0).unwrap();
          if bad_entities.contains(&e) {
            assert!(out[e].is_nan());
          } else {
            assert_eq!(out[e], want, "entity {e}");
            assert!((out[e] - ref_risk(&s[lo..hi], &c[lo..hi], 10.0)).abs() <= 1e-14);
          }
        }
      }
    }
  }

  #[test]
  fn batch_streams_entities_larger_than_a_block() {
    let mut rng = Rng::new(6);
    // Small, giant (3.5 blocks), empty, giant with a NaN, small.
    let lens = [5usize, 7 * BLOCK / 2, 0, 2 * BLOCK + 1, 3];
    let mut offsets = vec![0u32];
    for l in lens {
      offsets.push(offsets.last().unwrap() + l as u32);
    }
    let n = *offsets.last().unwrap() as usize;
    let s: Vec<f64> = (0..n).map(|_| (rng.signed_unit() + 1.0) * 6.0).collect();
    // Tiny weights so the giant entities do not saturate at 1.
    let mut c: Vec<f64> = (0..n).map(|_| (rng.signed_unit() + 1.0) * 1e-5).collect();
    c[offsets[3] as usize + BLOCK + 3] = f64::NAN;
    for pool in pools() {
      let mut out = vec![0.0; lens.len()];
      assert_eq!(risk_score_batch(pool.as_ref(), &s, &c, &offsets, 10.0, &mut out).unwrap(), 1);
      for e in 0..lens.len() {
        let (lo, hi) = (offsets[e] as usize, offsets[e + 1] as usize);
        let want = risk_score(&s[lo..hi], &c[lo..hi], 10.0).unwrap();
        assert_eq!(out[e].to_bits(), want.to_bits(), "entity {e}");
      }
      assert!(out[3].is_nan() && out[1] > 0.01 && out[1] < 1.0);
    }
  }

  #[test]
  #[should_panic]
  fn fold_refuses_inverted_ranges_instead_of_reading_out_of_bounds() {
    // Offsets that were never validated (a wrapped lo above hi): the group
    // path's unchecked loads must not run.
    let mut offs: Vec<u32> = (0..=GROUP as u32).collect();
    offs[3] = 100;
    let x = vec![0.5; GROUP];
    fold_entities(&x, &offs, 0, &mut [0.0; GROUP]);
  }

  #[test]
  fn batch_validates_offsets() {
    let mut out = vec![0.0; 2];
    let d = [1.0; 4];
    let e = risk_score_batch(None, &d, &d, &[0, 3, 2], 1.0, &mut out).unwrap_err();
    assert_eq!(e.to_string(), "offsets: must be non-decreasing: offsets[1] = 3 > offsets[2] = 2");
    let e = risk_score_batch(None, &d, &d, &[0, 3, 5], 1.0, &mut out).unwrap_err();
    assert_eq!(e.to_string(), "offsets: last offset 5 exceeds severities length 4");
    assert_eq!(risk_score_batch(None, &d, &d, &[], 1.0, &mut []).unwrap_err().arg, "offsets");
    assert_eq!(risk_score_batch(None, &d, &d, &[0, 1], 1.0, &mut out).unwrap_err().arg, "out");
    assert_eq!(risk_score_batch(None, &d, &d[..3], &[0, 1], 1.0, &mut out).unwrap_err().arg, "confidences");
    // A leading offset > 0 is fine: signals before it belong to no entity.
    risk_score_batch(None, &d, &d, &[1, 2, 4], 1.0, &mut out).unwrap();
  }

  #[test]
  fn decay_matches_reference_and_flags() {
    let mut rng = Rng::new(4);
    for &n in &[0usize, 1, 9, 3 * DECAY_CHUNK + 5] {
      let s = rng.vec_f64(n);
      let a: Vec<f64> = (0..n).map(|_| (rng.signed_unit() + 1.0) * 50.0).collect();
      for pool in pools() {
        let mut out = vec![f64::NAN; n];
        assert_eq!(temporal_decay(pool.as_ref(), &s, &a, 7.0, &mut out).unwrap(), 0);
        for i in 0..n {
          let want = s[i] * 0.5f64.powf(a[i] / 7.0);
          assert!((out[i] - want).abs() <= 1e-14 * want.abs(), "{i}");
        }
      }
    }
    let mut out = [0.0; 3];
    assert_eq!(temporal_decay(None, &[1.0, 2.0, 3.0], &[0.0, 7.0, 14.0], 7.0, &mut out).unwrap(), 0);
    assert_eq!(out, [1.0, 1.0, 0.75]);
    assert_eq!(temporal_decay(None, &[1.0, 2.0, 3.0], &[0.0, -1.0, 14.0], 7.0, &mut out).unwrap(), 2);
    assert_eq!(temporal_decay(None, &[f64::NAN, 2.0, 3.0], &[0.0, -1.0, 14.0], 7.0, &mut out).unwrap(), 3);
    assert_eq!(temporal_decay(None, &[1.0, 2.0, 3.0], &[0.0, f64::INFINITY, 1.0], 7.0, &mut out).unwrap(), 1);
    assert_eq!(temporal_decay(None, &[1.0, 2.0, 3.0], &[0.0, 1.0], 7.0, &mut out).unwrap_err().arg, "ages");
    assert_eq!(temporal_decay(None, &[1.0, 2.0], &[0.0, 1.0], 7.0, &mut out).unwrap_err().arg, "out");
  }
}
