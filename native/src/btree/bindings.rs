//! The `NativeBTree` class. One class serves both key kinds (an enum of two
//! monomorphised trees); calling a method of the other kind is an error
//! naming the method. Slots are integers in [0, 2^31 - 1] so that every
//! result, batch outputs included, fits an Int32Array with -1 for "absent".

use std::ops::Bound;

use napi::bindgen_prelude::{
  Float64Array, FromNapiValue, Int32ArraySlice, TypeName, Uint32Array, ValidateNapiValue, ValueType,
};
use napi::{sys, Error, Result, Status};
use napi_derive::napi;

use super::keys::{NumKeys, StrKeys, MAX_KEY_BYTES};
use super::tree::BTree;
use crate::abi::{KEY_NUMBER, KEY_STRING, TREE_MAX_ORDER, TREE_MIN_ORDER};
use crate::args::{self, span, Span};
use crate::error::{state_error, ArgError, ArgResult};

const MAX_SLOT: u32 = i32::MAX as u32;

/// Scan results reserve at most this many entries up front (a huge limit on
/// a narrow range must not allocate for the limit).
const RESERVE_CAP: usize = 4096;

enum Inner {
  Num(BTree<NumKeys>),
  Str(BTree<StrKeys>),
}

/// Ordered map from number or string keys to u32 slots.
#[napi(js_name = "NativeBTree")]
pub struct NativeBTree {
  // Boxed: dispose() frees the tree at once, but this struct lives until the
  // JS object's finalizer runs (a later event-loop turn, after GC), so it
  // should hold one pointer, not a tree's worth of headers.
  inner: Option<Box<Inner>>,
}

/// Keys and slots of a number-key scan, in scan order.
#[napi(object, js_name = "BTreeNumRange")]
pub struct BTreeNumRange {
  pub keys: Float64Array,
  pub slots: Uint32Array,
}

/// Keys and slots of a string-key scan, in scan order.
#[napi(object, js_name = "BTreeStrRange")]
pub struct BTreeStrRange {
  pub keys: Vec<String>,
  pub slots: Uint32Array,
}

fn int_in(name: &'static str, v: f64, lo: f64, hi: f64) -> ArgResult<f64> {
  if !(v.is_finite() && v.fract() == 0.0 && v >= lo && v <= hi) {
    return Err(ArgError::new(name, format!("must be an integer in [{lo}, {hi}], got {v}")));
  }
  Ok(v)
}

fn slot_arg(v: f64) -> ArgResult<u32> {
  Ok(int_in("slot", v, 0.0, MAX_SLOT as f64)? as u32)
}

fn check_slots(slots: &[u32]) -> ArgResult<()> {
  match slots.iter().position(|&s| s > MAX_SLOT) {
    Some(i) => Err(ArgError::new("slots", format!("slots[{i}] = {} exceeds {MAX_SLOT}", slots[i]))),
    None => Ok(()),
  }
}

/// Number keys: never NaN; -0 becomes 0.
#[inline]
fn num_key(name: &'static str, k: f64) -> ArgResult<f64> {
  if k.is_nan() {
    return Err(ArgError::new(name, "must not be NaN"));
  }
  Ok(k + 0.0)
}

fn check_num_keys(keys: &[f64]) -> ArgResult<()> {
  match keys.iter().position(|k| k.is_nan()) {
    Some(i) => Err(ArgError::new("keys", format!("keys[{i}] is NaN"))),
    None => Ok(()),
  }
}

fn str_key_len(name: &'static str, k: &[u8]) -> ArgResult<()> {
  if k.len() > MAX_KEY_BYTES {
    return Err(ArgError::new(name, format!("key of {} bytes exceeds {MAX_KEY_BYTES} bytes", k.len())));
  }
  Ok(())
}

