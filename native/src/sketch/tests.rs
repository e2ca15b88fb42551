//! fdlibm log against V8's Math.log, keys against the JS tier's sketchKey,
//! and the stores against a naive model of the contract (each key counts in
//! bin max(k, H - M + 1) for P, min(k, L + M - 1) for N, over the multiset
//! of keys given), in random orders, batchings and merges.

use std::collections::BTreeMap;

use super::core::{fdlibm_log, key, Bins, Config, Sketch};
use crate::abi::{SKETCH_CUBIC, SKETCH_EXP, SKETCH_LOG};
use crate::test_rng::Rng;

/// (x bits, Math.log(x) bits) from node 20 (V8).
const V8_LOG: [(u64, u64); 20] = [
  (0x4000000000000000, 0x3fe62e42fefa39ef), // log(2) = 0.6931471805599453
  (0x4024000000000000, 0x40026bb1bbb55516), // log(10) = 2.302585092994046
  (0x01a56e1fc2f8f359, 0xc085963447f87fb5), // log(1e-300) = -690.7755278982137
  (0x3ff000001ad7f29b, 0x3e7ad7f2847b6492), // log(1.0000001) = 9.999999505838704e-8
  (0x3fe0000000000000, 0xbfe62e42fefa39ef), // log(0.5)
  (0x4008000000000000, 0x3ff193ea7aad030a), // log(3)
  (0x4005bf0a8b145769, 0x3ff0000000000000), // log(Math.E) = 1
  (0x7e37e43c8800759c, 0x4085963447f87fb5), // log(1e300)
  (0x7fefffffffffffff, 0x40862e42fefa39ef), // log(Number.MAX_VALUE)
  (0x0010000000000000, 0xc086232bdd7abcd2), // log(2^-1022)
  (0x0000000000000001, 0xc0874385446d71c3), // log(5e-324)
  (0x000012688b70e62b, 0xc0864e69394d9508), // log(1e-310)
  (0x3fefffffca501acb, 0xbe7ad7f2b1049b9f), // log(0.9999999)
  (0x3ff8000000000000, 0x3fd9f323ecbf984c), // log(1.5)
  (0x40934a456d5cfaad, 0x401c7951d51791d7), // log(1234.5678)
  (0x3fb999999999999a, 0xc0026bb1bbb55515), // log(0.1)
  (0x3ff0000000000001, 0x3cafffffffffffff), // log(1 + 2^-52)
  (0x3fefffffffffffff, 0xbca0000000000000), // log(1 - 2^-53)
  (0x3f13a92a30553261, 0xc022fefccc3efbf2), // log(7.5e-5)
  (0x4045000000000000, 0x400de6bf542e3d2d), // log(42)
];

#[test]
fn fdlibm_log_matches_v8() {
  for (x, y) in V8_LOG {
    let got = fdlibm_log(f64::from_bits(x));
    assert_eq!(got.to_bits(), y, "log({:e}) = {got:e}, V8 gives {:e}", f64::from_bits(x), f64::from_bits(y));
  }
  // V8: Math.log(2) = 0.6931471805599453, Math.log(10) = 2.302585092994046
  // (the correctly rounded constants).
  assert_eq!(fdlibm_log(2.0), std::f64::consts::LN_2);
  assert_eq!(fdlibm_log(10.0), std::f64::consts::LN_10);
  assert_eq!(fdlibm_log(1.0), 0.0);
  assert_eq!(fdlibm_log(0.0), f64::NEG_INFINITY);
  assert_eq!(fdlibm_log(-0.0), f64::NEG_INFINITY);
  assert!(fdlibm_log(-1.0).is_nan());
  assert!(fdlibm_log(f64::NAN).is_nan());
  assert_eq!(fdlibm_log(f64::INFINITY), f64::INFINITY);
  assert!(fdlibm_log(f64::NEG_INFINITY).is_nan());
}

