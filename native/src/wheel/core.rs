//! The wheel itself, free of napi. The algorithm contract (placement,
//! advance steps, ids, free-list policy, nextWake / nextDeadline) is the
//! header of `ts/core/wheel-core.ts`; every tier follows it so that ids,
//! expiry order and nextWake agree bit for bit.
//!
//! Storage is struct-of-arrays over node indices. Slots are numbered
//! globally: level l's slot s is `off[l] + s`, and the overflow list is
//! slot `off[L]`. One occupancy bitmap covers the level slots (bit g for
//! global slot g); `occupied[l]` counts the non-empty slots of level l so
//! that the lowest non-empty level is found without a bitmap scan.
//!
//! Every method either validates its input (returning an `ArgError`) or is
//! total over any input; nothing indexes out of bounds or overflows.

use crate::abi::{WHEEL_GEN_UNIT, WHEEL_MAX_TIMERS};
use crate::args;
use crate::error::{js_num, ArgError, ArgResult};

/// End of a list / no node.
pub const NIL: u32 = u32::MAX;
/// `slot` of a node that is not pending (free or retired).
pub const FREE: u32 = u32::MAX;
/// A node whose generation reaches this is retired, never reused.
pub const GEN_LIMIT: u32 = 1 << 27;
/// Largest tick a time may map to.
pub const MAX_TICK: u64 = 1 << 52;
pub const MAX_LEVELS: usize = 8;
pub const MIN_SLOTS: u32 = 2;
pub const MAX_SLOTS: u32 = 65536;
/// Most slots over all levels.
pub const MAX_TOTAL_SLOTS: u64 = 1 << 20;
/// Largest span S[L] of the whole wheel, in ticks.
pub const MAX_SPAN: u64 = 1 << 48;
pub const MIN_TICK_MS: f64 = 0.001;

/// Ids are below 2^53: gen < 2^27, index < 2^26.
const ID_LIMIT: f64 = (1u64 << 53) as f64;

pub struct Wheel {
  tick_ms: f64,
  /// Number of levels L.
  levels: usize,
  /// N[l], slots of level l.
  n: Vec<u64>,
  /// S[0..=L]: ticks per slot of level l; S[L] is the span of the wheel.
  s: Vec<u64>,
  /// Global index of level l's slot 0; off[L] is the overflow list.
  off: Vec<u32>,
  /// cur's level-(l+1) block is the tick range [start[l], end[l]): level l
  /// holds exactly the ticks p >= cur with p < end[l] (and p >= end[l-1]).
  start: Vec<u64>,
  end: Vec<u64>,
  /// Non-empty slots per level.
  occupied: Vec<u32>,
  /// List head per global slot (levels, then overflow).
  heads: Vec<u32>,
  /// Bit g set iff level slot g is non-empty.
  bits: Vec<u64>,

  deadline: Vec<f64>,
  seq: Vec<u64>,
  next: Vec<u32>,
  prev: Vec<u32>,
  slot: Vec<u32>,
  gen: Vec<u32>,
  /// LIFO of reusable node indices.
  free: Vec<u32>,

  cur: u64,
  now: f64,
  seq_counter: u64,
  size: u32,

  /// Scratch of advance.
  collected: Vec<u32>,
  sort_buf: Vec<(u64, u64, u32)>,
  /// Node indices expired by the last advance, in (deadline, seq) order.
  expired: Vec<u32>,
}

/// floor(t / tick_ms) in f64, as JS `Math.floor(t / tickMs)`; None when
/// `t` is not a time (non-finite, negative) or maps beyond MAX_TICK.
#[inline]
fn tick_of(t: f64, tick_ms: f64) -> Option<u64> {
  if !(t.is_finite() && t >= 0.0) {
    return None;
  }
  let q = (t / tick_ms).floor();
  if q <= MAX_TICK as f64 {
    Some(q as u64)
  } else {
    None
  }
}

/// Sort key of a deadline: non-negative finite f64s order as their bits
/// (-0 is mapped to +0 first).
#[inline]
fn deadline_key(d: f64) -> u64 {
  (d + 0.0).to_bits()
}

