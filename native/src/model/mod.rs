//! DenseModel's compute (ts/contract/model.ts): a stack of dense layers,
//! each one fused step over a block of rows: the bias rows, then
//! out += x · W (W row-major in × out, Keras' kernel layout), then the
//! activation in place. No napi here, so `cargo test` covers it.
//!
//! Where the CPU has AVX2 + FMA + F16C (x86-64 since 2013), the weights
//! are packed at construction into 16-column strips and every row count
//! goes through one register-tiled kernel (kernel.rs): no per-call packing
//! (the gemm crate repacks W on every call, as costly as the product at
//! tens of rows), f16 widened in the load, and the same summation order
//! for a row whatever the batch. Elsewhere W stays row-major and:
//!  - few rows (< GEMV_ROWS): a k-outer axpy loop, compiled per SIMD level,
//!    that streams W once per block while the block's output rows stay in
//!    L1. The gemm crate packs panels first, which costs more than the whole
//!    product at one row.
//!  - more rows: the gemm crate (packed panels, AVX-512/AVX2+FMA/NEON
//!    micro-kernels, rayon inside our pool above its work threshold), with
//!    read_dst so the bias prefill is the accumulator's start.
//!    f16 weights stay halves; the GEMV path widens one W row at a time into
//!    a stack buffer (F16C where the CPU has it), the gemm path a whole layer
//!    per call into scratch (amortised over >= GEMV_ROWS rows).
//!
//! Scratch is per thread (JS thread and libuv workers alike) and bounded:
//! rows go through in blocks of at most BLOCK_FLOATS / max width.

use std::cell::RefCell;

use gemm::Parallelism;
use half::f16;
use rayon::ThreadPool;

use crate::abi::{ACT_GELU, ACT_GELU_TANH, ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_SOFTMAX, ACT_TANH};
use crate::error::{ArgError, ArgResult};
use crate::par::{self, Cost};
use crate::simd::dispatch;

mod bindings;
mod kernel;
#[cfg(test)]
mod tests;

/// Rows below which the axpy path beats the gemm crate (measured on the
/// 2-vCPU Xeon, 256 → 512 → 512 → 1: 1.4x at 8 rows, even at ~12).
const GEMV_ROWS: usize = 12;
/// Floats per ping-pong buffer (4 MiB): a block's intermediates.
const BLOCK_FLOATS: usize = 1 << 20;
/// Outputs widened per step of the f16 GEMV path (a stack buffer).
const HALF_STRIP: usize = 1024;

#[derive(Clone, Copy, Debug)]
pub struct Layer {
  pub in_dim: usize,
  pub out_dim: usize,
  pub act: u32,
  w_off: usize,
  b_off: usize,
}

pub enum Weights {
  F32(Vec<f32>),
  /// binary16 bit patterns.
  F16(Vec<u16>),
}

impl Weights {
  fn len(&self) -> usize {
    match self {
      Weights::F32(w) => w.len(),
      Weights::F16(w) => w.len(),
    }
  }
}

pub struct Model {
  layers: Vec<Layer>,
  /// Row-major as given, or (`packed`) each layer in kernel::pack's strips
  /// at Layer::w_off; one copy either way.
  weights: Weights,
  packed: bool,
  biases: Vec<f32>,
  max_width: usize,
}