/// `limit`: a non-negative integer; +Infinity is "no limit".
fn limit_arg(v: f64) -> ArgResult<usize> {
  if v == f64::INFINITY {
    return Ok(usize::MAX);
  }
  if !(v.is_finite() && v >= 0.0 && v.fract() == 0.0) {
    return Err(ArgError::new("limit", format!("must be a non-negative integer, got {v}")));
  }
  Ok(if v >= usize::MAX as f64 { usize::MAX } else { v as usize })
}

/// Keys of a bytes/offsets batch: key i = bytes[offsets[i]..offsets[i+1]].
/// Returns the key count after checking the offsets.
fn key_count(bytes: &[u8], offsets: &[u32]) -> ArgResult<usize> {
  if offsets.is_empty() {
    return Err(ArgError::new("offsets", "must hold count + 1 entries (at least 1)"));
  }
  for i in 1..offsets.len() {
    if offsets[i] < offsets[i - 1] {
      return Err(ArgError::new(
        "offsets",
        format!("offsets[{i}] = {} is less than offsets[{}] = {}", offsets[i], i - 1, offsets[i - 1]),
      ));
    }
  }
  let last = offsets[offsets.len() - 1] as usize;
  if last > bytes.len() {
    return Err(ArgError::new("offsets", format!("last offset {last} exceeds bytes length {}", bytes.len())));
  }
  Ok(offsets.len() - 1)
}

/// A key batch copied (see `args::snapshot`) and checked: the offsets are
/// validated and then slice the bytes, and a key's bytes are compared while
/// searching and then stored, so a SharedArrayBuffer rewritten meanwhile
/// could otherwise move an offset out of bounds or store a key out of
/// order. Only the bytes the keys cover are copied.
struct KeyBatch {
  bytes: Vec<u8>,
  offsets: Vec<u32>,
  count: usize,
}

impl KeyBatch {
  fn new(bytes: &[u8], offsets: &[u32]) -> ArgResult<KeyBatch> {
    let offsets = args::snapshot("offsets", offsets)?;
    let count = key_count(bytes, &offsets)?;
    let bytes = args::snapshot("bytes", &bytes[..offsets[count] as usize])?;
    Ok(KeyBatch { bytes, offsets, count })
  }

  #[inline]
  fn key(&self, i: usize) -> &[u8] {
    key_at(&self.bytes, &self.offsets, i)
  }
}

#[inline]
fn key_at<'b>(bytes: &'b [u8], offsets: &[u32], i: usize) -> &'b [u8] {
  &bytes[offsets[i] as usize..offsets[i + 1] as usize]
}

/// String keys that will be stored must be UTF-8 (scans return them as JS
/// strings) and at most MAX_KEY_BYTES long.
fn check_str_keys(keys: &KeyBatch) -> ArgResult<()> {
  for i in 0..keys.count {
    let k = keys.key(i);
    if std::str::from_utf8(k).is_err() {
      return Err(ArgError::new("bytes", format!("key {i} is not valid UTF-8")));
    }
    if k.len() > MAX_KEY_BYTES {
      return Err(ArgError::new("bytes", format!("key {i} of {} bytes exceeds {MAX_KEY_BYTES} bytes", k.len())));
    }
  }
  Ok(())
}

/// A writable view of `out` after checking it is `count` long and shares
/// no memory with the inputs.
fn out_view<'a>(out: &'a mut Int32ArraySlice, count: usize, inputs: &[Span]) -> ArgResult<&'a mut [i32]> {
  if out.len() != count {
    return Err(ArgError::new("out", format!("length {} does not match key count {count}", out.len())));
  }
  args::disjoint("out", out, inputs)?;
  // SAFETY: `out` overlaps no input (checked above) and JS is blocked for
  // the duration of the call, so this is the only live reference.
  Ok(unsafe { out.as_mut() })
}

/// A slot as JS reads it: slots fit i32 (checked on insert), -1 is absent.
#[inline]
fn slot_or_absent(r: Option<u32>) -> i32 {
  r.map_or(-1, |s| s as i32)
}