/// Why time `t` (argument `name`, element `label` of it) is not a time.
fn time_error(name: &'static str, label: &str, t: f64) -> ArgError {
  let what = if label == name { String::new() } else { format!("{label} ") };
  if !(t.is_finite() && t >= 0.0) {
    ArgError::new(name, format!("{what}must be a finite number >= 0, got {}", js_num(t)))
  } else {
    ArgError::new(name, format!("{what}{} maps to a tick beyond 2^52", js_num(t)))
  }
}

impl Wheel {
  /// `wheels`: slots per level, finest first.
  pub fn new(tick_ms: f64, wheels: &[u32], now: f64) -> ArgResult<Wheel> {
    if !(tick_ms.is_finite() && tick_ms >= MIN_TICK_MS) {
      return Err(ArgError::new(
        "tickMs",
        format!("must be a finite number >= {MIN_TICK_MS}, got {}", js_num(tick_ms)),
      ));
    }
    if wheels.is_empty() || wheels.len() > MAX_LEVELS {
      return Err(ArgError::new("wheels", format!("must hold 1 to {MAX_LEVELS} levels, got {}", wheels.len())));
    }
    // The sizes are validated and then size every buffer: a private copy
    // (at most MAX_LEVELS), so a SharedArrayBuffer rewritten meanwhile
    // cannot change a level after its check.
    let copy: [u32; MAX_LEVELS] = std::array::from_fn(|l| wheels.get(l).copied().unwrap_or(0));
    let wheels = &copy[..wheels.len()];
    let mut total: u64 = 0;
    let mut span: u64 = 1;
    for (i, &w) in wheels.iter().enumerate() {
      if !(MIN_SLOTS..=MAX_SLOTS).contains(&w) {
        return Err(ArgError::new("wheels", format!("wheels[{i}] = {w} is not in [{MIN_SLOTS}, {MAX_SLOTS}]")));
      }
      total += w as u64;
      // span <= 2^48 and w <= 2^16 may reach 2^64: saturate.
      span = span.saturating_mul(w as u64);
      if span > MAX_SPAN {
        return Err(ArgError::new("wheels", "the product of the level sizes exceeds 2^48"));
      }
    }
    if total > MAX_TOTAL_SLOTS {
      return Err(ArgError::new("wheels", format!("{total} slots in all exceed 2^20")));
    }
    let cur = match tick_of(now, tick_ms) {
      Some(t) => t,
      None => return Err(time_error("now", "now", now)),
    };
    let levels = wheels.len();
    let n: Vec<u64> = wheels.iter().map(|&w| w as u64).collect();
    let mut s = vec![1u64; levels + 1];
    let mut off = vec![0u32; levels + 1];
    for l in 0..levels {
      s[l + 1] = s[l] * n[l];
      off[l + 1] = off[l] + wheels[l];
    }
    let total = total as usize;
    let mut w = Wheel {
      tick_ms,
      levels,
      n,
      s,
      off,
      start: vec![0; levels],
      end: vec![0; levels],
      occupied: vec![0; levels],
      heads: vec![NIL; total + 1],
      bits: vec![0; total.div_ceil(64)],
      deadline: Vec::new(),
      seq: Vec::new(),
      next: Vec::new(),
      prev: Vec::new(),
      slot: Vec::new(),
      gen: Vec::new(),
      free: Vec::new(),
      cur,
      now,
      seq_counter: 0,
      size: 0,
      collected: Vec::new(),
      sort_buf: Vec::new(),
      expired: Vec::new(),
    };
    w.set_cur(cur);
    Ok(w)
  }

  /// Moves cur, recomputing the parent blocks that change (blocks nest: once
  /// cur lies in level l's parent block it lies in every higher one).
  fn set_cur(&mut self, cur: u64) {
    self.cur = cur;
    for l in 0..self.levels {
      if self.start[l] <= cur && cur < self.end[l] {
        break;
      }
      let sp = self.s[l + 1];
      let start = cur / sp * sp;
      self.start[l] = start;
      // start <= 2^52 and sp <= 2^48: no overflow.
      self.end[l] = start + sp;
    }
  }

  // ---------------------------------------------------------------------------
  // Accessors.

  pub fn now(&self) -> f64 {
    self.now
  }

  pub fn size(&self) -> u32 {
    self.size
  }

  #[cfg(test)]
  pub fn tick_ms(&self) -> f64 {
    self.tick_ms
  }

  /// Node indices ever allocated (pending, free or retired).
  #[cfg(test)]
  pub fn node_count(&self) -> usize {
    self.deadline.len()
  }

