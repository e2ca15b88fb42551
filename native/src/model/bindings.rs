//! The `NativeDenseModel` class. The parameters are copied into Rust memory
//! at construction and held by `Arc`, so a `predictAsync` in flight on the
//! libuv pool keeps them alive across `dispose()`. Inputs are read in place
//! by `predict` (values only: a SharedArrayBuffer rewritten mid-call changes
//! numbers, never an index) and held by `predictAsync`: the task keeps a
//! reference to the JS view until it settles and reads only within the
//! length checked at call time, so JS rewriting the inputs while the task
//! runs tears values, never memory (the caller's contract is not to).

use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Float32Array, Float32ArraySlice};
use napi::{Env, Error, Result, Status, Task};
use napi_derive::napi;

use super::{Model, Weights};
use crate::args::{self, span};
use crate::error::state_error;
use crate::pool;

#[napi(js_name = "NativeDenseModel")]
pub struct NativeDenseModel {
  // `dispose` takes &self: napi-rs refuses a &mut borrow of an instance
  // while a `predictAsync` it started still holds one.
  model: RefCell<Option<Arc<Model>>>,
}

impl NativeDenseModel {
  fn live(&self) -> Result<Arc<Model>> {
    self.model.borrow().clone().ok_or_else(|| state_error("model is disposed"))
  }
}

#[napi]
impl NativeDenseModel {
  /// layers: (inDim, outDim, activation) per layer. Exactly one of
  /// `weights` (f32) and `halves` (binary16 bits) is non-empty.
  #[napi(constructor, catch_unwind)]
  pub fn new(layers: &[u32], weights: &[f32], halves: &[u16], biases: &[f32]) -> Result<Self> {
    let w = match (weights.is_empty(), halves.is_empty()) {
      (false, true) => Weights::F32(weights.to_vec()),
      (true, false) => Weights::F16(halves.to_vec()),
      _ => return Err(crate::error::ArgError::new("weights", "exactly one of weights and halves must be non-empty").into()),
    };
    let model = Model::new(&args::snapshot("layers", layers)?, w, biases.to_vec())?;
    Ok(NativeDenseModel { model: RefCell::new(Some(Arc::new(model))) })
  }

  /// out (batch × outDim) = the model over inputs (batch × inDim).
  #[napi(catch_unwind)]
  pub fn predict(&self, inputs: &[f32], batch: f64, mut out: Float32ArraySlice) -> Result<()> {
    let m = self.live()?;
    args::disjoint("out", &out, &[span("inputs", inputs)])?;
    let batch = args::int_arg("batch", batch)?;
    // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
    // the duration of the call, so this is the only live reference.
    let out = unsafe { out.as_mut() };
    Ok(m.predict(pool::pool(), inputs, batch, out)?)
  }

  /// As predict, on the libuv pool, resolving with a new Float32Array.
  #[napi(js_name = "predictAsync", catch_unwind, ts_return_type = "Promise<Float32Array>")]
  pub fn predict_async(&self, inputs: Float32Array, batch: f64) -> Result<AsyncTask<PredictTask>> {
    let m = self.live()?;
    let batch = args::int_arg("batch", batch)?;
    let want = batch.checked_mul(m.in_dim()).ok_or_else(|| crate::error::ArgError::new("batch", "too large"))?;
    args::exact_len("inputs", inputs.len(), want, "batch × inputDim")?;
    // Held, not copied: a batch of inputs can be large, and copying it here
    // would be work on the JS thread.
    Ok(AsyncTask::new(PredictTask { model: m, inputs, batch }))
  }

  /// Drops this object's hold on the parameters; later calls throw.
  #[napi(catch_unwind)]
  pub fn dispose(&self) {
    self.model.replace(None);
  }
}

pub struct PredictTask {
  model: Arc<Model>,
  /// Dropped with the task, on the JS thread, after the promise settles.
  inputs: Float32Array,
  batch: usize,
}

impl Task for PredictTask {
  type Output = Vec<f32>;
  type JsValue = Float32Array;

  fn compute(&mut self) -> Result<Self::Output> {
    // A panic here would unwind into libuv: catch it and reject instead.
    catch_unwind(AssertUnwindSafe(|| {
      let mut out = vec![0f32; self.batch * self.model.out_dim()];
      self.model.predict(pool::pool(), &self.inputs, self.batch, &mut out)?;
      Ok::<_, Error>(out)
    }))
    .unwrap_or_else(|p| {
      let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
      Err(Error::new(Status::GenericFailure, format!("panic in predictAsync: {msg}")))
    })
  }

  fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
    Ok(Float32Array::new(output))
  }
}
