//! Model tests: random operation sequences against std's BTreeMap.

use std::collections::BTreeMap;
use std::ops::Bound;

use super::keys::{KeySeq, NumKeys, StrKeys};
use super::node::NIL;
use super::tree::BTree;

use crate::test_rng::Rng;

/// How a test drives one key kind: model keys are Ord, the tree sees Refs.
trait Kind {
  type S: KeySeq;
  type M: Ord + Clone + std::fmt::Debug;
  fn gen(rng: &mut Rng, domain: u64) -> Self::M;
  fn with<R>(m: &Self::M, f: impl FnOnce(<Self::S as KeySeq>::Ref<'_>) -> R) -> R;
  fn back(r: <Self::S as KeySeq>::Ref<'_>) -> Self::M;
  fn bulk(t: &mut BTree<Self::S>, keys: &[Self::M], slots: &[u32]) -> Result<(), String>;
  /// op 0: insert_many, 1: remove_many, 2: get_many.
  fn batch(t: &mut BTree<Self::S>, op: u64, keys: &[Self::M], slots: &[u32], out: &mut [Option<u32>]);
}

struct Num;

impl Kind for Num {
  type S = NumKeys;
  type M = i64;
  fn gen(rng: &mut Rng, domain: u64) -> i64 {
    match rng.below(200) {
      0 => i64::MIN,
      1 => i64::MAX,
      _ => rng.below(domain) as i64 - (domain / 3) as i64,
    }
  }
  fn with<R>(m: &i64, f: impl FnOnce(f64) -> R) -> R {
    f(match *m {
      i64::MIN => f64::NEG_INFINITY,
      i64::MAX => f64::INFINITY,
      v => v as f64 / 4.0,
    })
  }
  fn back(r: f64) -> i64 {
    if r == f64::NEG_INFINITY {
      i64::MIN
    } else if r == f64::INFINITY {
      i64::MAX
    } else {
      (r * 4.0) as i64
    }
  }
  fn bulk(t: &mut BTree<NumKeys>, keys: &[i64], slots: &[u32]) -> Result<(), String> {
    let f: Vec<f64> = keys.iter().map(|k| Num::with(k, |r| r)).collect();
    t.bulk_load(f.len(), |i| f[i], slots)
  }
  fn batch(t: &mut BTree<NumKeys>, op: u64, keys: &[i64], slots: &[u32], out: &mut [Option<u32>]) {
    let f: Vec<f64> = keys.iter().map(|k| Num::with(k, |r| r)).collect();
    let w = |i: usize, r: Option<u32>| out[i] = r;
    match op {
      0 => t.insert_many(f.len(), |i| f[i], |i| slots[i], w),
      1 => t.remove_many(f.len(), |i| f[i], w),
      _ => t.get_many(f.len(), |i| f[i], w),
    }
  }
}

struct Str;

impl Kind for Str {
  type S = StrKeys;
  type M = Vec<u8>;
  fn gen(rng: &mut Rng, domain: u64) -> Vec<u8> {
    // Short keys over a small alphabet: many keys are prefixes of others.
    let max_len = if domain < 100 { 3 } else { 6 };
    let len = rng.below(max_len + 1) as usize;
    (0..len).map(|_| [b'a', b'b', b'c', 0xC3, 0xFF][rng.below(3 + (domain % 3)) as usize]).collect()
  }
  fn with<R>(m: &Vec<u8>, f: impl FnOnce(&[u8]) -> R) -> R {
    f(m)
  }
  fn back(r: &[u8]) -> Vec<u8> {
    r.to_vec()
  }
  fn bulk(t: &mut BTree<StrKeys>, keys: &[Vec<u8>], slots: &[u32]) -> Result<(), String> {
    t.bulk_load(keys.len(), |i| &keys[i][..], slots)
  }
  fn batch(t: &mut BTree<StrKeys>, op: u64, keys: &[Vec<u8>], slots: &[u32], out: &mut [Option<u32>]) {
    let w = |i: usize, r: Option<u32>| out[i] = r;
    match op {
      0 => t.insert_many(keys.len(), |i| &keys[i][..], |i| slots[i], w),
      1 => t.remove_many(keys.len(), |i| &keys[i][..], w),
      _ => t.get_many(keys.len(), |i| &keys[i][..], w),
    }
  }
}

fn assert_ok<S: KeySeq>(t: &BTree<S>, ctx: &str) {
  let c = t.check();
  assert!(c.is_empty(), "{ctx}: check failed: {c}");
}

fn collect<K: Kind>(t: &BTree<K::S>) -> Vec<(K::M, u32)> {
  let mut v = Vec::new();
  t.range(Bound::Unbounded, Bound::Unbounded, usize::MAX, false, |k, s| v.push((K::back(k), s)));
  v
}

fn model_range<K: Kind>(
  m: &BTreeMap<K::M, u32>,
  lo: &Bound<K::M>,
  hi: &Bound<K::M>,
  limit: usize,
  reverse: bool,
) -> Vec<(K::M, u32)> {
  let empty = match (lo, hi) {
    (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) => {
      a > b || (a == b && !(matches!(lo, Bound::Included(_)) && matches!(hi, Bound::Included(_))))
    }
    _ => false,
  };
  if empty {
    return vec![];
  }
  let it = m.range((lo.clone(), hi.clone())).map(|(k, v)| (k.clone(), *v));
  if reverse {
    it.rev().take(limit).collect()
  } else {
    it.take(limit).collect()
  }
}

fn tree_range<K: Kind>(
  t: &BTree<K::S>,
  lo: &Bound<K::M>,
  hi: &Bound<K::M>,
  limit: usize,
  reverse: bool,
) -> Vec<(K::M, u32)> {
  let mut out = Vec::new();
  let mut run = |lo: Bound<<K::S as KeySeq>::Ref<'_>>, hi: Bound<<K::S as KeySeq>::Ref<'_>>| {
    t.range(lo, hi, limit, reverse, |k, s| out.push((K::back(k), s)));
  };
  // Borrow both bounds' keys for the duration of the scan.
  match (lo, hi) {
    (Bound::Unbounded, Bound::Unbounded) => run(Bound::Unbounded, Bound::Unbounded),
    (l, Bound::Unbounded) => with_bound::<K, _>(l, |l| run(l, Bound::Unbounded)),
    (Bound::Unbounded, h) => with_bound::<K, _>(h, |h| run(Bound::Unbounded, h)),
    (l, h) => with_bound::<K, _>(l, |l| with_bound::<K, _>(h, |h| run(l, h))),
  }
  out
}

fn with_bound<K: Kind, R>(b: &Bound<K::M>, f: impl FnOnce(Bound<<K::S as KeySeq>::Ref<'_>>) -> R) -> R {
  match b {
    Bound::Included(m) => K::with(m, |r| f(Bound::Included(r))),
    Bound::Excluded(m) => K::with(m, |r| f(Bound::Excluded(r))),
    Bound::Unbounded => f(Bound::Unbounded),
  }
}

fn random_bound<K: Kind>(rng: &mut Rng, domain: u64) -> Bound<K::M> {
  match rng.below(5) {
    0 => Bound::Unbounded,
    1 | 2 => Bound::Included(K::gen(rng, domain)),
    _ => Bound::Excluded(K::gen(rng, domain)),
  }
}

/// One random sequence of `ops` operations on a tree of `order`.
fn run_sequence<K: Kind>(order: usize, seed: u64, ops: usize, domain: u64) {
  let mut rng = Rng::new(seed);
  let mut t = BTree::<K::S>::new(order);
  let mut m = BTreeMap::<K::M, u32>::new();
  let ctx = format!("order {order} seed {seed}");

  // Sometimes start from a bulk load.
  if rng.chance(40) {
    let n = rng.below(domain.min(3 * order as u64 * order as u64)) as usize;
    for _ in 0..n {
      let k = K::gen(&mut rng, domain);
      let s = rng.below(1 << 31) as u32;
      m.entry(k).or_insert(s);
    }
    let keys: Vec<K::M> = m.keys().cloned().collect();
    let slots: Vec<u32> = m.values().copied().collect();
    load::<K>(&mut t, &keys, &slots).unwrap();
    assert_ok(&t, &format!("{ctx} after bulk load of {}", keys.len()));
  }

  // Insert-heavy, then delete-heavy, then mixed phases.
  for step in 0..ops {
    let phase = step * 3 / ops;
    let (p_ins, p_del) = match phase {
      0 => (60, 15),
      1 => (15, 60),
      _ => (35, 35),
    };
    let r = rng.below(100);
    if r < p_ins {
      let k = K::gen(&mut rng, domain);
      let s = rng.below(1 << 31) as u32;
      let got = K::with(&k, |r| t.insert(r, s));
      let want = m.get(&k).copied();
      if want.is_none() {
        m.insert(k.clone(), s);
      }
      assert_eq!(got, want, "{ctx} step {step}: insert {k:?}");
    } else if r < p_ins + p_del {
      let k = K::gen(&mut rng, domain);
      let got = K::with(&k, |r| t.remove(r));
      assert_eq!(got, m.remove(&k), "{ctx} step {step}: remove {k:?}");
    } else if r < p_ins + p_del + 10 {
      let k = K::gen(&mut rng, domain);
      assert_eq!(K::with(&k, |r| t.get(r)), m.get(&k).copied(), "{ctx} step {step}: get {k:?}");
    } else if r < p_ins + p_del + 17 {
      let lo = random_bound::<K>(&mut rng, domain);
      let hi = random_bound::<K>(&mut rng, domain);
      let limit = [0, 1, 3, 10, usize::MAX][rng.below(5) as usize];
      let reverse = rng.chance(50);
      assert_eq!(
        tree_range::<K>(&t, &lo, &hi, limit, reverse),
        model_range::<K>(&m, &lo, &hi, limit, reverse),
        "{ctx} step {step}: range {lo:?}..{hi:?} limit {limit} reverse {reverse}"
      );
    } else {
      // A run of keys through the hinted and batch paths: sorted runs stay
      // in one leaf, unsorted ones take the lockstep descent.
      let mut keys: Vec<K::M> = (0..rng.below(3 * order as u64 + 40) + 1).map(|_| K::gen(&mut rng, domain)).collect();
      if rng.chance(50) {
        keys.sort();
      }
      let what = rng.below(6);
      let mut hint = NIL;
      let slots: Vec<u32> = keys.iter().map(|_| rng.below(1 << 31) as u32).collect();
      let mut want = Vec::new();
      for (k, &s) in keys.iter().zip(&slots) {
        want.push(match what % 3 {
          0 => {
            let w = m.get(k).copied();
            if w.is_none() {
              m.insert(k.clone(), s);
            }
            w
          }
          1 => m.remove(k),
          _ => m.get(k).copied(),
        });
      }
      let mut got = vec![Some(u32::MAX); keys.len()];
      if what < 3 {
        for (i, k) in keys.iter().enumerate() {
          got[i] = match what {
            0 => K::with(k, |r| t.insert_hinted(r, slots[i], &mut hint)),
            1 => K::with(k, |r| t.remove_hinted(r, &mut hint)),
            _ => K::with(k, |r| t.get_hinted(r, &mut hint)),
          };
        }
      } else {
        K::batch(&mut t, what - 3, &keys, &slots, &mut got);
      }
      assert_eq!(got, want, "{ctx} step {step}: batch op {what} on {keys:?}");
    }
    assert_eq!(t.len(), m.len(), "{ctx} step {step}: len");
    if order <= 5 && step % 97 == 0 {
      assert_ok(&t, &format!("{ctx} step {step}"));
    }
  }
  assert_ok(&t, &ctx);
  if std::env::var("BTREE_TEST_VERBOSE").is_ok() {
    eprintln!("{ctx}: len {} height {} nodes {:?}", t.len(), t.height(), t.node_counts());
  }
  assert_eq!(collect::<K>(&t), m.iter().map(|(k, v)| (k.clone(), *v)).collect::<Vec<_>>(), "{ctx}: contents");
  // Drain to empty: the tree must shrink back to one empty root leaf.
  let keys: Vec<K::M> = m.keys().cloned().collect();
  for k in &keys {
    assert!(K::with(k, |r| t.remove(r)).is_some());
  }
  assert_ok(&t, &format!("{ctx} drained"));
  assert_eq!(t.len(), 0);
  assert_eq!(t.height(), 0);
  assert_eq!(t.node_counts(), (1, 0));
}

fn load<K: Kind>(t: &mut BTree<K::S>, keys: &[K::M], slots: &[u32]) -> Result<(), String> {
  K::bulk(t, keys, slots)
}

#[test]
fn random_sequences_num() {
  for order in [4, 5, 16, 64] {
    for seed in 0..12u64 {
      let domain = [40, 400, 5000][seed as usize % 3];
      run_sequence::<Num>(order, seed * 31 + order as u64, 3000, domain);
    }
  }
}

#[test]
fn random_sequences_str() {
  for order in [4, 5, 16, 64] {
    for seed in 0..12u64 {
      let domain = [40, 401, 5002][seed as usize % 3];
      run_sequence::<Str>(order, seed * 37 + order as u64, 3000, domain);
    }
  }
}

#[test]
fn random_sequences_other_orders() {
  for order in [6, 7, 8, 9, 1024] {
    run_sequence::<Num>(order, order as u64, 4000, 5000);
    run_sequence::<Str>(order, order as u64 + 1, 4000, 5002);
  }
}

#[test]
fn random_sequences_deep() {
  // Enough keys for height >= 2 at order 64 and >= 4 at order 4/5.
  for (order, ops) in [(4, 40_000), (5, 40_000), (16, 60_000), (64, 150_000)] {
    run_sequence::<Num>(order, 7 + order as u64, big(ops), 1 << 20);
    run_sequence::<Str>(order, 8 + order as u64, big(ops), 5002);
  }
}

/// Debug builds (plain `cargo test`) run unoptimised: scale the big tests.
fn big(n: usize) -> usize {
  if cfg!(debug_assertions) {
    n / 4
  } else {
    n
  }
}

fn shuffled(n: usize, seed: u64) -> Vec<usize> {
  let mut rng = Rng(seed | 1);
  let mut v: Vec<usize> = (0..n).collect();
  for i in (1..n).rev() {
    v.swap(i, rng.below(i as u64 + 1) as usize);
  }
  v
}

#[test]
fn million_keys_insert_delete() {
  let n = 1_000_000;
  let orders: &[usize] = if cfg!(debug_assertions) { &[64] } else { &[16, 64] };
  for &order in orders {
    let mut t = BTree::<NumKeys>::new(order);
    let ins = shuffled(n, 1);
    for &i in &ins {
      assert_eq!(t.insert(i as f64 * 0.5, i as u32), None);
    }
    assert_eq!(t.len(), n);
    assert_ok(&t, "1e6 inserted");
    assert_eq!(t.insert(10.0, 99), Some(20));
    for i in (0..n).step_by(997) {
      assert_eq!(t.get(i as f64 * 0.5), Some(i as u32));
      assert_eq!(t.get(i as f64 * 0.5 + 0.25), None);
    }
    let mem_full = t.memory_bytes();
    // Delete every second key, check, then the rest.
    let del = shuffled(n, 2);
    for &i in del.iter().filter(|&&i| i % 2 == 0) {
      assert_eq!(t.remove(i as f64 * 0.5), Some(i as u32));
    }
    assert_eq!(t.len(), n / 2);
    assert_ok(&t, "half deleted");
    for &i in del.iter().filter(|&&i| i % 2 == 1) {
      assert_eq!(t.remove(i as f64 * 0.5), Some(i as u32));
    }
    assert_eq!(t.len(), 0);
    assert_ok(&t, "all deleted");
    // Refill: freed nodes are reused, memory does not grow.
    for &i in &ins {
      t.insert(i as f64 * 0.5, i as u32);
    }
    assert_ok(&t, "refilled");
    // Only the free lists' capacity is new.
    assert!(t.memory_bytes() <= mem_full + mem_full / 20, "{} > {}", t.memory_bytes(), mem_full);
  }
}

#[test]
fn million_keys_bulk_and_hinted() {
  let n = big(1_000_000);
  let keys: Vec<f64> = (0..n).map(|i| i as f64 - 1000.0).collect();
  let slots: Vec<u32> = (0..n as u32).collect();
  for order in [4, 5, 16, 64, 1024] {
    let mut t = BTree::<NumKeys>::new(order);
    t.bulk_load(n, |i| keys[i], &slots).unwrap();
    assert_ok(&t, &format!("bulk order {order}"));
    let mut hint = NIL;
    for i in (0..n).step_by(3) {
      assert_eq!(t.get_hinted(keys[i], &mut hint), Some(i as u32));
    }
    let mut hint = NIL;
    for i in (0..n).step_by(2) {
      assert_eq!(t.remove_hinted(keys[i], &mut hint), Some(i as u32));
    }
    assert_ok(&t, &format!("bulk order {order} after hinted deletes"));
    let mut hint = NIL;
    for i in (0..n).step_by(2) {
      assert_eq!(t.insert_hinted(keys[i], i as u32, &mut hint), None);
    }
    assert_ok(&t, &format!("bulk order {order} after hinted reinserts"));
    assert_eq!(t.len(), n);
  }
}

#[test]
fn bulk_load_sizes_and_errors() {
  for order in [4, 5, 6, 7, 16, 64] {
    for n in (0..200).chain([order * order, order * order + 1, order * order * order / 2 + 3]) {
      let keys: Vec<f64> = (0..n).map(|i| i as f64).collect();
      let slots: Vec<u32> = (0..n as u32).collect();
      let mut t = BTree::<NumKeys>::new(order);
      t.bulk_load(n, |i| keys[i], &slots).unwrap();
      assert_ok(&t, &format!("order {order} n {n}"));
      assert_eq!(t.len(), n);
      let mut got = Vec::new();
      t.range(Bound::Unbounded, Bound::Unbounded, usize::MAX, false, |k, s| got.push((k, s)));
      assert_eq!(got, keys.iter().copied().zip(slots.iter().copied()).collect::<Vec<_>>());
    }
  }
  let mut t = BTree::<NumKeys>::new(8);
  assert!(t.bulk_load(3, |i| [1.0, 2.0, 2.0][i], &[0, 1, 2]).unwrap_err().contains("strictly ascending"));
  assert!(t.bulk_load(3, |i| [1.0, 3.0, 2.0][i], &[0, 1, 2]).unwrap_err().contains("strictly ascending"));
  assert_eq!(t.len(), 0);
  assert_ok(&t, "after failed loads");
  t.insert(5.0, 5);
  assert!(t.bulk_load(1, |_| 1.0, &[0]).unwrap_err().contains("not empty"));
  assert_eq!(t.get(5.0), Some(5));
  let mut s = BTree::<StrKeys>::new(4);
  let ks: [&[u8]; 3] = [b"a", b"ab", b"ab"];
  assert!(s.bulk_load(3, |i| ks[i], &[0, 1, 2]).is_err());
  let ks: [&[u8]; 4] = [b"", b"a", b"ab", b"b"];
  s.bulk_load(4, |i| ks[i], &[0, 1, 2, 3]).unwrap();
  assert_eq!(s.get(b""), Some(0));
  assert_ok(&s, "str bulk");
}

fn str_range(t: &BTree<StrKeys>, lo: Bound<&[u8]>, hi: Bound<&[u8]>, limit: usize, rev: bool) -> Vec<Vec<u8>> {
  let mut v = Vec::new();
  t.range(lo, hi, limit, rev, |k, _| v.push(k.to_vec()));
  v
}

fn prefix(t: &BTree<StrKeys>, p: &[u8], limit: usize) -> Vec<Vec<u8>> {
  let mut v = Vec::new();
  t.prefix(p, limit, |k, _| v.push(k.to_vec()));
  v
}

#[test]
fn prefixes_of_each_other() {
  for order in [4, 5, 16] {
    let mut t = BTree::<StrKeys>::new(order);
    // "", "a", "aa", ..., 300 a's, plus "a..ab" variants and 0xFF tails.
    let mut all: Vec<Vec<u8>> = Vec::new();
    for n in 0..300 {
      all.push(vec![b'a'; n]);
      let mut b = vec![b'a'; n];
      b.push(b'b');
      all.push(b);
    }
    all.push(vec![0xFF]);
    all.push(vec![0xFF, 0xFF]);
    all.push(vec![0xFE, 0xFF]);
    for (i, k) in shuffled(all.len(), 9).into_iter().map(|i| (i, &all[i])) {
      assert_eq!(t.insert(k, i as u32), None);
    }
    assert_ok(&t, "prefix keys");
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(prefix(&t, b"", usize::MAX), sorted);
    let aaa: Vec<Vec<u8>> = sorted.iter().filter(|k| k.starts_with(b"aaa")).cloned().collect();
    assert_eq!(prefix(&t, b"aaa", usize::MAX), aaa);
    assert_eq!(prefix(&t, b"aaa", 5), aaa[..5].to_vec());
    assert_eq!(prefix(&t, b"ab", usize::MAX), vec![b"ab".to_vec()]);
    assert_eq!(prefix(&t, b"b", usize::MAX), vec![b"b".to_vec()]);
    assert_eq!(prefix(&t, b"c", usize::MAX), Vec::<Vec<u8>>::new());
    assert_eq!(prefix(&t, &[0xFF], usize::MAX), vec![vec![0xFF], vec![0xFF, 0xFF]]);
    assert_eq!(prefix(&t, &[0xFE], usize::MAX), vec![vec![0xFE, 0xFF]]);
    assert_eq!(prefix(&t, b"aaa", 0), Vec::<Vec<u8>>::new());
    // Ranges with bounds that are prefixes of stored keys.
    let got = str_range(&t, Bound::Excluded(b"a"), Bound::Included(b"aab"), usize::MAX, false);
    let want: Vec<Vec<u8>> = sorted.iter().filter(|k| k[..] > b"a"[..] && k[..] <= b"aab"[..]).cloned().collect();
    assert_eq!(got, want);
    let mut rev = want.clone();
    rev.reverse();
    assert_eq!(str_range(&t, Bound::Excluded(b"a"), Bound::Included(b"aab"), usize::MAX, true), rev);
    for (i, k) in all.iter().enumerate() {
      assert_eq!(t.get(k), Some(i as u32));
    }
    for k in &all {
      assert!(t.remove(k).is_some());
    }
    assert_ok(&t, "prefix keys drained");
  }
}

#[test]
fn ten_kb_keys() {
  let mut rng = Rng(77);
  for order in [4, 16, 64] {
    let mut t = BTree::<StrKeys>::new(order);
    let mut m = BTreeMap::new();
    // Long shared prefixes: keys differ only in their last few bytes.
    let base: Vec<u8> = (0..10_000).map(|i| b'a' + (i % 26) as u8).collect();
    for i in 0..big(600) as u32 {
      let mut k = base.clone();
      let tail = rng.below(1000);
      k.truncate(10_240 - 4 - rng.below(8) as usize);
      k.extend_from_slice(format!("{tail:04}").as_bytes());
      let want = m.get(&k).copied();
      if want.is_none() {
        m.insert(k.clone(), i);
      }
      assert_eq!(t.insert(&k, i), want);
    }
    assert_ok(&t, "10 KB keys");
    let got = str_range(&t, Bound::Unbounded, Bound::Unbounded, usize::MAX, false);
    assert_eq!(got, m.keys().cloned().collect::<Vec<_>>());
    assert_eq!(prefix(&t, &base[..5000], usize::MAX).len(), m.len());
    let keys: Vec<Vec<u8>> = m.keys().cloned().collect();
    for k in keys.iter().step_by(2) {
      assert_eq!(t.remove(k), m.remove(k));
    }
    assert_ok(&t, "10 KB keys, half deleted");
    assert_eq!(t.len(), m.len());
    for k in m.keys() {
      assert!(t.get(k).is_some());
    }
  }
}

#[test]
fn empty_tree_and_inverted_ranges() {
  let t = BTree::<NumKeys>::new(4);
  let mut n = 0;
  for rev in [false, true] {
    t.range(Bound::Unbounded, Bound::Unbounded, usize::MAX, rev, |_, _| n += 1);
    t.range(Bound::Included(1.0), Bound::Included(2.0), usize::MAX, rev, |_, _| n += 1);
  }
  assert_eq!(n, 0);
  assert_eq!(t.get(1.0), None);
  assert_ok(&t, "empty");
  let s = BTree::<StrKeys>::new(4);
  assert!(prefix(&s, b"", usize::MAX).is_empty());
  assert!(str_range(&s, Bound::Unbounded, Bound::Unbounded, usize::MAX, true).is_empty());

  let mut t = BTree::<NumKeys>::new(4);
  for i in 0..100 {
    t.insert(i as f64, i);
  }
  let count = |lo, hi, rev| {
    let mut n = 0;
    t.range(lo, hi, usize::MAX, rev, |_, _| n += 1);
    n
  };
  for rev in [false, true] {
    assert_eq!(count(Bound::Included(50.0), Bound::Included(40.0), rev), 0);
    assert_eq!(count(Bound::Included(50.0), Bound::Excluded(50.0), rev), 0);
    assert_eq!(count(Bound::Excluded(50.0), Bound::Included(50.0), rev), 0);
    assert_eq!(count(Bound::Included(50.0), Bound::Included(50.0), rev), 1);
    assert_eq!(count(Bound::Included(50.5), Bound::Included(50.7), rev), 0);
    assert_eq!(count(Bound::Included(-5.0), Bound::Excluded(0.0), rev), 0);
    assert_eq!(count(Bound::Excluded(99.0), Bound::Unbounded, rev), 0);
    assert_eq!(count(Bound::Unbounded, Bound::Excluded(0.0), rev), 0);
    assert_eq!(count(Bound::Unbounded, Bound::Included(0.0), rev), 1);
    assert_eq!(count(Bound::Included(10.0), Bound::Excluded(20.0), rev), 10);
  }
  let mut v = Vec::new();
  t.range(Bound::Included(10.0), Bound::Unbounded, 3, true, |k, _| v.push(k));
  assert_eq!(v, vec![99.0, 98.0, 97.0]);
  let mut s = BTree::<StrKeys>::new(4);
  s.insert(b"m", 0);
  assert!(str_range(&s, Bound::Included(b"z"), Bound::Included(b"a"), usize::MAX, false).is_empty());
}

#[test]
fn memory_flat_over_cycles() {
  for order in [4, 64] {
    let mut t = BTree::<StrKeys>::new(order);
    let keys: Vec<Vec<u8>> =
      (0..big(20_000)).map(|i| format!("key-{:08}", (i * 7919) % 100_000).into_bytes()).collect();
    // Recycled nodes keep their buffers, so memory settles within a few
    // cycles (free-list capacity, byte buffers growing to the largest role
    // they have served) and then stays flat.
    let (mut first, mut settled) = (0, 0);
    for cycle in 0..14 {
      for (i, k) in keys.iter().enumerate() {
        t.insert(k, i as u32);
      }
      let mem = t.memory_bytes();
      if std::env::var("BTREE_TEST_VERBOSE").is_ok() {
        eprintln!("order {order} cycle {cycle}: {mem}");
      }
      match cycle {
        0 => first = mem,
        9 => settled = mem,
        c if c > 9 => assert!(mem <= settled + settled / 200, "cycle {cycle}: {mem} vs {settled}"),
        _ => {}
      }
      assert!(mem <= first + first / 4, "cycle {cycle}: {mem} vs first fill {first}");
      for k in &keys {
        t.remove(k);
      }
      assert_ok(&t, "cycle drained");
    }
    let before = t.memory_bytes();
    t.reset();
    assert!(t.memory_bytes() < 1024, "{} after reset (was {before})", t.memory_bytes());
  }
}

/// Timings of the core without napi: `cargo test --release -- --ignored
/// --nocapture btree_timings`.
#[test]
#[ignore]
fn btree_timings() {
  /// Thread CPU time: steadier than wall time on a shared machine.
  struct Instant(f64);
  impl Instant {
    fn now() -> Self {
      let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
      // SAFETY: valid out-pointer.
      unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
      Instant(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
    }
    fn elapsed(&self) -> std::time::Duration {
      std::time::Duration::from_secs_f64(Instant::now().0 - self.0)
    }
  }
  let n = 1_000_000;
  let q = 100_000;
  let mut rng = Rng(99);
  let keys: Vec<f64> = (0..n).map(|_| (rng.next() >> 11) as f64).collect();
  let probes: Vec<f64> = (0..q).map(|_| keys[rng.below(n as u64) as usize]).collect();
  let mut sorted_probes = probes.clone();
  sorted_probes.sort_by(|a, b| a.partial_cmp(b).unwrap());
  let orders: Vec<usize> = std::env::var("BTREE_ORDERS")
    .map(|s| s.split(',').map(|x| x.parse().unwrap()).collect())
    .unwrap_or(vec![16, 32, 64, 128, 256]);
  let best = |f: &mut dyn FnMut() -> f64| (0..5).map(|_| f()).fold(f64::INFINITY, f64::min);
  for order in orders {
    let mut t = BTree::<NumKeys>::new(order);
    let ins = best(&mut || {
      t = BTree::<NumKeys>::new(order);
      let t0 = Instant::now();
      let mut hint = NIL;
      for (i, &k) in keys.iter().enumerate() {
        t.insert_hinted(k, i as u32, &mut hint);
      }
      t0.elapsed().as_secs_f64() * 1e9 / n as f64
    });
    let mut found = 0;
    let mut lookups = |probes: &[f64]| {
      best(&mut || {
        let t0 = Instant::now();
        let mut hint = NIL;
        for &k in probes {
          found += t.get_hinted(k, &mut hint).is_some() as usize;
        }
        t0.elapsed().as_secs_f64() * 1e9 / q as f64
      })
    };
    let get = lookups(&probes);
    let sget = lookups(&sorted_probes);
    assert_eq!(found, 10 * q);
    let mut found = 0;
    let mut batch = |probes: &[f64]| {
      best(&mut || {
        let t0 = Instant::now();
        t.get_many(probes.len(), |i| probes[i], |_, r| found += r.is_some() as usize);
        t0.elapsed().as_secs_f64() * 1e9 / q as f64
      })
    };
    let bget = batch(&probes);
    let bsget = batch(&sorted_probes);
    assert_eq!(found, 10 * q);
    let bins = best(&mut || {
      let mut t = BTree::<NumKeys>::new(order);
      let t0 = Instant::now();
      t.insert_many(n, |i| keys[i], |i| i as u32, |_, _| {});
      t0.elapsed().as_secs_f64() * 1e9 / n as f64
    });
    // 24-character ASCII string keys.
    let skeys: Vec<Vec<u8>> = (0..n)
      .map(|i| {
        let mut r = Rng(i as u64 * 0x9E37_79B9 + 1);
        (0..24)
          .map(|_| b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[r.below(62) as usize])
          .collect()
      })
      .collect();
    let sprobes: Vec<&[u8]> = probes.iter().map(|&p| &skeys[(p as u64 % n as u64) as usize][..]).collect();
    let mut st = BTree::<StrKeys>::new(order);
    let sins = best(&mut || {
      st = BTree::<StrKeys>::new(order);
      let t0 = Instant::now();
      st.insert_many(n, |i| &skeys[i][..], |i| i as u32, |_, _| {});
      t0.elapsed().as_secs_f64() * 1e9 / n as f64
    });
    let mut sfound = 0;
    let str_get = best(&mut || {
      let t0 = Instant::now();
      st.get_many(q, |i| sprobes[i], |_, r| sfound += r.is_some() as usize);
      t0.elapsed().as_secs_f64() * 1e9 / q as f64
    });
    assert_eq!(sfound, 5 * q);
    eprintln!(
      "order {order}: strings: insert_many {sins:.0} ns, random get_many {str_get:.0} ns, {:.1} MB",
      st.memory_bytes() as f64 / 1e6
    );
    eprintln!(
      "order {order}: insert {ins:.0} ns (many {bins:.0}), random get {get:.0} ns (many {bget:.0}), sorted get {sget:.0} ns (many {bsget:.0}), height {}, {:.1} MB",
      t.height(),
      t.memory_bytes() as f64 / 1e6
    );
  }
}
