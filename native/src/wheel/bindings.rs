//! The `NativeTimingWheel` class: argument checks and typed-array plumbing
//! around `core::Wheel`. Every method of a disposed wheel throws.

use napi::bindgen_prelude::{Float64ArraySlice, Uint32Array, Uint8ArraySlice};
use napi::{Error, Result};
use napi_derive::napi;

use super::core::Wheel;
use crate::args::{self, span};
use crate::error::state_error;

/// Hierarchical timing wheel over node indices (the JS side keeps the
/// payloads). The algorithm is the contract of `ts/core/wheel-core.ts`.
#[napi(js_name = "NativeTimingWheel")]
pub struct NativeTimingWheel {
  // Boxed: dispose() frees the wheel at once, but this struct lives until
  // the JS object's finalizer runs (a later event-loop turn, after GC), so
  // it should hold one pointer, not the ~500 bytes of the wheel's headers.
  inner: Option<Box<Wheel>>,
}

/// A call on a disposed wheel (a TypeError in the TS glue, as the API's own
/// disposal check gives).
fn disposed() -> Error {
  state_error("wheel is disposed")
}

impl NativeTimingWheel {
  fn inner(&self) -> Result<&Wheel> {
    self.inner.as_deref().ok_or_else(disposed)
  }

  fn inner_mut(&mut self) -> Result<&mut Wheel> {
    self.inner.as_deref_mut().ok_or_else(disposed)
  }
}

#[napi]
impl NativeTimingWheel {
  /// tickMs: finite, >= 0.001. wheels: slots per level, finest first (1 to
  /// 8 levels of 2..=65536 slots, at most 2^20 slots in all, span <= 2^48
  /// ticks). now: the initial time, finite, >= 0.
  #[napi(constructor, catch_unwind)]
  pub fn new(tick_ms: f64, wheels: &[u32], now: f64) -> Result<Self> {
    Ok(NativeTimingWheel { inner: Some(Box::new(Wheel::new(tick_ms, wheels, now)?)) })
  }

  /// Wheel time in ms: the last advance argument, or the initial now.
  #[napi(catch_unwind)]
  pub fn now(&self) -> Result<f64> {
    Ok(self.inner()?.now())
  }

  /// Pending timers.
  #[napi(catch_unwind)]
  pub fn size(&self) -> Result<u32> {
    Ok(self.inner()?.size())
  }

  /// Adds a timer; returns its id, or -1 when 2^26 timers are pending.
  #[napi(catch_unwind)]
  pub fn schedule(&mut self, deadline: f64) -> Result<f64> {
    Ok(self.inner_mut()?.schedule(deadline)?)
  }

  /// schedule per deadline in order (all validated first); outIds[i] = the
  /// id, or -1 once the wheel is full.
  #[napi(js_name = "scheduleMany", catch_unwind)]
  pub fn schedule_many(&mut self, deadlines: &[f64], mut out_ids: Float64ArraySlice) -> Result<()> {
    let w = self.inner_mut()?;
    args::same_len(("deadlines", deadlines.len()), ("outIds", out_ids.len()))?;
    args::disjoint("outIds", &out_ids, &[span("deadlines", deadlines)])?;
    // Every deadline is validated before any is scheduled: a private copy,
    // so a SharedArrayBuffer rewritten meanwhile cannot slip an unchecked
    // one in after the check.
    let deadlines = args::snapshot("deadlines", deadlines)?;
    // SAFETY: `out_ids` overlaps no input (checked above) and JS is blocked
    // for the duration of the call, so this is the only live reference.
    let out = unsafe { out_ids.as_mut() };
    Ok(w.schedule_many(&deadlines, out)?)
  }

  /// Removes a pending timer; false for an unknown, fired or cancelled id
  /// (any number is accepted).
  #[napi(catch_unwind)]
  pub fn cancel(&mut self, id: f64) -> Result<bool> {
    Ok(self.inner_mut()?.cancel(id))
  }

  /// cancel per id in order; out[i] = 1 if it cancelled, else 0.
  #[napi(js_name = "cancelMany", catch_unwind)]
  pub fn cancel_many(&mut self, ids: &[f64], mut out: Uint8ArraySlice) -> Result<()> {
    let w = self.inner_mut()?;
    args::same_len(("ids", ids.len()), ("out", out.len()))?;
    args::disjoint("out", &out, &[span("ids", ids)])?;
    // SAFETY: as in scheduleMany.
    let out = unsafe { out.as_mut() };
    // Ids are read in place: each is read once, and cancel is total over
    // any f64 (it bounds-checks the index it decodes), so a concurrent
    // rewrite only changes which timers are cancelled.
    for (o, &id) in out.iter_mut().zip(ids) {
      *o = w.cancel(id) as u8;
    }
    Ok(())
  }

  /// Moves a pending timer to a new deadline with a new seq (same id);
  /// false if the id is not pending.
  #[napi(catch_unwind)]
  pub fn reschedule(&mut self, id: f64, deadline: f64) -> Result<bool> {
    Ok(self.inner_mut()?.reschedule(id, deadline)?)
  }

  /// Moves time to `now` (>= the wheel's now) and returns the node indices
  /// that expired, ordered by (deadline, seq).
  #[napi(catch_unwind)]
  pub fn advance(&mut self, now: f64) -> Result<Uint32Array> {
    let expired = self.inner_mut()?.advance(now)?;
    Ok(Uint32Array::new(expired.to_vec()))
  }

  /// The least pending deadline; -1 when empty.
  #[napi(js_name = "nextDeadline", catch_unwind)]
  pub fn next_deadline(&self) -> Result<f64> {
    Ok(self.inner()?.next_deadline())
  }

  /// When a driver should advance next (see the contract); -1 when empty.
  #[napi(js_name = "nextWake", catch_unwind)]
  pub fn next_wake(&self) -> Result<f64> {
    Ok(self.inner()?.next_wake())
  }

  /// Cancels every timer (generations bump as for cancel); time stays.
  #[napi(catch_unwind)]
  pub fn clear(&mut self) -> Result<()> {
    self.inner_mut()?.clear();
    Ok(())
  }

  /// Bytes held by the wheel (capacities of its buffers).
  #[napi(js_name = "memoryBytes", catch_unwind)]
  pub fn memory_bytes(&self) -> Result<f64> {
    Ok(self.inner()?.memory_bytes() as f64)
  }

  /// "" when all structural invariants hold, else the first violation.
  #[napi(catch_unwind)]
  pub fn check(&self) -> Result<String> {
    Ok(self.inner()?.check())
  }

  /// Frees the wheel now; every later call but dispose() throws.
  #[napi(catch_unwind)]
  pub fn dispose(&mut self) -> Result<()> {
    self.inner = None;
    Ok(())
  }
}
