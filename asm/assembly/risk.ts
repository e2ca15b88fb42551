// Noisy-OR risk scores and temporal decay (f64).
//
// Per signal: x_i = clamp(c_i, 0, 1) * clamp(s_i / maxSeverity, 0, 1); per entity, in order,
// r = r + x_i * (1 - r) starting from 0. A non-finite s_i or c_i makes the entity NaN.
// Every path evaluates exactly these operations in this order, so the single-entity, batch,
// SIMD and scalar results are identical bit for bit.
//
// Batch: runs of consecutive entities whose CSR ranges are valid are handled in chunks of
// at most XCHUNK signals: first x_i for the whole chunk is computed into a static buffer
// (vectorised; a non-finite signal stores NaN there, which the recurrence then carries to
// the entity's result), then the per-entity recurrences read it back. The recurrence is a
// serial chain per entity, so two entities advance together in the two f64x2 lanes.

// @ts-ignore: decorator
@inline const XCHUNK: i32 = 4096;

/** x_i for the current chunk (f64[XCHUNK]). */
const xBuf = memory.data(XCHUNK * 8, 16);

/** clamp(v, 0, 1) that keeps NaN (like `v < 0 ? 0 : v > 1 ? 1 : v`). */
// @ts-ignore: decorator
@inline function clamp01(v: f64): f64 {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** x_i of one signal; NaN when s or c is non-finite. */
// @ts-ignore: decorator
@inline function signal(s: f64, c: f64, maxSeverity: f64): f64 {
  const x = clamp01(c) * clamp01(s / maxSeverity);
  // (s - s) + (c - c) is 0 for finite inputs and NaN otherwise; x + 0 == x for x in [0, 1]
  // (x = -0 becomes +0, which the recurrence cannot tell apart).
  return x + ((s - s) + (c - c));
}

/** Noisy-OR over n signals; counts positions with a non-finite s or c into `badCount`. */
let badCount: i32 = 0;

function noisyOrScalar(sev: usize, conf: usize, n: i32, maxSeverity: f64): f64 {
  let r: f64 = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const s = load<f64>(sev), c = load<f64>(conf);
    const m = (s - s) + (c - c);
    bad += <i32>(m != m);
    r = r + (clamp01(c) * clamp01(s / maxSeverity) + m) * (1 - r);
    sev += 8; conf += 8;
  }
  badCount = bad;
  return bad ? NaN : r;
}

export function riskScoreF64(sev: usize, conf: usize, n: i32, maxSeverity: f64): f64 {
  if (n <= 0) return 0;
  return noisyOrScalar(sev, conf, n, maxSeverity);
}

/** Writes x_i for signals [0, n) of (sev, conf) into xBuf; returns the non-finite count. */
function fillSignals(sev: usize, conf: usize, n: i32, maxSeverity: f64): i32 {
  let i = 0;
  let bad = 0;
  let dst = xBuf;
  if (ASC_FEATURE_SIMD) {
    const vmax = f64x2.splat(maxSeverity);
    const zero = f64x2.splat(0);
    const one = f64x2.splat(1);
    let badV = i64x2.splat(0);
    for (; i + 2 <= n; i += 2) {
      const s = v128.load(sev), c = v128.load(conf);
      const m = f64x2.add(f64x2.sub(s, s), f64x2.sub(c, c));
      // pmax(v, 0) = 0 < v ? v : 0 ... written so NaN in v survives: pmax(a, b) = a < b ? b : a.
      const cc = f64x2.pmin(f64x2.pmax(c, zero), one);
      const ss = f64x2.pmin(f64x2.pmax(f64x2.div(s, vmax), zero), one);
      v128.store(dst, f64x2.add(f64x2.mul(cc, ss), m));
      badV = i64x2.sub(badV, f64x2.ne(m, m));
      sev += 16; conf += 16; dst += 16;
    }
    bad = <i32>(i64x2.extract_lane(badV, 0) + i64x2.extract_lane(badV, 1));
  }
  for (; i < n; i++) {
    const s = load<f64>(sev), c = load<f64>(conf);
    const x = signal(s, c, maxSeverity);
    bad += <i32>(x != x);
    store<f64>(dst, x);
    sev += 8; conf += 8; dst += 8;
  }
  return bad;
}

/** r over xBuf[lo, hi) (NaN if any x is NaN). */
// @ts-ignore: decorator
@inline function recur(lo: i32, hi: i32): f64 {
  let r: f64 = 0;
  let p = xBuf + (<usize>lo << 3);
  for (let i = lo; i < hi; i++) {
    r = r + load<f64>(p) * (1 - r);
    p += 8;
  }
  return r;
}