  /// Tick of a time argument named `name`, or why it is not one.
  pub fn time_arg(&self, name: &'static str, t: f64) -> ArgResult<u64> {
    tick_of(t, self.tick_ms).ok_or_else(|| time_error(name, name, t))
  }

  /// Checks every deadline of a batch, naming the first bad one.
  pub fn check_deadlines(&self, name: &'static str, ds: &[f64]) -> ArgResult<()> {
    match ds.iter().position(|&d| tick_of(d, self.tick_ms).is_none()) {
      Some(i) => Err(time_error(name, &format!("{name}[{i}]"), ds[i])),
      None => Ok(()),
    }
  }

  /// Bytes held by the wheel's buffers (their capacities).
  pub fn memory_bytes(&self) -> usize {
    fn b<T>(v: &Vec<T>) -> usize {
      v.capacity() * std::mem::size_of::<T>()
    }
    b(&self.n)
      + b(&self.s)
      + b(&self.off)
      + b(&self.start)
      + b(&self.end)
      + b(&self.occupied)
      + b(&self.heads)
      + b(&self.bits)
      + b(&self.deadline)
      + b(&self.seq)
      + b(&self.next)
      + b(&self.prev)
      + b(&self.slot)
      + b(&self.gen)
      + b(&self.free)
      + b(&self.collected)
      + b(&self.sort_buf)
      + b(&self.expired)
  }

  // ---------------------------------------------------------------------------
  // Lists and bitmap.

  /// Level of a level slot (g < off[L]).
  #[inline]
  fn level_of(&self, g: u32) -> usize {
    let mut l = 0;
    while l + 1 < self.levels && g >= self.off[l + 1] {
      l += 1;
    }
    l
  }

  #[inline]
  fn overflow(&self) -> u32 {
    self.off[self.levels]
  }

  #[inline]
  fn set_bit(&mut self, g: u32, l: usize) {
    let (w, b) = ((g >> 6) as usize, g & 63);
    if let Some(word) = self.bits.get_mut(w) {
      *word |= 1u64 << b;
    }
    self.occupied[l] += 1;
  }

  #[inline]
  fn clear_bit(&mut self, g: u32, l: usize) {
    let (w, b) = ((g >> 6) as usize, g & 63);
    if let Some(word) = self.bits.get_mut(w) {
      *word &= !(1u64 << b);
    }
    self.occupied[l] = self.occupied[l].saturating_sub(1);
  }

  /// First set bit g with from <= g <= to, if any.
  fn next_set(&self, from: u32, to: u32) -> Option<u32> {
    if from > to {
      return None;
    }
    let mut w = (from >> 6) as usize;
    let last = (to >> 6) as usize;
    let mut word = *self.bits.get(w)? & (!0u64 << (from & 63));
    loop {
      if word != 0 {
        let g = (w as u32) * 64 + word.trailing_zeros();
        return if g <= to { Some(g) } else { None };
      }
      w += 1;
      if w > last {
        return None;
      }
      word = *self.bits.get(w)?;
    }
  }

  /// Pushes node i at the head of global slot g (of level l, or overflow
  /// when l == levels).
  #[inline]
  fn link(&mut self, i: u32, g: u32, l: usize) {
    let iu = i as usize;
    let h = self.heads[g as usize];
    self.next[iu] = h;
    self.prev[iu] = NIL;
    self.slot[iu] = g;
    if h != NIL {
      self.prev[h as usize] = i;
    } else if l < self.levels {
      self.set_bit(g, l);
    }
    self.heads[g as usize] = i;
  }

  /// Removes pending node i from its list (its slot field is left as is).
  #[inline]
  fn unlink(&mut self, i: u32) {
    let iu = i as usize;
    let (p, nx, g) = (self.prev[iu], self.next[iu], self.slot[iu]);
    if nx != NIL {
      self.prev[nx as usize] = p;
    }
    if p != NIL {
      self.next[p as usize] = nx;
    } else {
      self.heads[g as usize] = nx;
      if nx == NIL && g < self.overflow() {
        let l = self.level_of(g);
        self.clear_bit(g, l);
      }
    }
  }

