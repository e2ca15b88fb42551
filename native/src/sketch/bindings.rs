//! The `NativeQuantileSketch` class: argument checks and typed-array
//! plumbing around `core::Sketch`. Every method of a disposed sketch throws.
//!
//! Methods take `&self` and the sketch sits in a RefCell: `merge(other)`
//! with `other` the same JS object would otherwise hold `&mut` and `&` of
//! one value (napi's borrow guard refuses that call with an error; here it
//! doubles every count, as the JS tier does).

use std::cell::RefCell;

use napi::bindgen_prelude::{Float64Array, Float64ArraySlice};
use napi::{Error, Result};
use napi_derive::napi;

use super::core::{js_num, Config, Sketch};
use crate::args;
use crate::error::{state_error, ArgError};

/// DDSketch-style quantile sketch storage: the contract of
/// `ts/contract/sketch.ts`.
#[napi(js_name = "NativeQuantileSketch")]
pub struct NativeQuantileSketch {
  // Boxed: dispose() frees the buffers at once, but this struct lives until
  // the JS object's finalizer runs (a later event-loop turn, after GC).
  inner: RefCell<Option<Box<Sketch>>>,
}

/// A sketch's non-zero bins per store, lowest key first (keys of |v| for
/// neg); an empty store has offset 0 and no bins.
#[napi(object, js_name = "NativeSketchBins")]
pub struct NativeSketchBins {
  pub zero_count: f64,
  pub neg_offset: i32,
  pub neg: Float64Array,
  pub pos_offset: i32,
  pub pos: Float64Array,
}

/// A call on a disposed sketch (a TypeError in the TS glue).
fn disposed() -> Error {
  state_error("sketch is disposed")
}

impl NativeQuantileSketch {
  /// Runs f on the sketch (no JS runs meanwhile, so the borrow cannot be
  /// held already; a failed borrow is an error all the same, not a panic).
  fn with<R>(&self, f: impl FnOnce(&mut Sketch) -> Result<R>) -> Result<R> {
    let mut g = self.inner.try_borrow_mut().map_err(|_| state_error("sketch is in use"))?;
    f(g.as_deref_mut().ok_or_else(disposed)?)
  }
}

#[napi]
impl NativeQuantileSketch {
  /// mapping: 0 cubic, 1 log, 2 exp (ABI SKETCH_*). multiplier: finite > 0.
  /// offset: added to every key. scale: 1..20 for exp, else 0. maxBins:
  /// 1..2^20 bins per store. Every key must fit in 32 bits.
  #[napi(constructor, catch_unwind)]
  pub fn new(mapping: u32, multiplier: f64, offset: i32, scale: u32, max_bins: u32) -> Result<Self> {
    let cfg = Config::new(mapping, multiplier, offset, scale, max_bins)?;
    Ok(NativeQuantileSketch { inner: RefCell::new(Some(Box::new(Sketch::new(cfg)))) })
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

  /// Writes count, sum, min, max, zeroCount into out[0..5).
  #[napi(catch_unwind)]
  pub fn summary(&self, mut out: Float64ArraySlice) -> Result<()> {
    self.with(|s| {
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

  /// The non-zero range of each store.
  #[napi(catch_unwind)]
  pub fn bins(&self) -> Result<NativeSketchBins> {
    self.with(|s| {
      let b = s.bins();
      Ok(NativeSketchBins {
        zero_count: b.zero_count,
        neg_offset: b.neg_offset,
        neg: Float64Array::new(b.neg),
        pos_offset: b.pos_offset,
        pos: Float64Array::new(b.pos),
      })
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

  /// addBins(other.bins(), other's summary); other must have the same
  /// mapping. Merging a sketch with itself doubles every count.
  #[napi(catch_unwind)]
  pub fn merge(&self, other: &NativeQuantileSketch) -> Result<()> {
    if std::ptr::eq(self, other) {
      return self.with(|s| {
        s.merge_self();
        Ok(())
      });
    }
    let o = other.inner.try_borrow().map_err(|_| state_error("other sketch is in use"))?;
    let o = o.as_deref().ok_or_else(|| state_error("other sketch is disposed"))?;
    self.with(|s| Ok(s.merge(o)?))
  }

  /// merge(other) for each of others in order (one crossing for many);
  /// every one is checked (not disposed, the same mapping) before any is
  /// merged. This sketch may be among them (its counts double there).
  #[napi(js_name = "mergeMany", catch_unwind)]
  pub fn merge_many(&self, others: Vec<&NativeQuantileSketch>) -> Result<()> {
    let mine = self.with(|s| Ok(*s.config()))?;
    let mut borrowed = Vec::with_capacity(others.len());
    for (i, o) in others.iter().enumerate() {
      if std::ptr::eq(*o, self) {
        borrowed.push(None);
        continue;
      }
      let g = o.inner.try_borrow().map_err(|_| state_error(format!("others[{i}] is in use")))?;
      match g.as_deref() {
        None => return Err(state_error(format!("others[{i}] is disposed"))),
        Some(x) if !x.config().same_mapping(&mine) => {
          return Err(
            ArgError::new("others", format!("others[{i}] has a different mapping, multiplier, offset or scale")).into(),
          )
        }
        Some(_) => {}
      }
      borrowed.push(Some(g));
    }
    self.with(|s| {
      for g in &borrowed {
        match g.as_deref() {
          Some(Some(o)) => s.merge(o)?,
          _ => s.merge_self(),
        }
      }
      Ok(())
    })
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
    let mut g = self.inner.try_borrow_mut().map_err(|_| state_error("sketch is in use"))?;
    *g = None;
    Ok(())
  }
}
