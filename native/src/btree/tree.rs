//! The B+ tree, generic over the key storage (`NumKeys` / `StrKeys`).
//!
//! `order` is the most keys a leaf holds and the most children an internal
//! node has. Every node but the root keeps at least `ceil(order / 2)` of
//! them; an internal root has at least 2 children. Inserts split full nodes
//! into two halves; deletes borrow one entry from a sibling that can spare
//! it, else merge with a sibling. Separators are lower bounds of their
//! right subtree; deleting a leaf's first key leaves its separator in place,
//! which still bounds the subtree correctly.

use std::cmp::Ordering;
use std::ops::Bound;

use super::keys::{prefetch_span, KeySeq};
use super::node::{pair_mut, Internal, Leaf, NIL};
use crate::abi::{TREE_MAX_ORDER, TREE_MIN_ORDER};

/// Keys per lockstep group in the batch operations.
const GROUP: usize = 16;

pub struct BTree<S: KeySeq> {
  order: usize,
  /// ceil(order / 2): fewest keys of a non-root leaf, fewest children of a
  /// non-root internal node.
  min: usize,
  leaves: Vec<Leaf<S>>,
  internals: Vec<Internal<S>>,
  free_leaves: Vec<u32>,
  free_internals: Vec<u32>,
  root: u32,
  /// Internal levels above the leaves (0: the root is a leaf).
  height: usize,
  len: usize,
  /// Scratch for the descent: (internal node, child index taken).
  path: Vec<(u32, u32)>,
}

/// Sizes of the nodes one bulk-load level is cut into: `cap` each, except
/// that the last two share their total evenly when the last would hold
/// fewer than `min`.
fn chunk_sizes(n: usize, cap: usize, min: usize) -> Vec<usize> {
  let count = n.div_ceil(cap);
  let mut sizes = vec![cap; count];
  if count == 0 {
    return sizes;
  }
  let last = n - cap * (count - 1);
  sizes[count - 1] = last;
  if count >= 2 && last < min {
    let total = cap + last;
    sizes[count - 2] = total.div_ceil(2);
    sizes[count - 1] = total / 2;
  }
  sizes
}

impl<S: KeySeq> BTree<S> {
  /// `order` must lie in TREE_MIN_ORDER..=TREE_MAX_ORDER (the bindings check it).
  pub fn new(order: usize) -> Self {
    assert!((TREE_MIN_ORDER..=TREE_MAX_ORDER).contains(&order), "order out of range");
    let mut t = BTree {
      order,
      min: order.div_ceil(2),
      leaves: Vec::new(),
      internals: Vec::new(),
      free_leaves: Vec::new(),
      free_internals: Vec::new(),
      root: 0,
      height: 0,
      len: 0,
      path: Vec::new(),
    };
    t.reset();
    t
  }

  pub fn len(&self) -> usize {
    self.len
  }

  /// Drops every node and starts over with one empty root leaf (no buffers
  /// reserved: an empty tree costs a few hundred bytes).
  pub fn reset(&mut self) {
    self.leaves = vec![Leaf { keys: S::default(), slots: Vec::new(), prev: NIL, next: NIL }];
    self.internals = Vec::new();
    self.free_leaves = Vec::new();
    self.free_internals = Vec::new();
    self.path = Vec::new();
    self.root = 0;
    self.height = 0;
    self.len = 0;
  }

  /// Bytes held by the tree: the struct, its arenas and every buffer, by
  /// capacity.
  pub fn memory_bytes(&self) -> usize {
    std::mem::size_of::<Self>()
      + self.leaves.capacity() * std::mem::size_of::<Leaf<S>>()
      + self.internals.capacity() * std::mem::size_of::<Internal<S>>()
      + self.leaves.iter().map(Leaf::heap_bytes).sum::<usize>()
      + self.internals.iter().map(Internal::heap_bytes).sum::<usize>()
      + (self.free_leaves.capacity() + self.free_internals.capacity()) * std::mem::size_of::<u32>()
      + self.path.capacity() * std::mem::size_of::<(u32, u32)>()
  }

  // -------------------------------------------------------------------------
  // Node allocation.

  fn alloc_leaf(&mut self) -> u32 {
    if let Some(id) = self.free_leaves.pop() {
      return id;
    }
    self.leaves.push(Leaf::with_capacity(self.order));
    (self.leaves.len() - 1) as u32
  }

  fn free_leaf(&mut self, id: u32) {
    let l = &mut self.leaves[id as usize];
    l.keys.recycle();
    l.slots.clear();
    l.prev = NIL;
    l.next = NIL;
    self.free_leaves.push(id);
  }

  fn alloc_internal(&mut self) -> u32 {
    if let Some(id) = self.free_internals.pop() {
      return id;
    }
    self.internals.push(Internal::with_capacity(self.order));
    (self.internals.len() - 1) as u32
  }