  /// Detaches the whole list of level slot g, returning its head.
  #[inline]
  fn take_slot(&mut self, g: u32, l: usize) -> u32 {
    let h = std::mem::replace(&mut self.heads[g as usize], NIL);
    if h != NIL {
      self.clear_bit(g, l);
    }
    h
  }

  /// (level, global slot) of tick `tick` relative to cur; level == levels
  /// is the overflow list.
  #[inline]
  fn placement(&self, tick: u64) -> (usize, u32) {
    let p = tick.max(self.cur);
    let mut l = 0;
    while l < self.levels && p >= self.end[l] {
      l += 1;
    }
    if l == self.levels {
      (l, self.overflow())
    } else {
      // start[l] <= cur <= p < end[l]: the slot is below N[l].
      (l, self.off[l] + ((p - self.start[l]) / self.s[l]) as u32)
    }
  }

  #[inline]
  fn place(&mut self, i: u32) {
    let tick = tick_of(self.deadline[i as usize], self.tick_ms).unwrap_or(MAX_TICK);
    let (l, g) = self.placement(tick);
    self.link(i, g, l);
  }

  // ---------------------------------------------------------------------------
  // Nodes and ids.

  #[inline]
  fn id_of(&self, i: u32) -> f64 {
    (self.gen[i as usize] as u64 * WHEEL_GEN_UNIT + i as u64) as f64
  }

  /// The node index of a pending timer's id; None for anything else.
  #[inline]
  fn decode(&self, id: f64) -> Option<u32> {
    // NaN fails the comparisons.
    if !((WHEEL_GEN_UNIT as f64)..ID_LIMIT).contains(&id) || id.fract() != 0.0 {
      return None;
    }
    let u = id as u64;
    let (g, i) = ((u / WHEEL_GEN_UNIT) as u32, (u % WHEEL_GEN_UNIT) as usize);
    if i < self.gen.len() && self.gen[i] == g && self.slot[i] != FREE {
      Some(i as u32)
    } else {
      None
    }
  }

  /// A node index for a new timer: the free list's head, else a fresh one.
  fn alloc(&mut self) -> Option<u32> {
    if let Some(i) = self.free.pop() {
      return Some(i);
    }
    let i = self.deadline.len();
    if i >= WHEEL_MAX_TIMERS as usize {
      return None;
    }
    self.deadline.push(0.0);
    self.seq.push(0);
    self.next.push(NIL);
    self.prev.push(NIL);
    self.slot.push(FREE);
    self.gen.push(1);
    Some(i as u32)
  }

  /// Marks a pending (already unlinked) node free: bump gen, LIFO unless
  /// retired.
  #[inline]
  fn release(&mut self, i: u32) {
    let iu = i as usize;
    self.slot[iu] = FREE;
    self.next[iu] = NIL;
    self.prev[iu] = NIL;
    self.gen[iu] += 1;
    if self.gen[iu] < GEN_LIMIT {
      self.free.push(i);
    }
    self.size -= 1;
  }

  /// Schedules a validated deadline (tick known to be <= MAX_TICK).
  #[inline]
  fn schedule_valid(&mut self, d: f64) -> f64 {
    let Some(i) = self.alloc() else { return -1.0 };
    let iu = i as usize;
    self.deadline[iu] = d;
    self.seq[iu] = self.seq_counter;
    self.seq_counter += 1;
    self.size += 1;
    self.place(i);
    self.id_of(i)
  }

  // ---------------------------------------------------------------------------
  // Operations.

  /// Adds a timer; its id, or -1 when no node index is left.
  pub fn schedule(&mut self, deadline: f64) -> ArgResult<f64> {
    self.time_arg("deadline", deadline)?;
    Ok(self.schedule_valid(deadline))
  }

  /// `schedule` per deadline, all validated first; `out` as long as
  /// `deadlines` (the bindings check the length; extra entries are skipped).
  pub fn schedule_many(&mut self, deadlines: &[f64], out: &mut [f64]) -> ArgResult<()> {
    if deadlines.len() != out.len() {
      return args::same_len(("deadlines", deadlines.len()), ("outIds", out.len()));
    }
    self.check_deadlines("deadlines", deadlines)?;
    let extra = deadlines.len().saturating_sub(self.free.len());
    let fresh_left = (WHEEL_MAX_TIMERS as usize).saturating_sub(self.deadline.len());
    let grow = extra.min(fresh_left);
    // Fallible, and before any timer is scheduled: memory that cannot be
    // had is an error with nothing applied, not an abort.
    let reserved = self.deadline.try_reserve(grow).is_ok()
      && self.seq.try_reserve(grow).is_ok()
      && self.next.try_reserve(grow).is_ok()
      && self.prev.try_reserve(grow).is_ok()
      && self.slot.try_reserve(grow).is_ok()
      && self.gen.try_reserve(grow).is_ok();
    if !reserved {
      return Err(ArgError::new("deadlines", format!("needs {grow} more timer nodes than memory allows")));
    }
    for (o, &d) in out.iter_mut().zip(deadlines) {
      *o = self.schedule_valid(d);
    }
    Ok(())
  }

