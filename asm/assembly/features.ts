// Hashed character n-gram features.
//
// Text t is bytes[offsets[t], offsets[t+1]) (UTF-8). A code point starts at every byte with
// (b & 0xC0) != 0x80. Each window of n consecutive code points is hashed with 32-bit FNV-1a
// over its bytes and counts[hash % dims] is incremented. Two cursors walk the text (window
// start and window end), so finding windows costs O(bytes); each window's bytes are hashed
// (FNV-1a does not roll). Rows: counts, or counts / sqrt(Σ counts²) rounded once to f32.
// `out` is zeroed by the caller, so only non-zero buckets are written; `counts` is cleared
// here at the start and while each row is written out. A call whose regions would not lie
// inside memory writes nothing.

// @ts-ignore: decorator
@inline const FNV_OFFSET: u32 = 2166136261;
// @ts-ignore: decorator
@inline const FNV_PRIME: u32 = 16777619;

/** First byte after p (< e) that starts a code point, or e. */
// @ts-ignore: decorator
@inline function nextStart(p: usize, e: usize): usize {
  p++;
  while (p < e && (<u32>load<u8>(p) & 0xc0) == 0x80) p++;
  return p;
}

/** Writes the row for counts[0, dims) to row (f32) and clears counts. */
function writeRow(counts: usize, dims: i32, row: usize, normalize: bool, ss: u64): void {
  let i = 0;
  const norm = Math.sqrt(<f64>ss);
  if (ASC_FEATURE_SIMD) {
    const zero = v128.splat<i32>(0);
    const vn = f64x2.splat(norm);
    for (; i + 4 <= dims; i += 4) {
      const c = v128.load(counts);
      if (v128.any_true(c)) {
        v128.store(counts, zero);
        let r: v128;
        if (normalize) {
          const lo = f64x2.div(f64x2.convert_low_i32x4_u(c), vn);
          const hi = f64x2.div(f64x2.convert_low_i32x4_u(v128.shuffle<i32>(c, c, 2, 3, 2, 3)), vn);
          r = v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
        } else {
          r = f32x4.convert_i32x4_u(c);
        }
        v128.store(row, r);
      }
      counts += 16; row += 16;
    }
  }
  for (; i < dims; i++) {
    const c = load<u32>(counts);
    if (c != 0) {
      store<u32>(counts, 0);
      store<f32>(row, normalize ? <f32>(<f64>c / norm) : <f32>c);
    }
    counts += 4; row += 4;
  }
}

export function ngramFeatures(
  bytes: usize, offsets: usize, texts: i32, n: i32, dims: i32, normalize: i32, out: usize, counts: usize,
): void {
  if (texts <= 0 || n <= 0 || dims <= 0) return;
  // Extents in u64: texts·dims past 4 GiB would wrap a usize and write over other blocks.
  const mem = <u64>memory.size() << 16;
  if (<u64>counts + (<u64>dims << 2) > mem || <u64>out + <u64>texts * (<u64>dims << 2) > mem) return;
  if (<u64>offsets + (<u64>texts << 2) + 4 > mem) return;
  memory.fill(counts, 0, <usize>dims << 2);
  const ud = <u32>dims;
  const pow2 = (ud & (ud - 1)) == 0;
  const mask = ud - 1;
  const rowBytes = <usize>dims << 2;
  const memEnd = <usize>memory.size() << 16;
  let row = out;
  for (let t = 0; t < texts; t++, row += rowBytes) {
    const s = bytes + <usize>load<u32>(offsets + (<usize>t << 2));
    // Offsets are data: clamp the end to memory so bad ones cannot trap.
    const e = min(bytes + <usize>load<u32>(offsets + (<usize>t << 2), 4), memEnd);
    if (e <= s) continue;
    // End of the first window: the start of code point n.
    let r = s;
    let c = 0;
    while (c < n && r < e) { r = nextStart(r, e); c++; }
    if (c < n) continue;
    let q = s;
    let ss: u64 = 0;
    while (true) {
      let h = FNV_OFFSET;
      for (let p = q; p < r; p++) h = (h ^ <u32>load<u8>(p)) * FNV_PRIME;
      const b = pow2 ? h & mask : h % ud;
      const cp = counts + (<usize>b << 2);
      const old = load<u32>(cp);
      store<u32>(cp, old + 1);
      ss += (<u64>old << 1) + 1;
      if (r >= e) break;
      q = nextStart(q, e);
      r = nextStart(r, e);
    }
    writeRow(counts, dims, row, normalize != 0, ss);
  }
}