fn num_bound(v: f64, inclusive: bool, unbounded: f64) -> Bound<f64> {
  if v == unbounded {
    Bound::Unbounded
  } else if inclusive {
    Bound::Included(v)
  } else {
    Bound::Excluded(v)
  }
}

fn str_bound(v: &Option<String>, inclusive: bool) -> Bound<&[u8]> {
  match v {
    None => Bound::Unbounded,
    Some(s) if inclusive => Bound::Included(s.as_bytes()),
    Some(s) => Bound::Excluded(s.as_bytes()),
  }
}

fn str_result(cap: usize, scan: impl FnOnce(&mut dyn FnMut(&[u8], u32))) -> BTreeStrRange {
  let mut keys = Vec::with_capacity(cap);
  let mut slots = Vec::with_capacity(cap);
  scan(&mut |k, s| {
    // Stored keys were checked to be UTF-8 on insert, so this is lossless.
    keys.push(String::from_utf8_lossy(k).into_owned());
    slots.push(s);
  });
  BTreeStrRange { keys, slots: Uint32Array::new(slots) }
}

/// Slots only: the JS side keeps string keys beside their values, so scans
/// need not build a JS string per key (the dominant cost of a string range).
fn slots_result(cap: usize, scan: impl FnOnce(&mut dyn FnMut(&[u8], u32))) -> Uint32Array {
  let mut slots = Vec::with_capacity(cap);
  scan(&mut |_, s| slots.push(s));
  Uint32Array::new(slots)
}

/// A JS string argument as UTF-8. Short strings (nearly all keys) convert
/// with one napi call into an inline buffer; napi-rs's `String` makes two
/// (length, then copy) plus a zeroed heap allocation.
pub struct KeyArg {
  inline: [u8; KeyArg::INLINE],
  len: usize,
  heap: Vec<u8>,
}

impl KeyArg {
  const INLINE: usize = 256;

  fn bytes(&self) -> &[u8] {
    if self.heap.is_empty() {
      &self.inline[..self.len]
    } else {
      &self.heap
    }
  }
}

impl TypeName for KeyArg {
  fn type_name() -> &'static str {
    "String"
  }
  fn value_type() -> ValueType {
    ValueType::String
  }
}

impl ValidateNapiValue for KeyArg {}

impl FromNapiValue for KeyArg {
  unsafe fn from_napi_value(env: sys::napi_env, val: sys::napi_value) -> Result<Self> {
    let expect_string = |status| {
      if status == sys::Status::napi_ok {
        Ok(())
      } else {
        Err(Error::new(Status::StringExpected, "key: must be a string"))
      }
    };
    let mut k = KeyArg { inline: [0; Self::INLINE], len: 0, heap: Vec::new() };
    let mut written = 0;
    // Writes at most INLINE - 1 bytes, whole characters only.
    // SAFETY: the buffer holds INLINE bytes.
    expect_string(unsafe {
      sys::napi_get_value_string_utf8(env, val, k.inline.as_mut_ptr().cast(), Self::INLINE, &mut written)
    })?;
    // A character is at most 4 bytes: if 4 more would have fitted, nothing
    // was cut off.
    if written + 4 < Self::INLINE {
      k.len = written;
      return Ok(k);
    }
    let mut len = 0;
    // SAFETY: a null buffer asks for the length only.
    expect_string(unsafe { sys::napi_get_value_string_utf8(env, val, std::ptr::null_mut(), 0, &mut len) })?;
    k.heap = vec![0; len + 1];
    // SAFETY: the buffer holds len + 1 bytes.
    expect_string(unsafe {
      sys::napi_get_value_string_utf8(env, val, k.heap.as_mut_ptr().cast(), len + 1, &mut written)
    })?;
    k.heap.truncate(written);
    k.len = written;
    Ok(k)
  }
}

impl NativeBTree {
  fn inner(&self) -> Result<&Inner> {
    self.inner.as_deref().ok_or_else(disposed)
  }

