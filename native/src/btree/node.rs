//! Nodes of the arena. Nodes refer to each other by u32 index into the
//! tree's `leaves` / `internals` Vecs; `NIL` is "no node". Which arena a
//! child index points into follows from the level: the children of level-1
//! internal nodes are leaves, all others are internal nodes.

use super::keys::KeySeq;

pub const NIL: u32 = u32::MAX;

/// Keys with their slots; linked to both neighbours for range scans.
#[derive(Default)]
pub struct Leaf<S> {
  pub keys: S,
  pub slots: Vec<u32>,
  pub prev: u32,
  pub next: u32,
}

impl<S: KeySeq> Leaf<S> {
  pub fn with_capacity(order: usize) -> Self {
    Leaf { keys: S::with_capacity(order), slots: Vec::with_capacity(order), prev: NIL, next: NIL }
  }

  pub fn heap_bytes(&self) -> usize {
    self.keys.heap_bytes() + self.slots.capacity() * std::mem::size_of::<u32>()
  }
}

/// `children.len() == keys.len() + 1`; child i holds the keys k with
/// `keys[i-1] <= k < keys[i]` (missing bounds are open).
#[derive(Default)]
pub struct Internal<S> {
  pub keys: S,
  pub children: Vec<u32>,
}

impl<S: KeySeq> Internal<S> {
  pub fn with_capacity(order: usize) -> Self {
    Internal { keys: S::with_capacity(order.saturating_sub(1)), children: Vec::with_capacity(order) }
  }

  pub fn heap_bytes(&self) -> usize {
    self.keys.heap_bytes() + self.children.capacity() * std::mem::size_of::<u32>()
  }
}

/// Two distinct elements of one slice, both mutable.
#[inline]
pub fn pair_mut<T>(v: &mut [T], a: u32, b: u32) -> (&mut T, &mut T) {
  let (a, b) = (a as usize, b as usize);
  assert_ne!(a, b);
  if a < b {
    let (x, y) = v.split_at_mut(b);
    (&mut x[a], &mut y[0])
  } else {
    let (x, y) = v.split_at_mut(a);
    (&mut y[0], &mut x[b])
  }
}