/// The same checksum node computes over Math.log of 200000 random positive
/// doubles (xorshift64* from the raw state below, bits & 2^63 - 1, finite
/// ones only; acc = acc * 31 + bits(log x) mod 2^64).
#[test]
fn fdlibm_log_checksum_matches_v8() {
  let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
  let mut acc: u64 = 0;
  for _ in 0..200_000 {
    let x = f64::from_bits(rng.next() & !(1u64 << 63));
    if !x.is_finite() {
      continue;
    }
    acc = acc.wrapping_mul(31).wrapping_add(fdlibm_log(x).to_bits());
  }
  assert_eq!(acc, 0x724656f5591e11af);
}

const ALPHA: f64 = 0.01;

fn gamma_ln() -> f64 {
  (2.0 * ALPHA / (1.0 - ALPHA)).ln_1p()
}

/// The configs of the JS cross-check (multipliers as JS computes them:
/// Math.log1p is not fdlibm-exact in Rust's libm, so they are pinned).
fn cubic(max_bins: u32) -> Config {
  let m = f64::from_bits(34.99883330222059f64.to_bits());
  assert!((m - 1.0 / gamma_ln() / (10.0 / 7.0)).abs() < 1e-9);
  Config::new(SKETCH_CUBIC, m, 0, 0, max_bins).unwrap()
}

fn log(max_bins: u32) -> Config {
  Config::new(SKETCH_LOG, 49.998333288886556, 3, 0, max_bins).unwrap()
}

fn exp(max_bins: u32) -> Config {
  Config::new(SKETCH_EXP, std::f64::consts::LOG2_E * 64.0, 0, 6, max_bins).unwrap()
}

#[test]
fn keys_match_js_sketch_key() {
  let xs = [
    f64::MIN_POSITIVE * (1.0 + f64::EPSILON),
    1e-300,
    0.001,
    0.5,
    1.0,
    1.0000001,
    1.5,
    2.0,
    3.0,
    10.0,
    1234.5678,
    1e300,
    f64::MAX,
    std::f64::consts::SQRT_2,
    7.5e-5,
  ];
  // From dist/tiers/js/sketch.js's sketchKey under node.
  let want: [(Config, [i32; 15]); 3] = [
    (cubic(2048), [-35768, -34879, -348, -34, 0, 1, 21, 35, 56, 117, 360, 34880, 35839, 18, -479]),
    (log(2048), [-35415, -34534, -342, -31, 3, 4, 24, 38, 58, 119, 359, 34541, 35491, 21, -471]),
    (exp(2048), [-65407, -63781, -637, -64, 0, 1, 38, 64, 102, 213, 658, 63782, 65536, 33, -876]),
  ];
  for (cfg, keys) in want {
    let got: Vec<i32> = xs.iter().map(|&x| key(&cfg, x)).collect();
    assert_eq!(got, keys, "{:?}", cfg.mapping);
  }
}

#[test]
fn config_validation_names_the_argument() {
  let e = |r: Result<Config, crate::error::ArgError>| r.unwrap_err().arg;
  assert_eq!(e(Config::new(3, 1.0, 0, 0, 10)), "mapping");
  assert_eq!(e(Config::new(SKETCH_LOG, f64::NAN, 0, 0, 10)), "multiplier");
  assert_eq!(e(Config::new(SKETCH_LOG, 0.0, 0, 0, 10)), "multiplier");
  assert_eq!(e(Config::new(SKETCH_LOG, -1.0, 0, 0, 10)), "multiplier");
  assert_eq!(e(Config::new(SKETCH_LOG, 1.0, 0, 1, 10)), "scale");
  assert_eq!(e(Config::new(SKETCH_EXP, 1.0, 0, 0, 10)), "scale");
  assert_eq!(e(Config::new(SKETCH_EXP, 1.0, 0, 21, 10)), "scale");
  assert_eq!(e(Config::new(SKETCH_LOG, 1.0, 0, 0, 0)), "maxBins");
  assert_eq!(e(Config::new(SKETCH_LOG, 1.0, 0, 0, (1 << 20) + 1)), "maxBins");
  // Keys beyond 32 bits: |log| <= ~745, so a multiplier of 3.1e6 overflows.
  assert_eq!(e(Config::new(SKETCH_LOG, 3.1e6, 0, 0, 10)), "multiplier");
  assert_eq!(e(Config::new(SKETCH_LOG, 1.0, i32::MAX, 0, 10)), "multiplier");
  assert_eq!(e(Config::new(SKETCH_EXP, std::f64::consts::LOG2_E * 1048576.0, 1 << 30, 20, 10)), "multiplier");
  assert!(Config::new(SKETCH_EXP, std::f64::consts::LOG2_E * 1048576.0, 0, 20, 1 << 20).is_ok());
  assert!(Config::new(SKETCH_LOG, 2.5e6, 0, 0, 1).is_ok());
}

