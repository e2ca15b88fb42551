//! Published vectors for XXH64 and jump hash, and the rendezvous rules.

use super::*;

#[test]
fn xxh64_vectors() {
  assert_eq!(xxh64(b""), 0xef46_db37_51d8_e999);
  assert_eq!(xxh64(b"a"), 0xd24e_c4f1_a98c_6e5b);
  assert_eq!(xxh64(b"abc"), 0x44bc_2cf5_ad77_0999);
}

#[test]
fn jump_vectors_from_go_jump() {
  // dgryski/go-jump's table.
  for &(key, buckets, want) in
    &[(1u64, 1.0, 0u32), (42, 57.0, 43), (0xDEAD10CC, 1.0, 0), (0xDEAD10CC, 666.0, 361), (256, 1024.0, 520)]
  {
    assert_eq!(jump(key, buckets), want, "key {key} buckets {buckets}");
  }
  assert!(jump(u64::MAX, MAX_BUCKETS) < 1 << 31);
  // go-jump's table generated from the paper's C++ code: buckets 1, 2, ...
  let table: [(u64, &[u32]); 4] = [
    (0, &[0; 20]),
    (1, &[0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]),
    (0xdeadbeef, &[0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]),
    (0x0ddc0ffeebadf00d, &[0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]),
  ];
  for (key, want) in table {
    for (i, &w) in want.iter().enumerate() {
      assert_eq!(jump(key, (i + 1) as f64), w, "key {key:#x} buckets {}", i + 1);
    }
  }
}

#[test]
fn jump_moves_only_to_the_new_bucket() {
  for k in 0..20_000u64 {
    let key = fmix64(k);
    let a = jump(key, 10.0);
    let b = jump(key, 11.0);
    assert!(a == b || b == 10);
  }
}

#[test]
fn jump_rejects_bad_buckets() {
  let mut out = [0u32; 1];
  for b in [0.0, -1.0, 1.5, f64::NAN, MAX_BUCKETS + 1.0] {
    assert!(jump_hash(None, &[1], b, &mut out).is_err());
  }
  assert!(jump_hash(None, &[1, 2], 4.0, &mut out).is_err());
}

#[test]
fn rendezvous_matches_scores_and_breaks_ties_low() {
  let seeds = [xxh64(b"a"), xxh64(b"b"), xxh64(b"c")];
  let keys: Vec<u64> = (0..1000).map(fmix64).collect();
  for (weights, uniform) in [([1.0, 1.0, 1.0], true), ([1.0, 2.0, 0.5], false)] {
    let mut out = vec![0u32; keys.len()];
    rendezvous(None, &keys, &seeds, &weights, uniform, &mut out).unwrap();
    let mut scores = vec![0f64; keys.len() * 3];
    rendezvous_scores(&keys, &seeds, &weights, uniform, &mut scores).unwrap();
    for (k, row) in scores.chunks(3).enumerate() {
      let mut at = 0;
      for i in 1..3 {
        if row[i] > row[at] {
          at = i;
        }
      }
      assert_eq!(out[k] as usize, at);
    }
  }
  // Equal seeds tie on every key: the lowest index wins.
  let mut out = [9u32; 4];
  rendezvous(None, &keys[..4], &[7, 7], &[1.0, 1.0], true, &mut out).unwrap();
  assert_eq!(out, [0; 4]);
}

#[test]
fn rendezvous_rejects_bad_nodes() {
  let mut out = [0u32; 1];
  assert!(rendezvous(None, &[1], &[], &[], true, &mut out).is_err());
  assert!(rendezvous(None, &[1], &[1], &[0.0], false, &mut out).is_err());
  assert!(rendezvous(None, &[1], &[1], &[f64::NAN], false, &mut out).is_err());
  assert!(rendezvous(None, &[1], &[1, 2], &[1.0], false, &mut out).is_err());
}

#[test]
fn unit_is_inside_zero_one() {
  assert!(unit(0) > 0.0 && unit((1 << 52) - 1) < 1.0);
  assert_eq!(unit(0), 2f64.powi(-53));
}

#[test]
fn hash_texts_by_offsets() {
  let mut out = [0u64; 2];
  hash_texts(None, b"aabc", &[0, 1, 4], &mut out).unwrap();
  assert_eq!(out, [xxh64(b"a"), xxh64(b"abc")]);
  assert!(hash_texts(None, b"ab", &[0, 3], &mut out[..1]).is_err());
}
