use super::*;
use crate::test_rng::Rng;
use rayon::ThreadPoolBuilder;

fn gelu(z: f64) -> f64 {
  0.5 * z * (1.0 + erf(z as f32 * std::f32::consts::FRAC_1_SQRT_2) as f64)
}

fn act64(a: u32, z: &mut [f64]) {
  match a {
    ACT_RELU => z.iter_mut().for_each(|v| *v = v.max(0.0)),
    ACT_SIGMOID => z.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
    ACT_TANH => z.iter_mut().for_each(|v| *v = v.tanh()),
    ACT_GELU => z.iter_mut().for_each(|v| *v = gelu(*v)),
    ACT_GELU_TANH => z.iter_mut().for_each(|v| *v = 0.5 * *v * (1.0 + ((2.0 / std::f64::consts::PI).sqrt() * (*v + 0.044715 * *v * *v * *v)).tanh())),
    ACT_SOFTMAX => {
      let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
      let s: f64 = z.iter().map(|v| (v - m).exp()).sum();
      z.iter_mut().for_each(|v| *v = (*v - m).exp() / s);
    }
    _ => {}
  }
}

/// f64 evaluation and each output's scale (sum of |terms|, carried forward).
fn reference(shape: &[u32], w: &[f64], b: &[f32], x: &[f32], batch: usize) -> (Vec<f64>, Vec<f64>) {
  let (mut vals, mut scales) = (Vec::new(), Vec::new());
  for r in 0..batch {
    let d = shape[0] as usize;
    let mut h: Vec<f64> = x[r * d..(r + 1) * d].iter().map(|&v| v as f64).collect();
    let mut s = vec![0.0; d];
    let (mut wo, mut bo) = (0, 0);
    for t in shape.chunks_exact(3) {
      let (k, n, a) = (t[0] as usize, t[1] as usize, t[2]);
      let mut z: Vec<f64> = (0..n).map(|j| b[bo + j] as f64).collect();
      let mut zs: Vec<f64> = z.iter().map(|v| v.abs()).collect();
      for kk in 0..k {
        for j in 0..n {
          let wv = w[wo + kk * n + j];
          z[j] += h[kk] * wv;
          zs[j] += (h[kk].abs() + s[kk]) * wv.abs();
        }
      }
      let smax = zs.iter().copied().fold(0.0, f64::max);
      act64(a, &mut z);
      s = zs.iter().zip(&z).map(|(&v, &y)| if a == ACT_SOFTMAX { 2.0 * smax + y } else { v * 1.13 + y.abs() }).collect();
      h = z;
      wo += k * n;
      bo += n;
    }
    vals.extend(h);
    scales.extend(s);
  }
  (vals, scales)
}

fn half_value(h: u16) -> f64 {
  f16::from_bits(h).to_f64()
}

fn check(shape: &[u32], batch: usize, f16w: bool, seed: u64, pool: Option<&ThreadPool>) {
  check_layout(shape, batch, f16w, seed, pool, kernel::available());
}

fn check_layout(shape: &[u32], batch: usize, f16w: bool, seed: u64, pool: Option<&ThreadPool>, pack: bool) {
  let mut rng = Rng::new(seed);
  let (mut nw, mut nb) = (0, 0);
  for t in shape.chunks_exact(3) {
    nw += (t[0] * t[1]) as usize;
    nb += t[1] as usize;
  }
  let w32: Vec<f32> = (0..nw).map(|_| (rng.unit() * 2.0 - 1.0) as f32).collect();
  let b: Vec<f32> = (0..nb).map(|_| (rng.unit() - 0.5) as f32).collect();
  let x: Vec<f32> = (0..batch * shape[0] as usize).map(|_| (rng.unit() * 4.0 - 2.0) as f32).collect();
  let (weights, w64): (Weights, Vec<f64>) = if f16w {
    let h: Vec<u16> = w32.iter().map(|&v| f16::from_f32(v).to_bits()).collect();
    let w64 = h.iter().map(|&v| half_value(v)).collect();
    (Weights::F16(h), w64)
  } else {
    (Weights::F32(w32.clone()), w32.iter().map(|&v| v as f64).collect())
  };
  let m = Model::with_layout(shape, weights, b.clone(), pack).unwrap();
  assert_eq!(m.packed, pack);
  let mut out = vec![f32::NAN; batch * m.out_dim()];
  m.predict(pool, &x, batch, &mut out).unwrap();
  let (want, scale) = reference(shape, &w64, &b, &x, batch);
  for i in 0..want.len() {
    assert!((out[i] as f64 - want[i]).abs() <= 1e-5 * scale[i] + 1e-30, "{shape:?} batch {batch} f16 {f16w} [{i}]: {} vs {} (scale {})", out[i], want[i], scale[i]);
  }
}