// ---------------------------------------------------------------------------
// The naive model.

#[derive(Default, Clone)]
struct Model {
  pos: Vec<(i64, f64)>,
  neg: Vec<(i64, f64)>,
  zero: f64,
}

impl Model {
  fn add_value(&mut self, cfg: &Config, v: f64, c: f64) {
    if v > f64::MIN_POSITIVE {
      self.pos.push((key(cfg, v) as i64, c));
    } else if v < -f64::MIN_POSITIVE {
      self.neg.push((key(cfg, -v) as i64, c));
    } else {
      self.zero += c;
    }
  }

  /// Trimmed (offset, bins) of one store.
  fn store(keys: &[(i64, f64)], m: i64, low: bool) -> (i32, Vec<f64>) {
    if keys.is_empty() {
      return (0, Vec::new());
    }
    let mut bins = BTreeMap::new();
    let h = keys.iter().map(|k| k.0).max().unwrap();
    let l = keys.iter().map(|k| k.0).min().unwrap();
    for &(k, c) in keys {
      let b = if low { k.max(h - m + 1) } else { k.min(l + m - 1) };
      *bins.entry(b).or_insert(0.0) += c;
    }
    let (&lo, _) = bins.iter().next().unwrap();
    let (&hi, _) = bins.iter().next_back().unwrap();
    let mut out = vec![0.0; (hi - lo + 1) as usize];
    for (k, c) in bins {
      out[(k - lo) as usize] += c;
    }
    (lo as i32, out)
  }

  fn bins(&self, m: u32) -> Bins {
    let (pos_offset, pos) = Model::store(&self.pos, m as i64, true);
    let (neg_offset, neg) = Model::store(&self.neg, m as i64, false);
    Bins { zero_count: self.zero, neg_offset, neg, pos_offset, pos }
  }
}

fn assert_clean(s: &Sketch, ctx: &str) {
  let c = s.check();
  assert!(c.is_empty(), "{ctx}: {c}");
}

/// A value of wide magnitude and either sign, sometimes zero or subnormal.
fn wide(rng: &mut Rng) -> f64 {
  match rng.below(20) {
    0 => 0.0,
    1 => -0.0,
    2 => f64::from_bits(rng.below(1 << 52)) * if rng.chance(50) { 1.0 } else { -1.0 },
    3 => f64::MIN_POSITIVE * if rng.chance(50) { 1.0 } else { -1.0 },
    _ => {
      let mag = 10f64.powf(rng.signed_unit() * 300.0);
      if rng.chance(50) {
        mag
      } else {
        -mag
      }
    }
  }
}

/// A value of narrow magnitude (keys concentrated: windows do not grow much).
fn narrow(rng: &mut Rng) -> f64 {
  let v = 1.0 + rng.unit() * 1000.0;
  if rng.chance(30) {
    -v
  } else {
    v
  }
}

fn configs(max_bins: u32) -> [Config; 3] {
  [cubic(max_bins), log(max_bins), exp(max_bins)]
}