  fn inner_mut(&mut self) -> Result<&mut Inner> {
    self.inner.as_deref_mut().ok_or_else(disposed)
  }

  fn num(&self, method: &str) -> Result<&BTree<NumKeys>> {
    match self.inner()? {
      Inner::Num(t) => Ok(t),
      Inner::Str(_) => Err(kind_error(method, "string")),
    }
  }

  fn num_mut(&mut self, method: &str) -> Result<&mut BTree<NumKeys>> {
    match self.inner_mut()? {
      Inner::Num(t) => Ok(t),
      Inner::Str(_) => Err(kind_error(method, "string")),
    }
  }

  fn str(&self, method: &str) -> Result<&BTree<StrKeys>> {
    match self.inner()? {
      Inner::Str(t) => Ok(t),
      Inner::Num(_) => Err(kind_error(method, "number")),
    }
  }

  fn str_mut(&mut self, method: &str) -> Result<&mut BTree<StrKeys>> {
    match self.inner_mut()? {
      Inner::Str(t) => Ok(t),
      Inner::Num(_) => Err(kind_error(method, "number")),
    }
  }
}

/// A method of the other key kind: a wrong type of key, so a `*Expected`
/// status (the TS glue makes those TypeErrors) and the method's name.
fn kind_error(method: &str, kind: &str) -> Error {
  let status = if kind == "number" { Status::NumberExpected } else { Status::StringExpected };
  Error::new(status, format!("{method} needs {} keys, but this tree has {kind} keys", other(kind)))
}

fn other(kind: &str) -> &'static str {
  if kind == "number" {
    "string"
  } else {
    "number"
  }
}

/// A call on a disposed tree (a TypeError in the TS glue, as the API's own
/// disposal check gives).
fn disposed() -> Error {
  state_error("tree is disposed")
}

#[napi]
impl NativeBTree {
  /// keyType: 0 = number keys, 1 = string keys. order: max keys per leaf
  /// and max children per internal node, 4..=1024.
  #[napi(constructor, catch_unwind)]
  pub fn new(key_type: f64, order: f64) -> Result<Self> {
    let order = int_in("order", order, TREE_MIN_ORDER as f64, TREE_MAX_ORDER as f64)? as usize;
    let inner = if key_type == KEY_NUMBER as f64 {
      Inner::Num(BTree::new(order))
    } else if key_type == KEY_STRING as f64 {
      Inner::Str(BTree::new(order))
    } else {
      let message = format!("must be {KEY_NUMBER} (number) or {KEY_STRING} (string), got {key_type}");
      return Err(ArgError::new("keyType", message).into());
    };
    Ok(NativeBTree { inner: Some(Box::new(inner)) })
  }

  // --- number keys ----------------------------------------------------------

  /// Inserts key -> slot if absent (returns -1); else returns the existing
  /// slot and changes nothing.
  #[napi(js_name = "setNum", catch_unwind)]
  pub fn set_num(&mut self, key: f64, slot: f64) -> Result<i32> {
    let (key, slot) = (num_key("key", key)?, slot_arg(slot)?);
    Ok(slot_or_absent(self.num_mut("setNum")?.insert(key, slot)))
  }

  #[napi(js_name = "getNum", catch_unwind)]
  pub fn get_num(&self, key: f64) -> Result<i32> {
    let key = num_key("key", key)?;
    Ok(slot_or_absent(self.num("getNum")?.get(key)))
  }

  #[napi(js_name = "deleteNum", catch_unwind)]
  pub fn delete_num(&mut self, key: f64) -> Result<i32> {
    let key = num_key("key", key)?;
    Ok(slot_or_absent(self.num_mut("deleteNum")?.remove(key)))
  }

