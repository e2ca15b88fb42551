//! The `NativeQuantileSketch` class: argument checks and typed-array
//! plumbing around `core::Sketch`. Every call on a disposed sketch throws.
//!
//! The sketches live in a per-thread registry (a JS object, its calls and
//! its finalizer stay on one thread); an object holds its slot and the
//! slot's generation, which JS sees as one number, `id`. The calls that
//! name other sketches or run once per query (`merge`, `mergeMany`,
//! `summary`, `binsInto`) are static functions taking ids: napi's
//! conversion of a class instance (`this` included: unwrap, type-tag check,
//! borrow registration) costs ~0.4-0.6 µs, more than such a call's work.
//! An id names at most a live sketch of this thread; a stale one (of a
//! disposed or collected sketch) matches no slot, as its generation moved on.

use std::cell::RefCell;

use napi::bindgen_prelude::Float64ArraySlice;
use napi::{Error, Result};
use napi_derive::napi;

use super::core::{Config, Sketch};
use crate::args;
use crate::error::{js_num, state_error, ArgError};

/// One registry entry: the generation counts the sketches it held.
struct Slot {
  gen: u32,
  sketch: Option<Sketch>,
}

/// Ids are gen * 2^32 + slot, below 2^53; a slot whose generation would
/// reach this is retired (never reused).
const GEN_LIMIT: u32 = 1 << 21;
const SLOT_SPAN: f64 = 4294967296.0;

struct Registry {
  slots: Vec<Slot>,
  free: Vec<u32>,
}

thread_local! {
  static SKETCHES: RefCell<Registry> = const { RefCell::new(Registry { slots: Vec::new(), free: Vec::new() }) };
}

/// A slot and its generation.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Handle {
  slot: u32,
  gen: u32,
}

impl Handle {
  fn id(self) -> f64 {
    self.gen as f64 * SLOT_SPAN + self.slot as f64
  }

  /// The handle of an id (an integer in [0, 2^53)), else None.
  fn of(id: f64) -> Option<Handle> {
    if !((0.0..9007199254740992.0).contains(&id) && id.fract() == 0.0) {
      return None;
    }
    let u = id as u64;
    Some(Handle { slot: u as u32, gen: (u >> 32) as u32 })
  }
}

impl Registry {
  fn insert(&mut self, s: Sketch) -> Result<Handle> {
    if let Some(i) = self.free.pop() {
      let slot = &mut self.slots[i as usize];
      slot.sketch = Some(s);
      return Ok(Handle { slot: i, gen: slot.gen });
    }
    let i = u32::try_from(self.slots.len()).map_err(|_| state_error("too many sketches"))?;
    self.slots.push(Slot { gen: 0, sketch: Some(s) });
    Ok(Handle { slot: i, gen: 0 })
  }

  fn get(&self, h: Handle) -> Option<&Sketch> {
    self.slots.get(h.slot as usize).filter(|s| s.gen == h.gen)?.sketch.as_ref()
  }

  fn get_mut(&mut self, h: Handle) -> Option<&mut Sketch> {
    self.slots.get_mut(h.slot as usize).filter(|s| s.gen == h.gen)?.sketch.as_mut()
  }

  /// Frees h's sketch (if it is still there) and its slot.
  fn remove(&mut self, h: Handle) {
    let Some(slot) = self.slots.get_mut(h.slot as usize).filter(|s| s.gen == h.gen) else { return };
    slot.sketch = None;
    slot.gen += 1;
    if slot.gen < GEN_LIMIT {
      self.free.push(h.slot);
    }
  }
}

/// Runs f on the registry (no JS runs meanwhile, so it cannot be borrowed
/// already; a failed borrow is an error all the same, not a panic).
fn registry<R>(f: impl FnOnce(&mut Registry) -> Result<R>) -> Result<R> {
  SKETCHES.with(|r| f(&mut *r.try_borrow_mut().map_err(|_| state_error("sketch is in use"))?))
}

/// Runs f on the sketch of id (the `id` argument).
fn with_id<R>(id: f64, f: impl FnOnce(&mut Sketch) -> Result<R>) -> Result<R> {
  let h = Handle::of(id).ok_or_else(|| bad_id("id", id))?;
  registry(|r| f(r.get_mut(h).ok_or_else(disposed)?))
}

fn bad_id(name: &'static str, id: f64) -> Error {
  ArgError::new(name, format!("{} is not a sketch id", js_num(id))).into()
}

/// DDSketch-style quantile sketch storage: the contract of
/// `ts/contract/sketch.ts`.
#[napi(js_name = "NativeQuantileSketch")]
pub struct NativeQuantileSketch {
  h: Handle,
}

/// A call on a disposed sketch (a TypeError in the TS glue).
fn disposed() -> Error {
  state_error("sketch is disposed")
}