#[test]
fn add_matches_the_model() {
  let mut rng = Rng::new(1);
  for max_bins in [1, 2, 7, 64, 300, 2048, 1 << 20] {
    for cfg in configs(max_bins) {
      for gen in [wide as fn(&mut Rng) -> f64, narrow] {
        let mut s = Sketch::new(cfg);
        let mut m = Model::default();
        let mut sum = 0.0;
        let mut all = Vec::new();
        for round in 0..12 {
          let n = rng.below(3000) as usize;
          let vals: Vec<f64> = (0..n).map(|_| gen(&mut rng)).collect();
          assert_eq!(s.add(&vals), -1);
          for &v in &vals {
            m.add_value(&cfg, v, 1.0);
            sum += v;
          }
          all.extend_from_slice(&vals);
          let ctx = format!("maxBins {max_bins} {:?} round {round}", cfg.mapping);
          assert_clean(&s, &ctx);
          assert_eq!(s.bins(), m.bins(max_bins), "{ctx}");
          let [count, ssum, min, max, zero] = s.summary();
          assert_eq!(count, all.len() as f64);
          assert_eq!(ssum.to_bits(), sum.to_bits(), "{ctx}: sum");
          assert_eq!(zero, m.zero);
          let mut mn = f64::INFINITY;
          let mut mx = f64::NEG_INFINITY;
          for &v in &all {
            if v < mn {
              mn = v;
            }
            if v > mx {
              mx = v;
            }
          }
          assert_eq!((min.to_bits(), max.to_bits()), (mn.to_bits(), mx.to_bits()), "{ctx}: min/max");
        }
        // Order does not matter: the same values shuffled, one at a time
        // and in other batches, give the same bins.
        let mut shuffled = all.clone();
        for i in (1..shuffled.len()).rev() {
          shuffled.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let mut t = Sketch::new(cfg);
        let mut rest = &shuffled[..];
        while !rest.is_empty() {
          let k = (rng.below(2500) as usize + 1).min(rest.len());
          if k == 1 {
            t.add_weighted(rest[0], 1.0);
          } else {
            assert_eq!(t.add(&rest[..k]), -1);
          }
          rest = &rest[k..];
        }
        assert_clean(&t, "shuffled");
        assert_eq!(t.bins(), s.bins(), "shuffled, maxBins {max_bins}");
      }
    }
  }
}

/// Random keys anywhere in i32 (through addBins, one bin at a time and in
/// runs) against the model: windows at the domain's edges, far jumps.
#[test]
fn stores_are_order_independent_over_random_keys() {
  let mut rng = Rng::new(7);
  for max_bins in [1u32, 3, 16, 100, 5000] {
    for trial in 0..40 {
      let cfg = log(max_bins);
      let mut s = Sketch::new(cfg);
      let mut m = Model::default();
      let spread: i64 = match trial % 4 {
        0 => 50,
        1 => 3000,
        2 => 1 << 20,
        _ => 1 << 32,
      };
      let center: i64 = match trial % 3 {
        0 => 0,
        1 => i32::MAX as i64 - spread / 3,
        _ => i32::MIN as i64 + spread / 3,
      };
      let key = |rng: &mut Rng| {
        let k = center + rng.below(spread as u64) as i64 - spread / 2;
        k.clamp(i32::MIN as i64, i32::MAX as i64)
      };
      for _ in 0..200 {
        let neg = rng.chance(50);
        let long = rng.chance(30);
        let run = 1 + rng.below(if long { 40 } else { 1 }) as usize;
        let off = key(&mut rng).min(i32::MAX as i64 - run as i64 + 1);
        let bins: Vec<f64> = (0..run).map(|_| if rng.chance(30) { 0.0 } else { (1 + rng.below(5)) as f64 }).collect();
        for (i, &c) in bins.iter().enumerate() {
          if c != 0.0 {
            let store = if neg { &mut m.neg } else { &mut m.pos };
            store.push((off + i as i64, c));
          }
        }
        let total: f64 = bins.iter().sum();
        let r = if neg {
          s.add_bins(0.0, off as f64, &bins, 0.0, &[], total, 0.0, f64::INFINITY, f64::NEG_INFINITY)
        } else {
          s.add_bins(0.0, 0.0, &[], off as f64, &bins, total, 0.0, f64::INFINITY, f64::NEG_INFINITY)
        };
        r.unwrap();
        assert_clean(&s, &format!("maxBins {max_bins} trial {trial}"));
      }
      assert_eq!(s.bins(), m.bins(max_bins), "maxBins {max_bins} trial {trial}");
      // Re-adding the export in reverse store order into a fresh sketch,
      // and merging, agree too.
      let b = s.bins();
      let mut t = Sketch::new(cfg);
      let [count, sum, min, max, zero] = s.summary();
      t.add_bins(zero, b.neg_offset as f64, &b.neg, b.pos_offset as f64, &b.pos, count, sum, min, max).unwrap();
      assert_eq!(t.bins(), b);
      let mut u = Sketch::new(cfg);
      u.merge(&s).unwrap();
      assert_eq!(u.bins(), b);
      assert_eq!(u.summary().map(f64::to_bits), s.summary().map(f64::to_bits));
    }
  }
}

#[test]
fn add_is_all_or_nothing() {
  let cfg = cubic(64);
  let mut s = Sketch::new(cfg);
  assert_eq!(s.add(&[1.0, -2.0, 0.0, 3e10]), -1);
  let before = (s.bins(), s.summary().map(f64::to_bits));
  for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
    for at in [0usize, 5, 1023, 1024, 1500, 2999] {
      let mut vals: Vec<f64> = (0..3000).map(|i| (i as f64 - 1000.0) * 1.5).collect();
      vals[at] = bad;
      vals[2999.min(at + 7)] = f64::NAN;
      assert_eq!(s.add(&vals), at as i64);
      assert_eq!((s.bins(), s.summary().map(f64::to_bits)), before);
    }
  }
  assert_eq!(s.add(&[]), -1);
  assert_eq!((s.bins(), s.summary().map(f64::to_bits)), before);
}

