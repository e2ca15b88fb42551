// Noisy-OR risk per entity over CSR signals: r <- r + p·(1 − r), the form the
// CPU tiers use (it never cancels the way 1 − Π(1 − p) does). One invocation
// per entity.

override WG: u32 = 64u;

struct Params {
  entities: u32,
  maxSeverity: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> severities: array<f32>;
@group(0) @binding(1) var<storage, read> confidences: array<f32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // 2D grid: more than 65535 workgroups do not fit in one dimension.
  let e = gid.y * nwg.x * WG + gid.x;
  if (e >= p.entities) {
    return;
  }
  var r = 0.0;
  for (var i = offsets[e]; i < offsets[e + 1u]; i++) {
    let x = clamp(confidences[i], 0.0, 1.0) * clamp(severities[i] / p.maxSeverity, 0.0, 1.0);
    r = r + x * (1.0 - r);
  }
  out[e] = r;
}
