//! The one error type of argument validation. Kernels return it without
//! knowing about napi; the bindings turn it into a JS `InvalidArg` error
//! through `?`, with the message "<arg>: <what is wrong>", which the TS glue
//! (ts/tiers/native/errors.ts) rethrows as `hotpath.<fn>: <arg> <what>`.

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct ArgError {
  pub arg: &'static str,
  pub message: String,
}

impl ArgError {
  pub fn new(arg: &'static str, message: impl Into<String>) -> Self {
    ArgError { arg, message: message.into() }
  }
}

impl fmt::Display for ArgError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{}: {}", self.arg, self.message)
  }
}

impl std::error::Error for ArgError {}

impl From<ArgError> for napi::Error {
  fn from(e: ArgError) -> Self {
    napi::Error::new(napi::Status::InvalidArg, e.to_string())
  }
}

pub type ArgResult<T> = Result<T, ArgError>;

/// A call the object's state refuses (disposed, or not empty for a bulk
/// load), not a bad argument. Status ObjectExpected, which napi-rs never
/// gives a caught panic (those are GenericFailure), so the TS glue can tell
/// a refused call (a TypeError) from a defect.
pub fn state_error(message: impl Into<String>) -> napi::Error {
  napi::Error::new(napi::Status::ObjectExpected, message.into())
}

/// A number as JS prints it, near enough for messages.
pub fn js_num(v: f64) -> String {
  if v.is_nan() {
    "NaN".into()
  } else if v.is_infinite() {
    (if v > 0.0 { "Infinity" } else { "-Infinity" }).into()
  } else if v != 0.0 && !(1e-6..1e21).contains(&v.abs()) {
    format!("{v:e}")
  } else {
    format!("{v}")
  }
}
