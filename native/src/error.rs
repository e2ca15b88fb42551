//! The one error type of argument validation. Kernels return it without
//! knowing about napi; the bindings turn it into a JS `InvalidArg` error
//! through `?`, with the message "<arg>: <what is wrong>".

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
