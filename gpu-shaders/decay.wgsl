// Exponential decay by half-life: out[i] = score[i] · 2^(−age[i] / halfLife).

override WG: u32 = 256u;

struct Params {
  n: u32,
  halfLife: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read> ages: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // 2D grid: more than 65535 workgroups of 256 do not fit in one dimension.
  let i = gid.y * nwg.x * WG + gid.x;
  if (i >= p.n) {
    return;
  }
  out[i] = scores[i] * exp2(-(ages[i] / p.halfLife));
}
