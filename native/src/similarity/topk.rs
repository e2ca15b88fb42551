//! Top-k selection with bounded heaps: O(N log k) time and O(k) memory per
//! chunk, instead of materialising and sorting all N scores.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A scored row. `key` is oriented so that larger is better (euclidean
/// distances are negated; negation is exact, so no ranking changes).
/// Never NaN: NaN rows are filtered before they get here.
#[derive(Clone, Copy, Debug)]
pub struct Candidate {
  pub key: f32,
  pub index: u32,
}

impl Candidate {
  /// Ranking order: better key first, then lower row index.
  /// Uses IEEE comparison (not total_cmp) so -0.0 and 0.0 tie, as in JS.
  #[inline]
  pub fn rank_cmp(&self, other: &Self) -> Ordering {
    other.key.partial_cmp(&self.key).unwrap_or(Ordering::Equal).then(self.index.cmp(&other.index))
  }
}

/// Heap order = rank order, so the max-heap's top is the *worst* kept
/// candidate: the one to evict when a better one arrives.
struct Worst(Candidate);

impl PartialEq for Worst {
  fn eq(&self, other: &Self) -> bool {
    self.cmp(other) == Ordering::Equal
  }
}
impl Eq for Worst {}
impl PartialOrd for Worst {
  fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
    Some(self.cmp(other))
  }
}
impl Ord for Worst {
  fn cmp(&self, other: &Self) -> Ordering {
    self.0.rank_cmp(&other.0)
  }
}

/// Keeps the best `k` candidates pushed so far.
pub struct BoundedTopK {
  k: usize,
  heap: BinaryHeap<Worst>,
}

impl BoundedTopK {
  pub fn new(k: usize, expected: usize) -> Self {
    BoundedTopK { k, heap: BinaryHeap::with_capacity(k.min(expected)) }
  }

  #[inline]
  pub fn push(&mut self, c: Candidate) {
    if self.heap.len() < self.k {
      self.heap.push(Worst(c));
    } else if let Some(mut worst) = self.heap.peek_mut() {
      if c.rank_cmp(&worst.0) == Ordering::Less {
        *worst = Worst(c); // PeekMut re-sifts on drop.
      }
    }
  }

  /// Folds another chunk's survivors in; the union's best k are kept.
  pub fn merge(mut self, other: BoundedTopK) -> BoundedTopK {
    if other.heap.len() > self.heap.len() {
      return other.merge(self);
    }
    for Worst(c) in other.heap {
      self.push(c);
    }
    self
  }

  /// Best first.
  pub fn into_sorted(self) -> Vec<Candidate> {
    // Ascending in heap order is best-first in rank order.
    self.heap.into_sorted_vec().into_iter().map(|w| w.0).collect()
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_rng::Rng;

  fn full_sort(c: &[Candidate], k: usize) -> Vec<(f32, u32)> {
    let mut all = c.to_vec();
    all.sort_by(|a, b| a.rank_cmp(b));
    all.truncate(k);
    all.into_iter().map(|c| (c.key, c.index)).collect()
  }

  #[test]
  fn matches_full_sort_with_ties_and_chunks() {
    let mut rng = Rng::new(5);
    for &n in &[0usize, 1, 2, 7, 100, 1000] {
      // Coarse keys force many ties, so index tie-breaking is exercised.
      let cands: Vec<Candidate> =
        (0..n).map(|i| Candidate { key: (rng.signed_unit() * 8.0).round() as f32, index: i as u32 }).collect();
      for &k in &[0usize, 1, 3, 10, n, n + 5] {
        for &chunk in &[1usize, 3, 64, 10_000] {
          let merged = cands
            .chunks(chunk)
            .map(|part| {
              let mut h = BoundedTopK::new(k, part.len());
              part.iter().for_each(|&c| h.push(c));
              h
            })
            .fold(BoundedTopK::new(k, 0), BoundedTopK::merge);
          let got: Vec<(f32, u32)> = merged.into_sorted().into_iter().map(|c| (c.key, c.index)).collect();
          assert_eq!(got, full_sort(&cands, k), "n={n} k={k} chunk={chunk}");
        }
      }
    }
  }

  #[test]
  fn signed_zero_ties_by_index() {
    let mut h = BoundedTopK::new(2, 3);
    h.push(Candidate { key: 0.0, index: 2 });
    h.push(Candidate { key: -0.0, index: 1 });
    h.push(Candidate { key: 0.0, index: 0 });
    let idx: Vec<u32> = h.into_sorted().iter().map(|c| c.index).collect();
    assert_eq!(idx, vec![0, 1]);
  }
}