  /// Removes a pending timer; false for anything else (any f64 accepted).
  pub fn cancel(&mut self, id: f64) -> bool {
    match self.decode(id) {
      Some(i) => {
        self.unlink(i);
        self.release(i);
        true
      }
      None => false,
    }
  }

  /// Moves a pending timer to a new deadline with a new seq; the id stays.
  pub fn reschedule(&mut self, id: f64, deadline: f64) -> ArgResult<bool> {
    self.time_arg("deadline", deadline)?;
    let Some(i) = self.decode(id) else { return Ok(false) };
    self.unlink(i);
    let iu = i as usize;
    self.deadline[iu] = deadline;
    self.seq[iu] = self.seq_counter;
    self.seq_counter += 1;
    self.place(i);
    Ok(true)
  }

  /// Moves time to `now`; the expired node indices in (deadline, seq) order
  /// (valid until the next advance).
  pub fn advance(&mut self, now: f64) -> ArgResult<&[u32]> {
    if !(now.is_finite() && now >= self.now) {
      return Err(ArgError::new(
        "now",
        format!("must be finite and >= the wheel's now ({}), got {}", js_num(self.now), js_num(now)),
      ));
    }
    let t = self.time_arg("now", now)?;
    let old = self.cur;
    let levels = self.levels;
    let mut expired = std::mem::take(&mut self.expired);
    let mut collected = std::mem::take(&mut self.collected);
    expired.clear();
    collected.clear();

    // 1. Overflow, once per top-level rotation crossed: floor(T/S[L]) >
    // floor(old/S[L]) exactly when T is past the end of old's rotation.
    let top = self.s[levels];
    if t >= self.end[levels - 1] {
      let limit = t / top;
      let mut i = self.heads[self.overflow() as usize];
      while i != NIL {
        let nx = self.next[i as usize];
        let tick = tick_of(self.deadline[i as usize], self.tick_ms).unwrap_or(MAX_TICK);
        if tick / top <= limit {
          self.unlink(i);
          collected.push(i);
        }
        i = nx;
      }
    }

    // 2. Levels. In local slot numbers (s = block - base, where old's parent
    // block [start[l], end[l]) is blocks base..base+N[l]): the range is
    // [bOld - base, min(bT - base, N[l] - 1)], and a slot's nodes all expire
    // when s < bT - base (N[l] when T is past the level).
    for l in 0..levels {
      // bT == bOld for level l, and so for every level above, when T is
      // still in old's level-l block, which ends at end[l - 1].
      if l >= 1 && t < self.end[l - 1] {
        break;
      }
      let (sl, start, n) = (self.s[l], self.start[l], self.n[l]);
      let div = |x: u64| if sl == 1 { x } else { x / sl };
      let lo = div(old - start);
      let t_local = if t < self.end[l] { div(t - start) } else { n };
      let hi = t_local.min(n - 1);
      let off = self.off[l];
      // lo <= hi < N[l] <= 65536: the u32 casts are exact.
      let (mut from, to) = (off + lo as u32, off + hi as u32);
      while let Some(g) = self.next_set(from, to) {
        let fires = ((g - off) as u64) < t_local;
        let mut i = self.take_slot(g, l);
        let dst = if fires { &mut expired } else { &mut collected };
        while i != NIL {
          dst.push(i);
          i = self.next[i as usize];
        }
        from = g + 1;
      }
    }

    // 3. New cur; collected nodes expire or are placed again.
    self.set_cur(t);
    self.now = now;
    for &i in &collected {
      if self.deadline[i as usize] <= now {
        expired.push(i);
      } else {
        self.place(i);
      }
    }

    // 4. (deadline, seq) order, then free.
    if expired.len() > 1 {
      let mut buf = std::mem::take(&mut self.sort_buf);
      buf.clear();
      buf.extend(expired.iter().map(|&i| (deadline_key(self.deadline[i as usize]), self.seq[i as usize], i)));
      buf.sort_unstable_by_key(|e| (e.0, e.1));
      expired.clear();
      expired.extend(buf.iter().map(|e| e.2));
      self.sort_buf = buf;
    }
    for &i in &expired {
      self.release(i);
    }
    self.collected = collected;
    self.expired = expired;
    Ok(&self.expired)
  }

