//! Argument validation shared by the bindings. The TS layer validates first;
//! this is defence in depth so a bad call is an error, never a panic or UB.

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

pub type ArgResult<T> = Result<T, ArgError>;

pub fn same_len(a: (&'static str, usize), b: (&'static str, usize)) -> ArgResult<()> {
  if a.1 != b.1 {
    return Err(ArgError::new(b.0, format!("length {} does not match {} length {}", b.1, a.0, a.1)));
  }
  Ok(())
}

/// Number of `dim`-sized rows in a flat buffer of `len` elements.
pub fn rows(name: &'static str, len: usize, dim: usize) -> ArgResult<usize> {
  if dim == 0 {
    return Err(ArgError::new("dim", "must be a positive integer"));
  }
  if !len.is_multiple_of(dim) {
    return Err(ArgError::new(name, format!("length {len} is not a multiple of dim {dim}")));
  }
  Ok(len / dim)
}

pub fn exact_len(name: &'static str, len: usize, expected: usize, what: &str) -> ArgResult<()> {
  if len != expected {
    return Err(ArgError::new(name, format!("length {len} does not match {what} = {expected}")));
  }
  Ok(())
}

/// True when two byte ranges share memory (e.g. `out` is a view of the same
/// ArrayBuffer as an input): writing through `out` would then alias a
/// shared borrow, which is undefined behaviour in Rust.
pub fn overlaps<A, B>(a: &[A], b: &[B]) -> bool {
  let (a0, b0) = (a.as_ptr() as usize, b.as_ptr() as usize);
  let (a1, b1) = (a0 + std::mem::size_of_val(a), b0 + std::mem::size_of_val(b));
  a0 < b1 && b0 < a1
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn messages_name_the_argument() {
    assert_eq!(rows("matrix", 10, 3).unwrap_err().to_string(), "matrix: length 10 is not a multiple of dim 3");
    assert_eq!(rows("matrix", 9, 0).unwrap_err().arg, "dim");
    assert_eq!(rows("matrix", 9, 3), Ok(3));
    assert_eq!(same_len(("a", 3), ("b", 4)).unwrap_err().to_string(), "b: length 4 does not match a length 3");
  }

  #[test]
  fn overlap_detection() {
    let buf = [0f32; 10];
    assert!(overlaps(&buf[0..5], &buf[4..6]));
    assert!(!overlaps(&buf[0..5], &buf[5..10]));
    assert!(!overlaps(&buf[0..0], &buf[0..10]));
  }
}