  /// setNum per pair in order; out[i] = what setNum returned.
  #[napi(js_name = "setManyNum", catch_unwind)]
  pub fn set_many_num(&mut self, keys: &[f64], slots: &[u32], mut out: Int32ArraySlice) -> Result<()> {
    let t = self.num_mut("setManyNum")?;
    args::same_len(("keys", keys.len()), ("slots", slots.len()))?;
    let out = out_view(&mut out, keys.len(), &[span("keys", keys), span("slots", slots)])?;
    let (keys, slots) = (&args::snapshot("keys", keys)?[..], &args::snapshot("slots", slots)?[..]);
    check_num_keys(keys)?;
    check_slots(slots)?;
    t.insert_many(keys.len(), |i| keys[i] + 0.0, |i| slots[i], |i, r| out[i] = slot_or_absent(r));
    Ok(())
  }

  #[napi(js_name = "getManyNum", catch_unwind)]
  pub fn get_many_num(&self, keys: &[f64], mut out: Int32ArraySlice) -> Result<()> {
    let t = self.num("getManyNum")?;
    let out = out_view(&mut out, keys.len(), &[span("keys", keys)])?;
    let keys = &args::snapshot("keys", keys)?[..];
    check_num_keys(keys)?;
    t.get_many(keys.len(), |i| keys[i] + 0.0, |i, r| out[i] = slot_or_absent(r));
    Ok(())
  }

  #[napi(js_name = "deleteManyNum", catch_unwind)]
  pub fn delete_many_num(&mut self, keys: &[f64], mut out: Int32ArraySlice) -> Result<()> {
    let t = self.num_mut("deleteManyNum")?;
    let out = out_view(&mut out, keys.len(), &[span("keys", keys)])?;
    let keys = &args::snapshot("keys", keys)?[..];
    check_num_keys(keys)?;
    t.remove_many(keys.len(), |i| keys[i] + 0.0, |i, r| out[i] = slot_or_absent(r));
    Ok(())
  }

  /// Loads strictly ascending keys into an empty tree in O(n).
  #[napi(js_name = "bulkLoadNum", catch_unwind)]
  pub fn bulk_load_num(&mut self, keys: &[f64], slots: &[u32]) -> Result<()> {
    let t = self.num_mut("bulkLoadNum")?;
    args::same_len(("keys", keys.len()), ("slots", slots.len()))?;
    let (keys, slots) = (&args::snapshot("keys", keys)?[..], &args::snapshot("slots", slots)?[..]);
    check_num_keys(keys)?;
    check_slots(slots)?;
    if t.len() != 0 {
      return Err(state_error("bulkLoadNum needs an empty tree"));
    }
    t.bulk_load(keys.len(), |i| keys[i] + 0.0, slots).map_err(|e| ArgError::new("keys", e).into())
  }

  /// Entries with lo <(=) key <(=) hi; lo = -Infinity / hi = +Infinity are
  /// unbounded. Ascending from lo, or descending from hi when `reverse`.
  #[napi(js_name = "rangeNum", catch_unwind)]
  pub fn range_num(
    &self,
    lo: f64,
    hi: f64,
    lo_inclusive: bool,
    hi_inclusive: bool,
    limit: f64,
    reverse: bool,
  ) -> Result<BTreeNumRange> {
    let t = self.num("rangeNum")?;
    let (lo, hi, limit) = (num_key("lo", lo)?, num_key("hi", hi)?, limit_arg(limit)?);
    let cap = limit.min(t.len()).min(RESERVE_CAP);
    let (mut keys, mut slots) = (Vec::with_capacity(cap), Vec::with_capacity(cap));
    let lo = num_bound(lo, lo_inclusive, f64::NEG_INFINITY);
    let hi = num_bound(hi, hi_inclusive, f64::INFINITY);
    t.range(lo, hi, limit, reverse, |k, s| {
      keys.push(k);
      slots.push(s);
    });
    Ok(BTreeNumRange { keys: Float64Array::new(keys), slots: Uint32Array::new(slots) })
  }

  // --- string keys ----------------------------------------------------------