  /// Lowest non-empty level, or `levels` when only overflow holds nodes.
  fn lowest_level(&self) -> usize {
    (0..self.levels).find(|&l| self.occupied[l] > 0).unwrap_or(self.levels)
  }

  /// First occupied global slot of non-empty level l.
  fn first_slot(&self, l: usize) -> Option<u32> {
    let (off, last) = (self.off[l], self.off[l + 1] - 1);
    // Level 0 holds nothing before cur's slot; start the scan there.
    let from = if l == 0 { off + (self.cur - self.start[0]) as u32 } else { off };
    self.next_set(from, last).or_else(|| self.next_set(off, last))
  }

  fn min_deadline(&self, mut i: u32) -> f64 {
    let mut best = f64::INFINITY;
    while i != NIL {
      let d = self.deadline[i as usize];
      if d < best {
        best = d;
      }
      i = self.next[i as usize];
    }
    best
  }

  /// See the contract; -1 when empty.
  pub fn next_wake(&self) -> f64 {
    if self.size == 0 {
      return -1.0;
    }
    let l = self.lowest_level();
    if l == self.levels {
      // (floor(cur/S[L]) + 1) * S[L] * tickMs
      return self.start_time(self.end[l - 1]);
    }
    let Some(g) = self.first_slot(l) else { return -1.0 };
    if l == 0 {
      self.min_deadline(self.heads[g as usize])
    } else {
      // (base + s) * S[l] * tickMs, the integer part exact.
      self.start_time(self.start[l] + (g - self.off[l]) as u64 * self.s[l])
    }
  }

  /// The least f64 time whose tick is `tick`: tick * tickMs, stepped up an ulp
  /// at a time where rounding put it one tick short (tickMs like 0.7), so a
  /// driver advancing to nextWake always reaches the slot.
  fn start_time(&self, tick: u64) -> f64 {
    let mut x = tick as f64 * self.tick_ms;
    while (x / self.tick_ms).floor() < tick as f64 {
      x = x.next_up();
    }
    x
  }

  /// The least pending deadline; -1 when empty.
  pub fn next_deadline(&self) -> f64 {
    if self.size == 0 {
      return -1.0;
    }
    let l = self.lowest_level();
    let head = if l == self.levels {
      self.heads[self.overflow() as usize]
    } else {
      match self.first_slot(l) {
        Some(g) => self.heads[g as usize],
        None => return -1.0,
      }
    };
    self.min_deadline(head)
  }

  /// Frees every pending node in ascending index order; time and seq stay.
  pub fn clear(&mut self) {
    for i in 0..self.deadline.len() as u32 {
      if self.slot[i as usize] != FREE {
        self.release(i);
      }
    }
    self.heads.fill(NIL);
    self.bits.fill(0);
    self.occupied.fill(0);
    self.size = 0;
  }

  // ---------------------------------------------------------------------------
  // Invariants.

  /// "" when all structural invariants hold, else the first violation.
  pub fn check(&self) -> String {
    match self.check_all() {
      Ok(()) => String::new(),
      Err(e) => e,
    }
  }