#[test]
fn merge_equals_one_add() {
  let mut rng = Rng::new(3);
  for max_bins in [5, 64, 4096] {
    for cfg in configs(max_bins) {
      let vals: Vec<f64> = (0..20000).map(|_| wide(&mut rng)).collect();
      let mut whole = Sketch::new(cfg);
      whole.add(&vals);
      let mut parts: Vec<Sketch> = Vec::new();
      let mut rest = &vals[..];
      while !rest.is_empty() {
        let k = (rng.below(4000) as usize + 1).min(rest.len());
        let mut p = Sketch::new(cfg);
        p.add(&rest[..k]);
        parts.push(p);
        rest = &rest[k..];
      }
      let mut merged = Sketch::new(cfg);
      for p in &parts {
        merged.merge(p).unwrap();
        assert_clean(&merged, "merge");
      }
      assert_eq!(merged.bins(), whole.bins(), "maxBins {max_bins} {:?}", cfg.mapping);
      let (a, b) = (merged.summary(), whole.summary());
      // Sums differ in rounding (merged sums parts); the rest is exact.
      assert_eq!([a[0], a[2], a[3], a[4]].map(f64::to_bits), [b[0], b[2], b[3], b[4]].map(f64::to_bits));

      // Self-merge doubles every count.
      let mut d = whole.clone();
      d.merge_self();
      let b = whole.bins();
      let db = d.bins();
      assert_eq!(db.pos, b.pos.iter().map(|c| c * 2.0).collect::<Vec<_>>());
      assert_eq!(db.neg, b.neg.iter().map(|c| c * 2.0).collect::<Vec<_>>());
      assert_eq!((db.pos_offset, db.neg_offset, db.zero_count), (b.pos_offset, b.neg_offset, b.zero_count * 2.0));
      assert_eq!(d.summary()[0], whole.summary()[0] * 2.0);
    }
  }
  let mut a = Sketch::new(cubic(10));
  assert_eq!(a.merge(&Sketch::new(log(10))).unwrap_err().arg, "other");
}