  #[napi(js_name = "setStr", catch_unwind)]
  pub fn set_str(&mut self, #[napi(ts_arg_type = "string")] key: KeyArg, slot: f64) -> Result<i32> {
    let slot = slot_arg(slot)?;
    str_key_len("key", key.bytes())?;
    Ok(slot_or_absent(self.str_mut("setStr")?.insert(key.bytes(), slot)))
  }

  #[napi(js_name = "getStr", catch_unwind)]
  pub fn get_str(&self, #[napi(ts_arg_type = "string")] key: KeyArg) -> Result<i32> {
    Ok(slot_or_absent(self.str("getStr")?.get(key.bytes())))
  }

  #[napi(js_name = "deleteStr", catch_unwind)]
  pub fn delete_str(&mut self, #[napi(ts_arg_type = "string")] key: KeyArg) -> Result<i32> {
    Ok(slot_or_absent(self.str_mut("deleteStr")?.remove(key.bytes())))
  }

  /// setStr per key in order; key i = bytes[offsets[i]..offsets[i+1]]
  /// (UTF-8).
  #[napi(js_name = "setManyStr", catch_unwind)]
  pub fn set_many_str(&mut self, bytes: &[u8], offsets: &[u32], slots: &[u32], mut out: Int32ArraySlice) -> Result<()> {
    let t = self.str_mut("setManyStr")?;
    let inputs = [span("bytes", bytes), span("offsets", offsets), span("slots", slots)];
    let keys = KeyBatch::new(bytes, offsets)?;
    let count = keys.count;
    args::same_len(("offsets count", count), ("slots", slots.len()))?;
    let out = out_view(&mut out, count, &inputs)?;
    let slots = &args::snapshot("slots", slots)?[..];
    check_slots(slots)?;
    check_str_keys(&keys)?;
    t.insert_many(count, |i| keys.key(i), |i| slots[i], |i, r| out[i] = slot_or_absent(r));
    Ok(())
  }

  #[napi(js_name = "getManyStr", catch_unwind)]
  pub fn get_many_str(&self, bytes: &[u8], offsets: &[u32], mut out: Int32ArraySlice) -> Result<()> {
    let t = self.str("getManyStr")?;
    let inputs = [span("bytes", bytes), span("offsets", offsets)];
    let keys = KeyBatch::new(bytes, offsets)?;
    let out = out_view(&mut out, keys.count, &inputs)?;
    t.get_many(keys.count, |i| keys.key(i), |i, r| out[i] = slot_or_absent(r));
    Ok(())
  }

  #[napi(js_name = "deleteManyStr", catch_unwind)]
  pub fn delete_many_str(&mut self, bytes: &[u8], offsets: &[u32], mut out: Int32ArraySlice) -> Result<()> {
    let t = self.str_mut("deleteManyStr")?;
    let inputs = [span("bytes", bytes), span("offsets", offsets)];
    let keys = KeyBatch::new(bytes, offsets)?;
    let out = out_view(&mut out, keys.count, &inputs)?;
    t.remove_many(keys.count, |i| keys.key(i), |i, r| out[i] = slot_or_absent(r));
    Ok(())
  }

  /// Loads strictly ascending (byte-wise) keys into an empty tree in O(n).
  #[napi(js_name = "bulkLoadStr", catch_unwind)]
  pub fn bulk_load_str(&mut self, bytes: &[u8], offsets: &[u32], slots: &[u32]) -> Result<()> {
    let t = self.str_mut("bulkLoadStr")?;
    let keys = KeyBatch::new(bytes, offsets)?;
    let count = keys.count;
    args::same_len(("offsets count", count), ("slots", slots.len()))?;
    let slots = &args::snapshot("slots", slots)?[..];
    check_slots(slots)?;
    check_str_keys(&keys)?;
    if t.len() != 0 {
      return Err(state_error("bulkLoadStr needs an empty tree"));
    }
    t.bulk_load(count, |i| keys.key(i), slots).map_err(|e| ArgError::new("keys", e).into())
  }

