// C = A·B, row-major f32. A workgroup of 16x16 invocations computes a 64x64
// tile of C, each invocation a 4x4 block held in registers; A and B stream
// through workgroup memory 16 columns/rows at a time.

const TILE: u32 = 64u;
const TK: u32 = 16u;

struct Params {
  m: u32,
  k: u32,
  n: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

var<workgroup> As: array<f32, 1024>; // TILE x TK, row-major
var<workgroup> Bs: array<f32, 1024>; // TK x TILE, row-major

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  let t = lid.y * 16u + lid.x;
  // Four row accumulators of four columns each: vector registers, no
  // dynamically indexed arrays (which some compilers keep in memory).
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < p.k; k0 += TK) {
    // 256 invocations load 1024 elements of each tile: 4 apiece, zero-padded.
    for (var e = 0u; e < 4u; e++) {
      let idx = t + e * 256u;
      let ar = idx / TK;
      let ac = idx % TK;
      let gr = row0 + ar;
      let gk = k0 + ac;
      As[idx] = select(0.0, a[gr * p.k + gk], gr < p.m && gk < p.k);
      let br = idx / TILE;
      let bc = idx % TILE;
      let bk = k0 + br;
      let gc = col0 + bc;
      Bs[idx] = select(0.0, b[bk * p.n + gc], bk < p.k && gc < p.n);
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
  store(row0 + lid.y * 4u, col0 + lid.x * 4u, acc0);
  store(row0 + lid.y * 4u + 1u, col0 + lid.x * 4u, acc1);
  store(row0 + lid.y * 4u + 2u, col0 + lid.x * 4u, acc2);
  store(row0 + lid.y * 4u + 3u, col0 + lid.x * 4u, acc3);
}

fn store(r: u32, c0: u32, v: vec4f) {
  if (r >= p.m) {
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    if (c0 + j < p.n) {
      c[r * p.n + c0 + j] = v[j];
    }
  }
}