/// The cached non-zero ranges (check() compares them with a scan) through
/// one-sign batches, whose ranges add computes from min and max, collapsing
/// floors, merges, addBins, addWeighted and clear, against the model.
#[test]
fn nonzero_ranges_track_every_change() {
  let mut rng = Rng::new(11);
  let pos_wide = |r: &mut Rng| 10f64.powf(r.signed_unit() * 300.0);
  let pos_narrow = |r: &mut Rng| 1.0 + r.unit() * 1000.0;
  let climbing = |r: &mut Rng| 10f64.powf(r.unit() * 30.0);
  let gens: [&dyn Fn(&mut Rng) -> f64; 3] = [&pos_wide, &pos_narrow, &climbing];
  for max_bins in [1, 2, 7, 64, 300, 2048] {
    for cfg in configs(max_bins) {
      for (g, gen) in gens.iter().enumerate() {
        let mut s = Sketch::new(cfg);
        let mut m = Model::default();
        for round in 0..40 {
          let ctx = format!("maxBins {max_bins} {:?} gen {g} round {round}", cfg.mapping);
          // Either sign, chosen per batch; now and then a mixed one.
          let sign = if rng.chance(50) { 1.0 } else { -1.0 };
          let n = [0, 1, 2, 9, 100, 1500, 5000][rng.below(7) as usize];
          let mut vals: Vec<f64> = (0..n).map(|_| sign * gen(&mut rng)).collect();
          if rng.chance(10) && n > 0 {
            vals[0] = if rng.chance(50) { 0.0 } else { -vals[0] };
          }
          match rng.below(6) {
            0 if n > 0 => {
              s.add_weighted(vals[0], 3.0);
              m.add_value(&cfg, vals[0], 3.0);
            }
            1 => {
              let mut o = Sketch::new(cfg);
              o.add(&vals);
              if rng.chance(50) {
                s.merge(&o).unwrap();
              } else {
                let b = o.bins();
                let [count, sum, min, max, _] = o.summary();
                s.add_bins(
                  b.zero_count,
                  b.neg_offset as f64,
                  &b.neg,
                  b.pos_offset as f64,
                  &b.pos,
                  count,
                  sum,
                  min,
                  max,
                )
                .unwrap();
              }
              vals.iter().for_each(|&v| m.add_value(&cfg, v, 1.0));
            }
            2 if rng.chance(20) => {
              s.clear();
              m = Model::default();
            }
            3 => {
              s.merge_self();
              m.pos.iter_mut().chain(m.neg.iter_mut()).for_each(|k| k.1 *= 2.0);
              m.zero *= 2.0;
            }
            _ => {
              assert_eq!(s.add(&vals), -1);
              vals.iter().for_each(|&v| m.add_value(&cfg, v, 1.0));
            }
          }
          assert_clean(&s, &ctx);
          assert_eq!(s.bins(), m.bins(max_bins), "{ctx}");
          let (info, b) = (s.bins_info(), s.bins());
          assert_eq!(
            info,
            [b.zero_count, b.neg_offset as f64, b.neg.len() as f64, b.pos_offset as f64, b.pos.len() as f64]
          );
        }
      }
    }
  }
}