  fn check_all(&self) -> Result<(), String> {
    let count = self.deadline.len();
    for (name, len) in [
      ("seq", self.seq.len()),
      ("next", self.next.len()),
      ("prev", self.prev.len()),
      ("slot", self.slot.len()),
      ("gen", self.gen.len()),
    ] {
      if len != count {
        return Err(format!("{name} holds {len} entries, deadline {count}"));
      }
    }
    if tick_of(self.now, self.tick_ms) != Some(self.cur) {
      return Err(format!("cur {} is not the tick of now {}", self.cur, self.now));
    }
    let levels = self.levels;
    let overflow = self.overflow();
    if self.heads.len() != overflow as usize + 1 {
      return Err(format!("{} slot heads, expected {}", self.heads.len(), overflow + 1));
    }
    let mut linked = 0usize;
    let mut occupied = vec![0u32; levels];
    for g in 0..=overflow {
      let head = self.heads[g as usize];
      let is_level = g < overflow;
      let l = if is_level { self.level_of(g) } else { levels };
      if is_level {
        let bit = self.bits.get((g >> 6) as usize).is_some_and(|w| w >> (g & 63) & 1 == 1);
        if bit != (head != NIL) {
          return Err(format!(
            "slot {g}: bitmap bit {bit} but list {}",
            if head == NIL { "empty" } else { "non-empty" }
          ));
        }
        if head != NIL {
          occupied[l] += 1;
        }
      }
      let mut prev = NIL;
      let mut i = head;
      while i != NIL {
        let iu = i as usize;
        if iu >= count {
          return Err(format!("slot {g}: node {i} out of range"));
        }
        linked += 1;
        if linked > count {
          return Err(format!("slot {g}: list has a cycle"));
        }
        if self.prev[iu] != prev {
          return Err(format!("slot {g}: node {i} has prev {} instead of {prev}", self.prev[iu]));
        }
        if self.slot[iu] != g {
          return Err(format!("node {i} is in slot {g} but records slot {}", self.slot[iu]));
        }
        let gen = self.gen[iu];
        if !(1..GEN_LIMIT).contains(&gen) {
          return Err(format!("pending node {i} has generation {gen}"));
        }
        let d = self.deadline[iu];
        let Some(tick) = tick_of(d, self.tick_ms) else {
          return Err(format!("node {i} has deadline {d}, not a time"));
        };
        let (pl, pg) = self.placement(tick);
        if (pl, pg) != (l, g) {
          return Err(format!("node {i} (tick {tick}, cur {}) is in slot {g} of level {l}, belongs in {pg}", self.cur));
        }
        if l == levels && tick / self.s[levels] <= self.cur / self.s[levels] {
          return Err(format!("overflow node {i} (tick {tick}) is within cur's rotation"));
        }
        if self.seq[iu] >= self.seq_counter {
          return Err(format!("node {i} has seq {} >= counter {}", self.seq[iu], self.seq_counter));
        }
        prev = i;
        i = self.next[iu];
      }
    }
    if occupied != self.occupied {
      return Err(format!("occupied counts {:?}, bitmap says {occupied:?}", self.occupied));
    }
    // Bits beyond the last level slot stay clear.
    for g in overflow..(self.bits.len() as u32 * 64) {
      if self.bits.get((g >> 6) as usize).is_some_and(|w| w >> (g & 63) & 1 == 1) {
        return Err(format!("bitmap bit {g} beyond the level slots is set"));
      }
    }
    if linked != self.size as usize {
      return Err(format!("size {} but {linked} linked nodes", self.size));
    }
    let pending = self.slot.iter().filter(|&&s| s != FREE).count();
    if pending != linked {
      return Err(format!("{pending} nodes have a slot but {linked} are linked"));
    }
    let mut on_free = vec![false; count];
    for &f in &self.free {
      let fu = f as usize;
      if fu >= count {
        return Err(format!("free node {f} out of range"));
      }
      if std::mem::replace(&mut on_free[fu], true) {
        return Err(format!("node {f} is on the free list twice"));
      }
      if self.slot[fu] != FREE {
        return Err(format!("free node {f} has slot {}", self.slot[fu]));
      }
      if self.gen[fu] >= GEN_LIMIT || self.gen[fu] == 0 {
        return Err(format!("free node {f} has generation {}", self.gen[fu]));
      }
    }
    for (i, &free) in on_free.iter().enumerate() {
      if self.slot[i] == FREE && !free && self.gen[i] != GEN_LIMIT {
        return Err(format!("node {i} is neither pending, free nor retired"));
      }
    }
    Ok(())
  }

  /// Test hook: sets a node's generation (to exercise retirement).
  #[cfg(test)]
  pub(super) fn set_gen(&mut self, i: u32, gen: u32) {
    self.gen[i as usize] = gen;
  }

  #[cfg(test)]
  pub(super) fn free_list(&self) -> &[u32] {
    &self.free
  }
}