  fn free_internal(&mut self, id: u32) {
    let n = &mut self.internals[id as usize];
    n.keys.recycle();
    n.children.clear();
    self.free_internals.push(id);
  }

  // -------------------------------------------------------------------------
  // Descent.

  /// The leaf whose key range holds `k`.
  #[inline]
  fn find_leaf(&self, k: S::Ref<'_>) -> u32 {
    let mut node = self.root;
    for _ in 0..self.height {
      let n = &self.internals[node as usize];
      node = n.children[n.keys.upper_bound(k)];
    }
    node
  }

  /// As `find_leaf`, recording the path in `self.path`.
  #[inline]
  fn descend(&mut self, k: S::Ref<'_>) -> u32 {
    self.path.clear();
    let mut node = self.root;
    for _ in 0..self.height {
      let n = &self.internals[node as usize];
      let i = n.keys.upper_bound(k);
      self.path.push((node, i as u32));
      node = n.children[i];
    }
    node
  }

  fn leftmost_leaf(&self) -> u32 {
    let mut node = self.root;
    for _ in 0..self.height {
      node = self.internals[node as usize].children[0];
    }
    node
  }

  fn rightmost_leaf(&self) -> u32 {
    let mut node = self.root;
    for _ in 0..self.height {
      let c = &self.internals[node as usize].children;
      node = c[c.len() - 1];
    }
    node
  }

  /// Whether `k` belongs in live leaf `leaf` without consulting the path:
  /// true when it lies between the leaf's first and last key, or beyond them
  /// on a side with no neighbouring leaf. (Separators lie in
  /// (prev.last, first] and (last, next.first], so such a `k` routes here.)
  #[inline]
  fn leaf_owns(&self, leaf: u32, k: S::Ref<'_>) -> bool {
    let l = &self.leaves[leaf as usize];
    if l.keys.is_empty() {
      // Only an empty root leaf is empty between operations.
      return self.height == 0 && leaf == self.root;
    }
    (l.prev == NIL || !S::lt(k, l.keys.first())) && (l.next == NIL || !S::lt(l.keys.last(), k))
  }

  /// `hint` (a leaf id or NIL) when it owns `k`, else a fresh lookup.
  #[inline]
  fn leaf_for(&self, k: S::Ref<'_>, hint: u32) -> u32 {
    if hint != NIL && self.leaf_owns(hint, k) {
      debug_assert_eq!(self.find_leaf(k), hint, "hinted leaf must be where k routes");
      hint
    } else {
      self.find_leaf(k)
    }
  }

  // -------------------------------------------------------------------------
  // Lookup.

  pub fn get(&self, k: S::Ref<'_>) -> Option<u32> {
    let mut hint = NIL;
    self.get_hinted(k, &mut hint)
  }

  /// `get`, starting from leaf `*hint` when it owns `k`; leaves the leaf it
  /// searched in `*hint` for the next call.
  #[inline]
  pub fn get_hinted(&self, k: S::Ref<'_>, hint: &mut u32) -> Option<u32> {
    let leaf = self.leaf_for(k, *hint);
    *hint = leaf;
    let l = &self.leaves[leaf as usize];
    let pos = l.keys.lower_bound(k);
    (pos < l.keys.len() && S::eq(l.keys.get(pos), k)).then(|| l.slots[pos])
  }

  fn search_leaf(&self, leaf: u32, k: S::Ref<'_>) -> Option<u32> {
    let l = &self.leaves[leaf as usize];
    let pos = l.keys.lower_bound(k);
    (pos < l.keys.len() && S::eq(l.keys.get(pos), k)).then(|| l.slots[pos])
  }

  // -------------------------------------------------------------------------
  // Batches.
  //
  // Keys are processed strictly in order (so a batch equals the same calls
  // one by one), but each is handed a leaf hint: while consecutive keys keep
  // landing in one leaf (sorted-ish input) the previous key's leaf; else the
  // leaves of the next GROUP keys are found together by a lockstep descent,
  // level by level with prefetches, so their cache misses overlap instead of
  // queueing. A hint is only used after `leaf_owns` confirms it, so hints
  // that earlier operations of the group made stale are harmless. Each
  // group's hit rate picks the mode of the next.