thread_local! {
  /// Two ping-pong buffers and the f16 widening panel.
  static SCRATCH: RefCell<(Vec<f32>, Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
}

fn known(act: u32) -> bool {
  matches!(act, ACT_LINEAR | ACT_RELU | ACT_SIGMOID | ACT_TANH | ACT_GELU | ACT_GELU_TANH | ACT_SOFTMAX)
}

impl Model {
  /// `shape` holds (inDim, outDim, activation) per layer.
  pub fn new(shape: &[u32], weights: Weights, biases: Vec<f32>) -> ArgResult<Model> {
    Model::with_layout(shape, weights, biases, kernel::available())
  }

  /// As new; `pack` chooses the register tile's layout (where it can run)
  /// over the row-major GEMV / gemm-crate paths.
  fn with_layout(shape: &[u32], weights: Weights, biases: Vec<f32>, pack: bool) -> ArgResult<Model> {
    if shape.is_empty() || !shape.len().is_multiple_of(3) {
      return Err(ArgError::new("layers", "must hold (inDim, outDim, activation) triples, at least one"));
    }
    let mut layers = Vec::with_capacity(shape.len() / 3);
    let (mut w_off, mut b_off) = (0usize, 0usize);
    let mut max_width = shape[0] as usize;
    for (i, t) in shape.chunks_exact(3).enumerate() {
      let (in_dim, out_dim, act) = (t[0] as usize, t[1] as usize, t[2]);
      if in_dim == 0 || out_dim == 0 {
        return Err(ArgError::new("layers", format!("layer {i} has a zero dimension")));
      }
      if let Some(prev) = layers.last().map(|l: &Layer| l.out_dim) {
        if prev != in_dim {
          return Err(ArgError::new("layers", format!("layer {i} takes {in_dim} inputs; the layer before gives {prev}")));
        }
      }
      if !known(act) || (act == ACT_SOFTMAX && i + 1 != shape.len() / 3) {
        return Err(ArgError::new("layers", format!("layer {i} has activation code {act}")));
      }
      let size = in_dim.checked_mul(out_dim).ok_or_else(|| ArgError::new("layers", "dimensions overflow"))?;
      layers.push(Layer { in_dim, out_dim, act, w_off, b_off });
      w_off = w_off.checked_add(size).ok_or_else(|| ArgError::new("layers", "dimensions overflow"))?;
      b_off += out_dim;
      max_width = max_width.max(out_dim);
    }
    if weights.len() != w_off {
      return Err(ArgError::new("weights", format!("has {} elements; the layers need {w_off}", weights.len())));
    }
    if biases.len() != b_off {
      return Err(ArgError::new("biases", format!("has {} elements; the layers need {b_off}", biases.len())));
    }
    if let Weights::F32(w) = &weights {
      if let Some(i) = w.iter().position(|v| !v.is_finite()) {
        return Err(ArgError::new("weights", format!("[{i}] is not finite")));
      }
    }
    if let Weights::F16(w) = &weights {
      if let Some(i) = w.iter().position(|&h| h & 0x7c00 == 0x7c00) {
        return Err(ArgError::new("weights", format!("[{i}] is not a finite half")));
      }
    }
    if let Some(i) = biases.iter().position(|v| !v.is_finite()) {
      return Err(ArgError::new("biases", format!("[{i}] is not finite")));
    }
    if !pack {
      return Ok(Model { layers, weights, packed: false, biases, max_width });
    }
    let mut total = 0usize;
    for l in &layers {
      total = kernel::packed_len(l.in_dim, l.out_dim).and_then(|p| total.checked_add(p)).ok_or_else(|| ArgError::new("layers", "dimensions overflow"))?;
    }
    fn repack<T: Copy + Default>(w: &[T], layers: &mut [Layer], total: usize) -> Vec<T> {
      let mut out = Vec::with_capacity(total);
      for l in layers.iter_mut() {
        let at = out.len();
        kernel::pack(&w[l.w_off..l.w_off + l.in_dim * l.out_dim], l.in_dim, l.out_dim, &mut out);
        l.w_off = at;
      }
      out
    }
    let weights = match weights {
      Weights::F32(w) => Weights::F32(repack(&w, &mut layers, total)),
      Weights::F16(w) => Weights::F16(repack(&w, &mut layers, total)),
    };
    Ok(Model { layers, weights, packed: true, biases, max_width })
  }

  pub fn in_dim(&self) -> usize {
    self.layers[0].in_dim
  }

  pub fn out_dim(&self) -> usize {
    self.layers[self.layers.len() - 1].out_dim
  }

  /// out (batch × outDim) = the model over each row of inputs (batch × inDim).
  pub fn predict(&self, pool: Option<&ThreadPool>, inputs: &[f32], batch: usize, out: &mut [f32]) -> ArgResult<()> {
    let (d, n) = (self.in_dim(), self.out_dim());
    let want_in = batch.checked_mul(d).ok_or_else(|| ArgError::new("batch", "too large"))?;
    if inputs.len() != want_in {
      return Err(ArgError::new("inputs", format!("has {} elements; want batch × inputDim = {want_in}", inputs.len())));
    }
    // Checked too: a narrow input and a wide output can overflow here alone.
    let want_out = batch.checked_mul(n).ok_or_else(|| ArgError::new("batch", "too large"))?;
    if out.len() != want_out {
      return Err(ArgError::new("out", format!("has {} elements; want batch × outputDim = {want_out}", out.len())));
    }
    if batch == 0 {
      return Ok(());
    }
    let block = (BLOCK_FLOATS / self.max_width).clamp(1, batch);
    SCRATCH.with(|s| {
      // A re-entrant call on this thread (none exists today) would get fresh buffers instead of a panic.
      let mut fresh = (Vec::new(), Vec::new(), Vec::new());
      let mut guard = s.try_borrow_mut();
      let (a, b, wide) = match guard.as_mut() {
        Ok(g) => {
          let g = &mut **g;
          (&mut g.0, &mut g.1, &mut g.2)
        }
        Err(_) => (&mut fresh.0, &mut fresh.1, &mut fresh.2),
      };
      let need = block * self.max_width;
      if a.len() < need {
        a.resize(need, 0.0);
        b.resize(need, 0.0);
      }
      let mut r0 = 0;
      while r0 < batch {
        let rows = block.min(batch - r0);
        self.block(pool, &inputs[r0 * d..(r0 + rows) * d], rows, a, b, wide, &mut out[r0 * n..(r0 + rows) * n]);
        r0 += rows;
      }
    });
    Ok(())
  }

  /// One block of `rows` rows through every layer; the last writes `out`.
  #[allow(clippy::too_many_arguments)]
  fn block(&self, pool: Option<&ThreadPool>, x0: &[f32], rows: usize, a: &mut [f32], b: &mut [f32], wide: &mut Vec<f32>, out: &mut [f32]) {
    let last = self.layers.len() - 1;
    // The input of layer i: x0 for the first, then a / b alternately.
    let mut src_is_a = false;
    for (i, l) in self.layers.iter().enumerate() {
      let n = l.out_dim;
      let (src, dst): (&[f32], &mut [f32]) = match (i, i == last, src_is_a) {
        (0, true, _) => (x0, &mut *out),
        (0, false, _) => (x0, &mut a[..rows * n]),
        (_, true, true) => (&a[..rows * l.in_dim], &mut *out),
        (_, true, false) => (&b[..rows * l.in_dim], &mut *out),
        (_, false, true) => {
          let (src, dst) = (&a[..rows * l.in_dim], &mut b[..rows * n]);
          (src, dst)
        }
        (_, false, false) => (&b[..rows * l.in_dim], &mut a[..rows * n]),
      };
      self.layer(pool, l, src, rows, dst, wide);
      src_is_a = if i == 0 { true } else { !src_is_a };
    }
  }

  fn layer(&self, pool: Option<&ThreadPool>, l: &Layer, x: &[f32], rows: usize, y: &mut [f32], wide: &mut Vec<f32>) {
    let (k, n) = (l.in_dim, l.out_dim);
    let bias = &self.biases[l.b_off..l.b_off + n];
    for r in y.chunks_exact_mut(n) {
      r.copy_from_slice(bias);
    }
    if self.packed {
      // Packed only where kernel::available(); the lengths hold by
      // construction, so the tile always runs (false would leave the bias).
      let size = kernel::packed_len(k, n).unwrap_or(0);
      match &self.weights {
        Weights::F32(w) => kernel::gemm_packed(pool, x, rows, k, &w[l.w_off..l.w_off + size], n, y),
        Weights::F16(w) => kernel::gemm_packed(pool, x, rows, k, &w[l.w_off..l.w_off + size], n, y),
      };
    } else {
      self.row_major(pool, l, x, rows, y, wide);
    }
    for r in y.chunks_exact_mut(n) {
      activate(l.act, r);
    }
  }

  /// Where the register tile cannot run (no AVX2/FMA/F16C, HOTPATH_SIMD=scalar).
  fn row_major(&self, pool: Option<&ThreadPool>, l: &Layer, x: &[f32], rows: usize, y: &mut [f32], wide: &mut Vec<f32>) {
    let (k, n) = (l.in_dim, l.out_dim);
    let size = k * n;
    match &self.weights {
      Weights::F32(w) if rows < GEMV_ROWS => gemv_f32(x, rows, k, &w[l.w_off..l.w_off + size], n, y),
      Weights::F16(w) if rows < GEMV_ROWS => gemv_f16(x, rows, k, &w[l.w_off..l.w_off + size], n, y),
      Weights::F32(w) => gemm_into(pool, x, rows, k, &w[l.w_off..l.w_off + size], n, y),
      Weights::F16(w) => {
        if wide.len() < size {
          wide.resize(size, 0.0);
        }
        widen(&w[l.w_off..l.w_off + size], &mut wide[..size]);
        gemm_into(pool, x, rows, k, &wide[..size], n, y);
      }
    }
  }
}

/// dst[i] = the value of half bits src[i] (exact). F16C (8 per instruction)
/// where the CPU has it and the SIMD level is AVX2 or above (every such CPU
/// has F16C; HOTPATH_SIMD=scalar turns it off); `half`'s scalar widening
/// otherwise (its slice conversion only uses F16C when the crate is
/// compiled for it, which the baseline build is not).
fn widen(src: &[u16], dst: &mut [f32]) {
  #[cfg(target_arch = "x86_64")]
  {
    static F16C: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *F16C.get_or_init(|| crate::simd::level() >= crate::simd::Level::Avx2 && is_x86_feature_detected!("f16c")) {
      // SAFETY: the CPU reports AVX and F16C (AVX2 implies AVX).
      unsafe { widen_f16c(src, dst) };
      return;
    }
  }
  for (d, &h) in dst.iter_mut().zip(src) {
    *d = f16::from_bits(h).to_f32();
  }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,f16c")]
unsafe fn widen_f16c(src: &[u16], dst: &mut [f32]) {
  use std::arch::x86_64::{__m128i, _mm256_cvtph_ps, _mm256_storeu_ps, _mm_loadu_si128};
  let n = src.len().min(dst.len());
  let mut i = 0;
  while i + 8 <= n {
    // SAFETY: i + 8 <= n bounds both the 16-byte load and the 32-byte store.
    unsafe {
      let h = _mm_loadu_si128(src.as_ptr().add(i).cast::<__m128i>());
      _mm256_storeu_ps(dst.as_mut_ptr().add(i), _mm256_cvtph_ps(h));
    }
    i += 8;
  }
  for j in i..n {
    dst[j] = f16::from_bits(src[j]).to_f32();
  }
}

/// y (rows × n) += x (rows × k) · w (k × n) through the gemm crate.
fn gemm_into(pool: Option<&ThreadPool>, x: &[f32], rows: usize, k: usize, w: &[f32], n: usize, y: &mut [f32]) {
  debug_assert!(x.len() == rows * k && w.len() == k * n && y.len() == rows * n);
  let run = |y: &mut [f32], parallelism: Parallelism| {
    // SAFETY: the slices have exactly the lengths the shapes and strides
    // address (checked by the caller's construction: x is rows × k, w is
    // k × n, y is rows × n); y is a unique borrow that aliases neither
    // input. read_dst with alpha 1: y = y + 1·(x·w).
    unsafe {
      gemm::gemm(rows, n, k, y.as_mut_ptr(), 1, n as isize, true, x.as_ptr(), 1, k as isize, w.as_ptr(), 1, n as isize, 1.0f32, 1.0f32, false, false, false, parallelism)
    }
  };
  match par::pool_for(pool, rows.saturating_mul(k).saturating_mul(n), Cost::GemmMulAdd) {
    Some(p) => p.install(|| run(y, Parallelism::Rayon(p.current_num_threads()))),
    None => run(y, Parallelism::None),
  }
}

/// y[r, :] += sum_k x[r, k] w[k, :], W streamed once, four k at a time so
/// each y element is loaded and stored once per four rows of W.
#[inline(always)]
fn gemv_body(x: &[f32], rows: usize, k: usize, w: &[f32], n: usize, y: &mut [f32]) {
  let mut kk = 0;
  while kk + 4 <= k {
    let (w0, rest) = w[kk * n..(kk + 4) * n].split_at(n);
    let (w1, rest) = rest.split_at(n);
    let (w2, w3) = rest.split_at(n);
    for r in 0..rows {
      let xr = &x[r * k + kk..r * k + kk + 4];
      let (x0, x1, x2, x3) = (xr[0], xr[1], xr[2], xr[3]);
      let yr = &mut y[r * n..(r + 1) * n];
      for j in 0..n {
        yr[j] += x0 * w0[j] + x1 * w1[j] + x2 * w2[j] + x3 * w3[j];
      }
    }
    kk += 4;
  }
  while kk < k {
    let wk = &w[kk * n..(kk + 1) * n];
    for r in 0..rows {
      let xv = x[r * k + kk];
      let yr = &mut y[r * n..(r + 1) * n];
      for j in 0..n {
        yr[j] += xv * wk[j];
      }
    }
    kk += 1;
  }
}

dispatch!(fn gemv_f32(x: &[f32], rows: usize, k: usize, w: &[f32], n: usize, y: &mut [f32]) -> () => gemv_body);

/// The f16 GEMV: each W row widened in strips into a stack buffer, then the
/// same axpy.
fn gemv_f16(x: &[f32], rows: usize, k: usize, w: &[u16], n: usize, y: &mut [f32]) {
  let mut strip = [0f32; HALF_STRIP];
  let mut j0 = 0;
  while j0 < n {
    let width = HALF_STRIP.min(n - j0);
    for kk in 0..k {
      widen(&w[kk * n + j0..kk * n + j0 + width], &mut strip[..width]);
      axpy_rows(x, rows, k, kk, &strip[..width], n, j0, y);
    }
    j0 += width;
  }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn axpy_rows_body(x: &[f32], rows: usize, k: usize, kk: usize, wk: &[f32], n: usize, j0: usize, y: &mut [f32]) {
  for r in 0..rows {
    let xv = x[r * k + kk];
    let yr = &mut y[r * n + j0..r * n + j0 + wk.len()];
    for (yj, &wj) in yr.iter_mut().zip(wk) {
      *yj += xv * wj;
    }
  }
}

dispatch!(fn axpy_rows(x: &[f32], rows: usize, k: usize, kk: usize, wk: &[f32], n: usize, j0: usize, y: &mut [f32]) -> () => axpy_rows_body);

// Abramowitz and Stegun 7.1.26 (|error| <= 1.5e-7), as TensorFlow.js computes erf.
const ERF_P: f32 = 0.327_591_1;
const ERF_A: [f32; 5] = [0.254_829_6, -0.284_496_74, 1.421_413_8, -1.453_152_1, 1.061_405_4];

fn erf(x: f32) -> f32 {
  let a = x.abs();
  let t = 1.0 / (1.0 + ERF_P * a);
  let poly = ((((ERF_A[4] * t + ERF_A[3]) * t + ERF_A[2]) * t + ERF_A[1]) * t + ERF_A[0]) * t;
  let y = 1.0 - poly * (-a * a).exp();
  if x < 0.0 {
    -y
  } else {
    y
  }
}

/// The activation over one row, in place (softmax over the whole row).
pub fn activate(act: u32, z: &mut [f32]) {
  match act {
    ACT_RELU => z.iter_mut().for_each(|v| *v = v.max(0.0)),
    ACT_SIGMOID => z.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
    ACT_TANH => z.iter_mut().for_each(|v| *v = v.tanh()),
    ACT_GELU => z.iter_mut().for_each(|v| *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2))),
    ACT_GELU_TANH => {
      let c = (2.0f32 / std::f32::consts::PI).sqrt();
      z.iter_mut().for_each(|v| *v = 0.5 * *v * (1.0 + (c * (*v + 0.044715 * *v * *v * *v)).tanh()));
    }
    ACT_SOFTMAX => {
      let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
      let mut sum = 0.0f32;
      for v in z.iter_mut() {
        *v = (*v - m).exp();
        sum += *v;
      }
      let inv = 1.0 / sum;
      z.iter_mut().for_each(|v| *v *= inv);
    }
    _ => {}
  }
}