  /// As rangeNum; null bounds are unbounded.
  #[napi(js_name = "rangeStr", catch_unwind)]
  pub fn range_str(
    &self,
    lo: Option<String>,
    hi: Option<String>,
    lo_inclusive: bool,
    hi_inclusive: bool,
    limit: f64,
    reverse: bool,
  ) -> Result<BTreeStrRange> {
    let t = self.str("rangeStr")?;
    let limit = limit_arg(limit)?;
    let (lo, hi) = (str_bound(&lo, lo_inclusive), str_bound(&hi, hi_inclusive));
    Ok(str_result(limit.min(t.len()).min(RESERVE_CAP), |f| t.range(lo, hi, limit, reverse, f)))
  }

  /// Keys starting with `prefix` (byte-wise), ascending, at most `limit`;
  /// the empty prefix matches every key.
  #[napi(js_name = "prefixStr", catch_unwind)]
  pub fn prefix_str(&self, prefix: String, limit: f64) -> Result<BTreeStrRange> {
    let t = self.str("prefixStr")?;
    let limit = limit_arg(limit)?;
    Ok(str_result(limit.min(t.len()).min(RESERVE_CAP), |f| t.prefix(prefix.as_bytes(), limit, f)))
  }

  /// `rangeStr` returning only the slots, in scan order.
  #[napi(js_name = "rangeStrSlots", catch_unwind)]
  pub fn range_str_slots(
    &self,
    lo: Option<String>,
    hi: Option<String>,
    lo_inclusive: bool,
    hi_inclusive: bool,
    limit: f64,
    reverse: bool,
  ) -> Result<Uint32Array> {
    let t = self.str("rangeStrSlots")?;
    let limit = limit_arg(limit)?;
    let (lo, hi) = (str_bound(&lo, lo_inclusive), str_bound(&hi, hi_inclusive));
    Ok(slots_result(limit.min(t.len()).min(RESERVE_CAP), |f| t.range(lo, hi, limit, reverse, f)))
  }

  /// `prefixStr` returning only the slots, ascending.
  #[napi(js_name = "prefixStrSlots", catch_unwind)]
  pub fn prefix_str_slots(&self, prefix: String, limit: f64) -> Result<Uint32Array> {
    let t = self.str("prefixStrSlots")?;
    let limit = limit_arg(limit)?;
    Ok(slots_result(limit.min(t.len()).min(RESERVE_CAP), |f| t.prefix(prefix.as_bytes(), limit, f)))
  }

  // --- either kind ----------------------------------------------------------

  #[napi(catch_unwind)]
  pub fn size(&self) -> Result<f64> {
    Ok(match self.inner()? {
      Inner::Num(t) => t.len(),
      Inner::Str(t) => t.len(),
    } as f64)
  }

  /// Removes every entry and frees every node.
  #[napi(catch_unwind)]
  pub fn clear(&mut self) -> Result<()> {
    match self.inner_mut()? {
      Inner::Num(t) => t.reset(),
      Inner::Str(t) => t.reset(),
    }
    Ok(())
  }

  /// Frees the tree now; every later call but dispose() throws.
  #[napi(catch_unwind)]
  pub fn dispose(&mut self) -> Result<()> {
    self.inner = None;
    Ok(())
  }

  /// "" when all structural invariants hold, else the first violation.
  #[napi(catch_unwind)]
  pub fn check(&self) -> Result<String> {
    Ok(match self.inner()? {
      Inner::Num(t) => t.check(),
      Inner::Str(t) => t.check(),
    })
  }

  /// Bytes held by the tree (capacities of all its buffers).
  #[napi(js_name = "memoryBytes", catch_unwind)]
  pub fn memory_bytes(&self) -> Result<f64> {
    Ok(match self.inner()? {
      Inner::Num(t) => t.memory_bytes(),
      Inner::Str(t) => t.memory_bytes(),
    } as f64)
  }
}