#[test]
fn matches_the_f64_reference() {
  let pool = ThreadPoolBuilder::new().num_threads(3).build().unwrap();
  let shapes: [&[u32]; 6] = [
    &[1, 1, ACT_LINEAR],
    &[3, 17, ACT_RELU, 17, 5, ACT_SOFTMAX],
    &[17, 64, ACT_SIGMOID, 64, 130, ACT_TANH],
    &[130, 3, ACT_GELU, 3, 64, ACT_GELU_TANH, 64, 9, ACT_LINEAR],
    &[256, 512, ACT_RELU, 512, 512, ACT_RELU, 512, 1, ACT_SIGMOID],
    &[5, 2000, ACT_RELU, 2000, 3, ACT_SOFTMAX],
  ];
  for (si, s) in shapes.iter().enumerate() {
    for &batch in &[0usize, 1, 3, 7, 8, 9, 40] {
      for f16w in [false, true] {
        for p in [None, Some(&pool)] {
          check(s, batch, f16w, (si * 100 + batch) as u64, p);
        }
      }
    }
  }
}

/// The row-major paths (GEMV below GEMV_ROWS, the gemm crate above) that
/// CPUs without AVX2/FMA/F16C take; on this one only a test reaches them.
#[test]
fn row_major_paths_match_the_f64_reference() {
  let pool = ThreadPoolBuilder::new().num_threads(2).build().unwrap();
  let shapes: [&[u32]; 3] = [&[3, 17, ACT_RELU, 17, 5, ACT_SOFTMAX], &[130, 3, ACT_GELU, 3, 64, ACT_GELU_TANH, 64, 9, ACT_LINEAR], &[256, 512, ACT_RELU, 512, 512, ACT_RELU, 512, 1, ACT_SIGMOID]];
  for (si, s) in shapes.iter().enumerate() {
    for &batch in &[1usize, 7, GEMV_ROWS, 40] {
      for f16w in [false, true] {
        for p in [None, Some(&pool)] {
          check_layout(s, batch, f16w, (si * 100 + batch) as u64, p, false);
        }
      }
    }
  }
}

#[test]
fn huge_batches_are_refused_not_overflowed() {
  // inDim 1, outDim 2^20: batch × inDim fits, batch × outDim does not.
  let m = Model::new(&[1, 1 << 20, ACT_LINEAR], Weights::F32(vec![0.0; 1 << 20]), vec![0.0; 1 << 20]).unwrap();
  let big = usize::MAX / 2;
  assert!(m.predict(None, &[], big, &mut []).is_err());
  assert!(m.predict(None, &[1.0; 3], 3, &mut [0.0; 5]).is_err());
}

#[test]
fn blocks_cross_a_large_batch() {
  // 2^20 / 2000 = 524 rows a block: 1100 rows take three blocks.
  check(&[5, 2000, ACT_RELU, 2000, 3, ACT_LINEAR], 1100, false, 9, None);
}

#[test]
fn refuses_bad_shapes_and_values() {
  let ok = |shape: &[u32], nw: usize, nb: usize| Model::new(shape, Weights::F32(vec![0.5; nw]), vec![0.0; nb]);
  assert!(ok(&[2, 3, ACT_RELU], 6, 3).is_ok());
  assert!(ok(&[], 0, 0).is_err());
  assert!(ok(&[2, 3], 6, 3).is_err());
  assert!(ok(&[2, 0, ACT_RELU], 0, 0).is_err());
  assert!(ok(&[2, 3, ACT_RELU, 4, 1, ACT_LINEAR], 10, 4).is_err());
  assert!(ok(&[2, 3, 99], 6, 3).is_err());
  assert!(ok(&[2, 3, ACT_SOFTMAX, 3, 1, ACT_LINEAR], 9, 4).is_err());
  assert!(ok(&[2, 3, ACT_RELU], 5, 3).is_err());
  assert!(ok(&[2, 3, ACT_RELU], 6, 2).is_err());
  assert!(ok(&[u32::MAX, u32::MAX, ACT_RELU], 6, 3).is_err());
  assert!(Model::new(&[1, 1, ACT_RELU], Weights::F32(vec![f32::NAN]), vec![0.0]).is_err());
  assert!(Model::new(&[1, 1, ACT_RELU], Weights::F16(vec![0x7c00]), vec![0.0]).is_err());
  assert!(Model::new(&[1, 1, ACT_RELU], Weights::F32(vec![1.0]), vec![f32::INFINITY]).is_err());
  let m = ok(&[2, 3, ACT_RELU], 6, 3).unwrap();
  let mut out = vec![0.0; 3];
  assert!(m.predict(None, &[1.0; 3], 1, &mut out).is_err());
  assert!(m.predict(None, &[1.0; 2], 1, &mut out[..2]).is_err());
  assert!(m.predict(None, &[1.0; 2], usize::MAX, &mut out).is_err());
}

#[test]
fn halves_widen_exactly() {
  for h in 0..=u16::MAX {
    let v = f16::from_bits(h);
    if v.is_nan() {
      continue;
    }
    // Through the SIMD body (8 at a time) and the tail.
    let src = [h; 9];
    let mut dst = [0f32; 9];
    widen(&src, &mut dst);
    assert!(dst.iter().all(|d| d.to_bits() == (v.to_f64() as f32).to_bits()), "{h:#06x}");
  }
}