  /// Leaf for key(start + j) in out[j], for all j at once.
  fn find_leaves<'k>(&self, key: &impl Fn(usize) -> S::Ref<'k>, start: usize, out: &mut [u32])
  where
    S: 'k,
  {
    out.fill(self.root);
    for level in 0..self.height {
      if level > 0 {
        for &id in out.iter() {
          let n = &self.internals[id as usize];
          n.keys.prefetch();
          prefetch_span(n.children.as_ptr() as *const u8, n.children.len() * 4);
        }
      }
      let to_leaves = level + 1 == self.height;
      for (j, id) in out.iter_mut().enumerate() {
        let n = &self.internals[*id as usize];
        let c = n.children[n.keys.upper_bound(key(start + j))];
        *id = c;
        let p = if to_leaves {
          &self.leaves[c as usize] as *const Leaf<S> as *const u8
        } else {
          &self.internals[c as usize] as *const Internal<S> as *const u8
        };
        prefetch_span(p, 1);
      }
    }
    for &id in out.iter() {
      self.leaves[id as usize].keys.prefetch();
    }
  }

  /// get for key(0..n) in order; `out(i, result)`.
  pub fn get_many<'k>(&self, n: usize, key: impl Fn(usize) -> S::Ref<'k>, mut out: impl FnMut(usize, Option<u32>))
  where
    S: 'k,
  {
    let mut hint = NIL;
    let mut group = [NIL; GROUP];
    let mut sequential = true;
    let mut start = 0;
    while start < n {
      let g = GROUP.min(n - start);
      if sequential {
        let mut hits = 0;
        for i in start..start + g {
          let before = hint;
          out(i, self.get_hinted(key(i), &mut hint));
          hits += (hint == before) as usize;
        }
        sequential = hits * 2 >= g;
      } else {
        let leaves = &mut group[..g];
        self.find_leaves(&key, start, leaves);
        let mut same = 0;
        for j in 0..g {
          same += (j > 0 && leaves[j] == leaves[j - 1]) as usize;
          out(start + j, self.search_leaf(leaves[j], key(start + j)));
        }
        hint = leaves[g - 1];
        sequential = same * 2 >= g;
      }
      start += g;
    }
  }

  /// `op(tree, i, key(i), hint)` for i in 0..n in order, with hints as above.
  fn modify_many<'k>(
    &mut self,
    n: usize,
    key: impl Fn(usize) -> S::Ref<'k>,
    mut op: impl FnMut(&mut Self, usize, S::Ref<'k>, &mut u32),
  ) where
    S: 'k,
  {
    let mut hint = NIL;
    let mut group = [NIL; GROUP];
    let mut sequential = true;
    let mut start = 0;
    while start < n {
      let g = GROUP.min(n - start);
      if sequential {
        let mut hits = 0;
        for i in start..start + g {
          let before = hint;
          op(self, i, key(i), &mut hint);
          hits += (hint == before) as usize;
        }
        sequential = hits * 2 >= g;
      } else {
        let leaves = &mut group[..g];
        self.find_leaves(&key, start, leaves);
        let mut same = 0;
        for j in 0..g {
          same += (j > 0 && leaves[j] == leaves[j - 1]) as usize;
          hint = leaves[j];
          op(self, start + j, key(start + j), &mut hint);
        }
        sequential = same * 2 >= g;
      }
      start += g;
    }
  }

  /// insert(key(i), slot(i)) for i in 0..n in order; `out(i, result)`.
  pub fn insert_many<'k>(
    &mut self,
    n: usize,
    key: impl Fn(usize) -> S::Ref<'k>,
    slot: impl Fn(usize) -> u32,
    mut out: impl FnMut(usize, Option<u32>),
  ) where
    S: 'k,
  {
    self.modify_many(n, key, |t, i, k, hint| out(i, t.insert_hinted(k, slot(i), hint)));
  }

  /// remove(key(i)) for i in 0..n in order; `out(i, result)`.
  pub fn remove_many<'k>(
    &mut self,
    n: usize,
    key: impl Fn(usize) -> S::Ref<'k>,
    mut out: impl FnMut(usize, Option<u32>),
  ) where
    S: 'k,
  {
    self.modify_many(n, key, |t, i, k, hint| out(i, t.remove_hinted(k, hint)));
  }

  // -------------------------------------------------------------------------
  // Insert.

  /// Inserts `k -> slot` if `k` is absent (None); else returns the slot it
  /// already has and changes nothing.
  pub fn insert(&mut self, k: S::Ref<'_>, slot: u32) -> Option<u32> {
    let mut hint = NIL;
    self.insert_hinted(k, slot, &mut hint)
  }

  /// `insert` with a leaf hint as in `get_hinted`. The hint is NIL after a
  /// split.
  pub fn insert_hinted(&mut self, k: S::Ref<'_>, slot: u32, hint: &mut u32) -> Option<u32> {
    let hinted = *hint != NIL && self.leaf_owns(*hint, k);
    let leaf = if hinted { *hint } else { self.descend(k) };
    let order = self.order;
    let l = &mut self.leaves[leaf as usize];
    let pos = l.keys.lower_bound(k);
    if pos < l.keys.len() && S::eq(l.keys.get(pos), k) {
      *hint = leaf;
      return Some(l.slots[pos]);
    }
    self.len += 1;
    if l.keys.len() < order {
      l.keys.insert(pos, k);
      l.slots.insert(pos, slot);
      *hint = leaf;
      return None;
    }
    if hinted {
      let found = self.descend(k);
      debug_assert_eq!(found, leaf, "hinted leaf must be where k routes");
    }
    self.split_leaf_insert(leaf, pos, k, slot);
    *hint = NIL;
    None
  }

  /// Splits full leaf `leaf` while inserting `k` at `pos`: the halves get
  /// ceil((order+1)/2) and floor((order+1)/2) keys.
  fn split_leaf_insert(&mut self, leaf: u32, pos: usize, k: S::Ref<'_>, slot: u32) {
    let right = self.alloc_leaf();
    let left_size = (self.order + 2) / 2;
    let at = if pos < left_size { left_size - 1 } else { left_size };
    let (l, r) = pair_mut(&mut self.leaves, leaf, right);
    r.keys.extend_from(&l.keys, at);
    r.slots.extend_from_slice(&l.slots[at..]);
    l.keys.truncate(at);
    l.slots.truncate(at);
    if pos < left_size {
      l.keys.insert(pos, k);
      l.slots.insert(pos, slot);
    } else {
      r.keys.insert(pos - at, k);
      r.slots.insert(pos - at, slot);
    }
    r.next = l.next;
    r.prev = leaf;
    l.next = right;
    let next = r.next;
    let sep = S::to_owned_key(S::separator(l.keys.last(), r.keys.first()));
    if next != NIL {
      self.leaves[next as usize].prev = right;
    }
    self.insert_up(sep, right);
  }

  /// Inserts separator `sep` and its right child `child` into the parents
  /// recorded in `self.path`, splitting full ones; grows a new root when the
  /// old one splits.
  fn insert_up(&mut self, mut sep: S::Owned, mut child: u32) {
    let order = self.order;
    while let Some((node, idx)) = self.path.pop() {
      let idx = idx as usize;
      let n = &mut self.internals[node as usize];
      if n.children.len() < order {
        n.keys.insert(idx, S::borrow_owned(&sep));
        n.children.insert(idx + 1, child);
        return;
      }
      let (up, new) = self.split_internal_insert(node, idx + 1, sep, child);
      sep = up;
      child = new;
    }
    let old_root = self.root;
    let r = self.alloc_internal();
    let n = &mut self.internals[r as usize];
    n.keys.push(S::borrow_owned(&sep));
    n.children.push(old_root);
    n.children.push(child);
    self.root = r;
    self.height += 1;
  }

  /// Splits full internal node `node` while inserting `child` at child
  /// position `p` (>= 1) with `sep` before it. Returns the key that moves up
  /// and the new right node.
  fn split_internal_insert(&mut self, node: u32, p: usize, sep: S::Owned, child: u32) -> (S::Owned, u32) {
    let new = self.alloc_internal();
    let order = self.order;
    // Children after the insert: order + 1; the left node keeps `ls`.
    let ls = (order + 2) / 2;
    let (a, b) = pair_mut(&mut self.internals, node, new);
    let up;
    match p.cmp(&ls) {
      Ordering::Less => {
        b.keys.extend_from(&a.keys, ls - 1);
        b.children.extend_from_slice(&a.children[ls - 1..]);
        up = S::to_owned_key(a.keys.get(ls - 2));
        a.keys.truncate(ls - 2);
        a.children.truncate(ls - 1);
        a.keys.insert(p - 1, S::borrow_owned(&sep));
        a.children.insert(p, child);
      }
      Ordering::Equal => {
        b.keys.extend_from(&a.keys, ls - 1);
        b.children.push(child);
        b.children.extend_from_slice(&a.children[ls..]);
        a.keys.truncate(ls - 1);
        a.children.truncate(ls);
        up = sep;
      }
      Ordering::Greater => {
        b.keys.extend_from(&a.keys, ls);
        b.children.extend_from_slice(&a.children[ls..]);
        up = S::to_owned_key(a.keys.get(ls - 1));
        a.keys.truncate(ls - 1);
        a.children.truncate(ls);
        b.keys.insert(p - ls - 1, S::borrow_owned(&sep));
        b.children.insert(p - ls, child);
      }
    }
    (up, new)
  }

  // -------------------------------------------------------------------------
  // Delete.

  /// Removes `k`; returns its slot, or None if it was absent.
  pub fn remove(&mut self, k: S::Ref<'_>) -> Option<u32> {
    let mut hint = NIL;
    self.remove_hinted(k, &mut hint)
  }

  /// `remove` with a leaf hint as in `get_hinted`. The hint is NIL after a
  /// rebalance.
  pub fn remove_hinted(&mut self, k: S::Ref<'_>, hint: &mut u32) -> Option<u32> {
    let hinted = *hint != NIL && self.leaf_owns(*hint, k);
    let leaf = if hinted { *hint } else { self.descend(k) };
    let l = &mut self.leaves[leaf as usize];
    let pos = l.keys.lower_bound(k);
    if pos == l.keys.len() || !S::eq(l.keys.get(pos), k) {
      *hint = leaf;
      return None;
    }
    let slot = l.slots.remove(pos);
    l.keys.remove(pos);
    self.len -= 1;
    if self.height == 0 || l.keys.len() >= self.min {
      *hint = leaf;
      return Some(slot);
    }
    if hinted {
      let found = self.descend(k);
      debug_assert_eq!(found, leaf, "hinted leaf must be where k routes");
    }
    self.rebalance_leaf(leaf);
    *hint = NIL;
    Some(slot)
  }

  /// Restores the minimum fill of non-root leaf `leaf` (one key short), whose
  /// parent is the last entry of `self.path`.
  fn rebalance_leaf(&mut self, leaf: u32) {
    let (p, i) = self.path.pop().expect("non-root leaf has a parent");
    let (p, i) = (p as usize, i as usize);
    let min = self.min;
    let nch = self.internals[p].children.len();
    if i > 0 {
      let s = self.internals[p].children[i - 1];
      if self.leaves[s as usize].keys.len() > min {
        let (sib, l) = pair_mut(&mut self.leaves, s, leaf);
        let last = sib.keys.len() - 1;
        l.keys.insert(0, sib.keys.get(last));
        l.slots.insert(0, sib.slots.pop().unwrap());
        sib.keys.truncate(last);
        self.internals[p].keys.set(i - 1, S::separator(sib.keys.last(), l.keys.first()));
        return;
      }
    }
    if i + 1 < nch {
      let s = self.internals[p].children[i + 1];
      if self.leaves[s as usize].keys.len() > min {
        let (l, sib) = pair_mut(&mut self.leaves, leaf, s);
        l.keys.push(sib.keys.first());
        l.slots.push(sib.slots.remove(0));
        sib.keys.remove(0);
        self.internals[p].keys.set(i, S::separator(l.keys.last(), sib.keys.first()));
        return;
      }
    }
    let children = &self.internals[p].children;
    let (li, ri, k) = if i > 0 { (children[i - 1], leaf, i - 1) } else { (leaf, children[i + 1], i) };
    let (a, b) = pair_mut(&mut self.leaves, li, ri);
    a.keys.extend_from(&b.keys, 0);
    a.slots.extend_from_slice(&b.slots);
    a.next = b.next;
    let next = b.next;
    if next != NIL {
      self.leaves[next as usize].prev = li;
    }
    self.free_leaf(ri);
    let n = &mut self.internals[p];
    n.keys.remove(k);
    n.children.remove(k + 1);
    self.rebalance_internal(p as u32);
  }

  /// Restores the fill of internal node `node` after it lost a child, walking
  /// up `self.path` (which holds `node`'s ancestors) while merges propagate.
  fn rebalance_internal(&mut self, mut node: u32) {
    let min = self.min;
    loop {
      let nch = self.internals[node as usize].children.len();
      let Some((p, i)) = self.path.pop() else {
        // `node` is the root: a root with one child hands over to it.
        if nch == 1 {
          self.root = self.internals[node as usize].children[0];
          self.height -= 1;
          self.free_internal(node);
        }
        return;
      };
      if nch >= min {
        return;
      }
      let (p, i) = (p as usize, i as usize);
      let pn = self.internals[p].children.len();
      if i > 0 {
        let s = self.internals[p].children[i - 1];
        if self.internals[s as usize].children.len() > min {
          // Rotate right: the sibling's last child moves over, the parent
          // separator comes down and the sibling's last key goes up.
          let mut sib = std::mem::take(&mut self.internals[s as usize]);
          let mut cur = std::mem::take(&mut self.internals[node as usize]);
          let par = &mut self.internals[p];
          cur.keys.insert(0, par.keys.get(i - 1));
          cur.children.insert(0, sib.children.pop().unwrap());
          let last = sib.keys.len() - 1;
          par.keys.set(i - 1, sib.keys.get(last));
          sib.keys.truncate(last);
          self.internals[s as usize] = sib;
          self.internals[node as usize] = cur;
          return;
        }
      }
      if i + 1 < pn {
        let s = self.internals[p].children[i + 1];
        if self.internals[s as usize].children.len() > min {
          // Rotate left, mirrored.
          let mut sib = std::mem::take(&mut self.internals[s as usize]);
          let mut cur = std::mem::take(&mut self.internals[node as usize]);
          let par = &mut self.internals[p];
          cur.keys.push(par.keys.get(i));
          cur.children.push(sib.children.remove(0));
          par.keys.set(i, sib.keys.first());
          sib.keys.remove(0);
          self.internals[s as usize] = sib;
          self.internals[node as usize] = cur;
          return;
        }
      }
      let children = &self.internals[p].children;
      let (li, ri, k) = if i > 0 { (children[i - 1], node, i - 1) } else { (node, children[i + 1], i) };
      let mut a = std::mem::take(&mut self.internals[li as usize]);
      let mut b = std::mem::take(&mut self.internals[ri as usize]);
      let par = &mut self.internals[p];
      a.keys.push(par.keys.get(k));
      a.keys.extend_from(&b.keys, 0);
      a.children.append(&mut b.children);
      par.keys.remove(k);
      par.children.remove(k + 1);
      self.internals[li as usize] = a;
      self.internals[ri as usize] = b;
      self.free_internal(ri);
      node = p as u32;
    }
  }

  // -------------------------------------------------------------------------
  // Scans.

  /// Calls `f` for the entries within the bounds, ascending (descending if
  /// `reverse`, starting at `hi`), at most `limit` of them.
  pub fn range<'s>(
    &'s self,
    lo: Bound<S::Ref<'_>>,
    hi: Bound<S::Ref<'_>>,
    limit: usize,
    reverse: bool,
    mut f: impl FnMut(S::Ref<'s>, u32),
  ) {
    if limit == 0 || self.len == 0 {
      return;
    }
    if let (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) = (lo, hi) {
      match S::cmp(a, b) {
        Ordering::Greater => return,
        Ordering::Equal if matches!(lo, Bound::Excluded(_)) || matches!(hi, Bound::Excluded(_)) => return,
        _ => {}
      }
    }
    let mut n = 0usize;
    if !reverse {
      let (mut leaf, mut pos) = match lo {
        Bound::Unbounded => (self.leftmost_leaf(), 0),
        Bound::Included(k) => {
          let l = self.find_leaf(k);
          (l, self.leaves[l as usize].keys.lower_bound(k))
        }
        Bound::Excluded(k) => {
          let l = self.find_leaf(k);
          (l, self.leaves[l as usize].keys.upper_bound(k))
        }
      };
      while leaf != NIL {
        let l = &self.leaves[leaf as usize];
        while pos < l.keys.len() {
          let k = l.keys.get(pos);
          match hi {
            Bound::Included(h) if S::lt(h, k) => return,
            Bound::Excluded(h) if !S::lt(k, h) => return,
            _ => {}
          }
          f(k, l.slots[pos]);
          n += 1;
          if n == limit {
            return;
          }
          pos += 1;
        }
        leaf = l.next;
        pos = 0;
      }
    } else {
      // `pos`: how many keys of `leaf` are candidates (those before it).
      let (mut leaf, mut pos) = match hi {
        Bound::Unbounded => {
          let l = self.rightmost_leaf();
          (l, self.leaves[l as usize].keys.len())
        }
        Bound::Included(k) => {
          let l = self.find_leaf(k);
          (l, self.leaves[l as usize].keys.upper_bound(k))
        }
        Bound::Excluded(k) => {
          let l = self.find_leaf(k);
          (l, self.leaves[l as usize].keys.lower_bound(k))
        }
      };
      loop {
        let l = &self.leaves[leaf as usize];
        while pos > 0 {
          pos -= 1;
          let k = l.keys.get(pos);
          match lo {
            Bound::Included(b) if S::lt(k, b) => return,
            Bound::Excluded(b) if !S::lt(b, k) => return,
            _ => {}
          }
          f(k, l.slots[pos]);
          n += 1;
          if n == limit {
            return;
          }
        }
        leaf = l.prev;
        if leaf == NIL {
          return;
        }
        pos = self.leaves[leaf as usize].keys.len();
      }
    }
  }

  // -------------------------------------------------------------------------
  // Bulk load.

  /// Loads `n` strictly ascending keys (`key(i)`) with their slots into an
  /// empty tree, bottom-up in O(n): full nodes except the last two of each
  /// level, which share evenly when the last would be under-filled.
  pub fn bulk_load<'k>(&mut self, n: usize, key: impl Fn(usize) -> S::Ref<'k>, slots: &[u32]) -> Result<(), String>
  where
    S: 'k,
  {
    if self.len != 0 {
      return Err("tree is not empty".into());
    }
    if slots.len() != n {
      return Err(format!("slots length {} does not match key count {n}", slots.len()));
    }
    for i in 1..n {
      if !S::lt(key(i - 1), key(i)) {
        return Err(format!("must be strictly ascending (key {i} is not greater than key {})", i - 1));
      }
    }
    self.reset();
    if n == 0 {
      return Ok(());
    }
    let order = self.order;
    let sizes = chunk_sizes(n, order, self.min);
    self.leaves = Vec::with_capacity(sizes.len());
    let mut level: Vec<u32> = Vec::with_capacity(sizes.len());
    // Per node of the level: the separator to its left (None for the first).
    let mut seps: Vec<Option<S::Owned>> = Vec::with_capacity(sizes.len());
    let mut start = 0;
    let count = sizes.len();
    for (j, &sz) in sizes.iter().enumerate() {
      let id = j as u32;
      let end = start + sz;
      let mut keys = S::default();
      keys.reserve_exact(sz, (start..end).map(|i| S::extra_bytes(key(i))).sum());
      for i in start..end {
        keys.push(key(i));
      }
      let mut node_slots = Vec::with_capacity(sz);
      node_slots.extend_from_slice(&slots[start..end]);
      self.leaves.push(Leaf {
        keys,
        slots: node_slots,
        prev: if j == 0 { NIL } else { id - 1 },
        next: if j + 1 == count { NIL } else { id + 1 },
      });
      level.push(id);
      seps.push((j > 0).then(|| S::to_owned_key(S::separator(key(start - 1), key(start)))));
      start = end;
    }
    let mut height = 0;
    while level.len() > 1 {
      let sizes = chunk_sizes(level.len(), order, self.min);
      let mut next_level = Vec::with_capacity(sizes.len());
      let mut next_seps = Vec::with_capacity(sizes.len());
      let mut it = level.into_iter().zip(seps);
      for sz in sizes {
        let mut node = Internal { keys: S::default(), children: Vec::with_capacity(sz) };
        let group: Vec<(u32, Option<S::Owned>)> = it.by_ref().take(sz).collect();
        let bytes = group[1..].iter().map(|(_, s)| S::extra_bytes(S::borrow_owned(s.as_ref().unwrap()))).sum();
        node.keys.reserve_exact(sz - 1, bytes);
        let mut left_sep = None;
        for (c, (child, sep)) in group.into_iter().enumerate() {
          if c == 0 {
            left_sep = sep;
          } else {
            node.keys.push(S::borrow_owned(sep.as_ref().expect("non-first child has a separator")));
          }
          node.children.push(child);
        }
        self.internals.push(node);
        next_level.push((self.internals.len() - 1) as u32);
        next_seps.push(left_sep);
      }
      level = next_level;
      seps = next_seps;
      height += 1;
    }
    self.root = level[0];
    self.height = height;
    self.len = n;
    Ok(())
  }

  // -------------------------------------------------------------------------
  // Invariants.

  /// "" when every invariant holds, else the first violation found.
  pub fn check(&self) -> String {
    match self.check_all() {
      Ok(()) => String::new(),
      Err(e) => e,
    }
  }

  fn check_all(&self) -> Result<(), String> {
    let mut seen_leaf = vec![false; self.leaves.len()];
    let mut seen_internal = vec![false; self.internals.len()];
    for &f in &self.free_leaves {
      let slot = seen_leaf.get_mut(f as usize).ok_or(format!("free leaf {f} out of range"))?;
      if std::mem::replace(slot, true) {
        return Err(format!("leaf {f} is on the free list twice"));
      }
    }
    for &f in &self.free_internals {
      let slot = seen_internal.get_mut(f as usize).ok_or(format!("free internal node {f} out of range"))?;
      if std::mem::replace(slot, true) {
        return Err(format!("internal node {f} is on the free list twice"));
      }
    }
    let mut order_of_leaves = Vec::new();
    self.check_node(
      self.root,
      self.height,
      Bound::Unbounded,
      Bound::Unbounded,
      true,
      &mut seen_leaf,
      &mut seen_internal,
      &mut order_of_leaves,
    )?;
    if let Some(i) = seen_leaf.iter().position(|s| !s) {
      return Err(format!("leaf {i} is neither reachable nor free"));
    }
    if let Some(i) = seen_internal.iter().position(|s| !s) {
      return Err(format!("internal node {i} is neither reachable nor free"));
    }
    // The linked chain must visit the leaves in tree order, both ways.
    let mut count = 0usize;
    let mut prev = NIL;
    let mut cur = order_of_leaves[0];
    let mut last_key: Option<S::Ref<'_>> = None;
    for (idx, &expect) in order_of_leaves.iter().enumerate() {
      if cur != expect {
        return Err(format!("leaf chain visits leaf {cur} at position {idx}, tree order has leaf {expect}"));
      }
      let l = &self.leaves[cur as usize];
      if l.prev != prev {
        return Err(format!("leaf {cur}: prev link is {} but the previous leaf is {prev}", l.prev as i64));
      }
      for i in 0..l.keys.len() {
        let k = l.keys.get(i);
        if let Some(p) = last_key {
          if !S::lt(p, k) {
            return Err(format!("leaf chain keys not strictly ascending at leaf {cur} index {i}"));
          }
        }
        last_key = Some(k);
      }
      count += l.keys.len();
      prev = cur;
      cur = l.next;
    }
    if cur != NIL {
      return Err(format!("last leaf {prev} links to leaf {cur}, expected none"));
    }
    if count != self.len {
      return Err(format!("leaves hold {count} keys but size is {}", self.len));
    }
    Ok(())
  }

  #[allow(clippy::too_many_arguments)]
  fn check_node<'s>(
    &'s self,
    id: u32,
    depth_left: usize,
    lo: Bound<S::Ref<'s>>,
    hi: Bound<S::Ref<'s>>,
    is_root: bool,
    seen_leaf: &mut [bool],
    seen_internal: &mut [bool],
    leaves_out: &mut Vec<u32>,
  ) -> Result<(), String> {
    let within = |k: S::Ref<'_>| {
      (match lo {
        Bound::Included(b) => !S::lt(k, b),
        _ => true,
      }) && (match hi {
        Bound::Excluded(b) => S::lt(k, b),
        _ => true,
      })
    };
    if depth_left == 0 {
      let seen = seen_leaf.get_mut(id as usize).ok_or(format!("leaf id {id} out of range"))?;
      if std::mem::replace(seen, true) {
        return Err(format!("leaf {id} is referenced twice or is on the free list"));
      }
      let l = &self.leaves[id as usize];
      let n = l.keys.len();
      if l.slots.len() != n {
        return Err(format!("leaf {id}: {} slots for {n} keys", l.slots.len()));
      }
      if n > self.order {
        return Err(format!("leaf {id} holds {n} keys, more than order {}", self.order));
      }
      if !is_root && n < self.min {
        return Err(format!("leaf {id} holds {n} keys, fewer than the minimum {}", self.min));
      }
      for i in 0..n {
        if i > 0 && !S::lt(l.keys.get(i - 1), l.keys.get(i)) {
          return Err(format!("leaf {id}: keys not strictly ascending at index {i}"));
        }
        if !within(l.keys.get(i)) {
          return Err(format!("leaf {id}: key {i} lies outside the bounds of its parent separators"));
        }
      }
      leaves_out.push(id);
      return Ok(());
    }
    let seen = seen_internal.get_mut(id as usize).ok_or(format!("internal node id {id} out of range"))?;
    if std::mem::replace(seen, true) {
      return Err(format!("internal node {id} is referenced twice or is on the free list"));
    }
    let n = &self.internals[id as usize];
    let nch = n.children.len();
    if n.keys.len() + 1 != nch {
      return Err(format!("internal node {id}: {} keys for {nch} children", n.keys.len()));
    }
    if nch > self.order {
      return Err(format!("internal node {id} has {nch} children, more than order {}", self.order));
    }
    let min = if is_root { 2 } else { self.min };
    if nch < min {
      return Err(format!("internal node {id} has {nch} children, fewer than the minimum {min}"));
    }
    for i in 0..n.keys.len() {
      if i > 0 && !S::lt(n.keys.get(i - 1), n.keys.get(i)) {
        return Err(format!("internal node {id}: separators not strictly ascending at index {i}"));
      }
      if !within(n.keys.get(i)) {
        return Err(format!("internal node {id}: separator {i} lies outside its own bounds"));
      }
    }
    for c in 0..nch {
      let clo = if c == 0 { lo } else { Bound::Included(n.keys.get(c - 1)) };
      let chi = if c + 1 == nch { hi } else { Bound::Excluded(n.keys.get(c)) };
      self.check_node(n.children[c], depth_left - 1, clo, chi, false, seen_leaf, seen_internal, leaves_out)?;
    }
    Ok(())
  }
}

