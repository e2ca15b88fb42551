//! Per-node key storage. A node's keys live in one `KeySeq`: a `Vec<f64>`
//! for number trees, and for string trees one byte buffer plus end offsets
//! (no allocation per key, 4 bytes of overhead per key).

use std::cmp::Ordering;

/// Longest string key accepted: a node holds at most 1024 keys, and its end
/// offsets are u32, so 1024 keys of this size still fit.
pub const MAX_KEY_BYTES: usize = 1 << 20;

/// Ordered keys of one node.
pub trait KeySeq: Default {
  /// A borrowed key: `f64` or `&[u8]`.
  type Ref<'a>: Copy
  where
    Self: 'a;
  /// A key that owns its storage.
  type Owned;

  fn with_capacity(order: usize) -> Self;
  fn len(&self) -> usize;
  fn get(&self, i: usize) -> Self::Ref<'_>;
  fn cmp(a: Self::Ref<'_>, b: Self::Ref<'_>) -> Ordering;
  /// First index whose key is >= `k`.
  fn lower_bound(&self, k: Self::Ref<'_>) -> usize;
  /// First index whose key is > `k`.
  fn upper_bound(&self, k: Self::Ref<'_>) -> usize;
  fn insert(&mut self, i: usize, k: Self::Ref<'_>);
  fn push(&mut self, k: Self::Ref<'_>);
  fn remove(&mut self, i: usize);
  /// Replaces key `i`.
  fn set(&mut self, i: usize, k: Self::Ref<'_>);
  /// Appends `src[from..]`.
  fn extend_from(&mut self, src: &Self, from: usize);
  fn truncate(&mut self, len: usize);
  fn clear(&mut self);
  /// Heap bytes held (capacity, not length).
  fn heap_bytes(&self) -> usize;
  fn to_owned_key(k: Self::Ref<'_>) -> Self::Owned;
  fn borrow_owned(k: &Self::Owned) -> Self::Ref<'_>;
  /// A separator `s` with `left < s <= right` (requires `left < right`),
  /// borrowed from `right`: the shortest prefix of `right` that is greater
  /// than `left` for byte strings, `right` itself for numbers.
  fn separator<'r>(left: Self::Ref<'r>, right: Self::Ref<'r>) -> Self::Ref<'r>;
  /// Bytes a key adds to `heap_bytes` beyond its fixed per-key cost.
  fn extra_bytes(k: Self::Ref<'_>) -> usize;
  /// Reserves exactly room for `keys` more keys of `bytes` extra bytes.
  fn reserve_exact(&mut self, keys: usize, bytes: usize);
  /// Hints the CPU to fetch the cache lines a search of these keys will
  /// read, so their misses overlap instead of queueing behind each other.
  #[inline(always)]
  fn prefetch(&self) {}
  /// Empties a node being returned to the free list.
  fn recycle(&mut self) {
    self.clear()
  }

  #[inline]
  fn is_empty(&self) -> bool {
    self.len() == 0
  }
  #[inline]
  fn first(&self) -> Self::Ref<'_> {
    self.get(0)
  }
  #[inline]
  fn last(&self) -> Self::Ref<'_> {
    self.get(self.len() - 1)
  }
  #[inline]
  fn lt(a: Self::Ref<'_>, b: Self::Ref<'_>) -> bool {
    Self::cmp(a, b) == Ordering::Less
  }
  #[inline]
  fn eq(a: Self::Ref<'_>, b: Self::Ref<'_>) -> bool {
    Self::cmp(a, b) == Ordering::Equal
  }
}

/// Prefetches `len` bytes from `p`: every cache line when there are at
/// most 16, else 16 lines evenly spread (the first probes of a binary
/// search).
#[inline(always)]
pub fn prefetch_span(p: *const u8, len: usize) {
  #[cfg(target_arch = "x86_64")]
  {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    const LINE: usize = 64;
    let lines = len.div_ceil(LINE);
    let step = if lines <= 16 { LINE } else { (len / 16) & !(LINE - 1) };
    let mut off = 0;
    while off < len {
      // SAFETY: prefetch never faults; the address lies within the buffer.
      unsafe { _mm_prefetch::<_MM_HINT_T0>(p.add(off) as *const i8) };
      off += step;
    }
  }
  #[cfg(not(target_arch = "x86_64"))]
  let _ = (p, len);
}

// ---------------------------------------------------------------------------

/// Number keys. Never NaN (the bindings reject it), so `<` is a total order.
#[derive(Default, Clone, Debug)]
pub struct NumKeys(pub Vec<f64>);

/// Branch-light binary search: the number of keys `k` with `pred(k)`, where
/// `pred` holds on a prefix of `keys`.
#[inline(always)]
fn count_prefix(keys: &[f64], pred: impl Fn(f64) -> bool) -> usize {
  let mut base = 0usize;
  let mut size = keys.len();
  if size == 0 {
    return 0;
  }
  while size > 1 {
    let half = size / 2;
    // SAFETY: base + half < base + size <= keys.len().
    let v = unsafe { *keys.get_unchecked(base + half) };
    base = if pred(v) { base + half } else { base };
    size -= half;
  }
  // SAFETY: base < keys.len() (size stayed >= 1 and base + size <= len).
  base + pred(unsafe { *keys.get_unchecked(base) }) as usize
}

impl KeySeq for NumKeys {
  type Ref<'a> = f64;
  type Owned = f64;

  fn with_capacity(order: usize) -> Self {
    NumKeys(Vec::with_capacity(order))
  }
  #[inline]
  fn len(&self) -> usize {
    self.0.len()
  }
  #[inline]
  fn get(&self, i: usize) -> f64 {
    self.0[i]
  }
  #[inline]
  fn cmp(a: f64, b: f64) -> Ordering {
    if a < b {
      Ordering::Less
    } else if a > b {
      Ordering::Greater
    } else {
      Ordering::Equal
    }
  }
  #[inline]
  fn lt(a: f64, b: f64) -> bool {
    a < b
  }
  #[inline]
  fn eq(a: f64, b: f64) -> bool {
    a == b
  }
  #[inline]
  fn lower_bound(&self, k: f64) -> usize {
    count_prefix(&self.0, |v| v < k)
  }
  #[inline]
  fn upper_bound(&self, k: f64) -> usize {
    count_prefix(&self.0, |v| v <= k)
  }
  #[inline]
  fn insert(&mut self, i: usize, k: f64) {
    self.0.insert(i, k)
  }
  #[inline]
  fn push(&mut self, k: f64) {
    self.0.push(k)
  }
  #[inline]
  fn remove(&mut self, i: usize) {
    self.0.remove(i);
  }
  #[inline]
  fn set(&mut self, i: usize, k: f64) {
    self.0[i] = k;
  }
  fn extend_from(&mut self, src: &Self, from: usize) {
    self.0.extend_from_slice(&src.0[from..]);
  }
  fn truncate(&mut self, len: usize) {
    self.0.truncate(len)
  }
  fn clear(&mut self) {
    self.0.clear()
  }
  fn heap_bytes(&self) -> usize {
    self.0.capacity() * std::mem::size_of::<f64>()
  }
  #[inline]
  fn to_owned_key(k: f64) -> f64 {
    k
  }
  #[inline]
  fn borrow_owned(k: &f64) -> f64 {
    *k
  }
  #[inline]
  fn separator<'r>(_left: Self::Ref<'r>, right: Self::Ref<'r>) -> Self::Ref<'r> {
    right
  }
  #[inline(always)]
  fn prefetch(&self) {
    prefetch_span(self.0.as_ptr() as *const u8, self.0.len() * 8);
  }
  fn extra_bytes(_k: f64) -> usize {
    0
  }
  fn reserve_exact(&mut self, keys: usize, _bytes: usize) {
    self.0.reserve_exact(keys)
  }
}

// ---------------------------------------------------------------------------

/// Byte-string keys packed into one buffer: key i is
/// `bytes[ends[i-1]..ends[i]]` (with `ends[-1]` = 0).
#[derive(Default, Clone, Debug)]
pub struct StrKeys {
  bytes: Vec<u8>,
  ends: Vec<u32>,
}

/// Byte-wise order, deciding on the first 8 bytes as one big-endian integer
/// compare when both keys have them (no call into memcmp for most pairs).
#[inline(always)]
pub fn cmp_bytes(a: &[u8], b: &[u8]) -> Ordering {
  if let (Some(x), Some(y)) = (a.first_chunk::<8>(), b.first_chunk::<8>()) {
    let (x, y) = (u64::from_be_bytes(*x), u64::from_be_bytes(*y));
    if x != y {
      return x.cmp(&y);
    }
    return a[8..].cmp(&b[8..]);
  }
  a.cmp(b)
}

impl StrKeys {
  /// Makes room for `extra` more bytes, growing by a quarter rather than
  /// doubling: node buffers are many and small, so slack costs more memory
  /// than the extra reallocations cost time.
  #[inline]
  fn reserve_bytes(&mut self, extra: usize) {
    let len = self.bytes.len();
    if self.bytes.capacity() - len < extra {
      self.bytes.reserve_exact(extra.max(len / 4).max(64));
    }
  }

  #[inline]
  fn start(&self, i: usize) -> usize {
    if i == 0 {
      0
    } else {
      self.ends[i - 1] as usize
    }
  }

  #[inline(always)]
  fn search(&self, pred: impl Fn(&[u8]) -> bool) -> usize {
    let (mut lo, mut hi) = (0usize, self.ends.len());
    while lo < hi {
      let mid = lo + (hi - lo) / 2;
      if pred(self.get(mid)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    lo
  }
}

impl KeySeq for StrKeys {
  type Ref<'a> = &'a [u8];
  type Owned = Vec<u8>;

  fn with_capacity(order: usize) -> Self {
    StrKeys { bytes: Vec::new(), ends: Vec::with_capacity(order) }
  }
  #[inline]
  fn len(&self) -> usize {
    self.ends.len()
  }
  #[inline]
  fn get(&self, i: usize) -> &[u8] {
    let end = self.ends[i] as usize;
    let start = self.start(i);
    // SAFETY: ends are non-decreasing and the last equals bytes.len().
    unsafe { self.bytes.get_unchecked(start..end) }
  }
  #[inline]
  fn cmp(a: &[u8], b: &[u8]) -> Ordering {
    cmp_bytes(a, b)
  }
  #[inline]
  fn lower_bound(&self, k: &[u8]) -> usize {
    self.search(|v| cmp_bytes(v, k) == Ordering::Less)
  }
  #[inline]
  fn upper_bound(&self, k: &[u8]) -> usize {
    self.search(|v| cmp_bytes(v, k) != Ordering::Greater)
  }
  fn insert(&mut self, i: usize, k: &[u8]) {
    let s = self.start(i);
    let n = k.len();
    let old = self.bytes.len();
    self.reserve_bytes(n);
    self.bytes.extend_from_slice(k);
    if s < old {
      self.bytes.copy_within(s..old, s + n);
      self.bytes[s..s + n].copy_from_slice(k);
    }
    self.ends.insert(i, (s + n) as u32);
    for e in &mut self.ends[i + 1..] {
      *e += n as u32;
    }
  }
  fn push(&mut self, k: &[u8]) {
    self.reserve_bytes(k.len());
    self.bytes.extend_from_slice(k);
    self.ends.push(self.bytes.len() as u32);
  }
  fn remove(&mut self, i: usize) {
    let (s, e) = (self.start(i), self.ends[i] as usize);
    self.bytes.drain(s..e);
    self.ends.remove(i);
    let n = (e - s) as u32;
    for x in &mut self.ends[i..] {
      *x -= n;
    }
  }
  fn set(&mut self, i: usize, k: &[u8]) {
    let (s, e) = (self.start(i), self.ends[i] as usize);
    let n = k.len();
    self.reserve_bytes(n.saturating_sub(e - s));
    self.bytes.splice(s..e, k.iter().copied());
    if n != e - s {
      let delta = n as i64 - (e - s) as i64;
      for x in &mut self.ends[i..] {
        *x = (*x as i64 + delta) as u32;
      }
    }
  }
  fn extend_from(&mut self, src: &Self, from: usize) {
    let s = src.start(from);
    let base = self.bytes.len() as u32;
    self.reserve_bytes(src.bytes.len() - s);
    self.bytes.extend_from_slice(&src.bytes[s..]);
    let s = s as u32;
    self.ends.extend(src.ends[from..].iter().map(|&e| e - s + base));
  }
  fn truncate(&mut self, len: usize) {
    if len < self.ends.len() {
      self.bytes.truncate(self.start(len));
      self.ends.truncate(len);
    }
  }
  fn clear(&mut self) {
    self.bytes.clear();
    self.ends.clear();
  }
  fn heap_bytes(&self) -> usize {
    self.bytes.capacity() + self.ends.capacity() * std::mem::size_of::<u32>()
  }
  fn to_owned_key(k: &[u8]) -> Vec<u8> {
    k.to_vec()
  }
  fn borrow_owned(k: &Vec<u8>) -> &[u8] {
    k
  }
  fn separator<'r>(left: Self::Ref<'r>, right: Self::Ref<'r>) -> Self::Ref<'r> {
    let common = left.iter().zip(right).take_while(|(a, b)| a == b).count();
    // left < right: either left is a proper prefix of right (common ==
    // left.len() < right.len()) or they differ at `common`.
    &right[..(common + 1).min(right.len())]
  }
  #[inline(always)]
  fn prefetch(&self) {
    prefetch_span(self.ends.as_ptr() as *const u8, self.ends.len() * 4);
    prefetch_span(self.bytes.as_ptr(), self.bytes.len());
  }
  fn extra_bytes(k: &[u8]) -> usize {
    k.len()
  }
  fn reserve_exact(&mut self, keys: usize, bytes: usize) {
    self.ends.reserve_exact(keys);
    self.bytes.reserve_exact(bytes);
  }
  /// A recycled node keeps its buffers for reuse, unless a past occupant
  /// (e.g. 10 KB keys) left the byte buffer unusually large.
  fn recycle(&mut self) {
    self.clear();
    if self.bytes.capacity() > RECYCLE_KEEP_BYTES {
      self.bytes.shrink_to(RECYCLE_KEEP_BYTES);
    }
  }
}

const RECYCLE_KEEP_BYTES: usize = 16 << 10;

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn str_keys_edit() {
    let mut s = StrKeys::default();
    for k in [&b"b"[..], b"d", b"a"] {
      let i = s.lower_bound(k);
      s.insert(i, k);
    }
    let i = s.lower_bound(b"c");
    s.insert(i, b"cc");
    assert_eq!(
      (0..4).map(|i| s.get(i).to_vec()).collect::<Vec<_>>(),
      vec![b"a".to_vec(), b"b".to_vec(), b"cc".to_vec(), b"d".to_vec()]
    );
    s.set(1, b"bbb");
    s.remove(0);
    assert_eq!(
      (0..3).map(|i| s.get(i).to_vec()).collect::<Vec<_>>(),
      vec![b"bbb".to_vec(), b"cc".to_vec(), b"d".to_vec()]
    );
    let mut t = StrKeys::default();
    t.extend_from(&s, 1);
    s.truncate(1);
    assert_eq!(t.get(0), b"cc");
    assert_eq!(t.get(1), b"d");
    assert_eq!(s.len(), 1);
    assert_eq!(s.bytes.len(), 3);
    assert_eq!(s.upper_bound(b"bbb"), 1);
    assert_eq!(s.lower_bound(b"bbb"), 0);
  }

  #[test]
  fn separators() {
    assert_eq!(StrKeys::separator(b"abc", b"abd"), b"abd");
    assert_eq!(StrKeys::separator(b"ab", b"abzzz"), b"abz");
    assert_eq!(StrKeys::separator(b"", b"q"), b"q");
    assert_eq!(StrKeys::separator(b"apple", b"banana"), b"b");
    assert_eq!(NumKeys::separator(1.0, 2.0), 2.0);
  }

  #[test]
  fn byte_order() {
    let keys: [&[u8]; 10] = [
      b"",
      b"a",
      b"abcdefg",
      b"abcdefgh",
      b"abcdefgh\0",
      b"abcdefgha",
      b"abcdefgi",
      b"b",
      b"\xff",
      b"\xff\xff\xff\xff\xff\xff\xff\xff\xff",
    ];
    for a in keys {
      for b in keys {
        assert_eq!(cmp_bytes(a, b), a.cmp(b), "{a:?} {b:?}");
      }
    }
  }

  #[test]
  fn num_search() {
    let k = NumKeys(vec![1.0, 3.0, 5.0, 7.0]);
    assert_eq!(k.lower_bound(0.0), 0);
    assert_eq!(k.lower_bound(3.0), 1);
    assert_eq!(k.upper_bound(3.0), 2);
    assert_eq!(k.lower_bound(8.0), 4);
    assert_eq!(k.upper_bound(7.0), 4);
    assert_eq!(NumKeys(vec![]).lower_bound(1.0), 0);
    assert_eq!(NumKeys(vec![2.0]).lower_bound(1.0), 0);
    assert_eq!(NumKeys(vec![2.0]).lower_bound(3.0), 1);
  }
}
