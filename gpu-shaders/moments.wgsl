// First pass of stats as a parallel reduction: each workgroup folds a
// contiguous block of x into (count, mean, M2, min, max) with Welford's update
// per invocation and Chan's pairwise merge across the workgroup. The host
// merges the per-workgroup partials in f64; the median is found on the CPU.

const WG: u32 = 256u;

struct Params {
  n: u32,
  perGroup: u32, // elements per workgroup, a multiple of WG
  _pad0: u32,
  _pad1: u32,
}

struct Partial {
  count: f32,
  mean: f32,
  m2: f32,
  min: f32,
  max: f32,
  _pad0: f32,
  _pad1: f32,
  _pad2: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<Partial>;
@group(0) @binding(2) var<uniform> p: Params;

var<workgroup> cnt: array<f32, WG>;
var<workgroup> mu: array<f32, WG>;
var<workgroup> m2s: array<f32, WG>;
var<workgroup> lo: array<f32, WG>;
var<workgroup> hi: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let g = wg.y * nwg.x + wg.x;
  let start = g * p.perGroup;
  let end = min(start + p.perGroup, p.n);
  var c = 0.0;
  var m = 0.0;
  var s = 0.0;
  var mn = 0x1.fffffep+127f;
  var mx = -0x1.fffffep+127f;
  // Strided so a workgroup's loads are coalesced.
  for (var i = start + lid.x; i < end; i += WG) {
    let v = x[i];
    c += 1.0;
    let d = v - m;
    m += d / c;
    s += d * (v - m);
    mn = min(mn, v);
    mx = max(mx, v);
  }
  cnt[lid.x] = c;
  mu[lid.x] = m;
  m2s[lid.x] = s;
  lo[lid.x] = mn;
  hi[lid.x] = mx;
  workgroupBarrier();
  for (var step = WG / 2u; step > 0u; step >>= 1u) {
    if (lid.x < step) {
      let o = lid.x + step;
      let ca = cnt[lid.x];
      let cb = cnt[o];
      let cn = ca + cb;
      if (cb > 0.0) {
        let d = mu[o] - mu[lid.x];
        mu[lid.x] = mu[lid.x] + d * (cb / cn);
        m2s[lid.x] = m2s[lid.x] + m2s[o] + d * d * (ca * cb / cn);
        cnt[lid.x] = cn;
        lo[lid.x] = min(lo[lid.x], lo[o]);
        hi[lid.x] = max(hi[lid.x], hi[o]);
      }
    }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    partials[g] = Partial(cnt[0], mu[0], m2s[0], lo[0], hi[0], 0.0, 0.0, 0.0);
  }
}
