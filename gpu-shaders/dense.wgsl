// One dense layer of a DenseModel (ts/contract/model.ts):
//   out[r, j] = act(bias[j] + sum_k x[r, k] * W[k * n + j]).
// MODE 0: tiled GEMM as matmul.wgsl (64x64 tile of out per workgroup, 4x4 per
//   invocation), bias and activation applied as the tile is stored.
// MODE 1: one invocation per output, for a handful of rows, where a 64-row
//   tile would be mostly padding.
// MODE 2: softmax of each row of `out` in place (one workgroup per row), run
//   after a MODE 0/1 pass wrote the row's logits.
// HALF: W holds IEEE binary16 bit patterns two per u32 (element 2i in the
//   low half of word i), widened to f32 exactly; else W holds f32 bits.
// The activation is a runtime uniform so one pipeline per (MODE, HALF)
// serves every layer.

override MODE: u32 = 0u;
override HALF: bool = false;

const TILE: u32 = 64u;
const TK: u32 = 16u;
const WG: u32 = 256u;

const RELU: u32 = 1u;
const SIGMOID: u32 = 2u;
const TANH: u32 = 3u;
const GELU: u32 = 4u;
const GELU_TANH: u32 = 5u;

struct Params {
  m: u32, // rows
  k: u32, // inDim
  n: u32, // outDim
  act: u32, // ABI.ACT_* (softmax: linear here, MODE 2 follows)
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

var<workgroup> As: array<f32, 1024>; // TILE x TK, row-major
var<workgroup> Bs: array<f32, 1024>; // TK x TILE, row-major
var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = lid.y * 16u + lid.x;
  if (MODE == 0u) {
    gemm(wg, lid, t);
  } else if (MODE == 1u) {
    gemv(wg.y, wg.x * WG + t);
  } else {
    softmax(wg.y * nwg.x + wg.x, t);
  }
}

fn weight(i: u32) -> f32 {
  if (HALF) {
    let word = w[i >> 1u];
    return half(select(word & 0xffffu, word >> 16u, (i & 1u) == 1u));
  }
  return bitcast<f32>(w[i]);
}

fn half(h: u32) -> f32 {
  // Subnormal halves are exact in f32, but unpack2x16float may flush them
  // to zero; widen those by hand.
  if ((h & 0x7c00u) == 0u) {
    let v = f32(h & 0x3ffu) * 0x1p-24f;
    return select(v, -v, (h & 0x8000u) != 0u);
  }
  return unpack2x16float(h).x;
}

fn gemm(wg: vec3u, lid: vec3u, t: u32) {
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  // Vector accumulators, not an indexed array (which some compilers keep in memory).
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < p.k; k0 += TK) {
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * WG;
      let gr = row0 + idx / TK;
      let gk = k0 + idx % TK;
      var av = 0.0;
      if (gr < p.m && gk < p.k) {
        av = x[gr * p.k + gk];
      }
      As[idx] = av;
      let bk = k0 + idx / TILE;
      let gc = col0 + idx % TILE;
      var bv = 0.0;
      if (bk < p.k && gc < p.n) {
        bv = weight(bk * p.n + gc);
      }
      Bs[idx] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      let bo = kk * TILE + lid.x * 4u;
      let bv = vec4f(Bs[bo], Bs[bo + 1u], Bs[bo + 2u], Bs[bo + 3u]);
      let ao = lid.y * 4u * TK + kk;
      acc0 = fma(vec4f(As[ao]), bv, acc0);
      acc1 = fma(vec4f(As[ao + TK]), bv, acc1);
      acc2 = fma(vec4f(As[ao + 2u * TK]), bv, acc2);
      acc3 = fma(vec4f(As[ao + 3u * TK]), bv, acc3);
    }
    workgroupBarrier();
  }
  let r = row0 + lid.y * 4u;
  let c = col0 + lid.x * 4u;
  store(r, c, acc0);
  store(r + 1u, c, acc1);
  store(r + 2u, c, acc2);
  store(r + 3u, c, acc3);
}

fn store(r: u32, c0: u32, v: vec4f) {
  if (r >= p.m) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    let c = c0 + j;
    if (c < p.n) {
      out[r * p.n + c] = activate(v[j] + bias[c]);
    }
  }
}

fn gemv(r: u32, j: u32) {
  if (r >= p.m || j >= p.n) {
    return;
  }
  let xb = r * p.k;
  var acc = 0.0;
  for (var k = 0u; k < p.k; k++) {
    acc = fma(x[xb + k], weight(k * p.n + j), acc);
  }
  out[r * p.n + j] = activate(acc + bias[j]);
}

fn softmax(r: u32, t: u32) {
  // r is uniform across the workgroup, so the early return keeps the
  // barriers below in uniform control flow.
  if (r >= p.m) {
    return;
  }
  let base = r * p.n;
  var m = -0x1.fffffep+127f;
  for (var j = t; j < p.n; j += WG) {
    m = max(m, out[base + j]);
  }
  red[t] = m;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      red[t] = max(red[t], red[t + s]);
    }
    workgroupBarrier();
  }
  m = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = t; j < p.n; j += WG) {
    sum += exp(out[base + j] - m);
  }
  red[t] = sum;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (t < s) {
      red[t] = red[t] + red[t + s];
    }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];
  for (var j = t; j < p.n; j += WG) {
    out[base + j] = exp(out[base + j] - m) * inv;
  }
}

fn activate(z: f32) -> f32 {
  switch p.act {
    case RELU: {
      return max(z, 0.0);
    }
    case SIGMOID: {
      return 1.0 / (1.0 + exp(-z));
    }
    case TANH: {
      return tanh_(z);
    }
    case GELU: {
      return gelu(z);
    }
    case GELU_TANH: {
      // 0.5 z (1 + tanh v) = z / (1 + e^(-2v)): no cancellation for z < 0,
      // and no overflow (e^(-2v) = inf gives -0, the limit).
      let v = 0.7978845608028654 * (z + 0.044715 * z * z * z);
      return z / (1.0 + exp(-2.0 * v));
    }
    default: {
      return z;
    }
  }
}

fn tanh_(z: f32) -> f32 {
  // The builtin's accuracy is left to the implementation (sinh / cosh,
  // which overflows); (1 - e^(-2a)) / (1 + e^(-2a)) is accurate from 0.3 up,
  // below that 1 - e^(-2a) cancels, so the Taylor series takes over
  // (truncation below 2e-9 relative at 0.3).
  let a = abs(z);
  if (a < 0.3) {
    let s = z * z;
    return z * (1.0 + s * (-0.33333333333 + s * (0.13333333333 + s * (-0.053968253968 + s * (0.021869488536 + s * -0.0088632355299)))));
  }
  let e = exp(-2.0 * a);
  return sign(z) * (1.0 - e) / (1.0 + e);
}

fn gelu(z: f32) -> f32 {
  // Abramowitz and Stegun 7.1.26: q = erfc(|u|) to 1.5e-7 absolute. Then
  // 1 + erf(u) is 2 - q for u >= 0 and q itself for u < 0, which avoids
  // 1 + erf cancelling for negative z.
  let u = z * 0.7071067811865476;
  let a = abs(u);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let q = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * exp(-a * a);
  return 0.5 * z * select(q, 2.0 - q, u >= 0.0);
}