impl BTree<super::keys::StrKeys> {
  /// Entries whose key starts with `prefix`, ascending, at most `limit`.
  pub fn prefix<'s>(&'s self, prefix: &[u8], limit: usize, f: impl FnMut(&'s [u8], u32)) {
    // Keys with the prefix are exactly those in [prefix, successor), where
    // the successor drops trailing 0xFF bytes and increments the last byte
    // (none: unbounded above).
    let mut succ = prefix.to_vec();
    while succ.last() == Some(&0xFF) {
      succ.pop();
    }
    let hi = match succ.last_mut() {
      Some(b) => {
        *b += 1;
        Bound::Excluded(&succ[..])
      }
      None => Bound::Unbounded,
    };
    self.range(Bound::Included(prefix), hi, limit, false, f);
  }
}

#[cfg(test)]
impl<S: KeySeq> BTree<S> {
  pub fn height(&self) -> usize {
    self.height
  }
  pub fn node_counts(&self) -> (usize, usize) {
    (self.leaves.len() - self.free_leaves.len(), self.internals.len() - self.free_internals.len())
  }
}

#[cfg(test)]
mod tests {
  use super::chunk_sizes;

  #[test]
  fn chunks_respect_bounds() {
    for cap in 4usize..40 {
      let min = cap.div_ceil(2);
      for n in 1..400 {
        let s = chunk_sizes(n, cap, min);
        assert_eq!(s.iter().sum::<usize>(), n);
        if s.len() > 1 {
          assert!(s.iter().all(|&x| x >= min && x <= cap), "{cap} {n} {s:?}");
        }
      }
    }
  }
}