#[test]
fn add_bins_validates() {
  let mut s = Sketch::new(log(16));
  let inf = f64::INFINITY;
  let e = |r: Result<(), crate::error::ArgError>| r.unwrap_err().to_string();
  assert_eq!(
    e(s.add_bins(0.0, 0.0, &[], 0.0, &[1.0, -1.0], 0.0, 0.0, inf, -inf)),
    "pos: pos[1] = -1 must be a finite count >= 0"
  );
  assert_eq!(
    e(s.add_bins(0.0, 0.0, &[f64::NAN], 0.0, &[], 0.0, 0.0, inf, -inf)),
    "neg: neg[0] = NaN must be a finite count >= 0"
  );
  assert!(e(s.add_bins(0.0, 0.5, &[1.0], 0.0, &[], 0.0, 0.0, inf, -inf)).starts_with("negOffset: "));
  assert!(e(s.add_bins(0.0, 0.0, &[], 2147483647.0, &[1.0, 1.0], 0.0, 0.0, inf, -inf)).starts_with("posOffset: "));
  assert!(e(s.add_bins(0.0, -2147483649.0, &[1.0], 0.0, &[], 0.0, 0.0, inf, -inf)).starts_with("negOffset: "));
  assert!(e(s.add_bins(-1.0, 0.0, &[], 0.0, &[], 0.0, 0.0, inf, -inf)).starts_with("zeroCount: "));
  assert!(e(s.add_bins(0.0, 0.0, &[], 0.0, &[], f64::NAN, 0.0, inf, -inf)).starts_with("count: "));
  assert_eq!(s.bins(), Sketch::new(log(16)).bins());
  // Edges of the key domain are fine.
  s.add_bins(0.0, -2147483648.0, &[1.0], 2147483646.0, &[2.0, 3.0], 6.0, 0.0, inf, -inf).unwrap();
  let b = s.bins();
  assert_eq!((b.pos_offset, b.pos), (2147483646, vec![2.0, 3.0]));
  assert_eq!((b.neg_offset, b.neg), (i32::MIN, vec![1.0]));
  assert_clean(&s, "edges");
}

#[test]
fn collapsing_at_the_floor_and_clear() {
  // maxBins 3: P keeps the 3 highest keys, lower ones fold into the lowest.
  let cfg = log(3);
  let mut s = Sketch::new(cfg);
  let pos = |off: f64, bins: &[f64], s: &mut Sketch| {
    s.add_bins(0.0, 0.0, &[], off, bins, 0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY).unwrap()
  };
  pos(10.0, &[1.0], &mut s);
  pos(0.0, &[1.0, 1.0, 1.0], &mut s);
  assert_eq!((s.bins().pos_offset, s.bins().pos), (8, vec![3.0, 0.0, 1.0]));
  pos(20.0, &[5.0], &mut s);
  assert_eq!((s.bins().pos_offset, s.bins().pos), (18, vec![4.0, 0.0, 5.0]));
  // N keeps the 3 lowest magnitudes.
  let neg = |off: f64, bins: &[f64], s: &mut Sketch| {
    s.add_bins(0.0, off, bins, 0.0, &[], 0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY).unwrap()
  };
  neg(-5.0, &[1.0], &mut s);
  neg(-4.0, &[1.0, 1.0, 1.0, 1.0], &mut s);
  assert_eq!((s.bins().neg_offset, s.bins().neg), (-5, vec![1.0, 1.0, 3.0]));
  assert_clean(&s, "floor");
  s.clear();
  assert_eq!(s.bins(), Sketch::new(cfg).bins());
  assert_eq!(s.summary(), [0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY, 0.0]);
  assert_eq!(s.add(&[0.0, -0.0, 5e-324, -f64::MIN_POSITIVE]), -1);
  assert_eq!(s.summary()[4], 4.0);
  assert_eq!(s.bins().pos.len() + s.bins().neg.len(), 0);
}

#[test]
fn min_max_keep_the_first_zero() {
  // `if (v < min) min = v`: -0 after +0 does not replace it (and vice versa).
  let mut s = Sketch::new(cubic(16));
  s.add(&[0.0, -0.0]);
  assert_eq!(s.summary()[2].to_bits(), 0.0f64.to_bits());
  assert_eq!(s.summary()[3].to_bits(), 0.0f64.to_bits());
  let mut s = Sketch::new(cubic(16));
  s.add(&[-0.0, 0.0]);
  assert_eq!(s.summary()[2].to_bits(), (-0.0f64).to_bits());
}

/// Adversarial growth: keys climbing one bin at a time past a full window
/// (the floor moves every chunk) stay correct and bounded.
#[test]
fn climbing_keys_shift_the_window() {
  let cfg = cubic(50);
  let mut s = Sketch::new(cfg);
  let mut m = Model::default();
  let mut v = 1.0f64;
  let mut vals = Vec::new();
  for _ in 0..20000 {
    v *= 1.003;
    vals.push(v);
    vals.push(-v);
  }
  for c in vals.chunks(777) {
    s.add(c);
    assert_clean(&s, "climb");
  }
  for &x in &vals {
    m.add_value(&cfg, x, 1.0);
  }
  assert_eq!(s.bins(), m.bins(50));
  assert!(s.memory_bytes() <= (1 + 2 * 50) * 8 + 1024 * 4);
}