impl NativeQuantileSketch {
  fn with<R>(&self, f: impl FnOnce(&mut Sketch) -> Result<R>) -> Result<R> {
    registry(|r| f(r.get_mut(self.h).ok_or_else(disposed)?))
  }
}

impl Drop for NativeQuantileSketch {
  /// The finalizer: frees the slot (unless dispose() did). At thread exit
  /// the registry may be gone, and its own drop frees everything.
  fn drop(&mut self) {
    let h = self.h;
    let _ = SKETCHES.try_with(|r| {
      if let Ok(mut r) = r.try_borrow_mut() {
        r.remove(h);
      }
    });
  }
}

/// How many sketches ahead mergeMany prefetches.
const PREFETCH_AHEAD: usize = 3;

/// merge(other) for each of others (ids) in order, all checked first (not
/// disposed, the same mapping). Errors name the argument `arg` and, for a
/// list, the element (`arg[i]`).
fn merge_ids(id: f64, others: &[f64], arg: &'static str, list_arg: bool) -> Result<()> {
  // "others[3] " (a list's element), or "" (the argument itself).
  let elem = |i: usize| if list_arg { format!("{arg}[{i}] ") } else { String::new() };
  let me = Handle::of(id).ok_or_else(|| bad_id("id", id))?;
  // Each id read once (the array may be shared with another thread).
  let mut list = Vec::with_capacity(others.len());
  for (i, &o) in others.iter().enumerate() {
    match Handle::of(o) {
      Some(h) => list.push(h),
      None => {
        return Err(
          ArgError::new(
            arg,
            format!(
              "{}{} is not a sketch id",
              if list_arg { format!("{arg}[{i}] = ") } else { String::new() },
              js_num(o)
            ),
          )
          .into(),
        )
      }
    }
  }
  registry(|r| {
    let mine = *r.get(me).ok_or_else(disposed)?.config();
    for (i, &h) in list.iter().enumerate() {
      if h == me {
        continue;
      }
      match r.get(h) {
        None => {
          let what = if list_arg { format!("{arg}[{i}]") } else { format!("{arg} sketch") };
          return Err(state_error(format!("{what} is disposed")));
        }
        Some(x) if !x.config().same_mapping(&mine) => {
          return Err(
            ArgError::new(arg, format!("{}has a different mapping, multiplier, offset or scale", elem(i))).into(),
          )
        }
        Some(_) => {}
      }
    }
    // This sketch mutably beside the others: split the slots around its own.
    let at = me.slot as usize;
    let (below, rest) = r.slots.split_at_mut(at);
    let Some((mid, above)) = rest.split_first_mut() else { return Err(disposed()) };
    let Some(s) = mid.sketch.as_mut() else { return Err(disposed()) };
    let other = |h: Handle| {
      let i = h.slot as usize;
      let slot = if i < at { below.get(i) } else { above.get(i - at - 1) };
      slot.and_then(|x| x.sketch.as_ref()).filter(|_| h != me)
    };
    for (j, &h) in list.iter().enumerate() {
      // Counts of sketches a few ahead start loading now (from DRAM when
      // they are cold, ~0.1 µs away).
      if let Some(o) = list.get(j + PREFETCH_AHEAD).and_then(|&h| other(h)) {
        o.prefetch();
      }
      if h == me {
        s.merge_self();
      } else if let Some(o) = other(h) {
        s.merge(o)?;
      }
    }
    Ok(())
  })
}

#[napi]
impl NativeQuantileSketch {
  /// mapping: 0 cubic, 1 log, 2 exp (ABI SKETCH_*). multiplier: finite > 0.
  /// offset: added to every key. scale: 1..20 for exp, else 0. maxBins:
  /// 1..2^20 bins per store. Every key must fit in 32 bits.
  #[napi(constructor, catch_unwind)]
  pub fn new(mapping: u32, multiplier: f64, offset: i32, scale: u32, max_bins: u32) -> Result<Self> {
    let cfg = Config::new(mapping, multiplier, offset, scale, max_bins)?;
    let h = registry(|r| r.insert(Sketch::new(cfg)))?;
    Ok(NativeQuantileSketch { h })
  }

  /// This sketch's id, for the static calls (an integer below 2^53; it
  /// names no other sketch, even after this one is disposed).
  #[napi(getter)]
  pub fn id(&self) -> f64 {
    self.h.id()
  }

  /// All or nothing: -1, or the index of the first non-finite value (then
  /// nothing was added).
  #[napi(catch_unwind)]
  pub fn add(&self, values: &[f64]) -> Result<f64> {
    // Values are read in place: a rewrite from another thread (the API
    // passes a private copy, so only a direct caller can) changes what is
    // added, never memory safety; the key arithmetic is total.
    self.with(|s| Ok(s.add(values) as f64))
  }

