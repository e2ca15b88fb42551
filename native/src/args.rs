//! Argument validation shared by the kernels and the bindings. The TS layer
//! validates first; this is defence in depth so a bad call is an error,
//! never a panic or UB.

use crate::error::{ArgError, ArgResult};

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

/// Number of ranges offsets[i]..offsets[i + 1] (CSR) into `n` elements of
/// `data_name`: at least one offset, non-decreasing, the last within bounds.
pub fn ranges(offsets: &[u32], n: usize, data_name: &str) -> ArgResult<usize> {
  let Some(&last) = offsets.last() else {
    return Err(ArgError::new("offsets", "must have at least one element (entities + 1)"));
  };
  if let Some(e) = offsets.windows(2).position(|w| w[0] > w[1]) {
    return Err(ArgError::new(
      "offsets",
      format!("must be non-decreasing: offsets[{e}] = {} > offsets[{}] = {}", offsets[e], e + 1, offsets[e + 1]),
    ));
  }
  if last as usize > n {
    return Err(ArgError::new("offsets", format!("last offset {last} exceeds {data_name} length {n}")));
  }
  Ok(offsets.len() - 1)
}

/// A private copy of an array borrowed from JS, for anything a call
/// validates and then trusts (offsets that drive slicing, keys whose order
/// a structure relies on, slots it stores). A JS view may sit on a
/// SharedArrayBuffer that another thread rewrites mid-call; checking the
/// copy instead means a rewrite can change the answer but never make a
/// checked index wrong. Fails (rather than aborting) when the copy cannot
/// be allocated.
pub fn snapshot<T: Copy>(name: &'static str, x: &[T]) -> ArgResult<Vec<T>> {
  let mut v = Vec::new();
  if v.try_reserve_exact(x.len()).is_err() {
    return Err(ArgError::new(name, format!("of {} elements cannot be copied: out of memory", x.len())));
  }
  v.extend_from_slice(x);
  Ok(v)
}

/// JS numbers arrive as f64; napi's u32 conversion would silently wrap -1
/// to 4294967295 and truncate 2.5, so integers are validated here instead.
pub fn int_arg(name: &'static str, v: f64) -> ArgResult<usize> {
  if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64) {
    return Err(ArgError::new(name, format!("must be a non-negative integer, got {v}")));
  }
  Ok(v as usize)
}

pub fn positive_int_arg(name: &'static str, v: f64) -> ArgResult<usize> {
  match int_arg(name, v)? {
    0 => Err(ArgError::new(name, "must be a positive integer")),
    n => Ok(n),
  }
}

/// A named view's byte range, so views of different element types can be
/// checked against each other.
#[derive(Clone, Copy)]
pub struct Span {
  name: &'static str,
  start: usize,
  end: usize,
}

pub fn span<T>(name: &'static str, s: &[T]) -> Span {
  let start = s.as_ptr() as usize;
  Span { name, start, end: start + std::mem::size_of_val(s) }
}

impl Span {
  /// Empty views share no bytes with anything.
  fn overlaps(&self, other: &Span) -> bool {
    self.start < self.end && other.start < other.end && self.start < other.end && other.start < self.end
  }
}

/// Fails when the output view `out` shares memory with any of `inputs`
/// (the first one is named). Writing through `out` would then alias a
/// shared borrow, which is undefined behaviour in Rust, so bindings check
/// this before they take `&mut` of an output typed array.
pub fn disjoint<T>(out_name: &'static str, out: &[T], inputs: &[Span]) -> ArgResult<()> {
  let out = span(out_name, out);
  match inputs.iter().find(|i| out.overlaps(i)) {
    Some(i) => Err(ArgError::new(out_name, format!("must not share memory with {}", i.name))),
    None => Ok(()),
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn overlaps<A, B>(a: &[A], b: &[B]) -> bool {
    span("a", a).overlaps(&span("b", b))
  }

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
    assert!(!overlaps(&buf[3..3], &buf[0..10]));
    let e = disjoint("out", &buf[2..4], &[span("a", &buf[4..6]), span("b", &buf[3..5])]).unwrap_err();
    assert_eq!(e.to_string(), "out: must not share memory with b");
  }

  #[test]
  fn snapshot_copies() {
    let x = [3u32, 1, 2];
    let c = snapshot("offsets", &x).unwrap();
    assert_eq!(c, x);
    assert_ne!(c.as_ptr(), x.as_ptr());
    assert!(snapshot::<u32>("offsets", &[]).unwrap().is_empty());
  }

  #[test]
  fn integer_arguments() {
    assert_eq!(int_arg("k", 3.0), Ok(3));
    assert_eq!(int_arg("k", -1.0).unwrap_err().to_string(), "k: must be a non-negative integer, got -1");
    assert_eq!(int_arg("k", 2.5).unwrap_err().to_string(), "k: must be a non-negative integer, got 2.5");
    assert_eq!(positive_int_arg("n", 0.0).unwrap_err().to_string(), "n: must be a positive integer");
  }
}
