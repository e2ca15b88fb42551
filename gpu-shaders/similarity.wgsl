// All-pairs similarity of Q query vectors against R matrix rows (one chunk of
// rows per dispatch): out[q * rows + r]. One invocation per (row, query); the
// x dimension walks rows so neighbouring invocations read neighbouring rows.
// METRIC: the ABI's metric codes (ts/contract/abi.ts): 0 cosine, 1 dot
// product, 2 euclidean distance. Accumulates in f32.

override METRIC: u32 = 0u;
const COSINE: u32 = 0u;
const EUCLIDEAN: u32 = 2u;
override WG: u32 = 64u;

struct Params {
  dim: u32,
  rows: u32,
  queries: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> queries: array<f32>;
@group(0) @binding(1) var<storage, read> matrix: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.x;
  let q = gid.y;
  if (r >= p.rows || q >= p.queries) {
    return;
  }
  let qb = q * p.dim;
  let mb = r * p.dim;
  var ab = 0.0;
  var aa = 0.0;
  var bb = 0.0;
  for (var j = 0u; j < p.dim; j++) {
    let x = queries[qb + j];
    let y = matrix[mb + j];
    if (METRIC == EUCLIDEAN) {
      let d = x - y;
      ab += d * d;
    } else {
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
  }
  var s: f32;
  if (METRIC == COSINE) {
    // As the CPU tiers: 0 when either norm is 0, clamped to [-1, 1].
    if (aa == 0.0 || bb == 0.0) {
      s = 0.0;
    } else {
      s = clamp(ab / (sqrt(aa) * sqrt(bb)), -1.0, 1.0);
    }
  } else if (METRIC == EUCLIDEAN) {
    s = sqrt(ab);
  } else {
    s = ab;
  }
  out[q * p.rows + r] = s;
}