  /// One value with count weight (a positive safe integer).
  #[napi(js_name = "addWeighted", catch_unwind)]
  pub fn add_weighted(&self, value: f64, weight: f64) -> Result<()> {
    self.with(|s| {
      if !value.is_finite() {
        return Err(ArgError::new("value", format!("must be a finite number, got {}", js_num(value))).into());
      }
      if !((1.0..=9007199254740991.0).contains(&weight) && weight.fract() == 0.0) {
        return Err(ArgError::new("weight", format!("must be a positive safe integer, got {}", js_num(weight))).into());
      }
      s.add_weighted(value, weight);
      Ok(())
    })
  }

  /// Writes count, sum, min, max, zeroCount of the sketch `id` into
  /// out[0..5).
  #[napi(catch_unwind)]
  pub fn summary(id: f64, mut out: Float64ArraySlice) -> Result<()> {
    with_id(id, |s| {
      if out.len() < 5 {
        return Err(ArgError::new("out", format!("length {} is below 5", out.len())).into());
      }
      // SAFETY: `out` is the only typed array of this call (nothing else
      // borrows its memory) and JS is blocked for the duration of the call,
      // so this is the only live reference.
      let out = unsafe { out.as_mut() };
      out[..5].copy_from_slice(&s.summary());
      Ok(())
    })
  }

  /// bins() of the sketch `id` in one crossing, into out from index at:
  /// out[at..at + 5) = zeroCount, negOffset, negLen, posOffset, posLen (the
  /// non-zero range per store, lowest key first; an empty store has offset
  /// 0 and length 0), then, if out is long enough, negLen neg counts and
  /// posLen pos counts. Returns 5 + negLen + posLen, what that takes (more
  /// than out.length - at: only the five were written).
  #[napi(js_name = "binsInto", catch_unwind)]
  pub fn bins_into(id: f64, mut out: Float64ArraySlice, at: f64) -> Result<f64> {
    with_id(id, |s| {
      let at = args::int_arg("at", at)?;
      let len = out.len();
      if len < 5 || at > len - 5 {
        return Err(ArgError::new("at", format!("{at} leaves fewer than 5 of out's {len} elements")).into());
      }
      // SAFETY: `out` is the only typed array of this call (nothing else
      // borrows its memory) and JS is blocked for the duration of the call,
      // so this is the only live reference.
      let out = unsafe { &mut out.as_mut()[at..] };
      let info = s.bins_info();
      let (nl, pl) = (info[2] as usize, info[4] as usize);
      out[..5].copy_from_slice(&info);
      let need = 5 + nl + pl;
      if let Some(rest) = out.get_mut(5..need) {
        let (neg, pos) = rest.split_at_mut(nl);
        // The lengths are bins_info's: copy_bins cannot refuse them.
        s.copy_bins(neg, pos).map_err(|name| state_error(format!("binsInto: {name} changed length")))?;
      }
      Ok(need as f64)
    })
  }

  /// Merges exported bins (neg[i] at key negOffset + i, pos likewise; counts
  /// finite and >= 0) and their summary.
  #[napi(js_name = "addBins", catch_unwind)]
  #[allow(clippy::too_many_arguments)]
  pub fn add_bins(
    &self,
    zero_count: f64,
    neg_offset: f64,
    neg: &[f64],
    pos_offset: f64,
    pos: &[f64],
    count: f64,
    sum: f64,
    min: f64,
    max: f64,
  ) -> Result<()> {
    self.with(|s| {
      // Counts are validated and then trusted (the windows rely on them
      // being >= 0): private copies, so a SharedArrayBuffer rewritten
      // meanwhile cannot slip an unchecked one in.
      let neg = args::snapshot("neg", neg)?;
      let pos = args::snapshot("pos", pos)?;
      Ok(s.add_bins(zero_count, neg_offset, &neg, pos_offset, &pos, count, sum, min, max)?)
    })
  }

  /// addBins(bins of `other`, its summary) into the sketch `id` (ids; the
  /// same mapping). Merging a sketch with itself doubles every count.
  #[napi(catch_unwind)]
  pub fn merge(id: f64, other: f64) -> Result<()> {
    merge_ids(id, &[other], "other", false)
  }

  /// merge(id, o) for each id o of others in order (one crossing for
  /// many); every one is checked (not disposed, the same mapping) before
  /// any is merged. id may be among them (its counts double there).
  #[napi(js_name = "mergeMany", catch_unwind)]
  pub fn merge_many(id: f64, others: &[f64]) -> Result<()> {
    merge_ids(id, others, "others", true)
  }

  /// Empties the sketch (the configuration stays).
  #[napi(catch_unwind)]
  pub fn clear(&self) -> Result<()> {
    self.with(|s| {
      s.clear();
      Ok(())
    })
  }

  /// Frees the sketch now; every later call but dispose() throws.
  #[napi(catch_unwind)]
  pub fn dispose(&self) -> Result<()> {
    registry(|r| {
      r.remove(self.h);
      Ok(())
    })
  }
}