/// A fractional count (addBins takes any finite count >= 0) in a bin that
/// then gets runs of equal values: each += 1 in order, as JS does (the
/// AVX2 path adds a run of eight in one step only while that is exact).
#[test]
fn runs_in_a_fractional_bin_add_one_at_a_time() {
  let cfg = cubic(64);
  let k = key(&cfg, 5.0);
  for start in [0.1, 0.5, 3.0, 9007199254740980.0, 9007199254740990.0] {
    let mut s = Sketch::new(cfg);
    s.add_bins(0.0, 0.0, &[], k as f64, &[start], 0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY).unwrap();
    s.add(&[5.0; 21]);
    let mut want = start;
    for _ in 0..21 {
      want += 1.0;
    }
    assert_eq!(s.bins().pos, vec![want], "from {start}");
  }
}

/// ns/value of add on 10^6 values (cargo test --release -- --ignored
/// --nocapture bench_add; ONLY=Cubic|Log|Exp picks one mapping).
#[test]
#[ignore]
fn bench_add() {
  let mut rng = Rng::new(5);
  let n = 1_000_000;
  let sets: [(&str, Vec<f64>); 3] = [
    ("uniform [0, 1000)", (0..n).map(|_| rng.unit() * 1000.0).collect()),
    ("mixed sign, 1e-300..1e300", (0..n).map(|_| wide(&mut rng)).collect()),
    ("constant", vec![5.0; n]),
  ];
  for cfg in configs(2048) {
    if std::env::var("ONLY").is_ok_and(|o| o != format!("{:?}", cfg.mapping)) {
      continue;
    }
    for (name, vals) in &sets {
      let mut s = Sketch::new(cfg);
      s.add(vals);
      let mut best = f64::MAX;
      for _ in 0..10 {
        let t = std::time::Instant::now();
        s.add(vals);
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / n as f64);
      }
      println!("{:?} {name}: add {best:.2} ns/value", cfg.mapping);
    }
  }
}

/// µs/sketch of merging 1000 sketches of 10^4 lognormal values each into a
/// fresh one, with the caches cold (64 MiB touched first) and warm, and
/// after an add to each (cargo test --release -- --ignored --nocapture
/// bench_merge).
#[test]
#[ignore]
fn bench_merge() {
  let mut rng = Rng::new(7);
  let cfg = cubic(2048);
  let mut parts: Vec<Sketch> = (0..1000)
    .map(|_| {
      let vals: Vec<f64> = (0..10_000)
        .map(|_| {
          let (u, v) = (1.0 - rng.unit(), rng.unit());
          (5f64.ln() + 0.8 * (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()).exp()
        })
        .collect();
      let mut s = Sketch::new(cfg);
      s.add(&vals);
      s
    })
    .collect();
  let mut big = vec![1.0f64; 8 << 20];
  let mut run = |parts: &[Sketch], cold: bool| {
    if cold {
      big.iter_mut().step_by(8).for_each(|v| *v += 1.0);
    }
    let t = std::time::Instant::now();
    let mut m = Sketch::new(cfg);
    for (j, p) in parts.iter().enumerate() {
      if let Some(q) = parts.get(j + 3) {
        q.prefetch();
      }
      m.merge(p).unwrap();
    }
    t.elapsed().as_secs_f64() * 1e6 / parts.len() as f64
  };
  for round in 0..5 {
    let cold = run(&parts, true);
    let warm = run(&parts, false);
    parts.iter_mut().for_each(|p| {
      p.add(&[5.0]);
    });
    let fresh = run(&parts, false);
    println!("round {round}: merge µs/sketch cold {cold:.3}, warm {warm:.3}, after an add {fresh:.3}");
  }
}