/**
 * Entities [e0, e1) whose signals are xBuf[offsets[e] - base, offsets[e+1] - base),
 * all ranges already checked. Results go to out[e].
 */
function recurEntities(offsets: usize, e0: i32, e1: i32, base: u32, out: usize): void {
  let e = e0;
  if (ASC_FEATURE_SIMD) {
    const one = f64x2.splat(1);
    // Two entities per f64x2: lane 0 = e, lane 1 = e + 1, over their common length.
    for (; e + 2 <= e1; e += 2) {
      const a0 = <i32>(load<u32>(offsets + (<usize>e << 2)) - base);
      const b0 = <i32>(load<u32>(offsets + (<usize>e << 2), 4) - base);
      const c0 = <i32>(load<u32>(offsets + (<usize>e << 2), 8) - base);
      const la = b0 - a0, lb = c0 - b0;
      const common = min(la, lb);
      let pa = xBuf + (<usize>a0 << 3);
      let pb = xBuf + (<usize>b0 << 3);
      let r = f64x2.splat(0);
      for (let j = 0; j < common; j++) {
        const x = v128.load64_lane(pb, v128.load64_splat(pa), 1);
        r = f64x2.add(r, f64x2.mul(x, f64x2.sub(one, r)));
        pa += 8; pb += 8;
      }
      let ra = f64x2.extract_lane(r, 0);
      let rb = f64x2.extract_lane(r, 1);
      for (let j = common; j < la; j++) { ra = ra + load<f64>(pa) * (1 - ra); pa += 8; }
      for (let j = common; j < lb; j++) { rb = rb + load<f64>(pb) * (1 - rb); pb += 8; }
      store<f64>(out + (<usize>e << 3), ra);
      store<f64>(out + (<usize>e << 3), rb, 8);
    }
  }
  for (; e < e1; e++) {
    const lo = <i32>(load<u32>(offsets + (<usize>e << 2)) - base);
    const hi = <i32>(load<u32>(offsets + (<usize>e << 2), 4) - base);
    store<f64>(out + (<usize>e << 3), recur(lo, hi));
  }
}

export function riskScoreBatchF64(
  sev: usize, conf: usize, n: i32, offsets: usize, entities: i32, maxSeverity: f64, out: usize,
): i32 {
  if (entities <= 0) return 0;
  const nu: u32 = n > 0 ? <u32>n : 0;
  let bad = 0;
  let e = 0;
  while (e < entities) {
    const lo = load<u32>(offsets + (<usize>e << 2));
    const hi = load<u32>(offsets + (<usize>e << 2), 4);
    if (lo > hi || hi > nu) {
      store<f64>(out + (<usize>e << 3), NaN);
      bad++;
      e++;
      continue;
    }
    if (hi - lo > <u32>XCHUNK) {
      // One oversized entity: straight through.
      const r = noisyOrScalar(sev + (<usize>lo << 3), conf + (<usize>lo << 3), <i32>(hi - lo), maxSeverity);
      bad += badCount;
      store<f64>(out + (<usize>e << 3), r);
      e++;
      continue;
    }
    // Extend the run while the next range is valid and the chunk stays within XCHUNK.
    let e1 = e + 1;
    let end = hi;
    while (e1 < entities) {
      const h2 = load<u32>(offsets + (<usize>e1 << 2), 4);
      if (h2 < end || h2 > nu || h2 - lo > <u32>XCHUNK) break;
      end = h2;
      e1++;
    }
    bad += fillSignals(sev + (<usize>lo << 3), conf + (<usize>lo << 3), <i32>(end - lo), maxSeverity);
    recurEntities(offsets, e, e1, lo, out);
    e = e1;
  }
  return bad;
}

/**
 * out[i] = scores[i] * 2^(-(ages[i] / halfLife)) via Math.pow.
 * Returns 1 if any score or age is non-finite, | 2 if any age < 0.
 */
export function temporalDecayF64(scores: usize, ages: usize, n: i32, halfLife: f64, out: usize): i32 {
  let nonFinite: f64 = 0;
  let negative = false;
  for (let i = 0; i < n; i++) {
    const s = load<f64>(scores), a = load<f64>(ages);
    nonFinite += (s - s) + (a - a);
    negative = negative | (a < 0);
    store<f64>(out, s * Math.pow(2.0, -(a / halfLife)));
    scores += 8; ages += 8; out += 8;
  }
  return (nonFinite != nonFinite ? 1 : 0) | (negative ? 2 : 0);
}
